// @vitest-environment jsdom
import { act, cleanup, screen } from '@testing-library/react'
import type { ReactNode } from 'react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { useCoordinator, usePeers, type Peers } from '../src/index.js'
import { advance, renderOn, startCluster } from './support/harness.js'

afterEach(cleanup)

function CoordinatorView({ onRender }: { readonly onRender?: () => void }): ReactNode {
  const { coordinator, epoch, isServer, failoverInProgress, role, initialHost } = useCoordinator()
  onRender?.()
  return (
    <dl>
      <dd data-testid="coordinator">{coordinator ?? 'none'}</dd>
      <dd data-testid="epoch">{epoch}</dd>
      <dd data-testid="server">{isServer ? 'server' : 'not server'}</dd>
      <dd data-testid="failover">{failoverInProgress ? 'failover' : 'steady'}</dd>
      <dd data-testid="role">{role}</dd>
      <dd data-testid="host">{initialHost ?? 'unknown'}</dd>
    </dl>
  )
}

const text = (id: string): string | null => screen.getByTestId(id).textContent

describe('useCoordinator', () => {
  it('shows the coordinator, then the next successor with a higher epoch after the coordinator crashes', () => {
    const c = startCluster()
    const [first, next] = c.member('c00').connection!.getSnapshot().successors
    expect(first).toBe('s00')
    renderOn(c, 'c00', <CoordinatorView />)
    expect(text('coordinator')).toBe('s00')
    expect(text('server')).toBe('not server')
    expect(text('failover')).toBe('steady')
    expect(text('host')).toBe('s00')
    const epochBefore = Number(text('epoch'))
    expect(epochBefore).toBeGreaterThan(0)

    act(() => c.crash('s00'))
    // The UI goes through "failover in progress" while the client has no coordinator...
    act(() => {
      c.runUntil(() => c.member('c00').connection!.getSnapshot().failoverInProgress, 2000)
    })
    expect(text('failover')).toBe('failover')
    expect(text('coordinator')).toBe('none')
    // ...and then shows the successor, under a higher epoch.
    advance(c, 1500)
    expect(text('coordinator')).toBe(next)
    expect(Number(text('epoch'))).toBeGreaterThan(epochBefore)
    expect(text('failover')).toBe('steady')
    expect(text('host')).toBe('s00')
  })

  it('shows this device becoming the server', () => {
    const c = startCluster()
    const next = c.member('c00').connection!.getSnapshot().successors[1]!
    renderOn(c, next, <CoordinatorView />)
    expect(text('server')).toBe('not server')
    expect(text('role')).toBe('follower')
    act(() => c.crash('s00'))
    advance(c, 1500)
    expect(text('server')).toBe('server')
    expect(text('role')).toBe('leader')
    expect(text('coordinator')).toBe(next)
  })

  it('does not re-render on heartbeats: the snapshot keeps its identity while nothing changes', () => {
    const errors = vi.spyOn(console, 'error')
    const c = startCluster()
    let renders = 0
    renderOn(c, 'c00', <CoordinatorView onRender={() => renders++} />)
    expect(renders).toBe(1)
    // 10 s of virtual time: about 100 heartbeats and 10 anti-entropy rounds, no role change.
    for (let i = 0; i < 100; i++) advance(c, 100)
    expect(renders).toBe(1)
    // A failover re-renders a bounded number of times (one per snapshot change), not in a loop.
    act(() => c.crash('s00'))
    for (let i = 0; i < 30; i++) advance(c, 100)
    expect(renders).toBeGreaterThan(1)
    expect(renders).toBeLessThanOrEqual(8)
    expect(errors).not.toHaveBeenCalled()
    errors.mockRestore()
  })
})

describe('usePeers', () => {
  function PeersView({ seen }: { readonly seen: Peers[] }): ReactNode {
    const peers = usePeers()
    seen.push(peers)
    return (
      <>
        <p data-testid="successors">{peers.successors.join(',')}</p>
        <p data-testid="alive">{peers.alive.join(',')}</p>
      </>
    )
  }

  it('lists the successors and the alive peers, and drops a crashed peer from the alive ones', () => {
    const c = startCluster({ servers: 4 })
    const seen: Peers[] = []
    renderOn(c, 'c00', <PeersView seen={seen} />)
    const successors = c.member('c00').connection!.getSnapshot().successors
    expect(successors).toHaveLength(4)
    expect(text('successors')).toBe(successors.join(','))
    expect(text('alive')?.split(',').sort()).toEqual(['c00', 's00', 's01', 's02', 's03'])
    act(() => c.crash('s02'))
    advance(c, 3000)
    expect(text('alive')?.split(',')).not.toContain('s02')
    expect(text('successors')).toBe(successors.join(','))
  })

  it('returns the same object, and does not re-render, while the lists hold the same peers', () => {
    const c = startCluster({ servers: 3 })
    const seen: Peers[] = []
    renderOn(c, 'c00', <PeersView seen={seen} />)
    for (let i = 0; i < 50; i++) advance(c, 100)
    expect(seen).toHaveLength(1)
  })

  it('re-renders on a failover only when a list changes, not on every coordinator change', () => {
    const c = startCluster({ servers: 3 })
    const connection = c.member('c00').connection!
    const seen: Peers[] = []
    renderOn(c, 'c00', <PeersView seen={seen} />)
    let snapshots = 0
    const off = connection.subscribe(() => snapshots++)
    act(() => c.crash('s00'))
    // Small steps, so React renders each snapshot change on its own.
    for (let i = 0; i < 150; i++) advance(c, 10)
    off()
    expect(text('alive')?.split(',')).not.toContain('s00')
    const show = (p: Peers): string => `${p.successors.join(',')} | ${p.alive.join(',')}`
    for (let i = 1; i < seen.length; i++) expect(show(seen[i]!)).not.toBe(show(seen[i - 1]!))
    // The coordinator snapshot changed more often (failover, new coordinator, epoch) than the lists did.
    expect(snapshots).toBeGreaterThan(seen.length - 1)
  })
})
