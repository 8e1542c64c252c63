/** Decision key for the `seq`-th decision of term `term`. */
export function decisionKey(term: string, seq: number): string {
  return `${term}#${seq}`
}

/** Splits a decision key; `undefined` if malformed. */
export function parseDecisionKey(key: string): { term: string; seq: number } | undefined {
  const hash = key.lastIndexOf('#')
  if (hash <= 0) return undefined
  const seq = Number(key.slice(hash + 1))
  if (!Number.isSafeInteger(seq) || seq < 0) return undefined
  return { term: key.slice(0, hash), seq }
}
