#!/usr/bin/env python3
"""AWS offline scale benchmark (issue 4): generate a `get-account-authorization-details` export
with 10,000 roles and 5,000 users (groups, inline and managed policies with several versions,
boundaries, tags, trust policies of every kind, some documents URL-encoded) plus a credential
report, then time `nhiscan scan aws --from … --credential-report …` and report wall time and
peak RSS (/usr/bin/time). Deterministic (seeded). Target: < 2 s.

usage: benches/aws_scale.py [--roles N] [--users N]   (NHISCAN=path/to/binary, default
       target/release/nhiscan; build it with `cargo build --release`)
"""
import argparse, json, os, random, subprocess, tempfile, urllib.parse
from datetime import datetime, timedelta, timezone

ap = argparse.ArgumentParser()
ap.add_argument("--roles", type=int, default=10000)
ap.add_argument("--users", type=int, default=5000)
a = ap.parse_args()
rng = random.Random(11)
ACCT = "123456789012"
NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
SERVICES = ["s3", "dynamodb", "lambda", "logs", "sqs", "sns", "kms", "ssm", "secretsmanager", "ec2",
            "ecs", "ecr", "cloudwatch", "events", "states", "glue", "athena", "kinesis", "rds", "sts"]
VERBS = ["Get*", "List*", "Describe*", "Put*", "Create*", "Delete*", "Update*", "*"]


def ts(days_ago):
    return (NOW - timedelta(days=days_ago, seconds=rng.randrange(86400))).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def statement(i):
    svc = rng.choice(SERVICES)
    kind = rng.random()
    if kind < 0.55:
        actions = [f"{svc}:{rng.choice(VERBS)}" for _ in range(rng.randint(1, 6))]
        res = rng.choice(["*", f"arn:aws:{svc}:us-east-1:{ACCT}:*", f"arn:aws:{svc}:us-east-1:{ACCT}:thing/app-{i % 300}"])
        s = {"Sid": f"S{i}", "Effect": "Allow", "Action": actions, "Resource": res}
    elif kind < 0.70:
        s = {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
             "Resource": [f"arn:aws:s3:::bucket-{i % 500}/*", f"arn:aws:s3:::bucket-{(i + 1) % 500}/*"]}
    elif kind < 0.78:
        s = {"Effect": "Allow", "Action": ["iam:PassRole"], "Resource": f"arn:aws:iam::{ACCT}:role/app-*"}
    elif kind < 0.86:
        s = {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
             "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}
    elif kind < 0.93:
        s = {"Effect": "Deny", "Action": [f"{svc}:Delete*"], "Resource": "*"}
    else:
        s = {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}
    return s


def document(n, seed):
    d = {"Version": "2012-10-17", "Statement": [statement(seed + k) for k in range(n)]}
    if rng.random() < 0.1:
        return urllib.parse.quote(json.dumps(d, separators=(",", ":")), safe="")
    return d


def tags(i):
    t = [{"Key": "env", "Value": rng.choice(["prod", "staging", "dev"])}]
    if i % 5 < 3:
        t.append({"Key": rng.choice(["owner", "team"]), "Value": f"team-{i % 40}"})
    return t


policies = [
    {"PolicyName": "AdministratorAccess", "Arn": "arn:aws:iam::aws:policy/AdministratorAccess", "DefaultVersionId": "v1",
     "PolicyVersionList": [{"Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
                            "VersionId": "v1", "IsDefaultVersion": True}]},
    {"PolicyName": "ReadOnlyAccess", "Arn": "arn:aws:iam::aws:policy/ReadOnlyAccess", "DefaultVersionId": "v90",
     "PolicyVersionList": [{"Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": [f"{s}:{v}" for s in SERVICES for v in ("Get*", "List*", "Describe*")], "Resource": "*"}]},
                            "VersionId": "v90", "IsDefaultVersion": True}]},
]
for p in range(300):
    versions = rng.randint(1, 4)
    policies.append({
        "PolicyName": f"app-policy-{p}", "Arn": f"arn:aws:iam::{ACCT}:policy/app-policy-{p}",
        "DefaultVersionId": f"v{versions}",
        "PolicyVersionList": [{"Document": document(rng.randint(2, 8), p * 10 + v), "VersionId": f"v{v}",
                               "IsDefaultVersion": v == versions} for v in range(1, versions + 1)]})
managed = [p["Arn"] for p in policies]


def attached(n):
    out = []
    for _ in range(n):
        arn = managed[0] if rng.random() < 0.02 else managed[1] if rng.random() < 0.05 else rng.choice(managed[2:])
        out.append({"PolicyName": arn.rsplit("/", 1)[1], "PolicyArn": arn})
    return out


groups = [{"Path": "/", "GroupName": f"group-{g}", "Arn": f"arn:aws:iam::{ACCT}:group/group-{g}",
           "GroupPolicyList": [{"PolicyName": f"g{g}", "PolicyDocument": document(3, g * 7)}],
           "AttachedManagedPolicies": attached(2)} for g in range(60)]

GH = f"arn:aws:iam::{ACCT}:oidc-provider/token.actions.githubusercontent.com"


