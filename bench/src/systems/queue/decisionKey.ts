/**
 * The leader and epoch of the term in a decision key (`"<epoch>:<leader>:<nonce>#<seq>"`, see
 * `RequestState.decision`), or undefined if the key has another shape.
 */
export function decisionTerm(key: string): { readonly epoch: number; readonly leader: string } | undefined {
  const term = key.slice(0, key.lastIndexOf('#'))
  const first = term.indexOf(':')
  const last = term.lastIndexOf(':')
  if (first <= 0 || last <= first) return undefined
  const epoch = Number(term.slice(0, first))
  return Number.isSafeInteger(epoch) ? { epoch, leader: term.slice(first + 1, last) } : undefined
}
