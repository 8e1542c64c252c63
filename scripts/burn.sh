#!/bin/sh
# A bounded CPU burner for proving that tests survive a loaded machine (issue 13: "test:lan passes
# on a machine with load average 8"). Starts <workers> busy loops (`yes > /dev/null`, one
# runnable process each, so the load average climbs towards <workers>) and stops all of them
# after <seconds>, or earlier on SIGINT/SIGTERM. Nothing touches the network.
#
#   scripts/burn.sh 900 8 &  BURN=$!;  npm run test:lan;  kill $BURN
#
# Usage: scripts/burn.sh <seconds> [workers=8]
set -eu
seconds=${1:?usage: scripts/burn.sh <seconds> [workers]}
workers=${2:-8}
pids=''
stop() {
  # Only the workers this script started, by their ids.
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap 'stop; exit 0' INT TERM
trap stop EXIT
i=0
while [ "$i" -lt "$workers" ]; do
  timeout "$seconds" yes > /dev/null &
  pids="$pids $!"
  i=$((i + 1))
done
echo "burn: $workers workers for at most ${seconds}s (pids:$pids)" >&2
wait
