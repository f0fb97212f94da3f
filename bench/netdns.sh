#!/bin/sh
# bench/netdns.sh: DNS queries per second and latency from inside a
# "container" (a network namespace attached to a berth bridge), and one TCP
# stream container-to-container over the bridge against host loopback, and
# through a published port against the container's address directly.
# Needs root. Every namespace is made and removed by the benchmarks.
#
# usage: sudo bench/netdns.sh [rounds]   (default 10)
set -eu
rounds=${1:-10}
cd "$(dirname "$0")/.."
bin=$(mktemp)
trap 'rm -f "$bin"' EXIT
go test -c -o "$bin" ./netdns/
out=$(BERTH_TEST_ROOT=1 "$bin" -test.run '^$' -test.bench '^BenchmarkRoot' \
	-test.benchtime 1s -test.count "$rounds")
echo "$out" | grep '^Benchmark'
# The subbenchmarks of one round run back to back, so rounds interleave
# them: medians over the rounds compare like with like on a busy machine.
echo "$out" | awk '
function median(name, metric,   i, j, n, t, v) {
	n = cnt[name]
	for (i = 1; i <= n; i++) v[i] = val[name, metric, i]
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
	return v[int((n + 1) / 2)]
}
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name); cnt[name]++
	for (i = 3; i < NF; i++) val[name, $(i + 1), cnt[name]] = $i
}
END {
	d = "BenchmarkRootDNS"
	printf "\nmedians over %d rounds\n", cnt[d]
	printf "DNS: %.0f queries/s, p50 %d us, p99 %d us\n", median(d, "queries/s"), median(d, "p50-µs"), median(d, "p99-µs")
	br = median("BenchmarkRootTCP/bridge", "MB/s"); lo = median("BenchmarkRootTCP/loopback", "MB/s")
	pu = median("BenchmarkRootTCP/published", "MB/s"); di = median("BenchmarkRootTCP/direct", "MB/s")
	printf "TCP bridge %.0f MB/s vs loopback %.0f MB/s: %.0f%% (target >= 90%%)\n", br, lo, 100 * br / lo
	printf "TCP published %.0f MB/s vs direct %.0f MB/s: %.0f%% (target >= 80%%)\n", pu, di, 100 * pu / di
}'
