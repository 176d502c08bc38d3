#!/usr/bin/env bash
# otscan end-to-end performance against tshark on a large Modbus capture (issue 10).
#
#   bash benches/otscan/perf.sh                  # 70 copies of plant1_ModbusTCP.pcap
#   THREADS=1 bash benches/otscan/perf.sh        # one shard instead of one per core
#   SIZE=500M bash benches/otscan/perf.sh        # a generated polling capture instead
#   KEEP=1 bash benches/otscan/perf.sh           # keep the capture afterwards
#   SKIP_TSHARK=1 bash benches/otscan/perf.sh    # otscan only (tshark takes a minute)
#
# The capture: with the shared captures at hand ($OTWIRE_CAPTURES, or ../shared/captures
# beside the clone) it is `gen-sample --repeat 70 --from plant1_ModbusTCP.pcap` (122 MB,
# 1.08 M packets, 1.12 M PDUs of a real plant, each copy its own conversations); without
# them, or with SIZE set, `gen-sample --bulk SIZE` (an HMI polling 20 PLCs, every message
# encoded by otwire-modbus). Wall time and peak RSS come from /usr/bin/time -v for:
#   otscan --no-detect FILE              decoding, reassembly, inventory
#   otscan FILE                          the default run: detection and the summary
#   otscan --output pdus FILE            the default run plus one JSON record per PDU
#   tshark -r FILE -T fields -e modbus.func_code
# Targets: the default run at least 100x tshark, --output pdus at least 50x, peak RSS
# under 64 MB in every run. Exit status: 0 when met (memory only, with SKIP_TSHARK), 1 when
# not, 2 when a tool is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
CAPTURES="${OTWIRE_CAPTURES:-$ROOT/../shared/captures}"
PLANT1="$CAPTURES/modbus/plant1_ModbusTCP.pcap"
THREADS="${THREADS:-0}"

for tool in cargo /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "perf.sh: $tool is required" >&2; exit 2; }
done
if [ -z "${SKIP_TSHARK:-}" ] && ! command -v tshark >/dev/null; then
    echo "perf.sh: tshark is required (apt-get install tshark), or set SKIP_TSHARK=1" >&2
    exit 2
fi

(cd "$ROOT" && cargo build --release -q -p otwire-examples --bin otscan --bin gen-sample)
if [ -z "${SIZE:-}" ] && [ -s "$PLANT1" ]; then
    OUT="${OUT:-${TMPDIR:-/tmp}/otscan-perf-plant70.pcap}"
    [ -s "$OUT" ] || "$TARGET/release/gen-sample" --repeat 70 --from "$PLANT1" --out "$OUT"
else
    SIZE="${SIZE:-500M}"
    OUT="${OUT:-${TMPDIR:-/tmp}/otscan-perf-$SIZE.pcap}"
    [ -s "$OUT" ] || "$TARGET/release/gen-sample" --bulk "$SIZE" --out "$OUT"
fi
BYTES=$(stat -c %s "$OUT")

# measure CMD...: runs CMD under /usr/bin/time -v, prints "seconds peak_kb".
measure() {
    local log
    log=$(mktemp)
    /usr/bin/time -v "$@" >/dev/null 2>"$log" || { cat "$log" >&2; rm -f "$log"; return 1; }
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    rm -f "$log"
    # h:mm:ss or m:ss.ss to seconds
    echo "$wall" | awk -F: -v rss="$rss" '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f %d\n", s, rss }'
}

OTSCAN=("$TARGET/release/otscan" --no-progress --threads "$THREADS")
read -r ND_S ND_KB < <(measure "${OTSCAN[@]}" --no-detect "$OUT")
read -r D_S D_KB < <(measure "${OTSCAN[@]}" "$OUT")
read -r P_S P_KB < <(measure "${OTSCAN[@]}" --output pdus "$OUT")
PACKETS=$("${OTSCAN[@]}" --no-detect "$OUT" | awk '/packets/ {print $5; exit}')

printf 'capture: %s (%d bytes, %s packets), otscan --threads %s\n' "$OUT" "$BYTES" "$PACKETS" "$THREADS"
printf '%-40s %8s %10s %12s\n' run seconds "vs tshark" "peak RSS MB"
TS_S=0
if [ -z "${SKIP_TSHARK:-}" ]; then
    read -r TS_S TS_KB < <(measure tshark -r "$OUT" -T fields -e modbus.func_code)
fi
row() { awk -v n="$1" -v s="$2" -v kb="$3" -v t="$TS_S" 'BEGIN { printf "%-40s %8.2f %9.1fx %12.1f\n", n, s, (s > 0 && t > 0 ? t / s : 0), kb / 1024 }'; }
row "otscan --no-detect" "$ND_S" "$ND_KB"
row "otscan (default: detection, summary)" "$D_S" "$D_KB"
row "otscan --output pdus" "$P_S" "$P_KB"
[ -z "${SKIP_TSHARK:-}" ] && row "tshark -T fields -e modbus.func_code" "$TS_S" "$TS_KB"

status=0
if [ -z "${SKIP_TSHARK:-}" ]; then
    awk -v t="$TS_S" -v d="$D_S" 'BEGIN { exit !(t / d >= 100) }' || { echo "target missed: default run < 100x tshark"; status=1; }
    awk -v t="$TS_S" -v p="$P_S" 'BEGIN { exit !(t / p >= 50) }' || { echo "target missed: --output pdus < 50x tshark"; status=1; }
fi
awk -v a="$ND_KB" -v b="$D_KB" -v c="$P_KB" 'BEGIN { exit !(a < 65536 && b < 65536 && c < 65536) }' || { echo "target missed: peak RSS >= 64 MB"; status=1; }
[ -n "${KEEP:-}" ] || rm -f "$OUT"
exit $status
