#!/usr/bin/env bash
# bench/stack/bench.sh: `up -d` and `down` of 1-, 10- and 50-service stacks,
# berth against Docker Engine with Docker Compose v2.40.3 (the peer that
# ../../../shared/bench/peer-docker.sh runs), side by side in one run: the
# rounds interleave berth and Docker so that load on this noisy machine
# hits both alike. Both import the same busybox rootfs as
# local/busybox:latest. berth runs in a network namespace of its own, as the
# peer does. Prints a Markdown table of medians (and mins) over ROUNDS, and
# the berth daemon's RSS idle and with 50 containers.
#
# Run as root from the repository: bench/stack/bench.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-5}
PEER=../shared/bench/peer-docker.sh
work=$(mktemp -d /var/tmp/berth-stack-bench.XXXXXX)
netns=berth-bench-$$

$PEER start >/dev/null
eval "$($PEER env | grep ^export)"
docker=/usr/bin/docker
scripts/build.sh "$work/berth"
export BERTH_ROOT=$work/root
ip netns add "$netns"
cleanup() {
  for n in 1 10 50; do (cd "$work/s$n" 2>/dev/null && in_ns "$work/berth" down -t 0 >/dev/null 2>&1) || true; done
  [ -f "$BERTH_ROOT/run/daemon.pid" ] && kill "$(cat "$BERTH_ROOT/run/daemon.pid")" 2>/dev/null
  ip netns delete "$netns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
in_ns() { nsenter --net="/run/netns/$netns" "$@"; }
in_ns ip link set lo up
"$work/berth" image import /var/tmp/berth-peer/busybox-rootfs.tar local/busybox:latest \
  --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' >/dev/null

# stack N writes a project of N services that exit promptly on SIGTERM.
stack() {
  local n=$1 dir=$work/s$1
  mkdir -p "$dir"
  { echo "name: bench$n"; echo "services:"
    for i in $(seq "$n"); do
      echo "  svc$i:"
      echo "    image: local/busybox:latest"
      echo "    command: [\"sh\", \"-c\", \"trap 'exit 0' TERM; sleep 1000 & wait\"]"
    done; } > "$dir/compose.yaml"
}

# ms runs a command in the stack's directory and prints its wall time in ms.
ms() {
  local dir=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  (cd "$dir" && "$@" >/dev/null 2>&1) || { echo "failed: $*" >&2; exit 1; }
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }
minimum() { sort -n | head -1; }

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

in_ns "$work/berth" ls >/dev/null   # start the daemon before timing
echo "| services | berth up -d (median / min ms) | docker compose up -d | ratio | berth down | docker compose down | ratio |"
echo "|---|---|---|---|---|---|---|"
for n in 1 10 50; do
  stack "$n"
  dir=$work/s$n
  : > "$work/bu" ; : > "$work/du"; : > "$work/bd"; : > "$work/dd"
  for _ in $(seq "$ROUNDS"); do
    ms "$dir" in_ns "$work/berth" up -d >> "$work/bu"
    ms "$dir" $docker compose up -d >> "$work/du"
    if [ "$n" = 50 ] && [ ! -f "$work/rss50" ]; then rss_kib "$(cat "$BERTH_ROOT/run/daemon.pid")" > "$work/rss50"; fi
    ms "$dir" in_ns "$work/berth" down >> "$work/bd"
    ms "$dir" $docker compose down >> "$work/dd"
  done
  bu=$(median < "$work/bu"); du=$(median < "$work/du"); bd=$(median < "$work/bd"); dd=$(median < "$work/dd")
  echo "| $n | $bu / $(minimum < "$work/bu") | $du / $(minimum < "$work/du") | $(awk "BEGIN {printf \"%.1fx\", $du/$bu}") | $bd / $(minimum < "$work/bd") | $dd / $(minimum < "$work/dd") | $(awk "BEGIN {printf \"%.1fx\", $dd/$bd}") |"
done
echo
echo "berth daemon RSS: idle $(rss_kib "$(cat "$BERTH_ROOT/run/daemon.pid")") KiB after the runs; with 50 containers up $(cat "$work/rss50") KiB"
