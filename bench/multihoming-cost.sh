#!/bin/sh
# multihoming-cost.sh [ROUNDS]: single-path throughput of the association
# engine as it was before multi-homing (commit c103ee4) beside the current
# one, in one run, alternating, ROUNDS rounds (default 5) of 3 s each.
# 1000-byte messages in process over loopback UDP. The old engine had no
# UDP segmentation offload, so the current one runs without it too; a
# second pair compares a single-address association with a two-address one
# today. Prints each round and the medians.
set -eu
rounds=${1:-5}
base=c103ee4
top=$(git rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'git -C "$top" worktree remove --force "$tmp/old" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT

git -C "$top" worktree add -q --detach "$tmp/old" "$base"
(cd "$tmp/old" && go test -c -o "$tmp/old.test" ./stack/)
(cd "$top" && go test -c -o "$tmp/new.test" ./stack/)

# mbits BINARY BENCH prints the Mbit/s of one run of BENCH.
mbits() {
	"$1" -test.run '^$' -test.bench "^$2\$" -test.benchtime 3s |
		awk '/^Benchmark/ { for (i = 1; i <= NF; i++) if ($i == "Mbit/s") print $(i-1) }'
}

for i in $(seq "$rounds"); do
	echo "before-multihoming $(mbits "$tmp/old.test" BenchmarkLoopback1000)"
	echo "now-no-offload $(mbits "$tmp/new.test" BenchmarkLoopback1000NoOffload)"
	echo "now-one-address $(mbits "$tmp/new.test" BenchmarkLoopback1000)"
	echo "now-two-addresses $(mbits "$tmp/new.test" BenchmarkLoopback1000TwoPaths)"
done | tee "$tmp/runs"

echo "medians (Mbit/s):"
sort -k1,1 -k2n "$tmp/runs" | awk '
	{ v[$1, ++n[$1]] = $2 }
	END { for (k in n) printf "  %-20s %s\n", k, v[k, int((n[k] + 1) / 2)] }' | sort
