import { asEpoch, asPeerId, Role, type CoordinatorSnapshot } from '@sship/core'
import { describe, expect, it } from 'vitest'
import { classifyChange, INITIAL_CLASSIFIER, TimelineKind, type ClassifierState } from '../src/status/classifyChange.js'

const H = asPeerId('host')
const B = asPeerId('b1')
const C = asPeerId('b2')
const snap = (coordinator: string | null, epoch: number, alive: string[], failoverInProgress = false): CoordinatorSnapshot => ({
  self: C, role: Role.Follower, coordinator: coordinator === null ? null : asPeerId(coordinator), epoch: asEpoch(epoch), isServer: false,
  failoverInProgress, successors: [H, B, C], alive: alive.map(asPeerId), initialHost: H
})

/** Feeds snapshots through the classifier; returns the kinds of events. */
function kinds(...snaps: CoordinatorSnapshot[]): string[] {
  let state: ClassifierState = INITIAL_CLASSIFIER
  const out: string[] = []
  snaps.forEach((s, i) => {
    const r = classifyChange(state, s, i)
    state = r.state
    out.push(...r.events.map((e) => e.kind))
  })
  return out
}

describe('classifyChange', () => {
  it('failover then failback', () => {
    expect(kinds(
      snap(H, 1, [H, B, C]),
      snap(null, 1, [H, B, C], true),
      snap(B, 2, [B, C]),
      snap(B, 2, [H, B, C]),
      snap(H, 3, [H, B, C])
    )).toEqual([TimelineKind.Joined, TimelineKind.Lost, TimelineKind.Failover, TimelineKind.Failback])
  })

  it('a successor heard before any suspicion, whose predecessor is gone, is still a failover', () => {
    expect(kinds(snap(H, 1, [H, B, C]), snap(B, 2, [B, C]))).toEqual([TimelineKind.Joined, TimelineKind.Failover])
  })

  it('a hiccup (suspected, then the same server again) leaves no failover behind', () => {
    expect(kinds(snap(H, 1, [H, B, C]), snap(null, 1, [H, B, C], true), snap(H, 1, [H, B, C]), snap(B, 2, [H, B, C]))).toEqual([TimelineKind.Joined, TimelineKind.Lost, TimelineKind.Handoff])
  })
})
