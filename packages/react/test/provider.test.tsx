// @vitest-environment jsdom
import { cleanup, render, renderHook, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ReactNode } from 'react'
import {
  NO_PROVIDER, SshipError, SshipProvider, useConflicts, useConnection, useCoordinator, usePeers, useSend, useServer,
  useSharedData, useSharedState
} from '../src/index.js'
import { renderOn, startCluster } from './support/harness.js'

afterEach(cleanup)

const hooks: Array<[string, () => unknown]> = [
  ['useConnection', useConnection],
  ['useServer', useServer],
  ['useCoordinator', useCoordinator],
  ['usePeers', usePeers],
  ['useSharedState', () => useSharedState()],
  ['useSharedData', () => useSharedData()],
  ['useSend', useSend],
  ['useConflicts', useConflicts]
]

describe('outside <SshipProvider>', () => {
  it.each(hooks)('%s throws an error that names the hook and the fix', (name, hook) => {
    // React reports the render error on console.error as well; keep the output clean.
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      let thrown: unknown
      try {
        renderHook(hook)
      } catch (e) {
        thrown = e
      }
      expect(thrown).toBeInstanceOf(SshipError)
      expect((thrown as SshipError).code).toBe(NO_PROVIDER)
      expect((thrown as SshipError).message).toBe(
        `${name} must be used inside <SshipProvider connection={…}>; wrap your app in ` +
        '<SshipProvider connection={connect(name, { transport })}> (from @sship/react) and call the hook from a component below it')
    } finally {
      quiet.mockRestore()
    }
  })
})

describe('<SshipProvider>', () => {
  it('hands its connection and server to useConnection and useServer', () => {
    const c = startCluster()
    function Who(): ReactNode {
      const connection = useConnection()
      const server = useServer()
      return <p data-testid="who">{`${connection.peer.self} ${server === undefined ? 'client' : `server of ${server.peer.name}`}`}</p>
    }
    renderOn(c, 's01', <Who />)
    expect(screen.getByTestId('who').textContent).toBe('s01 server of sim')
    cleanup()
    renderOn(c, 'c00', <Who />)
    expect(screen.getByTestId('who').textContent).toBe('c00 client')
  })

  it('gives each subtree its own connection', () => {
    const c = startCluster()
    function Self(): ReactNode {
      return <span>{useCoordinator().self}</span>
    }
    const { container } = render(
      <>
        <SshipProvider connection={c.member('s00').connection!}><Self /></SshipProvider>
        <SshipProvider connection={c.member('c00').connection!}><Self /></SshipProvider>
      </>
    )
    expect(container.textContent).toBe('s00c00')
  })
})
