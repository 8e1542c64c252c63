import type { SignalPayload } from '../signaling/signalingMessages.js'

/**
 * Decides whether an ICE candidate address may be offered to (or used from) a remote peer.
 * Addresses are as they appear in candidate lines: IPv4, IPv6 or an mDNS `.local` name.
 */
export type CandidateFilter = (address: string) => boolean

/** Accepts every candidate (the default: let ICE pick the path). */
export const anyCandidate: CandidateFilter = () => true

/**
 * Accepts loopback addresses only (127.0.0.0/8 and ::1). Tests on one machine use it so ICE
 * connectivity checks never go to the machine's other interfaces.
 */
export const loopbackOnly: CandidateFilter = (address) => /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address) || address === '::1'

/** The connection address of an ICE candidate line (`candidate:<foundation> <component> <proto> <priority> <address> …`). */
export function candidateAddress(line: string): string | undefined {
  const fields = line.replace(/^a=/, '').trim().split(/\s+/)
  return fields.length >= 6 ? fields[4] : undefined
}

const allowedLine = (line: string, allow: CandidateFilter): boolean => {
  if (!line.startsWith('a=candidate:')) return true
  const address = candidateAddress(line)
  return address !== undefined && allow(address)
}

/**
 * Applies `allow` to one simple-peer signal: a trickled candidate that fails it is dropped
 * (`undefined`), and candidate lines that fail it are removed from an offer's or answer's SDP.
 * An end-of-candidates signal (empty candidate) passes.
 */
export function filterSignal(signal: SignalPayload, allow: CandidateFilter): SignalPayload | undefined {
  if (allow === anyCandidate) return signal
  const line = signal.candidate?.candidate
  if (typeof line === 'string') {
    if (line === '') return signal
    const address = candidateAddress(line)
    return address !== undefined && allow(address) ? signal : undefined
  }
  if (typeof signal.sdp === 'string') {
    const sdp = signal.sdp.split('\r\n').filter((l) => allowedLine(l, allow)).join('\r\n')
    return sdp === signal.sdp ? signal : { ...signal, sdp }
  }
  return signal
}
