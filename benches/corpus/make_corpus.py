#!/usr/bin/env python3
"""Generate nhiscan's labelled precision/recall corpus (deterministic: fixed seed).

    python3 benches/corpus/make_corpus.py            # (re)writes benches/corpus/files + labels.json

Real files: ~400 modules of this machine's CPython stdlib (no test/, idlelib, site-packages),
copied under files/python/. Synthetic files: small projects under files/projects/<name>/ in the
formats secrets actually leak through (.env, compose/k8s/CI YAML, JSON configs, .npmrc, .netrc,
.pypirc, Docker config.json, kubeconfig, Terraform, JS/TS, Go, .properties, shell, Markdown...).
Synthetic but format-correct secrets (valid GitHub/npm CRC32 checksums, real parseable RSA/EC/
Ed25519 keys and certificates built from the seeded RNG in keys.py) and hard negatives are
planted at recorded lines; labels.json records them. Every label is re-checked against the
written files before the script exits. Nothing here is a live credential.

Nothing it writes is committed (benches/corpus/.gitignore): the corpus is generated where the
benchmark runs, and benches/precision_recall.py runs this script when files/ or labels.json is
missing. The stdlib part depends on the CPython installed, and the synthetic projects are drawn from
the same seeded stream after it, so the whole corpus (labels included) is a function of the seed and
the stdlib. REFERENCE records the Python the published figures (benches/README.md) were measured
with and the digest of the corpus it gives; on another Python, or a stdlib that gives another
digest, the script warns that the figures are not comparable (or, with --require-reference,
refuses). On the same stdlib two runs give byte-identical output.
"""
import argparse
import base64
import hashlib
import hmac
import io
import json
import os
import random
import shutil
import string
import struct
import sys
import sysconfig
import tokenize
import uuid
import zlib
from pathlib import Path

sys.dont_write_bytecode = True      # no __pycache__ next to the generator
sys.path.insert(0, str(Path(__file__).resolve().parent))
import keys  # noqa: E402

SEED = 20250611
# The corpus the figures in benches/README.md were measured on: made with this CPython, it has this
# digest (corpus_digest(): every file's path and bytes plus the positives and negatives).
REFERENCE = {"python": "3.11.7", "corpus_sha256": "a2410b2c2c7df4458cdcd09cb470770ad75107a135684a5c4289a7c3e912329e"}
HERE = Path(__file__).resolve().parent
N_STDLIB = 400
MAX_STDLIB_FILE = 40_000

UPPER, LOWER, DIGITS = string.ascii_uppercase, string.ascii_lowercase, string.digits
ALNUM = UPPER + LOWER + DIGITS
B62 = DIGITS + UPPER + LOWER
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"
HEX = "0123456789abcdef"
B32 = UPPER + "234567"
PW = ALNUM + "!@%^*-_+="          # generic passwords: no quotes, $, #, backslash, spaces
URLPW = ALNUM + "-_.~"            # URL-safe passwords

# Substrings nhiscan treats as placeholders (src/detectors/placeholder.rs) plus a few more:
# a planted *positive* must never contain one, or we would be measuring our own bad luck.
MARKERS = ["example", "xxxx", "****", "....", "your_", "your-", "yourkey", "yourtoken",
           "yourpass", "changeme", "change_me", "change-me", "placeholder", "dummy", "redacted",
           "sample", "insert_", "replace_me", "replaceme", "<", ">", "${", "{{", "}}", "%(", "$(",
           "os.environ", "os.getenv", "process.env", "getenv(", "test", "fake"]


def clean(v):
    low = v.lower()
    return not any(m in low for m in MARKERS) and (len(v) < 8 or len(set(v)) > 3)


class Gen:
    """Seeded randomness plus generators for every secret shape."""

    def __init__(self, seed):
        self.r = random.Random(seed)
        self.keyrng = random.Random(seed + 1)   # key material: separate stream, same determinism

    def pub_rsa(self):
        """RSA key whose only use is public material (certificates, public keys): a small pool is
        enough and saves the seconds each pure-Python 2048-bit key costs."""
        if not hasattr(self, "_pool"):
            self._pool = [keys.RSAKey(self.keyrng) for _ in range(4)]
        return self.r.choice(self._pool)

    def choice(self, seq):
        return self.r.choice(seq)

    def randint(self, a, b):
        return self.r.randint(a, b)

    def chance(self, p):
        return self.r.random() < p

    def s(self, alphabet, n):
        while True:
            v = "".join(self.r.choice(alphabet) for _ in range(n))
            if clean(v):
                return v

    def mixed(self, alphabet, n, classes=(UPPER, LOWER, DIGITS)):
        while True:
            v = self.s(alphabet, n)
            if all(any(c in cl for c in v) for cl in classes):
                return v

    def bytes(self, n):
        return bytes(self.r.getrandbits(8) for _ in range(n))

    def b64(self, n):
        while True:
            v = base64.b64encode(self.bytes(n)).decode()
            if clean(v):
                return v

    def b64url(self, n):
        while True:
            v = base64.urlsafe_b64encode(self.bytes(n)).decode().rstrip("=")
            if clean(v):
                return v

    def hexs(self, n):
        return self.s(HEX, n)

    def uuid(self):
        return str(uuid.UUID(bytes=self.bytes(16), version=4))

    def digits(self, n):
        return str(self.randint(1, 9)) + self.s(DIGITS, n - 1)


def base62(n, width):
    out = ""
    while n:
        out = B62[n % 62] + out
        n //= 62
    return out.rjust(width, "0")


def crc_token(g, prefix):
    body = g.s(B62, 30)
    return prefix + body + base62(zlib.crc32(body.encode()), 6)


def sha(s):
    return hashlib.sha256(s.encode()).hexdigest()


# ============================================================== secret value generators
def v_aws_id(g, temp=False):
    return ("ASIA" if temp else "AKIA") + g.s(B32, 16)


def v_aws_secret(g):
    return g.mixed(B64, 40)


def v_aws_session(g):
    return base64.b64encode(b"!\n\torigin_ec" + g.bytes(g.choice([246, 288, 312]))).decode()


def v_fine_grained(g):
    return "github_pat_11" + g.s(UPPER + DIGITS, 20) + "_" + g.mixed(ALNUM, 59)


def v_slack_bot(g):
    return f"xoxb-{g.digits(12)}-{g.digits(13)}-{g.mixed(ALNUM, 24)}"


def v_slack_user(g):
    return f"xoxp-{g.digits(12)}-{g.digits(12)}-{g.digits(13)}-{g.hexs(32)}"


def v_slack_hook(g):
    return (f"https://hooks.slack.com/services/T{g.s(UPPER + DIGITS, 8)}/"
            f"B{g.s(UPPER + DIGITS, 10)}/{g.mixed(ALNUM, 24)}")


def v_stripe(g, prefix):
    return prefix + ("51" + g.mixed(ALNUM, 97) if g.chance(0.5) else g.mixed(ALNUM, 24))


def v_mailgun(g):
    if g.chance(0.5):
        return "key-" + g.hexs(32)
    return f"{g.hexs(32)}-{g.hexs(8)}-{g.hexs(8)}"


def v_pypi(g):
    body = (b"\x02\x01\x08pypi.org\x02\x24" + g.uuid().encode() + b"\x00\x02\x2a"
            + b'[1,["version",1]]' + b"\x00\x06\x20" + g.bytes(32))
    return "pypi-" + base64.urlsafe_b64encode(body).decode().rstrip("=")


def v_openai(g):
    k = g.choice(["proj", "proj", "legacy", "svcacct"])
    if k == "legacy":
        return "sk-" + g.mixed(ALNUM, 20) + "T3BlbkFJ" + g.mixed(ALNUM, 20)
    n = g.choice([58, 74])
    return f"sk-{k}-" + g.mixed(B64URL, n) + "T3BlbkFJ" + g.mixed(B64URL, n)


def v_sentry(g):
    if g.chance(0.4):
        return "sntryu_" + g.hexs(64)
    claims = json.dumps({"iat": g.randint(1_690_000_000, 1_740_000_000) + 0.512, "url": "https://sentry.io",
                         "region_url": "https://us.sentry.io", "org": g.choice(ORGS)},
                        separators=(",", ":"))
    return "sntrys_" + base64.b64encode(claims.encode()).decode().rstrip("=") + "_" + g.b64(32).rstrip("=")


def v_vault(g):
    return "hvs." + (g.mixed(ALNUM, 24) if g.chance(0.4) else "CAESI" + g.mixed(B64URL, 86))


def v_jwt(g, alg="HS256", claims=None):
    head = {"alg": alg, "typ": "JWT"}
    now = g.randint(1_700_000_000, 1_740_000_000)
    claims = claims or g.choice([
        {"iss": "supabase", "ref": g.s(LOWER, 20), "role": "service_role", "iat": now, "exp": now + 315_360_000},
        {"sub": g.uuid(), "scope": "admin:write", "iss": f"https://auth.{g.choice(ORGS)}.io", "iat": now,
         "exp": now + 31_536_000},
        {"sub": f"svc-{g.choice(SERVICES)}", "aud": "internal-api", "iat": now, "exp": now + 7_776_000},
    ])
    enc = lambda o: base64.urlsafe_b64encode(json.dumps(o, separators=(",", ":")).encode()).decode().rstrip("=")
    signing = enc(head) + "." + enc(claims)
    sig = g.bytes(256 if alg == "RS256" else 32)
    if alg == "HS256":
        sig = hmac.new(g.bytes(32), signing.encode(), hashlib.sha256).digest()
    return signing + "." + base64.urlsafe_b64encode(sig).decode().rstrip("=")


def v_password(g):
    return g.mixed(PW, g.randint(14, 24))


def v_django_key(g):
    return g.mixed(LOWER + DIGITS + "!@#%^&*(-_=+)", 50, classes=(LOWER, DIGITS))


ORGS = ["acme", "globex", "initech", "umbrella", "hooli", "vandelay", "wayne", "stark", "tyrell", "soylent"]
SERVICES = ["billing", "payments", "ledger", "search", "notify", "ingest", "reports", "auth", "gateway",
            "catalog", "orders", "shipping", "inventory", "analytics", "mailer"]
USERS = ["app", "svc_billing", "admin", "deploy", "etl", "readonly", "backend", "ci-bot", "reporting", "root"]


# ============================================================== secret kinds
class T:
    """One positive secret type: value generator, env-style names, HTTP header use, CLI use."""

    def __init__(self, name, gen, names, header=None, cli=None, target=12, fmts=None):
        self.name, self.gen, self.names = name, gen, names
        self.header, self.cli, self.target = header, cli, target
        self.fmts = fmts


