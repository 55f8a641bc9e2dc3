#!/usr/bin/python3
"""Verdicts of scripts/check-sanitizers' leaks stage (tests/sanitizers/).

The leaks tracer makes gst-check fail a test that leaked only GStreamer's
own process-wide objects (leaks-allow.txt); such a test must pass without
the tracer. This script spares running it a third time when the last plain
run of the same build passed it.

  leaks-verdict.py rerun PLAIN_LOG BUILD_DIR < names
      prints the names (one per line) that must run again: every name with
      no passing record in PLAIN_LOG (meson's testlog.json of a run without
      the tracer), and all of them when anything in BUILD_DIR was built
      after PLAIN_LOG was written (or it is missing).
  leaks-verdict.py merge TRACER_LOG PLAIN_LOG [RERUN_LOG] < names
      prints TRACER_LOG (meson's JSON lines) where each named test takes
      its result from RERUN_LOG, else from PLAIN_LOG.
"""
import json
import os
import sys


def load(path):
    """{short test name: record} of a meson testlog.json, {} if absent."""
    out = {}
    if not path or not os.path.isfile(path):
        return out
    with open(path) as f:
        for line in f:
            t = json.loads(line)
            out[t['name'].split(' / ', 1)[-1]] = t
    return out


def newest_build_output(build):
    """The newest mtime of what ninja builds (executables, libraries)."""
    newest = 0.0
    skip = {'meson-logs', 'meson-private', 'meson-info', 'meson-uninstalled'}
    for top, dirs, files in os.walk(build):
        dirs[:] = [d for d in dirs if d not in skip and not d.endswith('.p')]
        for name in files:
            path = os.path.join(top, name)
            if name.endswith('.so') or '.so.' in name or os.access(path, os.X_OK):
                try:
                    newest = max(newest, os.stat(path).st_mtime)
                except OSError:
                    pass
    return newest


def main():
    names = [n.strip() for n in sys.stdin if n.strip()]
    mode = sys.argv[1]
    if mode == 'rerun':
        plain_path, build = sys.argv[2:4]
        plain = load(plain_path)
        fresh = (bool(plain) and
                 os.stat(plain_path).st_mtime > newest_build_output(build))
        for n in names:
            t = plain.get(n)
            if not fresh or t is None or t.get('result') != 'OK':
                print(n)
            else:
                print(f'leaks-verdict: {n} passed without the tracer in the '
                      f'last run of this build', file=sys.stderr)
        return 0
    if mode == 'merge':
        tracer_path, plain_path = sys.argv[2:4]
        rerun = load(sys.argv[4] if len(sys.argv) > 4 else '')
        plain = load(plain_path)
        with open(tracer_path) as f:
            for line in f:
                t = json.loads(line)
                short = t['name'].split(' / ', 1)[-1]
                if short in names:
                    src = rerun.get(short) or plain.get(short)
                    t['result'] = src['result'] if src else 'ERROR'
                print(json.dumps(t))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main())
