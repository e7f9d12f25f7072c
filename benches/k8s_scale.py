#!/usr/bin/env python3
"""Kubernetes offline scale benchmark (issue 5): generate a cluster dump with 20,000 service
accounts, 50,000 bindings and 5,000 roles (a `kubectl get … -o json` List), then time
`nhiscan scan kubernetes --from DUMP` and report wall time and peak RSS. Deterministic (seeded).

usage: benches/k8s_scale.py [--sas N] [--bindings N] [--roles N]   (NHISCAN=path/to/binary)
"""
import argparse, json, os, random, re, subprocess, tempfile

ap = argparse.ArgumentParser()
ap.add_argument("--sas", type=int, default=20000)
ap.add_argument("--bindings", type=int, default=50000)
ap.add_argument("--roles", type=int, default=5000)
a = ap.parse_args()
rng = random.Random(7)
nss = [f"team-{i}" for i in range(200)]
verbs = [["get", "list", "watch"], ["create", "update", "patch"], ["*"], ["get"], ["create"]]
res = [["pods"], ["secrets"], ["configmaps"], ["deployments"], ["*"], ["pods/exec"], ["serviceaccounts/token"]]
items = []
for i in range(a.sas):
    ns = nss[i % len(nss)]
    md = {"name": f"sa-{i}", "namespace": ns}
    if i % 3 == 0:
        md["labels"] = {"owner": f"team-{i % 50}"}
    items.append({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": md})
    if i % 4 == 0:
        items.append({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": f"app-{i}", "namespace": ns},
                      "spec": {"template": {"spec": {"serviceAccountName": f"sa-{i}", "containers": [{"name": "c", "image": "x"}]}}}})
roles = []
for i in range(a.roles):
    cluster = i % 5 == 0
    rules = [{"apiGroups": [rng.choice(["", "apps", "*"])], "resources": rng.choice(res), "verbs": rng.choice(verbs)} for _ in range(rng.randint(1, 4))]
    if cluster:
        roles.append(("ClusterRole", f"cr-{i}", None))
        items.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": f"cr-{i}"}, "rules": rules})
    else:
        ns = nss[i % len(nss)]
        roles.append(("Role", f"r-{i}", ns))
        items.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": f"r-{i}", "namespace": ns}, "rules": rules})
for i in range(a.bindings):
    kind, name, ns = rng.choice(roles)
    sa = rng.randrange(a.sas)
    subj = {"kind": "ServiceAccount", "name": f"sa-{sa}", "namespace": nss[sa % len(nss)]}
    if kind == "Role":
        items.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": f"rb-{i}", "namespace": ns},
                      "roleRef": {"kind": "Role", "name": name}, "subjects": [subj]})
    else:
        items.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": f"crb-{i}"},
                      "roleRef": {"kind": "ClusterRole", "name": name}, "subjects": [subj]})
d = os.environ.get("KEEP") or tempfile.mkdtemp()
os.makedirs(d, exist_ok=True)
dump = os.path.join(d, "cluster.json")
with open(dump, "w") as f:
    json.dump({"apiVersion": "v1", "kind": "List", "items": items}, f)
binary = os.environ.get("NHISCAN", "target/release/nhiscan")
out = subprocess.run(["/usr/bin/time", "-f", "%e %M %U %S", binary, "scan", "kubernetes", "--from", dump, "-f", "json", "-q", "--fail-on", "none", "-o", os.path.join(d, "r.json")],
                     capture_output=True, text=True)
secs, rss, user, system = out.stderr.strip().splitlines()[-1].split()
r = json.load(open(os.path.join(d, "r.json")))
print(f"dump: {os.path.getsize(dump)/1048576:.1f} MiB, {len(items)} objects ({a.sas} SAs, {a.bindings} bindings, {a.roles} roles)")
# CPU time (user + system) is the figure to compare on a loaded machine; wall time on an idle one.
print(f"scan: {float(secs):.2f} s wall, {float(user) + float(system):.2f} s CPU, peak RSS {int(rss)/1024:.0f} MiB, {len(r['identities'])} identities, {len(r['findings'])} findings")
