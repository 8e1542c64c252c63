/**
 * The 32-bit FNV-1a hash of `data`, as an unsigned integer. Cheap and deterministic; used for
 * document digests and to fingerprint frames in the in-memory network's trace. Not cryptographic.
 */
export function fnv1a32(data: Uint8Array): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < data.length; i++) {
    hash ^= data[i] as number
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}
