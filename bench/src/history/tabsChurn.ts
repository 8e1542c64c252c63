import { initServer, seededRandom, type Server } from '@sship/core'
import { MemoryNetwork } from '@sship/core/testing'
import { fifoServer } from './fifoServer.js'

/** Options of {@link runTabsChurn}. */
export interface TabsChurnOptions {
  readonly seed: number
  /** Tabs opened and closed over the run. */
  readonly tabs: number
  /** Browsers the tabs belong to: tabs of one browser share its GUID and stand as one candidate. */
  readonly browsers: number
  /** Peers that stay alive throughout. */
  readonly alive: number
  /** One tab in this many vanishes without leaving (a phone killed); the rest close cleanly. */
  readonly crashEvery: number
  /** Retirement after silence (virtual ms). */
  readonly retireAfterMs: number
}

/** What {@link runTabsChurn} measures. */
export interface TabsChurnResult {
  readonly tabsEver: number
  readonly browsers: number
  readonly alive: number
  /** Members of the successorship list at the end, as the coordinator sees them. */
  readonly listLength: number
  /** Entries ever appended to the list in the document. */
  readonly listEntries: number
  readonly virtualMs: number
}

/**
 * 3 peers always alive; `tabs` browser tabs open one after another (each stays 3 s, one opens
 * every second), spread over `browsers` browsers. A tab of a browser whose candidate tab is
 * still open shares that peer (the browser stands as one candidate); otherwise it starts the
 * browser's peer under the browser's GUID. Most tabs close cleanly (`leave`), one in
 * `crashEvery` vanishes. Measures the successorship list's length at the end.
 */
export function runTabsChurn(o: TabsChurnOptions): TabsChurnResult {
  const network = new MemoryNetwork({ seed: o.seed })
  const clock = network.clock
  const timing = { retireAfterMs: o.retireAfterMs, heartbeatMs: 500, suspectMs: 2000 }
  const start = (id: string, seed: number): Server => {
    // A slower heartbeat than the default keeps 1,000 tabs cheap to simulate; membership does not depend on it.
    const s = initServer('tabs', { transport: network.transport(id as never), clock, random: seededRandom(seed), timing })
    s.onReceive(fifoServer(s))
    return s
  }
  const fixed: Server[] = []
  for (let i = 0; i < o.alive; i++) {
    fixed.push(start(`host${i}`, o.seed * 100 + i))
    clock.advance(i === 0 ? 500 : 50)
  }
  // A browser's peer and how many of its tabs are open.
  const open = new Map<number, { server: Server; tabs: number; crash: boolean }>()
  const closing: Array<{ at: number; browser: number }> = []
  let incarnation = 0
  for (let t = 0; t < o.tabs; t++) {
    const browser = t % o.browsers
    const current = open.get(browser)
    if (current !== undefined) current.tabs++
    else open.set(browser, { server: start(`b${browser}`, o.seed * 7919 + ++incarnation), tabs: 1, crash: t % o.crashEvery === o.crashEvery - 1 })
    closing.push({ at: clock.now() + 3000, browser })
    clock.advance(1000)
    while (closing.length > 0 && closing[0]!.at <= clock.now()) {
      const { browser: b } = closing.shift()!
      const entry = open.get(b)
      if (entry === undefined || --entry.tabs > 0) continue
      open.delete(b)
      if (entry.crash) {
        network.crash(entry.server.peer.self)
        entry.server.peer.stop()
      } else {
        entry.server.peer.leave()
      }
    }
  }
  for (const { server } of open.values()) server.peer.leave()
  clock.advance(5000)
  const leader = fixed.find((s) => s.getSnapshot().isServer) ?? fixed[0]!
  return {
    tabsEver: o.tabs,
    browsers: o.browsers,
    alive: o.alive,
    listLength: leader.getSnapshot().successors.length,
    listEntries: leader.peer.app.successors.length,
    virtualMs: clock.now()
  }
}
