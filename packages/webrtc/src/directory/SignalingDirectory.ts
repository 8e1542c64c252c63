import type * as Y from 'yjs'
import { WebrtcError, WebrtcErrorCode } from '../errors/WebrtcError.js'
import { isSignalingUrl } from '../signaling/signalingUrl.js'

/**
 * The top-level `Y.Map` of an app's document that lists live signaling servers: one entry per
 * peer that runs (or knows) one, key the peer's id, value an array of `ws:`/`wss:` URLs. It sits
 * beside sship's own `sship.*` types; sship's sync replicates it like any other type and the
 * coordinator never reads it.
 */
export const SIGNALING_DIRECTORY = 'sship.signaling'

/** Most URLs {@link followSignaling} adds by default; entries beyond it are reported, not dialed. */
export const DEFAULT_MAX_FOLLOWED_URLS = 16

/** What {@link followSignaling} adds signaling servers to: a {@link WebrtcTransport}, or anything alike. */
export interface SignalingTarget {
  /** Adds a server; returns false if it was already known. May throw for a bad URL. */
  addSignaling(url: string): boolean
  /** Removes a server; returns false if it was not known. */
  removeSignaling(url: string): boolean
}

/** Options of {@link followSignaling}. */
export interface FollowSignalingOptions {
  /** Malformed entries (code `bad-entry`) and URLs (code `bad-url`), with the peer whose entry it is. Must not throw. */
  readonly onError?: (error: WebrtcError, peer: string) => void
  /** Most URLs to add; more are reported as `bad-entry`. Default {@link DEFAULT_MAX_FOLLOWED_URLS}. */
  readonly maxUrls?: number
}

const directory = (doc: Y.Doc): Y.Map<unknown> => doc.getMap<unknown>(SIGNALING_DIRECTORY)

/**
 * Writes this peer's entry in the document's {@link SIGNALING_DIRECTORY}: the signaling
 * server(s) it offers, e.g. the URL of the `SignalingServer` it runs. Only this peer's own key
 * is written. Returns a function that removes the entry again (call it on a clean shutdown; it
 * leaves the entry alone if it has been replaced since).
 *
 * @throws {@link WebrtcError} with code `bad-url` if a URL is not a `ws:` or `wss:` URL.
 */
export function publishSignaling(doc: Y.Doc, peerId: string, url: string | readonly string[]): () => void {
  const urls = typeof url === 'string' ? [url] : [...url]
  const bad = urls.find((u) => !isSignalingUrl(u))
  if (bad !== undefined || urls.length === 0) {
    throw new WebrtcError(WebrtcErrorCode.BadUrl, `cannot publish signaling URL ${JSON.stringify(bad ?? '')}: it must be a ws:// or wss:// URL`)
  }
  const map = directory(doc)
  map.set(peerId, urls)
  const written = map.get(peerId)
  return () => {
    if (map.get(peerId) === written) map.delete(peerId)
  }
}

/** One entry of the directory, read leniently: its well-formed URLs, and what was wrong with it. */
interface ReadEntry {
  readonly urls: string[]
  readonly problems: string[]
}

function readEntry(value: unknown): ReadEntry {
  const items: unknown[] = typeof value === 'string' ? [value] : Array.isArray(value) ? value : []
  if (items.length === 0) return { urls: [], problems: [`entry is ${JSON.stringify(value) ?? String(value)}, not a URL or a list of URLs`] }
  const urls: string[] = []
  const problems: string[] = []
  for (const item of items) {
    if (isSignalingUrl(item)) urls.push(item)
    else problems.push(`${JSON.stringify(item) ?? String(item)} is not a ws:// or wss:// URL`)
  }
  return { urls, problems }
}

/**
 * The well-formed signaling URLs in the document's directory, each once, in entry order. A
 * pure read; malformed entries are skipped.
 */
export function signalingUrlsIn(doc: Y.Doc): string[] {
  const out = new Set<string>()
  for (const value of directory(doc).values()) for (const url of readEntry(value).urls) out.add(url)
  return [...out]
}

/**
 * Keeps `transport`'s signaling servers in step with the document: every well-formed URL in
 * the {@link SIGNALING_DIRECTORY}, now and on every change, is added; a URL this function added
 * is removed again when no entry lists it any more (the transport's own URLs are never removed).
 * Malformed entries are ignored and reported to `onError`, never thrown. Returns a function
 * that stops following (the servers added so far stay).
 */
export function followSignaling(doc: Y.Doc, transport: SignalingTarget, options: FollowSignalingOptions = {}): () => void {
  const map = directory(doc)
  const maxUrls = options.maxUrls ?? DEFAULT_MAX_FOLLOWED_URLS
  const added = new Set<string>()
  const report = (error: WebrtcError, peer: string): void => {
    try {
      options.onError?.(error, peer)
    } catch {
      // an error callback that throws has nowhere left to report to
    }
  }
  const sync = (changed: Iterable<string>): void => {
    const changedKeys = new Set(changed)
    const wanted = new Set<string>()
    for (const [peer, value] of map.entries()) {
      const entry = readEntry(value)
      if (changedKeys.has(peer)) {
        for (const problem of entry.problems) report(new WebrtcError(WebrtcErrorCode.BadEntry, `signaling entry of ${peer}: ${problem}`), peer)
      }
      for (const url of entry.urls) {
        if (wanted.has(url)) continue
        if (wanted.size >= maxUrls) {
          if (changedKeys.has(peer)) report(new WebrtcError(WebrtcErrorCode.BadEntry, `signaling entry of ${peer}: ${url} is past the limit of ${maxUrls} URLs`), peer)
          continue
        }
        wanted.add(url)
      }
    }
    for (const url of wanted) {
      if (added.has(url)) continue
      try {
        if (transport.addSignaling(url)) added.add(url)
      } catch (error) {
        report(error instanceof WebrtcError ? error : new WebrtcError(WebrtcErrorCode.BadUrl, String(error), { cause: error }), '')
      }
    }
    for (const url of [...added]) {
      if (wanted.has(url)) continue
      added.delete(url)
      transport.removeSignaling(url)
    }
  }
  const observer = (event: Y.YMapEvent<unknown>): void => {
    // Yjs runs observers inside its transaction cleanup, where a throw would wedge the document.
    try {
      sync(event.keysChanged)
    } catch (error) {
      report(new WebrtcError(WebrtcErrorCode.BadEntry, `following the signaling directory failed: ${String(error)}`, { cause: error }), '')
    }
  }
  sync(map.keys())
  map.observe(observer)
  return () => map.unobserve(observer)
}
