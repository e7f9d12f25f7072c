#!/usr/bin/env python3
"""Merge scale benchmark (issue 7): generate shard reports that together hold 200,000 identities,
50,000 of them secrets found in code (each with a finding, as a scan writes them), with 5% of the
identities present in two shards with different facts (so the conflict path runs), then time
`nhiscan merge` over them: parse, merge by id, evaluate every posture rule again, write JSON.
Reports wall time, CPU time (user + system; on a shared machine wall time moves with the load,
printed beside it) and peak RSS (target: < 5 s, < 2 GiB). Deterministic (seeded).

usage: benches/merge_scale.py [--identities N] [--secrets N] [--shards N] [--keep DIR]
       (NHISCAN=path/to/binary, default target/release/nhiscan)
"""
import argparse, hashlib, json, os, random, re, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("--identities", type=int, default=200000)
ap.add_argument("--secrets", type=int, default=50000)
ap.add_argument("--shards", type=int, default=8)
ap.add_argument("--overlap", type=float, default=0.05, help="share of identities in two shards")
ap.add_argument("--keep", help="write the shards here and keep them")
a = ap.parse_args()

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
nhiscan = os.environ.get("NHISCAN", os.path.join(root, "target/release/nhiscan"))
rng = random.Random(11)
DETECTORS = [("aws.access-key-id", "AWS access key ID", "aws", "cloud", "aws.access_key", "access_key"),
             ("github.classic-pat", "GitHub personal access token (classic)", "github", "vcs", "github.token", "token"),
             ("slack.bot-token", "Slack bot token", "slack", "messaging", "slack.token", "token"),
             ("generic.password-assignment", "Password assigned in code", "generic", "generic", "generic.password", "password")]
FLAGS = ["cluster_admin", "wildcard", "secrets_read", "escalate_bind", "impersonate", "pods_exec", "token_create"]


