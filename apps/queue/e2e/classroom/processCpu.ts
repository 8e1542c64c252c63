import { readdirSync, readFileSync } from 'node:fs'

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100

/** Parent pid and CPU ticks (user + system) of `pid`, from /proc/<pid>/stat; undefined if it is gone. */
function stat(pid: number): { ppid: number; ticks: number; rssPages: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), rssPages: Number(fields[21]) }
  } catch {
    return undefined
  }
}

/** Every live descendant of `root` (children, their children, …). */
export function descendants(root: number): number[] {
  const parent = new Map<number, number>()
  for (const name of readdirSync('/proc')) {
    const pid = Number(name)
    if (!Number.isInteger(pid)) continue
    const s = stat(pid)
    if (s !== undefined) parent.set(pid, s.ppid)
  }
  const out: number[] = []
  const want = new Set([root])
  let grew = true
  while (grew) {
    grew = false
    for (const [pid, ppid] of parent) {
      if (want.has(ppid) && !want.has(pid)) {
        want.add(pid)
        out.push(pid)
        grew = true
      }
    }
  }
  return out
}

/** CPU milliseconds used so far, and resident MB now, by `pids` together (processes gone since count 0). */
export function cpuAndRss(pids: readonly number[]): { cpuMs: number; rssMb: number } {
  let ticks = 0
  let pages = 0
  for (const pid of pids) {
    const s = stat(pid)
    if (s === undefined) continue
    ticks += s.ticks
    pages += s.rssPages
  }
  return { cpuMs: (ticks * 1000) / TICKS_PER_SECOND, rssMb: (pages * 4096) / 1e6 }
}

/** The Chromium processes (browser, renderers, GPU, utility) among `pids`. */
export function chromiumOnly(pids: readonly number[]): number[] {
  return pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]?.includes('chromium') === true
    } catch {
      return false
    }
  })
}
