// @vitest-environment jsdom
import type { Cluster } from '@sship/core/testing'
import { act, cleanup, render, screen } from '@testing-library/react'
import type { ReactNode } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { SshipProvider, useConflicts } from '../src/index.js'
import { advance, renderOn, startCluster } from './support/harness.js'

afterEach(cleanup)

function Conflicts(): ReactNode {
  const conflicts = useConflicts()
  return <ul>{conflicts.map((c) => <li key={c.decision.key}>{`${c.request} re-decided by ${c.decision.key} (was ${c.fenced})`}</li>)}</ul>
}

const items = (): Array<string | null> => screen.queryAllByRole('listitem').map((li) => li.textContent)

/** c00 sends while cut off with s00 (a minority coordinator); the majority side's term wins on heal. */
function conflictAcrossPartition(c: Cluster): string {
  act(() => c.partition([['s00', 'c00'], ['s01', 's02']]))
  advance(c, 1500)
  const sent = c.send('c00')
  advance(c, 500)
  expect(sent.ackAt).toBeDefined()
  act(() => c.heal())
  advance(c, 3000)
  return sent.id
}

describe('useConflicts', () => {
  it('lists a request decided on one side of a partition and re-decided after it healed', () => {
    const c = startCluster()
    renderOn(c, 'c00', <Conflicts />)
    expect(items()).toEqual([])
    const id = conflictAcrossPartition(c)
    expect(items()).toHaveLength(1)
    expect(items()[0]).toMatch(new RegExp(`^${id} re-decided by \\d+:s0[12]:\\S+ \\(was \\d+:s00:\\S+\\)$`))
  })

  it('includes conflicts reported before the first component using it mounted', () => {
    const c = startCluster()
    const connection = c.member('c00').connection!
    const { rerender } = render(<SshipProvider connection={connection}>{null}</SshipProvider>)
    conflictAcrossPartition(c)
    rerender(<SshipProvider connection={connection}><Conflicts /></SshipProvider>)
    expect(items()).toHaveLength(1)
  })
})
