#!/usr/bin/env python3
"""Precision/recall of nhiscan's secret detectors on the labelled corpus.

    python3 benches/precision_recall.py                 # runs $NHISCAN (default target/release/nhiscan)
    python3 benches/precision_recall.py --json          # the numbers as JSON
    python3 benches/precision_recall.py --report r.json # score an existing JSON report instead

The corpus is not committed: when benches/corpus/files/ or labels.json is missing this script first
runs `python3 benches/corpus/make_corpus.py` (~20 s), which builds it from the installed Python
standard library plus seeded synthetic projects (see benches/README.md; --regenerate forces it).
Then it runs `$NHISCAN scan repo benches/corpus/files --format json --fail-on none -q` from the
repository root and scores every credential location in the report against benches/corpus/labels.json:

* a labelled positive is found when a reported location has its path and line (for a multi-line
  secret, a PEM block, any line within the block's first line +-1);
* a reported location matching no positive is a false positive; it is attributed to its detector
  and flagged when it sits on a labelled hard negative (or inside one, for multi-line negatives);
* precision counts distinct (path, line) locations, so two detectors reporting the same line count
  once; per-detector false positives count every (detector, path, line).

"strict" recall additionally requires the reported secret_sha256 to equal the labelled secret's hash
(or one of its alternates: the whole URL instead of the password, escaped vs raw PEM...): it shows
whether a detector captured the right span, not just the right line. Exit status is 0 whatever the
numbers are (2 when the scanner cannot be run or its output is not a report).
"""
import argparse
import collections
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS = HERE / "corpus" / "files"
LABELS = HERE / "corpus" / "labels.json"
GENERATOR = HERE / "corpus" / "make_corpus.py"


def ensure_corpus(corpus, labels, force=False):
    """Generate the default corpus when it (or its labels) is missing; a custom --corpus/--labels must exist."""
    default = corpus.resolve() == CORPUS and labels.resolve() == LABELS
    if not force and corpus.is_dir() and labels.is_file():
        return
    if not default:
        print(f"precision_recall: {corpus if not corpus.is_dir() else labels} not found (only the default corpus is "
              f"generated on demand: python3 {GENERATOR.relative_to(REPO)} --out DIR)", file=sys.stderr)
        sys.exit(2)
    why = "--regenerate" if force else "benches/corpus/files or labels.json missing"
    print(f"generating the corpus ({why}): {sys.executable} {GENERATOR.relative_to(REPO)}", file=sys.stderr)
    p = subprocess.run([sys.executable, str(GENERATOR)], cwd=REPO, stdout=subprocess.DEVNULL)
    if p.returncode != 0:
        print(f"precision_recall: make_corpus.py exited {p.returncode}", file=sys.stderr)
        sys.exit(2)


def secret_hash(found):
    """The secret's SHA-256: reported for high-entropy secrets, else computed from `--reveal`."""
    if found.get("secret_sha256"):
        return found["secret_sha256"]
    if found.get("secret") is not None:
        return hashlib.sha256(found["secret"].encode()).hexdigest()
    return ""


def run_scanner(binary, corpus):
    # --reveal: low-entropy secrets carry a keyed hash, not secret_sha256 (issue 18.5), so strict
    # recall hashes the revealed value itself. The report stays in this process's memory.
    cmd = [binary, "scan", "repo", str(corpus), "--format", "json", "--fail-on", "none", "-q", "--reveal"]
    extra = os.environ.get("NHISCAN_ARGS", "").split()
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd + extra, cwd=REPO, capture_output=True, text=True)
    except FileNotFoundError:
        print(f"precision_recall: scanner not found: {binary} (build it with `cargo build --release` or set NHISCAN)", file=sys.stderr)
        sys.exit(2)
    elapsed = time.monotonic() - t0
    try:
        report = json.loads(p.stdout)
    except json.JSONDecodeError:
        sys.stderr.write(p.stderr[-4000:])
        print(f"precision_recall: `{' '.join(cmd)}` exited {p.returncode} without a JSON report on stdout", file=sys.stderr)
        sys.exit(2)
    if p.returncode not in (0, 1, 3):
        print(f"warning: scanner exited {p.returncode}", file=sys.stderr)
    if p.stderr.strip():
        print("scanner stderr: " + p.stderr.strip()[-2000:], file=sys.stderr)
    return report, elapsed, " ".join(cmd + extra)


def norm_path(path, corpus):
    path = path.replace("\\", "/")
    for prefix in (str(corpus).replace("\\", "/") + "/", "benches/corpus/files/", "./"):
        if path.startswith(prefix):
            path = path[len(prefix):]
    return path


