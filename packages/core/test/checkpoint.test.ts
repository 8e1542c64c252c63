import * as Y from 'yjs'
import { Cluster, checkCluster, tally } from '@sship/core/testing'
import { describe, expect, it } from 'vitest'
import { DoneMarks, RecentReplies, storedReply } from '../src/coordinator/checkpoint/Checkpoint.js'
import { EntryLog } from '../src/coordinator/EntryLog.js'

describe('DoneMarks', () => {
  it('keeps a high-water mark per session and the exceptions above it, through its stored form', () => {
    const m = new DoneMarks()
    for (const seq of [0, 1, 3, 2, 7]) m.add(`s00/ab.${seq}`)
    m.add('odd-id')
    m.add('c01/cd.5')
    expect(m.has('s00/ab.3')).toBe(true)
    expect(m.has('s00/ab.4')).toBe(false)
    expect(m.has('s00/ab.7')).toBe(true)
    expect(m.has('c01/cd.4')).toBe(false)
    expect(m.has('odd-id')).toBe(true)
    expect(m.hasRange('s00/ab', 0, 3)).toBe(true)
    expect(m.hasRange('s00/ab', 0, 4)).toBe(false)
    const record = m.toRecord()
    expect(record.s['s00/ab']).toEqual([3, 7])
    const back = DoneMarks.fromRecord(JSON.parse(JSON.stringify(record)))
    expect(back?.has('s00/ab.7')).toBe(true)
    expect(back?.has('s00/ab.5')).toBe(false)
    expect(back?.has('odd-id')).toBe(true)
    expect(back?.ids().sort()).toEqual(['c01/cd.5', 'odd-id', 's00/ab.0', 's00/ab.1', 's00/ab.2', 's00/ab.3', 's00/ab.7'])
    expect(DoneMarks.fromRecord({ s: { x: ['no'] } })).toBeUndefined()
    expect(DoneMarks.fromRecord(null)).toBeUndefined()
  })
})

describe('RecentReplies', () => {
  it('keeps the newest answers of each session and forgets a session quiet for several checkpoints', () => {
    const r = new RecentReplies()
    for (let seq = 0; seq < 40; seq++) r.add(`s00/ab.${seq}`, `1:s00:1#${seq}`, { n: seq }, undefined)
    r.add('c01/cd.0', '1:s00:1#40', undefined, 'boom')
    let record: unknown = r.toRecord()
    expect(storedReply(record, 's00/ab.39')).toEqual({ key: '1:s00:1#39', reply: { n: 39 } })
    expect(storedReply(record, 's00/ab.0')).toBeUndefined()
    expect(storedReply(record, 'c01/cd.0')).toEqual({ key: '1:s00:1#40', reply: null, error: 'boom' })
    // Only s00 stays active: c01 is forgotten after 8 checkpoints without a decision.
    for (let i = 0; i < 9; i++) {
      const next = RecentReplies.after(record)
      next.add('s00/ab.100', '2:s00:1#0', 1, undefined)
      record = next.toRecord()
    }
    expect(storedReply(record, 's00/ab.39')).toEqual({ key: '1:s00:1#39', reply: { n: 39 } })
    expect(storedReply(record, 'c01/cd.0')).toBeUndefined()
  })
})

describe('EntryLog buckets', () => {
  it('gives every bucket one writer: a sender session for requests, a term for decisions', () => {
    expect(EntryLog.requestBucket('s00/ab12.300')).toBe('r|s00/ab12|9')
    expect(EntryLog.decisionBucket('3:s01:1x#513')).toBe('d|3:s01:1x|16')
    expect(EntryLog.signatureBucket('3:s01:1x')).toBeUndefined()
    expect(EntryLog.signatureBucket('3:s01:1x#0')).toBe('d|3:s01:1x|0')
    expect(EntryLog.requestBucket('garbage')).toBe('r|~|0')
  })
})

/** Bytes of a replica's whole document. */
function docBytes(doc: Y.Doc): number {
  return Y.encodeStateAsUpdate(doc).byteLength
}

/** Sends `n` requests from the client, a few at a time, and lets them settle. */
function sendMany(c: Cluster, n: number): void {
  for (let i = 0; i < n; i++) {
    c.send('c00')
    if (i % 10 === 9) c.run(60)
  }
  c.run(2000)
}

function grow(checkpointEvery: number): { at200: number; at600: number; cluster: Cluster } {
  const c = new Cluster({ seed: 3, servers: 2, clients: 1, checkpointEvery }).start()
  c.run(1000)
  sendMany(c, 200)
  const at200 = docBytes(c.member('s01').connection!.doc)
  sendMany(c, 400)
  return { at200, at600: docBytes(c.member('s01').connection!.doc), cluster: c }
}

describe('checkpoints bound the document', () => {
  it('keeps a replica\'s document about the same size from 200 to 600 decisions, and every request is applied once', () => {
    const bounded = grow(40)
    expect(checkCluster(bounded.cluster)).toEqual([])
    const t = tally(bounded.cluster)
    expect(t.acked).toBe(600)
    expect(t.lost + t.duplicates).toBe(0)
    // Without checkpoints the same run grows with every decision: the test can tell the two apart.
    const unbounded = grow(0)
    expect(unbounded.at600).toBeGreaterThan(unbounded.at200 * 2.5)
    // The token counter's state grows with every token; the history must not add to that growth.
    const stateBytes = (c: Cluster): number => JSON.stringify(c.member('s01').connection!.getState()).length
    expect(bounded.at600).toBeLessThan(64 * 1024 + 2 * stateBytes(bounded.cluster))
    expect(bounded.at600 - bounded.at200).toBeLessThan((unbounded.at600 - unbounded.at200) / 3)
  })
})
