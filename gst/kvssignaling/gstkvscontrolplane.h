/* kvssignaling: the REST control plane (kinesisvideo rest-json API).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>
#include "gstkvstypes.h"
#include "gstkvserror.h"
#include "gstkvscredentials.h"

G_BEGIN_DECLS

#define GST_KVS_TYPE_CHANNEL_INFO (gst_kvs_channel_info_get_type ())
#define GST_KVS_TYPE_ENDPOINTS (gst_kvs_endpoints_get_type ())
#define GST_KVS_TYPE_MEDIA_STORAGE_CONFIGURATION \
    (gst_kvs_media_storage_configuration_get_type ())

typedef struct {
  gchar *name;
  gchar *arn;
  gchar *type;                  /* "SINGLE_MASTER" */
  gchar *status;                /* "ACTIVE", ... */
  gchar *version;
  gint64 creation_time;         /* unix seconds */
  guint message_ttl;            /* seconds */
} GstKvsChannelInfo;

typedef struct {
  gchar *wss;                   /* the role's WebSocket endpoint */
  gchar *https;                 /* for GetIceServerConfig */
} GstKvsEndpoints;

/* A channel's media storage (WebRTC ingestion into a Kinesis video
 * stream). */
typedef struct {
  gchar *stream_arn;            /* NULL when the channel has no stream */
  gboolean enabled;             /* Status ENABLED */
} GstKvsMediaStorageConfiguration;

GType gst_kvs_channel_info_get_type (void);
GstKvsChannelInfo *gst_kvs_channel_info_copy (const GstKvsChannelInfo * info);
void gst_kvs_channel_info_free (GstKvsChannelInfo * info);
GType gst_kvs_endpoints_get_type (void);
GstKvsEndpoints *gst_kvs_endpoints_copy (const GstKvsEndpoints * ep);
void gst_kvs_endpoints_free (GstKvsEndpoints * ep);

GType gst_kvs_media_storage_configuration_get_type (void);
GstKvsMediaStorageConfiguration *gst_kvs_media_storage_configuration_copy (
    const GstKvsMediaStorageConfiguration * config);
void gst_kvs_media_storage_configuration_free (
    GstKvsMediaStorageConfiguration * config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstKvsChannelInfo, gst_kvs_channel_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstKvsMediaStorageConfiguration,
    gst_kvs_media_storage_configuration_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstKvsEndpoints, gst_kvs_endpoints_free)

#define GST_KVS_TYPE_CONTROL_PLANE (gst_kvs_control_plane_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsControlPlane, gst_kvs_control_plane, GST_KVS,
    CONTROL_PLANE, GObject)

/* All calls run on the thread-default main context of the caller, which
 * must be the context @session was created in. Every reply is checked: AWS
 * errors map to GST_KVS_ERROR codes with the message
 * "<AwsErrorName>: <service message>"; malformed replies give
 * GST_KVS_ERROR_PROTOCOL. The Date header of each reply updates the clock
 * offset, which every later signature applies. */
GstKvsControlPlane *gst_kvs_control_plane_new (SoupSession * session,
    const gchar * endpoint, const gchar * region,
    GstKvsCredentials * credentials);
void gst_kvs_control_plane_set_credentials (GstKvsControlPlane * self,
    GstKvsCredentials * credentials);
/* Server clock minus local clock, in seconds, from the last reply's Date. */
gint64 gst_kvs_control_plane_get_clock_offset (GstKvsControlPlane * self);
void gst_kvs_control_plane_set_clock_offset (GstKvsControlPlane * self,
    gint64 offset);
/* Deadline of each later call in seconds, from sending to the end of the
 * reply (default 30, 0 = none; the session's own timeouts are the
 * caller's). A call past it fails with GST_KVS_ERROR_CONNECTION. */
void gst_kvs_control_plane_set_timeout (GstKvsControlPlane * self,
    guint seconds);
/* Duration of the last finished call of @operation ("GetIceServerConfig",
 * AWS spelling), in microseconds; -1 when none finished yet. */
gint64 gst_kvs_control_plane_get_last_duration (GstKvsControlPlane * self,
    const gchar * operation);

/* DescribeSignalingChannel by @name or @arn (one of them). */
void gst_kvs_control_plane_describe_channel_async (GstKvsControlPlane * self,
    const gchar * name, const gchar * arn, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data);
GstKvsChannelInfo *gst_kvs_control_plane_describe_channel_finish (
    GstKvsControlPlane * self, GAsyncResult * res, GError ** error);

/* CreateSignalingChannel (SINGLE_MASTER). Returns the ARN. */
void gst_kvs_control_plane_create_channel_async (GstKvsControlPlane * self,
    const gchar * name, guint message_ttl, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data);
gchar *gst_kvs_control_plane_create_channel_finish (GstKvsControlPlane * self,
    GAsyncResult * res, GError ** error);

