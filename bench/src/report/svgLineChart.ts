/** One line of a {@link lineChartSvg}. */
export interface ChartSeries {
  readonly name: string
  /** Points `[x, y]`; `y === null` leaves a gap (e.g. an outage). */
  readonly points: ReadonlyArray<readonly [number, number | null]>
}

/** What to draw. */
export interface LineChart {
  readonly title: string
  readonly xLabel: string
  readonly yLabel: string
  readonly series: readonly ChartSeries[]
  /** Logarithmic x axis (for n from 5 to 500). */
  readonly logX?: boolean
  /** Logarithmic y axis. */
  readonly logY?: boolean
  readonly width?: number
  readonly height?: number
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b']
const MARGIN = { left: 72, right: 190, top: 36, bottom: 48 }

/** Escapes text for SVG. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** About five round tick values covering `[lo, hi]` (powers of ten on a log axis). */
export function ticks(lo: number, hi: number, log: boolean): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo) || (log && lo <= 0)) return Number.isFinite(lo) ? [lo] : []
  if (log) {
    const out: number[] = []
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const m of [1, 2, 5]) {
        const v = m * 10 ** e
        if (v >= lo && v <= hi) out.push(v)
      }
    }
    return out.length > 0 ? out : [lo, hi]
  }
  const raw = (hi - lo) / 5
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw
  const out: number[] = []
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9 && out.length < 100; v += step) out.push(Number(v.toPrecision(12)))
  return out
}

/** A short label for a tick value: 1.5k, 2M, 0.25. */
export function formatTick(v: number): string {
  const a = Math.abs(v)
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`
  if (a >= 1e3) return `${Number((v / 1e3).toPrecision(3))}k`
  return String(Number(v.toPrecision(3)))
}

/**
 * A self-contained SVG line chart, written by hand (no plotting dependency): axes with ticks,
 * one polyline with point markers per series, a legend on the right. Deterministic output.
 */
export function lineChartSvg(chart: LineChart): string {
  const width = chart.width ?? 720
  const height = chart.height ?? 360
  const pts = chart.series.flatMap((s) => s.points.filter((p): p is readonly [number, number] => p[1] !== null))
  const xs = pts.map((p) => p[0]).filter((x) => !chart.logX || x > 0)
  const ys = pts.map((p) => p[1]).filter((y) => !chart.logY || y > 0)
  let [x0, x1] = xs.length > 0 ? [Math.min(...xs), Math.max(...xs)] : [1, 10]
  let [y0, y1] = ys.length > 0 ? [Math.min(...ys), Math.max(...ys)] : [1, 10]
  if (!chart.logY) y0 = Math.min(0, y0)
  if (x1 === x0) [x0, x1] = chart.logX ? [x0 / 2, x1 * 2] : [x0 - 1, x1 + 1]
  if (y1 === y0) [y0, y1] = chart.logY ? [y0 / 2, y1 * 2] : [y0 - 1, y1 + 1]
  if (chart.logY) [y0, y1] = [10 ** Math.floor(Math.log10(y0)), 10 ** Math.ceil(Math.log10(y1))]
  else y1 += (y1 - y0) * 0.05
  const f = (v: number, log: boolean | undefined): number => (log ? Math.log10(v) : v)
  const plotW = width - MARGIN.left - MARGIN.right
  const plotH = height - MARGIN.top - MARGIN.bottom
  const px = (x: number): number => MARGIN.left + ((f(x, chart.logX) - f(x0, chart.logX)) / (f(x1, chart.logX) - f(x0, chart.logX))) * plotW
  const py = (y: number): number => MARGIN.top + plotH - ((f(y, chart.logY) - f(y0, chart.logY)) / (f(y1, chart.logY) - f(y0, chart.logY))) * plotH
  const r = (v: number): string => v.toFixed(1)
  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`)
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`)
  out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(chart.title)}</text>`)
  for (const t of ticks(x0, x1, chart.logX === true)) {
    out.push(`<line x1="${r(px(t))}" y1="${MARGIN.top}" x2="${r(px(t))}" y2="${MARGIN.top + plotH}" stroke="#eee"/>`)
    out.push(`<text x="${r(px(t))}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${formatTick(t)}</text>`)
  }
  for (const t of ticks(y0, y1, chart.logY === true)) {
    out.push(`<line x1="${MARGIN.left}" y1="${r(py(t))}" x2="${MARGIN.left + plotW}" y2="${r(py(t))}" stroke="#eee"/>`)
    out.push(`<text x="${MARGIN.left - 6}" y="${r(py(t) + 4)}" text-anchor="end">${formatTick(t)}</text>`)
  }
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`)
  out.push(`<text x="${MARGIN.left + plotW / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`)
  out.push(`<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`)
  chart.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length] ?? '#000'
    const valid = s.points.filter((p): p is readonly [number, number] => p[1] !== null && (!chart.logX || p[0] > 0) && (!chart.logY || p[1] > 0))
    let path = ''
    let pen = false
    for (const p of s.points) {
      if (p[1] === null || (chart.logY === true && p[1] <= 0)) {
        pen = false
        continue
      }
      path += `${pen ? 'L' : 'M'}${r(px(p[0]))} ${r(py(p[1]))} `
      pen = true
    }
    if (path !== '') out.push(`<path d="${path.trim()}" fill="none" stroke="${color}" stroke-width="2"/>`)
    for (const p of valid) out.push(`<circle cx="${r(px(p[0]))}" cy="${r(py(p[1]))}" r="3" fill="${color}"/>`)
    const ly = MARGIN.top + 10 + i * 18
    out.push(`<line x1="${width - MARGIN.right + 12}" y1="${ly}" x2="${width - MARGIN.right + 32}" y2="${ly}" stroke="${color}" stroke-width="2"/>`)
    out.push(`<text x="${width - MARGIN.right + 38}" y="${ly + 4}">${escapeXml(s.name)}</text>`)
  })
  out.push('</svg>')
  return `${out.join('\n')}\n`
}
