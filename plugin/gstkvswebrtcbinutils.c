/* kvssignaling: small helpers around webrtcbin used by the elements.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvswebrtcbinutils.h"

#include <gst/sdp/sdp.h>
#include <string.h>
#include <gio/gio.h>
#include <gst/kvssignaling/gstkvserror.h>
#include <gst/kvssignaling/gstkvsstring.h>

gchar *
gst_kvs_webrtc_sdp_dup_mid (const GstWebRTCSessionDescription * desc,
    guint mline_index)
{
  const GstSDPMedia *media;

  if (desc == NULL || desc->sdp == NULL)
    return NULL;
  if (mline_index >= gst_sdp_message_medias_len (desc->sdp))
    return NULL;
  media = gst_sdp_message_get_media (desc->sdp, mline_index);
  return g_strdup (gst_sdp_media_get_attribute_val (media, "mid"));
}

gint
gst_kvs_webrtc_sdp_find_mid (const GstWebRTCSessionDescription * desc,
    const gchar * mid)
{
  guint i, n;

  if (desc == NULL || desc->sdp == NULL || mid == NULL)
    return -1;
  n = gst_sdp_message_medias_len (desc->sdp);
  for (i = 0; i < n; i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (desc->sdp, i);
    const gchar *val = gst_sdp_media_get_attribute_val (media, "mid");

    if (g_strcmp0 (val, mid) == 0)
      return (gint) i;
  }
  return -1;
}

gchar *
gst_kvs_webrtc_sdp_dup_origin (const GstSDPMessage * sdp)
{
  const GstSDPOrigin *o;

  g_return_val_if_fail (sdp != NULL, NULL);

  o = gst_sdp_message_get_origin (sdp);
  if (o->username == NULL || *o->username == '\0' || o->sess_id == NULL ||
      *o->sess_id == '\0')
    return NULL;
  return g_strdup_printf ("%s %s", o->username, o->sess_id);
}

/* ---- SDP to text ---- */

static inline void
put (GString * out, const gchar * str)
{
  gst_kvs_string_append_len (out, str, strlen (str));
}

static inline void
put_c (GString * out, gchar c)
{
  gst_kvs_string_append_len (out, &c, 1);
}

static void
append_uint (GString * out, guint value)
{
  gchar buf[16], *p = buf + sizeof buf;

  do {
    *--p = (gchar) ('0' + value % 10);
    value /= 10;
  } while (value > 0);
  gst_kvs_string_append_len (out, p, buf + sizeof buf - p);
}

/* "<prefix><value>\r\n" */
static void
append_line (GString * out, const gchar * prefix, const gchar * value)
{
  put (out, prefix);
  put (out, value);
  gst_kvs_string_append_len (out, "\r\n", 2);
}

/* What as_text writes for a c= line is "c=<nettype> <addrtype> <address>"
 * unless the address is multicast (then a TTL and a count may follow). */
static gboolean
connection_is_plain (const GstSDPConnection * conn)
{
  return conn->nettype == NULL || conn->addrtype == NULL ||
      conn->address == NULL || !gst_sdp_address_is_multicast (conn->nettype,
      conn->addrtype, conn->address);
}

static void
append_connection (GString * out, const GstSDPConnection * conn)
{
  if (conn->nettype == NULL || conn->addrtype == NULL || conn->address == NULL)
    return;
  gst_kvs_string_append_len (out, "c=", 2);
  put (out, conn->nettype);
  put_c (out, ' ');
  put (out, conn->addrtype);
  put_c (out, ' ');
  append_line (out, "", conn->address);
}

static gboolean
bandwidths_are_plain (const GArray * bandwidths)
{
  guint i;

  for (i = 0; i < bandwidths->len; i++)
    if (g_array_index (bandwidths, GstSDPBandwidth, i).bwtype == NULL)
      return FALSE;
  return TRUE;
}

static void
append_bandwidths (GString * out, const GArray * bandwidths)
{
  guint i;

  for (i = 0; i < bandwidths->len; i++) {
    const GstSDPBandwidth *bw = &g_array_index (bandwidths, GstSDPBandwidth, i);

    gst_kvs_string_append_len (out, "b=", 2);
    put (out, bw->bwtype);
    put_c (out, ':');
    append_uint (out, bw->bandwidth);
    gst_kvs_string_append_len (out, "\r\n", 2);
  }
}

