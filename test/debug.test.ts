import { it } from 'vitest'
import { runSchedule } from './support/schedule.js'
it('debug', () => {
  const { problems, cluster: c, log } = runSchedule(Number(process.env.DBG))
  console.log(problems)
  for (const m of c.members) { const p = m.connection!.peer; const s = p.coordinator.getSnapshot(); console.log(m.id, m.alive, m.eligible, s.role, s.coordinator, s.epoch, s.successors.join(','), 'alive:', s.alive.join(','), 'code', p.app.code(), p.code, 'failover', s.failoverInProgress) }
  console.log(log.join('\n'))
  for (const e of c.events.slice(-15)) console.log(Math.round(e.t), e.peer, e.event.type, 'term' in e.event ? `${e.event.term.epoch}:${e.event.term.leader}` : '', 'leader' in e.event ? e.event.leader : '')
})
