#!/usr/bin/env bash
# otscan end-to-end performance against tshark on a large generated Modbus capture.
#
#   bash benches/otscan/perf.sh                 # 500 MB capture in $TMPDIR
#   SIZE=2G OUT=/data/big.pcap bash benches/otscan/perf.sh
#   KEEP=1 bash benches/otscan/perf.sh          # keep the capture afterwards
#   SKIP_TSHARK=1 bash benches/otscan/perf.sh   # otscan only (tshark takes minutes)
#
# It builds otscan and gen-sample (release), writes a polling capture of at least SIZE
# bytes with `gen-sample --bulk` (an HMI polling 20 PLCs: FC 3/4 reads of 10-40 registers,
# FC 16 writes; every Modbus message encoded by otwire-modbus), then measures wall time and
# peak RSS with /usr/bin/time -v for:
#   otscan --no-detect FILE                 (decoding: TCP reassembly, Modbus decoding, asset
#                                            inventory; what tshark does below)
#   otscan --output pdus --no-detect FILE   (the same plus one JSON record per PDU)
#   otscan FILE                             (everything, with otwire-detect's engine)
#   tshark -r FILE -T fields -e modbus.func_code > /dev/null
# Targets: otscan (decoding) at least 50x faster than tshark; peak memory under 100 MB in
# every configuration.
# Exit status: 0 when both targets are met (or tshark was skipped and memory is met), 1 when
# not, 2 when a tool is missing.
set -euo pipefail

SIZE="${SIZE:-500M}"
OUT="${OUT:-${TMPDIR:-/tmp}/otscan-perf-$SIZE.pcap}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"

for tool in cargo /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "perf.sh: $tool is required" >&2; exit 2; }
done
if [ -z "${SKIP_TSHARK:-}" ] && ! command -v tshark >/dev/null; then
    echo "perf.sh: tshark is required (apt-get install tshark), or set SKIP_TSHARK=1" >&2
    exit 2
fi

(cd "$ROOT" && cargo build --release -q -p otwire-examples --bin otscan --bin gen-sample)
if [ ! -s "$OUT" ]; then
    "$TARGET/release/gen-sample" --bulk "$SIZE" --out "$OUT"
fi
BYTES=$(stat -c %s "$OUT")

# measure NAME CMD...: runs CMD under /usr/bin/time -v, prints "seconds peak_kb".
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

read -r OT_S OT_KB < <(measure "$TARGET/release/otscan" --no-progress --no-detect "$OUT")
read -r OTP_S OTP_KB < <(measure "$TARGET/release/otscan" --no-progress --no-detect --output pdus "$OUT")
read -r OTD_S OTD_KB < <(measure "$TARGET/release/otscan" --no-progress "$OUT")
PACKETS=$("$TARGET/release/otscan" --no-progress "$OUT" | awk '/packets/ {print $5; exit}')

printf 'capture: %s (%d bytes, %s packets)\n' "$OUT" "$BYTES" "$PACKETS"
printf '%-34s %10s %12s %12s\n' tool seconds "MB/s" "peak RSS MB"
row() { awk -v n="$1" -v s="$2" -v kb="$3" -v b="$BYTES" 'BEGIN { printf "%-34s %10.2f %12.1f %12.1f\n", n, s, (s > 0 ? b / s / 1e6 : 0), kb / 1024 }'; }
row "otscan --no-detect" "$OT_S" "$OT_KB"
row "otscan --no-detect -o pdus >/dev/null" "$OTP_S" "$OTP_KB"
row "otscan (with detection)" "$OTD_S" "$OTD_KB"

status=0
if [ -z "${SKIP_TSHARK:-}" ]; then
    read -r TS_S TS_KB < <(measure tshark -r "$OUT" -T fields -e modbus.func_code)
    row "tshark -T fields -e modbus.func_code" "$TS_S" "$TS_KB"
    awk -v t="$TS_S" -v o="$OT_S" -v p="$OTP_S" -v d="$OTD_S" 'BEGIN { printf "speed-up over tshark: %.1fx (decoding), %.1fx (decoding + JSON), %.1fx (with detection)\n", t / o, t / p, t / d }'
    awk -v t="$TS_S" -v o="$OT_S" 'BEGIN { exit !(t / o >= 50) }' || { echo "target missed: otscan < 50x tshark"; status=1; }
fi
awk -v kb="$OT_KB" -v kp="$OTP_KB" -v kd="$OTD_KB" 'BEGIN { exit !(kb < 100 * 1024 && kp < 100 * 1024 && kd < 100 * 1024) }' || { echo "target missed: peak RSS >= 100 MB"; status=1; }
[ -n "${KEEP:-}" ] || rm -f "$OUT"
exit $status