static void
append_attributes (GString * out, const GArray * attributes)
{
  guint i;

  for (i = 0; i < attributes->len; i++) {
    const GstSDPAttribute *attr =
        &g_array_index (attributes, GstSDPAttribute, i);

    if (attr->key == NULL)
      continue;
    gst_kvs_string_append_len (out, "a=", 2);
    put (out, attr->key);
    if (attr->value && attr->value[0] != '\0') {
      put_c (out, ':');
      put (out, attr->value);
    }
    gst_kvs_string_append_len (out, "\r\n", 2);
  }
}

static gboolean
media_is_plain (const GstSDPMedia * media)
{
  guint i;

  if (media->media == NULL || media->proto == NULL ||
      media->information != NULL || media->key.type != NULL ||
      !bandwidths_are_plain (media->bandwidths))
    return FALSE;
  for (i = 0; i < media->fmts->len; i++)
    if (g_array_index (media->fmts, gchar *, i) == NULL)
      return FALSE;
  for (i = 0; i < media->connections->len; i++)
    if (!connection_is_plain (&g_array_index (media->connections,
                GstSDPConnection, i)))
      return FALSE;
  return TRUE;
}

/* Whether @sdp has nothing but what the writer below writes the way
 * gst_sdp_message_as_text() does. */
static gboolean
sdp_is_plain (const GstSDPMessage * sdp)
{
  guint i;

  if (sdp->emails->len > 0 || sdp->phones->len > 0 || sdp->zones->len > 0
      || sdp->key.type != NULL || !connection_is_plain (&sdp->connection)
      || !bandwidths_are_plain (sdp->bandwidths))
    return FALSE;
  for (i = 0; i < sdp->times->len; i++) {
    const GstSDPTime *t = &g_array_index (sdp->times, GstSDPTime, i);

    if (t->start == NULL || t->stop == NULL || t->repeat != NULL)
      return FALSE;
  }
  for (i = 0; i < sdp->medias->len; i++)
    if (!media_is_plain (&g_array_index (sdp->medias, GstSDPMedia, i)))
      return FALSE;
  return TRUE;
}

static void
append_media (GString * out, const GstSDPMedia * media)
{
  guint i;

  gst_kvs_string_append_len (out, "m=", 2);
  put (out, media->media);
  put_c (out, ' ');
  append_uint (out, media->port);
  if (media->num_ports > 1) {
    put_c (out, '/');
    append_uint (out, media->num_ports);
  }
  put_c (out, ' ');
  put (out, media->proto);
  for (i = 0; i < media->fmts->len; i++) {
    put_c (out, ' ');
    put (out, g_array_index (media->fmts, gchar *, i));
  }
  gst_kvs_string_append_len (out, "\r\n", 2);
  for (i = 0; i < media->connections->len; i++)
    append_connection (out, &g_array_index (media->connections,
            GstSDPConnection, i));
  append_bandwidths (out, media->bandwidths);
  append_attributes (out, media->attributes);
}

gchar *
gst_kvs_webrtc_sdp_to_text (const GstSDPMessage * sdp)
{
  const GstSDPOrigin *o;
  GString *out;
  guint i, n_attributes;

  g_return_val_if_fail (sdp != NULL, NULL);

  if (!sdp_is_plain (sdp))
    return gst_sdp_message_as_text (sdp);

  n_attributes = sdp->attributes->len;
  for (i = 0; i < sdp->medias->len; i++)
    n_attributes += g_array_index (sdp->medias, GstSDPMedia, i).attributes->len;
  out = g_string_sized_new (256 + 48 * n_attributes);

  if (sdp->version)
    append_line (out, "v=", sdp->version);
  o = &sdp->origin;
  if (o->sess_id && o->sess_version && o->nettype && o->addrtype && o->addr) {
    const gchar *fields[] = { o->username ? o->username : "-", o->sess_id,
      o->sess_version, o->nettype, o->addrtype, o->addr
    };

    gst_kvs_string_append_len (out, "o=", 2);
    for (i = 0; i < G_N_ELEMENTS (fields); i++) {
      if (i > 0)
        put_c (out, ' ');
      put (out, fields[i]);
    }
    gst_kvs_string_append_len (out, "\r\n", 2);
  }
  if (sdp->session_name)
    append_line (out, "s=", sdp->session_name);
  if (sdp->information)
    append_line (out, "i=", sdp->information);
  if (sdp->uri)
    append_line (out, "u=", sdp->uri);
  append_connection (out, &sdp->connection);
  append_bandwidths (out, sdp->bandwidths);
  if (sdp->times->len == 0)
    gst_kvs_string_append_len (out, "t=0 0\r\n", 7);
  for (i = 0; i < sdp->times->len; i++) {
    const GstSDPTime *t = &g_array_index (sdp->times, GstSDPTime, i);

    gst_kvs_string_append_len (out, "t=", 2);
    put (out, t->start);
    put_c (out, ' ');
    append_line (out, "", t->stop);
  }
  append_attributes (out, sdp->attributes);
  for (i = 0; i < sdp->medias->len; i++)
    append_media (out, &g_array_index (sdp->medias, GstSDPMedia, i));
  return g_string_free (out, FALSE);
}