/* DeleteSignalingChannel. @version may be NULL. */
void gst_kvs_control_plane_delete_channel_async (GstKvsControlPlane * self,
    const gchar * arn, const gchar * version, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data);
gboolean gst_kvs_control_plane_delete_channel_finish (GstKvsControlPlane * self,
    GAsyncResult * res, GError ** error);

/* GetSignalingChannelEndpoint for @role, protocols WSS and HTTPS. */
void gst_kvs_control_plane_get_endpoints_async (GstKvsControlPlane * self,
    const gchar * arn, GstKvsRole role, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data);
GstKvsEndpoints *gst_kvs_control_plane_get_endpoints_finish (
    GstKvsControlPlane * self, GAsyncResult * res, GError ** error);

/* GetIceServerConfig on @https_endpoint. Returns GstKvsIceServer (may be
 * empty). @client_id may be NULL. */
void gst_kvs_control_plane_get_ice_server_config_async (
    GstKvsControlPlane * self, const gchar * https_endpoint,
    const gchar * arn, const gchar * client_id, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data);
GPtrArray *gst_kvs_control_plane_get_ice_server_config_finish (
    GstKvsControlPlane * self, GAsyncResult * res, GError ** error);

/* WebRTC ingestion. GetSignalingChannelEndpoint with protocol WEBRTC for
 * @role: the WEBRTC endpoint (where JoinStorageSession goes). */
void gst_kvs_control_plane_get_webrtc_endpoint_async (
    GstKvsControlPlane * self, const gchar * arn, GstKvsRole role,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
gchar *gst_kvs_control_plane_get_webrtc_endpoint_finish (
    GstKvsControlPlane * self, GAsyncResult * res, GError ** error);

/* JoinStorageSession on @webrtc_endpoint: the storage peer's offer then
 * comes to the channel's master over signaling. */
void gst_kvs_control_plane_join_storage_session_async (
    GstKvsControlPlane * self, const gchar * webrtc_endpoint,
    const gchar * arn, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data);
gboolean gst_kvs_control_plane_join_storage_session_finish (
    GstKvsControlPlane * self, GAsyncResult * res, GError ** error);

/* JoinStorageSessionAsViewer on @webrtc_endpoint for viewer @client_id. */
void gst_kvs_control_plane_join_storage_session_as_viewer_async (
    GstKvsControlPlane * self, const gchar * webrtc_endpoint,
    const gchar * arn, const gchar * client_id, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data);
gboolean gst_kvs_control_plane_join_storage_session_as_viewer_finish (
    GstKvsControlPlane * self, GAsyncResult * res, GError ** error);

/* DescribeMediaStorageConfiguration by @name or @arn (one of them). */
void gst_kvs_control_plane_describe_media_storage_async (
    GstKvsControlPlane * self, const gchar * name, const gchar * arn,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
GstKvsMediaStorageConfiguration *
gst_kvs_control_plane_describe_media_storage_finish (
    GstKvsControlPlane * self, GAsyncResult * res, GError ** error);

/* UpdateMediaStorageConfiguration: @stream_arn (NULL: keep the channel's)
 * with Status ENABLED or DISABLED. */
void gst_kvs_control_plane_update_media_storage_async (
    GstKvsControlPlane * self, const gchar * arn, const gchar * stream_arn,
    gboolean enabled, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data);
gboolean gst_kvs_control_plane_update_media_storage_finish (
    GstKvsControlPlane * self, GAsyncResult * res, GError ** error);

/* The checks each call does on its reply, without any network (for tests
 * and fuzzing). @len may be (gsize) -1 for a NUL-terminated @body. A 2xx
 * body: the result, or NULL/FALSE and GST_KVS_ERROR_PROTOCOL. */
GstKvsChannelInfo *gst_kvs_control_plane_parse_describe_reply (
    const gchar * body, gsize len, GError ** error);
gchar *gst_kvs_control_plane_parse_create_reply (const gchar * body,
    gsize len, GError ** error);
gboolean gst_kvs_control_plane_parse_delete_reply (const gchar * body,
    gsize len, GError ** error);
GstKvsEndpoints *gst_kvs_control_plane_parse_endpoints_reply (
    const gchar * body, gsize len, GError ** error);
GPtrArray *gst_kvs_control_plane_parse_ice_server_config_reply (
    const gchar * body, gsize len, GError ** error);
/* A non-2xx reply: the GError the call returns (never NULL). @error_type is
 * the x-amzn-ErrorType header, @redact a NULL-terminated list of strings
 * (secret key, session token) scrubbed from the service's text. */
GError *gst_kvs_control_plane_parse_error_reply (const gchar * operation,
    guint status, const gchar * reason_phrase, const gchar * error_type,
    const gchar * body, gsize len, const gchar * const *redact);

G_END_DECLS
