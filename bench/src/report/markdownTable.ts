/** A GitHub-flavoured Markdown table. Cells are written as given (pipes escaped). */
export function markdownTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|')
  const line = (cells: readonly string[]): string => `| ${cells.map(esc).join(' | ')} |`
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n')
}

/** A number for a table: `—` for none, else rounded to `digits` decimals with thin grouping. */
export function fmt(v: number | null | undefined, digits = 0): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

/** Bytes as B, kB or MB (decimal units). */
export function fmtBytes(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  const a = Math.abs(v)
  if (a >= 1e6) return `${fmt(v / 1e6, 2)} MB`
  if (a >= 1e4) return `${fmt(v / 1e3, 1)} kB`
  return `${fmt(v)} B`
}
