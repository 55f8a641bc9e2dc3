/* kvssignaling benchmarks: small helpers shared by the bench programs.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <gst/sdp/sdp.h>
#include <gst/kvssignaling/kvssignaling.h>

#include "benchutil.h"

void
bench_print_json (JsonBuilder * builder)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  g_autofree gchar *text = NULL;

  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
  fflush (stdout);
}

void
bench_add_int_array (JsonBuilder * builder, const gchar * name,
    const gint64 * values, guint n)
{
  guint i;

  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (i = 0; i < n; i++)
    json_builder_add_int_value (builder, values[i]);
  json_builder_end_array (builder);
}

gint64
bench_rss_kib (gint pid)
{
  g_autofree gchar *path = pid ? g_strdup_printf ("/proc/%d/status", pid) :
      g_strdup ("/proc/self/status");
  g_autofree gchar *text = NULL;
  const gchar *p;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  p = strstr (text, "VmRSS:");
  if (!p)
    return -1;
  return g_ascii_strtoll (p + 6, NULL, 10);
}

guint64
bench_raise_nofile (void)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) != 0)
    return 0;
  rl.rlim_cur = rl.rlim_max;
  setrlimit (RLIMIT_NOFILE, &rl);
  getrlimit (RLIMIT_NOFILE, &rl);
  return rl.rlim_cur;
}

static const gchar sdp_head[] =
    "v=0\r\n"
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE video0\r\n"
    "a=x-bench-seq:%010u\r\n"
    "%s"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=setup:%s\r\n"
    "a=ice-ufrag:Q2yX3RktnZg0ZZAQ2trgJpVvtqxeAbVn\r\n"
    "a=ice-pwd:rN2Q7yOaJ8jL6uMd4BJCj3c4FDmHy8cT\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=sendrecv\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtcp-fb:96 nack\r\n"
    "a=rtcp-fb:96 nack pli\r\n"
    "a=rtcp-fb:96 ccm fir\r\n"
    "a=ssrc:3484078950 msid:user1 webrtctransceiver0\r\n"
    "a=ssrc:3484078950 cname:user1@host-a1b2c3\r\n"
    "a=mid:video0\r\n"
    "a=fingerprint:sha-256 6B:8B:5D:EA:59:04:20:23:29:C8:87:1C:CC:87:32:BE:"
    "DD:8C:66:A5:8E:50:55:EA:8C:D3:B6:5C:09:5E:D6:BC\r\n";

static gsize
payload_len (const gchar * type, const gchar * sdp)
{
  g_autoptr (GstKvsMessage) msg =
      gst_kvs_message_new_sdp (g_str_equal (type, "offer") ?
      GST_KVS_MESSAGE_TYPE_SDP_OFFER : GST_KVS_MESSAGE_TYPE_SDP_ANSWER,
      "bench-v0", sdp, NULL);

  return strlen (msg->payload);
}

/* The SDP as GstSDPMessage writes it (what the sink sends). */
static gchar *
canonical (const gchar * text)
{
  GstSDPMessage *sdp = NULL;
  gchar *out;

  if (gst_sdp_message_new_from_text (text, &sdp) != GST_SDP_OK)
    return g_strdup (text);
  out = gst_sdp_message_as_text (sdp);
  gst_sdp_message_free (sdp);
  return out;
}

static gchar *
build_sdp (const gchar * type, guint seq, const gchar * pad, gsize * len)
{
  const gchar *setup = g_str_equal (type, "offer") ? "actpass" : "active";
  g_autofree gchar *text = g_strdup_printf (sdp_head, seq, pad, setup);
  gchar *c = canonical (text);

  *len = payload_len (type, c);
  return c;
}

gchar *
bench_make_sdp (const gchar * type, guint seq, gsize target_payload)
{
  static const gchar line[] =
      "a=x-bench-pad:0123456789abcdefghijklmnopqrstuvwxyz\r\n";
  g_autoptr (GString) pad = g_string_new (NULL);
  gchar *best, *c;
  gsize len;
  gint n;

  best = build_sdp (type, seq, "", &len);
  /* whole lines while they fit, then one shorter line */
  while (TRUE) {
    g_string_append (pad, line);
    c = build_sdp (type, seq, pad->str, &len);
    if (len > target_payload) {
      g_free (c);
      g_string_truncate (pad, pad->len - strlen (line));
      break;
    }
    g_free (best);
    best = c;
  }
  for (n = 35; n > 0; n--) {
    g_autofree gchar *fill = g_strnfill (n, 'p');
    g_autofree gchar *p = g_strdup_printf ("%sa=x-bench-pad:%s\r\n", pad->str,
        fill);

    c = build_sdp (type, seq, p, &len);
    if (len <= target_payload) {
      g_free (best);
      best = c;
      break;
    }
    g_free (c);
  }
  return best;
}

gchar *
bench_make_candidate (guint seq)
{
  return g_strdup_printf ("candidate:%u 1 UDP 2122260223 127.0.0.1 %u typ host",
      seq, 40000 + seq % 20000);
}

gint64
bench_candidate_seq (const gchar * candidate)
{
  if (!candidate || !g_str_has_prefix (candidate, "candidate:"))
    return -1;
  return g_ascii_strtoll (candidate + 10, NULL, 10);
}

gint64
bench_sdp_seq (const gchar * sdp)
{
  const gchar *p = sdp ? strstr (sdp, "a=x-bench-seq:") : NULL;

  return p ? g_ascii_strtoll (p + 14, NULL, 10) : -1;
}
