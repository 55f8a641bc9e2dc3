#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The join benchmark's harness and the round trips it measures, checked
(meson test bench_join_smoke): tests/bench/join.py at one RTT, one round,
the three kvswebrtcsrc viewers (cold, cold with the ARN, warm), through
the round-trip injector, against the service with TLS and --keep-alive.

Checks what each viewer costs, which is what the cuts of issue 16 are:
  - cold: DescribeSignalingChannel, GetSignalingChannelEndpoint and
    GetIceServerConfig once each, on one kept-alive connection (2 TCP
    connections: REST and the WebSocket);
  - cold with channel-arn: no DescribeSignalingChannel;
  - warm (channel cache): GetIceServerConfig only;
  - every viewer decoded a frame, and no join was faster than the round
    trips it cannot avoid (a lower bound: the injector works; never a
    speed limit).

    join-smoke.py SERVER_EXE
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RTT = 100
EXPECT = {
    "kvswebrtcsrc-cold": ({"/describeSignalingChannel": 1, "/getSignalingChannelEndpoint": 1,
                           "/v1/get-ice-server-config": 1}, 8),
    "kvswebrtcsrc-cold-arn": ({"/getSignalingChannelEndpoint": 1,
                               "/v1/get-ice-server-config": 1}, 7),
    "kvswebrtcsrc-warm": ({"/v1/get-ice-server-config": 1}, 4),
}


def main():
    server = sys.argv[1]
    r = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "join.py"), "--server", server,
                        "--rtts", str(RTT), "--rounds", "1", "--budget", "60",
                        "--master-settle", "0.3", "--clients", ",".join(EXPECT)],
                       stdout=subprocess.PIPE, text=True, timeout=240)
    lines = [l for l in r.stdout.splitlines() if l.startswith("{")]
    if not lines:
        print("FAIL: join.py printed no result (exit %d)" % r.returncode)
        return 1
    res = json.loads(lines[-1])
    bad = []
    if "error" in res:
        bad.append("join.py: %s" % res["error"])
    for client, (ops, rtts) in EXPECT.items():
        joins = [j for j in res.get("joins", []) if j["client"] == client]
        if len(joins) != 1:
            bad.append("%s: %d joins measured, 1 expected" % (client, len(joins)))
            continue
        j = joins[0]
        print("%s: %s" % (client, json.dumps(j)), flush=True)
        if "join_ms" not in j:
            bad.append("%s: no decoded frame (%s)" % (client, j.get("error")))
            continue
        if j["operations"] != ops:
            bad.append("%s: REST operations %s, expected %s" % (client, j["operations"], ops))
        if j["tcp_connections"] != 2:
            bad.append("%s: %d TCP connections through the proxy, expected 2 (REST kept "
                       "alive, WebSocket)" % (client, j["tcp_connections"]))
        if j["websockets"] != 1:
            bad.append("%s: %d WebSockets" % (client, j["websockets"]))
        if j["join_ms"] < rtts * RTT * 0.95:
            bad.append("%s: joined in %.0f ms, less than its %d unavoidable round trips of "
                       "%d ms: the injector did not delay" % (client, j["join_ms"], rtts, RTT))
    for b in bad:
        print("FAIL: " + b, flush=True)
    if not bad:
        print("PASS", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
