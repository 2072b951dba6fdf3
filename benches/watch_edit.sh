#!/usr/bin/env bash
# Watch-mode benchmark (issue 7): after a one-parameter edit to one track of the shared
# benchmark session, how long until the new master is on disk, against a cold render.
#
#   benches/watch_edit.sh [EDITS]      run from the project's root
#
# Env: LEN_S (default 60) and BENCH_DIR (default /tmp/mixdown-bench) as for
# ../shared/bench/compare.sh, which generates the session the first time.
# Cold: the median wall time of `mixdown render bench.mix` (no cache), three runs.
# Edit: from the save of bench.mix (a bell gain on the kick, a different value each
# time) to the moment the master file is replaced, as `watch` renders it: debounce
# (20 ms, the default), compile, cache lookups, the kick, its bus, the master chain and its
# loudness solve, writing. Prints each edit (its wall time, and the CPU-seconds the
# watch process spent on it: steadier than wall time on a shared machine) and the
# medians.
set -euo pipefail
PROJECT=$PWD
EDITS=${1:-5}
export LEN_S=${LEN_S:-60}
WORK=${BENCH_DIR:-/tmp/mixdown-bench}
if [[ ! -f $WORK/session/.len || $(cat "$WORK/session/.len") != "$LEN_S" ]]; then
  bash ../shared/bench/compare.sh 1 >/dev/null
fi
(cd "$PROJECT" && cargo build --release --quiet)
BIN=$PROJECT/target/release/mixdown
RUN=$(mktemp -d)
trap 'kill $WATCH 2>/dev/null || true; rm -rf "$RUN"' EXIT
ln -s "$WORK/session" "$RUN/session"
cp "$WORK/bench.mix" "$RUN/bench.mix"
cd "$RUN"
now() { date +%s.%N; }
cold=()
for i in 1 2 3; do
  t0=$(now); "$BIN" render bench.mix -o cold --quiet; t1=$(now)
  cold+=("$(echo "$t1 - $t0" | bc)")
done
COLD=$(printf '%s\n' "${cold[@]}" | sort -n | sed -n 2p)
"$BIN" watch bench.mix -o out 2> watch.log &
WATCH=$!
until grep -q "^watching" watch.log; do sleep 0.05; done
ratios=()
cpus=()
for i in $(seq "$EDITS"); do
  gain=$(echo "3 + $i / 10" | bc -l | sed 's/^\./0./')
  # The save and the wait in one process that polls with stat(2) every 2 ms: a shell
  # loop forking `stat` would take CPU from the render it is timing.
  read -r edit cpu < <(python3 - "$gain" "$WATCH" <<'PY'
import os, re, sys, time
before = os.stat("out/bench.wav").st_ino
def cpu():
    # utime + stime of the watch process, from /proc (fields 14 and 15).
    f = open(f"/proc/{sys.argv[2]}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
c0 = cpu()
text = open("bench.mix").read()
text = re.sub(r"bell 60Hz [+0-9.]*dB q 1.0", f"bell 60Hz +{sys.argv[1]}dB q 1.0", text)
t0 = time.monotonic()
with open("bench.mix.tmp", "w") as f:
    f.write(text)
os.replace("bench.mix.tmp", "bench.mix")
while True:
    try:
        if os.stat("out/bench.wav").st_ino != before:
            break
    except FileNotFoundError:
        pass
    time.sleep(0.002)
took = time.monotonic() - t0
# The render is done once the file is in place; its last status lines are cheap.
time.sleep(0.2)
print(took, cpu() - c0)
PY
)
  ratios+=("$(echo "$edit / $COLD" | bc -l)")
  cpus+=("$cpu")
  printf 'edit %d: new master after %.3f s (%.1f%% of a cold render), %.2f CPU-s\n' "$i" "$edit" \
    "$(echo "100 * $edit / $COLD" | bc -l)" "$cpu"
  sleep 0.3
done
grep "re-rendered" watch.log | tail -1
median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
printf 'cold render %.3f s (median of 3); edit median %.1f%% of cold, %.2f CPU-s (session %s s)\n' \
  "$COLD" "$(printf '%s\n' "${ratios[@]}" | median | awk '{print 100 * $1}')" \
  "$(printf '%s\n' "${cpus[@]}" | median)" "$LEN_S"
