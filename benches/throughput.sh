#!/usr/bin/env bash
# Throughput of `nhiscan scan repo` against ripgrep searching the same tree for the same keywords.
#
#   benches/throughput.sh                      # build the tree if needed, then measure
#   BENCH_TREE=/data/tree BENCH_MIN_MB=1000 benches/throughput.sh
#
# Environment:
#   BENCH_TREE    tree to scan (default /tmp/nhiscan-bench-tree); built when absent
#   BENCH_MIN_MB  minimum tree size in MB (default 500)
#   BENCH_RUNS    timed runs per tool (default 2)
#   NHISCAN       scanner binary (default target/release/nhiscan)
#   RG            ripgrep binary (default: rg on PATH; installed with apt-get when missing)
#
# The tree is real source text: copies of the cargo registry sources and of the Python stdlib
# (site-packages and __pycache__ excluded) until it reaches BENCH_MIN_MB. Files nhiscan would skip
# and ripgrep would not (binary: NUL in the first 8 KiB; larger than 25 MiB; symlinks; .git) are
# removed while building, so both tools read the same files; the bytes each tool reports having
# searched are printed to show it.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TREE=${BENCH_TREE:-/tmp/nhiscan-bench-tree}
TREE=${TREE%/}
MIN_MB=${BENCH_MIN_MB:-500}
RUNS=${BENCH_RUNS:-2}
NHISCAN=${NHISCAN:-$ROOT/target/release/nhiscan}
WORK="${TREE}.work"          # keywords, reports, logs: outside the tree so neither tool scans them
STAMP="$TREE/.nhiscan-bench-tree"
DONE="${TREE}.complete"

die() { echo "throughput: $*" >&2; exit 2; }

[ -x "$NHISCAN" ] || die "scanner not found at $NHISCAN (cargo build --release, or set NHISCAN)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"
RG=${RG:-$(command -v rg || true)}
if [ -z "$RG" ]; then
    echo "ripgrep not found; installing it with apt-get" >&2
    if [ "$(id -u)" = 0 ]; then apt-get install -y ripgrep >&2; else sudo apt-get install -y ripgrep >&2; fi
    RG=$(command -v rg) || die "could not install ripgrep"
fi
mkdir -p "$WORK"

# ------------------------------------------------------------------ tree
build_tree() {
    if [ -e "$TREE" ]; then
        [ -e "$STAMP" ] || die "$TREE exists and was not built by this script; move it or set BENCH_TREE"
        echo "removing incomplete tree $TREE" >&2
        rm -rf -- "$TREE"
    fi
    mkdir -p "$TREE"
    echo "built by benches/throughput.sh" > "$STAMP"
    local stdlib registry=()
    stdlib=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
    for d in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do [ -d "$d" ] && registry+=("$d"); done
    [ "${#registry[@]}" -gt 0 ] || echo "warning: no cargo registry sources under ${CARGO_HOME:-$HOME/.cargo}/registry/src" >&2
    local round=0 size=0
    while :; do
        round=$((round + 1))
        for i in "${!registry[@]}"; do
            echo "copy $round: ${registry[$i]}" >&2
            mkdir -p "$TREE/r$round/cargo-$i"
            tar -C "${registry[$i]}" --exclude=.git -cf - . | tar -C "$TREE/r$round/cargo-$i" -xf -
        done
        echo "copy $round: $stdlib" >&2
        mkdir -p "$TREE/r$round/python"
        tar -C "$stdlib" --exclude=site-packages --exclude=__pycache__ --exclude=.git -cf - . | tar -C "$TREE/r$round/python" -xf -
        # keep only what both tools read the same way
        python3 - "$TREE/r$round" <<'PY'
import os, sys
removed = 0
for dirpath, dirnames, filenames in os.walk(sys.argv[1]):
    if ".git" in dirnames:
        dirnames.remove(".git")
    for name in filenames:
        p = os.path.join(dirpath, name)
        try:
            if os.path.islink(p) or os.path.getsize(p) > 25 * 1024 * 1024:
                os.unlink(p); removed += 1; continue
            with open(p, "rb") as f:
                if b"\0" in f.read(8192):
                    os.unlink(p); removed += 1
        except OSError:
            try:
                os.unlink(p); removed += 1
            except OSError:
                pass
print(f"  removed {removed} binary/large/special files", file=sys.stderr)
PY
        size=$(find "$TREE" -type f -printf '%s\n' | awk '{s += $1} END {printf "%d", s}')
        echo "  tree is now $((size / 1000000)) MB" >&2
        [ "$size" -ge $((MIN_MB * 1000000)) ] && break
        [ "$round" -ge 50 ] && die "tree stays under ${MIN_MB} MB after 50 copies; nothing to copy?"
    done
    touch "$DONE"
}
if [ ! -e "$DONE" ] || [ ! -d "$TREE" ]; then build_tree; fi

