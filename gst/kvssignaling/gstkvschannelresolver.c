/* kvssignaling: from a channel's name to where and how to connect.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * GstKvsChannelResolver: the REST half of a client's run. It owns the
 * #GstKvsControlPlane and what the calls found out: the channel's ARN
 * (DescribeSignalingChannel, CreateSignalingChannel when asked), the role's
 * endpoints (GetSignalingChannelEndpoint) and the ICE servers
 * (GetIceServerConfig), refreshed in the background at 80 % of their
 * smallest TTL, every 10 s after a failure, and on RECONNECT_ICE_SERVER.
 *
 * Each step is an _async/_finish pair (GTask) that the client sequences,
 * times and retries: the resolver knows the service, the client knows when
 * to ask. Everything runs in the client's thread (the control plane's
 * calls need the session's context).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstkvschannelresolver.h"
#include "gstkvschannelcache.h"
#include "gstkvsiceserver.h"
#include "gstkvsowner.h"

GST_DEBUG_CATEGORY_STATIC (kvs_channel_resolver_debug);
#define GST_CAT_DEFAULT kvs_channel_resolver_debug

/* ICE servers are refreshed at this fraction of their smallest Ttl. */
#define ICE_REFRESH_PERCENT 80
#define ICE_REFRESH_RETRY_S 10

