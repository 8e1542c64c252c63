import { it } from 'vitest'
import { runSchedule } from './support/schedule.js'
import { tally } from '@sship/core/testing'

it('debug', () => {
  const seed = Number(process.env.DBG ?? 1)
  const { problems, cluster: c, log } = runSchedule(seed)
  console.log(problems, tally(c))
  const any = c.alive()[0]!.connection!
  console.log('pending', [...any.peer.ledger.pending()])
  console.log('head', any.peer.ledger.head(), 'leaders', c.leaders().map(m => m.id))
  for (const m of c.alive()) console.log(m.id, m.connection!.getSnapshot().role, m.connection!.getSnapshot().coordinator, [...m.connection!.peer.ledger.pending()].length)
  const seen = any.getState().seen as Record<string, number>
  for (const s of c.sent) if (s.ackAt !== undefined && seen[s.token] !== 1) console.log('acked-not-applied', s, any.peer.ledger.decisionFor(s.id))
  console.log(log.join('\n'))
})