GstWebRTCSessionDescription *
gst_kvs_webrtc_description_new (GstWebRTCSDPType type, const gchar * sdp,
    GError ** error)
{
  GstSDPMessage *msg = NULL;

  if (sdp == NULL || !g_str_has_prefix (sdp, "v=")
      || gst_sdp_message_new_from_text (sdp, &msg) != GST_SDP_OK) {
    if (msg)
      gst_sdp_message_free (msg);
    g_set_error (error, GST_KVS_VALIDATION_ERROR,
        GST_KVS_VALIDATION_ERROR_PAYLOAD_ENCODING,
        "the %s is not an SDP session description",
        gst_webrtc_sdp_type_to_string (type));
    return NULL;
  }
  return gst_webrtc_session_description_new (type, msg);
}

gboolean
gst_kvs_webrtcbin_restrict_addresses (GstElement * webrtcbin,
    const gchar * addresses, GError ** error)
{
  g_autoptr (GObject) agent = NULL;
  g_auto (GStrv) parts = NULL;
  guint i;

  if (addresses == NULL || *addresses == '\0')
    return TRUE;

  g_object_get (webrtcbin, "ice-agent", &agent, NULL);
  if (agent == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
        "webrtcbin '%s' has no ICE agent", GST_OBJECT_NAME (webrtcbin));
    return FALSE;
  }

  parts = g_strsplit_set (addresses, ", ", -1);
  for (i = 0; parts[i]; i++) {
    gboolean ok = FALSE;

    if (*parts[i] == '\0')
      continue;
    if (!g_hostname_is_ip_address (parts[i])) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
          "'%s' is not an IP address", parts[i]);
      return FALSE;
    }
    g_signal_emit_by_name (agent, "add-local-ip-address", parts[i], &ok);
    if (!ok) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
          "the ICE agent refused the local address '%s'", parts[i]);
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
gst_kvs_webrtcbin_disable_upnp (GstElement * webrtcbin)
{
  g_autoptr (GObject) ice = NULL;
  g_autoptr (GObject) nice = NULL;

  g_object_get (webrtcbin, "ice-agent", &ice, NULL);
  if (ice == NULL
      || !g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent"))
    return FALSE;
  g_object_get (ice, "agent", &nice, NULL);
  if (nice == NULL
      || !g_object_class_find_property (G_OBJECT_GET_CLASS (nice), "upnp"))
    return FALSE;
  g_object_set (nice, "upnp", FALSE, NULL);
  return TRUE;
}

guint
gst_kvs_webrtcbin_add_recv_transceivers (GstElement * webrtcbin,
    const GstCaps * caps)
{
  guint i, n, added = 0;

  if (caps == NULL || gst_caps_is_any (caps) || gst_caps_is_empty (caps))
    return 0;

  n = gst_caps_get_size (caps);
  for (i = 0; i < n; i++) {
    GstCaps *one = gst_caps_copy_nth (caps, i);
    GstWebRTCRTPTransceiver *trans = NULL;

    g_signal_emit_by_name (webrtcbin, "add-transceiver",
        GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, one, &trans);
    gst_caps_unref (one);
    if (trans) {
      added++;
      gst_object_unref (trans);
    }
  }
  return added;
}

guint
gst_kvs_webrtcbin_count_transceivers (GstElement * webrtcbin)
{
  GArray *transceivers = NULL;
  guint n = 0;

  g_signal_emit_by_name (webrtcbin, "get-transceivers", &transceivers);
  if (transceivers) {
    n = transceivers->len;
    g_array_unref (transceivers);
  }
  return n;
}

GList *
gst_kvs_webrtcbin_dup_sink_pads (GstElement * webrtcbin)
{
  GList *pads, *l;

  GST_OBJECT_LOCK (webrtcbin);
  pads = g_list_copy (webrtcbin->sinkpads);
  for (l = pads; l; l = l->next)
    gst_object_ref (l->data);
  GST_OBJECT_UNLOCK (webrtcbin);
  return pads;
}
