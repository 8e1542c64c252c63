// @vitest-environment jsdom
import { act, cleanup, screen } from '@testing-library/react'
import type { ReactNode } from 'react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { shallowEqual, useSharedState, type Json, type JsonObject } from '../src/index.js'
import { advance, patchHandler, renderOn, startCluster } from './support/harness.js'

afterEach(cleanup)

type Renders = Record<string, number>

/** Shows `state.a` and counts its renders; the selector is an inline function on purpose. */
function PartA({ renders }: { readonly renders: Renders }): ReactNode {
  const a = useSharedState((s) => s.a)
  renders.a = (renders.a ?? 0) + 1
  return <p data-testid="a">{JSON.stringify(a ?? null)}</p>
}

function PartB({ renders }: { readonly renders: Renders }): ReactNode {
  const b = useSharedState((s) => s.b)
  renders.b = (renders.b ?? 0) + 1
  return <p data-testid="b">{JSON.stringify(b ?? null)}</p>
}

/** Selects a new object every time; shallowEqual keeps it from re-rendering on unrelated changes. */
function PairA({ renders }: { readonly renders: Renders }): ReactNode {
  const pair = useSharedState((s) => ({ a: s.a }), shallowEqual)
  renders.pair = (renders.pair ?? 0) + 1
  return <p data-testid="pair">{JSON.stringify(pair)}</p>
}

function Whole({ renders }: { readonly renders: Renders }): ReactNode {
  const state: JsonObject = useSharedState()
  renders.whole = (renders.whole ?? 0) + 1
  return <p data-testid="whole">{JSON.stringify(state)}</p>
}

const text = (id: string): string | null => screen.getByTestId(id).textContent

describe('useSharedState', () => {
  it('re-renders a component only when the part its selector picks changes', () => {
    const errors = vi.spyOn(console, 'error')
    const c = startCluster({ handler: patchHandler })
    const connection = c.member('c00').connection!
    const send = (patch: Json): void => act(() => void connection.send(patch))
    const renders: Renders = {}
    renderOn(c, 'c00', <><PartA renders={renders} /><PartB renders={renders} /><PairA renders={renders} /><Whole renders={renders} /></>)
    expect(renders).toEqual({ a: 1, b: 1, pair: 1, whole: 1 })
    expect(text('whole')).toBe('{}')

    send({ a: 1 })
    advance(c, 500)
    expect(text('a')).toBe('1')
    expect(text('pair')).toBe('{"a":1}')
    expect(renders).toEqual({ a: 2, b: 1, pair: 2, whole: 2 })

    send({ b: { x: [1, 2] } })
    advance(c, 500)
    expect(text('b')).toBe('{"x":[1,2]}')
    expect(text('whole')).toBe('{"a":1,"b":{"x":[1,2]}}')
    expect(renders).toEqual({ a: 2, b: 2, pair: 2, whole: 3 })

    send({ a: 2 })
    advance(c, 500)
    expect(text('a')).toBe('2')
    expect(renders).toEqual({ a: 3, b: 2, pair: 3, whole: 4 })

    // Quiet time: heartbeats and anti-entropy change nothing, so nothing renders.
    for (let i = 0; i < 50; i++) advance(c, 100)
    expect(renders).toEqual({ a: 3, b: 2, pair: 3, whole: 4 })
    expect(errors).not.toHaveBeenCalled()
    errors.mockRestore()
  })

  it('shows the state that a new coordinator goes on deciding after a failover', () => {
    const c = startCluster({ handler: patchHandler })
    const connection = c.member('c00').connection!
    renderOn(c, 'c00', <Whole renders={{}} />)
    act(() => void connection.send({ before: true }))
    advance(c, 500)
    act(() => c.crash('s00'))
    act(() => void connection.send({ after: true }))
    advance(c, 2000)
    expect(text('whole')).toBe('{"before":true,"after":true}')
  })
})
