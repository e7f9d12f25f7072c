"""Deterministic, pure-Python generation of real (parseable) key material for the corpus.

`ssh-keygen`/`openssl` draw from the OS RNG, which would make the corpus differ on every run,
so keys are built here from a seeded `random.Random`: RSA (PKCS#1, PKCS#8, SPKI, OpenSSH),
EC P-256 (SEC1), Ed25519 (OpenSSH) and a self-signed X.509 certificate. All of it parses with
`openssl` and `ssh-keygen -y`. None of it protects anything: these keys exist only here.
"""
import base64
import hashlib
import math
import struct

# ---------------------------------------------------------------- DER
def _der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def der(tag, content):
    return bytes([tag]) + _der_len(len(content)) + content


def der_int(x):
    return der(0x02, x.to_bytes(max(1, (x.bit_length() + 8) // 8), "big"))


def der_seq(*items):
    return der(0x30, b"".join(items))


def der_oid(dotted):
    parts = [int(p) for p in dotted.split(".")]
    out = bytearray([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        enc = [p & 0x7F]
        p >>= 7
        while p:
            enc.append(0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(reversed(enc))
    return der(0x06, bytes(out))


DER_NULL = b"\x05\x00"
OID_RSA = "1.2.840.113549.1.1.1"
OID_SHA256_RSA = "1.2.840.113549.1.1.11"
OID_EC_PUBLIC = "1.2.840.10045.2.1"
OID_P256 = "1.2.840.10045.3.1.7"


def pem(label, der_bytes, width=64):
    b = base64.b64encode(der_bytes).decode()
    body = "\n".join(b[i:i + width] for i in range(0, len(b), width))
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----"


# ---------------------------------------------------------------- RSA
def _primes_below(n):
    sieve = bytearray([1]) * n
    sieve[0:2] = b"\x00\x00"
    for i in range(2, int(n ** 0.5) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytearray(len(range(i * i, n, i)))
    return [i for i in range(n) if sieve[i]]


_SMALL_PRIMES = _primes_below(100_000)
_PRIMORIAL_SMALL = math.prod(_SMALL_PRIMES[:300])
_PRIMORIAL = math.prod(_SMALL_PRIMES[300:])


def _probable_prime(n, rng):
    if n < 100_000:
        return n in _SMALL_PRIMES
    if math.gcd(n, _PRIMORIAL_SMALL) != 1 or math.gcd(n, _PRIMORIAL) != 1:
        return False
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for k in range(8):
        a = 2 if k == 0 else rng.randrange(3, n - 2)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits, rng):
    while True:
        c = rng.getrandbits(bits) | (3 << (bits - 2)) | 1
        if math.gcd(65537, c - 1) == 1 and _probable_prime(c, rng):
            return c


class RSAKey:
    def __init__(self, rng, bits=2048):
        e = 65537
        while True:
            p, q = _prime(bits // 2, rng), _prime(bits // 2, rng)
            if p != q:
                break
        if p < q:
            p, q = q, p
        self.n, self.e, self.p, self.q = p * q, e, p, q
        self.d = pow(e, -1, (p - 1) * (q - 1))
        self.dp, self.dq, self.qi = self.d % (p - 1), self.d % (q - 1), pow(q, -1, p)

    def pkcs1_der(self):
        return der_seq(*(der_int(x) for x in (0, self.n, self.e, self.d, self.p, self.q,
                                              self.dp, self.dq, self.qi)))

    def pkcs1_pem(self):
        return pem("RSA PRIVATE KEY", self.pkcs1_der())

    def pkcs8_pem(self):
        alg = der_seq(der_oid(OID_RSA), DER_NULL)
        return pem("PRIVATE KEY", der_seq(der_int(0), alg, der(0x04, self.pkcs1_der())))

    def spki_der(self):
        alg = der_seq(der_oid(OID_RSA), DER_NULL)
        return der_seq(alg, der(0x03, b"\x00" + der_seq(der_int(self.n), der_int(self.e))))

    def public_pem(self):
        return pem("PUBLIC KEY", self.spki_der())

    def ssh_public(self, comment):
        blob = _sshstr(b"ssh-rsa") + _mpint(self.e) + _mpint(self.n)
        return f"ssh-rsa {base64.b64encode(blob).decode()} {comment}"

    def openssh_pem(self, rng, comment):
        pub = _sshstr(b"ssh-rsa") + _mpint(self.e) + _mpint(self.n)
        priv = (_sshstr(b"ssh-rsa") + _mpint(self.n) + _mpint(self.e) + _mpint(self.d)
                + _mpint(self.qi) + _mpint(self.p) + _mpint(self.q))
        return _openssh(pub, priv, rng, comment)

    def sign_sha256(self, msg):
        digest_info = bytes.fromhex("3031300d060960864801650304020105000420") + hashlib.sha256(msg).digest()
        k = (self.n.bit_length() + 7) // 8
        em = b"\x00\x01" + b"\xff" * (k - len(digest_info) - 3) + b"\x00" + digest_info
        return pow(int.from_bytes(em, "big"), self.d, self.n).to_bytes(k, "big")

    def self_signed_cert_pem(self, cn, serial):
        alg = der_seq(der_oid(OID_SHA256_RSA), DER_NULL)
        name = der_seq(der(0x31, der_seq(der_oid("2.5.4.3"), der(0x0C, cn.encode()))))
        validity = der_seq(der(0x17, b"240115093000Z"), der(0x17, b"340112093000Z"))
        tbs = der_seq(der(0xA0, der_int(2)), der_int(serial), alg, name, validity, name, self.spki_der())
        return pem("CERTIFICATE", der_seq(tbs, alg, der(0x03, b"\x00" + self.sign_sha256(tbs))))


# ---------------------------------------------------------------- EC P-256
_P = 2 ** 256 - 2 ** 224 + 2 ** 192 + 2 ** 96 - 1
_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
      0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)


def _ec_add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0] and (a[1] + b[1]) % _P == 0:
        return None
    if a == b:
        lam = (3 * a[0] * a[0] - 3) * pow(2 * a[1], -1, _P) % _P
    else:
        lam = (b[1] - a[1]) * pow(b[0] - a[0], -1, _P) % _P
    x = (lam * lam - a[0] - b[0]) % _P
    return x, (lam * (a[0] - x) - a[1]) % _P


def _ec_mul(k, pt):
    acc = None
    while k:
        if k & 1:
            acc = _ec_add(acc, pt)
        pt = _ec_add(pt, pt)
        k >>= 1
    return acc


def ec_p256_pem(rng):
    d = rng.randrange(1, _N)
    x, y = _ec_mul(d, _G)
    point = b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")
    body = der_seq(der_int(1), der(0x04, d.to_bytes(32, "big")),
                   der(0xA0, der_oid(OID_P256)), der(0xA1, der(0x03, b"\x00" + point)))
    return pem("EC PRIVATE KEY", body)


# ---------------------------------------------------------------- Ed25519 (RFC 8032)
_EP = 2 ** 255 - 19
_ED = -121665 * pow(121666, -1, _EP) % _EP
_SQRT_M1 = pow(2, (_EP - 1) // 4, _EP)


def _ed_add(p, q):
    a = (p[1] - p[0]) * (q[1] - q[0]) % _EP
    b = (p[1] + p[0]) * (q[1] + q[0]) % _EP
    c = 2 * p[3] * q[3] * _ED % _EP
    d = 2 * p[2] * q[2] % _EP
    e, f, g, h = b - a, d - c, d + c, b + a
    return e * f, g * h, f * g, e * h


def _ed_mul(s, p):
    q = (0, 1, 1, 0)
    while s:
        if s & 1:
            q = _ed_add(q, p)
        p = _ed_add(p, p)
        s >>= 1
    return q


def _ed_base():
    y = 4 * pow(5, -1, _EP) % _EP
    x2 = (y * y - 1) * pow(_ED * y * y + 1, -1, _EP)
    x = pow(x2, (_EP + 3) // 8, _EP)
    if (x * x - x2) % _EP:
        x = x * _SQRT_M1 % _EP
    if x & 1:
        x = _EP - x
    return x, y, 1, x * y % _EP


def ed25519_public(seed):
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    x, y, z, _ = _ed_mul(a, _ed_base())
    zi = pow(z, -1, _EP)
    x, y = x * zi % _EP, y * zi % _EP
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def ed25519_openssh(rng, comment):
    seed = bytes(rng.getrandbits(8) for _ in range(32))
    pub = ed25519_public(seed)
    pubblob = _sshstr(b"ssh-ed25519") + _sshstr(pub)
    priv = _sshstr(b"ssh-ed25519") + _sshstr(pub) + _sshstr(seed + pub)
    return _openssh(pubblob, priv, rng, comment), \
        f"ssh-ed25519 {base64.b64encode(pubblob).decode()} {comment}"


# ---------------------------------------------------------------- OpenSSH container
def _sshstr(b):
    return struct.pack(">I", len(b)) + b


def _mpint(x):
    return _sshstr(x.to_bytes((x.bit_length() + 8) // 8, "big") if x else b"")


def _openssh(pubblob, privfields, rng, comment):
    check = rng.getrandbits(32)
    priv = struct.pack(">II", check, check) + privfields + _sshstr(comment.encode())
    pad = 1
    while len(priv) % 8:
        priv += bytes([pad])
        pad += 1
    blob = (b"openssh-key-v1\x00" + _sshstr(b"none") + _sshstr(b"none") + _sshstr(b"")
            + struct.pack(">I", 1) + _sshstr(pubblob) + _sshstr(priv))
    return pem("OPENSSH PRIVATE KEY", blob, width=70)
