import { NotCoordinatorError } from '../errors/errors.js'
import type { PeerId } from '../ids/ids.js'
import { requestSender, type AppDoc, type DecisionRecord, type StateOp } from './AppDoc.js'
import type { Json } from './json.js'
import type { Ledger } from './Ledger.js'

/**
 * The app's server code: called on the coordinator, once per request, inside the transaction
 * that records the decision. Its return value (if not `undefined`) is the reply to `src`.
 * It must be synchronous: a decision and the state change it causes are written atomically.
 */
export type ServerHandler = (msg: Json, src: PeerId) => Json | undefined | void

/**
 * Runs the server handler for pending requests while this peer is the coordinator, and turns
 * `commitState`/`commitChange` calls into the decision's operations.
 */
export class RequestProcessor {
  private handler: ServerHandler | undefined
  private buffer: StateOp[] | null = null

  /**
   * @param write Writes a decision in the current term; returns false if this peer is not the
   *   coordinator any more (then nothing was written).
   */
  constructor(
    private readonly app: AppDoc,
    private readonly ledger: Ledger,
    private readonly write: (record: DecisionRecord) => boolean
  ) {}

  /** Sets the server handler (replacing any earlier one); returns a function that removes it. */
  setHandler(handler: ServerHandler): () => void {
    this.handler = handler
    return () => {
      if (this.handler === handler) this.handler = undefined
    }
  }

  /** True once a handler is registered. */
  hasHandler(): boolean {
    return this.handler !== undefined
  }

  /**
   * Records a state operation: inside a handler it joins that request's decision; outside it
   * becomes a decision of its own. Throws {@link NotCoordinatorError} if this peer is not the server.
   */
  commit(op: StateOp): void {
    if (this.buffer !== null) {
      this.buffer.push(op)
      return
    }
    if (!this.write({ r: null, o: [op] })) throw new NotCoordinatorError()
  }

  /** Decides every pending request, oldest first, while `stillLeader()` holds. */
  drain(stillLeader: () => boolean): number {
    if (this.handler === undefined) return 0
    let n = 0
    for (const id of [...this.ledger.pending()]) {
      if (!stillLeader()) break
      if (this.decide(id)) n++
    }
    return n
  }

  private decide(requestId: string): boolean {
    const handler = this.handler
    if (handler === undefined || this.ledger.isDecided(requestId)) return false
    const from = requestSender(requestId)
    const stored = this.ledger.requestRecord(requestId) as { m?: Json } | undefined
    const record: { r: string; o: StateOp[]; y?: Json; e?: string; s?: string } = { r: requestId, o: [] }
    const fenced = this.ledger.fencedDecisionOn(requestId)
    if (fenced !== undefined) record.s = fenced
    if (from === undefined || typeof stored !== 'object' || stored === null || !('m' in stored)) {
      record.e = 'malformed request'
    } else {
      this.buffer = []
      try {
        const reply = handler(stored.m as Json, from)
        if (reply instanceof Promise) throw new TypeError('server handlers must be synchronous (return a value, not a Promise)')
        record.o = this.buffer
        if (reply !== undefined) record.y = reply
      } catch (error) {
        record.o = []
        record.e = error instanceof Error ? error.message : String(error)
      } finally {
        this.buffer = null
      }
    }
    return this.write(record)
  }
}
