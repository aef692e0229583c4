#!/usr/bin/env bash
# png.sh: how patchbay's own PNG of a 1,000-node design (990 VPCs on 10
# TGWs, the design of BenchmarkPNG1000) compares with Graphviz's
# `dot -Tpng` of patchbay's DOT of it, in wall time and peak memory.
#
#   bench/png.sh            build ./cmd/patchbay and compare, 3 runs each
#   RUNS=5 bench/png.sh     more runs
#   PATCHBAY=bin/patchbay bench/png.sh   use a binary already built
#
# Prints each run, the pixel counts of both images, then
#   png time ratio: X      (patchbay's fastest run / dot's, wall time)
#   png memory ratio: Y    (patchbay's peak RSS / dot's, the largest of the runs)
#   png cpu ratio: Z       (the same for user+system CPU time)
# The fastest run is the one least disturbed by whatever else the machine
# is running, and the runs of the two alternate, for the same reason; on a
# busy machine the CPU ratio moves less than the wall-time one.
set -euo pipefail

runs=${RUNS:-3}
limit=${LIMIT:-300} # seconds any one command may take
root=$(cd "$(dirname "$0")/.." && pwd)
command -v dot >/dev/null || { echo "png.sh: Graphviz's dot is not installed" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

if [ -n "${PATCHBAY:-}" ]; then
	pb=$(cd "$(dirname "$PATCHBAY")" && pwd)/$(basename "$PATCHBAY")
else
	pb=$tmp/patchbay
	(cd "$root" && go build -o "$pb" ./cmd/patchbay)
fi

# measure: run a command; wall seconds, peak RSS in KB and CPU seconds go
# to $tmp/m.
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
	measure() {
		# set -e does not reach a function called before ||.
		timeout "$limit" /usr/bin/time -f '%e %M %U %S' -o "$tmp/m" "$@" || return
		awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$tmp/m" >"$tmp/m.1" && mv "$tmp/m.1" "$tmp/m"
	}
else
	# No GNU time: a small Go program reads the child's rusage instead
	# (ru_maxrss is its peak RSS; the launcher is small, so exec's copy of
	# it does not show).
	mkdir "$tmp/rusage"
	cat >"$tmp/rusage/main.go" <<'EOF'
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	if err := os.WriteFile(os.Args[1], []byte(fmt.Sprintf("%.2f %d %.2f\n", wall.Seconds(), ru.Maxrss, cpu.Seconds())), 0o644); err != nil {
		panic(err)
	}
	os.Exit(cmd.ProcessState.ExitCode())
}
EOF
	(cd "$tmp/rusage" && go mod init rusage >/dev/null 2>&1 && go build -o "$tmp/rusage/rusage" .)
	measure() { timeout "$limit" "$tmp/rusage/rusage" "$tmp/m" "$@"; }
fi

{
	for t in $(seq 0 9); do
		echo "t$t = transit_gateway(\"tgw-$t\", region = \"us-east-1\", asn = $((64512 + t)))"
	done
	for v in $(seq 0 989); do
		echo "attach(vpc(\"v$v\", region = \"us-east-1\", cidr = \"10.$((v / 256)).$((v % 256)).0/24\", mtu = 8500), t$((v % 10)))"
	done
} >"$tmp/design.star"

cd "$tmp"
# --group-above: every VPC a node, as in BenchmarkPNG1000.
timeout "$limit" "$pb" render design.star --group-above 1000 -o design.dot >/dev/null

# pixels: width x height of a PNG, from its IHDR.
pixels() {
	od -An -tu1 -j16 -N8 "$1" | awk '{ w = $1*16777216 + $2*65536 + $3*256 + $4; h = $5*16777216 + $6*65536 + $7*256 + $8; printf "%dx%d (%.2f Mpx)", w, h, w*h/1e6 }'
}

: >dot.runs
: >pb.runs
for i in $(seq "$runs"); do
	# dot says it scales the drawing down to fit cairo's bitmaps; that
	# is expected, and patchbay does the same.
	measure dot -Tpng design.dot -o dot.png 2>dot.err || { cat dot.err >&2; exit 1; }
	read -r t m c <m && echo "$t $m $c" >>dot.runs
	echo "run $i: dot -Tpng         ${t}s ${m}KB, CPU ${c}s"
	measure "$pb" render design.star --group-above 1000 -o pb.png >/dev/null
	read -r t m c <m && echo "$t $m $c" >>pb.runs
	echo "run $i: patchbay render   ${t}s ${m}KB, CPU ${c}s"
done
echo "dot -Tpng:       $(pixels dot.png), $(wc -c <dot.png) bytes"
echo "patchbay render: $(pixels pb.png), $(wc -c <pb.png) bytes"
echo "cores: $(nproc)"

best() { sort -n -k"$2" "$1" | awk -v k="$2" -v last="$3" 'NR == 1 { v = $k } { if (last) v = $k } END { print v }'; }
dt=$(best dot.runs 1 0)
pt=$(best pb.runs 1 0)
dm=$(best dot.runs 2 1)
pm=$(best pb.runs 2 1)
dc=$(best dot.runs 3 0)
pc=$(best pb.runs 3 0)
awk -v p="$pt" -v d="$dt" 'BEGIN { printf "png time ratio: %.2f\n", (d > 0 ? p / d : 0) }'
awk -v p="$pm" -v d="$dm" 'BEGIN { printf "png memory ratio: %.2f\n", (d > 0 ? p / d : 0) }'
awk -v p="$pc" -v d="$dc" 'BEGIN { printf "png cpu ratio: %.2f\n", (d > 0 ? p / d : 0) }'
