#!/usr/bin/env bash
# History-scan benchmark (issue 3): a deterministic repository with thousands of commits, scanned
# with `nhiscan scan repo --history` (every unique blob once), compared per byte with a scan of the
# work tree, and with `git log -p | rg` over the union of all detector keywords as a reference.
# Prints MiB/s of unique blob data, wall time and peak RSS. Not a test: run it by hand.
#
#   benches/history.sh [COMMITS]        (default 5000; NHISCAN=path/to/binary)
#   benches/history.sh PATH [RUNS]      any repository (work tree, bare or mirror): nhiscan's
#                                       `--history` time and peak RSS against
#                                       `git cat-file --batch-all-objects --batch --unordered`
#                                       (inflating every object once) in the same run, RUNS times
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${NHISCAN:-target/release/nhiscan}
[ -x "$bin" ] || cargo build --release --no-default-features
if [ -d "${1:-}" ]; then
  repo=$(cd "$1" && pwd); runs=${2:-3}
  work=${BENCH_DIR:-/tmp/nhiscan-history-bench}; mkdir -p "$work"
  git -C "$repo" cat-file --batch-all-objects --batch-check='%(objecttype)' --unordered \
    | sort | uniq -c | tr '\n' ' '; echo
  echo "commits reachable from refs: $(git -C "$repo" rev-list --all | wc -l)"
  for i in $(seq "$runs"); do
    # Wall time, and CPU time (user + system): on a shared machine the CPU time is the steadier.
    /usr/bin/time -f "%e %U %S" -o "$work/cat.txt" \
      git -C "$repo" cat-file --batch-all-objects --batch --unordered > /dev/null
    /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$bin" scan repo "$repo" --history -f json \
      -q --fail-on none > "$work/out.json" 2> "$work/err.txt" || true
    read -r cat cu cs < "$work/cat.txt"
    read -r secs nu ns rss < "$work/time.txt"
    python3 - "$cat" "$cu" "$cs" "$secs" "$nu" "$ns" "$rss" "$work/out.json" <<'PY'
import json, sys
cat, cu, cs, secs, nu, ns, rss = map(float, sys.argv[1:8])
r = json.load(open(sys.argv[8]))
st = r["sources"][0]["stats"]
print(f"cat-file {cat:.2f} s ({cu+cs:.2f} s CPU) | nhiscan --history {secs:.2f} s = {secs/cat:.2f}x "
      f"({nu+ns:.2f} s CPU), peak RSS {rss/1024:.0f} MiB | {st['files_scanned']} blobs scanned, "
      f"{st['bytes_scanned']/1048576:.0f} MiB, {len(r['identities'])} secrets, "
      f"status {r['sources'][0]['status']} | load {open('/proc/loadavg').read().split()[0]}")
PY
  done
  exit 0
fi
commits=${1:-5000}
command -v rg >/dev/null || { apt-get install -y -qq ripgrep >/dev/null 2>&1 || true; }
work=${BENCH_DIR:-/tmp/nhiscan-history-bench}
repo=$work/repo-$commits
if [ ! -d "$repo/.git" ]; then
  rm -rf "$repo"; mkdir -p "$work"
  python3 benches/make_history_repo.py "$repo" --commits "$commits"
fi
"$bin" rules list --format json | python3 -c 'import json,sys; [print(k) for d in json.load(sys.stdin)["detectors"] for k in d["keywords"]]' | sort -u > "$work/keywords.txt"

measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > "$work/out.json" 2>/dev/null || true
  read -r secs rss < "$work/time.txt"
  echo "$label $secs $rss"
}

cat "$repo"/.git/objects/pack/* > /dev/null 2>&1 || true
read -r _ hs hrss < <(measure history "$bin" scan repo "$repo" --history -f json -q --fail-on none)
hbytes=$(python3 -c 'import json;r=json.load(open("'"$work"'/out.json"));print(r["sources"][0]["stats"]["bytes_scanned"])')
hfind=$(python3 -c 'import json;r=json.load(open("'"$work"'/out.json"));print(len(r["identities"]))')
read -r _ ws wrss < <(measure worktree "$bin" scan repo "$repo" -f json -q --fail-on none)
wbytes=$(python3 -c 'import json;r=json.load(open("'"$work"'/out.json"));print(r["sources"][0]["stats"]["bytes_scanned"])')
start=$(date +%s.%N)
(cd "$repo" && git log -p --all --no-color | rg -i -c -F -f "$work/keywords.txt" >/dev/null) || true
end=$(date +%s.%N)
python3 - "$commits" "$hs" "$hrss" "$hbytes" "$hfind" "$ws" "$wrss" "$wbytes" "$start" "$end" <<'PY'
import sys
c, hs, hrss, hb, hf, ws, wrss, wb, s, e = sys.argv[1:]
hs, ws, hb, wb = float(hs), float(ws), int(hb), int(wb)
ref = float(e) - float(s)
mib = lambda b: b / 1048576
print(f"commits                 {c}")
print(f"history: unique blobs   {mib(hb):.1f} MiB in {hs:.2f} s = {mib(hb)/hs:.1f} MiB/s, peak RSS {int(hrss)/1024:.0f} MiB, {hf} secrets")
print(f"work tree               {mib(wb):.1f} MiB in {ws:.2f} s = {mib(wb)/ws:.1f} MiB/s, peak RSS {int(wrss)/1024:.0f} MiB")
print(f"history / work tree     {(mib(wb)/ws)/(mib(hb)/hs):.2f}x slower per byte (target <= 3x)")
print(f"git log -p | rg         {ref:.2f} s (reference)")
PY
