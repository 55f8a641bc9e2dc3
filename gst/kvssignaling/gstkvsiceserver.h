/* kvssignaling: one ICE server set from GetIceServerConfig.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define GST_KVS_TYPE_ICE_SERVER (gst_kvs_ice_server_get_type ())

typedef struct {
  gchar **uris;                 /* "turn:host:443?transport=udp", ... */
  gchar *username;              /* "<expiry>:<name>" */
  gchar *password;
  guint ttl;                    /* seconds */
} GstKvsIceServer;

GType gst_kvs_ice_server_get_type (void);
GstKvsIceServer *gst_kvs_ice_server_new (const gchar * const *uris,
    const gchar * username, const gchar * password, guint ttl);
GstKvsIceServer *gst_kvs_ice_server_ref (GstKvsIceServer * server);
void gst_kvs_ice_server_unref (GstKvsIceServer * server);

/* The form webrtcbin's add-turn-server takes:
 * "turn://user:pass@host:port?transport=udp" (turns:// likewise), user and
 * password percent-escaped. NULL for an index out of range, a URI that is
 * not turn:/turns:, has no host or one that is not a host name, an IPv4 or
 * a [IPv6] address, has a port that is not 1..65535 (digits only) or a
 * query with characters a URI may not hold, carries user information, or a
 * server without username/password. */
gchar *gst_kvs_ice_server_to_gst_turn_uri (const GstKvsIceServer * server,
    guint uri_index);

/* "stun://stun.kinesisvideo.<region>.amazonaws.com:443" (amazonaws.com.cn for
 * cn- regions), the form of webrtcbin's stun-server property. NULL when
 * @region is not a region name: 1 to 64 characters of [a-z0-9-]. */
gchar *gst_kvs_stun_uri_for_region (const gchar * region);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstKvsIceServer, gst_kvs_ice_server_unref)

G_END_DECLS
