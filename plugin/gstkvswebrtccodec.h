/* kvssignaling: the codecs kvswebrtcsink sends, and how a viewer's offer
 * numbers them.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>
#include <gst/sdp/sdp.h>

G_BEGIN_DECLS

/**
 * GstKvsCodec:
 * @media: "video" or "audio"
 * @encoding_name: the RTP encoding name (caps), e.g. "VP8", "OPUS"
 * @encoded: the structure name of the encoded media, e.g. "video/x-vp8"
 * @clock_rate: the RTP clock rate
 * @payloader: the payloader factory
 * @depayloader: the depayloader factory
 * @default_pt: the payload type used when we offer (role=viewer)
 *
 * One codec kvswebrtcsink can fan out.
 */
typedef struct
{
  const gchar *media;
  const gchar *encoding_name;
  const gchar *encoded;
  gint clock_rate;
  const gchar *payloader;
  const gchar *depayloader;
  gint default_pt;
} GstKvsCodec;

/* The codec of @caps, encoded (video/x-vp8, …) or RTP (application/x-rtp
 * with encoding-name); NULL when none we send. *@is_rtp tells which. */
const GstKvsCodec *gst_kvs_codec_from_caps (const GstCaps * caps,
    gboolean * is_rtp);

/* The codec of RTP @caps by encoding-name, for media received back; NULL
 * when unknown. */
const GstKvsCodec *gst_kvs_codec_from_rtp_caps (const GstCaps * caps);

/* The payload type the offer @sdp uses for @codec, -1 when it offers none
 * (or only in m-lines where it will not receive). Skips the m-lines in
 * @taken (bit mask of m-line indexes, updated with the one chosen). H.264
 * prefers packetization-mode=1 with a Constrained Baseline profile. */
gint gst_kvs_codec_offered_pt (const GstSDPMessage * sdp,
    const GstKvsCodec * codec, guint64 * taken);

/* application/x-rtp caps of @codec at @pt, what a payloader in front of
 * webrtcbin must produce. */
GstCaps *gst_kvs_codec_rtp_caps (const GstKvsCodec * codec, gint pt);

/* The payloader of @codec configured to send @pt; NULL when the factory is
 * missing. */
GstElement *gst_kvs_codec_make_payloader (const GstKvsCodec * codec, gint pt);

G_END_DECLS
