import { resolve } from 'node:path'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { parseCliArgs, UsageError } from '../src/cli/cliArgs.js'
import { Output } from '../src/cli/Output.js'
import { renderRecord } from '../src/cli/statusRecord.js'

describe('sship command line', () => {
  it('requires --interface unless --lan is given', () => {
    expect(() => parseCliArgs(['join', 'todo'])).toThrow(UsageError)
    expect(() => parseCliArgs(['join', 'todo'])).toThrow(/--interface is required.*--lan/)
    expect(parseCliArgs(['join', 'todo', '--lan'])).toMatchObject({ command: 'join', interface: undefined, lan: true })
  })

  it('parses join with timing, ids, static peers and test controls', () => {
    expect(parseCliArgs([
      'join', 'todo', '--interface', '127.0.0.1', '--port', '0', '--mdns-port', '15353', '--id', 'g1',
      '--heartbeat', '50', '--suspect', '200', '--suspect-max', '2000', '--hold-down', '1000', '--send-every', '100', '--mode', 'quorum',
      '--peer', '127.0.0.1:1', '--peer', '127.0.0.1:2', '--json', '--control-stdin', '--exit-after', '5000'
    ])).toEqual({
      command: 'join', app: 'todo', interface: '127.0.0.1', lan: false, mdnsPort: 15353, json: true, identity: false,
      timing: { heartbeatMs: 50, suspectMs: 200, suspectMaxMs: 2000, holdDownMs: 1000 }, mode: 'quorum', sendEveryMs: 100, port: 0, id: 'g1',
      peers: ['127.0.0.1:1', '127.0.0.1:2'], mdns: true, controlStdin: true, exitAfterMs: 5000
    })
  })

  it('parses status with its default timeout', () => {
    expect(parseCliArgs(['status', 'todo', '--interface', '127.0.0.1'])).toEqual({
      command: 'status', app: 'todo', interface: '127.0.0.1', lan: false, mdnsPort: 5353, json: false, identity: false, timeoutMs: 5000
    })
  })

  it('defaults join to availability mode and refuses an unknown mode', () => {
    expect(parseCliArgs(['join', 'todo', '--interface', '127.0.0.1'])).toMatchObject({ mode: 'availability' })
    expect(() => parseCliArgs(['join', 'todo', '--interface', '127.0.0.1', '--mode', 'majority'])).toThrow(/--mode must be availability or quorum, got "majority"/)
  })

  it('names the bad value', () => {
    expect(() => parseCliArgs(['join', 'todo', '--interface', '127.0.0.1', '--heartbeat', 'fast'])).toThrow(/--heartbeat must be a non-negative integer, got "fast"/)
    expect(() => parseCliArgs(['frobnicate', 'todo'])).toThrow(/unknown command "frobnicate"/)
    expect(() => parseCliArgs(['join', '--interface', '127.0.0.1'])).toThrow(/needs an app name/)
    expect(() => parseCliArgs(['join', 'todo', '--interface', '127.0.0.1', '--bogus'])).toThrow(UsageError)
  })

  it('shows help', () => {
    expect(parseCliArgs([])).toEqual({ command: 'help' })
    expect(parseCliArgs(['--help'])).toEqual({ command: 'help' })
  })
})

describe('Output', () => {
  const status = {
    type: 'status', t: 1, self: 'me', role: 'leader', coordinator: 'me', epoch: 3, failoverInProgress: false,
    alive: ['me', 'you'], successors: ['me', 'you'], linked: ['you']
  }
  const capture = (isTTY: boolean, json: boolean): { out: Output; text: () => string } => {
    const stream = Object.assign(new PassThrough(), { isTTY })
    const chunks: string[] = []
    stream.on('data', (c: Buffer) => chunks.push(c.toString()))
    return { out: new Output(stream, json, renderRecord), text: () => chunks.join('') }
  }

  it('rewrites one status line in place on a TTY, and keeps events above it', async () => {
    const { out, text } = capture(true, false)
    out.status(status)
    out.status({ ...status, epoch: 4 })
    out.event({ type: 'ack', id: 'r1', reply: { count: 1 }, epoch: 4 })
    await new Promise((r) => setImmediate(r))
    expect(text()).toBe(
      '\r\x1b[2Kme leader  coordinator me  epoch 3  alive 2  linked 1  successors me > you' +
      '\r\x1b[2Kme leader  coordinator me  epoch 4  alive 2  linked 1  successors me > you' +
      '\r\x1b[2Kack r1: {"count":1} (epoch 4)\n' +
      'me leader  coordinator me  epoch 4  alive 2  linked 1  successors me > you'
    )
  })

  it('prints one JSON object per line with --json', async () => {
    const { out, text } = capture(true, true)
    out.status(status)
    out.event({ type: 'stopped', reason: 'SIGTERM' })
    await new Promise((r) => setImmediate(r))
    expect(text().split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown)).toEqual([status, { type: 'stopped', reason: 'SIGTERM' }])
  })
})

