#!/usr/bin/env python3
"""A user-space Ethernet switch that impairs each host's egress like netem would.

The kernel of the study machine has no sch_netem, so `tc netem` is not available. This switch
owns one TAP device (named eth0) inside each host's network namespace: every frame a host sends
arrives here, gets that host's egress impairment (independent loss; a delay drawn from a normal
distribution, clipped at 0, so frames reorder as under netem with jitter) and is then written to
the destination host's TAP (MAC learning; broadcast, multicast and unknown unicast are flooded to
every other host, so mDNS works). A "cut" host silently loses every frame from and to it.

Usage (root; the namespaces must exist):
  wifi_switch.py '{"seed":1,"maxSeconds":900,"hosts":["ns-1","ns-2"],"delayMs":50,"jitterMs":50,"loss":0.05}'
It prints {"type":"ready"} once every TAP exists, then reads commands, one JSON object per line,
on stdin: {"cmd":"impair","delayMs":..,"jitterMs":..,"loss":..,"host":i?}, {"cmd":"cut","host":i},
{"cmd":"heal","host":i}, {"cmd":"stats"}. It exits when stdin closes or after maxSeconds, and the
TAPs vanish with it (they are not persistent). Nothing is sent anywhere but to those TAPs.

  wifi_switch.py --replay '{"seed":1,"ports":3,"delayMs":..,"jitterMs":..,"loss":..}'
runs the same switching logic on virtual time, for tests: stdin has one event per line,
{"t":ms,"port":i,"frame":"<hex>"} or a command with "t"; stdout gets one line per delivered
frame {"t":ms,"port":i,"frame":"<hex>","sent":ms} and then {"type":"stats",...}.
"""
import ctypes
import fcntl
import heapq
import json
import os
import random
import selectors
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000
MAX_FRAME = 65536


class Impairment:
    """Egress impairment of one host: delay (ms) with normal jitter (ms, standard deviation) and loss."""

    def __init__(self, delay_ms=0.0, jitter_ms=0.0, loss=0.0):
        self.delay_ms = float(delay_ms)
        self.jitter_ms = float(jitter_ms)
        self.loss = float(loss)


class SwitchCore:
    """The switching logic, without I/O: seeded, driven by the caller's clock (milliseconds)."""

    def __init__(self, ports, seed, impairment):
        self.rng = random.Random(seed)
        self.ports = ports
        self.impair = [Impairment(impairment.delay_ms, impairment.jitter_ms, impairment.loss) for _ in range(ports)]
        self.cut = set()
        self.macs = {}
        self.queue = []  # (due, seq, out port, frame, sent)
        self.seq = 0
        self.stats = {"in": 0, "lost": 0, "cutDropped": 0, "out": 0, "flooded": 0}

    def ingress(self, port, frame, now):
        """A frame `port`'s host sent at `now`: decides its fate once (one loss draw, one delay draw)."""
        self.stats["in"] += 1
        if len(frame) < 14:
            return
        src = bytes(frame[6:12])
        if not src[0] & 1:
            self.macs[src] = port
        if port in self.cut:
            self.stats["cutDropped"] += 1
            return
        imp = self.impair[port]
        # Both numbers are always drawn, so one frame's loss never shifts another frame's delay.
        lost = self.rng.random() < imp.loss
        delay = max(0.0, self.rng.gauss(imp.delay_ms, imp.jitter_ms)) if imp.jitter_ms > 0 else max(0.0, imp.delay_ms)
        if lost:
            self.stats["lost"] += 1
            return
        dst = bytes(frame[0:6])
        known = None if dst[0] & 1 else self.macs.get(dst)
        if known is not None:
            targets = [] if known == port else [known]
        else:
            targets = [p for p in range(self.ports) if p != port]
            self.stats["flooded"] += 1
        for out in targets:
            self.seq += 1
            heapq.heappush(self.queue, (now + delay, self.seq, out, frame, now))

    def next_due(self):
        return self.queue[0][0] if self.queue else None

    def due(self, now):
        """Frames due by `now`, in due order, as (port, frame, sent, due); frames to a cut host are dropped."""
        out = []
        while self.queue and self.queue[0][0] <= now:
            at, _, port, frame, sent = heapq.heappop(self.queue)
            if port in self.cut:
                self.stats["cutDropped"] += 1
                continue
            self.stats["out"] += 1
            out.append((port, frame, sent, at))
        return out

    def command(self, cmd):
        """Applies one control command; returns a reply record or None."""
        kind = cmd.get("cmd")
        if kind == "impair":
            imp = Impairment(cmd.get("delayMs", 0), cmd.get("jitterMs", 0), cmd.get("loss", 0))
            hosts = [cmd["host"]] if "host" in cmd else range(self.ports)
            for h in hosts:
                self.impair[int(h)] = imp
            return {"type": "impaired"}
        if kind == "cut":
            self.cut.add(int(cmd["host"]))
            return {"type": "cut", "host": int(cmd["host"])}
        if kind == "heal":
            self.cut.discard(int(cmd["host"]))
            return {"type": "healed", "host": int(cmd["host"])}
        if kind == "stats":
            return dict(self.stats, type="stats", queued=len(self.queue))
        return {"type": "error", "message": "unknown command %r" % (kind,)}