def reported_locations(report, corpus):
    """Distinct (detector, path, line, sha, confidence) over every credential that carries `found`."""
    seen, out = set(), []
    for ident in report.get("identities", []):
        for cred in ident.get("credentials", []):
            f = cred.get("found")
            if not f:
                continue
            for loc in f.get("locations", []):
                key = (f.get("detector", "?"), norm_path(loc.get("path", ""), corpus), int(loc.get("line", 0)), secret_hash(f))
                if key not in seen:
                    seen.add(key)
                    out.append({"detector": key[0], "path": key[1], "line": key[2], "sha": key[3],
                                "confidence": f.get("confidence", "?")})
    return out


def window(label):
    """Reported lines that count as hitting this label."""
    if "end_line" in label:
        return label["line"] - 1, label["line"] + 1
    return label["line"], label["line"]


def score(labels, locs):
    pos_by_path = collections.defaultdict(list)
    for i, p in enumerate(labels["positives"]):
        pos_by_path[p["path"]].append(i)
    neg_by_path = collections.defaultdict(list)
    for n in labels["negatives"]:
        neg_by_path[n["path"]].append(n)

    found, strict = set(), set()
    found_by = collections.defaultdict(collections.Counter)   # positive type -> detector -> n
    line_tp, line_fp = set(), set()
    fps = []
    for loc in locs:
        hits = []
        for i in pos_by_path.get(loc["path"], ()):
            lo, hi = window(labels["positives"][i])
            if lo <= loc["line"] <= hi:
                hits.append(i)
        if hits:
            line_tp.add((loc["path"], loc["line"]))
            for i in hits:
                p = labels["positives"][i]
                if i not in found:
                    found_by[p["type"]][loc["detector"]] += 1
                found.add(i)
                if loc["sha"] and (loc["sha"] == p["secret_sha256"] or loc["sha"] in p.get("alt_secret_sha256", ())):
                    strict.add(i)
            continue
        neg = next((n for n in neg_by_path.get(loc["path"], ())
                    if n["line"] - (1 if "end_line" in n else 0) <= loc["line"] <= n.get("end_line", n["line"])), None)
        inside = next((labels["positives"][i] for i in pos_by_path.get(loc["path"], ())
                       if "end_line" in labels["positives"][i]
                       and labels["positives"][i]["line"] <= loc["line"] <= labels["positives"][i]["end_line"]), None)
        near = next((labels["positives"][i] for i in pos_by_path.get(loc["path"], ())
                     if abs(labels["positives"][i]["line"] - loc["line"]) <= 3), None)
        fps.append({**loc, "negative": neg["type"] if neg else None,
                    "note": ("inside labelled " + inside["type"] + " block") if inside else
                            (f"{near['line'] - loc['line']:+d} lines from labelled {near['type']}") if near else
                            ("unlabelled original stdlib content" if loc["path"].startswith("python/") and not neg else None)})
    for fp in fps:
        line_fp.add((fp["path"], fp["line"]))
    line_fp -= line_tp
    return found, strict, found_by, line_tp, line_fp, fps


