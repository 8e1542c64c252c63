import type { ReactNode } from 'react'

/** Votes per option as horizontal bars (scaled to the largest count). */
export function BarChart({ options, counts }: { readonly options: readonly string[]; readonly counts: readonly number[] }): ReactNode {
  const max = Math.max(1, ...counts)
  const total = counts.reduce((a, b) => a + b, 0)
  return (
    <div className="bars" data-testid="bars" data-total={total}>
      {options.map((label, i) => (
        <div className="bar" key={i}>
          <span>{label}</span>
          <div className="track"><div className="fill" style={{ width: `${(100 * (counts[i] ?? 0)) / max}%` }} /></div>
          <span className="n" data-testid={`count-${i}`}>{counts[i] ?? 0}</span>
        </div>
      ))}
      <span className="muted">{total} vote{total === 1 ? '' : 's'}</span>
    </div>
  )
}