BEARER = ("Authorization", "Bearer ")
TYPES = [
    T("gcp.api-key", lambda g: "AIzaSy" + g.mixed(B64URL, 33), ["GOOGLE_API_KEY", "GCP_API_KEY", "MAPS_API_KEY", "FIREBASE_API_KEY"],
      cli=["curl -s \"https://maps.googleapis.com/maps/api/geocode/json?address=Berlin&key={v}\""], target=14),
    T("gcp.oauth-client-secret", lambda g: "GOCSPX-" + g.mixed(B64URL, 28), ["GOOGLE_CLIENT_SECRET", "OAUTH_CLIENT_SECRET"], target=8),
    T("azure.client-secret", lambda g: g.s(ALNUM, 3) + g.s(DIGITS, 1) + "Q~" + g.mixed(ALNUM + "_~.-", 34),
      ["AZURE_CLIENT_SECRET", "ARM_CLIENT_SECRET", "AAD_CLIENT_SECRET"],
      cli=["az login --service-principal -u {uuid} -p {v} --tenant {uuid2}"], target=12),
    T("github.classic-pat", lambda g: crc_token(g, "ghp_"), ["GITHUB_TOKEN", "GH_TOKEN", "GITHUB_PAT", "GH_PAT"],
      header=("Authorization", "token ", "https://api.github.com/user/repos"),
      cli=["echo {v} | gh auth login --with-token", "git clone https://x-access-token:{v}@github.com/{org}/{svc}.git"], target=20),
    T("github.oauth-token", lambda g: crc_token(g, "gho_"), ["GITHUB_OAUTH_TOKEN", "GH_OAUTH_TOKEN"],
      header=("Authorization", "Bearer ", "https://api.github.com/user"), target=10),
    T("github.user-token", lambda g: crc_token(g, "ghu_"), ["GITHUB_USER_TOKEN", "GH_APP_USER_TOKEN"],
      header=("Authorization", "Bearer ", "https://api.github.com/user/installations"), target=8),
    T("github.installation-token", lambda g: crc_token(g, "ghs_"), ["GITHUB_APP_TOKEN", "GH_INSTALLATION_TOKEN"],
      header=("Authorization", "token ", "https://api.github.com/repos/{org}/{svc}/dispatches"), target=10),
    T("github.refresh-token", lambda g: crc_token(g, "ghr_"), ["GITHUB_REFRESH_TOKEN", "GH_REFRESH_TOKEN"], target=8),
    T("github.fine-grained-pat", v_fine_grained, ["GITHUB_TOKEN", "GH_FINE_GRAINED_PAT", "GITHUB_PAT"],
      header=BEARER + ("https://api.github.com/repos/{org}/{svc}/actions/runs",), target=14),
    T("gitlab.pat", lambda g: "glpat-" + g.mixed(B64URL, 20), ["GITLAB_TOKEN", "GL_TOKEN", "GITLAB_PRIVATE_TOKEN", "CI_DEPLOY_TOKEN"],
      header=("PRIVATE-TOKEN", "", "https://gitlab.com/api/v4/projects"),
      cli=["git clone https://oauth2:{v}@gitlab.com/{org}/{svc}.git"], target=14),
    T("slack.bot-token", v_slack_bot, ["SLACK_BOT_TOKEN", "SLACK_TOKEN"],
      header=BEARER + ("https://slack.com/api/chat.postMessage",), target=12),
    T("slack.user-token", v_slack_user, ["SLACK_USER_TOKEN", "SLACK_LEGACY_TOKEN"],
      header=BEARER + ("https://slack.com/api/users.list",), target=10),
    T("slack.webhook", v_slack_hook, ["SLACK_WEBHOOK_URL", "SLACK_WEBHOOK", "ALERTS_WEBHOOK_URL"],
      cli=["curl -X POST -H 'Content-type: application/json' --data '{{\"text\":\"deploy done\"}}' {v}"], target=14),
    T("stripe.secret-key", lambda g: v_stripe(g, "sk_live_"), ["STRIPE_SECRET_KEY", "STRIPE_API_KEY", "STRIPE_KEY"],
      header=BEARER + ("https://api.stripe.com/v1/charges",), cli=["curl https://api.stripe.com/v1/customers -u {v}:"], target=14),
    T("stripe.restricted-key", lambda g: v_stripe(g, "rk_live_"), ["STRIPE_RESTRICTED_KEY", "STRIPE_READ_KEY"],
      header=BEARER + ("https://api.stripe.com/v1/balance",), target=10),
    T("twilio.api-key", lambda g: "SK" + g.hexs(32), ["TWILIO_API_KEY", "TWILIO_API_KEY_SID"], target=12),
    T("sendgrid.api-key", lambda g: "SG." + g.mixed(B64URL, 22) + "." + g.mixed(B64URL, 43), ["SENDGRID_API_KEY", "SMTP_PASSWORD"],
      header=BEARER + ("https://api.sendgrid.com/v3/mail/send",), target=12),
    T("mailgun.api-key", v_mailgun, ["MAILGUN_API_KEY", "MAILGUN_KEY"],
      cli=["curl -s --user 'api:{v}' https://api.mailgun.net/v3/mg.{org}.io/messages"], target=12),
    T("npm.access-token", lambda g: crc_token(g, "npm_"), ["NPM_TOKEN", "NPM_AUTH_TOKEN", "NODE_AUTH_TOKEN"],
      cli=["npm config set //registry.npmjs.org/:_authToken {v}"], target=12),
    T("pypi.upload-token", v_pypi, ["PYPI_TOKEN", "TWINE_PASSWORD", "PYPI_API_TOKEN"],
      cli=["twine upload -u __token__ -p {v} dist/*"], target=12),
    T("docker.hub-pat", lambda g: "dckr_pat_" + g.mixed(B64URL, 27), ["DOCKERHUB_TOKEN", "DOCKER_PASSWORD", "DOCKER_HUB_PAT"],
      cli=["docker login -u {org}ci -p {v}", "echo {v} | docker login --username {org}ci --password-stdin"], target=12),
    T("openai.api-key", v_openai, ["OPENAI_API_KEY", "OPENAI_KEY"],
      header=BEARER + ("https://api.openai.com/v1/chat/completions",), target=14),
    T("anthropic.api-key", lambda g: "sk-ant-api03-" + g.mixed(B64URL, 93) + "AA", ["ANTHROPIC_API_KEY", "CLAUDE_API_KEY"],
      header=("x-api-key", "", "https://api.anthropic.com/v1/messages"), target=14),
    T("huggingface.token", lambda g: "hf_" + g.mixed(UPPER + LOWER, 34, classes=(UPPER, LOWER)), ["HF_TOKEN", "HUGGINGFACE_TOKEN", "HUGGING_FACE_HUB_TOKEN"],
      header=BEARER + ("https://huggingface.co/api/whoami-v2",), cli=["huggingface-cli login --token {v}"], target=12),
    T("datadog.api-key", lambda g: g.hexs(32), ["DD_API_KEY", "DATADOG_API_KEY"],
      header=("DD-API-KEY", "", "https://api.datadoghq.com/api/v1/validate"), target=12),
    T("datadog.app-key", lambda g: g.hexs(40), ["DD_APP_KEY", "DATADOG_APP_KEY", "DD_APPLICATION_KEY"], target=8),
    T("newrelic.user-key", lambda g: "NRAK-" + g.mixed(UPPER + DIGITS, 27, classes=(UPPER, DIGITS)), ["NEW_RELIC_API_KEY", "NEWRELIC_USER_KEY"],
      header=("Api-Key", "", "https://api.newrelic.com/graphql"), target=10),
    T("sentry.auth-token", v_sentry, ["SENTRY_AUTH_TOKEN"], header=BEARER + ("https://sentry.io/api/0/projects/",),
      cli=["sentry-cli --auth-token {v} releases new $VERSION"], target=10),
    T("grafana.service-account-token", lambda g: "glsa_" + g.mixed(ALNUM, 32) + "_" + g.hexs(8), ["GRAFANA_TOKEN", "GRAFANA_SA_TOKEN", "GF_API_KEY"],
      header=BEARER + ("https://grafana.{org}.io/api/dashboards/db",), target=10),
    T("shopify.access-token", lambda g: "shpat_" + g.hexs(32), ["SHOPIFY_ACCESS_TOKEN", "SHOPIFY_ADMIN_TOKEN"],
      header=("X-Shopify-Access-Token", "", "https://{org}-store.myshopify.com/admin/api/2024-01/orders.json"), target=10),
    T("heroku.api-key", lambda g: "HRKU-AA" + g.mixed(B64URL, 58) if g.chance(0.5) else g.uuid(), ["HEROKU_API_KEY"],
      header=BEARER + ("https://api.heroku.com/apps",), target=10),
    T("digitalocean.pat", lambda g: "dop_v1_" + g.hexs(64), ["DIGITALOCEAN_TOKEN", "DO_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN"],
      header=BEARER + ("https://api.digitalocean.com/v2/droplets",), cli=["doctl auth init --access-token {v}"], target=10),
    T("databricks.token", lambda g: "dapi" + g.hexs(32) + ("-2" if g.chance(0.3) else ""), ["DATABRICKS_TOKEN"],
      header=BEARER + ("https://dbc-{hex8}.cloud.databricks.com/api/2.0/clusters/list",), target=10),
    T("vault.token", v_vault, ["VAULT_TOKEN"], header=("X-Vault-Token", "", "https://vault.{org}.internal:8200/v1/secret/data/app"),
      cli=["vault login {v}"], target=12),
    T("terraform.cloud-token", lambda g: g.mixed(ALNUM, 14) + ".atlasv1." + g.mixed(ALNUM, 67), ["TFE_TOKEN", "TF_API_TOKEN", "TF_TOKEN_app_terraform_io"],
      header=BEARER + ("https://app.terraform.io/api/v2/organizations",), target=10),
    T("doppler.token", lambda g: "dp.pt." + g.mixed(ALNUM, 43), ["DOPPLER_TOKEN"], cli=["doppler configure set token {v}"], target=10),
    T("pulumi.access-token", lambda g: "pul-" + g.hexs(40), ["PULUMI_ACCESS_TOKEN"],
      header=("Authorization", "token ", "https://api.pulumi.com/api/user"), target=10),
    T("twilio.auth-token", lambda g: g.hexs(32), ["TWILIO_AUTH_TOKEN"], target=6),
    T("generic.password", v_password, ["DB_PASSWORD", "DATABASE_PASSWORD", "ADMIN_PASSWORD", "SMTP_PASSWORD", "REDIS_PASSWORD",
                                      "LDAP_BIND_PASSWORD", "KEYSTORE_PASSWORD", "MYSQL_ROOT_PASSWORD", "POSTGRES_PASSWORD", "RABBITMQ_PASS"],
      cli=["mysql -h db.{org}.internal -u {user} -p{v} app", "sshpass -p '{v}' ssh {user}@10.0.3.17"], target=30),
    T("generic.secret", lambda g: v_django_key(g) if g.chance(0.3) else g.mixed(ALNUM, g.choice([32, 40, 48, 64])),
      ["SECRET_KEY", "JWT_SECRET", "CLIENT_SECRET", "SESSION_SECRET", "APP_SECRET", "SIGNING_SECRET", "WEBHOOK_SECRET", "COOKIE_SECRET"], target=20),
    T("generic.api-key", lambda g: g.mixed(ALNUM, g.choice([32, 36, 40])), ["API_KEY", "PARTNER_API_KEY", "INTERNAL_API_KEY", "ALGOLIA_ADMIN_KEY",
                                                                          "MAPBOX_SECRET", "SEGMENT_WRITE_KEY", "X_API_KEY"],
      header=("X-API-Key", "", "https://api.{org}.io/v2/events"), target=16),
    T("http.bearer-token", lambda g: g.mixed(B64URL, g.choice([40, 48, 64])), ["ACCESS_TOKEN", "AUTH_TOKEN", "BEARER_TOKEN", "SERVICE_TOKEN"],
      header=BEARER + ("https://api.{org}.io/v1/jobs",), target=14, fmts="header"),
    T("jwt", v_jwt, ["SUPABASE_SERVICE_ROLE_KEY", "JWT_TOKEN", "SERVICE_ACCOUNT_JWT", "API_JWT"],
      header=BEARER + ("https://{org}.supabase.co/rest/v1/users",), target=12),
]
TYPE = {t.name: t for t in TYPES}


# ============================================================== name helpers
def lower(n):
    return n.lower()


def camel(n):
    p = n.lower().split("_")
    return p[0] + "".join(x.capitalize() for x in p[1:])


def pascal(n):
    return "".join(x.capitalize() for x in n.lower().split("_"))


def dotted(n):
    return n.lower().replace("_", ".")


def kebab(n):
    return n.lower().replace("_", "-")


def yq(v):
    """YAML scalar: plain when safe, else double-quoted."""
    import re
    return v if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_./+=:~-]*", v) and ": " not in v else json.dumps(v)


# ============================================================== plants
class Plant:
    """Lines to insert, with the labels they carry. A mark finds its line by its needle."""

    def __init__(self, lines, marks=(), toplevel=False):
        self.lines = list(lines)
        self.marks = []
        self.toplevel = toplevel
        for m in marks:
            self.mark(**m)

    def mark(self, kind, type, needle, secret=None, alt=(), span=1):
        for i, line in enumerate(self.lines):
            if needle in line:
                break
        else:
            raise AssertionError(f"needle {needle!r} not in plant {self.lines!r}")
        self.marks.append(dict(idx=i, kind=kind, type=type, needle=needle, secret=secret,
                               alt=list(alt), span=span))
        return self

    def indented(self, prefix):
        p = Plant([prefix + l if l else l for l in self.lines], toplevel=self.toplevel)
        p.marks = [dict(m) for m in self.marks]
        return p


def pos(type, secret, needle=None, alt=(), span=1):
    return dict(kind="pos", type=type, needle=needle or secret.split("\n")[0], secret=secret, alt=alt, span=span)


def neg(type, needle, span=1):
    return dict(kind="neg", type=type, needle=needle, span=span)


def fill(*lines):
    return Plant(lines)


# ---------------------------------------------------------------- key/value assignment per format
KV_FMTS = {"py", "env", "sh", "js", "ts", "go", "properties", "tf", "tfvars", "json", "md",
           "yaml-compose", "yaml-gha", "yaml-gitlab", "yaml-k8s-env", "yaml-k8s-secret", "yaml-values", "yaml-spring"}
PY_DICTS = ["CONFIG", "SETTINGS", "DEFAULTS", "credentials", "conf", "params", "opts"]
PY_CLIENTS = ["ApiClient", "Client", "Session", "Connector", "Service", "Uploader", "Notifier"]
GO_PKGS = ["api", "client", "sdk", "notify", "store"]


def fmt_url(tmpl, g):
    return tmpl.format(org=g.choice(ORGS), svc=g.choice(SERVICES), hex8=g.hexs(8), user=g.choice(USERS),
                       uuid=g.uuid(), uuid2=g.uuid(), v="{v}")


SIMPLE = {"py": 3, "js": 2, "ts": 2, "go": 2, "sh": 2, "md": 2}


def kv_lines(fmt, g, N, v, header=None, simple=False):
    """Lines that assign literal v under name N the way fmt does it (v occurs once). simple=True keeps to
    plain assignments (no client calls, headers or comments)."""
    if simple and fmt in SIMPLE:
        real_choice = g.choice
        c = lambda opts: real_choice(opts[:SIMPLE[fmt]])
        return _kv_lines(fmt, g, N, v, None, c)
    return _kv_lines(fmt, g, N, v, header, g.choice)


def _kv_lines(fmt, g, N, v, header, c):
    lo, cm = lower(N), camel(N)
    hd = None
    if header:
        H, pre, url = header
        hd = (H, pre, fmt_url(url, g))
    if fmt == "py":
        opts = [lambda: [f'{N} = "{v}"'], lambda: [f"{lo} = '{v}'"], lambda: [f'{c(PY_DICTS)}["{lo}"] = "{v}"'],
                lambda: [f'os.environ.setdefault("{N}", "{v}")'], lambda: [f'os.environ["{N}"] = "{v}"'],
                lambda: [f"{c(PY_DICTS)} = {{", f'    "{lo}": "{v}",', f'    "timeout": {c([5, 10, 30])},', "}"],
                lambda: [f'client = {c(PY_CLIENTS)}({lo}="{v}", timeout={c([5, 10, 30])})'],
                lambda: [f"# {N}={v}"]]
        if hd:
            H, pre, url = hd
            opts += [lambda: [f'headers = {{"{H}": "{pre}{v}", "Accept": "application/json"}}'],
                     lambda: [f'session.headers["{H}"] = "{pre}{v}"'],
                     lambda: [f'resp = requests.get("{url}", headers={{"{H}": "{pre}{v}"}}, timeout=10)'],
                     lambda: [f'subprocess.run(["curl", "-sS", "-H", "{H}: {pre}{v}", "{url}"], check=True)']]
        return c(opts)()
    if fmt == "env":
        return c([lambda: [f"{N}={v}"], lambda: [f'{N}="{v}"'], lambda: [f"export {N}={v}"], lambda: [f"{N}='{v}'"]])()
    if fmt in ("sh", "md"):
        opts = [lambda: [f'export {N}="{v}"'], lambda: [f"export {N}={v}"], lambda: [f'{N}="{v}" ./scripts/run.sh']]
        if hd:
            H, pre, url = hd
            opts += [lambda: [f'curl -sS -H "{H}: {pre}{v}" {url}'], lambda: [f"curl -sS \\", f'  -H "{H}: {pre}{v}" \\', f"  {url}"],
                     lambda: [f"http GET {url} '{H}:{pre}{v}'"]]
        return c(opts)()
    if fmt in ("js", "ts"):
        ty = ": string" if fmt == "ts" else ""
        opts = [lambda: [f'const {cm}{ty} = "{v}";'], lambda: [f"export const {N} = '{v}';"],
                lambda: [f'process.env.{N} = process.env.{N} || "{v}";'],
                lambda: [f"const config = {{", f'  {cm}: "{v}",', f"  retries: {c([2, 3, 5])},", "};"],
                lambda: [f'const client = new {c(PY_CLIENTS)}({{ {cm}: "{v}" }});'], lambda: [f"// {N}={v}"]]
        if hd:
            H, pre, url = hd
            opts += [lambda: [f'const res = await fetch("{url}", {{ headers: {{ "{H}": "{pre}{v}" }} }});'],
                     lambda: [f'axios.defaults.headers.common["{H}"] = `{pre}{v}`;']]
        return c(opts)()
    if fmt == "go":
        opts = [lambda: [f'const {cm} = "{v}"'], lambda: [f'{cm} := "{v}"'], lambda: [f'os.Setenv("{N}", "{v}")'],
                lambda: [f"cfg := Config{{", f'\t{pascal(N)}: "{v}",', f"\tTimeout: {c([5, 10, 30])} * time.Second,", "}"],
                lambda: [f'client := {c(GO_PKGS)}.NewClient("{v}")']]
        if hd:
            H, pre, url = hd
            opts += [lambda: [f'req.Header.Set("{H}", "{pre}{v}")'], lambda: [f'req.Header.Add("{H}", "{pre}" + "{v}")']]
        return c(opts)()
    if fmt == "properties":
        return c([lambda: [f"{dotted(N)}={v}"], lambda: [f"{dotted(N)} = {v}"], lambda: [f"app.{cm}={v}"]])()
    if fmt == "tf":
        return c([lambda: [f'variable "{lo}" {{', '  type      = string', '  sensitive = true', f'  default   = "{v}"', "}"],
                  lambda: ["locals {", f'  {lo} = "{v}"', "}"]])()
    if fmt == "tfvars":
        return [f'{lo} = "{v}"']
    if fmt == "json":
        return [f'{json.dumps(c([cm, lo, N]))}: {json.dumps(v)}']
    if fmt == "yaml-compose":
        return c([lambda: [f"{N}: {yq(v)}"], lambda: [f'{N}: "{v}"']])()
    if fmt == "yaml-gha":
        opts = [lambda: [f"- name: Deploy {c(SERVICES)}", "  env:", f"    {N}: {yq(v)}", f"  run: ./scripts/deploy.sh {c(['staging', 'prod'])}"]]
        if hd:
            H, pre, url = hd
            opts.append(lambda: ["- name: Notify API", f'  run: curl -fsS -H "{H}: {pre}{v}" {url}'])
        return c(opts)()
    if fmt == "yaml-gitlab":
        return [f"{N}: {json.dumps(v)}"]
    if fmt == "yaml-k8s-env":
        return [f"- name: {N}", f"  value: {json.dumps(v)}"]
    if fmt == "yaml-k8s-secret":
        return [f"{kebab(N)}: {json.dumps(v)}"]
    if fmt == "yaml-values":
        return [f"{cm}: {yq(v)}"]
    if fmt == "yaml-spring":
        return [f"{kebab(N)}: {yq(v)}"]
    raise ValueError(fmt)


