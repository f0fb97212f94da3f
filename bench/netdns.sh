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
# One round runs every benchmark once, back to back, under much the same
# load from the rest of the machine (-test.count would repeat each one
# before the next): each ratio is taken within a round, and the medians over
# the rounds are reported.
out=
for i in $(seq "$rounds"); do
	out="$out
$(BERTH_TEST_ROOT=1 "$bin" -test.run '^$' -test.bench '^BenchmarkRoot' -test.benchtime 1s)"
done
echo "$out" | grep '^Benchmark'
echo "$out" | awk '
function median(arr, n,   i, j, t, v) {
	for (i = 1; i <= n; i++) v[i] = arr[i]
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
	return v[int((n + 1) / 2)]
}
/^BenchmarkRootDNS/ { d++; for (i = 3; i < NF; i++) { if ($(i+1) == "queries/s") q[d] = $i; if ($(i+1) == "p50-µs") p50[d] = $i; if ($(i+1) == "p99-µs") p99[d] = $i } }
/^BenchmarkRootTCP\// {
	name = $1; sub(/-[0-9]+$/, "", name); sub(/.*\//, "", name)
	for (i = 3; i < NF; i++) { if ($(i+1) == "MB/s") mb = $i; if ($(i+1) == "cpu-s/GiB") cpu = $i }
	n[name]++; v[name, n[name]] = mb; c[name, n[name]] = cpu
}
END {
	r = n["bridge"]
	for (k = 1; k <= r; k++) {
		br[k] = v["bridge", k]; lo[k] = v["loopback", k]; pu[k] = v["published", k]; di[k] = v["direct", k]
		rb[k] = br[k] / lo[k]; rp[k] = pu[k] / di[k]
		cb[k] = c["bridge", k]; cl[k] = c["loopback", k]; cp[k] = c["published", k]; cd[k] = c["direct", k]
	}
	printf "\nmedians over %d rounds\n", r
	printf "DNS: %.0f queries/s, p50 %d us, p99 %d us\n", median(q, d), median(p50, d), median(p99, d)
	printf "TCP bridge %.0f MB/s, loopback %.0f MB/s; bridge/loopback in a round: %.0f%% (target >= 90%%)\n", median(br, r), median(lo, r), 100 * median(rb, r)
	printf "TCP published %.0f MB/s, direct %.0f MB/s; published/direct in a round: %.0f%% (target >= 80%%)\n", median(pu, r), median(di, r), 100 * median(rp, r)
	printf "CPU per GiB: bridge %.2f s, loopback %.2f s, published %.2f s, direct %.2f s\n", median(cb, r), median(cl, r), median(cp, r), median(cd, r)
	printf "per-round bridge/loopback:"; for (k = 1; k <= r; k++) printf " %.0f%%", 100 * rb[k]; printf "\n"
	printf "per-round published/direct:"; for (k = 1; k <= r; k++) printf " %.0f%%", 100 * rp[k]; printf "\n"
}'
