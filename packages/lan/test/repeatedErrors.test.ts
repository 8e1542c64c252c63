import { VirtualClock } from '@sship/core/testing'
import { describe, expect, it } from 'vitest'
import { OTHER_SOURCES, RepeatedErrors, formatErrorLine, type ErrorLine } from '../src/log/RepeatedErrors.js'

describe('RepeatedErrors (log hygiene)', () => {
  it('emits the first error of a source and one summary per interval, however many errors come', () => {
    const clock = new VirtualClock()
    const lines: ErrorLine[] = []
    const errors = new RepeatedErrors({ clock, intervalMs: 10_000, emit: (l) => lines.push(l) })
    for (let i = 0; i < 100_000; i++) {
      errors.report('peer-x', `bad frame ${i}`)
      if (i % 10 === 0) clock.advance(1)
    }
    clock.advance(10_000)
    // 10 000 ms of flood in two intervals: a first line and a summary for each.
    expect(lines.length).toBeLessThanOrEqual(4)
    expect(lines.filter((l) => l.summary).reduce((n, l) => n + l.count, 0) + lines.filter((l) => !l.summary).length).toBe(100_000)
    expect(formatErrorLine(lines[1] ?? lines[0]!)).toMatch(/peer-x: [\d,]+ more errors in 10 s, the last: bad frame/)
  })

  it('bounds lines per interval when every error comes from a new source', () => {
    const clock = new VirtualClock()
    const lines: ErrorLine[] = []
    const errors = new RepeatedErrors({ clock, maxSources: 5, emit: (l) => lines.push(l) })
    for (let i = 0; i < 10_000; i++) errors.report(`fresh-${i}`, 'bad hello')
    errors.close()
    expect(lines.length).toBe(6)
    expect(lines.at(-1)).toMatchObject({ source: OTHER_SOURCES, count: 9995, summary: true })
  })

  it('a quiet source starts a new interval with a first line again', () => {
    const clock = new VirtualClock()
    const lines: ErrorLine[] = []
    const errors = new RepeatedErrors({ clock, intervalMs: 1000, emit: (l) => lines.push(l) })
    errors.report('a', 'one')
    clock.advance(5000)
    errors.report('a', 'two')
    expect(lines.map((l) => l.message)).toEqual(['one', 'two'])
  })
})
