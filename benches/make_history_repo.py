#!/usr/bin/env python3
"""Build a deterministic git repository with thousands of commits for the history benchmark.

Real source files (the CPython standard library on this machine) are committed, then edited over
N commits (each touching a few files), with secrets planted and later deleted along the way, all
through `git fast-import` so that building 5,000 commits takes seconds. Same inputs, same repo:
commit times and authors are fixed and the edits come from a seeded PRNG.

usage: make_history_repo.py DEST [--commits N] [--files N]
"""
import argparse
import os
import random
import subprocess
import sysconfig
import zlib

B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def gh_token(rng: random.Random) -> str:
    body = "".join(rng.choice(B62) for _ in range(30))
    n, s = zlib.crc32(body.encode()), ""
    while n:
        s = B62[n % 62] + s
        n //= 62
    return "ghp_" + body + s.rjust(6, "0")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dest")
    ap.add_argument("--commits", type=int, default=5000)
    ap.add_argument("--files", type=int, default=1500)
    a = ap.parse_args()
    rng = random.Random(1234)
    stdlib = sysconfig.get_paths()["stdlib"]
    sources = []
    for dirpath, dirnames, filenames in os.walk(stdlib):
        dirnames[:] = sorted(d for d in dirnames if d not in ("test", "tests", "idlelib", "__pycache__", "site-packages"))
        for f in sorted(filenames):
            if f.endswith(".py"):
                sources.append(os.path.join(dirpath, f))
    sources = sources[: a.files]
    files = {}
    for p in sources:
        with open(p, "rb") as fh:
            files[os.path.relpath(p, stdlib)] = fh.read()
    names = sorted(files)

    os.makedirs(a.dest, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", a.dest], check=True)
    proc = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=a.dest, stdin=subprocess.PIPE)
    out = proc.stdin
    t0 = 1_600_000_000
    planted = 0

    def blob_cmd(path: str, data: bytes) -> None:
        out.write(f"M 100644 inline {path}\ndata {len(data)}\n".encode())
        out.write(data)
        out.write(b"\n")

    for i in range(a.commits):
        author = f"dev{i % 17} <dev{i % 17}@example.com>"
        msg = f"change {i}\n".encode()
        out.write(b"commit refs/heads/main\n")
        out.write(f"author {author} {t0 + i * 600} +0000\n".encode())
        out.write(f"committer {author} {t0 + i * 600} +0000\n".encode())
        out.write(f"data {len(msg)}\n".encode() + msg)
        if i == 0:
            for n in names:
                blob_cmd(n, files[n])
            out.write(b"\n")
            continue
        for _ in range(rng.randint(1, 3)):
            n = rng.choice(names)
            line = f"# edit {i}: {rng.getrandbits(64):016x}\n".encode()
            if rng.random() < 0.02:
                line += f'API_TOKEN = "{gh_token(rng)}"\n'.encode()
                planted += 1
            files[n] = files[n] + line
            blob_cmd(n, files[n])
        out.write(b"\n")
    out.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "checkout", "-q", "main"], cwd=a.dest, check=True)
    print(f"{a.dest}: {a.commits} commits, {len(names)} files, {planted} secrets planted")


if __name__ == "__main__":
    main()
