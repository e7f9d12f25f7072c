#!/usr/bin/env bash
# Runs every test binary of `cargo test` again with the system clock moved (libfaketime) to
# three far-apart days: a leap day, the last seconds of a year, and ten years on. The suite pins
# its own clock (NHISCAN_NOW) wherever fixtures carry dates; this proves nothing else reads the
# calendar. Call after `cargo test` has built the binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
bins=$(cargo test --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["profile"]["test"]:
        print(m["executable"])')
[ -n "$bins" ] || { echo "no test binaries found"; exit 1; }
lib=$(dpkg -L libfaketime 2>/dev/null | grep -m1 'libfaketime.so.1$') || true
[ -n "$lib" ] || { echo "libfaketime is not installed (apt-get install faketime)"; exit 1; }
# Monotonic time stays real: timeouts and deadlines in the tests measure real waits.
export FAKETIME_DONT_FAKE_MONOTONIC=1
# The clock moves by an offset, not to a fixed start: every process (the test harness, nhiscan,
# moto, git) then reads the same moved clock, however late it starts.
# Each day also runs in another time zone: reports and rules speak UTC whatever TZ says.
for run in "2028-02-29 12:00:00|America/Adak" "2026-12-31 23:59:00|Pacific/Kiritimati" "2036-12-02 09:00:00|Asia/Kathmandu"; do
  day=${run%|*}; export TZ=${run#*|}
  offset=$(( $(date -u -d "$day" +%s) - $(date -u +%s) ))
  [ "$offset" -ge 0 ] && offset="+$offset"
  echo "== the whole suite from $day UTC (clock offset ${offset}s, TZ=$TZ)"
  LD_PRELOAD="$lib" FAKETIME="$offset" date -u '+   system clock reads %Y-%m-%dT%H:%M:%SZ'
  for b in $bins; do
    LD_PRELOAD="$lib" FAKETIME="$offset" "$b" --quiet
  done
done
