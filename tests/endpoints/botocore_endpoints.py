#!/usr/bin/python3
"""The control-plane and STS host names for a table of regions x {fips,
dualstack}: botocore's own resolver (the judge) against the library's
answer (the test program kvs-endpoint-print, argv[1]).

No network: a before-send handler captures the URL botocore would use and
returns a dummy response. SPDX-License-Identifier: LGPL-2.1-or-later"""
import os
import subprocess
import sys

try:
    import botocore.awsrequest
    import botocore.config
    import botocore.session
except ImportError:
    print("python3-botocore is not installed (scripts/apt-packages.txt): skip")
    sys.exit(77)

REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1",
           "ap-northeast-1", "ap-southeast-2", "sa-east-1", "ca-central-1",
           "af-south-1", "me-south-1", "ap-east-1",
           "cn-north-1", "cn-northwest-1", "us-gov-west-1", "us-gov-east-1"]

STS_BODY = (b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/'
            b'2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/x'
            b'</Arn><UserId>x</UserId><Account>1</Account>'
            b'</GetCallerIdentityResult></GetCallerIdentityResponse>')


def botocore_url(service, region, fips, dualstack):
    for k in list(os.environ):
        if k.startswith("AWS_"):
            del os.environ[k]
    os.environ["AWS_CONFIG_FILE"] = "/nonexistent/kvs-test/config"
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/kvs-test/cred"
    session = botocore.session.Session()
    cfg = botocore.config.Config(use_fips_endpoint=fips,
                                 use_dualstack_endpoint=dualstack,
                                 retries={"max_attempts": 0})
    if service == "sts":
        session.set_config_variable("sts_regional_endpoints", "regional")
    client = session.create_client(service, region_name=region, config=cfg,
                                   aws_access_key_id="AKIDEXAMPLE",
                                   aws_secret_access_key="secret")
    seen = {}

    def before_send(request, **kwargs):
        seen["url"] = request.url
        body = STS_BODY if service == "sts" else b"{}"
        return botocore.awsrequest.AWSResponse(request.url, 200, {}, _Raw(body))

    client.meta.events.register("before-send", before_send)
    try:
        if service == "sts":
            client.get_caller_identity()
        else:
            client.list_signaling_channels()
    except Exception as e:  # an unsupported combination
        if "url" not in seen:
            return "error"
    url = seen["url"]
    # scheme://host only
    return "/".join(url.split("/")[:3])


class _Raw:
    def __init__(self, body):
        self._body = body

    def stream(self, **kwargs):
        yield self._body


def main():
    prog = sys.argv[1]
    failures = 0
    rows = []
    for service in ("kinesisvideo", "sts"):
        for region in REGIONS:
            for fips in (False, True):
                for dualstack in (False, True):
                    want = botocore_url(service, region, fips, dualstack)
                    rows.append((service, region, fips, dualstack, want))
    args = [prog] + ["%s %s %d %d" % (s, r, f, d) for s, r, f, d, _ in rows]
    out = subprocess.run(args, check=True, capture_output=True, text=True,
                         env={"PATH": os.environ.get("PATH", "")}).stdout
    got = out.splitlines()
    if len(got) != len(rows):
        print("expected %d answers, got %d" % (len(rows), len(got)))
        return 1
    for (s, r, f, d, want), g in zip(rows, got):
        mark = "ok  " if g == want else "FAIL"
        if g != want:
            failures += 1
        print("%s %-12s %-15s fips=%d dualstack=%d botocore=%s library=%s"
              % (mark, s, r, f, d, want, g))
    print("%d of %d differ" % (failures, len(rows)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
