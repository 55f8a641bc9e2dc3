/* kvssignaling: JoinStorageSession for a master (WebRTC ingestion), off the
 * signaling and streaming threads.
 *
 * One thread and GMainContext of its own: the credentials chain, the
 * SoupSession and the control-plane calls live there, and everything else
 * marshals into it (GST_KVS_CHECK_OWNER). A join is three steps, each
 * asynchronous: credentials, GetSignalingChannelEndpoint with protocol
 * WEBRTC, JoinStorageSession on that endpoint. A newer join cancels the
 * older one.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvsstoragejoiner.h"
#include "gstkvsowner.h"
#include "gstkvsendpoints.h"
#include "gstkvschainprovider.h"
#include "gstkvsproxy.h"

GST_DEBUG_CATEGORY_STATIC (kvs_storage_joiner_debug);
#define GST_CAT_DEFAULT kvs_storage_joiner_debug

/* Each control-plane call's deadline (the client's default). */
#define CALL_TIMEOUT_S 20

typedef struct
{
  GstKvsStorageJoiner *joiner;  /* ref */
  guint id;
  gchar *arn;
  gchar *region;
  guint delay_ms;
} Request;

struct _GstKvsStorageJoiner
{
  GObject parent;

  GstKvsStorageJoinerDone done;
  gpointer user_data;
  GstKvsSettings settings;

  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  gint next_id;                 /* atomic */
  gint stopped;                 /* atomic */

  /* the joiner's thread only */
  GstKvsCredentialsProvider *provider;
  SoupSession *session;
  GstKvsControlPlane *cp;
  gchar *cp_region;
  GCancellable *cancellable;    /* of the join under way */
  GSource *delay;
  guint current;                /* its id */
  gchar *arn;
  gchar *webrtc_endpoint;
};

G_DEFINE_TYPE_WITH_CODE (GstKvsStorageJoiner, gst_kvs_storage_joiner,
    G_TYPE_OBJECT, GST_DEBUG_CATEGORY_INIT (kvs_storage_joiner_debug,
        "kvsstoragejoiner", 0, "KVS signaling: JoinStorageSession"));

static void
request_free (Request * req)
{
  g_object_unref (req->joiner);
  g_free (req->arn);
  g_free (req->region);
  g_free (req);
}

static void
finish (GstKvsStorageJoiner * self, const GError * error)
{
  guint id = self->current;

  GST_KVS_CHECK_OWNER (self->context);
  g_clear_object (&self->cancellable);
  if (g_atomic_int_get (&self->stopped))
    return;
  if (error)
    GST_INFO_OBJECT (self, "join %u failed: %s", id, error->message);
  else
    GST_INFO_OBJECT (self, "join %u accepted", id);
  self->done (self, id, error, self->user_data);
}

/* One asynchronous step of the join under way: stale once a newer join
 * (or a cancel) replaced its cancellable. */
typedef struct
{
  GstKvsStorageJoiner *joiner;  /* ref */
  GCancellable *cancellable;    /* ref */
  GstKvsControlPlane *cp;       /* ref, NULL for the credentials */
  gchar *region;
} Op;

static Op *
op_new (GstKvsStorageJoiner * self, const gchar * region)
{
  Op *op = g_new0 (Op, 1);

  op->joiner = g_object_ref (self);
  op->cancellable = g_object_ref (self->cancellable);
  op->cp = self->cp ? g_object_ref (self->cp) : NULL;
  op->region = g_strdup (region);
  return op;
}

static void
op_free (Op * op)
{
  g_object_unref (op->joiner);
  g_object_unref (op->cancellable);
  g_clear_object (&op->cp);
  g_free (op->region);
  g_free (op);
}

static gboolean
op_is_current (Op * op)
{
  return op->cancellable == op->joiner->cancellable &&
      !g_cancellable_is_cancelled (op->cancellable);
}

static void
on_joined (GObject * source, GAsyncResult * res, gpointer data)
{
  Op *op = data;
  GstKvsStorageJoiner *self = op->joiner;
  g_autoptr (GError) error = NULL;

  gst_kvs_control_plane_join_storage_session_finish (op->cp, res, &error);
  if (op_is_current (op)) {
    if (error && (error->code == GST_KVS_ERROR_RESOURCE_NOT_FOUND ||
            error->code == GST_KVS_ERROR_CONNECTION))
      g_clear_pointer (&self->webrtc_endpoint, g_free); /* ask again */
    finish (self, error);
  }
  op_free (op);
}

static void
send_join (GstKvsStorageJoiner * self, const gchar * region)
{
  GST_DEBUG_OBJECT (self, "JoinStorageSession on %s", self->webrtc_endpoint);
  gst_kvs_control_plane_join_storage_session_async (self->cp,
      self->webrtc_endpoint, self->arn, self->cancellable, on_joined,
      op_new (self, region));
}

