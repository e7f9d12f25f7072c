#!/usr/bin/env python3
"""GitHub live-scan scale benchmark (issue 6): a loopback server (127.0.0.1, free port) plays an
organisation of N repositories (default 500), generated deterministically here, with GitHub's
pagination (100 per page, `Link: rel="next"` pointing back at the server); then times
`nhiscan scan github --org bench --api-url http://127.0.0.1:PORT` and reports API calls (as the
server counted them and as nhiscan reported them) against the target "pages + one call per
repository per resource kind" and the wall time against the 10 s target.

With `--cache`, the server also plays GitHub's conditional requests (an ETag on every 200, a
free `304` when `If-None-Match` matches) and the scan runs twice with `--cache DIR`: cold, then
warm; calls per repository charged to the rate limit are reported for both.

usage: benches/github_scale.py [--repos N] [--concurrency C] [--cache]   (NHISCAN=path/to/binary)
"""
import hashlib, tempfile
import argparse, json, os, re, subprocess, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

ap = argparse.ArgumentParser()
ap.add_argument("--repos", type=int, default=500)
ap.add_argument("--concurrency", type=int, default=16)
ap.add_argument("--cache", action="store_true")
a = ap.parse_args()

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "fixtures/github/examples")

def example(name):
    with open(os.path.join(EXAMPLES, name)) as f:
        return json.load(f)

# Objects are GitHub's published examples with names and dates changed, so every field the
# typed models require is there.
REPO = example("orgs_org_repos.json")[0]
KEY = example("repos_owner_repo_keys.json")[0]
ENV = example("repos_owner_repo_environments.json")["environments"][0]
ORG_SECRET = example("orgs_org_actions_secrets.json")["secrets"][0]
MEMBER = example("orgs_org_members.json")[0]

ORG = "bench"
PER_PAGE = 100
TOKEN = "bench-token"
T0 = "2021-03-01T10:00:00Z"
repos = [f"repo-{i:04d}" for i in range(a.repos)]
# Every 5th repository has a `production` environment with its own secrets.
envs = {r: (["production"] if i % 5 == 0 else []) for i, r in enumerate(repos)}

def secrets(n, prefix, org=False):
    extra = {"visibility": ORG_SECRET["visibility"]} if org else {}
    return {"total_count": n, "secrets": [dict(name=f"{prefix}_{k}", created_at=T0, updated_at=T0, **extra) for k in range(n)]}

def keys(i):
    return [dict(KEY, id=i * 10 + k, title=f"deploy-{k}", created_at=T0, read_only=k == 0,
                 added_by="alice" if i % 7 else "mallory", last_used=None) for k in range(1 + i % 2)]

def make_repo(i, name):
    return dict(REPO, id=1000 + i, name=name, full_name=f"{ORG}/{name}")

ORG_LISTS = {
    f"/user/memberships/orgs/{ORG}": {"state": "active", "role": "admin"},
    f"/orgs/{ORG}/members": [dict(MEMBER, login="alice", id=11), dict(MEMBER, login="bob", id=12)],
    f"/orgs/{ORG}/personal-access-tokens": [],
    f"/orgs/{ORG}/personal-access-token-requests": [],
    f"/orgs/{ORG}/credential-authorizations": [],
    f"/orgs/{ORG}/secret-scanning/alerts": [],
    f"/orgs/{ORG}/installations": {"total_count": 0, "installations": []},
    f"/orgs/{ORG}/actions/secrets": secrets(3, "ORG", org=True),
    f"/orgs/{ORG}/dependabot/secrets": secrets(1, "ORG", org=True),
    f"/orgs/{ORG}/codespaces/secrets": secrets(1, "ORG", org=True),
}

