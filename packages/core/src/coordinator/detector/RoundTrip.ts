/**
 * A smoothed round-trip time, as TCP keeps it (RFC 6298): `srtt` and `rttvar` from samples of
 * request/reply pairs (catch-up requests and their replies). `bound()` is how long to wait for a
 * reply before calling it missing: a few round trips, so a confirmation round on a slow Wi-Fi
 * waits long enough and on a LAN stays short.
 */
export class RoundTrip {
  private srtt: number | undefined
  private rttvar = 0

  /** A reply arrived `rttMs` after its request. */
  sample(rttMs: number): void {
    if (!(rttMs >= 0) || !Number.isFinite(rttMs)) return
    if (this.srtt === undefined) {
      this.srtt = rttMs
      this.rttvar = rttMs / 2
      return
    }
    this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - rttMs)
    this.srtt = 0.875 * this.srtt + 0.125 * rttMs
  }

  /** The smoothed RTT, or undefined before the first sample. */
  get smoothed(): number | undefined {
    return this.srtt
  }

  /** Two smoothed round trips plus four deviations (0 before the first sample). */
  bound(): number {
    return this.srtt === undefined ? 0 : 2 * this.srtt + 4 * this.rttvar
  }
}