static void
on_endpoint (GObject * source, GAsyncResult * res, gpointer data)
{
  Op *op = data;
  GstKvsStorageJoiner *self = op->joiner;
  g_autoptr (GError) error = NULL;
  gchar *url;

  url = gst_kvs_control_plane_get_webrtc_endpoint_finish (op->cp, res, &error);
  if (!op_is_current (op)) {
    g_free (url);
  } else if (url == NULL) {
    finish (self, error);
  } else {
    g_free (self->webrtc_endpoint);
    self->webrtc_endpoint = url;
    send_join (self, op->region);
  }
  op_free (op);
}

static gboolean
make_control_plane (GstKvsStorageJoiner * self, const gchar * region,
    GstKvsCredentials * creds, GError ** error)
{
  const GstKvsSettings *s = &self->settings;
  g_autofree gchar *endpoint = NULL;

  if (self->cp && g_strcmp0 (self->cp_region, region) == 0) {
    gst_kvs_control_plane_set_credentials (self->cp, creds);
    return TRUE;
  }
  g_clear_object (&self->cp);
  g_clear_pointer (&self->webrtc_endpoint, g_free);
  if (self->session == NULL) {
    /* proxies as the signaling client takes them: never GIO's default
     * resolver (libproxy), not safe across threads */
    g_autoptr (GProxyResolver) proxy_resolver =
        gst_kvs_proxy_resolver_from_env ();

    self->session = soup_session_new_with_options ("timeout", 0,
        "idle-timeout", 60, "user-agent", "gst-kvssignaling",
        "proxy-resolver", proxy_resolver, NULL);
    if (s->ca_file && *s->ca_file) {
      g_autoptr (GError) tls_error = NULL;
      g_autoptr (GTlsDatabase) db = g_tls_file_database_new (s->ca_file,
          &tls_error);

      if (db == NULL) {
        g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CONNECTION,
            "cannot load ca-file '%s': %s", s->ca_file, tls_error->message);
        g_clear_object (&self->session);
        return FALSE;
      }
      soup_session_set_tls_database (self->session, db);
    }
  }
  endpoint = gst_kvs_endpoint_resolve (GST_KVS_AWS_SERVICE_KINESIS_VIDEO,
      s->endpoint && *s->endpoint ? s->endpoint : NULL, region, s->profile,
      NULL);
  self->cp = gst_kvs_control_plane_new (self->session, endpoint, region, creds);
  gst_kvs_control_plane_set_timeout (self->cp, CALL_TIMEOUT_S);
  g_free (self->cp_region);
  self->cp_region = g_strdup (region);
  return TRUE;
}

static void
on_credentials (GObject * source, GAsyncResult * res, gpointer data)
{
  Op *op = data;
  GstKvsStorageJoiner *self = op->joiner;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstKvsCredentials) creds = NULL;

  creds = gst_kvs_credentials_provider_get_finish (self->provider, res, &error);
  if (!op_is_current (op)) {
    /* stale: a newer join runs */
  } else if (creds == NULL) {
    finish (self, error);
  } else if (!make_control_plane (self, op->region, creds, &error)) {
    finish (self, error);
  } else if (self->webrtc_endpoint) {
    send_join (self, op->region);
  } else {
    gst_kvs_control_plane_get_webrtc_endpoint_async (self->cp, self->arn,
        GST_KVS_ROLE_MASTER, self->cancellable, on_endpoint,
        op_new (self, op->region));
  }
  op_free (op);
}

static void
start_join (GstKvsStorageJoiner * self, const gchar * region)
{
  const GstKvsSettings *c = &self->settings;

  GST_KVS_CHECK_OWNER (self->context);
  if (self->provider == NULL) {
    GstKvsIotSettings iot = {
      c->iot_endpoint, c->iot_certificate, c->iot_private_key,
      c->iot_role_alias, c->iot_thing_name, c->ca_file
    };

    self->provider = gst_kvs_credentials_provider_new_default (c->access_key,
        c->secret_key, c->session_token, c->profile, &iot);
  }
  gst_kvs_credentials_provider_get_async (self->provider, self->cancellable,
      on_credentials, op_new (self, region));
}

typedef struct
{
  GstKvsStorageJoiner *joiner;
  gchar *region;
} Delayed;

static gboolean
on_delay (gpointer data)
{
  Delayed *d = data;

  g_clear_pointer (&d->joiner->delay, g_source_unref);
  start_join (d->joiner, d->region);
  return G_SOURCE_REMOVE;
}

static void
delayed_free (Delayed * d)
{
  g_free (d->region);
  g_free (d);
}

static void
drop_current (GstKvsStorageJoiner * self)
{
  if (self->delay) {
    g_source_destroy (self->delay);
    g_clear_pointer (&self->delay, g_source_unref);
  }
  if (self->cancellable) {
    g_cancellable_cancel (self->cancellable);
    g_clear_object (&self->cancellable);
  }
}

