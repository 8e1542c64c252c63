import { percentile } from '../measure/summarize.js'
import { fmt, fmtBytes, markdownTable } from '../report/markdownTable.js'
import { lineChartSvg } from '../report/svgLineChart.js'
import type { ScaleHeadline, ScaleStudy } from './runScaleStudy.js'

/** The charts of the classroom study: file name → SVG. */
export function scaleCharts(study: ScaleStudy): Array<{ file: string; svg: string }> {
  const rows = study.rows
  return [
    {
      file: 'classroom-links-and-cost.svg',
      svg: lineChartSvg({
        title: 'Capped mesh: links per device and idle traffic vs n (simulation)',
        xLabel: 'devices n', yLabel: 'links · kB/s',
        series: [
          { name: 'links/device, max', points: rows.map((r) => [r.n, r.linksMax]) },
          { name: 'links/device, full mesh', points: rows.map((r) => [r.n, r.n - 1]) },
          { name: 'idle kB/s per device', points: rows.map((r) => [r.n, r.meshIdleBytesPerSecPerDevice / 1000]) }
        ]
      })
    },
    {
      file: 'classroom-mdns.svg',
      svg: lineChartSvg({
        title: 'mDNS multicast frames per second, whole room (real sockets, loopback)',
        xLabel: 'peers', yLabel: 'frames/s', logY: true,
        series: (['periodic', 'rfc6762'] as const).map((s) => ({
          name: s === 'periodic' ? 'before (query every 10 s)' : 'RFC 6762 policy',
          points: study.mdns.filter((m) => m.strategy === s).map((m) => [m.peers, Math.max(0.01, m.framesPerSec)] as const)
        }))
      })
    }
  ]
}

