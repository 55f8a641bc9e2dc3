/* kvssignaling: the codecs the WebRTC bins negotiate, with their RTP caps
 * and the GStreamer elements that (de)payload them.
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
  const gchar *encoded_caps;    /* what the depayloader outputs */
} GstKvsRtpCodec;

/* The codec named @name (case-insensitive) of @media ("video"/"audio"; NULL:
 * either), or NULL. */
const GstKvsRtpCodec *gst_kvs_rtp_codec_find (const gchar * media,
    const gchar * name);

/* The codec of RTP caps (their media and encoding-name), or NULL. */
const GstKvsRtpCodec *gst_kvs_rtp_codec_from_caps (const GstCaps * caps);

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

/* RTP caps of @codec with payload type @pt, as a transceiver offers it. */
GstStructure *gst_kvs_rtp_codec_rtp_structure (const GstKvsRtpCodec * codec,
    gint pt);

G_END_DECLS
