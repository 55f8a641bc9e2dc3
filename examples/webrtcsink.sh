#!/bin/sh
# A KVS WebRTC master for every viewer of a channel, from one line:
# kvswebrtcsink makes a webrtcbin per viewer as viewers come and go.
# VP8 video by default; KVS_CODEC=h264 sends H.264 (openh264enc) with Opus
# audio. Settings from the environment:
#   KVS_CHANNEL (default demo), KVS_ENDPOINT (e.g. http://127.0.0.1:4566 for
#   the local service), AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
#   KVS_LOCAL_ADDRESSES (e.g. 127.0.0.1 when master and viewers share a host).
# Extra arguments go to gst-launch-1.0 (e.g. -e: Ctrl-C then ends with EOS).
set -eu
props="channel-name=${KVS_CHANNEL:-demo}"
[ -n "${KVS_ENDPOINT:-}" ] && props="$props endpoint=$KVS_ENDPOINT"
[ -n "${KVS_LOCAL_ADDRESSES:-}" ] && props="$props local-addresses=$KVS_LOCAL_ADDRESSES"
raw="videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1"

if [ "${KVS_CODEC:-vp8}" = h264 ]; then
  exec gst-launch-1.0 "$@" kvswebrtcsink name=s $props \
    $raw ! openh264enc ! s.video_0 \
    audiotestsrc is-live=true wave=sine ! audioconvert ! audioresample ! \
      opusenc ! s.audio_0
fi
exec gst-launch-1.0 "$@" $raw ! vp8enc deadline=1 ! kvswebrtcsink $props
