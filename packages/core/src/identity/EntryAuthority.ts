import { digest as sha256 } from 'lib0/hash/sha256'
import { requestSender, type AppDoc, type DecisionRecord } from '../coordinator/AppDoc.js'
import { parseTermKey, type TermKey, type TermRecord } from '../coordinator/Term.js'
import { base32, guidMatchesKey } from './guid.js'
import { IdentityError, IdentityErrorCode } from './IdentityError.js'
import type { SignatureVerifier } from './PeerIdentity.js'
import { decisionSigningBytes, requestSigningBytes, termSigningBytes } from './signingBytes.js'

/**
 * The most a term's epoch may exceed its parent's (2^20). Honest claims add 1 (a few more after
 * failed quorum candidacies), so this never binds them; it keeps an eligible member from using
 * up the epochs (2^40) with a few signed claims.
 */
export const MAX_EPOCH_STEP = 2 ** 20

/** Whether an entry counts: `valid`, `waiting` (for its signature or a verification), or `invalid` (reported). */
export type Verdict = 'valid' | 'waiting' | 'invalid'

/** What an {@link EntryAuthority} needs from its peer. */
export interface EntryAuthorityOptions {
  /** The app's name; it is part of every signed encoding. */
  readonly name: string
  readonly app: AppDoc
  readonly verifier: SignatureVerifier
  /** Reports an ignored entry (once per distinct entry and signature). */
  report(error: IdentityError): void
  /** An asynchronous verification of entry `key` finished: the ledger reads it again. */
  onSettled(key: string): void
}

/** The signature entry of a term or decision in `sship.sigs`: the leader's public key (terms only) and the signature. */
interface SignatureEntry {
  readonly k?: Uint8Array
  readonly s: Uint8Array
}

function asSignature(value: unknown): SignatureEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { k, s } = value as { k?: unknown; s?: unknown }
  if (!(s instanceof Uint8Array) || s.byteLength === 0 || s.byteLength > 512) return undefined
  if (k !== undefined && (!(k instanceof Uint8Array) || k.byteLength === 0 || k.byteLength > 1024)) return undefined
  return value as SignatureEntry
}

/**
 * Decides which coordinator entries of the document count when peers have identities: a request
 * counts if its sender signed it; a term
 * counts if its leader's GUID is the fingerprint of the public key in its signature entry, its
 * epoch is at most {@link MAX_EPOCH_STEP} above its parent's, and the leader's signature over
 * its canonical encoding verifies; a decision counts if its term's leader signed it. Results are
 * cached (by entry, content and signature), so each signature is verified once; asynchronous
 * verifications answer `waiting` and call `onSettled` when done. Entries this peer wrote itself
 * count at once ({@link EntryAuthority.trustLocal}).
 */
export class EntryAuthority {
  /** Ignored entries, by {@link IdentityErrorCode}. */
  readonly rejected: Record<string, number> = {}
  /** Signatures verified (valid or not), and verifications under way. */
  readonly verifications = { done: 0, pending: 0 }
  private readonly results = new Map<string, boolean | 'pending'>()
  private readonly local = new Map<string, string>()

  constructor(private readonly o: EntryAuthorityOptions) {}

  /** Entry `key` with these signing bytes was written by this peer: it counts without waiting for its signature. */
  trustLocal(key: string, bytes: Uint8Array): void {
    this.local.set(key, digestOf(bytes))
  }

  /** Whether term `key` counts. */
  term(key: TermKey, record: TermRecord): Verdict {
    const bytes = termSigningBytes(this.o.name, record)
    if (this.local.has(key) && this.local.get(key) === digestOf(bytes)) return 'valid'
    const sig = this.o.app.signatures.get(key)
    if (sig === undefined) return 'waiting'
    const entry = asSignature(sig)
    if (entry === undefined || entry.k === undefined) return this.reject(`${key}|sig`, IdentityErrorCode.MalformedSignature, `term ${key} has a malformed signature entry`)
    if (!guidMatchesKey(record.leader, entry.k)) {
      return this.reject(`${key}|${base32(entry.k)}`, IdentityErrorCode.KeyMismatch, `term ${key} is signed with a key that is not ${record.leader}'s`)
    }
    const parentEpoch = record.parent === null ? 0 : (parseTermKey(record.parent)?.epoch ?? 0)
    if (record.epoch > parentEpoch + MAX_EPOCH_STEP) {
      return this.reject(`${key}|jump`, IdentityErrorCode.EpochJump, `term ${key} jumps more than ${MAX_EPOCH_STEP} epochs above its parent`)
    }
    return this.check(key, entry.k, bytes, entry.s)
  }

