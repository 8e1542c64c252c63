/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of zlib, PNG and gzip. */

const TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/**
 * Continues a CRC-32 over `bytes`: `crc32(b)` alone, or `crc32(b2, crc32(b1))` for the checksum
 * of `b1` followed by `b2`. Returns an unsigned 32-bit integer (`crc32("123456789") = 0xCBF43926`).
 */
export function crc32(bytes: Uint8Array, previous = 0): number {
  let c = ~previous >>> 0
  for (let i = 0; i < bytes.length; i++) c = (TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8)) >>> 0
  return ~c >>> 0
}
