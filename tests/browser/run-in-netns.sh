#!/bin/bash
# Runs COMMAND... inside a network namespace made for this run only, so that
# the browser test's WebRTC traffic never touches the machine's interfaces:
#
#   kvsbrowser-PID       veth kvsb0 198.51.100.1/24, lo, default route via .2
#   kvsbrowser-PID-peer  veth kvsb1 198.51.100.2/24 (no forwarding: a dead end)
#
# 198.51.100.0/24 is TEST-NET-2 (RFC 5737). Headless Chromium only gathers
# ICE candidates when it has a default route. Both namespaces and every
# process left in them are removed on exit, whatever happens.
#
# Needs root and `ip netns` (iproute2): without them it FAILS, it does not skip.

set -u

NS="kvsbrowser-$$"
PEER="kvsbrowser-$$-peer"
child=

fail() {
  echo "browser test: $*" >&2
  exit 1
}

cleanup() {
  local ns pids
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 "$child" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL "$child" 2>/dev/null
  fi
  for ns in "$NS" "$PEER"; do
    if ip netns list 2>/dev/null | grep -q "^$ns\( \|$\)"; then
      # Anything still running in our own namespace was started by this run.
      pids=$(ip netns pids "$ns" 2>/dev/null)
      if [ -n "$pids" ]; then
        echo "browser test: killing leftover processes in $ns: $pids" >&2
        kill -KILL $pids 2>/dev/null
      fi
      ip netns delete "$ns" 2>/dev/null
    fi
  done
}

[ $# -ge 1 ] || fail "usage: $0 COMMAND [ARG...]"
[ "$(id -u)" = 0 ] || fail "must run as root: it creates its own network \
namespace and veth pair with 'ip netns add' (CI runs as root)"
command -v ip >/dev/null || fail "'ip' not found: install Debian's iproute2"

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

ip netns add "$NS" || fail "'ip netns add $NS' failed: network namespaces \
are not available here"
ip netns add "$PEER" || fail "'ip netns add $PEER' failed"
ip link add kvsb0 netns "$NS" type veth peer name kvsb1 netns "$PEER" ||
  fail "cannot create the veth pair between $NS and $PEER"
ip -n "$NS" link set lo up &&
  ip -n "$NS" addr add 198.51.100.1/24 dev kvsb0 &&
  ip -n "$NS" link set kvsb0 up &&
  ip -n "$PEER" link set lo up &&
  ip -n "$PEER" addr add 198.51.100.2/24 dev kvsb1 &&
  ip -n "$PEER" link set kvsb1 up &&
  ip -n "$NS" route add default via 198.51.100.2 ||
  fail "cannot set up the addresses and routes of $NS"

KVS_TEST_HOST=198.51.100.1 ip netns exec "$NS" "$@" &
child=$!
wait "$child"
rc=$?
child=
exit "$rc"
