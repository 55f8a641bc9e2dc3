#!/bin/sh
# A KVS WebRTC viewer from one gst-launch-1.0 line with kvswebrtcsrc: the
# bin connects, offers, and exposes the master's video (and, with
# KVS_AUDIO=1, its audio) on source pads with encoded caps, for decodebin.
# When the master restarts, the bin offers again and the same pads carry
# the new session's media. Same environment as viewer.sh: KVS_CHANNEL,
# KVS_ENDPOINT, KVS_LOCAL_ADDRESSES, KVS_CLIENT_ID (unset: a generated
# one), KVS_VIDEO_SINK / KVS_AUDIO_SINK (default autovideosink /
# autoaudiosink; e.g. "fakesink" for a headless run).
set -eu
props="channel-name=${KVS_CHANNEL:-demo}"
[ -n "${KVS_CLIENT_ID:-}" ] && props="$props client-id=$KVS_CLIENT_ID"
[ -n "${KVS_ENDPOINT:-}" ] && props="$props endpoint=$KVS_ENDPOINT"
[ -n "${KVS_LOCAL_ADDRESSES:-}" ] && props="$props local-addresses=$KVS_LOCAL_ADDRESSES"

if [ "${KVS_AUDIO:-0}" = 1 ]; then
  # Audio and video: link each pad by name.
  exec gst-launch-1.0 "$@" kvswebrtcsrc name=src $props \
    src.video_0 ! queue ! decodebin ! videoconvert ! ${KVS_VIDEO_SINK:-autovideosink} \
    src.audio_0 ! queue ! decodebin ! audioconvert ! ${KVS_AUDIO_SINK:-autoaudiosink}
fi

# Video only (the bin does not offer audio): the one-liner.
exec gst-launch-1.0 "$@" kvswebrtcsrc $props audio-codecs="" ! \
  decodebin ! videoconvert ! ${KVS_VIDEO_SINK:-autovideosink}