/** The "Classroom scale" section (markdown). */
export function scaleReport(study: ScaleStudy, head: ScaleHeadline, machine: string, browsersTable?: string): string {
  const browsers = browsersTable === undefined ? '' : `
### Real browsers (Chromium contexts, \`npm run bench:classroom\`)

n contexts of one headless Chromium (each its own browser peer: storage, WebRTC stack) on one
queue host inside a network namespace; capped WebRTC mesh (k = 6, ≤ 20) under the relay layer.
Idle CPU and RSS are summed over every Chromium process (browser, renderers, GPU, utility) and
divided by n, so shared processes and shared pages are counted in; the failover is the host's
SIGKILL → each page's timeline entry. The load column is the machine's 1-minute load average
(2 cores, shared). From the last \`bench:classroom\` run in \`test-results/classroom/\`.

${browsersTable.trim()}
`
  const table = markdownTable(
    ['n', 'links/device max (mean)', 'all reachable', 'idle CPU ms/s/device*', 'idle B/s/device', 'newcomer linked+synced', 'failover p50', 'bytes/op mesh', 'bytes/op c-s', 'ratio', 'lost/dup'],
    study.rows.map((r) => [
      String(r.n), `${r.linksMax} (${fmt(r.linksMean, 1)})`, r.allReachable ? 'yes' : 'NO', fmt(r.idleCpuMsPerSecPerDevice, 2),
      fmt(r.meshIdleBytesPerSecPerDevice), r.joinMs === null ? '—' : `${fmt(r.joinMs)} ms`,
      r.failoverMs.length === 0 ? '—' : `${fmt(percentile(r.failoverMs, 50))} ms (${r.failoverMs.length})`,
      fmtBytes(r.meshBytesPerOp), fmtBytes(r.clientServerBytesPerOp), fmt(r.ratio, 3), `${r.lost}/${r.duplicates}`
    ])
  )
  const mdns = markdownTable(
    ['peers', 'policy', 'frames/s (room)', 'frames/s per peer', 'all found', 'window'],
    study.mdns.map((m) => [String(m.peers), m.strategy, fmt(m.framesPerSec, 2), fmt(m.framesPerSecPerPeer, 3), m.complete ? 'yes' : 'NO', `${m.windowSeconds} s`])
  )
  const real = markdownTable(
    ['n', 'design', 'all reachable', 'links max', 'to full mesh', 'link setup p50 / max', 'newcomer reaches all', 'idle CPU ms/s/peer', 'RSS MB/peer', 'new link via mesh, no server'],
    study.real.map((r) => [
      String(r.n), r.mode === 'full' ? 'full mesh (today)' : 'capped + relay', r.meshed ? 'yes' : 'NO', String(r.linksMax), r.meshMs === null ? '—' : `${fmt(r.meshMs)} ms`,
      `${fmt(r.linkSetupP50Ms)} / ${fmt(r.linkSetupMaxMs)} ms`, r.newcomerMs === null ? '—' : `${fmt(r.newcomerMs)} ms`,
      fmt(r.idleCpuMsPerSecPerPeer, 2), fmt(r.rssMbPerPeer, 1), r.relinkThroughMeshMs === null ? '—' : `${fmt(r.relinkThroughMeshMs)} ms`
    ])
  )
  const heal = markdownTable(
    ['n', 'k', 'departures', 'heal ms each (goodbye → every new pair linked)', 'links opened through the mesh'],
    study.heal.map((h) => [String(h.n), String(h.k), String(h.healMs.length), h.healMs.map((ms) => (ms === null ? 'NOT HEALED' : fmt(ms))).join(', '), String(h.meshLinksOpened)])
  )
  const met = (ok: boolean | null): string => (ok === null ? '—' : ok ? 'yes' : 'no')
  const targets = markdownTable(['target', 'measured', 'met'], [
    ['links per browser ≤ 24', String(head.linksPerBrowserMax), met(head.linksPerBrowserMax <= 24)],
    ['idle CPU per browser ≤ 20 ms/s (2 % of a core)', `${head.idleCpuMsPerSecPerBrowser} ms/s (sim upper bound)`, met(head.idleCpuMsPerSecPerBrowser <= 20)],
    [`failover p50 ≤ 500 ms at ${head.maxPeers}`, head.failoverP50MsAtMax === null ? '—' : `${head.failoverP50MsAtMax} ms`, met(head.failoverP50MsAtMax === null ? null : head.failoverP50MsAtMax <= 500)],
    ['newcomer linked + synced ≤ 2 s', head.joinMsAtMax === null ? '—' : `${head.joinMsAtMax} ms (sim, no ICE/DTLS)`, met(head.joinMsAtMax === null ? null : head.joinMsAtMax <= 2000)],
    [`bytes/op ≤ 1.3 × client-server at ${head.maxPeers}`, String(head.bytesPerOpRatioVsClientServerAtMax), met(head.bytesPerOpRatioVsClientServerAtMax <= 1.3)],
    ['mDNS ≤ 1 frame/s per peer at 50 (≤ 50/s room)', head.mdnsFramesPerSecAt50 === null ? '—' : `${head.mdnsFramesPerSecAt50}/s room`, met(head.mdnsFramesPerSecAt50 === null ? null : head.mdnsFramesPerSecAt50 <= 50)],
    ['0 lost, 0 duplicates', `${head.lost} / ${head.duplicates}`, met(head.lost === 0 && head.duplicates === 0)],
    ['every host gone: new browser link through the mesh ≤ 2 s', head.meshRelinkMsNoHosts === null ? '—' : `${head.meshRelinkMsNoHosts} ms, slowest heal (real Node WebRTC)`, met(head.meshRelinkMsNoHosts === null ? null : head.meshRelinkMsNoHosts <= 2000)]
  ])
  return `## Classroom scale${study.quick ? ' (quick)' : ''}

${machine}; the machine is shared by other engineers' builds and tests (load average well above
the 2 cores): wall-clock figures are pessimistic.

**What runs.** Every device is a browser-like peer on a capped mesh: it wants its k = ${study.k}
nearest peers under a symmetric hash (rendezvous k-out graph; a pair is linked if either side
wants it), and a \`RelayTransport\` beneath core floods link state, routes unicast frames hop by
hop and sends a frame addressed to most peers (heartbeats, sync updates) once down the sender's
breadth-first tree. Core is unchanged. Devices are simulated (core's in-memory network, 1–5 ms
per frame, virtual time); mDNS rooms are real sockets on loopback (one process, one socket per
peer, TTL 30 s — four times the refresh traffic of the default 120 s).

${targets}

### Per n (simulation, ${study.quick ? 40 : 100} queue operations, 1 KiB payload, 20 ops/s)

${table}

\\* process CPU per virtual second of idle divided by n: the simulator's own work is included, so
this is an upper bound of one device's protocol CPU (WebRTC's DTLS/SCTP keep-alives excluded).

![links and idle traffic](classroom-links-and-cost.svg)

### Real WebRTC (Node peers, @roamhq/wrtc, one process, loopback candidates, no ICE servers)

One process holds every peer, so CPU and memory are the process's divided by n (WebRTC's own
threads included); on this loaded machine link setup is slow, which is why the simulation's
newcomer time above excludes it (add the link setup p50 for a real newcomer: its links form in
parallel).

${real}

### The mesh heals itself with every host gone (real Node WebRTC, \`MeshHealer\`)

The room forms through a signaling server; the server closes; then a peer whose departure
moves the rule's pairs says goodbye, again and again. Nobody calls \`link\`: each survivor's
\`MeshHealer\` sees the routes change, and the initiator of every pair the rule now wants offers
through the mesh (offer, answer and candidates relayed hop by hop). A crashed peer (no goodbye)
adds the time WebRTC takes to notice its channels closed.

${heal}
${browsers}
### mDNS (real multicast datagrams on loopback)

${mdns}

![mDNS frames](classroom-mdns.svg)
`
}