def kv_expr_lines(fmt, g, N, expr):
    """Assignment of a non-literal expression (variable references)."""
    lo, cm = lower(N), camel(N)
    if fmt == "py":
        return g.choice([[f"{N} = {expr}"], [f"{lo} = {expr}"], [f'client = {g.choice(PY_CLIENTS)}({lo}={expr})']])
    if fmt in ("js", "ts"):
        return g.choice([[f"const {cm} = {expr};"], ["const config = {", f"  {cm}: {expr},", "};"]])
    if fmt == "go":
        return g.choice([[f"{cm} := {expr}"], [f"cfg.{pascal(N)} = {expr}"]])
    if fmt == "tf":
        return [f"  {lo} = {expr}"] if False else ["locals {", f"  {lo} = {expr}", "}"]
    return kv_lines(fmt, g, N, expr)


# ============================================================== positive units
class Unit:
    def __init__(self, name, types, fmts, render, target):
        self.name, self.types, self.fmts, self.render, self.target = name, types, set(fmts), render, target


def simple_unit(t):
    fmts = KV_FMTS if t.fmts != "header" else {"py", "sh", "md", "js", "ts", "go", "yaml-gha"}

    def render(fmt, g):
        v = t.gen(g)
        N = g.choice(t.names)
        if t.cli and fmt in ("sh", "md", "yaml-gitlab") and g.chance(0.45):
            line = fmt_url(g.choice(t.cli), g).replace("{v}", v).replace("{org}", g.choice(ORGS))
            line = line.replace("{user}", g.choice(USERS))
            if fmt == "yaml-gitlab":
                return Plant([f"{g.choice(SERVICES)}-job:", "  stage: deploy", "  script:", f"    - {line}"], [pos(t.name, v)])
            return Plant([line], [pos(t.name, v)])
        if t.fmts == "header" or (t.header and fmt in ("py", "sh", "md", "js", "ts", "go", "yaml-gha") and g.chance(0.4)):
            lines = kv_lines(fmt, g, N, v, header=t.header)
        else:
            lines = kv_lines(fmt, g, N, v)
        return Plant(lines, [pos(t.name, v)])
    return Unit(t.name, [t.name], fmts, render, t.target)


def u_aws(fmt, g):
    temp = g.chance(0.2)
    kid, sec = v_aws_id(g, temp), v_aws_secret(g)
    tok = v_aws_session(g) if temp else None
    marks = [pos("aws.access-key-id", kid), pos("aws.secret-access-key", sec)]
    if tok:
        marks.append(pos("aws.session-token", tok))
    c = g.choice
    if fmt == "py":
        lines = c([
            lambda: [f'AWS_ACCESS_KEY_ID = "{kid}"', f'AWS_SECRET_ACCESS_KEY = "{sec}"'] + ([f'AWS_SESSION_TOKEN = "{tok}"'] if tok else []),
            lambda: ['s3 = boto3.client(', '    "s3",', f'    aws_access_key_id="{kid}",', f'    aws_secret_access_key="{sec}",']
            + ([f'    aws_session_token="{tok}",'] if tok else []) + ['    region_name="eu-west-1",', ')'],
            lambda: [f'session = boto3.Session(aws_access_key_id="{kid}", aws_secret_access_key="{sec}")'] if not tok else
            [f'session = boto3.Session(aws_access_key_id="{kid}",', f'                        aws_secret_access_key="{sec}",',
             f'                        aws_session_token="{tok}")'],
        ])()
    elif fmt in ("env", "sh", "md"):
        ex = "export " if fmt != "env" or g.chance(0.2) else ""
        lines = [f"{ex}AWS_ACCESS_KEY_ID={kid}", f"{ex}AWS_SECRET_ACCESS_KEY={sec}"] + ([f"{ex}AWS_SESSION_TOKEN={tok}"] if tok else [])
        if fmt == "sh" and not tok and g.chance(0.4):
            lines = [f"aws configure set aws_access_key_id {kid}", f"aws configure set aws_secret_access_key {sec}"]
    elif fmt in ("js", "ts"):
        lines = ["const s3 = new S3Client({", '  region: "us-east-1",', "  credentials: {", f'    accessKeyId: "{kid}",',
                 f'    secretAccessKey: "{sec}",'] + ([f'    sessionToken: "{tok}",'] if tok else []) + ["  },", "});"]
    elif fmt == "go":
        lines = [f'creds := credentials.NewStaticCredentialsProvider("{kid}", "{sec}", "{tok or ""}")']
    elif fmt == "properties":
        lines = [f"aws.accessKeyId={kid}", f"aws.secretKey={sec}"] + ([f"aws.sessionToken={tok}"] if tok else [])
    elif fmt in ("tf", "tfvars"):
        if fmt == "tf":
            lines = ['provider "aws" {', '  region     = "us-east-1"', f'  access_key = "{kid}"', f'  secret_key = "{sec}"'] + \
                    ([f'  token      = "{tok}"'] if tok else []) + ["}"]
        else:
            lines = [f'aws_access_key = "{kid}"', f'aws_secret_key = "{sec}"'] + ([f'aws_session_token = "{tok}"'] if tok else [])
    elif fmt == "json":
        lines = [f'"accessKeyId": "{kid}"', f'"secretAccessKey": "{sec}"'] + ([f'"sessionToken": "{tok}"'] if tok else [])
        return [Plant([l], [m]) for l, m in zip(lines, marks)]          # separate JSON members
    elif fmt == "yaml-k8s-env":
        lines = ["- name: AWS_ACCESS_KEY_ID", f"  value: {kid}", "- name: AWS_SECRET_ACCESS_KEY", f'  value: "{sec}"'] + \
                (["- name: AWS_SESSION_TOKEN", f'  value: "{tok}"'] if tok else [])
    elif fmt == "yaml-gha":
        lines = ["- name: Upload artifacts", "  env:", f"    AWS_ACCESS_KEY_ID: {kid}", f"    AWS_SECRET_ACCESS_KEY: {json.dumps(sec)}"] + \
                ([f"    AWS_SESSION_TOKEN: {json.dumps(tok)}"] if tok else []) + ["  run: aws s3 sync build/ s3://$BUCKET/"]
    elif fmt in ("yaml-compose", "yaml-gitlab", "yaml-k8s-secret"):
        lines = [f"AWS_ACCESS_KEY_ID: {kid}", f"AWS_SECRET_ACCESS_KEY: {json.dumps(sec)}"] + ([f"AWS_SESSION_TOKEN: {json.dumps(tok)}"] if tok else [])
    elif fmt in ("yaml-values", "yaml-spring"):
        lines = [f"accessKey: {kid}", f"secretKey: {json.dumps(sec)}"] + ([f"sessionToken: {json.dumps(tok)}"] if tok else [])
    else:
        raise ValueError(fmt)
    return Plant(lines, marks)


def u_datadog(fmt, g):
    api, app = g.hexs(32), g.hexs(40)
    if fmt == "py":
        lines = ["initialize(", f'    api_key="{api}",', f'    app_key="{app}",', '    api_host="https://api.datadoghq.eu",', ")"]
    elif fmt in ("env", "sh"):
        ex = "export " if fmt == "sh" else ""
        lines = [f"{ex}DD_API_KEY={api}", f"{ex}DD_APP_KEY={app}", f"{ex}DD_SITE=datadoghq.eu"]
    elif fmt == "tf":
        lines = ['provider "datadog" {', f'  api_key = "{api}"', f'  app_key = "{app}"', '  api_url = "https://api.datadoghq.eu/"', "}"]
    elif fmt == "yaml-k8s-env":
        lines = ["- name: DD_API_KEY", f'  value: "{api}"', "- name: DD_APP_KEY", f'  value: "{app}"']
    else:
        lines = [f"DD_API_KEY: {json.dumps(api)}", f"DD_APP_KEY: {json.dumps(app)}"]
    return Plant(lines, [pos("datadog.api-key", api), pos("datadog.app-key", app)])


def db_url(g, scheme):
    user, pw = g.choice(USERS), g.mixed(URLPW, g.randint(14, 24))
    org, svc = g.choice(ORGS), g.choice(SERVICES)
    host = {
        "postgres": lambda: g.choice([f"{svc}-db.c{g.s(LOWER + DIGITS, 10)}.eu-west-1.rds.amazonaws.com:5432/{svc}",
                                      f"pg-{org}-prod.postgres.database.azure.com:5432/{svc}?sslmode=require",
                                      f"10.0.{g.randint(1, 9)}.{g.randint(2, 250)}:5432/{svc}"]),
        "mysql": lambda: g.choice([f"{svc}-mysql.{org}.internal:3306/{svc}", f"{org}-prod.mysql.database.azure.com/{svc}"]),
        "mongodb": lambda: f"cluster0.{g.s(LOWER + DIGITS, 5)}.mongodb.net/{svc}?retryWrites=true&w=majority",
        "redis": lambda: g.choice([f"redis-{g.digits(5)}.c{g.randint(1, 300)}.us-east-1-2.ec2.cloud.redislabs.com:{g.digits(5)}",
                                   f"{svc}-cache.{g.s(LOWER, 6)}.ng.0001.euw1.cache.amazonaws.com:6379/0"]),
        "amqp": lambda: f"rabbitmq.{org}.internal:5672/{svc}",
    }[scheme]()
    sch = {"postgres": g.choice(["postgres", "postgresql", "postgresql+psycopg2"]), "mysql": g.choice(["mysql", "mysql+pymysql"]),
           "mongodb": "mongodb+srv", "redis": g.choice(["redis", "rediss"]), "amqp": g.choice(["amqp", "amqps"])}[scheme]
    if scheme == "redis" and g.chance(0.5):
        user = g.choice(["", "default"])
    url = f"{sch}://{user}:{pw}@{host}"
    return url, pw


def db_unit(scheme, names, target):
    typ = f"db.{scheme}-url"

    def render(fmt, g):
        url, pw = db_url(g, scheme)
        m = pos(typ, pw, needle=url, alt=[url])
        N = g.choice(names)
        if fmt == "py" and g.chance(0.5):
            call = {"postgres": "engine = create_engine", "mysql": "engine = create_engine", "mongodb": "client = MongoClient",
                    "redis": "cache = redis.Redis.from_url", "amqp": "connection = pika.BlockingConnection(pika.URLParameters"}[scheme]
            return Plant([f'{call}("{url}"){")" if "pika" in call else ""}'], [m])
        if fmt == "sh" and g.chance(0.5):
            cmd = {"postgres": 'psql "{u}" -c "select 1"', "mysql": 'mysqlsh --uri "{u}"', "mongodb": 'mongosh "{u}"',
                   "redis": 'redis-cli -u "{u}" ping', "amqp": 'rabbitmqadmin --url "{u}" list queues'}[scheme]
            return Plant([cmd.format(u=url)], [m])
        if fmt in ("js", "ts") and g.chance(0.5):
            call = {"mongodb": "await mongoose.connect", "postgres": "const pool = new Pool({ connectionString: ",
                    "mysql": "const conn = await mysql.createConnection", "redis": "const redis = new Redis",
                    "amqp": "const conn = await amqplib.connect"}[scheme]
            close = " });" if "{" in call else ");"
            return Plant([f'{call}{"" if "{" in call else "("}"{url}"{close}'], [m])
        if fmt == "go" and g.chance(0.5):
            return Plant([f'db, err := sql.Open("{ {"postgres": "pgx", "mysql": "mysql"}.get(scheme, scheme) }", "{url}")'], [m])
        return Plant(kv_lines(fmt, g, N, url), [m])
    return Unit(typ, [typ], KV_FMTS - {"md"}, render, target)


def u_basic_url(fmt, g):
    user, pw = g.choice(USERS), g.mixed(URLPW, g.randint(12, 20))
    host = g.choice([f"nexus.{g.choice(ORGS)}.internal", f"artifactory.{g.choice(ORGS)}.io", f"git.{g.choice(ORGS)}-corp.net",
                     f"jenkins.{g.choice(ORGS)}.io", f"registry.{g.choice(ORGS)}.cloud"])
    path = g.choice(["/repository/pypi-internal/simple", "/artifactory/api/npm/npm-virtual/", "/scm/ops/deploy.git",
                     "/job/release/buildWithParameters", "/v2/"])
    url = f"https://{user}:{pw}@{host}{path}"
    m = pos("url.basic-auth", pw, needle=url, alt=[url, f"{user}:{pw}"])
    if fmt == "py" and g.chance(0.5):
        return Plant([f'resp = requests.post("{url}", timeout=30)'], [m])
    if fmt in ("sh", "md"):
        return Plant([g.choice([f"pip install --index-url {url} {g.choice(SERVICES)}-sdk", f"git clone {url}",
                                f'curl -fsS -X POST "{url}"'])], [m])
    return Plant(kv_lines(fmt, g, g.choice(["REPO_URL", "INDEX_URL", "JENKINS_URL", "REGISTRY_URL"]), url), [m])


def u_http_basic(fmt, g):
    cred = base64.b64encode(f"{g.choice(USERS)}:{v_password(g)}".encode()).decode()
    m = pos("http.basic-auth", cred, alt=[base64.b64decode(cred).decode()])
    url = f"https://api.{g.choice(ORGS)}.io/v1/{g.choice(SERVICES)}"
    if fmt == "py":
        lines = g.choice([[f'headers = {{"Authorization": "Basic {cred}"}}'], [f'session.headers["Authorization"] = "Basic {cred}"']])
    elif fmt in ("sh", "md"):
        lines = [f'curl -H "Authorization: Basic {cred}" {url}']
    elif fmt in ("js", "ts"):
        lines = [f'const headers = {{ Authorization: "Basic {cred}" }};']
    elif fmt == "go":
        lines = [f'req.Header.Set("Authorization", "Basic {cred}")']
    else:
        lines = ["- name: Trigger build", f'  run: curl -fsS -H "Authorization: Basic {cred}" {url}']
    return Plant(lines, [m])


