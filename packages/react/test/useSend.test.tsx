// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import type { ReactNode } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { SshipProvider, useSend, type Json, type SendResult } from '../src/index.js'
import { advance, renderOn, startCluster } from './support/harness.js'

afterEach(cleanup)

/** A button that sends `msg` and a list of every request with its status. */
function Sender({ msg, results }: { readonly msg: Json; readonly results: Array<Promise<SendResult>> }): ReactNode {
  const { send, requests } = useSend()
  return (
    <>
      <button onClick={() => results.push(send(msg))}>send</button>
      <ol>
        {requests.map((r) => (
          <li key={r.id}>{[r.status, r.reply === undefined ? '' : JSON.stringify(r.reply), r.error ?? ''].join(' ').trim()}</li>
        ))}
      </ol>
    </>
  )
}

const rows = (): Array<string | null> => screen.queryAllByRole('listitem').map((li) => li.textContent)

describe('useSend', () => {
  it('shows a request as pending, then acknowledged with its reply', async () => {
    const c = startCluster()
    const results: Array<Promise<SendResult>> = []
    renderOn(c, 'c00', <Sender msg={{ token: 'a' }} results={results} />)
    expect(rows()).toEqual([])
    fireEvent.click(screen.getByRole('button'))
    expect(rows()).toEqual(['pending'])
    advance(c, 500)
    expect(rows()).toEqual(['acknowledged {"token":"a","n":1}'])
    expect(results).toHaveLength(1)
    await expect(results[0]).resolves.toMatchObject({ status: 'acknowledged', reply: { token: 'a', n: 1 }, by: 's00' })
  })

  it('keeps a request pending across a failover and shows it acknowledged by the new coordinator', async () => {
    const c = startCluster()
    const next = c.member('c00').connection!.getSnapshot().successors[1]
    const results: Array<Promise<SendResult>> = []
    renderOn(c, 'c00', <Sender msg={{ token: 'b' }} results={results} />)
    act(() => c.crash('s00'))
    fireEvent.click(screen.getByRole('button'))
    advance(c, 100)
    expect(rows()).toEqual(['pending'])
    advance(c, 1500)
    expect(rows()).toEqual(['acknowledged {"token":"b","n":1}'])
    await expect(results[0]).resolves.toMatchObject({ status: 'acknowledged', by: next })
  })

  it('shows a request as failed when the server code throws', async () => {
    const c = startCluster({
      handler: () => (msg) => {
        if (msg === 'boom') throw new Error('no such command')
        return null
      }
    })
    const results: Array<Promise<SendResult>> = []
    renderOn(c, 'c00', <Sender msg="boom" results={results} />)
    fireEvent.click(screen.getByRole('button'))
    expect(rows()).toEqual(['pending'])
    advance(c, 500)
    expect(rows()).toHaveLength(1)
    expect(rows()[0]).toMatch(/^failed .*no such command/)
    await expect(results[0]).resolves.toMatchObject({ status: 'failed' })
  })

  it('returns the same send function and result object while nothing changed', () => {
    const c = startCluster()
    const seen: Array<ReturnType<typeof useSend>> = []
    function Probe(): ReactNode {
      seen.push(useSend())
      return null
    }
    const connection = c.member('c00').connection!
    const { rerender } = render(<SshipProvider connection={connection}><Probe /></SshipProvider>)
    rerender(<SshipProvider connection={connection}><Probe /></SshipProvider>)
    advance(c, 2000)
    expect(seen).toHaveLength(2)
    expect(new Set(seen).size).toBe(1)
    expect(new Set(seen.map((s) => s.send)).size).toBe(1)
  })

  it('tracks each call of its own: idle, pending, acknowledged with the reply; another component\'s send is not one of its calls', () => {
    const c = startCluster()
    function Status({ msg, label }: { readonly msg: Json; readonly label: string }): ReactNode {
      const { send, status, isPending, reply, calls, requests } = useSend()
      return (
        <button onClick={() => void send(msg)}>
          {[label, status, String(isPending), JSON.stringify(reply) ?? '-', calls.map((r) => r.status).join(','), requests.length].join(' ')}
        </button>
      )
    }
    renderOn(c, 'c00', <><Status msg={{ token: 'x' }} label="one" /><Status msg={{ token: 'y' }} label="two" /></>)
    const [one, two] = screen.getAllByRole('button') as [HTMLElement, HTMLElement]
    expect(one.textContent).toBe('one idle false -  0')
    fireEvent.click(one)
    expect(one.textContent).toBe('one pending true - pending 1')
    expect(two.textContent).toBe('two idle false -  1')
    advance(c, 500)
    expect(one.textContent).toBe('one acknowledged false {"token":"x","n":1} acknowledged 1')
    fireEvent.click(two)
    advance(c, 500)
    expect(two.textContent).toBe('two acknowledged false {"token":"y","n":1} acknowledged 2')
    expect(one.textContent).toBe('one acknowledged false {"token":"x","n":1} acknowledged 2')
  })

  it('gives every call its own status; the latest decides status and error; reset goes back to idle', () => {
    const c = startCluster({
      handler: () => (msg) => {
        if (msg === 'boom') throw new Error('no such command')
        return 'ok'
      }
    })
    let hook: ReturnType<typeof useSend> | undefined
    function Probe(): ReactNode {
      hook = useSend()
      return null
    }
    renderOn(c, 'c00', <Probe />)
    act(() => void hook!.send('fine'))
    act(() => void hook!.send('boom'))
    expect(hook!.calls.map((r) => r.status)).toEqual(['pending', 'pending'])
    advance(c, 500)
    expect(hook!.calls.map((r) => [r.msg, r.status])).toEqual([['fine', 'acknowledged'], ['boom', 'failed']])
    expect(hook!.status).toBe('failed')
    expect(hook!.error).toMatch(/no such command/)
    expect(hook!.reply).toBeUndefined()
    act(() => hook!.reset())
    expect(hook!.status).toBe('idle')
    expect(hook!.calls).toEqual([])
    expect(hook!.requests).toHaveLength(2)
  })

  it('reports a send on a stopped peer as a failed call', async () => {
    const c = startCluster()
    let hook: ReturnType<typeof useSend> | undefined
    function Probe(): ReactNode {
      hook = useSend()
      return null
    }
    renderOn(c, 'c00', <Probe />)
    c.member('c00').connection!.peer.stop()
    let result: SendResult | undefined
    await act(async () => {
      result = await hook!.send({ token: 'late' })
    })
    expect(result?.status).toBe('failed')
    expect(hook!.status).toBe('failed')
    expect(hook!.calls).toHaveLength(1)
    expect(hook!.requests).toHaveLength(0)
  })
})
