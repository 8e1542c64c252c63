import { describe, expect, it } from 'vitest'
import { CliProcess, freeUdpPort } from '../src/testing/index.js'
import { useCliSandbox } from './support/cliSandbox.js'
import { START_MS, waitFor } from './support/wait.js'

/** `sship join --data-dir`: the GUID and the document survive a restart (loopback only). */
describe('sship join --data-dir', () => {
  const { children, tempDir } = useCliSandbox()

  it('comes back with the same GUID and the app it served, at a higher epoch', async () => {
    const dir = tempDir('sship-data-')
    const mdnsPort = await freeUdpPort()
    const args = ['join', 'persist-app', '--interface', '127.0.0.1', '--mdns-port', String(mdnsPort), '--data-dir', dir,
      '--heartbeat', '50', '--suspect', '250', '--control-stdin']
    const first = new CliProcess('first', args)
    children.push(first)
    await waitFor('the first life to lead', () => first.status()?.role === 'leader', START_MS, () => first.describe())
    const self = first.all('ready')[0]?.self
    const epoch = first.status()?.epoch ?? 0
    expect(typeof self).toBe('string')
    // The status line can reach us before the term's update event wrote it to disk (both happen in
    // one synchronous Yjs cleanup, and stdout to a pipe is synchronous on Linux): let it finish.
    await new Promise((resolve) => setTimeout(resolve, 300))
    first.kill()
    await first.exited
    const second = new CliProcess('second', args)
    children.push(second)
    await waitFor('the second life to be ready', () => second.all('ready').length > 0, START_MS, () => second.describe())
    const ready = second.all('ready')[0]
    expect(ready?.self).toBe(self)
    // The document came back from disk, with the term the first life claimed.
    expect(ready?.restored).toMatchObject({ terms: epoch })
    expect((ready?.restored as { updates: number }).updates).toBeGreaterThan(0)
    expect(first.all('ready')[0]?.restored).toMatchObject({ updates: 0, terms: 0 })
    await waitFor('the second life to lead', () => second.status()?.role === 'leader', START_MS, () => second.describe())
    expect(second.status()?.successors).toEqual([self])
  })

  it('lets one process at a time write a data directory, and takes over the lock of a SIGKILLed one', async () => {
    const dir = tempDir('sship-data-')
    const mdnsPort = await freeUdpPort()
    const args = ['join', 'lock-app', '--interface', '127.0.0.1', '--mdns-port', String(mdnsPort), '--data-dir', dir, '--heartbeat', '50', '--suspect', '250']
    const holder = new CliProcess('holder', args)
    children.push(holder)
    await waitFor('the holder to be ready', () => holder.all('ready').length > 0, START_MS, () => holder.describe())
    const second = new CliProcess('second', args)
    children.push(second)
    expect(await second.exited).toBe(1)
    expect(second.all('ready')).toEqual([])
    expect(second.stderr.join('\n')).toMatch(new RegExp(`^sship: the data directory .* is in use by process ${holder.pid} `, 'm'))
    expect(holder.running).toBe(true)
    holder.kill()
    await holder.exited
    // The lock file still names the dead holder; the next start takes it over.
    const third = new CliProcess('third', args)
    children.push(third)
    await waitFor('the third life to be ready', () => third.all('ready').length > 0, START_MS, () => third.describe())
    expect(third.all('ready')[0]?.self).toBe(holder.all('ready')[0]?.self)
  })
})
