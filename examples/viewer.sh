#!/bin/sh
# A receive-only KVS WebRTC viewer from one gst-launch-1.0 line: VP8 video
# (and Opus audio with KVS_AUDIO=1). recv-caps adds the receive-only
# transceivers a viewer without sink pads needs. Same environment as
# master.sh, plus KVS_CLIENT_ID and KVS_VIDEO_SINK / KVS_AUDIO_SINK (default
# autovideosink / autoaudiosink; e.g. "fakesink" for a headless run).
#
# KVS_AUDIO=1 and webrtcbin 1.22: its source pads answer caps queries with a
# bare application/x-rtp until they are linked, so gst-launch-1.0 may link
# the audio stream to the video branch (then: "not-negotiated"). An
# application links by the pad's current caps instead; see viewer.py.
set -eu
props="role=viewer channel-name=${KVS_CHANNEL:-demo} client-id=${KVS_CLIENT_ID:-viewer-$$}"
[ -n "${KVS_ENDPOINT:-}" ] && props="$props endpoint=$KVS_ENDPOINT"
[ -n "${KVS_LOCAL_ADDRESSES:-}" ] && props="$props local-addresses=$KVS_LOCAL_ADDRESSES"
video="application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000"
audio="application/x-rtp,media=audio,encoding-name=OPUS,payload=97,clock-rate=48000"

if [ "${KVS_AUDIO:-0}" = 1 ]; then
  exec gst-launch-1.0 "$@" \
    webrtcbin name=wb bundle-policy=max-bundle \
    wb. ! rtpvp8depay ! vp8dec ! videoconvert ! ${KVS_VIDEO_SINK:-autovideosink} \
    wb. ! rtpopusdepay ! opusdec ! audioconvert ! ${KVS_AUDIO_SINK:-autoaudiosink} \
    kvssignalingsink webrtcbin-name=wb $props \
    kvssignalingsrc webrtcbin-name=wb recv-caps="$video;$audio" $props
fi

exec gst-launch-1.0 "$@" \
  webrtcbin name=wb bundle-policy=max-bundle \
  wb. ! rtpvp8depay ! vp8dec ! videoconvert ! ${KVS_VIDEO_SINK:-autovideosink} \
  kvssignalingsink webrtcbin-name=wb $props \
  kvssignalingsrc webrtcbin-name=wb recv-caps="$video" $props