/* The joiner's thread: a new join replaces the one under way. */
static gboolean
do_request (gpointer data)
{
  Request *req = data;
  GstKvsStorageJoiner *self = req->joiner;
  Delayed *d;

  GST_KVS_CHECK_OWNER_VAL (self->context, G_SOURCE_REMOVE);
  drop_current (self);
  if (req->arn == NULL || g_atomic_int_get (&self->stopped))
    return G_SOURCE_REMOVE;     /* a cancel, or stopping */
  if (g_strcmp0 (self->arn, req->arn) != 0) {
    g_free (self->arn);
    self->arn = g_strdup (req->arn);
    g_clear_pointer (&self->webrtc_endpoint, g_free);
  }
  self->current = req->id;
  self->cancellable = g_cancellable_new ();
  GST_DEBUG_OBJECT (self, "join %u in %u ms", req->id, req->delay_ms);
  d = g_new0 (Delayed, 1);
  d->joiner = self;
  d->region = g_strdup (req->region);
  self->delay = g_timeout_source_new (req->delay_ms);
  g_source_set_callback (self->delay, on_delay, d,
      (GDestroyNotify) delayed_free);
  g_source_attach (self->delay, self->context);
  return G_SOURCE_REMOVE;
}

static void
post_request (GstKvsStorageJoiner * self, Request * req)
{
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, do_request,
      req, (GDestroyNotify) request_free);
}

guint
gst_kvs_storage_joiner_join (GstKvsStorageJoiner * self, const gchar * arn,
    const gchar * region, guint delay_ms)
{
  Request *req;
  guint id;

  g_return_val_if_fail (GST_IS_KVS_STORAGE_JOINER (self), 0);
  g_return_val_if_fail (arn != NULL, 0);

  id = (guint) g_atomic_int_add (&self->next_id, 1) + 1;
  req = g_new0 (Request, 1);
  req->joiner = g_object_ref (self);
  req->id = id;
  req->arn = g_strdup (arn);
  req->region = g_strdup (region);
  req->delay_ms = delay_ms;
  /* gone once posted: the joiner's thread frees it */
  if (!g_atomic_int_get (&self->stopped))
    post_request (self, req);
  else
    request_free (req);
  return id;
}

void
gst_kvs_storage_joiner_cancel (GstKvsStorageJoiner * self)
{
  Request *req;

  g_return_if_fail (GST_IS_KVS_STORAGE_JOINER (self));
  if (g_atomic_int_get (&self->stopped))
    return;
  req = g_new0 (Request, 1);
  req->joiner = g_object_ref (self);
  post_request (self, req);
}

static gboolean
do_quit (gpointer data)
{
  GstKvsStorageJoiner *self = data;

  drop_current (self);
  if (self->provider)
    gst_kvs_credentials_provider_stop (self->provider);
  g_main_loop_quit (self->loop);
  return G_SOURCE_REMOVE;
}

static gpointer
joiner_thread (gpointer data)
{
  GstKvsStorageJoiner *self = data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);
  /* the cancelled calls call back before anything they use goes */
  while (g_main_context_pending (self->context))
    g_main_context_iteration (self->context, FALSE);
  g_clear_object (&self->cp);
  g_clear_object (&self->provider);
  if (self->session)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  while (g_main_context_pending (self->context))
    g_main_context_iteration (self->context, FALSE);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

void
gst_kvs_storage_joiner_stop (GstKvsStorageJoiner * self)
{
  g_return_if_fail (GST_IS_KVS_STORAGE_JOINER (self));

  if (!g_atomic_int_compare_and_exchange (&self->stopped, 0, 1))
    return;
  g_return_if_fail (g_thread_self () != self->thread);
  g_main_context_invoke (self->context, do_quit, self);
  g_thread_join (self->thread);
  self->thread = NULL;
}

GstKvsStorageJoiner *
gst_kvs_storage_joiner_new (const GstKvsSettings * settings,
    GstKvsStorageJoinerDone done, gpointer user_data)
{
  GstKvsStorageJoiner *self = g_object_new (GST_TYPE_KVS_STORAGE_JOINER,
      NULL);

  gst_kvs_settings_copy_into (&self->settings, settings);
  self->done = done;
  self->user_data = user_data;
  self->thread = g_thread_new ("kvsstoragejoin", joiner_thread, self);
  return self;
}

static void
gst_kvs_storage_joiner_finalize (GObject * object)
{
  GstKvsStorageJoiner *self = GST_KVS_STORAGE_JOINER (object);

  /* the thread holds no reference: stop() must have joined it */
  g_warn_if_fail (self->thread == NULL);
  GST_DEBUG_OBJECT (self, "finalized");
  gst_kvs_settings_clear (&self->settings);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_free (self->cp_region);
  g_free (self->arn);
  g_free (self->webrtc_endpoint);
  G_OBJECT_CLASS (gst_kvs_storage_joiner_parent_class)->finalize (object);
}

static void
gst_kvs_storage_joiner_class_init (GstKvsStorageJoinerClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_kvs_storage_joiner_finalize;
}

static void
gst_kvs_storage_joiner_init (GstKvsStorageJoiner * self)
{
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
}
