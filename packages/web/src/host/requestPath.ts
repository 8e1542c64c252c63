/** Longest request path the host looks at; longer ones are refused (Node already caps the whole header block). */
const MAX_PATH_CHARS = 2048

/**
 * The decoded path of an HTTP request target, or undefined if it is not a path the host can
 * serve: not origin-form (`/…`), protocol-relative (`//…`) or with a backslash, not parseable, a bad percent-escape (`/%`, `/%E0%A4%A`), a NUL,
 * or over {@link MAX_PATH_CHARS}. Never throws: every HTTP and upgrade handler of the host starts
 * here and answers 400 on undefined, so a typo in an address bar (`//`, `/\`) cannot take the
 * host down. Pure.
 */
export function requestPath(target: string | undefined): string | undefined {
  if (target === undefined || !target.startsWith('/') || target.length > MAX_PATH_CHARS) return undefined
  // `//x` and `/\x` name a host, not a path, in a browser's eyes: never a page of ours.
  if (target.startsWith('//') || target.includes('\\')) return undefined
  let pathname: string
  try {
    // Prefixing an origin (instead of passing a base) keeps `//x` a path, not a host.
    pathname = new URL(`http://host${target}`).pathname
  } catch {
    return undefined
  }
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return undefined
  }
  return decoded.includes('\0') ? undefined : decoded
}
