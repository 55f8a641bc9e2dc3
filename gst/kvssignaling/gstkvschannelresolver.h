/* kvssignaling: from a channel's name to where and how to connect.
 * Internal to the library (not installed).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>
#include "gstkvstypes.h"
#include "gstkvscredentials.h"
#include "gstkvscontrolplane.h"
#include "gstkvschannelcache.h"
#include "gstkvsclientcredentials.h"

G_BEGIN_DECLS

#define GST_KVS_TYPE_CHANNEL_RESOLVER (gst_kvs_channel_resolver_get_type ())
G_GNUC_INTERNAL
G_DECLARE_FINAL_TYPE (GstKvsChannelResolver, gst_kvs_channel_resolver,
    GST_KVS, CHANNEL_RESOLVER, GObject)

/* Made in the client's thread, which it stays in: every call below, every
 * callback and the "ice-servers-refreshed" signal (GPtrArray of
 * GstKvsIceServer, gint64 started, monotonic us) happen there. @arn is the
 * user's channel ARN (describe by ARN) or NULL (by @name); @client_id the
 * viewer's, NULL for a master. @cancellable cancels the background calls.
 * The calls are signed with the credentials of @credentials (its
 * "changed"), which are asked for new ones when a background call finds
 * them expired. */
G_GNUC_INTERNAL
GstKvsChannelResolver *gst_kvs_channel_resolver_new (SoupSession * session,
    const gchar * endpoint, const gchar * region,
    GstKvsClientCredentials * credentials, guint timeout_s, GstKvsRole role,
    const gchar * name, const gchar * arn, const gchar * client_id,
    GCancellable * cancellable);

/* Server clock minus local clock, in seconds (see GstKvsControlPlane). */
G_GNUC_INTERNAL
gint64 gst_kvs_channel_resolver_get_clock_offset (GstKvsChannelResolver *
    self);
G_GNUC_INTERNAL
void gst_kvs_channel_resolver_set_clock_offset (GstKvsChannelResolver * self,
    gint64 offset);

/* What is known: the ARN (NULL before a describe), the endpoints (NULL
 * before GetSignalingChannelEndpoint), whether ICE servers were asked for. */
G_GNUC_INTERNAL
const gchar *gst_kvs_channel_resolver_get_arn (GstKvsChannelResolver * self);
G_GNUC_INTERNAL
gboolean gst_kvs_channel_resolver_needs_describe (GstKvsChannelResolver *
    self);
G_GNUC_INTERNAL
const GstKvsEndpoints *gst_kvs_channel_resolver_get_endpoints (
    GstKvsChannelResolver * self);
G_GNUC_INTERNAL
gboolean gst_kvs_channel_resolver_has_ice_config (GstKvsChannelResolver *
    self);
/* The service said the channel is gone (404): drop the endpoints, describe
 * again. */
G_GNUC_INTERNAL
void gst_kvs_channel_resolver_forget (GstKvsChannelResolver * self);

/* Keeps the ARN and the endpoints in @cache (NULL: none) under the key of
 * (role, channel, @region, @endpoint), and starts from its fresh entry if
 * any. The entry is dropped with forget(). */
G_GNUC_INTERNAL
void gst_kvs_channel_resolver_use_disk_cache (GstKvsChannelResolver * self,
    GstKvsChannelCache * cache, const gchar * region, const gchar * endpoint);
/* A connect attempt ended: @connected, the cached entry proved right;
 * else, when the ARN and endpoints came from the disk cache, they are
 * forgotten (memory and disk) so the next attempt asks the service. */
G_GNUC_INTERNAL
void gst_kvs_channel_resolver_attempt_ended (GstKvsChannelResolver * self,
    gboolean connected);

/* DescribeSignalingChannel. TRUE with *@active FALSE: the channel exists
 * but is not ACTIVE yet (ask again later). */
G_GNUC_INTERNAL
void gst_kvs_channel_resolver_describe_async (GstKvsChannelResolver * self,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
G_GNUC_INTERNAL
gboolean gst_kvs_channel_resolver_describe_finish (GstKvsChannelResolver *
    self, GAsyncResult * res, gboolean * active, GError ** error);

/* CreateSignalingChannel with @message_ttl. */
G_GNUC_INTERNAL
void gst_kvs_channel_resolver_create_async (GstKvsChannelResolver * self,
    guint message_ttl, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data);
G_GNUC_INTERNAL
gboolean gst_kvs_channel_resolver_create_finish (GstKvsChannelResolver *
    self, GAsyncResult * res, GError ** error);

/* GetSignalingChannelEndpoint; a reply without WSS is an error. */
G_GNUC_INTERNAL
void gst_kvs_channel_resolver_get_endpoints_async (GstKvsChannelResolver *
    self, GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
G_GNUC_INTERNAL
gboolean gst_kvs_channel_resolver_get_endpoints_finish (GstKvsChannelResolver
    * self, GAsyncResult * res, GError ** error);

/* GetIceServerConfig at connect time. Returns the servers (transfer full),
 * or NULL (and @error) when the call failed: not fatal, the resolver then
 * retries in the background; without an HTTPS endpoint, NULL and no error.
 * A later refresh is scheduled from the servers' TTL. */
G_GNUC_INTERNAL
void gst_kvs_channel_resolver_get_ice_config_async (GstKvsChannelResolver *
    self, GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
G_GNUC_INTERNAL
GPtrArray *gst_kvs_channel_resolver_get_ice_config_finish (
    GstKvsChannelResolver * self, GAsyncResult * res, GError ** error);

/* A background GetIceServerConfig (RECONNECT_ICE_SERVER), unless one runs
 * or nothing is resolved yet; its result comes as "ice-servers-refreshed".
 * Refused with expired credentials (ExpiredTokenException), it has new
 * ones fetched (gst_kvs_channel_resolver_use_credentials()) and is retried
 * at once, once, as the connect path does. */
G_GNUC_INTERNAL
void gst_kvs_channel_resolver_refresh_ice_config (GstKvsChannelResolver *
    self);
/* TRUE while a background call has not called back. */
G_GNUC_INTERNAL
gboolean gst_kvs_channel_resolver_is_busy (GstKvsChannelResolver * self);
/* No more refreshes nor signals. */
G_GNUC_INTERNAL
void gst_kvs_channel_resolver_stop (GstKvsChannelResolver * self);

G_END_DECLS
