import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join as joinPath } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CliProcess } from './support/CliProcess.js'
import { freeUdpPort } from './support/loopbackMdns.js'
import { waitFor } from './support/wait.js'

/** `sship join --data-dir`: the GUID and the document survive a restart (loopback only). */
describe('sship join --data-dir', () => {
  const children: CliProcess[] = []
  const dirs: string[] = []
  afterEach(async () => {
    for (const c of children) c.kill()
    await Promise.all(children.splice(0).map((c) => c.exited))
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })

  it('comes back with the same GUID and the app it served, at a higher epoch', async () => {
    const dir = mkdtempSync(joinPath(tmpdir(), 'sship-data-'))
    dirs.push(dir)
    const mdnsPort = await freeUdpPort()
    const args = ['join', 'persist-app', '--interface', '127.0.0.1', '--mdns-port', String(mdnsPort), '--data-dir', dir,
      '--heartbeat', '50', '--suspect', '250', '--control-stdin']
    const first = new CliProcess('first', args)
    children.push(first)
    await waitFor('the first life to lead', () => first.status()?.role === 'leader', 30_000, () => first.describe())
    const self = first.all('ready')[0]?.self
    const epoch = first.status()?.epoch ?? 0
    expect(typeof self).toBe('string')
    first.kill()
    await first.exited
    const second = new CliProcess('second', args)
    children.push(second)
    await waitFor('the second life to lead', () => second.status()?.role === 'leader', 30_000, () => second.describe())
    expect(second.all('ready')[0]?.self).toBe(self)
    // The document came back: the new term is above the one the first life claimed.
    expect(second.status()?.epoch).toBeGreaterThan(epoch)
    expect(second.status()?.successors).toEqual([self])
  })
})
