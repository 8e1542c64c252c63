import { describe, expect, it } from 'vitest'
import { deriveRoomKeys } from '@sship/core/security'
import { MemoryNetwork } from '@sship/core/testing'
import { deriveLinkKey } from '../src/security/roomKeys.js'
import { counterIv, decodeSecureFrame, SecureFrameType } from '../src/security/secureFrames.js'
import { Log, secureNode, settle, TEST_ITERATIONS, type SecureNode } from './secureSupport.js'

/**
 * Forward secrecy: the session keys mix in an ephemeral ECDH secret per handshake, so the room
 * secret plus a complete recording of the handshake does not give them.
 */
const SECRET = 'room secret, leaked after the fact 81d2'
const DATA = 3
const text = (s: string): Uint8Array => new TextEncoder().encode(s)

/** Two peers whose nonces are fixed (the worst case: nonces alone never change the keys). */
async function session(seed: number): Promise<{ a: SecureNode; b: SecureNode; frame: Uint8Array }> {
  const network = new MemoryNetwork({ seed })
  const fixed = (byte: number) => (n: number): Uint8Array => new Uint8Array(n).fill(byte)
  const a = secureNode(network, 'a', SECRET, { randomBytes: fixed(1), clock: network.clock })
  const b = secureNode(network, 'b', SECRET, { randomBytes: fixed(2), clock: network.clock })
  const lb = new Log()
  a.secure.connect(new Log())
  b.secure.connect(lb)
  await settle(network, [a.secure, b.secure])
  a.secure.send(b.id, text('the same words'))
  await settle(network, [a.secure, b.secure])
  expect(lb.textFrom(a.id)).toEqual(['the same words'])
  const frame = a.tap.sent.find((f) => f.data[1] === DATA)?.data
  expect(frame).toBeDefined()
  return { a, b, frame: frame as Uint8Array }
}

describe('SecureTransport forward secrecy', () => {
  it('gives two sessions with the same secret, ids and nonces different keys', async () => {
    const first = await session(61)
    const second = await session(62)
    // Same plaintext, same counter, same nonces and secret: only the ephemeral keys differ.
    expect(Buffer.from(second.frame).equals(Buffer.from(first.frame))).toBe(false)
  })

  it('an eavesdropper who later learns the secret cannot decrypt a recorded session', async () => {
    const { a, frame } = await session(63)
    const hellos = [...a.tap.sent, ...a.tap.received.map((f) => ({ to: f.from, data: f.data }))]
      .map((f) => decodeSecureFrame(f.data)).filter((f) => f.type === SecureFrameType.Hello)
    expect(hellos.length).toBeGreaterThanOrEqual(2)
    const keys = await deriveRoomKeys(SECRET, 'test-app', TEST_ITERATIONS)
    const data = decodeSecureFrame(frame)
    if (data.type !== SecureFrameType.Data) throw new Error('not a data frame')
    const nonceA = new Uint8Array(32).fill(1)
    const nonceB = new Uint8Array(32).fill(2)
    // Everything public, plus the secret; the ECDH secret is the one thing missing. Try the
    // public keys themselves and nothing in its place.
    const guesses = [new Uint8Array(0), ...hellos.map((h) => (h.type === SecureFrameType.Hello ? h.ephemeral : new Uint8Array(0)))]
    for (const guess of guesses) {
      const key = await deriveLinkKey(keys, a.id, 'b' as typeof a.id, nonceA, nonceB, guess)
      await expect(globalThis.crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: counterIv(data.counter), additionalData: new Uint8Array(data.header) }, key, new Uint8Array(data.ciphertext)
      )).rejects.toThrow()
    }
  })
})
