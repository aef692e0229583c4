#!/usr/bin/env bash
# Cache misses of the growth benchmark's larger run: cachegrind's count
# of data reads missing a 1 MiB last-level cache over one start and ten
# simulated minutes at 1,000 channels (TestGrowthRun, the plan included),
# under two geometries. 16-way is the processor's L2, indexed here by
# virtual address: where the heap's pages fall then decides which lines
# share a set, and a change that moves them can move the count by 5%
# either way whatever it saves. 256-way, 64 sets, indexes by an address's
# place within its 4 KiB page alone, as the processor's L2, indexed by
# physical address with pages scattered, does on average: the figure to
# judge a change by. Timed runs on a shared host move by more than most
# layout changes gain; this count repeats within about 1% from run to
# run of one build, with address-space randomisation off (setarch -R),
# the collector off (no collection's timing moves the heap) and one
# thread. Needs Go, valgrind and setarch (util-linux); takes a few
# minutes. N sets the Interconnects (default 250).
set -euo pipefail
N=${N:-250}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$(dirname "$0")/.."
go test -c -o "$tmp/sim.test" ./sim
cd sim
for ways in 16 256; do
	# Valgrind now and then fails to decode an instruction the runtime
	# runs (SIGILL): a run that does is tried again, three times at most.
	for try in 1 2 3; do
		if PATCHBAY_GROWTH_RUN=$N GOGC=off GOMAXPROCS=1 setarch -R \
			valgrind --tool=cachegrind --cache-sim=yes --LL=1048576,$ways,64 \
			--cachegrind-out-file="$tmp/cg.$ways" "$tmp/sim.test" -test.run '^TestGrowthRun$' >"$tmp/log.$ways" 2>&1; then
			break
		fi
		if ! grep -q SIGILL "$tmp/log.$ways" || [ "$try" = 3 ]; then
			cat "$tmp/log.$ways" >&2
			exit 1
		fi
	done
	awk -v w="$ways" '/I +refs:/ { gsub(",", "", $4); i = $4 } /LLd misses:/ { gsub(",", "", $4); gsub(",", "", $6); m = $4; r = $6 }
		END { printf "%d Interconnects, 1 MiB %d-way: %.3f billion instructions, %.2f million data misses (%.2f million reads)\n", '"$N"', w, i / 1e9, m / 1e6, r / 1e6 }' "$tmp/log.$ways"
done
