import { it } from 'vitest'
import { runSchedule } from './support/schedule.js'
it('quorum superseded', () => {
  const { problems, cluster: c, log } = runSchedule(Number(process.env.DBG), 'quorum')
  console.log(problems)
  const any = c.alive()[0]!.connection!
  for (const s of c.sent) {
    if (s.decision === undefined) continue
    const now = any.peer.ledger.decisionFor(s.id)
    if (now && now.key !== s.decision) {
      console.log('SUPERSEDED', s, 'now', now.key, now.record.s)
    }
  }
  for (const t of any.peer.ledger.allTerms()) console.log('term', t.epoch, t.leader, 'parent', t.parent, t.parentCount, JSON.stringify(t.cuts ?? {}), JSON.stringify(t.roots ?? []), 'count', any.peer.ledger.countOf(`${t.epoch}:${t.leader}:${t.nonce.toString(36)}` as any))
  console.log(log.join('\n'))
  for (const e of c.events) console.log(Math.round(e.t), e.peer, e.event.type, 'term' in e.event ? `${e.event.term.epoch}:${e.event.term.leader}` : '', 'leader' in e.event ? e.event.leader : '', e.event.type === 'stepped-down' ? e.event.because?.epoch + ':' + e.event.because?.leader : '')
})