def impairment_of(config):
    return Impairment(config.get("delayMs", 0), config.get("jitterMs", 0), config.get("loss", 0))


def replay(config):
    core = SwitchCore(int(config["ports"]), config.get("seed", 1), impairment_of(config))
    out = sys.stdout

    def drain(until):
        for port, frame, sent, at in core.due(until):
            out.write(json.dumps({"t": round(at, 3), "port": port, "frame": frame.hex(), "sent": sent}) + "\n")

    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        ev = json.loads(line)
        t = float(ev["t"])
        drain(t)
        if "cmd" in ev:
            core.command(ev)
        else:
            core.ingress(int(ev["port"]), bytes.fromhex(ev["frame"]), t)
    drain(float("inf"))
    out.write(json.dumps(dict(core.stats, type="stats")) + "\n")


def libc_setns(fd):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def open_tap_in(ns):
    """Creates a non-persistent TAP named eth0 inside namespace `ns` (it dies with this process)."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open("/var/run/netns/" + ns, os.O_RDONLY)
    try:
        libc_setns(target)
        fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", b"eth0", IFF_TAP | IFF_NO_PI))
        return fd
    finally:
        libc_setns(home)
        os.close(target)
        os.close(home)


def serve(config):
    hosts = config["hosts"]
    deadline = time.monotonic() + float(config.get("maxSeconds", 900))
    core = SwitchCore(len(hosts), config.get("seed", 1), impairment_of(config))
    taps = [open_tap_in(ns) for ns in hosts]
    try:
        # The switch is the network: on a machine shared with other jobs it must not queue behind them.
        os.nice(-5)
    except OSError:
        pass
    sel = selectors.DefaultSelector()
    for i, fd in enumerate(taps):
        sel.register(fd, selectors.EVENT_READ, i)
    stdin = sys.stdin.fileno()
    os.set_blocking(stdin, False)
    sel.register(stdin, selectors.EVENT_READ, "stdin")
    pending = b""
    print(json.dumps({"type": "ready", "hosts": len(hosts)}), flush=True)
    clock0 = time.monotonic()
    now_ms = lambda: (time.monotonic() - clock0) * 1000.0
    while time.monotonic() < deadline:
        nd = core.next_due()
        timeout = 0.2 if nd is None else max(0.0, min(0.2, (nd - now_ms()) / 1000.0))
        for key, _ in sel.select(timeout):
            if key.data == "stdin":
                chunk = os.read(stdin, 65536)
                if not chunk:
                    return
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    if line.strip():
                        try:
                            reply = core.command(json.loads(line))
                        except (ValueError, KeyError, TypeError) as e:
                            reply = {"type": "error", "message": str(e)}
                        if reply is not None:
                            print(json.dumps(reply), flush=True)
                continue
            port = key.data
            # Read everything queued on this TAP now, so a burst is timestamped as it arrived.
            for _ in range(64):
                try:
                    frame = os.read(taps[port], MAX_FRAME)
                except BlockingIOError:
                    break
                if not frame:
                    break
                core.ingress(port, frame, now_ms())
        for port, frame, _, _ in core.due(now_ms()):
            try:
                os.write(taps[port], frame)
            except OSError:
                pass  # the host's interface is down or its queue is full: the frame is lost, as on a wire


def main(argv):
    if len(argv) == 3 and argv[1] == "--replay":
        replay(json.loads(argv[2]))
    elif len(argv) == 2:
        serve(json.loads(argv[1]))
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
