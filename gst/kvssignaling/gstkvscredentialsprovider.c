/* kvssignaling: the credentials provider base class (asynchronous, cached,
 * refreshed ahead of expiry).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gst/gst.h>

#include "gstkvscredentialsprovider.h"

GST_DEBUG_CATEGORY_STATIC (gst_kvs_credentials_provider_debug);
#define GST_CAT_DEFAULT gst_kvs_credentials_provider_debug

#define ADVISORY_US (15 * 60 * G_USEC_PER_SEC)
#define MANDATORY_US (10 * 60 * G_USEC_PER_SEC)
#define BACKOFF_MIN_US (1 * G_USEC_PER_SEC)
#define BACKOFF_MAX_US (60 * G_USEC_PER_SEC)
#define RETRY_FLOOR_US (100 * 1000)

typedef struct
{
  gchar *name;
  gboolean auto_refresh;
  GMainContext *context;        /* thread-default when constructed */

  GstKvsCredentials *creds;     /* cached, NULL when none */
  gint64 expires_us;            /* 0 = never */
  gint64 advisory_us, mandatory_us;     /* margins for the cached ones */

  gboolean in_flight;
  guint generation;             /* of the fetch in flight; stop() bumps it */
  GQueue waiters;               /* GTask of get_async, waiting for the fetch */
  GCancellable *cancel;         /* the fetch in flight; cancelled at dispose */
  GSource *timer;               /* refresh or retry */
  gint64 backoff_us;
} GstKvsCredentialsProviderPrivate;

enum
{
  PROP_0,
  PROP_NAME,
  PROP_AUTO_REFRESH,
};

enum
{
  SIGNAL_CREDENTIALS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_ABSTRACT_TYPE_WITH_CODE (GstKvsCredentialsProvider,
    gst_kvs_credentials_provider, G_TYPE_OBJECT,
    G_ADD_PRIVATE (GstKvsCredentialsProvider);
    GST_DEBUG_CATEGORY_INIT (gst_kvs_credentials_provider_debug,
        "kvscredentialsprovider", 0,
        "KVS credentials providers: cache, refresh"));

#define PRIV(self) ((GstKvsCredentialsProviderPrivate *) \
    gst_kvs_credentials_provider_get_instance_private (self))

void
gst_kvs_credentials_refresh_margins (gint64 lifetime_us, gint64 * advisory_us,
    gint64 * mandatory_us)
{
  if (lifetime_us < 0)
    lifetime_us = 0;
  *advisory_us = MIN (ADVISORY_US, lifetime_us / 4);
  *mandatory_us = MIN (MANDATORY_US, lifetime_us / 6);
}

static gchar *
format_expiry (gint64 expiration)
{
  g_autoptr (GDateTime) dt = NULL;

  if (expiration == 0)
    return g_strdup ("never");
  dt = g_date_time_new_from_unix_utc (expiration);
  return dt ? g_date_time_format_iso8601 (dt) : g_strdup ("?");
}

static void
gst_kvs_credentials_provider_init (GstKvsCredentialsProvider * self)
{
  GstKvsCredentialsProviderPrivate *priv = PRIV (self);

  priv->auto_refresh = TRUE;
  priv->context = g_main_context_ref_thread_default ();
  priv->cancel = g_cancellable_new ();
  g_queue_init (&priv->waiters);
}

static void
clear_timer (GstKvsCredentialsProviderPrivate * priv)
{
  if (priv->timer) {
    g_source_destroy (priv->timer);
    g_clear_pointer (&priv->timer, g_source_unref);
  }
}

static void
gst_kvs_credentials_provider_dispose (GObject * object)
{
  GstKvsCredentialsProviderPrivate *priv =
      PRIV (GST_KVS_CREDENTIALS_PROVIDER (object));

  clear_timer (priv);
  g_cancellable_cancel (priv->cancel);
  G_OBJECT_CLASS (gst_kvs_credentials_provider_parent_class)->dispose (object);
}

static void
gst_kvs_credentials_provider_finalize (GObject * object)
{
  GstKvsCredentialsProviderPrivate *priv =
      PRIV (GST_KVS_CREDENTIALS_PROVIDER (object));

  g_clear_pointer (&priv->creds, gst_kvs_credentials_unref);
  g_clear_object (&priv->cancel);
  g_clear_pointer (&priv->context, g_main_context_unref);
  g_free (priv->name);
  G_OBJECT_CLASS (gst_kvs_credentials_provider_parent_class)->finalize (object);
}