def trust(i):
    r = rng.random()
    if r < 0.40:
        p, c = {"Service": "lambda.amazonaws.com"}, None
    elif r < 0.60:
        p, c = {"Service": "ec2.amazonaws.com"}, None
    elif r < 0.75:
        p, c = {"Service": "ecs-tasks.amazonaws.com"}, None
    elif r < 0.85:
        p = {"AWS": f"arn:aws:iam::{rng.randrange(10**11, 10**12)}:root"}
        c = {"StringEquals": {"sts:ExternalId": f"ext-{i}"}} if rng.random() < 0.5 else None
    elif r < 0.95:
        p = {"Federated": GH}
        sub = rng.choice([f"repo:acme/app-{i % 100}:ref:refs/heads/main", "repo:acme/*", "repo:*", None])
        c = {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}
        if sub:
            c["StringLike"] = {"token.actions.githubusercontent.com:sub": sub}
    elif r < 0.995:
        p, c = {"AWS": f"arn:aws:iam::{ACCT}:root"}, None
    else:
        p, c = {"AWS": "*"}, None
    st = {"Effect": "Allow", "Principal": p,
          "Action": "sts:AssumeRoleWithWebIdentity" if "Federated" in p else "sts:AssumeRole"}
    if c:
        st["Condition"] = c
    return {"Version": "2012-10-17", "Statement": [st]}


roles = []
for i in range(a.roles):
    linked = i % 50 == 0
    r = {"Path": "/aws-service-role/x.amazonaws.com/" if linked else "/", "RoleName": f"app-{i}",
         "RoleId": f"AROA{i:016d}", "Arn": f"arn:aws:iam::{ACCT}:role/app-{i}", "CreateDate": ts(rng.randrange(30, 2000)),
         "AssumeRolePolicyDocument": trust(i), "InstanceProfileList": [],
         "RolePolicyList": [{"PolicyName": f"inline-{k}", "PolicyDocument": document(rng.randint(1, 5), i * 3 + k)}
                            for k in range(rng.randint(0, 3))],
         "AttachedManagedPolicies": attached(rng.randint(0, 4)), "Tags": tags(i),
         "RoleLastUsed": {"LastUsedDate": ts(rng.randrange(0, 400)), "Region": "us-east-1"} if rng.random() < 0.8 else {}}
    if i % 20 == 0:
        r["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": rng.choice(managed[2:])}
    roles.append(r)

users, rows = [], []
for i in range(a.users):
    arn = f"arn:aws:iam::{ACCT}:user/svc-{i}"
    users.append({"Path": "/", "UserName": f"svc-{i}", "UserId": f"AIDA{i:016d}", "Arn": arn, "CreateDate": ts(rng.randrange(30, 2500)),
                  "UserPolicyList": [{"PolicyName": f"u{k}", "PolicyDocument": document(rng.randint(1, 4), i * 5 + k)}
                                     for k in range(rng.randint(0, 2))],
                  "GroupList": [f"group-{rng.randrange(60)}" for _ in range(rng.randint(0, 3))],
                  "AttachedManagedPolicies": attached(rng.randint(0, 2)), "Tags": tags(i)})

    def slot():
        if rng.random() < 0.3:
            return ["false", "N/A", "N/A", "N/A", "N/A"]
        used = rng.random() < 0.8
        return ["true", ts(rng.randrange(1, 900)), ts(rng.randrange(0, 200)) if used else "N/A",
                "us-east-1" if used else "N/A", "s3" if used else "N/A"]
    pw = rng.random() < 0.1
    rows.append([f"svc-{i}", arn, ts(2500), "true" if pw else "false", ts(50) if pw else "N/A", ts(400) if pw else "N/A", "N/A",
                 "false"] + slot() + slot() + ["false", "N/A", "false", "N/A"])

header = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,"
          "mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,"
          "access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
          "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated")
root = ["<root_account>", f"arn:aws:iam::{ACCT}:root", ts(3000), "not_supported", ts(10), "not_supported", "not_supported", "true",
        "false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "false", "N/A"]

d = tempfile.mkdtemp()
export = os.path.join(d, "auth-details.json")
report = os.path.join(d, "credential-report.csv")
with open(export, "w") as f:
    json.dump({"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies,
               "IsTruncated": False}, f)
with open(report, "w") as f:
    f.write(header + "\n" + "\n".join(",".join(r) for r in [root] + rows) + "\n")
binary = os.environ.get("NHISCAN", "target/release/nhiscan")
out = subprocess.run(["/usr/bin/time", "-f", "%e %M", binary, "scan", "aws", "--from", export, "--credential-report", report,
                      "-f", "json", "-q", "--fail-on", "none", "-o", os.path.join(d, "r.json")], capture_output=True, text=True)
if out.returncode not in (0, 1, 3):
    raise SystemExit(f"nhiscan failed ({out.returncode}): {out.stderr}")
secs, rss = out.stderr.strip().splitlines()[-1].split()
r = json.load(open(os.path.join(d, "r.json")))
print(f"export: {os.path.getsize(export)/1048576:.1f} MiB ({a.roles} roles, {a.users} users, {len(groups)} groups, "
      f"{len(policies)} managed policies); report: {os.path.getsize(report)/1048576:.1f} MiB")
print(f"scan: {float(secs):.2f} s wall, peak RSS {int(rss)/1024:.0f} MiB, {len(r['identities'])} identities, "
      f"{len(r['findings'])} findings, {len(r['sources'][0].get('notes', []))} notes")
