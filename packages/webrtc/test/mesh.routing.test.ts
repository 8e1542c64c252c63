import { asPeerId, type PeerId } from '@sship/core'
import { describe, expect, it } from 'vitest'
import { LinkStateTable } from '../src/mesh/LinkStateTable.js'
import { decodeMeshFrame, encodeMeshFrame, MESH_LIMITS, MeshType, type MeshFrame } from '../src/mesh/meshFrames.js'
import { linkedInMesh, wantedLinks } from '../src/mesh/meshLinks.js'

const p = (s: string): PeerId => asPeerId(s)
const state = (origin: string, seq: number, neighbours: string[], incarnation = 1) => ({ origin: p(origin), incarnation, seq, neighbours: neighbours.map(p) })

describe('mesh frames', () => {
  const frames: MeshFrame[] = [
    { type: MeshType.Direct, payload: new Uint8Array([1, 2, 3]) },
    { type: MeshType.Unicast, ttl: 8, origin: p('a'), dest: p('c'), payload: new Uint8Array(0) },
    { type: MeshType.Broadcast, ttl: 3, origin: p('a'), id: 300, excluded: [p('x'), p('y')], payload: new Uint8Array([9]) },
    { type: MeshType.Links, origin: p('a'), incarnation: 1_765_000_000_000, seq: 7, neighbours: [p('b'), p('c')] }
  ]
  it('round-trips every frame type', () => {
    for (const f of frames) expect(decodeMeshFrame(encodeMeshFrame(f))).toEqual({ ok: true, frame: f })
  })
  it('refuses bad input with a reason instead of throwing: truncations, versions, types, hop limits', () => {
    for (const f of frames) {
      const bytes = encodeMeshFrame(f)
      for (let cut = 0; cut < bytes.length; cut++) {
        const r = decodeMeshFrame(bytes.subarray(0, cut))
        // A Direct frame is valid at any length past its header: only shorter cuts must fail.
        if (f.type !== MeshType.Direct && f.type !== MeshType.Unicast && f.type !== MeshType.Broadcast) expect(r.ok, `cut ${cut} of type ${f.type}`).toBe(false)
        else if (cut < 2) expect(r.ok).toBe(false)
      }
    }
    expect(decodeMeshFrame(new Uint8Array([2, 1]))).toEqual({ ok: false, reason: 'mesh version 2' })
    expect(decodeMeshFrame(new Uint8Array([1, 99]))).toEqual({ ok: false, reason: 'unknown mesh type 99' })
    expect(decodeMeshFrame(new Uint8Array([1, MeshType.Unicast, MESH_LIMITS.maxTtl + 1])).ok).toBe(false)
  })
})

describe('link-state table', () => {
  it('routes over links both ends advertise, breadth first, and keeps the newest advertisement', () => {
    const t = new LinkStateTable(p('a'))
    t.accept(state('a', 1, ['b']))
    t.accept(state('b', 1, ['a', 'c']))
    // c does not list b yet: no route to c.
    t.accept(state('c', 1, []))
    expect([...t.routes()]).toEqual([[p('b'), p('b')]])
    expect(t.accept(state('c', 2, ['b', 'd']))).toBe(true)
    expect(t.accept(state('c', 1, ['b']))).toBe(false)
    t.accept(state('d', 1, ['c']))
    expect(Object.fromEntries(t.routes())).toEqual({ b: 'b', c: 'b', d: 'b' })
    // A restart (higher incarnation) wins even with a lower seq.
    expect(t.accept(state('c', 1, [], 2))).toBe(true)
    expect(Object.fromEntries(t.routes())).toEqual({ b: 'b' })
  })

  it("gives each peer its children in the origin's tree, the same at every peer", () => {
    const states = [state('a', 1, ['b', 'c']), state('b', 1, ['a', 'd']), state('c', 1, ['a', 'd']), state('d', 1, ['b', 'c'])]
    const tables = ['a', 'b', 'c', 'd'].map((s) => {
      const t = new LinkStateTable(p(s))
      for (const st of states) t.accept(st)
      return t
    })
    const children = tables.map((t) => t.children(p('a')))
    expect(children).toEqual([[p('b'), p('c')], [p('d')], [], []])
    // Every peer but the origin is someone's child exactly once: a broadcast reaches each once.
    expect(children.flat().sort()).toEqual([p('b'), p('c'), p('d')])
  })

  it('stays bounded, forgetting unreachable peers first', () => {
    const t = new LinkStateTable(p('a'), 10)
    t.accept(state('a', 1, ['b']))
    t.accept(state('b', 1, ['a']))
    for (let i = 0; i < 50; i++) t.accept(state(`x${i}`, 1, []))
    expect(t.all()).toHaveLength(10)
    expect(t.get(p('b'))).toBeDefined()
    expect(t.get(p('x49'))).toBeDefined()
  })
})

describe('mesh links (rendezvous k-out)', () => {
  const members = Array.from({ length: 60 }, (_, i) => p(`peer-${i}`))
  it('is symmetric, caps degree well under 24 at 60 peers, and connects everyone', () => {
    const degree = new Map<PeerId, number>()
    const adj = new Map<PeerId, PeerId[]>()
    for (const a of members) {
      for (const b of members) {
        if (a >= b || !linkedInMesh(a, b, members, 6)) continue
        expect(linkedInMesh(b, a, members, 6)).toBe(true)
        degree.set(a, (degree.get(a) ?? 0) + 1)
        degree.set(b, (degree.get(b) ?? 0) + 1)
        adj.set(a, [...(adj.get(a) ?? []), b])
        adj.set(b, [...(adj.get(b) ?? []), a])
      }
    }
    expect(Math.max(...degree.values())).toBeLessThanOrEqual(24)
    expect(Math.min(...degree.values())).toBeGreaterThanOrEqual(6)
    const seen = new Set([members[0]])
    const queue = [members[0] as PeerId]
    while (queue.length > 0) {
      for (const n of adj.get(queue.shift() as PeerId) ?? []) {
        if (seen.has(n)) continue
        seen.add(n)
        queue.push(n)
      }
    }
    expect(seen.size).toBe(60)
  })
  it('moves few links when one peer joins', () => {
    const before = new Set(members.flatMap((a) => wantedLinks(a, members, 6).map((b) => `${a}>${b}`)))
    const more = [...members, p('newcomer')]
    const after = new Set(more.flatMap((a) => wantedLinks(a, more, 6).map((b) => `${a}>${b}`)))
    const changed = [...before].filter((x) => !after.has(x)).length
    expect(changed).toBeLessThanOrEqual(12)
  })
})
