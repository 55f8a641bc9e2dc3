#!/bin/sh
# A KVS WebRTC master from one gst-launch-1.0 line: VP8 video and Opus
# audio from test sources. Settings from the environment:
#   KVS_CHANNEL (default demo), KVS_ENDPOINT (e.g. http://127.0.0.1:4566 for
#   the local service), AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
#   KVS_LOCAL_ADDRESSES (e.g. 127.0.0.1 when master and viewer share a host).
# Stop it with Ctrl-C (webrtcbin 1.22 never finishes EOS, so no -e).
set -eu
props="role=master channel-name=${KVS_CHANNEL:-demo}"
[ -n "${KVS_ENDPOINT:-}" ] && props="$props endpoint=$KVS_ENDPOINT"
[ -n "${KVS_LOCAL_ADDRESSES:-}" ] && props="$props local-addresses=$KVS_LOCAL_ADDRESSES"

exec gst-launch-1.0 "$@" \
  webrtcbin name=wb bundle-policy=max-bundle \
  videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1 ! \
    vp8enc deadline=1 keyframe-max-dist=30 ! rtpvp8pay ! \
    "application/x-rtp,media=video,encoding-name=VP8,payload=96" ! wb. \
  audiotestsrc is-live=true wave=sine ! audioconvert ! audioresample ! opusenc ! rtpopuspay ! \
    "application/x-rtp,media=audio,encoding-name=OPUS,payload=97" ! wb. \
  kvssignalingsink webrtcbin-name=wb $props \
  kvssignalingsrc webrtcbin-name=wb $props
