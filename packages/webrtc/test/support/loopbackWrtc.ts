import { candidateAddress, loopbackOnly } from '../../src/index.js'

type Handler = ((event: { candidate: { candidate?: string } | null }) => void) | null

interface WrtcModule {
  readonly RTCPeerConnection: new (config?: unknown) => {
    onicecandidate: Handler
    addIceCandidate(candidate: unknown): Promise<void>
  }
  readonly [key: string]: unknown
}

const allowed = (candidate: { candidate?: string } | null | undefined): boolean => {
  const line = candidate?.candidate
  if (line === undefined || line === '') return true
  const address = candidateAddress(line)
  return address !== undefined && loopbackOnly(address)
}

/**
 * Wraps a Node WebRTC module so its peer connections only offer and only accept loopback ICE
 * candidates. Stock y-webrtc peers in tests use it: they cannot be given a candidate filter,
 * and the hard rule is that test traffic stays on 127.0.0.0/8 and ::1.
 */
export function loopbackWrtc(wrtc: object): object {
  const base = wrtc as WrtcModule
  class LoopbackPeerConnection extends base.RTCPeerConnection {
    constructor(config?: unknown) {
      super(config)
      let handler: Handler = null
      // wrtc reads `on<event>` when it dispatches, so an accessor can filter what simple-peer sees.
      Object.defineProperty(this, 'onicecandidate', {
        configurable: true,
        get: (): Handler => handler === null ? null : (event) => {
          if (allowed(event.candidate)) handler?.(event)
        },
        set: (next: Handler) => {
          handler = next
        }
      })
    }
    override addIceCandidate(candidate: unknown): Promise<void> {
      return allowed(candidate as { candidate?: string } | null) ? super.addIceCandidate(candidate) : Promise.resolve()
    }
  }
  return { ...base, RTCPeerConnection: LoopbackPeerConnection }
}