# ---------------------------------------------------------------- PEM & structured credentials
def gen_private_key(g, kind):
    comment = f"{g.choice(USERS)}@{g.choice(SERVICES)}-{g.choice(['ci', 'prod', 'bastion', 'laptop'])}"
    if kind == "pem.rsa-private-key":
        return keys.RSAKey(g.keyrng).pkcs1_pem()
    if kind == "pem.pkcs8-private-key":
        return keys.RSAKey(g.keyrng).pkcs8_pem()
    if kind == "pem.ec-private-key":
        return keys.ec_p256_pem(g.keyrng)
    if g.chance(0.3):
        return keys.RSAKey(g.keyrng).openssh_pem(g.keyrng, comment)
    return keys.ed25519_openssh(g.keyrng, comment)[0]


def pem_unit(kind, target):
    def render(fmt, g):
        k = gen_private_key(g, kind)
        esc = k.replace("\n", "\\n")
        span = k.count("\n") + 1
        m_multi = pos(kind, k, alt=[k + "\n"], span=span)
        m_esc = pos(kind, esc, needle=esc[:40], alt=[k, esc + "\\n"])
        if fmt == "py":
            if g.chance(0.7):
                lines = [f'{g.choice(["PRIVATE_KEY", "SSH_KEY", "SIGNING_KEY", "DEPLOY_KEY"])} = """{k.splitlines()[0]}'] + \
                        k.splitlines()[1:-1] + [k.splitlines()[-1] + '"""']
                return Plant(lines, [m_multi], toplevel=True)
            return Plant([f'PRIVATE_KEY = "{esc}\\n"'], [m_esc])
        if fmt in ("env",):
            return Plant([f'{g.choice(["PRIVATE_KEY", "JWT_PRIVATE_KEY", "SSH_PRIVATE_KEY"])}="{esc}\\n"'], [m_esc])
        if fmt in ("json",):
            return Plant([f'"privateKey": {json.dumps(k + chr(10))}'], [m_esc])
        if fmt in ("yaml-k8s-secret", "yaml-values"):
            key = "tls.key" if fmt == "yaml-k8s-secret" else "signingKey"
            return Plant([f"{key}: |"] + ["  " + l for l in k.splitlines()], [m_multi])
        if fmt in ("tf",):
            return Plant(['resource "tls_locally_signed_cert" "svc" {', "  ca_private_key_pem = <<-EOT"]
                         + ["    " + l for l in k.splitlines()] + ["  EOT", "}"], [m_multi])
        if fmt in ("sh",):
            return Plant(["cat > ~/.ssh/id_deploy <<'EOF'"] + k.splitlines() + ["EOF", "chmod 600 ~/.ssh/id_deploy"], [m_multi])
        if fmt in ("js", "ts"):
            return Plant(["const privateKey = `" + k.splitlines()[0]] + k.splitlines()[1:-1] + [k.splitlines()[-1] + "`;"], [m_multi])
        raise ValueError(fmt)
    return Unit(kind, [kind], {"py", "env", "json", "yaml-k8s-secret", "yaml-values", "tf", "sh", "js", "ts"}, render, target)


def sa_json(g):
    proj = f"{g.choice(ORGS)}-{g.choice(SERVICES)}-{g.digits(6)}"
    email = f"{g.choice(SERVICES)}-sa@{proj}.iam.gserviceaccount.com"
    k = keys.RSAKey(g.keyrng).pkcs8_pem() + "\n"
    d = {"type": "service_account", "project_id": proj, "private_key_id": g.hexs(40), "private_key": k,
         "client_email": email, "client_id": g.digits(21), "auth_uri": "https://accounts.google.com/o/oauth2/auth",
         "token_uri": "https://oauth2.googleapis.com/token",
         "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
         "client_x509_cert_url": f"https://www.googleapis.com/robot/v1/metadata/x509/{email.replace('@', '%40')}",
         "universe_domain": "googleapis.com"}
    return d, k


def sa_mark(k):
    esc = json.dumps(k)[1:-1]
    return pos("gcp.service-account-key", esc, needle='"private_key": "-----BEGIN', alt=[esc[:-2], k, k.rstrip("\n")])


def u_gcp_sa(fmt, g):
    d, k = sa_json(g)
    if fmt == "py":
        body = json.dumps(d, indent=4).splitlines()
        return Plant(["SERVICE_ACCOUNT_INFO = " + body[0]] + body[1:], [sa_mark(k)], toplevel=True)
    one = json.dumps(d)
    m = pos("gcp.service-account-key", json.dumps(k)[1:-1], needle='"private_key": "-----BEGIN',
            alt=[json.dumps(k)[1:-3], k, k.rstrip("\n"), one])
    if fmt == "env":
        return Plant([f"GOOGLE_APPLICATION_CREDENTIALS_JSON='{one}'"], [m])
    if fmt == "yaml-k8s-secret":
        body = json.dumps(d, indent=2).splitlines()
        return Plant(["service-account.json: |"] + ["  " + l for l in body], [sa_mark(k)])
    if fmt == "yaml-gha":
        return Plant(["- uses: google-github-actions/auth@v2", "  with:", f"    credentials_json: '{one}'"], [m])
    raise ValueError(fmt)


def u_k8s_data(fmt, g):
    raw = v_password(g)
    b = base64.b64encode(raw.encode()).decode()
    return Plant([f"{g.choice(['password', 'db-password', 'api-token', 'redis-password'])}: {b}"],
                 [pos("kubernetes.secret-data", b, alt=[raw])])


UNITS = [simple_unit(t) for t in TYPES] + [
    Unit("aws", ["aws.access-key-id", "aws.secret-access-key", "aws.session-token"],
         KV_FMTS - {"yaml-spring"}, u_aws, 26),
    Unit("datadog-pair", ["datadog.api-key", "datadog.app-key"],
         {"py", "env", "sh", "tf", "yaml-k8s-env", "yaml-compose", "yaml-gitlab", "yaml-k8s-secret"}, u_datadog, 5),
    db_unit("postgres", ["DATABASE_URL", "POSTGRES_URL", "PG_DSN", "SQLALCHEMY_DATABASE_URI"], 14),
    db_unit("mysql", ["DATABASE_URL", "MYSQL_URL", "DB_URI"], 12),
    db_unit("mongodb", ["MONGODB_URI", "MONGO_URL", "DATABASE_URL"], 12),
    db_unit("redis", ["REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL"], 10),
    db_unit("amqp", ["AMQP_URL", "RABBITMQ_URL", "CELERY_BROKER_URL", "BROKER_URL"], 10),
    Unit("url.basic-auth", ["url.basic-auth"], KV_FMTS - {"yaml-gha"}, u_basic_url, 12),
    Unit("http.basic-auth", ["http.basic-auth"], {"py", "sh", "md", "js", "ts", "go", "yaml-gha"}, u_http_basic, 10),
    pem_unit("pem.rsa-private-key", 10), pem_unit("pem.ec-private-key", 8),
    pem_unit("pem.openssh-private-key", 10), pem_unit("pem.pkcs8-private-key", 8),
    Unit("gcp.service-account-key", ["gcp.service-account-key"], {"py", "env", "yaml-k8s-secret", "yaml-gha"}, u_gcp_sa, 7),
    Unit("kubernetes.secret-data", ["kubernetes.secret-data"], {"yaml-k8s-secret-data"}, u_k8s_data, 6),
]
UNIT = {u.name: u for u in UNITS}

# ============================================================== hard negatives
AWS_DOC_ID, AWS_DOC_SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
JWT_IO = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
          "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")
