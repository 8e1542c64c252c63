import { MessageType } from '../protocol/MessageType.js'

const typeNames = new Map<number, string>(Object.entries(MessageType).map(([k, v]) => [v, k]))

/** Counters of one peer's traffic and errors, for tests, benchmarks and status lines. */
export class PeerStats {
  /** Frames sent. */
  framesOut = 0
  /** Bytes sent. */
  bytesOut = 0
  /** Frames received. */
  framesIn = 0
  /** Bytes received. */
  bytesIn = 0
  /** Bytes sent, by message type name (`Sync`, `Heartbeat`, …). */
  readonly bytesOutByType: Record<string, number> = {}
  /** Bytes received, by message type name. */
  readonly bytesInByType: Record<string, number> = {}
  /** Errors, by error code. */
  readonly errors: Record<string, number> = {}

  /** Counts an outgoing frame. */
  sent(frame: Uint8Array): void {
    this.framesOut++
    this.bytesOut += frame.byteLength
    const name = typeNames.get(frame[1] ?? -1) ?? 'unknown'
    this.bytesOutByType[name] = (this.bytesOutByType[name] ?? 0) + frame.byteLength
  }

  /** Counts an incoming frame, before it is decoded. */
  received(frame: Uint8Array): void {
    this.framesIn++
    this.bytesIn += frame.byteLength
  }

  /** Counts an incoming frame of a known type. */
  receivedType(type: MessageType, bytes: number): void {
    const name = typeNames.get(type) ?? 'unknown'
    this.bytesInByType[name] = (this.bytesInByType[name] ?? 0) + bytes
  }

  /** Counts an error. */
  error(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1
  }

  /** Total errors of every kind. */
  totalErrors(): number {
    return Object.values(this.errors).reduce((a, b) => a + b, 0)
  }
}
