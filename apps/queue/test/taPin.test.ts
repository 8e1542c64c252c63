import { expect, it } from 'vitest'
import { pinCheck, takeQueueArgs } from '../host/queueArgs.js'
import { pinMatches, readTaPin } from '../src/queue/taPin.js'

it('the host publishes a salted hash of the TA PIN that the page checks; the queue flags come out of the host args', () => {
  const check = pinCheck('4711', 'salt')
  expect(check.hash).not.toContain('4711')
  const read = readTaPin({ taPin: check })
  expect(read).toEqual(check)
  if (read === undefined) throw new Error('no check')
  expect(pinMatches(read, '4711')).toBe(true)
  expect(pinMatches(read, '4712')).toBe(false)
  expect(pinMatches(pinCheck('4711'), '4711')).toBe(true)
  expect(readTaPin({})).toBeUndefined()
  expect(takeQueueArgs(['--port', '9000', '--ta-pin', '1234', '--private-topics'])).toEqual({ taPin: '1234', privateTopics: true, rest: ['--port', '9000'] })
  expect(() => takeQueueArgs(['--ta-pin', '12'])).toThrow(/4 to 32/)
  expect(() => takeQueueArgs(['--ta-pin'])).toThrow(/4 to 32/)
})
