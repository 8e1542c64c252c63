/**
 * Which connections subscribe to which topics, both ways, so a closing connection leaves every
 * topic at once and empty topics disappear. Generic over the connection type; no I/O.
 */
export class TopicTable<C> {
  private readonly byTopic = new Map<string, Set<C>>()
  private readonly byConn = new Map<C, Set<string>>()

  /** Subscribes `conn` to `topics`. */
  subscribe(conn: C, topics: readonly string[]): void {
    for (const topic of topics) {
      let conns = this.byTopic.get(topic)
      if (conns === undefined) this.byTopic.set(topic, (conns = new Set()))
      conns.add(conn)
      let mine = this.byConn.get(conn)
      if (mine === undefined) this.byConn.set(conn, (mine = new Set()))
      mine.add(topic)
    }
  }

  /** Unsubscribes `conn` from `topics`. */
  unsubscribe(conn: C, topics: readonly string[]): void {
    for (const topic of topics) {
      const conns = this.byTopic.get(topic)
      conns?.delete(conn)
      if (conns?.size === 0) this.byTopic.delete(topic)
      this.byConn.get(conn)?.delete(topic)
    }
  }

  /** Removes `conn` from every topic. */
  remove(conn: C): void {
    const mine = this.byConn.get(conn)
    if (mine !== undefined) this.unsubscribe(conn, [...mine])
    this.byConn.delete(conn)
  }

  /** The subscribers of `topic` (a copy, safe to iterate while sending). */
  subscribers(topic: string): C[] {
    return [...(this.byTopic.get(topic) ?? [])]
  }

  /** True if `conn` subscribes to `topic`. */
  has(conn: C, topic: string): boolean {
    return this.byConn.get(conn)?.has(topic) === true
  }

  /** How many topics `conn` subscribes to. */
  topicsOf(conn: C): number {
    return this.byConn.get(conn)?.size ?? 0
  }

  /** How many topics have at least one subscriber. */
  get topicCount(): number {
    return this.byTopic.size
  }
}
