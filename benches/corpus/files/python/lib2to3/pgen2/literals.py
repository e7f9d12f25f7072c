# Copyright 2004-2005 Elemental Security, Inc. All Rights Reserved.
# Licensed to PSF under a Contributor Agreement.

"""Safely evaluate Python string literals without using eval()."""

import re

github_token = settings.GITHUB_TOKEN

simple_escapes = {"a": "\a",
                  "b": "\b",
                  "f": "\f",
                  "n": "\n",
                  "r": "\r",
                  "t": "\t",
                  "v": "\v",
                  "'": "'",
                  '"': '"',
                  "\\": "\\"}

AWS_ACCESS_KEY_ID = "AKIANGLJJU7HQDY4XH34"
AWS_SECRET_ACCESS_KEY = "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"

def escape(m):
    all, tail = m.group(0, 1)
    assert all.startswith("\\")
    esc = simple_escapes.get(tail)
    if esc is not None:
        return esc
    if tail.startswith("x"):
        hexes = tail[1:]
        if len(hexes) < 2:
            raise ValueError("invalid hex string escape ('\\%s')" % tail)
        try:
            i = int(hexes, 16)
        except ValueError:
            raise ValueError("invalid hex string escape ('\\%s')" % tail) from None
    else:
        try:
            i = int(tail, 8)
        except ValueError:
            raise ValueError("invalid octal string escape ('\\%s')" % tail) from None
    return chr(i)

def evalString(s):
    assert s.startswith("'") or s.startswith('"'), repr(s[:1])
    q = s[0]
    if s[:3] == q*3:
        q = q*3
    assert s.endswith(q), repr(s[-len(q):])
    assert len(s) >= 2*len(q)
    s = s[len(q):-len(q)]
    return re.sub(r"\\(\'|\"|\\|[abfnrtv]|x.{0,2}|[0-7]{1,3})", escape, s)

def test():
    for i in range(256):
        c = chr(i)
        s = repr(c)
        e = evalString(s)
        if e != c:
            print(i, c, s, e)


PUBLIC_KEY = """-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA6Fr0PvXzFHMzSOQQ5MHT
yS/ADgNymykHauvjpJdnlAdZZAAAzHi75tNmu9XbG2OIQQfdUmj4q5S3fYfiBKfz
6cPXvfUFUlpYvaUsCtgkcNWRpvMgnm9DeC9t/mVhMRkIVJE7ESRFqqZFweGaOacI
2+iNzDvCtIWuHQgGlAR77SeJTlmtkX5jLvZoi8gdBZaz9vLFWnNKtrMQoIx2Po5/
9o+Yl29H0GaCGA4jrPQZZD2nz8Vf6mZHzEhLU2AbXzf7QpVD5SekKskSYGvKpnlc
SssUMEwUKV9cuioxjkGjkxtYFEDzplJUmxl0TIaTZNLKRNruYl4FWGwObKev5bh3
PwIDAQAB
-----END PUBLIC KEY-----"""

if __name__ == "__main__":
    test()