enum
{
  SIGNAL_ICE_SERVERS_REFRESHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _GstKvsChannelResolver
{
  GObject parent;

  GMainContext *context;
  GstKvsControlPlane *cp;
  GCancellable *cancellable;    /* background calls */
  GstKvsRole role;
  gchar *name;
  gchar *client_id;
  gboolean arn_from_user;

  gchar *arn;
  GstKvsEndpoints *endpoints;
  gboolean force_describe;
  gboolean ice_fetched;

  GstKvsChannelCache *disk;     /* NULL: no on-disk cache */
  gchar *disk_key;
  gboolean from_disk;           /* arn and endpoints came from disk, unproven */

  GSource *refresh_source;
  gboolean refresh_active;
  gboolean refresh_retry;       /* this refresh follows new credentials */
  gint64 refresh_started;       /* monotonic us */
  GstKvsClientCredentials *credentials;
  gboolean stopped;
};

G_DEFINE_TYPE_WITH_CODE (GstKvsChannelResolver, gst_kvs_channel_resolver,
    G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (kvs_channel_resolver_debug, "kvschannelresolver",
        0, "KVS signaling channel resolver"));

static void
on_credentials_changed (GstKvsClientCredentials * credentials,
    GstKvsCredentials * creds, gpointer user_data)
{
  GstKvsChannelResolver *self = user_data;

  gst_kvs_control_plane_set_credentials (self->cp, creds);
}

GstKvsChannelResolver *
gst_kvs_channel_resolver_new (SoupSession * session, const gchar * endpoint,
    const gchar * region, GstKvsClientCredentials * credentials,
    guint timeout_s, GstKvsRole role, const gchar * name, const gchar * arn,
    const gchar * client_id, GCancellable * cancellable)
{
  GstKvsChannelResolver *self =
      g_object_new (GST_KVS_TYPE_CHANNEL_RESOLVER, NULL);
  g_autoptr (GstKvsCredentials) creds =
      gst_kvs_client_credentials_dup (credentials);

  self->context = g_main_context_ref_thread_default ();
  self->cp = gst_kvs_control_plane_new (session, endpoint, region, creds);
  self->credentials = g_object_ref (credentials);
  g_signal_connect (credentials, "changed",
      G_CALLBACK (on_credentials_changed), self);
  /* background calls (ICE refresh) have no step timer: the same bound */
  gst_kvs_control_plane_set_timeout (self->cp, timeout_s);
  self->cancellable = g_object_ref (cancellable);
  self->role = role;
  self->name = g_strdup (name);
  self->arn = g_strdup (arn);
  self->arn_from_user = arn != NULL;
  self->client_id = g_strdup (client_id);
  return self;
}

gint64
gst_kvs_channel_resolver_get_clock_offset (GstKvsChannelResolver * self)
{
  return gst_kvs_control_plane_get_clock_offset (self->cp);
}

void
gst_kvs_channel_resolver_set_clock_offset (GstKvsChannelResolver * self,
    gint64 offset)
{
  gst_kvs_control_plane_set_clock_offset (self->cp, offset);
}

const gchar *
gst_kvs_channel_resolver_get_arn (GstKvsChannelResolver * self)
{
  return self->arn;
}

gboolean
gst_kvs_channel_resolver_needs_describe (GstKvsChannelResolver * self)
{
  return !self->arn || self->force_describe;
}

const GstKvsEndpoints *
gst_kvs_channel_resolver_get_endpoints (GstKvsChannelResolver * self)
{
  return self->endpoints;
}

gboolean
gst_kvs_channel_resolver_has_ice_config (GstKvsChannelResolver * self)
{
  return self->ice_fetched;
}

void
gst_kvs_channel_resolver_forget (GstKvsChannelResolver * self)
{
  GST_INFO_OBJECT (self, "dropping the cached channel ARN and endpoints");
  g_clear_pointer (&self->endpoints, gst_kvs_endpoints_free);
  self->force_describe = TRUE;
  self->from_disk = FALSE;
  if (self->disk)
    gst_kvs_channel_cache_remove (self->disk, self->disk_key);
}

/* ON-DISK CACHE */

void
gst_kvs_channel_resolver_use_disk_cache (GstKvsChannelResolver * self,
    GstKvsChannelCache * cache, const gchar * region, const gchar * endpoint)
{
  g_autofree gchar *arn = NULL;
  GstKvsEndpoints *endpoints = NULL;

  g_clear_object (&self->disk);
  g_clear_pointer (&self->disk_key, g_free);
  if (!cache)
    return;
  self->disk = g_object_ref (cache);
  self->disk_key = gst_kvs_channel_cache_make_key (self->role,
      self->arn_from_user ? NULL : self->name,
      self->arn_from_user ? self->arn : NULL, region, endpoint);
  if (self->endpoints || !gst_kvs_channel_cache_lookup (cache, self->disk_key,
          &arn, &endpoints))
    return;

  GST_INFO_OBJECT (self, "channel %s and its endpoints from the cache", arn);
  g_free (self->arn);
  self->arn = g_steal_pointer (&arn);
  self->endpoints = endpoints;
  self->from_disk = TRUE;
  if (!endpoints->https)
    self->ice_fetched = TRUE;
}

void
gst_kvs_channel_resolver_attempt_ended (GstKvsChannelResolver * self,
    gboolean connected)
{
  if (!self->from_disk)
    return;
  if (connected) {
    self->from_disk = FALSE;
    return;
  }
  /* maybe the channel was recreated or the endpoint moved: ask again */
  GST_INFO_OBJECT (self, "a connect attempt with the cached endpoints failed");
  gst_kvs_channel_resolver_forget (self);
}

/* DESCRIBE */

static void
describe_cb (GObject * source, GAsyncResult * res, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GstKvsChannelResolver *self = g_task_get_source_object (task);
  g_autoptr (GstKvsChannelInfo) info = NULL;
  GError *error = NULL;

  info = gst_kvs_control_plane_describe_channel_finish (GST_KVS_CONTROL_PLANE
      (source), res, &error);
  if (!info) {
    g_task_return_error (task, error);
    return;
  }

  if (g_strcmp0 (info->status, "ACTIVE") != 0) {
    GST_INFO_OBJECT (self, "channel %s is %s, waiting", info->arn,
        GST_STR_NULL (info->status));
    g_task_return_int (task, FALSE);
    return;
  }

  GST_INFO_OBJECT (self, "channel ARN %s", info->arn);
  if (g_strcmp0 (self->arn, info->arn) != 0) {
    /* a recreated channel: every endpoint is stale */
    g_free (self->arn);
    self->arn = g_strdup (info->arn);
    g_clear_pointer (&self->endpoints, gst_kvs_endpoints_free);
  }
  self->force_describe = FALSE;
  g_task_return_int (task, TRUE);
}

void
gst_kvs_channel_resolver_describe_async (GstKvsChannelResolver * self,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
{
  GTask *task;
  const gchar *arn = NULL;

  GST_KVS_CHECK_OWNER (self->context);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gst_kvs_channel_resolver_describe_async);
  if (self->arn_from_user || !self->name)
    arn = self->arn;
  GST_DEBUG_OBJECT (self, "describing channel %s", arn ? arn : self->name);
  gst_kvs_control_plane_describe_channel_async (self->cp,
      arn ? NULL : self->name, arn, cancellable, describe_cb, task);
}

gboolean
gst_kvs_channel_resolver_describe_finish (GstKvsChannelResolver * self,
    GAsyncResult * res, gboolean * active, GError ** error)
{
  gssize ret = g_task_propagate_int (G_TASK (res), error);

  *active = ret == TRUE;
  return ret >= 0;
}

/* CREATE */

static void
create_cb (GObject * source, GAsyncResult * res, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GstKvsChannelResolver *self = g_task_get_source_object (task);
  g_autofree gchar *arn = NULL;
  GError *error = NULL;

  arn = gst_kvs_control_plane_create_channel_finish (GST_KVS_CONTROL_PLANE
      (source), res, &error);
  if (!arn) {
    g_task_return_error (task, error);
    return;
  }
  GST_INFO_OBJECT (self, "created channel %s", arn);
  g_task_return_boolean (task, TRUE);
}

void
gst_kvs_channel_resolver_create_async (GstKvsChannelResolver * self,
    guint message_ttl, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;

  GST_KVS_CHECK_OWNER (self->context);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gst_kvs_channel_resolver_create_async);
  GST_INFO_OBJECT (self, "creating channel '%s' (message TTL %u s)",
      self->name, message_ttl);
  gst_kvs_control_plane_create_channel_async (self->cp, self->name,
      message_ttl, cancellable, create_cb, task);
}

