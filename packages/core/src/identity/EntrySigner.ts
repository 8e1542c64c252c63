import type { AppDoc, DecisionRecord } from '../coordinator/AppDoc.js'
import type { TermRecord } from '../coordinator/Term.js'
import type { EntryAuthority } from './EntryAuthority.js'
import { IdentityError, IdentityErrorCode } from './IdentityError.js'
import type { PeerIdentity } from './PeerIdentity.js'
import { decisionSigningBytes, requestSigningBytes, termSigningBytes } from './signingBytes.js'

/** What an {@link EntrySigner} needs from its peer. */
export interface EntrySignerOptions {
  readonly name: string
  readonly app: AppDoc
  readonly identity: PeerIdentity
  readonly authority: EntryAuthority
  /** Transaction origin of the signature writes (the coordinator's). */
  readonly origin: object
  report(error: IdentityError): void
}

/**
 * Signs the requests this peer sends, and the terms and decisions it writes as coordinator. Call it inside the transaction
 * that writes the entry: the entry counts locally at once, and its signature entry (the public key
 * too, for a term) is written in the same transaction if the signer is synchronous, or as soon as
 * WebCrypto answers; other replicas count the entry from then on.
 */
export class EntrySigner {
  private stopped = false

  constructor(private readonly o: EntrySignerOptions) {}

  /** Signs term `key`. */
  term(key: string, record: TermRecord): void {
    const bytes = termSigningBytes(this.o.name, record)
    this.o.authority.trustLocal(key, bytes)
    this.sign(key, bytes, true)
  }

  /** Signs decision `key`. */
  decision(key: string, record: DecisionRecord): void {
    const bytes = decisionSigningBytes(this.o.name, key, record)
    this.o.authority.trustLocal(key, bytes)
    this.sign(key, bytes, false)
  }

  /** Signs request `id` (this peer's own) with its stored record; the public key goes along. */
  request(id: string, record: unknown): void {
    const bytes = requestSigningBytes(this.o.name, id, record)
    this.o.authority.trustLocal(id, bytes)
    this.sign(id, bytes, true)
  }

  /** Signatures that finish later are dropped. */
  stop(): void {
    this.stopped = true
  }

  private sign(key: string, bytes: Uint8Array, withKey: boolean): void {
    const { app, identity, origin } = this.o
    const write = (s: Uint8Array): void => {
      if (this.stopped) return
      // Plain Uint8Arrays: a Buffer would be stored as another JSON shape than replicas decode.
      const sig = new Uint8Array(s)
      app.doc.transact(() => app.signatures.set(key, withKey ? { k: new Uint8Array(identity.publicKey), s: sig } : { s: sig }), origin)
    }
    const failed = (cause: unknown): void => {
      this.o.report(new IdentityError(IdentityErrorCode.SignFailed, `signing ${key} failed: ${String(cause)}`, { cause }))
    }
    let result: Uint8Array | Promise<Uint8Array>
    try {
      result = identity.sign(bytes)
    } catch (cause) {
      return failed(cause)
    }
    if (result instanceof Uint8Array) write(result)
    else result.then(write, failed).catch(failed)
  }
}
