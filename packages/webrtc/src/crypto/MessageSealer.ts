import { WebrtcError, WebrtcErrorCode } from '../errors/WebrtcError.js'
import { deriveRoomKey, type OpenResult } from './roomCrypto.js'

/** What a {@link MessageSealer} needs. */
export interface MessageSealerOptions<Plain, Wire> {
  /** The room password; undefined or empty: messages go out and come in as they are. */
  readonly password: string | undefined
  /** The room (the key derivation's salt). */
  readonly room: string
  /** Seals one message under the room key. */
  readonly seal: (message: Plain, key: CryptoKey) => Promise<Wire>
  /** Opens one received message; never throws. */
  readonly open: (wire: unknown, key: CryptoKey) => Promise<OpenResult<unknown>>
  /** Where messages that do not open, and failures of WebCrypto, are reported. Must not throw. */
  readonly onError: (error: Error) => void
}

/**
 * Puts a room password between a transport and its medium, keeping order: sealing and opening
 * are asynchronous (WebCrypto), so each direction is a promise chain, and messages leave and
 * arrive in the order they were given (a trickled ICE candidate must not overtake its offer).
 * Without a password both directions are synchronous pass-throughs.
 */
export class MessageSealer<Plain, Wire> {
  private readonly key: Promise<CryptoKey> | undefined
  private outbox: Promise<void> = Promise.resolve()
  private inbox: Promise<void> = Promise.resolve()
  private closed = false
  private keyFailed = false

  constructor(private readonly options: MessageSealerOptions<Plain, Wire>) {
    if (options.password === undefined || options.password === '') return
    this.key = deriveRoomKey(options.password, options.room)
    // Reported once here; the chains that await it then drop their messages quietly.
    this.key.catch((error: unknown) => {
      this.keyFailed = true
      this.report(new WebrtcError(WebrtcErrorCode.BadPassword, 'could not derive the room key', { cause: error }))
    })
  }

  /** Whether messages are sealed (a password was given). */
  get sealed(): boolean {
    return this.key !== undefined
  }

  /** Hands `message` to `post` as it goes on the wire (sealed if there is a password), after every earlier one. */
  send(message: Plain, post: (wire: Plain | Wire) => void): void {
    if (this.closed) return
    const key = this.key
    if (key === undefined) {
      post(message)
      return
    }
    this.outbox = this.outbox.then(async () => {
      const wire = await this.options.seal(message, await key)
      post(wire)
    }).catch((error: unknown) => this.chainFailed(error))
  }

  /**
   * Hands what `wire` holds to `deliver` (opened if there is a password), after every earlier
   * one; a message that does not open is reported as `bad-password` and dropped. Nothing is
   * delivered after {@link MessageSealer.close}.
   */
  receive(wire: unknown, deliver: (message: unknown) => void): void {
    if (this.closed) return
    const key = this.key
    if (key === undefined) {
      deliver(wire)
      return
    }
    this.inbox = this.inbox.then(async () => {
      const opened = await this.options.open(wire, await key)
      if (this.closed) return
      if (opened.ok) deliver(opened.value)
      else this.report(opened.error)
    }).catch((error: unknown) => this.chainFailed(error))
  }

  /** Resolves once every message given so far has been posted or delivered (or failed). */
  async idle(): Promise<void> {
    await Promise.all([this.outbox, this.inbox])
  }

  /** Stops: nothing more is delivered; messages already being sealed are still posted (a goodbye). */
  close(): void {
    this.closed = true
  }

  private chainFailed(error: unknown): void {
    if (!this.keyFailed) this.report(error)
  }

  private report(error: unknown): void {
    if (this.closed) return
    try {
      this.options.onError(error instanceof Error ? error : new Error(String(error)))
    } catch {
      // an error callback that throws has nowhere left to report to
    }
  }
}
