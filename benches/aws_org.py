#!/usr/bin/env python3
"""`scan aws --org` on a moto organisation (issue 14.4): start moto on a free 127.0.0.1 port,
create an organisation with N member accounts (each with U users and U roles, reached by assuming
OrganizationAccountAccessRole), run `nhiscan scan aws --org …` and print the wall time, the
sources and their statuses, and the API calls per account (IAM, EKS, Organizations notes).
Accounts are scanned at most 4 at a time (ORG_CONCURRENCY).

usage: benches/aws_org.py [--accounts N] [--users U]   (NHISCAN=path/to/binary, default target/release/nhiscan)
"""
import argparse, json, os, subprocess, tempfile, time

import boto3

import moto_server

ap = argparse.ArgumentParser()
ap.add_argument("--accounts", type=int, default=8)
ap.add_argument("--users", type=int, default=20)
a = ap.parse_args()
with moto_server.started() as url:
    kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
              aws_secret_access_key="testing")
    org = boto3.client("organizations", **kw)
    org.create_organization(FeatureSet="ALL")
    sts = boto3.client("sts", **kw)
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    for i in range(a.accounts):
        acct = org.create_account(AccountName=f"m{i}", Email=f"m{i}@example.com")["CreateAccountStatus"]["AccountId"]
        c = sts.assume_role(RoleArn=f"arn:aws:iam::{acct}:role/OrganizationAccountAccessRole",
                            RoleSessionName="bench")["Credentials"]
        iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1", aws_access_key_id=c["AccessKeyId"],
                           aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
        for u in range(a.users):
            iam.create_user(UserName=f"u{u}")
            iam.create_role(RoleName=f"r{u}", AssumeRolePolicyDocument=trust)
    home = tempfile.mkdtemp()
    for f in ("config", "credentials"):
        open(os.path.join(home, f), "w").close()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.path.join(home, "config"),
           "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "credentials")}
    binary = os.environ.get("NHISCAN", "target/release/nhiscan")
    t = time.time()
    out = subprocess.run([binary, "scan", "aws", "--org", "--endpoint-url", url, "--region", "us-east-1",
                          "-f", "json", "-q", "--fail-on", "none"], env=env, capture_output=True, text=True)
    secs = time.time() - t
    r = json.loads(out.stdout)
    statuses = {}
    for s in r["sources"]:
        statuses[s["status"]] = statuses.get(s["status"], 0) + 1
    calls = {}
    for s in r["sources"]:
        for n in s.get("notes", []):
            if n["subject"].endswith("api_calls"):
                calls.setdefault(n["subject"], []).append(int(n["message"].split()[0]))
    per = ", ".join(f"{k}: {min(v)}-{max(v)} per account" for k, v in sorted(calls.items()))
    print(f"{a.accounts} member accounts + management, {a.users} users and {a.users} roles each: "
          f"{len(r['sources'])} sources {statuses} in {secs:.2f} s (exit {out.returncode}); "
          f"{len(r['identities'])} identities; {per}")