gboolean
gst_kvs_channel_resolver_create_finish (GstKvsChannelResolver * self,
    GAsyncResult * res, GError ** error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

/* GET_ENDPOINT */

static void
endpoints_cb (GObject * source, GAsyncResult * res, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GstKvsChannelResolver *self = g_task_get_source_object (task);
  GstKvsEndpoints *endpoints;
  GError *error = NULL;

  endpoints = gst_kvs_control_plane_get_endpoints_finish (GST_KVS_CONTROL_PLANE
      (source), res, &error);
  if (!endpoints) {
    g_task_return_error (task, error);
    return;
  }
  if (!endpoints->wss) {
    gst_kvs_endpoints_free (endpoints);
    g_task_return_new_error (task, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL,
        "GetSignalingChannelEndpoint returned no WSS endpoint");
    return;
  }

  GST_INFO_OBJECT (self, "endpoints: wss %s, https %s", endpoints->wss,
      GST_STR_NULL (endpoints->https));
  g_clear_pointer (&self->endpoints, gst_kvs_endpoints_free);
  self->endpoints = endpoints;
  self->from_disk = FALSE;
  if (self->disk)
    gst_kvs_channel_cache_store (self->disk, self->disk_key, self->arn,
        endpoints);
  if (!endpoints->https && !self->ice_fetched) {
    GST_WARNING_OBJECT (self, "no HTTPS endpoint, continuing without TURN");
    self->ice_fetched = TRUE;
  }
  g_task_return_boolean (task, TRUE);
}

void
gst_kvs_channel_resolver_get_endpoints_async (GstKvsChannelResolver * self,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
{
  GTask *task;

  GST_KVS_CHECK_OWNER (self->context);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gst_kvs_channel_resolver_get_endpoints_async);
  gst_kvs_control_plane_get_endpoints_async (self->cp, self->arn, self->role,
      cancellable, endpoints_cb, task);
}

gboolean
gst_kvs_channel_resolver_get_endpoints_finish (GstKvsChannelResolver * self,
    GAsyncResult * res, GError ** error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

/* GET_ICE_CONFIG, at connect time and in the background */

static gboolean
refresh_timeout (gpointer user_data)
{
  GstKvsChannelResolver *self = user_data;

  g_clear_pointer (&self->refresh_source, g_source_unref);
  gst_kvs_channel_resolver_refresh_ice_config (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_refresh (GstKvsChannelResolver * self, guint ms)
{
  gst_kvs_source_clear (&self->refresh_source);
  if (self->stopped)
    return;
  self->refresh_source = gst_kvs_timeout_add (self->context, ms,
      refresh_timeout, self);
}

static guint
smallest_ttl (GPtrArray * servers)
{
  guint ttl = 0;

  for (guint i = 0; i < servers->len; i++) {
    GstKvsIceServer *s = g_ptr_array_index (servers, i);

    if (s->ttl > 0 && (ttl == 0 || s->ttl < ttl))
      ttl = s->ttl;
  }
  return ttl;
}

/* New servers: the next refresh follows their TTL. */
static void
got_servers (GstKvsChannelResolver * self, GPtrArray * servers)
{
  guint ttl = smallest_ttl (servers);

  GST_INFO_OBJECT (self, "%u ICE server set(s), smallest TTL %u s",
      servers->len, ttl);
  self->ice_fetched = TRUE;
  gst_kvs_source_clear (&self->refresh_source);
  if (ttl > 0)
    schedule_refresh (self,
        (guint) ((guint64) ttl * 1000 * ICE_REFRESH_PERCENT / 100));
}

static void
ice_config_cb (GObject * source, GAsyncResult * res, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GstKvsChannelResolver *self = g_task_get_source_object (task);
  GPtrArray *servers;
  GError *error = NULL;

  servers = gst_kvs_control_plane_get_ice_server_config_finish
      (GST_KVS_CONTROL_PLANE (source), res, &error);
  if (!servers) {
    /* not fatal: connect without TURN, retry in the background */
    self->ice_fetched = TRUE;
    schedule_refresh (self, ICE_REFRESH_RETRY_S * 1000);
    g_task_return_error (task, error);
    return;
  }
  got_servers (self, servers);
  g_task_return_pointer (task, servers, (GDestroyNotify) g_ptr_array_unref);
}

void
gst_kvs_channel_resolver_get_ice_config_async (GstKvsChannelResolver * self,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
{
  GTask *task;

  GST_KVS_CHECK_OWNER (self->context);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gst_kvs_channel_resolver_get_ice_config_async);
  gst_kvs_control_plane_get_ice_server_config_async (self->cp,
      self->endpoints->https, self->arn,
      self->role == GST_KVS_ROLE_VIEWER ? self->client_id : NULL,
      cancellable, ice_config_cb, task);
}

GPtrArray *
gst_kvs_channel_resolver_get_ice_config_finish (GstKvsChannelResolver * self,
    GAsyncResult * res, GError ** error)
{
  return g_task_propagate_pointer (G_TASK (res), error);
}

static void start_refresh (GstKvsChannelResolver * self, gboolean retry);

/* A background call failed (@what): the refresh is tried again later. */
static void
refresh_later (GstKvsChannelResolver * self, const gchar * what,
    const GError * error)
{
  GST_WARNING_OBJECT (self, "%s, retrying GetIceServerConfig in %d s: %s",
      what, ICE_REFRESH_RETRY_S, error->message);
  schedule_refresh (self, ICE_REFRESH_RETRY_S * 1000);
}

/* New credentials for a refresh refused with expired ones. */
static void
refetched_cb (GObject * source, GAsyncResult * res, gpointer user_data)
{
  g_autoptr (GstKvsChannelResolver) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstKvsCredentials) creds =
      gst_kvs_client_credentials_get_finish (self->credentials, res, &error);

  self->refresh_active = FALSE;
  if (self->stopped)
    return;
  if (creds)
    start_refresh (self, TRUE);
  else
    refresh_later (self, "no new credentials", error);
}

static void
refresh_cb (GObject * source, GAsyncResult * res, gpointer user_data)
{
  g_autoptr (GstKvsChannelResolver) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) servers = NULL;

  servers = gst_kvs_control_plane_get_ice_server_config_finish
      (GST_KVS_CONTROL_PLANE (source), res, &error);
  self->refresh_active = FALSE;
  if (self->stopped)
    return;

  if (!servers && !self->refresh_retry &&
      g_error_matches (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE_EXPIRED)) {
    /* as the connect path: new credentials, and at once again, once */
    GST_INFO_OBJECT (self, "background GetIceServerConfig refused, "
        "credentials expired: fetching new ones (%s)", error->message);
    self->refresh_active = TRUE;
    gst_kvs_client_credentials_invalidate (self->credentials);
    gst_kvs_client_credentials_get_async (self->credentials,
        self->cancellable, refetched_cb, g_object_ref (self));
    return;
  }
  if (!servers) {
    refresh_later (self, "background GetIceServerConfig failed", error);
    return;
  }
  got_servers (self, servers);
  g_signal_emit (self, signals[SIGNAL_ICE_SERVERS_REFRESHED], 0, servers,
      self->refresh_started);
}

static void
start_refresh (GstKvsChannelResolver * self, gboolean retry)
{
  if (self->stopped || self->refresh_active || !self->endpoints ||
      !self->endpoints->https || !self->arn)
    return;

  GST_INFO_OBJECT (self, "refreshing the ICE servers%s",
      retry ? " with new credentials" : "");
  gst_kvs_source_clear (&self->refresh_source);
  self->refresh_active = TRUE;
  self->refresh_retry = retry;
  self->refresh_started = g_get_monotonic_time ();
  gst_kvs_control_plane_get_ice_server_config_async (self->cp,
      self->endpoints->https, self->arn,
      self->role == GST_KVS_ROLE_VIEWER ? self->client_id : NULL,
      self->cancellable, refresh_cb, g_object_ref (self));
}

/* Background refresh: never blocks a message or a connect. */
void
gst_kvs_channel_resolver_refresh_ice_config (GstKvsChannelResolver * self)
{
  GST_KVS_CHECK_OWNER (self->context);
  start_refresh (self, FALSE);
}

gboolean
gst_kvs_channel_resolver_is_busy (GstKvsChannelResolver * self)
{
  return self->refresh_active;
}

void
gst_kvs_channel_resolver_stop (GstKvsChannelResolver * self)
{
  self->stopped = TRUE;
  gst_kvs_source_clear (&self->refresh_source);
  g_signal_handlers_disconnect_by_data (self->credentials, self);
}

static void
gst_kvs_channel_resolver_finalize (GObject * object)
{
  GstKvsChannelResolver *self = GST_KVS_CHANNEL_RESOLVER (object);

  gst_kvs_source_clear (&self->refresh_source);
  g_signal_handlers_disconnect_by_data (self->credentials, self);
  g_clear_object (&self->credentials);
  g_clear_object (&self->cp);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->disk);
  g_free (self->disk_key);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->name);
  g_free (self->client_id);
  g_free (self->arn);
  g_clear_pointer (&self->endpoints, gst_kvs_endpoints_free);

  G_OBJECT_CLASS (gst_kvs_channel_resolver_parent_class)->finalize (object);
}

static void
gst_kvs_channel_resolver_init (GstKvsChannelResolver * self)
{
}

static void
gst_kvs_channel_resolver_class_init (GstKvsChannelResolverClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->finalize = gst_kvs_channel_resolver_finalize;

  signals[SIGNAL_ICE_SERVERS_REFRESHED] =
      g_signal_new ("ice-servers-refreshed", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
      G_TYPE_PTR_ARRAY, G_TYPE_INT64);
}
