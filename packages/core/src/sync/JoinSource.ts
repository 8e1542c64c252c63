import type { Clock, TimerHandle } from '../clock/Clock.js'
import type { PeerId } from '../ids/ids.js'

/**
 * One-source join: a peer's first sync asks one peer (the first one it meets) for the whole
 * document and holds back its sync step 1 to every other peer until that one answered. The
 * held-back step 1s then carry the newcomer's filled-in state vector, so the others send only
 * what the source lacked: join bytes are about one document, not one per replica.
 *
 * If the source leaves or stays silent for `timeoutMs`, the next held-back peer becomes the
 * source, so a join never waits on a dead peer for long.
 */
export class JoinSource {
  private source: PeerId | undefined
  private done = false
  private readonly held = new Set<PeerId>()
  private timer: TimerHandle | undefined

  /**
   * @param clock Time source of the timeout.
   * @param timeoutMs How long the source may take to answer before another peer is asked.
   * @param ask Sends sync step 1 to a peer (with the document's current state vector).
   */
  constructor(private readonly clock: Clock, private readonly timeoutMs: number, private readonly ask: (peer: PeerId) => void) {}

  /** True once the first sync finished (every request goes out at once from then on). */
  get joined(): boolean {
    return this.done
  }

  /** The peer asked for the whole document, while the join runs. */
  get asked(): PeerId | undefined {
    return this.done ? undefined : this.source
  }

  /** Sends sync step 1 to `peer` now, or holds it back until the source answered. */
  request(peer: PeerId): void {
    if (this.done || peer === this.source) return this.ask(peer)
    if (this.source !== undefined) {
      this.held.add(peer)
      return
    }
    this.source = peer
    this.arm()
    this.ask(peer)
  }

  /** Sync step 2 arrived from `from`: if it is the source, the join is done. */
  answered(from: PeerId): void {
    if (this.done || from !== this.source) return
    this.finish()
  }

  /** `peer` left: if it was the source, ask the next held-back peer. */
  left(peer: PeerId): void {
    this.held.delete(peer)
    if (!this.done && peer === this.source) this.next()
  }

  /** Stops the timeout. */
  destroy(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
  }

  private arm(): void {
    this.destroy()
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined
      this.next()
    }, this.timeoutMs)
  }

  private next(): void {
    const [first] = this.held
    this.source = undefined
    if (first === undefined) return
    this.held.delete(first)
    this.request(first)
  }

  private finish(): void {
    this.done = true
    this.destroy()
    const held = [...this.held]
    this.held.clear()
    for (const peer of held) this.ask(peer)
  }
}
