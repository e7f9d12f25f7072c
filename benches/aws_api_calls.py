#!/usr/bin/env python3
"""AWS live API-call count (issue 4): start a moto server on a free 127.0.0.1 port, create N users
(every other one with an access key, every fifth with two) and N roles through boto3, run
`nhiscan scan aws --endpoint-url …` and print the IAM API calls it made (its `api_calls` note).
Expected: O(pages) + one ListAccessKeys and one ListSSHPublicKeys per user + one
GetAccessKeyLastUsed per key, and no per-principal policy calls. moto returns GetAccountAuthorizationDetails in one page.

usage: benches/aws_api_calls.py [--principals N]   (NHISCAN=path/to/binary, default target/release/nhiscan)
"""
import argparse, json, os, subprocess, tempfile, time

import boto3

import moto_server

ap = argparse.ArgumentParser()
ap.add_argument("--principals", type=int, default=200)
a = ap.parse_args()
with moto_server.started() as url:
    iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"}]})
    keys = 0
    n = a.principals // 2
    for i in range(n):
        iam.create_user(UserName=f"u{i}")
        iam.put_user_policy(UserName=f"u{i}", PolicyName="p", PolicyDocument=policy)
        for _ in range((1 if i % 2 == 0 else 0) + (1 if i % 5 == 0 else 0)):
            iam.create_access_key(UserName=f"u{i}")
            keys += 1
        iam.create_role(RoleName=f"r{i}", AssumeRolePolicyDocument=trust)
        iam.put_role_policy(RoleName=f"r{i}", PolicyName="p", PolicyDocument=policy)
    home = tempfile.mkdtemp()
    for f in ("config", "credentials"):
        open(os.path.join(home, f), "w").close()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.path.join(home, "config"),
           "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "credentials")}
    binary = os.environ.get("NHISCAN", "target/release/nhiscan")
    t = time.time()
    out = subprocess.run([binary, "scan", "aws", "--endpoint-url", url, "--region", "us-east-1", "-f", "json", "-q",
                          "--fail-on", "none"], env=env, capture_output=True, text=True)
    secs = time.time() - t
    r = json.loads(out.stdout)
    calls = next(n["message"] for n in r["sources"][0]["notes"] if n["subject"] == "api_calls")
    print(f"{n} users ({keys} access keys) + {n} roles: {calls} in {secs:.2f} s "
          f"(expected 1 page + 2 report + {n} ListAccessKeys + {keys} GetAccessKeyLastUsed + 1 "
          f"+ {n} ListSSHPublicKeys = {1 + 2 + n + keys + 1 + n}); "
          f"{len(r['identities'])} identities")
