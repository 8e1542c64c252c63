import * as logging from 'lib0/logging'
import type { SshipEvent } from './SshipEvent.js'

/**
 * Where log lines go: `(namespace, line)`, one line per event. Namespaces are `sship:coordinator`
 * (server and role changes, readiness), `sship:link` (links up, down, refused) and `sship:peer`
 * (conflicts, stop).
 */
export type SshipLogger = (namespace: string, line: string) => void

/** The namespace of an event. */
export function eventNamespace(e: SshipEvent): string {
  switch (e.type) {
    case 'link-up': case 'link-down': case 'link-refused': return 'sship:link'
    case 'conflict': case 'stopped': return 'sship:peer'
    default: return 'sship:coordinator'
  }
}

/** One line of text for an event (no time: loggers add their own). */
export function formatEvent(e: SshipEvent): string {
  switch (e.type) {
    case 'ready': return `ready: server ${e.server}, epoch ${e.epoch}`
    case 'server-changed': return `${e.change}: ${e.from === null ? '' : `${e.from} → `}${e.to} is the server (epoch ${e.epoch})`
    case 'server-lost': return `lost the server ${e.server} (epoch ${e.epoch}): electing a successor`
    case 'role-changed': return `this peer: ${e.previous} → ${e.role} (epoch ${e.epoch})`
    case 'coordinator': {
      const c = e.event
      if (c.type === 'claimed') return `claimed epoch ${c.term.epoch}${c.handoff ? ' (handed over)' : ''}`
      if (c.type === 'stepped-down') return `stepped down from epoch ${c.term.epoch}${c.because === null ? '' : ` for ${c.because.leader}@${c.because.epoch}`}`
      if (c.type === 'following') return `following ${c.term.leader}@${c.term.epoch}`
      if (c.type === 'suspected') return `suspects ${c.leader}`
      return `handing the role to ${c.to}`
    }
    case 'link-up': return `link up: ${e.peer}`
    case 'link-down': return `link down: ${e.peer}`
    case 'link-refused': return `link refused (${e.code}): ${e.peer ?? 'unknown peer'}`
    case 'conflict': return `request ${e.request} was decided twice: ${e.fenced} lost`
    case 'stopped': return 'stopped'
  }
}

/**
 * The default logger: lib0/logging module loggers, as the y-* packages use. Silent unless the
 * `LOG` environment variable (Node) or `localStorage.log` (browsers) matches the namespace,
 * e.g. `LOG=sship` or `LOG=sship:coordinator`.
 */
export const lib0Logger: SshipLogger = (namespace, line) => {
  let log = moduleLoggers.get(namespace)
  if (log === undefined) moduleLoggers.set(namespace, (log = logging.createModuleLogger(namespace)))
  log(line)
}

/** One lib0 module logger per namespace (lib0 reads `LOG` when it makes one). */
const moduleLoggers = new Map<string, (...args: unknown[]) => void>()

/** Sends every event to `logger`, one line each; returns the unsubscribe function. */
export function logEvents(onEvent: (l: (e: SshipEvent) => void) => () => void, logger: SshipLogger): () => void {
  return onEvent((e) => {
    try {
      logger(eventNamespace(e), formatEvent(e))
    } catch {
      // A broken logger must not break the peer.
    }
  })
}
