import { expect, it } from 'vitest'
import { parseRoomFragment, roomFragment } from '../src/queue/roomFragment.js'

it('reads the screen and the room secret from the fragment, and writes them back', () => {
  expect(parseRoomFragment('')).toEqual({ screen: 'student', secret: undefined })
  expect(parseRoomFragment('#ta')).toEqual({ screen: 'ta', secret: undefined })
  expect(parseRoomFragment('#ta&room=abc-_9')).toEqual({ screen: 'ta', secret: 'abc-_9' })
  expect(parseRoomFragment('#room=s%26x')).toEqual({ screen: 'student', secret: 's&x' })
  expect(parseRoomFragment('#student&room=')).toEqual({ screen: 'student', secret: undefined })
  expect(parseRoomFragment('#student&room=%E0%A4%A')).toEqual({ screen: 'student', secret: undefined })
  for (const secret of [undefined, 'k3y', 'a&b=c d']) {
    for (const screen of ['student', 'ta'] as const) expect(parseRoomFragment(roomFragment(screen, secret))).toEqual({ screen, secret })
  }
})