TREE_BYTES=$(find "$TREE" -type f -printf '%s\n' | awk '{s += $1} END {printf "%d", s}')
TREE_FILES=$(find "$TREE" -type f | wc -l)

# ------------------------------------------------------------------ keywords
KW="$WORK/keywords.txt"
python3 - "$ROOT/rules/secrets" "$KW" <<'PY'
import glob, os, sys
try:
    import yaml
except ImportError:
    sys.exit("throughput: PyYAML is needed to read the rules (pip install pyyaml)")
rules_dir, out = sys.argv[1], sys.argv[2]
kws, files = set(), sorted(glob.glob(os.path.join(rules_dir, "**", "*.yaml"), recursive=True))
for path in files:
    with open(path) as f:
        doc = yaml.safe_load(f) or {}
    for det in doc.get("detectors", []) or []:
        for k in det.get("keywords", []) or []:
            kws.add(str(k).lower())
if not kws:
    sys.exit(f"throughput: no keywords found in {rules_dir}/*.yaml")
with open(out, "w") as f:
    f.write("\n".join(sorted(kws)) + "\n")
print(f"{len(kws)} keywords from {len(files)} rule files", file=sys.stderr)
PY

# ------------------------------------------------------------------ measure
echo "warming the page cache ($((TREE_BYTES / 1000000)) MB, $TREE_FILES files)" >&2
find "$TREE" -type f -print0 | xargs -0 cat > /dev/null

# timed NAME LOG CMD...: wall seconds (from bash's clock), peak RSS and CPU from /usr/bin/time -v
timed() {
    local name=$1 log=$2; shift 2
    local t0 t1 rc=0
    t0=$EPOCHREALTIME
    /usr/bin/time -v -o "$log.time" "$@" > "$log.out" 2> "$log.err" || rc=$?
    t1=$EPOCHREALTIME
    python3 - "$name" "$t0" "$t1" "$log.time" "$rc" <<'PY'
import sys
name, t0, t1, tf, rc = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
d = {}
for line in open(tf):
    if ":" in line:
        k, _, v = line.strip().rpartition(": ")
        d[k] = v
print(f"{name}\t{t1 - t0:.3f}\t{d.get('Maximum resident set size (kbytes)', '0')}\t"
      f"{float(d.get('User time (seconds)', 0)) + float(d.get('System time (seconds)', 0)):.2f}\t{rc}")
PY
}

RESULTS="$WORK/results.tsv"
: > "$RESULTS"
RG_CMD=("$RG" -uuu -i -c -F -f "$KW" --stats "$TREE")
NH_CMD=("$NHISCAN" scan repo "$TREE" --no-ignore --format json --fail-on none -q -o /dev/null)
echo "rg:      ${RG_CMD[*]}" >&2
echo "nhiscan: ${NH_CMD[*]}" >&2
for run in $(seq 1 "$RUNS"); do
    timed rg "$WORK/rg.$run" "${RG_CMD[@]}" >> "$RESULTS"
    timed nhiscan "$WORK/nhiscan.$run" "${NH_CMD[@]}" >> "$RESULTS"
done
# one untimed run with a report, for the bytes and files nhiscan actually scanned
"$NHISCAN" scan repo "$TREE" --no-ignore --format json --fail-on none -q -o "$WORK/nhiscan-report.json" 2> "$WORK/nhiscan-report.err" || true

