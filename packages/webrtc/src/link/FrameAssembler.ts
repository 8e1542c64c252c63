import { FrameError, FrameErrorCode } from '@sship/core'
import { LinkMessageType, type LinkMessage } from './linkMessages.js'

/** The result of feeding one frame-carrying message to a {@link FrameAssembler}. */
export type AssembleResult =
  | { readonly kind: 'frame'; readonly frame: Uint8Array }
  | { readonly kind: 'partial' }
  | { readonly kind: 'error'; readonly error: FrameError }

/**
 * Rebuilds frames from one link's `Frame` / `FrameStart` / `FrameMore` messages, in channel
 * order. Frames it returns are fresh copies, owned by the receiver. A frame announced larger
 * than `maxFrameBytes` is refused, as are chunks that overflow the announced length.
 */
export class FrameAssembler {
  private pending: { readonly buffer: Uint8Array; filled: number } | undefined

  constructor(private readonly maxFrameBytes: number) {}

  /** Feeds one message; non-frame messages are ignored (reported as partial). */
  push(message: LinkMessage): AssembleResult {
    switch (message.type) {
      case LinkMessageType.Frame:
        this.pending = undefined
        if (message.bytes.byteLength > this.maxFrameBytes) return this.error(FrameErrorCode.Oversized, message.bytes.byteLength)
        return { kind: 'frame', frame: message.bytes.slice() }
      case LinkMessageType.FrameStart: {
        this.pending = undefined
        if (message.total > this.maxFrameBytes) return this.error(FrameErrorCode.Oversized, message.total)
        if (message.bytes.byteLength > message.total) return this.overflow()
        const buffer = new Uint8Array(message.total)
        buffer.set(message.bytes)
        this.pending = { buffer, filled: message.bytes.byteLength }
        return this.completeOrPartial()
      }
      case LinkMessageType.FrameMore: {
        const pending = this.pending
        if (pending === undefined) return { kind: 'error', error: new FrameError(FrameErrorCode.Malformed, 'a frame continuation without a start') }
        if (pending.filled + message.bytes.byteLength > pending.buffer.byteLength) return this.overflow()
        pending.buffer.set(message.bytes, pending.filled)
        pending.filled += message.bytes.byteLength
        return this.completeOrPartial()
      }
      default:
        return { kind: 'partial' }
    }
  }

  private completeOrPartial(): AssembleResult {
    const pending = this.pending
    if (pending === undefined || pending.filled < pending.buffer.byteLength) return { kind: 'partial' }
    this.pending = undefined
    return { kind: 'frame', frame: pending.buffer }
  }

  private overflow(): AssembleResult {
    this.pending = undefined
    return { kind: 'error', error: new FrameError(FrameErrorCode.Malformed, 'frame chunks overflow the announced length') }
  }

  private error(code: FrameErrorCode, bytes: number): AssembleResult {
    return { kind: 'error', error: new FrameError(code, `incoming frame of ${bytes} bytes exceeds maxFrameBytes ${this.maxFrameBytes}`) }
  }
}
