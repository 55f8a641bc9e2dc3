#!/usr/bin/python3
"""botocore judges where the library looks for the AWS CLI's SSO token:
the token is written where the library reads it (the test program
kvs-sso-cache-path, argv[1]) for an sso_session profile and a legacy
profile, and botocore must find it there and send it to the portal's
GetRoleCredentials (intercepted by a before-send handler: no network).
SPDX-License-Identifier: LGPL-2.1-or-later"""
import datetime
import json
import os
import subprocess
import sys
import tempfile

# botocore fixes its SSO cache directory from HOME when it is imported.
HOME_DIR = tempfile.TemporaryDirectory(prefix="kvs-sso-judge-")
os.environ["HOME"] = HOME_DIR.name

try:
    import botocore.awsrequest
    import botocore.session
except ImportError:
    print("python3-botocore is not installed (scripts/apt-packages.txt): skip")
    sys.exit(77)

TOKEN = "sso-access-token-for-the-judge"
CONFIG = """[profile s]
sso_session = my-sso
sso_account_id = 123456789012
sso_role_name = kvs
region = us-west-2

[sso-session my-sso]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1

[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 123456789012
sso_role_name = kvs
"""


class _Raw:
    def __init__(self, body):
        self._body = body

    def stream(self, **kwargs):
        yield self._body


def check(prog, home, profile, args):
    path = subprocess.run([prog] + args, check=True, capture_output=True,
                          text=True, env={"HOME": home}).stdout.strip()
    expires = (datetime.datetime.utcnow() + datetime.timedelta(hours=1))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump({"accessToken": TOKEN, "region": "us-east-1",
                   "startUrl": "https://example.awsapps.com/start",
                   "expiresAt": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}, f)
    seen = {}

    def before_send(request, **kwargs):
        seen["token"] = request.headers.get("x-amz-sso_bearer_token")
        seen["url"] = request.url
        ms = int((expires.timestamp() + 0) * 1000)
        body = json.dumps({"roleCredentials": {
            "accessKeyId": "ASIAJUDGE", "secretAccessKey": "judge",
            "sessionToken": "judge", "expiration": ms}}).encode()
        return botocore.awsrequest.AWSResponse(request.url, 200, {},
                                               _Raw(body))

    session = botocore.session.Session(profile=profile)
    session.register("before-send", before_send)
    creds = session.get_credentials().get_frozen_credentials()
    token = seen.get("token")
    if isinstance(token, bytes):
        token = token.decode()
    ok = creds.access_key == "ASIAJUDGE" and token == TOKEN
    print("%s profile %s: cache file %s, botocore sent %s to %s"
          % ("ok  " if ok else "FAIL", profile, path,
             "the token" if token == TOKEN else repr(token), seen.get("url")))
    os.unlink(path)
    return ok


def main():
    prog = sys.argv[1]
    with HOME_DIR as home:
        for k in list(os.environ):
            if k.startswith("AWS_"):
                del os.environ[k]
        os.environ["HOME"] = home
        config = os.path.join(home, "config")
        with open(config, "w") as f:
            f.write(CONFIG)
        os.environ["AWS_CONFIG_FILE"] = config
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(home, "none")
        os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
        ok = check(prog, home, "s", ["my-sso"])
        ok = check(prog, home, "legacy",
                   ["--start-url", "https://legacy.awsapps.com/start"]) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