if command -v hyperfine > /dev/null; then
    hyperfine --warmup 1 --runs 3 --ignore-failure --export-json "$WORK/hyperfine.json" \
        -n rg "$(printf '%q ' "${RG_CMD[@]}") > /dev/null" -n nhiscan "$(printf '%q ' "${NH_CMD[@]}")" >&2 || true
fi

python3 - "$RESULTS" "$TREE_BYTES" "$TREE_FILES" "$WORK" "$TREE" <<'PY'
import json, os, re, sys
results, tree_bytes, tree_files, work, tree = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
runs = {"rg": [], "nhiscan": []}
for line in open(results):
    name, wall, rss, cpu, rc = line.rstrip("\n").split("\t")
    runs[name].append({"wall": float(wall), "rss_kb": int(rss), "cpu": float(cpu), "rc": int(rc)})

def rg_bytes():
    try:
        text = open(os.path.join(work, "rg.1.out"), errors="replace").read()[-4000:]
    except OSError:
        return None, None
    b = re.search(r"(\d+) bytes searched", text)
    f = re.search(r"(\d+) files searched", text)
    return (int(b.group(1)) if b else None), (int(f.group(1)) if f else None)

def nh_bytes():
    try:
        rep = json.load(open(os.path.join(work, "nhiscan-report.json")))
    except (OSError, ValueError):
        return None, None, None
    for s in rep.get("sources", []):
        st = s.get("stats") or {}
        if st:
            return st.get("bytes_scanned"), st.get("files_scanned"), st
    return None, None, None

mb = tree_bytes / 1e6
print(f"tree      {tree}: {tree_files} files, {mb:.1f} MB (MB = 10^6 bytes), page cache warm")
print(f"cores     {os.cpu_count()} (load average {os.getloadavg()[0]:.2f}); both tools use all cores by default")
print()
best = {}
for name in ("rg", "nhiscan"):
    rs = runs[name]
    if not rs:
        continue
    b = min(rs, key=lambda r: r["wall"])
    best[name] = b
    walls = ", ".join(f"{r['wall']:.2f}s" for r in rs)
    rcs = ", ".join(str(r["rc"]) for r in rs)
    print(f"{name:8s}  best {b['wall']:7.2f}s  {mb / b['wall']:8.1f} MB/s   runs: {walls}   cpu {b['cpu']:.1f}s   "
          f"peak RSS {b['rss_kb'] / 1024:.0f} MiB   exit {rcs}")
print()
rb, rf = rg_bytes()
nb, nf, st = nh_bytes()
print(f"bytes seen: rg {rb if rb is not None else '?'} in {rf if rf is not None else '?'} files;  "
      f"nhiscan {nb if nb is not None else '?'} in {nf if nf is not None else '?'} files;  tree {tree_bytes} in {tree_files} files")
if st:
    print(f"nhiscan skipped: {st.get('files_skipped_binary', 0)} binary, {st.get('files_skipped_large', 0)} large, "
          f"{st.get('files_skipped_allowed', 0)} allowed, {st.get('files_failed', 0)} failed")
if "rg" in best and "nhiscan" in best:
    ratio = best["nhiscan"]["wall"] / best["rg"]["wall"]
    print()
    print(f"ratio     nhiscan takes {ratio:.2f}x rg's time ({(mb / best['nhiscan']['wall']) / (mb / best['rg']['wall']):.0%} of rg's MB/s)")
    print(f"nhiscan peak RSS {best['nhiscan']['rss_kb'] / 1024:.0f} MiB")
    json.dump({"tree_bytes": tree_bytes, "tree_files": tree_files, "runs": runs,
               "rg_mb_s": mb / best["rg"]["wall"], "nhiscan_mb_s": mb / best["nhiscan"]["wall"], "ratio": ratio,
               "nhiscan_peak_rss_kb": best["nhiscan"]["rss_kb"], "rg_bytes": rb, "nhiscan_bytes": nb},
              open(os.path.join(work, "summary.json"), "w"), indent=2)
    print(f"(details in {work}/summary.json)")
PY