PLACEHOLDERS = ["<your-token>", "<YOUR_API_KEY>", "xxxxxxxxxxxxxxxxxxxxxxxx", "changeme", "********", "your_api_key_here",
                "REPLACE_ME", "<password>", "dummy-password", "redacted", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx", "your-secret-key", "INSERT_TOKEN_HERE", "example-token-123",
                "sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "xoxb-your-bot-token", "<paste key here>", "CHANGE_ME_IN_PROD"]
SECRET_NAMES = ["DB_PASSWORD", "API_KEY", "GITHUB_TOKEN", "STRIPE_SECRET_KEY", "SECRET_KEY", "SLACK_BOT_TOKEN", "AUTH_TOKEN",
                "OPENAI_API_KEY", "AWS_SECRET_ACCESS_KEY", "CLIENT_SECRET", "REDIS_PASSWORD", "NPM_TOKEN", "SENDGRID_API_KEY"]


def var_ref(fmt, g, N):
    """(expression-or-literal, is_literal) referencing N without containing its value."""
    c = g.choice
    return {
        "py": lambda: (c([f'os.environ["{N}"]', f'os.getenv("{N}")', f'os.environ.get("{N}", "")', f'settings.{N}']), False),
        "js": lambda: (c([f"process.env.{N}", f'process.env["{N}"]']), False),
        "ts": lambda: (c([f"process.env.{N}!", f"process.env.{N} ?? ''"]), False),
        "go": lambda: (c([f'os.Getenv("{N}")', f'viper.GetString("{dotted(N)}")']), False),
        "tf": lambda: (c([f"var.{lower(N)}", f'data.aws_ssm_parameter.{lower(N)}.value']), False),
        "env": lambda: (c([f"${{{N}}}", f"${N}"]), True),
        "sh": lambda: (c([f"${{{N}}}", f"${N}", f'$(vault kv get -field={lower(N)} secret/app)']), True),
        "md": lambda: (c([f"${N}", f"<{kebab(N)}>"]), True),
        "properties": lambda: (c([f"${{{N}}}", f"${{{dotted(N)}}}"]), True),
        "json": lambda: (c([f"${{{N}}}", f"{{{{ {lower(N)} }}}}"]), True),
        "tfvars": lambda: (f"${{{N}}}", True),
        "yaml-compose": lambda: (c([f"${{{N}}}", f"${{{N}:?required}}"]), True),
        "yaml-gha": lambda: (f"${{{{ secrets.{N} }}}}", True),
        "yaml-gitlab": lambda: (f"${N}", True),
        "yaml-k8s-env": lambda: (c([f"$({N})", f"{{{{ .Values.{camel(N)} }}}}"]), True),
        "yaml-k8s-secret": lambda: (f"{{{{ .Values.{camel(N)} | b64enc }}}}", True),
        "yaml-values": lambda: (c([f"{{{{ .Values.{camel(N)} }}}}", f"{{{{ vault_{lower(N)} }}}}"]), True),
        "yaml-spring": lambda: (c([f"${{{N}}}", f"${{{dotted(N)}}}"]), True),
    }[fmt]()


def n_varref(fmt, g):
    N = g.choice(SECRET_NAMES)
    expr, literal = var_ref(fmt, g, N)
    lines = kv_lines(fmt, g, N, expr) if literal else kv_expr_lines(fmt, g, N, expr)
    return Plant(lines, [neg("variable-reference", expr)])


PLACEHOLDER_NAMES = {"ghp_": "GITHUB_TOKEN", "sk_live_": "STRIPE_SECRET_KEY", "sk-proj-": "OPENAI_API_KEY", "xoxb-": "SLACK_BOT_TOKEN"}


def n_placeholder(fmt, g):
    N, v = g.choice(SECRET_NAMES), g.choice(PLACEHOLDERS)
    N = next((n for p, n in PLACEHOLDER_NAMES.items() if v.startswith(p)), N)
    return Plant(kv_lines(fmt, g, N, v), [neg("placeholder", v)])


def n_aws_example(fmt, g):
    if fmt == "md" or g.chance(0.3):
        N, v = ("AWS_ACCESS_KEY_ID", AWS_DOC_ID) if g.chance(0.5) else ("AWS_SECRET_ACCESS_KEY", AWS_DOC_SECRET)
        return Plant(kv_lines(fmt if fmt != "md" else "sh", g, N, v), [neg("aws-example-key", v)])
    p = u_aws(fmt, g)
    plants = p if isinstance(p, list) else [p]
    out = []
    for pl in plants:       # swap the real pair for AWS's documented pair, drop any session token line
        keep_lines, keep = [], []
        for i, l in enumerate(pl.lines):
            mks = [m for m in pl.marks if m["idx"] == i]
            if any(m["type"] == "aws.session-token" for m in mks):
                if len(mks) == 1:
                    continue                  # a line of its own: drop it
            for mk in mks:                    # every real value on the line (one-line pairs carry two)
                rep = {"aws.access-key-id": AWS_DOC_ID, "aws.secret-access-key": AWS_DOC_SECRET}.get(mk["type"], "")
                l = l.replace(mk["needle"], rep)
            keep_lines.append(l)
        if not keep_lines:
            continue
        q = Plant(keep_lines)
        if any(AWS_DOC_ID in l for l in keep_lines):
            q.mark(**neg("aws-example-key", AWS_DOC_ID))
        sec_line = next((i for i, l in enumerate(keep_lines) if AWS_DOC_SECRET in l), None)
        if sec_line is not None and not any(m["idx"] == sec_line for m in q.marks):
            q.mark(**neg("aws-example-key", AWS_DOC_SECRET))
        out.append(q)
    return out if len(out) > 1 else out[0]


def n_bad_checksum(fmt, g):
    prefix = g.choice(["ghp_", "ghp_", "gho_", "ghs_", "npm_"])
    t = crc_token(g, prefix)
    i = g.randint(len(t) - 6, len(t) - 1)
    bad = t[:i] + g.choice([ch for ch in B62 if ch != t[i]]) + t[i + 1:]
    N = "NPM_TOKEN" if prefix == "npm_" else g.choice(["GITHUB_TOKEN", "GH_TOKEN"])
    return Plant(kv_lines(fmt, g, N, bad, simple=True), [neg("bad-checksum-token", bad)])


def n_truncated(fmt, g):
    v = g.choice([lambda: "ghp_" + g.s(ALNUM, g.randint(8, 20)), lambda: "AKIA" + g.s(B32, g.randint(6, 11)),
                  lambda: "sk_live_" + g.s(ALNUM, 6), lambda: "glpat-" + g.s(ALNUM, 8), lambda: "xoxb-" + g.digits(6),
                  lambda: "AIza" + g.s(ALNUM, 10), lambda: "dop_v1_" + g.hexs(12)])()
    if fmt in ("py", "js", "ts", "go", "sh") and g.chance(0.5):
        cm = {"py": "#", "sh": "#"}.get(fmt, "//")
        return Plant([f"{cm} token starts with {v}, rest is in the vault"], [neg("truncated-key", v)])
    return Plant(kv_lines(fmt, g, g.choice(["TOKEN_PREFIX", "KEY_HINT", "LAST_KEY_ID", "TOKEN_HINT"]), v, simple=True), [neg("truncated-key", v)])


def n_prefix_const(fmt, g):
    v = g.choice(["ghp_", "github_pat_", "xoxb-", "sk_live_", "AKIA", "glpat-", "npm_", "hf_", "sk-ant-api03-", "dop_v1_"])
    lines = kv_lines(fmt, g, g.choice(["TOKEN_PREFIX", "KEY_PREFIX", "PAT_PREFIX"]), v, simple=True)
    return Plant(lines, [neg("prefix-constant", v)])


def n_hash(fmt, g):
    k, name = g.choice([(32, "md5"), (40, "sha1"), (64, "sha256")])
    v = g.hexs(k)
    N = g.choice({"md5": ["MD5SUM", "ETAG", "CONTENT_MD5", "CHECKSUM"], "sha1": ["COMMIT_SHA", "CACHE_KEY", "FILE_SHA1", "GIT_REV"],
                  "sha256": ["SHA256", "CHECKSUM_SHA256", "ARCHIVE_SHA256", "DIGEST"]}[name])
    if fmt == "md":
        return Plant([f"echo \"{v}  release.tar.gz\" | {name}sum -c -" if name != "sha1" else f"git checkout {v}"],
                     [neg(f"{name}-hash", v)])
    return Plant(kv_lines(fmt, g, N, v, simple=True), [neg(f"{name}-hash", v)])


def n_password_hash(fmt, g):
    if g.chance(0.6):
        v = f"$2b${g.choice(['10', '12'])}$" + g.s(ALNUM + "./", 53)
        t = "bcrypt-hash"
    else:
        v = f"$argon2id$v=19$m=65536,t=3,p=4${g.b64(16).rstrip('=')}${g.b64(32).rstrip('=')}"
        t = "argon2-hash"
    N = g.choice(["PASSWORD_HASH", "ADMIN_PASSWORD_HASH", "HASHED_PASSWORD"])
    if fmt in ("env", "sh", "md", "properties") :
        return Plant([f"{N}='{v}'"], [neg(t, v)])
    return Plant(kv_lines(fmt, g, N, v, simple=True), [neg(t, v)])


def n_uuid(fmt, g):
    v = g.uuid()
    N = g.choice(["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "REQUEST_ID", "CORRELATION_ID", "SUBSCRIPTION_ID", "PROJECT_ID", "WORKSPACE_ID"])
    return Plant(kv_lines(fmt, g, N, v, simple=True), [neg("uuid", v)])


def n_git_sha(fmt, g):
    v = g.hexs(40)
    if fmt == "yaml-gha":
        act = g.choice(["actions/checkout", "actions/setup-node", "actions/cache", "docker/build-push-action", "actions/upload-artifact"])
        return Plant([f"- uses: {act}@{v} # v4"], [neg("git-sha", v)])
    return Plant(kv_lines(fmt, g, g.choice(["GIT_COMMIT", "BUILD_SHA", "REVISION", "SOURCE_VERSION"]), v, simple=True), [neg("git-sha", v)])


def n_stripe_pk(fmt, g):
    v = "pk_live_" + ("51" + g.s(ALNUM, 97) if g.chance(0.5) else g.s(ALNUM, 24))
    N = g.choice(["STRIPE_PUBLISHABLE_KEY", "NEXT_PUBLIC_STRIPE_KEY", "VITE_STRIPE_PK"])
    return Plant(kv_lines(fmt, g, N, v, simple=True), [neg("stripe-publishable-key", v)])


def n_code(fmt, g):
    """Code that mentions passwords/tokens but holds none."""
    c = g.choice
    if fmt == "py":
        opts = [("password = None", "password = None"), ("password: str", "password: str"),
                ('if password == "":', None), ("PASSWORD_MIN_LENGTH = 8", "PASSWORD_MIN_LENGTH = 8"),
                ('token_type = "Bearer"', 'token_type = "Bearer"'), ('password_field = "password"', 'password_field = "password"'),
                ('API_KEY_HEADER = "X-API-Key"', 'API_KEY_HEADER = "X-API-Key"'),
                ('secret = getpass.getpass("Vault password: ")', None), ('SECRET_KEY_SETTING = "SECRET_KEY"', None),
                ('password = hashlib.sha256(password.encode()).hexdigest()', None)]
        line, needle = c(opts)
        if line.startswith("if "):
            return Plant([line, '    raise ValueError("password must not be empty")'], [neg("code-not-secret", line)])
        return Plant([line], [neg("code-not-secret", needle or line)])
    if fmt in ("js", "ts"):
        line = c(['const password = "";', "let token = null;", 'if (password.length < MIN_PASSWORD_LENGTH) throw new Error("weak password");',
                  'const tokenType = "Bearer";', 'const secretHeader = "X-Webhook-Secret";'])
    elif fmt == "go":
        line = c(['var password string', 'if token == "" {', 'const tokenHeader = "X-Auth-Token"', 'password := flag.String("password", "", "db password")'])
        if line.endswith("{"):
            return Plant([line, '\tlog.Fatal("missing token")', "}"], [neg("code-not-secret", line)])
    elif fmt == "json":
        line = c(['"password": ""', '"token": null', '"passwordMinLength": 12', '"apiKeyHeader": "X-API-Key"'])
    elif fmt.startswith("yaml"):
        line = c(["password: \"\"", "token: null", "passwordMinLength: 12", "authType: bearer", "secretName: db-credentials"])
        if fmt == "yaml-k8s-env":
            return Plant(["- name: DB_PASSWORD", "  valueFrom:", "    secretKeyRef:", "      name: db-credentials", "      key: password"],
                         [neg("code-not-secret", "      key: password")])
        if fmt == "yaml-gha":
            return Plant(["- name: Check token", '  if: ${{ env.DEPLOY_TOKEN == \'\' }}', "  run: exit 1"], [neg("code-not-secret", "DEPLOY_TOKEN == ''")])
    elif fmt in ("env", "properties"):
        line = c(["DB_PASSWORD=", "PASSWORD_MIN_LENGTH=12", "AUTH_TOKEN_TTL=3600", "SECRET_ROTATION_DAYS=90"])
        if fmt == "properties":
            line = c(["spring.datasource.password=", "security.password.min-length=12", "app.token.ttl=3600"])
    elif fmt in ("sh", "md"):
        line = c(['read -rsp "Password: " PASSWORD', 'if [ -z "${TOKEN:-}" ]; then echo "TOKEN not set" >&2; exit 1; fi',
                  'PASSWORD=$(openssl rand -base64 24)'])
    elif fmt in ("tf", "tfvars"):
        if fmt == "tfvars":
            line = "password_length = 24"
        else:
            return Plant(['resource "random_password" "db" {', "  length  = 32", "  special = true", "}"], [neg("code-not-secret", 'resource "random_password"')])
    else:
        raise ValueError(fmt)
    return Plant([line], [neg("code-not-secret", line)])


def n_b64_image(fmt, g):
    w = h = g.choice([4, 8])
    raw = b"".join(b"\x00" + g.bytes(w * 3) for _ in range(h))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    v = "data:image/png;base64," + base64.b64encode(png).decode()
    N = g.choice(["PLACEHOLDER_IMG", "LOGO_DATA_URI", "FAVICON", "SPINNER_GIF"])
    if fmt in ("json",):
        return Plant([f'"icon": "{v}"'], [neg("base64-image", v[:40])])
    return Plant(kv_lines(fmt, g, N, v, simple=True), [neg("base64-image", v[:40])])


def n_fixture_id(fmt, g):
    v, t = g.choice([(lambda: (g.hexs(32), "fixture-id")), (lambda: ("cus_" + g.s(ALNUM, 14), "stripe-object-id")),
                     (lambda: ("ch_3" + g.s(ALNUM, 23), "stripe-object-id")), (lambda: ("req_" + g.s(ALNUM, 16), "fixture-id")),
                     (lambda: (g.s(ALNUM, 24), "fixture-id"))])()
    N = g.choice(["FIXTURE_ID", "TEST_CUSTOMER_ID", "ORDER_ID", "TRACE_ID", "OBJECT_ID", "IDEMPOTENCY_KEY"])
    return Plant(kv_lines(fmt, g, N, v, simple=True), [neg(t, v)])


def n_azurite(fmt, g):
    cs = f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AZURITE_KEY};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
    return Plant(kv_lines(fmt, g, "AZURE_STORAGE_CONNECTION_STRING", cs, simple=True), [neg("azure-emulator-key", AZURITE_KEY)])


def n_jwt_io(fmt, g):
    return Plant(kv_lines(fmt, g, g.choice(["SAMPLE_JWT", "EXAMPLE_TOKEN", "DEMO_JWT"]), JWT_IO, simple=True), [neg("documented-example-jwt", JWT_IO)])


def n_url_nopw(fmt, g):
    v = g.choice([f"postgres://{g.choice(USERS)}@localhost:5432/{g.choice(SERVICES)}", "redis://localhost:6379/0",
                  f"mongodb://mongo:27017/{g.choice(SERVICES)}", f"amqp://rabbitmq:5672/", f"postgresql://localhost/{g.choice(SERVICES)}_dev",
                  f"postgres://{g.choice(USERS)}:${{DB_PASSWORD}}@db:5432/{g.choice(SERVICES)}",
                  "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"])
    N = "SLACK_WEBHOOK_URL" if "slack" in v else g.choice(["DATABASE_URL", "REDIS_URL", "BROKER_URL"])
    return Plant(kv_lines(fmt, g, N, v, simple=True), [neg("url-without-secret", v)])


def n_public_key(fmt, g):
    kind = g.choice(["ssh", "ssh", "pem", "cert"])
    rsa = g.pub_rsa() if kind != "ssh" or g.chance(0.5) else None
    if kind == "ssh":
        v = rsa.ssh_public(f"{g.choice(USERS)}@{g.choice(SERVICES)}") if rsa else keys.ed25519_openssh(g.keyrng, f"{g.choice(USERS)}@laptop")[1]
        if fmt == "tf":
            return Plant(['resource "aws_key_pair" "deployer" {', '  key_name   = "deployer"', f'  public_key = "{v}"', "}"], [neg("ssh-public-key", v)])
        return Plant(kv_lines(fmt, g, g.choice(["SSH_PUBLIC_KEY", "AUTHORIZED_KEY", "DEPLOY_PUBKEY"]), v, simple=True), [neg("ssh-public-key", v)])
    if kind == "pem":
        v, t = rsa.public_pem(), "public-key-pem"
    else:
        v, t = rsa.self_signed_cert_pem(f"{g.choice(SERVICES)}.{g.choice(ORGS)}.internal", g.randint(1000, 10 ** 9)), "certificate-pem"
    first, span = v.splitlines()[0], v.count("\n") + 1
    if fmt == "py":
        return Plant([f'{"PUBLIC_KEY" if t == "public-key-pem" else g.choice(["CA_CERT", "ROOT_CA"])} = """{first}'] + v.splitlines()[1:-1] + [v.splitlines()[-1] + '"""'],
                     [neg(t, first, span)], toplevel=True)
    if fmt in ("yaml-k8s-secret", "yaml-values"):
        return Plant([f"{'ca.crt' if t == 'certificate-pem' else 'publicKey'}: |"] + ["  " + l for l in v.splitlines()], [neg(t, first, span)])
    if fmt in ("js", "ts"):
        return Plant(["const publicKey = `" + first] + v.splitlines()[1:-1] + [v.splitlines()[-1] + "`;"], [neg(t, first, span)])
    esc = v.replace("\n", "\\n")
    return Plant(kv_lines(fmt, g, "PUBLIC_KEY", esc, simple=True), [neg(t, esc[:40])])


def n_sri(fmt, g):
    v = "sha512-" + g.b64(64)
    if fmt == "json":
        return Plant([f'"integrity": "{v}"'], [neg("sri-integrity", v)])
    if fmt in ("js", "ts", "md"):
        return Plant([f'<script src="https://cdn.jsdelivr.net/npm/chart.js@4.4.1/dist/chart.umd.min.js" integrity="{v}" crossorigin="anonymous"></script>'
                      if fmt == "md" else f'script.integrity = "{v}";'], [neg("sri-integrity", v)])
    return Plant(kv_lines(fmt, g, "ASSET_INTEGRITY", v, simple=True), [neg("sri-integrity", v)])


NEG_UNITS = [  # (name, render, fmts, target)
    ("aws-example-key", n_aws_example, KV_FMTS - {"yaml-spring"}, 50),
    ("placeholder", n_placeholder, KV_FMTS, 100),
    ("variable-reference", n_varref, KV_FMTS, 110),
    ("bad-checksum-token", n_bad_checksum, KV_FMTS, 40),
    ("truncated-key", n_truncated, KV_FMTS, 28),
    ("prefix-constant", n_prefix_const, {"py", "js", "ts", "go"}, 14),
    ("hex-hash", n_hash, KV_FMTS, 45),
    ("password-hash", n_password_hash, KV_FMTS - {"yaml-gha"}, 22),
    ("uuid", n_uuid, KV_FMTS, 26),
    ("git-sha", n_git_sha, KV_FMTS, 22),
    ("stripe-publishable-key", n_stripe_pk, KV_FMTS, 16),
    ("code-not-secret", n_code, KV_FMTS, 60),
    ("base64-image", n_b64_image, {"py", "js", "ts", "json", "go", "env", "yaml-values"}, 14),
    ("fixture-id", n_fixture_id, KV_FMTS, 26),
    ("azure-emulator-key", n_azurite, {"py", "env", "json", "yaml-compose", "yaml-values", "sh", "properties"}, 8),
    ("documented-example-jwt", n_jwt_io, {"py", "js", "ts", "md", "env", "json"}, 6),
    ("url-without-secret", n_url_nopw, KV_FMTS - {"md", "yaml-gha"}, 22),
    ("public-key", n_public_key, {"py", "yaml-k8s-secret", "yaml-values", "js", "ts", "env", "json", "tf", "sh"}, 26),
    ("sri-integrity", n_sri, {"py", "js", "ts", "md", "json"}, 10),
]

# ============================================================== picking
class Picker:
    """Picks the compatible unit furthest below its target share (ties broken by the RNG)."""

    def __init__(self, g, units):
        self.g, self.units = g, units     # units: list of (name, fmts, target)
        self.count = {u[0]: 0 for u in units}

    def pick(self, fmt):
        ok = [u for u in self.units if fmt in u[1]]
        if not ok:
            return None
        best = min((self.count[u[0]] + 1) / u[2] for u in ok)
        cands = [u for u in ok if (self.count[u[0]] + 1) / u[2] <= best * 1.15]
        u = self.g.choice(cands)
        self.count[u[0]] += 1
        return u[0]


class Corpus:
    def __init__(self, g):
        self.g = g
        self.files = {}     # rel path -> text
        self.labels = {"positives": [], "negatives": []}
        self.pos_pick = Picker(g, [(u.name, u.fmts, u.target) for u in UNITS])
        self.neg_pick = Picker(g, [(n, f, t) for n, _, f, t in NEG_UNITS])
        self.neg_render = {n: r for n, r, _, _ in NEG_UNITS}

    def positives(self, fmt, n):
        out = []
        for _ in range(n):
            name = self.pos_pick.pick(fmt)
            if name:
                p = UNIT[name].render(fmt, self.g)
                out += p if isinstance(p, list) else [p]
        return out

    def negatives(self, fmt, n):
        out = []
        for _ in range(n):
            name = self.neg_pick.pick(fmt)
            if name:
                p = self.neg_render[name](fmt, self.g)
                out += p if isinstance(p, list) else [p]
        return out

    def write(self, rel, blocks):
        """blocks: Plants in order; records labels at absolute lines."""
        if rel in self.files:
            raise FileExistsError(rel)
        lines = []
        for b in blocks:
            for m in b.marks:
                self.record(rel, len(lines) + m["idx"] + 1, m)
            lines += b.lines
        self.files[rel] = "\n".join(lines) + "\n"

    def record(self, rel, line, m):
        if m["kind"] == "pos":
            e = {"path": rel, "line": line, "type": m["type"], "secret_sha256": sha(m["secret"])}
            if m["alt"]:
                e["alt_secret_sha256"] = [sha(a) for a in m["alt"]]
            if m["span"] > 1:
                e["end_line"] = line + m["span"] - 1
            e["_needle"], e["_secret"] = m["needle"], m["secret"]
            self.labels["positives"].append(e)
        else:
            e = {"path": rel, "line": line, "type": m["type"]}
            if m["span"] > 1:
                e["end_line"] = line + m["span"] - 1
            e["_needle"] = m["needle"]
            self.labels["negatives"].append(e)


def unique(filler, blank=""):
    """Wrap a filler so a file never repeats a filler line (YAML/JSON keys stay unique)."""
    seen = set()

    def f():
        for _ in range(30):
            b = filler()
            key = "\n".join(b.lines)
            if len(b.lines) == 1:           # one "key: value" / "KEY=value" line: the key must not repeat
                key = key.split(":")[0].split("=")[0]
            if key not in seen or not key.strip():
                seen.add(key)
                return b
        return fill(blank) if blank is not None else None
    return f


def interleave(g, plants, filler, lead=(1, 3), gap=(1, 3), blank=""):
    """Plants separated by filler blocks drawn from filler() (never adjacent)."""
    filler = unique(filler, blank)
    out = [filler() for _ in range(g.randint(*lead))]
    for p in plants:
        out.append(p)
        out += [filler() for _ in range(g.randint(*gap))]
    return [b for b in out if b is not None]


# ============================================================== stdlib python files
def stdlib_candidates():
    root = Path(sysconfig.get_paths()["stdlib"])
    skip_dirs = {"test", "tests", "idlelib", "idle_test", "site-packages", "encodings", "ensurepip", "__pycache__", "pydoc_data"}
    out = []
    for p in sorted(root.rglob("*.py")):
        rel = p.relative_to(root)
        if any(part in skip_dirs or part.startswith("config-") for part in rel.parts[:-1]):
            continue
        if rel.name.startswith("_sysconfigdata") or not (600 <= p.stat().st_size <= MAX_STDLIB_FILE):
            continue
        try:
            src = p.read_bytes().decode("utf-8")
            compile(src, str(p), "exec")
        except (UnicodeDecodeError, SyntaxError, ValueError):
            continue
        out.append((rel.as_posix(), src))
    return out


def insertion_points(src):
    """0-based line indexes where a statement may be inserted: after a blank line, at the start of a logical
    line, outside strings and brackets, not before else/elif/except/finally/case."""
    lines = src.split("\n")
    bad = set()
    depth_at = {}
    depth = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(src).readline):
            if tok.type == tokenize.STRING and tok.end[0] > tok.start[0]:
                bad.update(range(tok.start[0], tok.end[0] + 1))
            if tok.type == tokenize.OP and tok.string in "([{":
                depth += 1
            elif tok.type == tokenize.OP and tok.string in ")]}":
                depth -= 1
            depth_at.setdefault(tok.start[0], depth if tok.type != tokenize.OP or tok.string not in ")]}" else depth + 1)
            if tok.type == tokenize.OP and tok.string in "([{":
                depth_at.setdefault(tok.start[0], depth - 1)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []
    pts = []
    for i in range(1, len(lines)):
        ln = i + 1
        s = lines[i].strip()
        if lines[i - 1].strip() or not s or ln in bad or depth_at.get(ln, 1) != 0:
            continue
        if s.split(" ")[0].rstrip(":") in ("else", "elif", "except", "finally", "case") or s.startswith(("#", ")", "]", "}")):
            continue
        pts.append(i)
    return pts


def plant_python(c, rel, src, pos_plants, neg_plants):
    g = c.g
    lines = src.split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    pts = insertion_points(src)
    plants = pos_plants + neg_plants
    g.r.shuffle(plants)
    chosen = {}
    for p in plants:
        for _ in range(40):
            if not pts:
                break
            i = g.choice(pts)
            if i in chosen or i - 1 in chosen or i + 1 in chosen:
                continue
            indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
            if p.toplevel and indent:
                continue
            trial = dict(chosen)
            trial[i] = p.indented(indent)
            if _compiles(lines, trial):
                chosen = trial
                break
    blocks, prev = [], 0
    for i in sorted(chosen):
        blocks.append(fill(*lines[prev:i]))
        blocks.append(chosen[i])
        blocks.append(fill(""))        # keep a blank line after the planted statement
        prev = i
    blocks.append(fill(*lines[prev:]))
    c.write(rel, blocks)
    return len(chosen)


def _compiles(lines, chosen):
    out, prev = [], 0
    for i in sorted(chosen):
        out += lines[prev:i] + chosen[i].lines + [""]
        prev = i
    out += lines[prev:]
    try:
        compile("\n".join(out) + "\n", "<planted>", "exec")
        return True
    except SyntaxError:
        return False


# ============================================================== synthetic projects: filler per format
def filler_env(g):
    return fill(g.choice(["NODE_ENV=production", f"PORT={g.choice([3000, 8000, 8080, 9090])}", "LOG_LEVEL=info", "TZ=UTC",
                          f"APP_NAME={g.choice(SERVICES)}", "FEATURE_NEW_CHECKOUT=false", f"WORKERS={g.randint(2, 16)}",
                          "CORS_ORIGINS=https://app.acme.io,https://admin.acme.io", "SENTRY_ENVIRONMENT=production",
                          f"DB_HOST={g.choice(SERVICES)}-db", "DB_PORT=5432", f"DB_NAME={g.choice(SERVICES)}", "DB_USER=app",
                          "CACHE_TTL=300", "", "# --- third party ---", "# --- database ---", f"AWS_REGION={g.choice(['eu-west-1', 'us-east-1'])}",
                          f"S3_BUCKET={g.choice(ORGS)}-{g.choice(SERVICES)}-assets", "SMTP_HOST=smtp.sendgrid.net", "SMTP_PORT=587"]))


def filler_sh(g):
    return fill(*g.choice([["set -euo pipefail"], [""], [f'echo "==> deploying {g.choice(SERVICES)}"'], ['cd "$(dirname "$0")/.."'],
                           ["docker compose pull", "docker compose up -d --remove-orphans"], ['if [ "$#" -lt 1 ]; then', '  echo "usage: $0 ENV" >&2', "  exit 2", "fi"],
                           ["kubectl rollout status deploy/api --timeout=120s"], ["npm ci && npm run build"], ["# migrate before switching traffic"],
                           ['python -m alembic upgrade head'], [f'tar czf /tmp/backup-$(date +%F).tgz /var/lib/{g.choice(SERVICES)}']]))


def filler_py(g):
    return fill(*g.choice([["import os"], ["import logging"], ["", "log = logging.getLogger(__name__)"], [""], [f"TIMEOUT = {g.randint(5, 60)}"],
                           [f'BASE_URL = "https://api.{g.choice(ORGS)}.io/v2"'], ["DEBUG = False"], ["ALLOWED_HOSTS = [\"*\"]"],
                           ["", "def get_client():", "    return Client(base_url=BASE_URL, timeout=TIMEOUT)"],
                           [f'INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "{g.choice(SERVICES)}"]'],
                           ["# TODO: move to vault"], [f"RETRY_BACKOFF = {g.choice([0.5, 1.0, 2.0])}"]]))


def filler_js(g):
    return fill(*g.choice([[""], ['import axios from "axios";'], ["const PORT = process.env.PORT || 3000;"], [f'const BASE_URL = "https://api.{g.choice(ORGS)}.io";'],
                           ["export async function health() {", "  return { ok: true };", "}"], ["app.use(express.json());"],
                           ["// TODO: read from the secrets manager"], ["const logger = pino({ level: 'info' });"],
                           ['app.get("/healthz", (_req, res) => res.send("ok"));']]))


def filler_go(g):
    return fill(*g.choice([[""], ['log.Println("starting")'], ["ctx := context.Background()"], ['mux := http.NewServeMux()'],
                           ["if err != nil {", "\tlog.Fatal(err)", "}"], ["// TODO: load from env"], ['addr := ":8080"'],
                           ['srv := &http.Server{Addr: addr, ReadTimeout: 5 * time.Second}'], ['_ = ctx'], ['log.Fatal(srv.ListenAndServe())']]))


def filler_props(g):
    return fill(g.choice(["server.port=8080", "spring.application.name=" + g.choice(SERVICES), "logging.level.root=INFO",
                          "spring.jpa.hibernate.ddl-auto=validate", f"spring.datasource.url=jdbc:postgresql://db:5432/{g.choice(SERVICES)}",
                          "spring.datasource.username=app", "management.endpoints.web.exposure.include=health,info", "", "# mail",
                          "spring.mail.host=smtp.office365.com", "app.cache.ttl=300"]))


def filler_tf(g):
    return fill(*g.choice([[""], [f'resource "aws_s3_bucket" "{g.choice(SERVICES)}" {{', f'  bucket = "{g.choice(ORGS)}-{g.choice(SERVICES)}-logs"', "}"],
                           ['module "vpc" {', '  source  = "terraform-aws-modules/vpc/aws"', '  version = "5.1.2"', '  cidr    = "10.0.0.0/16"', "}"],
                           [f'variable "region" {{', '  default = "eu-west-1"', "}"], ['output "bucket" {', "  value = aws_s3_bucket.this.id", "}"]]))


def filler_yaml(g):
    return fill(g.choice([f"LOG_LEVEL: {g.choice(['info', 'debug'])}", "TZ: UTC", f"PORT: \"{g.choice([3000, 8080])}\"", "NODE_ENV: production",
                          f"APP_NAME: {g.choice(SERVICES)}", "FEATURE_FLAGS: \"checkout,v2-search\""]))


def filler_json_member(g):
    return fill(g.choice(['"logLevel": "info"', f'"port": {g.choice([3000, 8080])}', f'"service": "{g.choice(SERVICES)}"', '"retries": 3',
                          '"features": ["search", "export"]', f'"region": "{g.choice(["eu-west-1", "us-east-1"])}"', '"timeoutMs": 5000']))


def filler_md(g):
    return fill(*g.choice([["", f"## {g.choice(['Setup', 'Deploying', 'Local development', 'Troubleshooting'])}", ""],
                           [f"The {g.choice(SERVICES)} service reads its configuration from the environment."], [""],
                           ["Run the migrations before starting the server."], ["See the runbook for rollback steps."]]))


def json_object(members, indent="  "):
    out = []
    for k, m in enumerate(members):
        lines = list(m.lines)
        if k < len(members) - 1:
            lines[-1] += ","
        q = Plant([indent + l for l in lines])
        q.marks = m.marks
        out.append(q)
    return out


def proj_name(g, used):
    while True:
        n = f"{g.choice(ORGS)}-{g.choice(SERVICES)}{g.choice(['', '-api', '-worker', '-infra', '-web'])}"
        if n not in used:
            used.add(n)
            return n


# ---------------------------------------------------------------- builders per file kind
def build_kv_file(c, rel, fmt, npos, nneg, head, filler, tail=(), indent=""):
    g = c.g
    plants = c.positives(fmt, npos) + c.negatives(fmt, nneg)
    g.r.shuffle(plants)
    body = interleave(g, [p.indented(indent) for p in plants], lambda: filler(g).indented(indent))
    c.write(rel, [fill(*head)] + body + [fill(*tail)] if tail else [fill(*head)] + body)


def make_env(c, base, npos, nneg):
    rel = base + c.g.choice([".env", ".env.production", "config/.env.local", ".env.staging"])
    build_kv_file(c, rel, "env", npos, nneg, ["# generated from .env.template - keep in sync"], filler_env)


def make_sh(c, base, npos, nneg):
    rel = base + c.g.choice(["scripts/deploy.sh", "bin/bootstrap.sh", "ops/backup.sh", "scripts/release.sh"])
    build_kv_file(c, rel, "sh", npos, nneg, ["#!/usr/bin/env bash", "set -euo pipefail", ""], filler_sh)


def make_py(c, base, npos, nneg):
    rel = base + c.g.choice(["settings.py", "app/config.py", "scripts/sync.py", "src/app/settings/prod.py"])
    build_kv_file(c, rel, "py", npos, nneg, ['"""Service configuration."""', "import os", "import requests", ""], filler_py)


def make_js(c, base, npos, nneg):
    ts = c.g.chance(0.4)
    rel = base + (c.g.choice(["src/config.ts", "web/src/api.ts", "src/lib/client.ts"]) if ts else c.g.choice(["server.js", "src/api/client.js", "config/index.js"]))
    build_kv_file(c, rel, "ts" if ts else "js", npos, nneg, ['import express from "express";', ""], filler_js, ["", "export default app;"])


def make_go(c, base, npos, nneg):
    rel = base + c.g.choice(["cmd/server/main.go", "internal/config/config.go", "main.go"])
    build_kv_file(c, rel, "go", npos, nneg, ["package main", "", "import (", '\t"log"', '\t"net/http"', '\t"os"', '\t"time"', ")", "", "func main() {"],
                  filler_go, ["}"], indent="\t")


def make_props(c, base, npos, nneg):
    rel = base + c.g.choice(["src/main/resources/application.properties", "config/application-prod.properties"])
    build_kv_file(c, rel, "properties", npos, nneg, ["# Spring Boot configuration"], filler_props)


def make_tf(c, base, npos, nneg):
    if c.g.chance(0.3):
        rel = base + "infra/terraform.tfvars"
        build_kv_file(c, rel, "tfvars", npos, nneg, ['environment = "prod"'], lambda g: fill(g.choice(['instance_type = "t3.small"', "min_size = 2", "", 'region = "eu-west-1"'])))
    else:
        rel = base + c.g.choice(["infra/main.tf", "terraform/providers.tf", "infra/prod/main.tf"])
        build_kv_file(c, rel, "tf", npos, nneg, ["terraform {", "  required_providers {", '    aws = { source = "hashicorp/aws", version = "~> 5.0" }', "  }", "}", ""], filler_tf)


def make_md(c, base, npos, nneg):
    g = c.g
    rel = base + g.choice(["README.md", "docs/deploy.md", "docs/api.md", "RUNBOOK.md"])
    plants = c.positives("md", npos) + c.negatives("md", nneg)
    g.r.shuffle(plants)
    blocks = [fill(f"# {g.choice(SERVICES).capitalize()} service", "", "Internal notes.")]
    for p in plants:
        blocks.append(filler_md(g))
        blocks += [fill("", "```bash"), p, fill("```", "")]
    c.write(rel, blocks)


def make_compose(c, base, npos, nneg):
    g = c.g
    plants = c.positives("yaml-compose", npos) + c.negatives("yaml-compose", nneg)
    g.r.shuffle(plants)
    head = ["services:", "  api:", f"    image: ghcr.io/{g.choice(ORGS)}/{g.choice(SERVICES)}:{g.randint(1, 3)}.{g.randint(0, 20)}.{g.randint(0, 9)}",
            "    restart: unless-stopped", "    ports:", '      - "8080:8080"', "    environment:"]
    body = interleave(g, [p.indented("      ") for p in plants], lambda: filler_yaml(g).indented("      "))
    tail = ["    depends_on:", "      - db", "  db:", "    image: postgres:16-alpine", "    volumes:", "      - pgdata:/var/lib/postgresql/data", "volumes:", "  pgdata: {}"]
    c.write(base + g.choice(["docker-compose.yml", "compose.yaml", "deploy/docker-compose.prod.yml"]), [fill(*head)] + body + [fill(*tail)])


def make_gha(c, base, npos, nneg):
    g = c.g
    plants = c.positives("yaml-gha", npos) + c.negatives("yaml-gha", nneg)
    g.r.shuffle(plants)
    head = [f"name: {g.choice(['deploy', 'release', 'ci'])}", "on:", "  push:", "    branches: [main]", "jobs:", "  deploy:", "    runs-on: ubuntu-latest",
            "    steps:", "      - uses: actions/checkout@v4"]
    steps = [["- run: npm ci"], ["- run: make test"], ["- name: Build", "  run: docker build -t app ."], ["- uses: actions/setup-python@v5", "  with:", "    python-version: '3.12'"]]
    body = interleave(g, [p.indented("      ") for p in plants], lambda: fill(*g.choice(steps)).indented("      "), gap=(1, 2))
    c.write(base + ".github/workflows/" + g.choice(["deploy.yml", "release.yml", "ci.yml", "nightly.yml"]), [fill(*head)] + body)


def make_gitlab(c, base, npos, nneg):
    g = c.g
    kv, jobs = [], []
    for p in c.positives("yaml-gitlab", npos) + c.negatives("yaml-gitlab", nneg):
        (jobs if p.lines[0].endswith("-job:") else kv).append(p)
    body = [fill("stages: [build, test, deploy]", "", "variables:")]
    body += interleave(g, [p.indented("  ") for p in kv], lambda: filler_yaml(g).indented("  "), lead=(1, 1))
    body.append(fill("", "build:", "  stage: build", "  script:", "    - docker build -t $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA ."))
    for j in jobs:
        body += [fill(""), j]
    c.write(base + ".gitlab-ci.yml", body)


def make_k8s(c, base, npos, nneg):
    g = c.g
    svc = g.choice(SERVICES)
    if g.chance(0.5):
        plants = c.positives("yaml-k8s-env", npos) + c.negatives("yaml-k8s-env", nneg)
        g.r.shuffle(plants)
        head = ["apiVersion: apps/v1", "kind: Deployment", "metadata:", f"  name: {svc}", "spec:", "  replicas: 2", "  template:", "    spec:",
                "      containers:", f"        - name: {svc}", f"          image: registry.{g.choice(ORGS)}.io/{svc}:1.8.3", "          env:"]
        body = interleave(g, [p.indented("            ") for p in plants],
                          lambda: fill("- name: " + g.choice(["LOG_LEVEL", "PORT", "TZ", "WORKERS"]), f'  value: "{g.choice(["info", "8080", "UTC", "4"])}"').indented("            "))
        c.write(base + f"k8s/{svc}-deployment.yaml", [fill(*head)] + body)
    else:
        data = g.chance(0.5)
        fmt = "yaml-k8s-secret-data" if data else "yaml-k8s-secret"
        plants = c.positives(fmt, max(1, npos)) + (c.negatives("yaml-k8s-secret", nneg) if not data else [])
        g.r.shuffle(plants)
        head = ["apiVersion: v1", "kind: Secret", "metadata:", f"  name: {svc}-secrets", f"  namespace: {g.choice(['prod', 'default', 'payments'])}",
                "type: Opaque", "data:" if data else "stringData:"]
        body = interleave(g, [p.indented("  ") for p in plants], lambda: fill(("region: ZXUtd2VzdC0x" if data else "region: eu-west-1")).indented("  "))
        c.write(base + f"k8s/{svc}-secret.yaml", [fill(*head)] + body)


def make_values(c, base, npos, nneg):
    g = c.g
    spring = g.chance(0.35)
    fmt = "yaml-spring" if spring else "yaml-values"
    plants = c.positives(fmt, npos) + c.negatives(fmt, nneg)
    g.r.shuffle(plants)
    if spring:
        head = ["spring:", "  application:", f"    name: {g.choice(SERVICES)}", "app:"]
        rel = base + "src/main/resources/application-prod.yml"
    else:
        head = ["replicaCount: 2", "image:", f"  repository: ghcr.io/{g.choice(ORGS)}/{g.choice(SERVICES)}", '  tag: "1.4.0"', "config:"]
        rel = base + g.choice(["helm/values.yaml", "charts/app/values-prod.yaml", "ansible/group_vars/prod.yml"])
    body = interleave(g, [p.indented("  ") for p in plants], lambda: fill(g.choice(["timeout: 30", "logLevel: info", "cacheSize: 512"])).indented("  "))
    c.write(rel, [fill(*head)] + body)


def make_json(c, base, npos, nneg):
    g = c.g
    plants = c.positives("json", npos) + c.negatives("json", nneg)
    g.r.shuffle(plants)
    members = interleave(g, plants, lambda: filler_json_member(g), gap=(1, 2), blank=None)
    rel = base + g.choice(["config/production.json", "appsettings.json", "config/default.json", "secrets.json"])
    c.write(rel, [fill("{")] + json_object(members) + [fill("}")])


def make_fixture(c, base, npos, nneg):
    g = c.g
    plants = c.negatives("json", nneg + 2)
    members = interleave(g, plants, lambda: fill(f'"{g.choice(["name", "email", "status", "amount"])}": '
                                                   f'{json.dumps(g.choice(["Jane Roe", "j@acme.io", "active", 1299]))}'), gap=(1, 1), blank=None)
    c.write(base + f"tests/fixtures/{g.choice(['order', 'customer', 'invoice', 'event'])}_{g.randint(1, 99)}.json",
            [fill("{")] + json_object(members) + [fill("}")])


# ---------------------------------------------------------------- single-purpose credential files
def make_npmrc(c, base):
    g = c.g
    blocks = [fill("registry=https://registry.npmjs.org/", f"@{g.choice(ORGS)}:registry=https://npm.pkg.github.com", "save-exact=true")]
    t = crc_token(g, "npm_")
    blocks.append(Plant([f"//registry.npmjs.org/:_authToken={t}"], [pos("npm.access-token", t)]))
    if g.chance(0.6):
        t = crc_token(g, "ghp_")
        blocks.append(Plant([f"//npm.pkg.github.com/:_authToken={t}"], [pos("github.classic-pat", t)]))
    if g.chance(0.5):
        t = "NpmToken." + g.uuid()
        blocks.append(Plant([f"//nexus.{g.choice(ORGS)}.internal/repository/npm-private/:_authToken={t}"], [pos("npmrc.auth-token", t)]))
    if g.chance(0.5):
        a = base64.b64encode(f"{g.choice(USERS)}:{v_password(g)}".encode()).decode()
        blocks += [fill(f"//artifactory.{g.choice(ORGS)}.io/artifactory/api/npm/npm/:always-auth=true"),
                   Plant([f"//artifactory.{g.choice(ORGS)}.io/artifactory/api/npm/npm/:_auth={a}"], [pos("npmrc.auth", a, alt=[base64.b64decode(a).decode()])])]
    if g.chance(0.5):
        blocks.append(Plant(["//registry.npmjs.org/:_authToken=${NPM_TOKEN}"], [neg("variable-reference", "${NPM_TOKEN}")]))
        c.neg_pick.count["variable-reference"] += 1
    c.write(base + ".npmrc", blocks)


def make_netrc(c, base):
    g = c.g
    blocks = []
    for host in g.r.sample(["api.heroku.com", "git.heroku.com", "ftp.acme-corp.net", "nexus.globex.internal", "bitbucket.org", "gitlab.initech.io"], g.randint(1, 3)):
        pw = v_password(g)
        if g.chance(0.5):
            blocks.append(Plant([f"machine {host} login {g.choice(USERS)}@{g.choice(ORGS)}.io password {pw}"], [pos("netrc.password", pw)]))
        else:
            blocks.append(Plant([f"machine {host}", f"  login {g.choice(USERS)}", f"  password {pw}"], [pos("netrc.password", pw)]))
    c.write(base + ".netrc", blocks)


def make_pypirc(c, base):
    g = c.g
    tok, pw = v_pypi(g), v_password(g)
    org = g.choice(ORGS)
    c.write(base + ".pypirc", [
        fill("[distutils]", "index-servers =", "    pypi", "    internal", "", "[pypi]", "username = __token__"),
        Plant([f"password = {tok}"], [pos("pypi.upload-token", tok)]),
        fill("", "[internal]", f"repository = https://nexus.{org}.internal/repository/pypi-internal/", "username = deploy"),
        Plant([f"password = {pw}"], [pos("pypirc.password", pw)])])


def make_dockercfg(c, base):
    g = c.g
    members = []
    for reg, tok in [("https://index.docker.io/v1/", "dckr_pat_" + g.mixed(B64URL, 27)), ("ghcr.io", crc_token(g, "ghp_")),
                     (f"registry.{g.choice(ORGS)}.io", v_password(g))][: g.randint(1, 3)]:
        user = f"{g.choice(ORGS)}ci"
        a = base64.b64encode(f"{user}:{tok}".encode()).decode()
        members.append(Plant([f'"{reg}": {{', f'  "auth": "{a}"', "}"], [pos("docker.config-auth", a, alt=[tok, f"{user}:{tok}"])]))
    body = [fill("{", '  "auths": {')]
    body += json_object(members, indent="    ")
    body.append(fill("  },", '  "credsStore": "",', '  "currentContext": "default"', "}"))
    c.write(base + ".docker/config.json", body)


def make_awscreds(c, base):
    g = c.g
    blocks = []
    for prof in ["default", g.choice(["prod", "deploy", "ci"])][: g.randint(1, 2)]:
        kid, sec = v_aws_id(g), v_aws_secret(g)
        blocks.append(fill(f"[{prof}]"))
        blocks.append(Plant([f"aws_access_key_id = {kid}", f"aws_secret_access_key = {sec}", "region = eu-west-1", ""],
                            [pos("aws.access-key-id", kid), pos("aws.secret-access-key", sec)]))
        c.pos_pick.count["aws"] += 1
    if g.chance(0.5):
        blocks.append(Plant(["[docs]", f"aws_access_key_id = {AWS_DOC_ID}", f"aws_secret_access_key = {AWS_DOC_SECRET}"],
                            [neg("aws-example-key", AWS_DOC_ID), neg("aws-example-key", AWS_DOC_SECRET)]))
    c.write(base + ".aws/credentials", blocks)


def make_gitcred(c, base):
    g = c.g
    blocks = []
    for kind in ["bb"] + g.r.sample(["gh", "gl"], g.randint(0, 2)):
        if kind == "gh":
            t = crc_token(g, "ghp_")
            blocks.append(Plant([f"https://{g.choice(USERS)}:{t}@github.com"], [pos("github.classic-pat", t)]))
        elif kind == "gl":
            t = "glpat-" + g.mixed(B64URL, 20)
            blocks.append(Plant([f"https://oauth2:{t}@gitlab.com"], [pos("gitlab.pat", t)]))
        else:
            pw = g.mixed(URLPW, 20)
            blocks.append(Plant([f"https://{g.choice(USERS)}:{pw}@bitbucket.org"], [pos("git.credentials", pw)]))
    c.write(base + ".git-credentials", blocks)


def make_kubeconfig(c, base):
    g = c.g
    rsa = g.pub_rsa()
    ca = base64.b64encode((rsa.self_signed_cert_pem("kubernetes", g.randint(1000, 10 ** 9)) + "\n").encode()).decode()
    cert = base64.b64encode((rsa.self_signed_cert_pem("system:admin", g.randint(1000, 10 ** 9)) + "\n").encode()).decode()
    keypem = keys.ec_p256_pem(g.keyrng) + "\n"
    kd = base64.b64encode(keypem.encode()).decode()
    tok = v_jwt(g, "RS256", {"iss": "kubernetes/serviceaccount", "kubernetes.io/serviceaccount/namespace": "ci",
                             "kubernetes.io/serviceaccount/service-account.name": "deployer", "sub": "system:serviceaccount:ci:deployer"})
    cl = f"{g.choice(ORGS)}-prod"
    blocks = [fill("apiVersion: v1", "kind: Config", "clusters:", "- cluster:"),
              Plant([f"    certificate-authority-data: {ca}"], [neg("certificate-base64", ca[:40])]),
              fill(f"    server: https://{g.s(HEX.upper(), 32)}.gr7.eu-west-1.eks.amazonaws.com", f"  name: {cl}", "contexts:", "- context:",
                   f"    cluster: {cl}", "    user: admin", f"  name: {cl}", f"current-context: {cl}", "users:", "- name: admin", "  user:"),
              Plant([f"    client-certificate-data: {cert}"], [neg("certificate-base64", cert[:40])]),
              Plant([f"    client-key-data: {kd}"], [pos("kubernetes.client-key-data", kd, alt=[keypem])]),
              fill("- name: deployer", "  user:"),
              Plant([f"    token: {tok}"], [pos("kubernetes.token", tok)])]
    c.write(base + g.choice(["kubeconfig", ".kube/config", "deploy/kubeconfig.yaml"]), blocks)


def make_pemfile(c, base):
    g = c.g
    kind = g.choice(["pem.rsa-private-key", "pem.ec-private-key", "pem.openssh-private-key", "pem.pkcs8-private-key"])
    k = gen_private_key(g, kind)
    name = {"pem.openssh-private-key": g.choice([".ssh/id_ed25519", "deploy/id_deploy", "keys/github_deploy_key"]),
            "pem.rsa-private-key": g.choice(["certs/server.key", "keys/id_rsa", "ssl/private.key"]),
            "pem.ec-private-key": g.choice(["certs/tls.key", "keys/ec-signing.pem"]),
            "pem.pkcs8-private-key": g.choice(["keys/jwt-signing.pem", "config/private_key.pem"])}[kind]
    c.write(base + name, [Plant(k.splitlines(), [pos(kind, k, alt=[k + "\n"], span=k.count("\n") + 1)])])
    c.pos_pick.count[kind] += 1


def make_sa_file(c, base):
    g = c.g
    d, k = sa_json(g)
    c.write(base + g.choice(["gcp/service-account.json", "credentials.json", "config/firebase-adminsdk.json"]),
            [Plant(json.dumps(d, indent=2).splitlines(), [sa_mark(k)])])
    c.pos_pick.count["gcp.service-account-key"] += 1


def make_oauth_client(c, base):
    g = c.g
    sec = "GOCSPX-" + g.mixed(B64URL, 28)
    d = {"installed": {"client_id": f"{g.digits(12)}-{g.s(LOWER + DIGITS, 32)}.apps.googleusercontent.com",
                       "project_id": f"{g.choice(ORGS)}-{g.digits(6)}", "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                       "token_uri": "https://oauth2.googleapis.com/token", "client_secret": sec, "redirect_uris": ["http://localhost"]}}
    text = json.dumps(d, indent=2) if g.chance(0.5) else json.dumps(d, separators=(",", ":"))
    c.write(base + "client_secret.json", [Plant(text.splitlines(), [pos("gcp.oauth-client-secret", sec)])])
    c.pos_pick.count["gcp.oauth-client-secret"] += 1


def make_azure(c, base):
    g = c.g
    acct = g.choice(ORGS) + g.s(LOWER + DIGITS, 6)
    key = g.b64(64)
    cs = f"DefaultEndpointsProtocol=https;AccountName={acct};AccountKey={key};EndpointSuffix=core.windows.net"
    sec = g.s(ALNUM, 3) + g.s(DIGITS, 1) + "Q~" + g.mixed(ALNUM + "_~.-", 34)
    members = [Plant(['"ConnectionStrings": {', f'  "Storage": "{cs}"', "}"], [pos("azure.storage-account-key", key, alt=[cs])]),
               fill('"Logging": { "LogLevel": { "Default": "Information" } }'),
               Plant(['"AzureAd": {', '  "Instance": "https://login.microsoftonline.com/",', f'  "TenantId": "{g.uuid()}",',
                      f'  "ClientId": "{g.uuid()}",', f'  "ClientSecret": "{sec}"', "}"], [pos("azure.client-secret", sec)])]
    c.pos_pick.count["azure.client-secret"] += 1
    c.write(base + "appsettings.Production.json", [fill("{")] + json_object(members) + [fill("}")])


def azure_storage_unit():
    def render(fmt, g):
        key = g.b64(64)
        cs = f"DefaultEndpointsProtocol=https;AccountName={g.choice(ORGS)}{g.s(LOWER + DIGITS, 6)};AccountKey={key};EndpointSuffix=core.windows.net"
        if fmt == "py" and g.chance(0.5):
            return Plant([f'blob_service = BlobServiceClient.from_connection_string("{cs}")'], [pos("azure.storage-account-key", key, alt=[cs])])
        if fmt in ("sh", "md") and g.chance(0.5):
            return Plant([f"az storage blob upload --account-name {g.choice(ORGS)}data --account-key {key} -c backups -f dump.sql"],
                         [pos("azure.storage-account-key", key)])
        return Plant(kv_lines(fmt, g, g.choice(["AZURE_STORAGE_CONNECTION_STRING", "STORAGE_CONNECTION"]), cs),
                     [pos("azure.storage-account-key", key, alt=[cs])])
    return Unit("azure.storage-account-key", ["azure.storage-account-key"], KV_FMTS, render, 12)


UNITS.append(azure_storage_unit())
UNIT["azure.storage-account-key"] = UNITS[-1]


def make_alertmanager(c, base):
    g = c.g
    hook = v_slack_hook(g)
    c.write(base + "monitoring/alertmanager.yml", [
        fill("route:", "  receiver: slack", "  group_wait: 30s", "receivers:", "  - name: slack", "    slack_configs:"),
        Plant([f"      - api_url: {hook}"], [pos("slack.webhook", hook)]),
        fill("        channel: '#alerts'", "        send_resolved: true")])
    c.pos_pick.count["slack.webhook"] += 1


def make_datadog_yaml(c, base):
    g = c.g
    k = g.hexs(32)
    c.write(base + "datadog/datadog.yaml", [fill("## Datadog agent configuration", "site: datadoghq.eu"),
                                            Plant([f"api_key: {k}"], [pos("datadog.api-key", k)]),
                                            fill("logs_enabled: true", "apm_config:", "  enabled: true")])
    c.pos_pick.count["datadog.api-key"] += 1


def make_pipconf(c, base):
    g = c.g
    u = u_basic_url("env", g)
    url = u.marks[0]["needle"]
    if "pypi" not in url:
        url = url.split("@")[0] + f"@nexus.{g.choice(ORGS)}.internal/repository/pypi-internal/simple"
    pw = url.split("://")[1].split("@")[0].split(":")[1]
    if g.chance(0.5):
        c.write(base + "pip.conf", [fill("[global]", "timeout = 60"), Plant([f"index-url = {url}"], [pos("url.basic-auth", pw, needle=url, alt=[url])])])
    else:
        t = "glpat-" + g.mixed(B64URL, 20)
        c.write(base + "requirements.txt", [fill("requests==2.32.3", "boto3==1.34.131"),
                                            Plant([f"--extra-index-url https://__token__:{t}@gitlab.com/api/v4/projects/{g.digits(8)}/packages/pypi/simple"],
                                                  [pos("gitlab.pat", t)]),
                                            fill(f"{g.choice(ORGS)}-internal-sdk==3.2.0", "pydantic==2.7.4")])
        c.pos_pick.count["gitlab.pat"] += 1
        return
    c.pos_pick.count["url.basic-auth"] += 1


# ---------------------------------------------------------------- negative-only files
def make_authorized_keys(c, base):
    g = c.g
    blocks = []
    for _ in range(g.randint(2, 4)):
        if g.chance(0.5):
            v = keys.ed25519_openssh(g.keyrng, f"{g.choice(USERS)}@laptop")[1]
        else:
            v = g.pub_rsa().ssh_public(f"{g.choice(USERS)}@{g.choice(SERVICES)}")
        blocks.append(Plant([v], [neg("ssh-public-key", v)]))
    c.write(base + ".ssh/authorized_keys", blocks)
    c.neg_pick.count["public-key"] += len(blocks)


def make_certfile(c, base):
    g = c.g
    rsa = g.pub_rsa()
    v = rsa.self_signed_cert_pem(f"{g.choice(SERVICES)}.{g.choice(ORGS)}.internal", g.randint(1000, 10 ** 9))
    p = rsa.public_pem()
    c.write(base + g.choice(["certs/ca.pem", "ssl/server.crt", "certs/root-ca.crt"]),
            [Plant(v.splitlines(), [neg("certificate-pem", v.splitlines()[0], span=v.count("\n") + 1)])])
    c.write(base + "keys/jwt-public.pem", [Plant(p.splitlines(), [neg("public-key-pem", p.splitlines()[0], span=p.count("\n") + 1)])])
    c.neg_pick.count["public-key"] += 2


def make_lockfile(c, base):
    g = c.g
    pkgs = ["lodash", "express", "debug", "ms", "chalk", "semver", "commander", "uuid", "yargs", "minimist", "axios", "tslib"]
    members = []
    for name in g.r.sample(pkgs, g.randint(3, 6)):
        ver = f"{g.randint(1, 9)}.{g.randint(0, 20)}.{g.randint(0, 9)}"
        integ = "sha512-" + g.b64(64)
        members.append(Plant([f'"node_modules/{name}": {{', f'  "version": "{ver}",', f'  "resolved": "https://registry.npmjs.org/{name}/-/{name}-{ver}.tgz",',
                              f'  "integrity": "{integ}"', "}"], [neg("sri-integrity", integ)]))
        c.neg_pick.count["sri-integrity"] += 1
    body = [fill("{", f'  "name": "{g.choice(SERVICES)}-web",', '  "lockfileVersion": 3,', '  "packages": {')]
    body += json_object(members, indent="    ") + [fill("  }", "}")]
    c.write(base + "package-lock.json", body)


def make_precommit(c, base):
    g = c.g
    blocks = [fill("repos:")]
    for repo in g.r.sample(["https://github.com/pre-commit/pre-commit-hooks", "https://github.com/psf/black", "https://github.com/astral-sh/ruff-pre-commit",
                            "https://github.com/gitleaks/gitleaks"], g.randint(2, 3)):
        sha1 = g.hexs(40)
        blocks += [fill(f"  - repo: {repo}"), Plant([f"    rev: {sha1}  # frozen"], [neg("git-sha", sha1)]), fill("    hooks:", "      - id: check-yaml")]
        c.neg_pick.count["git-sha"] += 1
    c.write(base + ".pre-commit-config.yaml", blocks)


def make_gosum(c, base):
    g = c.g
    blocks = []
    for mod in g.r.sample(["github.com/spf13/cobra v1.8.0", "github.com/stretchr/testify v1.9.0", "golang.org/x/sys v0.21.0",
                           "github.com/google/uuid v1.6.0", "gopkg.in/yaml.v3 v3.0.1"], 3):
        h = g.b64(32)
        blocks.append(Plant([f"{mod} h1:{h}"], [neg("go-sum-hash", h)]))
        blocks.append(fill(f"{mod.split()[0]} {mod.split()[1]}/go.mod h1:{g.b64(32)}"))
    c.write(base + "go.sum", blocks)


# ============================================================== driver
KV_MAKERS = [(make_env, 14), (make_sh, 10), (make_py, 8), (make_js, 10), (make_go, 7), (make_props, 6), (make_tf, 8), (make_md, 6),
             (make_compose, 8), (make_gha, 8), (make_gitlab, 5), (make_k8s, 10), (make_values, 7), (make_json, 8), (make_fixture, 4)]
SPECIAL_MAKERS = [make_npmrc, make_netrc, make_pypirc, make_dockercfg, make_awscreds, make_gitcred, make_kubeconfig, make_pemfile,
                  make_pemfile, make_sa_file, make_oauth_client, make_azure, make_alertmanager, make_datadog_yaml, make_pipconf,
                  make_authorized_keys, make_certfile, make_lockfile, make_precommit, make_gosum]


def generate():
    g = Gen(SEED)
    c = Corpus(g)
    # 1. real stdlib files
    cands = stdlib_candidates()
    picked = sorted(g.r.sample(cands, min(N_STDLIB, len(cands))))
    for rel, src in picked:
        npos = g.choice([0, 1, 1, 1, 1, 2])
        nneg = g.choice([0, 1, 1, 1, 2, 2])
        plant_python(c, "python/" + rel, src, c.positives("py", npos), c.negatives("py", nneg))
    # 2. synthetic projects
    used = set()
    makers = [m for m, w in KV_MAKERS for _ in range(w)]
    for i in range(48):
        base = f"projects/{proj_name(g, used)}/"
        for mk in g.r.sample(makers, 4):
            try:
                mk(c, base, g.choice([1, 2, 2, 3]), g.choice([1, 2, 2, 3]))
            except FileExistsError:
                continue        # same file name drawn twice for this project
        for mk in g.r.sample(SPECIAL_MAKERS, 4):
            try:
                mk(c, base)
            except FileExistsError:
                continue
    return c


def verify(c, root):
    """Every label points at its line; positive secrets hash to the recorded value."""
    problems = []
    cache = {}
    for kind in ("positives", "negatives"):
        for e in c.labels[kind]:
            if e["path"] not in cache:
                cache[e["path"]] = (root / e["path"]).read_text().split("\n")
            lines = cache[e["path"]]
            line = lines[e["line"] - 1]
            if e["_needle"] not in line:
                problems.append(f"{kind} {e['path']}:{e['line']} {e['type']}: needle not on line")
            if kind == "positives":
                sec = e["_secret"]
                if sha(sec) != e["secret_sha256"]:
                    problems.append(f"sha mismatch {e['path']}:{e['line']}")
                text = "\n".join(lines[e["line"] - 1:])
                first = sec.split("\n")[0]
                col = line.find(first)
                if not text[col:].replace("\n" + " " * 0, "\n").startswith(sec) and "\n" in sec:
                    # indented blocks (YAML, heredocs in tf) carry a prefix on every line: compare dedented
                    block = [l.strip() for l in lines[e["line"] - 1:e["line"] - 1 + sec.count("\n") + 1]]
                    block[0] = block[0][block[0].find(first):]
                    block[-1] = block[-1][: len(sec.split("\n")[-1])]
                    if "\n".join(block) != sec:
                        problems.append(f"multi-line secret does not start at {e['path']}:{e['line']}")
                elif "\n" not in sec and sec not in line:
                    problems.append(f"secret not on {e['path']}:{e['line']}")
    # no negative line may carry a planted positive value
    secrets = [e["_secret"] for e in c.labels["positives"] if "\n" not in e["_secret"]]
    for e in c.labels["negatives"]:
        line = cache[e["path"]][e["line"] - 1]
        for sec in secrets:
            if sec in line:
                problems.append(f"negative {e['path']}:{e['line']} {e['type']} carries a positive value")
    return problems


def corpus_digest(files, labels):
    """sha256 over every file (sorted path, length, bytes) and the labels (positives, negatives)."""
    h = hashlib.sha256()
    for rel in sorted(files):
        data = files[rel].encode()
        h.update(f"{rel}\0{len(data)}\0".encode())
        h.update(data)
    h.update(json.dumps({k: labels[k] for k in ("positives", "negatives")}, sort_keys=True).encode())
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=HERE, help="directory receiving files/ and labels.json (default: this folder)")
    ap.add_argument("--require-reference", action="store_true",
                    help=f"refuse (exit 3) unless this is Python {REFERENCE['python']} and the corpus matches the reference digest")
    args = ap.parse_args()
    py = sys.version.split()[0]
    if py != REFERENCE["python"]:
        msg = (f"make_corpus: this is Python {py}; the reference corpus (the figures in benches/README.md) was made with "
               f"Python {REFERENCE['python']}. The stdlib differs, so files, labels and figures will differ too: "
               f"compare numbers from the same corpus only.")
        if args.require_reference:
            print(msg + " Refusing (--require-reference).", file=sys.stderr)
            return 3
        print("warning: " + msg, file=sys.stderr)
    c = generate()
    files_dir = args.out / "files"
    if files_dir.exists():
        shutil.rmtree(files_dir)
    for rel in sorted(c.files):
        p = files_dir / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(c.files[rel].encode())
    problems = verify(c, files_dir)
    for kind in ("positives", "negatives"):
        for e in c.labels[kind]:
            e.pop("_needle", None)
            e.pop("_secret", None)
        c.labels[kind].sort(key=lambda e: (e["path"], e["line"], e["type"]))
    digest = corpus_digest(c.files, c.labels)
    out = {"meta": {"generator": "benches/corpus/make_corpus.py", "seed": SEED, "python": py,
                    "stdlib": sysconfig.get_paths()["stdlib"], "corpus_sha256": digest,
                    "reference": digest == REFERENCE["corpus_sha256"],
                    "files": len(c.files), "bytes": sum(len(t.encode()) for t in c.files.values()),
                    "note": "line numbers are 1-based; end_line marks multi-line secrets (match the first line +-1); "
                            "alt_secret_sha256 lists other spans a detector may reasonably capture (URL vs password, escaped vs raw PEM)"},
           **c.labels}
    (args.out / "labels.json").write_text(json.dumps(out, indent=1, sort_keys=False) + "\n")
    pt, nt = {}, {}
    for e in c.labels["positives"]:
        pt[e["type"]] = pt.get(e["type"], 0) + 1
    for e in c.labels["negatives"]:
        nt[e["type"]] = nt.get(e["type"], 0) + 1
    print(f"{len(c.files)} files, {out['meta']['bytes'] / 1e6:.2f} MB; {len(c.labels['positives'])} positives over {len(pt)} types, "
          f"{len(c.labels['negatives'])} negatives over {len(nt)} types")
    for name, d in (("positives", pt), ("negatives", nt)):
        print(f"  {name}: " + ", ".join(f"{k}={v}" for k, v in sorted(d.items())))
    print(f"corpus sha256 {digest} " + ("(the reference corpus)" if out["meta"]["reference"] else
                                        f"(NOT the reference corpus {REFERENCE['corpus_sha256'][:12]}…, Python {REFERENCE['python']})"))
    if problems:
        print(f"{len(problems)} label problems:", *problems[:30], sep="\n  ", file=sys.stderr)
        return 1
    if not out["meta"]["reference"]:
        msg = ("make_corpus: this corpus differs from the reference one (another stdlib, or a changed generator): "
               "its figures are not comparable to benches/README.md")
        if args.require_reference:
            print(msg + ". Refusing (--require-reference); files/ and labels.json were written but not the reference.",
                  file=sys.stderr)
            return 3
        print("warning: " + msg, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
