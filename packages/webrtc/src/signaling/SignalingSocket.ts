/**
 * The part of a WebSocket that signaling uses. The browser's `WebSocket` and the `ws` package's
 * `WebSocket` (for Node 20, which has no global one) both fit.
 */
export interface SignalingSocket {
  /** 0 connecting, 1 open, 2 closing, 3 closed (the WebSocket constants). */
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((event: never) => void) | null
  onclose: ((event: never) => void) | null
  onerror: ((event: never) => void) | null
  onmessage: ((event: never) => void) | null
}

/** A WebSocket constructor: `globalThis.WebSocket` in browsers, `WebSocket` from `ws` in Node. */
export type SignalingSocketConstructor = new (url: string) => SignalingSocket

/** `WebSocket.OPEN`. */
export const SOCKET_OPEN = 1

/** The host's WebSocket constructor, if it has one (browsers, Node 22+). */
export function hostWebSocket(): SignalingSocketConstructor | undefined {
  const ctor = (globalThis as { WebSocket?: unknown }).WebSocket
  return typeof ctor === 'function' ? (ctor as SignalingSocketConstructor) : undefined
}

/** The text of a message event's data, or undefined for binary data (the protocol is text-only). */
export function messageText(event: unknown): string | undefined {
  const data = (event as { data?: unknown } | null)?.data
  return typeof data === 'string' ? data : undefined
}
