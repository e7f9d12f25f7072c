#!/usr/bin/env python3
"""HTML report benchmark (issue 7): generate a report with 10,000 findings (5,000 identities with
two findings each, evidence and locations as scans write them), render it with
`nhiscan merge GEN.json --no-rules -o report.html` (input findings kept as they are), and load it
in headless Chromium. Reports the file size, the render time the page measures itself (parse the
embedded JSON, build tables and charts: body[data-render-ms]) and Chromium's wall time to load and
dump the page, next to its wall time for an empty page (start-up cost), and the time from navigation
start to the end of the script (body[data-load-ms]: read and parse the file, run the script). Deterministic (seeded).

usage: benches/html_report.py [--findings N] [--runs N]
       (NHISCAN=path/to/binary, default target/release/nhiscan; CHROMIUM, default /usr/bin/chromium)
"""
import argparse, json, os, random, re, statistics, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("--findings", type=int, default=10000)
ap.add_argument("--runs", type=int, default=3)
a = ap.parse_args()
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
nhiscan = os.environ.get("NHISCAN", os.path.join(root, "target/release/nhiscan"))
chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
rng = random.Random(5)
SEV = ["critical", "high", "high", "medium", "medium", "low", "info"]

identities, findings = [], []
for i in range(a.findings // 2):
    h = "%064x" % rng.getrandbits(256)
    ident = {"id": f"repo:{h[:16]}", "kind": "github.token", "source": ["repo", "aws", "kubernetes", "github"][i % 4],
             "name": f"GitHub token ghp_…[40 chars] #{i}", "created_at": f"202{rng.randint(2, 5)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T00:00:00Z",
             "credentials": [{"id": f"sha256:{h[:16]}", "kind": "token", "status": "unknown"}]}
    if i % 3:
        ident["last_used_at"] = f"2026-0{rng.randint(1, 2)}-1{rng.randint(0, 9)}T00:00:00Z"
    if i % 4 == 0:
        ident["owner"] = {"name": f"team-{i % 40}", "source": "label", "detail": "owner"}
    identities.append(ident)
    for r in range(2):
        sev = rng.choice(SEV)
        findings.append({"rule_id": f"bench.rule-{(i + r) % 25}", "title": f"Benchmark rule {(i + r) % 25}", "severity": sev,
                         "identity_id": ident["id"], "message": f"token #{i} is hardcoded at src/app_{i}.py:{r + 3}",
                         "remediation": "Revoke the token at its provider and load it from a secret manager.",
                         "evidence": {"detector": "github.classic-pat", "secret_sha256": h, "redacted": "ghp_…[40 chars]"},
                         "locations": [{"path": f"src/app_{i}.py", "line": r + 3, "column": 9, "snippet": "T = \"ghp_…[40 chars]\""}],
                         "fingerprint": "%032x" % rng.getrandbits(128)})
report = {"schema_version": "1", "tool": {"name": "nhiscan", "version": "0.1.0"},
          "started_at": "2026-03-01T00:00:00Z", "finished_at": "2026-03-01T00:10:00Z",
          "sources": [{"source": "repo", "target": "bench", "status": "complete", "stats": {}}],
          "identities": identities, "findings": findings,
          "summary": {"identities": 0, "credentials": 0, "findings": 0, "findings_by_severity": {}, "new_findings": 0}}
work = tempfile.mkdtemp(prefix="nhiscan-html-")
gen, page, empty = (os.path.join(work, n) for n in ("gen.json", "report.html", "empty.html"))
with open(gen, "w") as f:
    json.dump(report, f)
with open(empty, "w") as f:
    f.write("<!DOCTYPE html><html><body>empty</body></html>")
t = time.time()
p = subprocess.run([nhiscan, "merge", gen, "--no-rules", "-q", "--fail-on", "none", "-o", page], capture_output=True, text=True)
render_s = time.time() - t
if p.returncode != 0:
    sys.exit(f"nhiscan merge exited {p.returncode}:\n{p.stderr}")


def load(path):
    t = time.time()
    dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update", "--disable-sync",
                          "--disable-dev-shm-usage", f"--user-data-dir={work}/profile", "--dump-dom", "file://" + path],
                         capture_output=True, text=True, timeout=300).stdout
    return time.time() - t, dom


walls, renders, loads = [], [], []
for _ in range(a.runs):
    wall, dom = load(page)
    if 'data-rendered="true"' not in dom or "data-error=" in dom:
        sys.exit("the page did not render")
    rows = dom.count('class="identity-row')
    assert rows == len(identities), (rows, len(identities))
    walls.append(wall)
    renders.append(int(re.search(r'data-render-ms="(\d+)"', dom).group(1)))
    loads.append(int(re.search(r'data-load-ms="(\d+)"', dom).group(1)))
empty_wall = statistics.median(load(empty)[0] for _ in range(a.runs))
print(json.dumps({"findings": len(findings), "identities": len(identities), "html_bytes": os.path.getsize(page),
                  "html_mib": round(os.path.getsize(page) / 2**20, 2), "nhiscan_render_s": round(render_s, 2),
                  "page_script_ms_median": statistics.median(renders),
                  "page_navigation_to_rendered_ms_median": statistics.median(loads),
                  "chromium_load_s_median": round(statistics.median(walls), 2),
                  "chromium_empty_page_s_median": round(empty_wall, 2)}))
for n in ("gen.json", "report.html", "empty.html"):
    os.remove(os.path.join(work, n))
subprocess.run(["rm", "-rf", work])
