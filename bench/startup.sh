#!/usr/bin/env bash
# Start-up: how long a command that draws nothing takes (validate of a
# one-VPC design; goal under 50 ms), and the first drawing on a machine
# with an empty cache (goal under 1 s), which compiles Graphviz once.
# Prints the median of RUNS runs; needs only Go and bash.
set -euo pipefail
RUNS=${RUNS:-15}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$(dirname "$0")/.."
go build -o "$tmp/patchbay" ./cmd/patchbay
printf 'vpc("a", region = "us-east-1", cidr = "10.0.0.0/16")\n' >"$tmp/one.star"

# median runs a command RUNS times and prints its median wall time in ms.
median() {
	local times=()
	for _ in $(seq "$RUNS"); do
		local t0 t1
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		t1=$(date +%s%N)
		times+=($(((t1 - t0) / 1000000)))
	done
	printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}

echo "cores: $(nproc)"
echo "validate one VPC: $(median "$tmp/patchbay" validate "$tmp/one.star") ms (goal < 50)"
echo "explain a rule: $(median "$tmp/patchbay" explain mtu-mismatch) ms"
# A fresh cache directory each run: the compile a new machine pays.
fresh() { XDG_CACHE_HOME=$(mktemp -d -p "$tmp") "$tmp/patchbay" render "$tmp/one.star" -o "$tmp/one.svg"; }
RUNS=3
echo "first SVG, empty cache: $(median fresh) ms (goal < 1000)"
warm() { XDG_CACHE_HOME="$tmp/warm" "$tmp/patchbay" render "$tmp/one.star" -o "$tmp/one.svg"; }
warm >/dev/null 2>&1 || true
echo "SVG, warm cache: $(median warm) ms"
