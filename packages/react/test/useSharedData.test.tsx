// @vitest-environment jsdom
import { act, cleanup, screen } from '@testing-library/react'
import type { ReactNode } from 'react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { useSharedData, type SharedData } from '../src/index.js'
import { advance, renderOn, startCluster } from './support/harness.js'

afterEach(cleanup)

type Renders = Record<string, number>

function Queue({ renders }: { readonly renders: Renders }): ReactNode {
  const queue = useSharedData<string[]>('queue') ?? []
  renders.queue = (renders.queue ?? 0) + 1
  return <ol>{queue.map((name, i) => <li key={i}>{name}</li>)}</ol>
}

function Title({ renders }: { readonly renders: Renders }): ReactNode {
  const title = useSharedData<string>('title')
  renders.title = (renders.title ?? 0) + 1
  return <h1>{title ?? 'untitled'}</h1>
}

function All({ seen }: { readonly seen: SharedData[] }): ReactNode {
  const data = useSharedData()
  seen.push(data)
  return <pre data-testid="all">{JSON.stringify(data)}</pre>
}

const queue = (): Array<string | null> => screen.queryAllByRole('listitem').map((li) => li.textContent)

describe('useSharedData', () => {
  it('shows writes from another peer, nested Y types included, re-rendering only the entry that changed', () => {
    const errors = vi.spyOn(console, 'error')
    const c = startCluster()
    const writer = c.member('s01').connection!.data
    const renders: Renders = {}
    renderOn(c, 'c00', <><Title renders={renders} /><Queue renders={renders} /></>)
    expect(screen.getByRole('heading').textContent).toBe('untitled')
    expect(queue()).toEqual([])
    expect(renders).toEqual({ title: 1, queue: 1 })

    const q = new Y.Array<string>()
    act(() => { writer.set('queue', q) })
    advance(c, 300)
    expect(renders).toEqual({ title: 1, queue: 2 })

    // A change inside the nested array (observeDeep), from another peer.
    act(() => q.push(['ada', 'grace']))
    advance(c, 300)
    expect(queue()).toEqual(['ada', 'grace'])
    expect(renders).toEqual({ title: 1, queue: 3 })

    act(() => { writer.set('title', 'Help desk') })
    advance(c, 300)
    expect(screen.getByRole('heading').textContent).toBe('Help desk')
    // The queue did not change, so it kept its identity and its component did not render.
    expect(renders).toEqual({ title: 2, queue: 3 })

    act(() => q.delete(0, 1))
    advance(c, 300)
    expect(queue()).toEqual(['grace'])
    expect(renders).toEqual({ title: 2, queue: 4 })

    for (let i = 0; i < 50; i++) advance(c, 100)
    expect(renders).toEqual({ title: 2, queue: 4 })
    expect(errors).not.toHaveBeenCalled()
    errors.mockRestore()
  })

  it('shows local writes at once and keeps the snapshot identity while the data is unchanged', () => {
    const c = startCluster()
    const data = c.member('c00').connection!.data
    const seen: SharedData[] = []
    renderOn(c, 'c00', <All seen={seen} />)
    act(() => { data.set('n', 1) })
    expect(screen.getByTestId('all').textContent).toBe('{"n":1}')
    // Setting the same value is a Yjs change, but the JSON is the same: no new snapshot.
    act(() => { data.set('n', 1) })
    advance(c, 2000)
    expect(seen.map((d) => JSON.stringify(d))).toEqual(['{}', '{"n":1}'])
  })
})
