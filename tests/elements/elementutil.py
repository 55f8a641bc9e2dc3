# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the Python element tests of this folder share (as elementutil.c
does for the C ones): examples.py, webrtcsrc-examples.py and through it
webrtcsink-examples.py, storage.py.

- the verdict: check() collects failures, log() prints at once;
- deadlines scaled by $KVS_TIMEOUT_MULTIPLIER (secs()) and children run
  through $KVS_ASAN_WRAPPER (spawn()) under scripts/check-sanitizers;
- the local service, kvs-signaling-server: started on 127.0.0.1, a free
  port (--listen 127.0.0.1:0), ready once it prints its URL; stopped by
  its PID.

The tests run as scripts (/usr/bin/python3 tests/elements/X.py): this
folder is first on sys.path, and `import elementutil` finds this module.
"""

import os
import re
import signal
import subprocess
import sys

# Deadlines: scaled when the programs run slower (sanitizers).
SLOW = float(os.environ.get("KVS_TIMEOUT_MULTIPLIER") or 1)
# What check() found wrong, in order.
failures = []
URL_RE = re.compile(r"(http://[0-9.:]+)")


def log(msg):
    print(msg, flush=True)


def check(cond, msg, log_ok=False):
    """Records @msg in failures and logs it ("FAIL: ") unless @cond holds;
    with @log_ok, logs it ("ok: ") when it holds too (@msg then says what
    is checked, not what went wrong). Returns @cond."""
    if not cond:
        failures.append(msg)
        log("FAIL: " + msg)
    elif log_ok:
        log("ok: " + msg)
    return cond


def secs(n):
    """n seconds of deadline, scaled by SLOW."""
    return int(n * SLOW)


def spawn(argv, **kwargs):
    """subprocess.Popen, through the ASan wrapper under check-sanitizers
    asan."""
    wrapper = os.environ.get("KVS_ASAN_WRAPPER")
    return subprocess.Popen(([wrapper] if wrapper else []) + argv, **kwargs)


def start_service(path, args, wrapped=True, **popen):
    """Starts the service @path with --listen 127.0.0.1:0 and then @args,
    through spawn() when @wrapped (else directly), with the further
    subprocess.Popen arguments @popen (env, stderr); waits for the line that
    says its URL and returns (process, "http://127.0.0.1:PORT"). Its stdout
    is a pipe (only that line is read). Exits the test when the service
    says something else or exits first."""
    argv = [path, "--listen", "127.0.0.1:0"] + list(args)
    p = (spawn if wrapped else subprocess.Popen)(
        argv, stdout=subprocess.PIPE, text=True, **popen)
    line = p.stdout.readline()
    m = URL_RE.search(line)
    if not m:
        p.kill()
        p.wait()
        sys.exit("the service did not start: it said %r" % line)
    return p, m.group(1)


def stop_service(p, timeout=10):
    """SIGTERM to the service's PID; a failure (check()) when it does not
    exit within secs(@timeout): it is then killed."""
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(secs(timeout))
    except subprocess.TimeoutExpired:
        check(False, "the service did not stop within %d s of SIGTERM"
              % timeout)
        p.kill()
        p.wait()
