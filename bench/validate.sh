#!/usr/bin/env bash
# Validate through the CLI: the 10,000-VPC / 100,000-prefix design (goal
# under 0.6 s) and the 100,000-VPC one (goal under 6 s and 2 GB), written
# by the planner's benchmark generator. Prints each run's wall time and
# peak memory (the median of RUNS for the small one); the ratio against
# bare Starlark is BenchmarkValidateVsBareStarlark's. Needs Go, bash and
# GNU time (/usr/bin/time).
set -euo pipefail
RUNS=${RUNS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$(dirname "$0")/.."
go build -o "$tmp/patchbay" ./cmd/patchbay
PATCHBAY_BENCH_DESIGN="$tmp/v10k.star" go test ./planner -run '^TestWriteBenchDesign$' -count=1 >/dev/null
PATCHBAY_BENCH_DESIGN="$tmp/v100k.star" PATCHBAY_BENCH_VPCS=100000 go test ./planner -run '^TestWriteBenchDesign$' -count=1 >/dev/null

# run prints "SECONDS KB" for one validate.
run() {
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$tmp/patchbay" validate "$@" >/dev/null 2>&1 || true
	tail -1 "$tmp/time" # after GNU time's line on a non-zero exit, if any
}
echo "cores: $(nproc)"
for _ in $(seq "$RUNS"); do run "$tmp/v10k.star"; done | sort -n | sed -n "$(((RUNS + 1) / 2))p" |
	awk '{printf "validate 10,000 VPCs: %.2f s, %d MiB peak (goal < 0.6 s)\n", $1, $2 / 1024}'
# A design of 300,000 resources: above the default cap and budgets.
run --max-resources 400000 --max-memory 4096 --max-steps 1000000000 "$tmp/v100k.star" |
	awk '{printf "validate 100,000 VPCs: %.2f s, %d MiB peak (goal < 6 s, < 2 GB)\n", $1, $2 / 1024}'