static void
gst_kvs_credentials_provider_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstKvsCredentialsProviderPrivate *priv =
      PRIV (GST_KVS_CREDENTIALS_PROVIDER (object));

  switch (prop_id) {
    case PROP_NAME:
      g_free (priv->name);
      priv->name = g_value_dup_string (value);
      break;
    case PROP_AUTO_REFRESH:
      priv->auto_refresh = g_value_get_boolean (value);
      if (!priv->auto_refresh)
        clear_timer (priv);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
gst_kvs_credentials_provider_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstKvsCredentialsProvider *self = GST_KVS_CREDENTIALS_PROVIDER (object);
  GstKvsCredentialsProviderPrivate *priv = PRIV (self);

  switch (prop_id) {
    case PROP_NAME:
      g_value_set_string (value, gst_kvs_credentials_provider_get_name (self));
      break;
    case PROP_AUTO_REFRESH:
      g_value_set_boolean (value, priv->auto_refresh);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
gst_kvs_credentials_provider_class_init (GstKvsCredentialsProviderClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->dispose = gst_kvs_credentials_provider_dispose;
  gobject_class->finalize = gst_kvs_credentials_provider_finalize;
  gobject_class->set_property = gst_kvs_credentials_provider_set_property;
  gobject_class->get_property = gst_kvs_credentials_provider_get_property;

  g_object_class_install_property (gobject_class, PROP_NAME,
      g_param_spec_string ("name", "Name",
          "What the provider is, safe to log (\"environment\", \"web "
          "identity\", ...)", NULL,
          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_AUTO_REFRESH,
      g_param_spec_boolean ("auto-refresh", "Auto refresh",
          "Renew expiring credentials ahead of expiry on a timer in the "
          "main context the provider was made in, without waiting for a "
          "caller", TRUE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstKvsCredentialsProvider::credentials-changed:
   * @provider: the provider
   * @credentials: the new credentials
   *
   * New credentials replaced the cached ones (or are the first).
   */
  signals[SIGNAL_CREDENTIALS_CHANGED] =
      g_signal_new ("credentials-changed", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
      GST_KVS_TYPE_CREDENTIALS);
}

const gchar *
gst_kvs_credentials_provider_get_name (GstKvsCredentialsProvider * self)
{
  GstKvsCredentialsProviderPrivate *priv;

  g_return_val_if_fail (GST_KVS_IS_CREDENTIALS_PROVIDER (self), NULL);
  priv = PRIV (self);
  return priv->name ? priv->name : G_OBJECT_TYPE_NAME (self);
}

/* ---- one uncached fetch ---- */

void
gst_kvs_credentials_provider_fetch_async (GstKvsCredentialsProvider * self,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
{
  GstKvsCredentialsProviderClass *klass;
  GTask *task;

  g_return_if_fail (GST_KVS_IS_CREDENTIALS_PROVIDER (self));
  klass = GST_KVS_CREDENTIALS_PROVIDER_GET_CLASS (self);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gst_kvs_credentials_provider_fetch_async);
  g_task_set_name (task, gst_kvs_credentials_provider_get_name (self));
  if (klass->fetch == NULL) {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_NO_CREDENTIALS, "%s: not implemented",
        gst_kvs_credentials_provider_get_name (self));
    g_object_unref (task);
    return;
  }
  klass->fetch (self, task);
}

GstKvsCredentials *
gst_kvs_credentials_provider_fetch_finish (GstKvsCredentialsProvider * self,
    GAsyncResult * result, GError ** error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- the cache ---- */

static gboolean
creds_equal (const GstKvsCredentials * a, const GstKvsCredentials * b)
{
  return a && b && g_strcmp0 (a->access_key_id, b->access_key_id) == 0
      && g_strcmp0 (a->secret_access_key, b->secret_access_key) == 0
      && g_strcmp0 (a->session_token, b->session_token) == 0
      && a->expiration == b->expiration;
}

static void start_refresh (GstKvsCredentialsProvider * self);

static gboolean
on_timer (gpointer data)
{
  GstKvsCredentialsProvider *self = data;
  GstKvsCredentialsProviderPrivate *priv = PRIV (self);

  g_clear_pointer (&priv->timer, g_source_unref);
  GST_DEBUG_OBJECT (self, "%s: refreshing ahead of expiry",
      gst_kvs_credentials_provider_get_name (self));
  g_main_context_push_thread_default (priv->context);
  start_refresh (self);
  g_main_context_pop_thread_default (priv->context);
  return G_SOURCE_REMOVE;
}

static void
schedule_timer (GstKvsCredentialsProvider * self, gint64 at_us)
{
  GstKvsCredentialsProviderPrivate *priv = PRIV (self);
  gint64 delay_us = at_us - g_get_real_time ();

  clear_timer (priv);
  if (!priv->auto_refresh)
    return;
  if (delay_us < 0)
    delay_us = 0;
  priv->timer = g_timeout_source_new ((guint) MIN (delay_us / 1000,
          (gint64) G_MAXUINT));
  g_source_set_callback (priv->timer, on_timer, self, NULL);
  g_source_set_name (priv->timer, "kvs credentials refresh");
  g_source_attach (priv->timer, priv->context);
}

static void
complete_waiters (GstKvsCredentialsProvider * self,
    GstKvsCredentials * creds, const GError * error)
{
  GstKvsCredentialsProviderPrivate *priv = PRIV (self);
  GTask *task;

  /* a task in the queue was not returned yet (on_waiter_cancelled takes it
   * out first); its cancellable may be cancelled while its cancel source
   * did not run yet: that source goes now, it must not see a freed task */
  while ((task = g_queue_pop_head (&priv->waiters))) {
    GSource *cancel_source = g_object_get_data (G_OBJECT (task),
        "kvs-cancel-source");

    if (cancel_source)
      g_source_destroy (cancel_source);
    if (g_task_return_error_if_cancelled (task)) {
      /* told: cancelled */
    } else if (creds) {
      g_task_return_pointer (task, gst_kvs_credentials_ref (creds),
          (GDestroyNotify) gst_kvs_credentials_unref);
    } else {
      g_task_return_error (task, g_error_copy (error));
    }
    g_object_unref (task);
  }
}

static void
on_fetched (GObject * source, GAsyncResult * result, gpointer user_data)
{
  GstKvsCredentialsProvider *self = GST_KVS_CREDENTIALS_PROVIDER (source);
  GstKvsCredentialsProviderPrivate *priv = PRIV (self);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstKvsCredentials) creds = NULL;
  gint64 now = g_get_real_time ();
  const gchar *name = gst_kvs_credentials_provider_get_name (self);

  creds = gst_kvs_credentials_provider_fetch_finish (self, result, &error);
  /* a fetch stop() cancelled: the provider has moved on */
  if (GPOINTER_TO_UINT (user_data) != priv->generation)
    return;
  priv->in_flight = FALSE;

  /* Already expired on arrival (a stale cache at the source, a wrong
   * clock): a failure, retried with backoff, never a refresh loop. */
  if (creds && creds->expiration > 0
      && creds->expiration * G_USEC_PER_SEC <= now) {
    g_autofree gchar *expiry = format_expiry (creds->expiration);

    error = g_error_new (GST_KVS_ERROR, GST_KVS_ERROR_CREDENTIALS_SOURCE,
        "%s: the credentials from %s expired already (at %s; is the clock "
        "right?)", name, creds->source, expiry);
    g_clear_pointer (&creds, gst_kvs_credentials_unref);
  }

  if (creds) {
    gboolean changed = !creds_equal (priv->creds, creds);
    g_autofree gchar *expiry = format_expiry (creds->expiration);

    GST_INFO_OBJECT (self, "%s: credentials from %s, key id %s, expire %s",
        name, creds->source, creds->access_key_id, expiry);
    g_clear_pointer (&priv->creds, gst_kvs_credentials_unref);
    priv->creds = gst_kvs_credentials_ref (creds);
    priv->backoff_us = 0;
    if (creds->expiration > 0) {
      priv->expires_us = creds->expiration * G_USEC_PER_SEC;
      gst_kvs_credentials_refresh_margins (priv->expires_us - now,
          &priv->advisory_us, &priv->mandatory_us);
      schedule_timer (self, priv->expires_us - priv->advisory_us);
    } else {
      priv->expires_us = 0;
      priv->advisory_us = priv->mandatory_us = 0;
      clear_timer (priv);
    }
    complete_waiters (self, creds, NULL);
    if (changed)
      g_signal_emit (self, signals[SIGNAL_CREDENTIALS_CHANGED], 0, creds);
    return;
  }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    complete_waiters (self, NULL, error);
    return;
  }

  if (priv->creds && (priv->expires_us == 0 || now < priv->expires_us)) {
    gint64 delay;

    priv->backoff_us = priv->backoff_us ? MIN (priv->backoff_us * 2,
        BACKOFF_MAX_US) : BACKOFF_MIN_US;
    delay = priv->backoff_us;
    if (priv->expires_us)
      delay = MIN (delay, MAX ((priv->expires_us - now) / 2, RETRY_FLOOR_US));
    GST_WARNING_OBJECT (self, "%s: refresh failed, keeping the credentials "
        "of %s while they are valid, retry in %" G_GINT64_FORMAT " ms: %s",
        name, priv->creds->source, delay / 1000, error->message);
    schedule_timer (self, now + delay);
    complete_waiters (self, priv->creds, NULL);
    return;
  }

  GST_WARNING_OBJECT (self, "%s: %s", name, error->message);
  g_clear_pointer (&priv->creds, gst_kvs_credentials_unref);
  complete_waiters (self, NULL, error);
}

static void
start_refresh (GstKvsCredentialsProvider * self)
{
  GstKvsCredentialsProviderPrivate *priv = PRIV (self);

  if (priv->in_flight)
    return;
  priv->in_flight = TRUE;
  clear_timer (priv);
  gst_kvs_credentials_provider_fetch_async (self, priv->cancel, on_fetched,
      GUINT_TO_POINTER (priv->generation));
}

static gboolean
on_waiter_cancelled (GCancellable * cancellable, gpointer data)
{
  GTask *task = data;
  GstKvsCredentialsProvider *self = g_task_get_source_object (task);
  GstKvsCredentialsProviderPrivate *priv = PRIV (self);

  if (g_queue_remove (&priv->waiters, task)) {
    g_task_return_error_if_cancelled (task);
    g_object_unref (task);
  }
  return G_SOURCE_REMOVE;
}

void
gst_kvs_credentials_provider_get_async (GstKvsCredentialsProvider * self,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
{
  GstKvsCredentialsProviderPrivate *priv;
  GTask *task;
  gint64 now = g_get_real_time ();

  g_return_if_fail (GST_KVS_IS_CREDENTIALS_PROVIDER (self));
  priv = PRIV (self);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gst_kvs_credentials_provider_get_async);

  if (priv->creds && (priv->expires_us == 0
          || now < priv->expires_us - priv->mandatory_us)) {
    if (priv->expires_us && now >= priv->expires_us - priv->advisory_us)
      start_refresh (self);
    g_task_return_pointer (task, gst_kvs_credentials_ref (priv->creds),
        (GDestroyNotify) gst_kvs_credentials_unref);
    g_object_unref (task);
    return;
  }

  if (cancellable) {
    GSource *src = g_cancellable_source_new (cancellable);

    g_source_set_callback (src, G_SOURCE_FUNC (on_waiter_cancelled), task,
        NULL);
    g_source_attach (src, g_task_get_context (task));
    g_object_set_data_full (G_OBJECT (task), "kvs-cancel-source", src,
        (GDestroyNotify) g_source_unref);
  }
  g_queue_push_tail (&priv->waiters, task);
  start_refresh (self);
}

GstKvsCredentials *
gst_kvs_credentials_provider_get_finish (GstKvsCredentialsProvider * self,
    GAsyncResult * result, GError ** error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

GstKvsCredentials *
gst_kvs_credentials_provider_get_cached (GstKvsCredentialsProvider * self)
{
  GstKvsCredentialsProviderPrivate *priv;

  g_return_val_if_fail (GST_KVS_IS_CREDENTIALS_PROVIDER (self), NULL);
  priv = PRIV (self);
  if (priv->creds && (priv->expires_us == 0
          || g_get_real_time () < priv->expires_us))
    return gst_kvs_credentials_ref (priv->creds);
  return NULL;
}

void
gst_kvs_credentials_provider_invalidate (GstKvsCredentialsProvider * self)
{
  GstKvsCredentialsProviderPrivate *priv;

  g_return_if_fail (GST_KVS_IS_CREDENTIALS_PROVIDER (self));
  priv = PRIV (self);
  g_clear_pointer (&priv->creds, gst_kvs_credentials_unref);
  priv->expires_us = 0;
  clear_timer (priv);
}

void
gst_kvs_credentials_provider_stop (GstKvsCredentialsProvider * self)
{
  GstKvsCredentialsProviderPrivate *priv;

  g_return_if_fail (GST_KVS_IS_CREDENTIALS_PROVIDER (self));
  priv = PRIV (self);
  clear_timer (priv);
  g_cancellable_cancel (priv->cancel);
  g_object_unref (priv->cancel);
  priv->cancel = g_cancellable_new ();
  /* its callback may never come (the context it runs in may be gone):
   * its waiters are told now */
  priv->generation++;
  priv->in_flight = FALSE;
  if (!g_queue_is_empty (&priv->waiters)) {
    g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR,
        G_IO_ERROR_CANCELLED, "the credentials provider was stopped");

    complete_waiters (self, NULL, error);
  }
}

void
gst_kvs_credentials_provider_resume (GstKvsCredentialsProvider * self)
{
  GstKvsCredentialsProviderPrivate *priv;

  g_return_if_fail (GST_KVS_IS_CREDENTIALS_PROVIDER (self));
  priv = PRIV (self);
  clear_timer (priv);
  g_main_context_unref (priv->context);
  priv->context = g_main_context_ref_thread_default ();
  if (priv->creds && priv->expires_us)
    schedule_timer (self, priv->expires_us - priv->advisory_us);
}