hits = []
charged = []
lock = threading.Lock()

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and
    # the client's delayed ACK add ~40 ms to every response and the benchmark measures that.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=()):
        data = json.dumps(body).encode()
        if a.cache and status == 200:
            etag = '"' + hashlib.sha256(data).hexdigest() + '"'
            if self.headers.get("if-none-match") == etag:
                self.send_response(304)
                self.send_header("content-length", "0")
                self.end_headers()
                return
            headers = list(headers) + [("etag", etag)]
        with lock:
            charged.append(self.path)
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with lock:
            hits.append(self.path)
        if self.headers.get("authorization") != f"Bearer {TOKEN}":
            return self.reply(401, {"message": "Bad credentials"})
        u = urlsplit(self.path)
        p, q = u.path, parse_qs(u.query)
        if p == f"/orgs/{ORG}":
            return self.reply(200, {"login": ORG})
        if p in ORG_LISTS:
            return self.reply(200, ORG_LISTS[p])
        if p == f"/orgs/{ORG}/repos":
            page = int(q.get("page", ["1"])[0])
            start = (page - 1) * PER_PAGE
            chunk = [make_repo(start + k, r) for k, r in enumerate(repos[start: page * PER_PAGE])]
            headers = []
            if page * PER_PAGE < len(repos):
                base = f"http://127.0.0.1:{self.server.server_address[1]}"
                headers.append(("link", f'<{base}/orgs/{ORG}/repos?per_page={PER_PAGE}&type=all&page={page + 1}>; rel="next"'))
            return self.reply(200, chunk, headers)
        m = re.fullmatch(rf"/repos/{ORG}/(repo-(\d+))/(.+)", p)
        if m:
            repo, i, rest = m.group(1), int(m.group(2)), m.group(3)
            if rest == "keys":
                return self.reply(200, keys(i))
            if rest == "actions/secrets":
                return self.reply(200, secrets(2, "CI"))
            if rest in ("dependabot/secrets", "codespaces/secrets"):
                return self.reply(200, secrets(i % 2, "DEP"))
            if rest == "environments":
                return self.reply(200, {"total_count": len(envs[repo]), "environments": [dict(ENV, name=e) for e in envs[repo]]})
            if rest.startswith("environments/") and rest.endswith("/secrets"):
                return self.reply(200, secrets(1, "PROD"))
        return self.reply(404, {"message": "Not Found"})

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
url = f"http://127.0.0.1:{server.server_address[1]}"

root = ROOT
binary = os.environ.get("NHISCAN") or next(
    (p for p in (os.path.join(root, "target/release/nhiscan"), os.path.join(root, "target/debug/nhiscan")) if os.path.exists(p)),
    "nhiscan")
env = dict(os.environ, BENCH_GH_TOKEN=TOKEN)
cache_dir = tempfile.mkdtemp(prefix="nhiscan-gh-cache-")
cmd = [binary, "scan", "github", "--org", ORG, "--api-url", url, "--token-env", "BENCH_GH_TOKEN",
       "--concurrency", str(a.concurrency), "-f", "json", "-q", "--fail-on", "none"]
if a.cache:
    cmd += ["--cache", cache_dir]
pages = len(ORG_LISTS) + 1 + -(-len(repos) // PER_PAGE)          # org lists, membership + /orgs/ORG + repo pages
per_repo = 5 * len(repos) + sum(len(e) for e in envs.values())   # keys, 3 secret stores, environments (+ env secrets)
print(f"binary:            {binary}")
print(f"repositories:      {len(repos)} (concurrency {a.concurrency})")
for label in (["cold", "warm"] if a.cache else ["run"]):
    hits.clear(); charged.clear()
    t = time.monotonic()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    wall = time.monotonic() - t
    if out.returncode not in (0, 1, 3):
        raise SystemExit(f"nhiscan exited {out.returncode}: {out.stderr}")
    report = json.loads(out.stdout)
    reported = next((int(m.group(1)) for n in report["sources"][0]["notes"]
                     if (m := re.match(r"(\d+) API calls", n["message"]))), None)
    print(f"-- {label}")
    print(f"identities:        {len(report['identities'])}, findings {len(report['findings'])}, status {report['sources'][0]['status']}")
    print(f"API calls:         {len(hits)} served, {reported} reported by nhiscan; target {pages} pages + {per_repo} per-repository = {pages + per_repo}")
    print(f"charged calls:     {len(charged)} ({len(charged) / len(repos):.2f} per repository; 304s are free)")
    collect = next((n["message"] for n in report["sources"][0]["notes"] if "API calls" in n["message"]), "")
    print(f"wall time:         {wall:.2f} s end to end (target < 10 s); collection: {collect}")
    for n in report["sources"][0]["notes"]:
        if n["level"] != "info":
            print(f"note:              {n['subject']}: {n['message']}")
server.shutdown()
