/* kvssignaling: the codecs the WebRTC bins negotiate, with their RTP caps
 * and the GStreamer elements that (de)payload them: the one codec table of
 * the plugin (kvswebrtcsrc receives and sends all of them, kvswebrtcsink
 * sends those with a default payload type).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct
{
  const gchar *name;            /* encoding-name, upper case: "VP8" */
  const gchar *media;           /* "video" or "audio" */
  gint clock_rate;
  const gchar *rtp_extra;       /* more RTP caps fields, or NULL */
  const gchar *depayloader;     /* element factory name */
  const gchar *payloader;       /* element factory name */
  const gchar *encoded;         /* structure name of what the depayloader
                                 * outputs: "video/x-vp8" */
  gint default_pt;              /* the payload type kvswebrtcsink offers it
                                 * at (role=viewer); -1: kvswebrtcsink does
                                 * not send it */
} GstKvsRtpCodec;

/* The codec named @name (case-insensitive) of @media ("video"/"audio"; NULL:
 * either), or NULL. */
const GstKvsRtpCodec *gst_kvs_rtp_codec_find (const gchar * media,
    const gchar * name);

/* The codec of RTP caps (their media and encoding-name), or NULL. */
const GstKvsRtpCodec *gst_kvs_rtp_codec_from_caps (const GstCaps * caps);

/* A codec kvswebrtcsink sends (default_pt >= 0) of @caps: encoded caps by
 * their structure name ("video/x-vp8"), application/x-rtp by encoding-name;
 * NULL for any other. *@is_rtp tells which kind @caps are. */
const GstKvsRtpCodec *gst_kvs_rtp_codec_sent_from_caps (const GstCaps * caps,
    gboolean * is_rtp);

/* The known codec names of @media, comma-separated (for messages). */
gchar *gst_kvs_rtp_codec_list (const gchar * media);

/* The encoded caps of every known codec of @media (pad templates). */
GstCaps *gst_kvs_rtp_codec_encoded_caps (const gchar * media);

/* Parses @list ("VP8,H264"; spaces allowed) into codecs of @media, in
 * order. NULL and @error for an unknown codec, one of the wrong media,
 * one named twice, or one whose depayloader is not installed. An empty
 * list gives an empty array. */
GPtrArray *gst_kvs_rtp_codec_parse_list (const gchar * media,
    const gchar * list, GError ** error);

/* application/x-rtp caps of @codec at @pt (media, encoding-name,
 * clock-rate, payload only): what a payloader in front of webrtcbin must
 * produce. */
GstCaps *gst_kvs_rtp_codec_rtp_caps (const GstKvsRtpCodec * codec, gint pt);

/* RTP caps of @codec with payload type @pt, as a transceiver offers it
 * (gst_kvs_rtp_codec_rtp_caps() and the codec's further fields). */
GstStructure *gst_kvs_rtp_codec_rtp_structure (const GstKvsRtpCodec * codec,
    gint pt);

G_END_DECLS
