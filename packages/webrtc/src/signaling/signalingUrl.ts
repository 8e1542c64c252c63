/**
 * Whether `url` is a usable signaling URL: a string that parses as a URL with the `ws:` or
 * `wss:` scheme and a host. The string itself (not a normalized form) identifies the server.
 */
export function isSignalingUrl(url: unknown): url is string {
  if (typeof url !== 'string' || url.length === 0 || url.length > 2048) return false
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  return (parsed.protocol === 'ws:' || parsed.protocol === 'wss:') && parsed.host.length > 0
}