def ts(days_ago):
    t = 1772323200 - days_ago * 86400  # 2026-03-01
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def secret_identity(i):
    det, name, svc, cat, kind, ckind = DETECTORS[i % len(DETECTORS)]
    h = "%064x" % rng.getrandbits(256)
    if i % 8 == 0:  # an AWS key id that is also an IAM user's access key: the join runs
        h = hashlib.sha256(iam_key_id(50001 + 3 * (i // 8)).encode()).hexdigest()
    locs = [{"path": f"svc-{i % 997}/src/config_{j}.py", "line": rng.randint(1, 400), "column": 9,
             "snippet": "TOKEN = \"abcd…[40 chars]\""} for j in range(1 + i % 3)]
    return {"id": f"repo:{h[:16]}", "kind": kind, "source": "repo", "name": f"{name} abcd…[40 chars]",
            "credentials": [{"id": f"sha256:{h[:16]}", "kind": ckind, "status": "unknown",
                             "found": {"first_seen_at": ts(rng.randint(1, 300)), "detector": det, "detector_name": name, "service": svc, "category": cat,
                                       "confidence": "high", "secret_sha256": h, "redacted": "abcd…[40 chars]",
                                       "locations": locs}}]}


def iam_key_id(i):
    return f"AKIA{i:016d}"


def other_identity(i):
    r = i % 3
    if r == 0:
        return {"id": f"arn:aws:iam::{100000000000 + i % 40}:user/svc-{i}", "kind": "aws.user", "source": "aws",
                "name": f"svc-{i}", "created_at": ts(rng.randint(1, 1500)), "last_used_at": ts(rng.randint(0, 400)),
                "labels": {"team": f"team-{i % 60}"} if i % 2 else {},
                "permissions": {"actions": ["s3:GetObject", "sts:AssumeRole"], "flags": ["admin"] if i % 50 == 0 else []},
                "credentials": [{"id": iam_key_id(i), "kind": "access_key", "status": "active",
                                 "created_at": ts(rng.randint(1, 900)), "last_used_at": ts(rng.randint(0, 300))}]}
    if r == 1:
        flags = rng.sample(FLAGS, rng.randint(0, 3))
        return {"id": f"k8s:cluster-{i % 12}/ns-{i % 300}/sa-{i}", "kind": "k8s.service_account", "source": "kubernetes",
                "name": f"ns-{i % 300}/sa-{i}", "last_used_at": ts(rng.randint(0, 400)),
                "labels": {"owner": f"team-{i % 60}"} if i % 3 == 0 else {},
                "permissions": {"actions": ["get,list pods (namespace)"], "flags": flags},
                "attributes": {"automount_token": i % 2 == 0, "bindings": [f"RoleBinding ns-{i % 300}/rb-{i}"]}}
    return {"id": f"github:acme/app/{i}", "kind": "github.app_installation", "source": "github", "name": f"app-{i}",
            "created_at": ts(rng.randint(1, 1500)), "permissions": {"actions": ["contents:write"]}}


def finding_for(ident):
    f = ident["credentials"][0]["found"]
    return {"rule_id": "repo.hardcoded-token", "title": "Service token or API key hardcoded in source",
            "severity": "high", "identity_id": ident["id"], "message": f"{f['detector_name']} is hardcoded",
            "remediation": "Revoke the token.", "evidence": {"detector": f["detector"], "redacted": f["redacted"]},
            "locations": f["locations"][:1], "fingerprint": "%032x" % rng.getrandbits(128)}


out_dir = a.keep or tempfile.mkdtemp(prefix="nhiscan-merge-")
os.makedirs(out_dir, exist_ok=True)
t0 = time.time()
shards = [{"identities": [], "findings": []} for _ in range(a.shards)]
for i in range(a.identities):
    ident = secret_identity(i) if i < a.secrets else other_identity(i)
    s = i % a.shards
    shards[s]["identities"].append(ident)
    if i < a.secrets:
        shards[s]["findings"].append(finding_for(ident))
    if rng.random() < a.overlap:  # the same identity, seen again by the next shard, a day later
        dup = json.loads(json.dumps(ident))
        if "last_used_at" in dup:
            dup["last_used_at"] = ts(0)
        dup.setdefault("labels", {})["seen_by"] = "second-shard"
        shards[(s + 1) % a.shards]["identities"].append(dup)
paths = []
for n, sh in enumerate(shards):
    rep = {"schema_version": "1", "tool": {"name": "nhiscan", "version": "0.1.0"},
           "started_at": ts(0).replace("00:00:00", f"01:{n:02d}:00"), "finished_at": ts(0).replace("00:00:00", f"02:{n:02d}:00"),
           "sources": [{"source": "repo", "target": f"shard-{n}", "status": "complete", "stats": {}}],
           "identities": sh["identities"], "findings": sh["findings"],
           "summary": {"identities": len(sh["identities"]), "credentials": 0, "findings": len(sh["findings"]),
                       "findings_by_severity": {}, "new_findings": 0}}
    p = os.path.join(out_dir, f"shard-{n}.json")
    with open(p, "w") as f:
        json.dump(rep, f)
    paths.append(p)
entries = sum(len(s["identities"]) for s in shards)
size = sum(os.path.getsize(p) for p in paths)
print(f"generated {a.shards} shards, {entries} identity entries ({a.identities} unique, {a.secrets} found secrets), "
      f"{size / 1e6:.0f} MB, in {time.time() - t0:.1f} s", file=sys.stderr)

merged = os.path.join(out_dir, "merged.json")
cmd = ["/usr/bin/time", "-v", nhiscan, "merge", *paths, "-q", "--fail-on", "none", "-o", merged]
load = os.getloadavg()[0]
t = time.time()
p = subprocess.run(cmd, capture_output=True, text=True)
wall = time.time() - t
if p.returncode != 0:
    sys.exit(f"nhiscan merge exited {p.returncode}:\n{p.stderr}")
rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
cpu = sum(float(re.search(rf"{k} time \(seconds\): ([\d.]+)", p.stderr).group(1)) for k in ("User", "System"))
with open(merged) as f:
    m = json.load(f)
joined = sum(1 for i in m["identities"] if "iam_identity" in i.get("attributes", {}))
result = {"identities": m["summary"]["identities"], "findings": m["summary"]["findings"], "joined_keys": joined,
          "conflict_notes": sum(1 for n in m.get("notes", []) if n["level"] == "info"),
          "input_mb": round(size / 1e6), "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_rss_mib": round(rss_kb / 1024),
          "cpus": os.cpu_count(), "load_average_before": round(load, 2)}
print(json.dumps(result))
assert m["summary"]["identities"] == a.identities, "merged identities != unique identities generated"
if not a.keep:
    for q in paths + [merged]:
        os.remove(q)
    os.rmdir(out_dir)
