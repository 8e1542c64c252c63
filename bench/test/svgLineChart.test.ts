import { describe, expect, it } from 'vitest'
import { escapeXml, formatTick, lineChartSvg, ticks } from '../src/report/svgLineChart.js'

const chart = {
  title: 'Bytes <per> op & more',
  xLabel: 'n',
  yLabel: 'bytes',
  series: [
    { name: 'a', points: [[5, 100], [10, 200], [20, 400]] as const },
    { name: 'b', points: [[5, 150], [10, null], [20, 300]] as const }
  ]
}

describe('lineChartSvg', () => {
  it('writes a well-formed SVG with one path and one legend entry per series', () => {
    const svg = lineChartSvg(chart)
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true)
    expect(svg.match(/<path /g)).toHaveLength(2)
    expect(svg).toContain('>a</text>')
    expect(svg).toContain('>b</text>')
    expect(svg).toContain('Bytes &lt;per&gt; op &amp; more')
    expect(svg).not.toContain('NaN')
  })

  it('breaks a line at a missing point and draws a marker per present point', () => {
    const svg = lineChartSvg(chart)
    const b = svg.match(/<path d="([^"]+)" fill="none" stroke="#d62728"/)?.[1] ?? ''
    expect(b.match(/M/g)).toHaveLength(2)
    expect(b).not.toContain('L')
    expect(svg.match(/<circle /g)).toHaveLength(5)
  })

  it('is deterministic and survives log axes, a single point and no data', () => {
    expect(lineChartSvg({ ...chart, logX: true, logY: true })).toBe(lineChartSvg({ ...chart, logX: true, logY: true }))
    for (const c of [{ ...chart, series: [{ name: 'one', points: [[20, 5]] as const }] }, { ...chart, series: [] }]) {
      const svg = lineChartSvg({ ...c, logX: true, logY: true })
      expect(svg).not.toContain('NaN')
      expect(svg).not.toContain('Infinity')
    }
  })
})

describe('ticks and labels', () => {
  it('gives round linear ticks covering the range', () => {
    expect(ticks(0, 100, false)).toEqual([0, 20, 40, 60, 80, 100])
  })

  it('gives 1-2-5 ticks on a log axis', () => {
    expect(ticks(5, 500, true)).toEqual([5, 10, 20, 50, 100, 200, 500])
  })

  it('abbreviates thousands and millions and escapes XML', () => {
    expect([0.25, 950, 1500, 2_000_000].map(formatTick)).toEqual(['0.25', '950', '1.5k', '2M'])
    expect(escapeXml('<a & "b">')).toBe('&lt;a &amp; &quot;b&quot;&gt;')
  })
})