  /** Whether decision `key` of term `term` counts. */
  decision(key: string, term: TermKey, record: DecisionRecord): Verdict {
    const bytes = decisionSigningBytes(this.o.name, key, record)
    if (this.local.has(key) && this.local.get(key) === digestOf(bytes)) return 'valid'
    const sig = this.o.app.signatures.get(key)
    const leader = parseTermKey(term)?.leader
    const termSig = asSignature(this.o.app.signatures.get(term))
    // The leader's key comes with its term's signature; without it, wait.
    if (sig === undefined || leader === undefined || termSig?.k === undefined) return 'waiting'
    const entry = asSignature(sig)
    if (entry === undefined) return this.reject(`${key}|sig`, IdentityErrorCode.MalformedSignature, `decision ${key} has a malformed signature entry`)
    if (!guidMatchesKey(leader, termSig.k)) {
      return this.reject(`${key}|${base32(termSig.k)}`, IdentityErrorCode.KeyMismatch, `decision ${key}: the key of its term is not ${leader}'s`)
    }
    return this.check(key, termSig.k, bytes, entry.s)
  }

  /** Whether request `id` counts: its sender (the GUID before the `/`) signed it. */
  request(id: string, record: unknown): Verdict {
    const bytes = requestSigningBytes(this.o.name, id, record)
    if (this.local.has(id) && this.local.get(id) === digestOf(bytes)) return 'valid'
    const sig = this.o.app.signatures.get(id)
    if (sig === undefined) return 'waiting'
    const entry = asSignature(sig)
    if (entry === undefined || entry.k === undefined) return this.reject(`${id}|sig`, IdentityErrorCode.MalformedSignature, `request ${id} has a malformed signature entry`)
    const sender = requestSender(id)
    if (sender === undefined || !guidMatchesKey(sender, entry.k)) {
      return this.reject(`${id}|${base32(entry.k)}`, IdentityErrorCode.KeyMismatch, `request ${id} is signed with a key that is not its sender's`)
    }
    return this.check(id, entry.k, bytes, entry.s)
  }

  private check(key: string, publicKey: Uint8Array, bytes: Uint8Array, signature: Uint8Array): Verdict {
    const id = `${key}|${digestOf(bytes)}|${base32(signature)}|${base32(publicKey)}`
    const known = this.results.get(id)
    if (known === 'pending') return 'waiting'
    if (known !== undefined) return known ? 'valid' : 'invalid'
    let result: boolean | Promise<boolean>
    try {
      result = this.o.verifier.verify(publicKey, bytes, signature)
    } catch (cause) {
      return this.settle(id, key, false, cause)
    }
    if (typeof result === 'boolean') return this.settle(id, key, result)
    this.results.set(id, 'pending')
    this.verifications.pending++
    const done = (ok: boolean, cause?: unknown): void => {
      this.verifications.pending--
      this.settle(id, key, ok, cause)
      this.o.onSettled(key)
    }
    result.then((ok) => done(ok === true), (cause: unknown) => done(false, cause)).catch(() => {})
    return 'waiting'
  }

  private settle(id: string, key: string, ok: boolean, cause?: unknown): Verdict {
    this.verifications.done++
    if (ok) {
      this.results.set(id, true)
      return 'valid'
    }
    if (cause !== undefined) return this.reject(id, IdentityErrorCode.VerifyFailed, `verifying ${key} failed: ${String(cause)}`, cause)
    return this.reject(id, IdentityErrorCode.BadSignature, `${key} has a signature that does not verify`)
  }

  private reject(id: string, code: IdentityErrorCode, message: string, cause?: unknown): Verdict {
    if (this.results.get(id) === false) return 'invalid'
    this.results.set(id, false)
    this.rejected[code] = (this.rejected[code] ?? 0) + 1
    this.o.report(new IdentityError(code, message, cause === undefined ? undefined : { cause }))
    return 'invalid'
  }
}

function digestOf(bytes: Uint8Array): string {
  return base32(sha256(bytes))
}
