#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Run the complete GstKvs program of docs/python.md against the local
service, so that the documented example and its documented output stay
true.

    check-python-example.py SOURCE_ROOT BUILD_ROOT
"""

import os
import re
import subprocess
import sys
import tempfile

SOURCE, BUILD = sys.argv[1], sys.argv[2]
SERVER = os.path.join(BUILD, "tools", "kvs-signaling-server",
                      "kvs-signaling-server")
TYPELIB_DIR = os.path.join(BUILD, "gst", "kvssignaling")


def example():
    with open(os.path.join(SOURCE, "docs", "python.md")) as f:
        doc = f.read()
    section = doc[doc.index("## The library directly: GstKvs"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def main():
    if not os.path.exists(os.path.join(TYPELIB_DIR, "GstKvs-1.0.typelib")):
        print("no GstKvs typelib in this build (introspection disabled)")
        return 77
    code = example()
    if "http://127.0.0.1:4566" not in code:
        print("the example no longer names http://127.0.0.1:4566")
        return 1
    server = subprocess.Popen(
        [SERVER, "--listen", "127.0.0.1:0", "--region", "us-west-2",
         "--access-key", "AK", "--secret-key", "SK",
         "--create-channel", "demo", "--viewer-dir", "none"],
        stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline().strip()
        url = line.rsplit(" ", 1)[-1]
        if not url.startswith("http://127.0.0.1:"):
            print("unexpected start line: %r" % line)
            return 1
        with tempfile.NamedTemporaryFile("w", suffix=".py") as f:
            f.write(code.replace("http://127.0.0.1:4566", url))
            f.flush()
            env = dict(os.environ, GI_TYPELIB_PATH=TYPELIB_DIR,
                       LD_LIBRARY_PATH=TYPELIB_DIR)
            r = subprocess.run(["/usr/bin/python3", f.name, "2"], env=env,
                               capture_output=True, text=True, timeout=30)
        print(r.stdout + r.stderr)
        lines = r.stdout.splitlines()
        wanted = [
            # handlers on the client's thread, never the main thread
            re.compile(r"^\[(?!MainThread)[^\]]+\] state connected \(handler\)$"),
            re.compile(r"^\[MainThread\] connected, seen from the main loop$"),
        ]
        ok = r.returncode == 0
        for w in wanted:
            if not any(w.match(l) for l in lines):
                print("missing a line matching %s" % w.pattern)
                ok = False
        states = [l for l in lines if "(handler)" in l]
        order = ["get-credentials", "describe", "get-endpoint",
                 "get-ice-config", "connecting", "connected"]
        if [s.split()[2] for s in states[:len(order)]] != order:
            print("states not in the documented order: %s" % states)
            ok = False
        return 0 if ok else 1
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