def main():
    ap = argparse.ArgumentParser(description="Precision/recall of nhiscan on benches/corpus.")
    ap.add_argument("--json", action="store_true", help="print the numbers as JSON")
    ap.add_argument("--report", type=Path, help="score this JSON report instead of running the scanner")
    ap.add_argument("--labels", type=Path, default=LABELS)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--show", type=int, default=40, help="false positives / misses listed in text output (default 40)")
    ap.add_argument("--regenerate", action="store_true", help="run benches/corpus/make_corpus.py first even if the corpus exists")
    args = ap.parse_args()

    if not args.report or args.regenerate or not args.labels.is_file():
        ensure_corpus(args.corpus, args.labels, force=args.regenerate)
    labels = json.loads(args.labels.read_text())
    meta = labels.get("meta", {})
    if args.report:
        report, elapsed, cmd = json.loads(args.report.read_text()), None, f"(report {args.report})"
    else:
        binary = os.environ.get("NHISCAN", "target/release/nhiscan")
        if not os.path.isabs(binary) and "/" in binary:
            binary = str(REPO / binary)
        report, elapsed, cmd = run_scanner(binary, args.corpus)
    if not isinstance(report, dict) or "identities" not in report:
        print("precision_recall: not an nhiscan JSON report (no `identities`)", file=sys.stderr)
        return 2

    locs = reported_locations(report, args.corpus)
    found, strict, found_by, line_tp, line_fp, fps = score(labels, locs)
    P = labels["positives"]
    n_pos = len(P)
    tp, fp = len(line_tp), len(line_fp)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = len(found) / n_pos if n_pos else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    per_type = {}
    for i, p in enumerate(P):
        d = per_type.setdefault(p["type"], {"total": 0, "found": 0, "strict": 0})
        d["total"] += 1
        d["found"] += i in found
        d["strict"] += i in strict
    for t, d in per_type.items():
        d["recall"] = round(d["found"] / d["total"], 4)
        d["detectors"] = dict(found_by[t].most_common())
    fp_by_det = collections.Counter(f["detector"] for f in fps)
    fp_neg_by_det = collections.Counter(f["detector"] for f in fps if f["negative"])
    neg_hit_lines = {(f["path"], f["line"], f["negative"]) for f in fps if f["negative"]}
    neg_hit_by_type = collections.Counter(t for _, _, t in neg_hit_lines)
    neg_total_by_type = collections.Counter(n["type"] for n in labels["negatives"])
    missed = [p for i, p in enumerate(P) if i not in found]
    stats = next((s.get("stats") for s in report.get("sources", []) if s.get("stats")), None)

    result = {
        "scanner": cmd, "scan_seconds": round(elapsed, 3) if elapsed is not None else None,
        "corpus": {k: meta.get(k) for k in ("python", "corpus_sha256", "reference")},
        "positives": n_pos, "negatives": len(labels["negatives"]), "reported_locations": len(locs),
        "found": len(found), "strict_found": len(strict), "tp_lines": tp, "fp_lines": fp,
        "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
        "strict_recall": round(len(strict) / n_pos, 4) if n_pos else 0.0,
        "negatives_hit": len(neg_hit_lines),
        "per_type": dict(sorted(per_type.items())),
        "fp_by_detector": dict(fp_by_det.most_common()),
        "fp_on_labelled_negatives_by_detector": dict(fp_neg_by_det.most_common()),
        "negatives_hit_by_type": {t: {"hit": neg_hit_by_type.get(t, 0), "total": n} for t, n in sorted(neg_total_by_type.items())},
        "false_positives": [{k: f[k] for k in ("detector", "path", "line", "confidence", "negative", "note")} for f in fps],
        "missed": [{k: p[k] for k in ("type", "path", "line")} for p in missed],
        "scan_stats": stats,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0

    print(f"scanner   {cmd}" + (f"  ({elapsed:.2f}s)" if elapsed is not None else ""))
    if stats:
        print(f"scanned   {stats.get('files_scanned')} files, {stats.get('bytes_scanned')} bytes "
              f"(skipped: {stats.get('files_skipped_binary', 0)} binary, {stats.get('files_skipped_large', 0)} large, "
              f"{stats.get('files_skipped_allowed', 0)} allowed)")
    print(f"labels    {n_pos} positives over {len(per_type)} types, {len(labels['negatives'])} hard negatives")
    print(f"corpus    Python {meta.get('python', '?')}, sha256 {str(meta.get('corpus_sha256', '?'))[:16]}… "
          + ("(the reference corpus of benches/README.md)" if meta.get("reference") else
             "(NOT the reference corpus: figures not comparable to benches/README.md)"))
    print(f"reported  {len(locs)} locations ({tp} distinct lines on a positive, {fp} distinct lines on none)")
    print()
    print(f"precision {precision:7.2%}   recall {recall:7.2%}   F1 {f1:7.2%}   "
          f"(strict recall, right secret span: {result['strict_recall']:.2%})")
    print(f"hard negatives reported: {len(neg_hit_lines)} of {len(labels['negatives'])}")
    print()
    print("recall by type                         found/total  recall  strict  detectors")
    for t, d in sorted(per_type.items(), key=lambda kv: (kv[1]["recall"], kv[0])):
        dets = ", ".join(f"{k}" + (f"x{v}" if v > 1 else "") for k, v in d["detectors"].items())
        print(f"  {t:38s} {d['found']:4d}/{d['total']:<4d} {d['recall']:7.0%} {d['strict'] / d['total']:7.0%}  {dets[:70]}")
    print()
    print("false positives by detector             total  on labelled negative")
    for det, n in fp_by_det.most_common():
        print(f"  {det:38s} {n:5d}  {fp_neg_by_det.get(det, 0):5d}")
    if not fp_by_det:
        print("  (none)")
    print()
    print("hard negatives reported, by type")
    for t, d in result["negatives_hit_by_type"].items():
        if d["hit"]:
            print(f"  {t:38s} {d['hit']:4d}/{d['total']}")
    if not neg_hit_lines:
        print("  (none)")
    if fps:
        print()
        print(f"false positives (first {min(args.show, len(fps))} of {len(fps)}; --json for all)")
        for f in sorted(fps, key=lambda f: (f["path"], f["line"]))[: args.show]:
            why = f"negative:{f['negative']}" if f["negative"] else (f["note"] or "unlabelled")
            print(f"  {f['detector']:32s} {f['path']}:{f['line']}  [{why}]")
    if missed:
        print()
        print(f"missed positives (first {min(args.show, len(missed))} of {len(missed)})")
        for p in missed[: args.show]:
            print(f"  {p['type']:32s} {p['path']}:{p['line']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
