#!/usr/bin/env python3
"""Time `nhiscan scan repo` on a minified one-line file dense with keyword hits (issue 18.8).

    benches/minified_one_line.py                 # 25 MiB (the default size limit), release binary
    benches/minified_one_line.py --mib 4 --nhiscan target/debug/nhiscan

The file is one line of `o1.password=p[1];o1.token=t("k1");o1.secret_key=s[1];…` with a
GitHub-format token planted every ~1000 records, so every few bytes is a keyword hit and the
matches all share one line: the shape that made matching quadratic (1 MiB 2.3 s, 4 MiB 34 s,
20 MiB unfinished after 10 min before the fix). Prints size, matches found and wall time, and
exits non-zero if a planted token is missed.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zlib

B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def github_token(random30):
    n = zlib.crc32(random30.encode())
    digits = ""
    while n:
        digits = B62[n % 62] + digits
        n //= 62
    return "ghp_" + random30 + digits.rjust(6, "0")


def build(path, size):
    planted = 0
    with open(path, "w") as f:
        written, i = 0, 0
        while written < size:
            rec = f'o{i}.password=p[{i}];o{i}.token=t("k{i}");o{i}.secret_key=s[{i}];'
            if i % 997 == 0:
                rnd = (f"Zq8WmT{i}xK9vB2nR7cL5pY1sD" * 2)[:30]
                rec += f'GH_TOKEN="{github_token(rnd)}";'
                planted += 1
            f.write(rec)
            written += len(rec)
            i += 1
    return planted


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mib", type=float, default=25)
    ap.add_argument("--nhiscan", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "nhiscan"))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "app.min.js")
        planted = build(path, int(a.mib * 1024 * 1024) - 64)
        t0 = time.monotonic()
        r = subprocess.run([a.nhiscan, "scan", "repo", d, "-f", "json", "-q", "--fail-on", "none"],
                           capture_output=True, text=True)
        secs = time.monotonic() - t0
        if r.returncode != 0:
            sys.exit(f"nhiscan exited {r.returncode}: {r.stderr}")
        report = json.loads(r.stdout)
        found = sum(1 for i in report["identities"]
                    if i["credentials"][0].get("found", {}).get("service") == "github")
        print(f"{os.path.getsize(path) / 2**20:.1f} MiB one line: {found}/{planted} planted tokens, "
              f"{len(report['identities'])} secrets, {secs:.2f} s")
        if found != planted:
            sys.exit("a planted token was missed")


if __name__ == "__main__":
    main()