describe('sship room secret arguments', () => {
  const base = ['join', 'todo', '--interface', '127.0.0.1']
  it('takes the secret from --secret-file or SSHIP_SECRET, never from the command line', () => {
    expect(parseCliArgs([...base, '--secret-file', '/run/room.secret'])).toMatchObject({ secret: { from: 'file', path: '/run/room.secret' } })
    expect(parseCliArgs(base, { SSHIP_SECRET: 's3cret' })).toMatchObject({ secret: { from: 'env', value: 's3cret' } })
    expect(parseCliArgs(['status', 'todo', '--interface', '127.0.0.1', '--secret-file', 'f'])).toMatchObject({ secret: { from: 'file', path: resolve(process.cwd(), 'f') } })
    // Relative paths are the user's: `npm run` moves the working directory and says where the user was in INIT_CWD.
    expect(parseCliArgs(['join', 'todo', '--interface', '127.0.0.1', '--secret-file', 'room.key', '--data-dir', 'd'], { INIT_CWD: '/home/ta/course' }))
      .toMatchObject({ secret: { from: 'file', path: '/home/ta/course/room.key' }, dataDir: '/home/ta/course/d' })
    expect(parseCliArgs(base)).toMatchObject({ secret: undefined })
    expect(() => parseCliArgs([...base, '--secret', 'hunter2'])).toThrow(/no --secret VALUE.*visible to every user.*--secret-file PATH.*SSHIP_SECRET/)
    expect(() => parseCliArgs([...base, '--secret=hunter2'])).toThrow(UsageError)
    expect(() => parseCliArgs([...base, '--secret-file', 'f'], { SSHIP_SECRET: 'x' })).toThrow(/given twice/)
  })
})

describe('sship --identity arguments', () => {
  const base = ['join', 'todo', '--interface', '127.0.0.1', '--secret-file', 'room.secret']
  it('takes --identity with a room secret, on join and status', () => {
    expect(parseCliArgs([...base, '--identity', '--id', 'kitchen'])).toMatchObject({ identity: true, id: 'kitchen' })
    expect(parseCliArgs(['status', 'todo', '--interface', '127.0.0.1', '--identity'], { SSHIP_SECRET: 's' })).toMatchObject({ identity: true })
  })

  it('refuses --identity without a room secret, saying where the secret goes', () => {
    expect(() => parseCliArgs(['join', 'todo', '--interface', '127.0.0.1', '--identity'])).toThrow(/--identity needs the room secret \(--secret-file PATH, or SSHIP_SECRET\)/)
  })

  it('takes --id as a label only: a GUID (with its fingerprint) cannot be chosen', () => {
    expect(() => parseCliArgs([...base, '--identity', '--id', 'room-1~abcdefghijklmnopqrstuvwxyz'])).toThrow(/--id is a label, not a GUID.*cannot be chosen/)
    expect(() => parseCliArgs([...base, '--identity', '--id', 'a:b'])).toThrow(/label of 1 to 64 characters/)
    expect(() => parseCliArgs([...base, '--identity', '--id', 'x'.repeat(65)])).toThrow(UsageError)
    // Without --identity, --id is the whole GUID, as before.
    expect(parseCliArgs([...base, '--id', 'a~b'])).toMatchObject({ identity: false, id: 'a~b' })
  })
})
