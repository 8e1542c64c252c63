#!/bin/sh
# A bounded CPU burner, to prove that tests survive a loaded machine (issue 13: "test:lan passes on
# a machine with load average 8"). Starts <workers> busy loops (`yes > /dev/null`: one runnable
# process each, so the load average climbs towards <workers> plus whatever else runs) that stop by
# themselves after <seconds>, or when this script is interrupted. Nothing touches the network.
#
#   scripts/burn.sh <seconds> [workers=8]                  burn, then exit
#   scripts/burn.sh <seconds> <workers> -- <command...>    run the command beside the burner, stop
#                                                          the burner when it ends, exit with its status
#
# With a command, the load average is printed to stderr every 30 s and at the end, with the wall time.
set -eu
seconds=${1:?usage: scripts/burn.sh <seconds> [workers] [-- command...]}
workers=${2:-8}
[ $# -ge 2 ] && shift 2 || shift $#
[ "${1:-}" = "--" ] && shift
pids=''
stop() {
  # Only the processes this script started, by their ids.
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  pids=''
}
trap 'stop; exit 130' INT TERM
trap stop EXIT
i=0
while [ "$i" -lt "$workers" ]; do
  timeout "$seconds" yes > /dev/null &
  pids="$pids $!"
  i=$((i + 1))
done
echo "burn: $workers workers for at most ${seconds}s" >&2
if [ $# -eq 0 ]; then
  wait
  exit 0
fi
load() { echo "burn: $(date -u +%T) load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2; }
( while :; do load; sleep 30; done ) &
sampler=$!
pids="$pids $sampler"
start=$(date +%s)
status=0
"$@" || status=$?
load
echo "burn: '$*' exited $status after $(( $(date +%s) - start ))s" >&2
exit "$status"
