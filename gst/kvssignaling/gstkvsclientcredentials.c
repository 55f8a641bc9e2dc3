/* kvssignaling: the signaling client's credentials.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * GstKvsClientCredentials: what signs the client's calls. It owns the
 * credential chain (gstkvschainprovider.c) for the client's whole life, so
 * that the chain's cache (and its refresh ahead of expiry) survives
 * reconnects and a stop() followed by start(): credentials still valid are
 * not fetched again. Each run attaches it to the run's thread at its start
 * and detaches it at its shutdown; in between, everything runs in that
 * thread (GST_KVS_CHECK_OWNER). The credential settings come from any
 * thread (configure()); the chain is made again from them before the next
 * fetch. The credentials in use go to the channel
 * resolver ("changed"), to the presigned WebSocket URLs (dup()) and to the
 * statistics (their source and expiry, never a secret).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstkvsclientcredentials.h"
#include "gstkvschainprovider.h"
#include "gstkvserror.h"
#include "gstkvsowner.h"

GST_DEBUG_CATEGORY_STATIC (kvs_client_credentials_debug);
#define GST_CAT_DEFAULT kvs_client_credentials_debug

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _GstKvsClientCredentials
{
  GObject parent;

  GMutex lock;
  GstKvsSettings config;        /* (lock) what the chain is made of */
  gboolean changed;             /* (lock) since the chain was made */

  GstKvsClientStatus *status;   /* the client's */
  gpointer log_object;          /* the client, not a reference */
  GMainContext *context;        /* the current run's; NULL between runs */

  /* the chain: made at the first attach (again when the settings
   * changed), kept across runs */
  GstKvsCredentialsProvider *provider;
  /* the credentials signing now */
  GstKvsCredentials *creds;
  /* an expired-token refusal was answered by a refetch and an immediate
   * retry; cleared when a connection comes up */
  gboolean expired_retry;
};

G_DEFINE_TYPE_WITH_CODE (GstKvsClientCredentials, gst_kvs_client_credentials,
    G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (kvs_client_credentials_debug,
        "kvsclientcredentials", 0, "KVS signaling client credentials"));

GstKvsClientCredentials *
gst_kvs_client_credentials_new (GstKvsClientStatus * status,
    gpointer log_object)
{
  GstKvsClientCredentials *self =
      g_object_new (GST_KVS_TYPE_CLIENT_CREDENTIALS, NULL);

  self->status = status;
  self->log_object = log_object;
  return self;
}

/* @creds sign from now on: the REST calls at once, the next presign; the
 * open WebSocket is left alone. */
static void
use (GstKvsClientCredentials * self, GstKvsCredentials * creds)
{
  g_autofree gchar *expiry = NULL;

  if (self->creds != creds) {
    if (creds->expiration) {
      g_autoptr (GDateTime) t =
          g_date_time_new_from_unix_utc (creds->expiration);

      expiry = t ? g_date_time_format_iso8601 (t) : NULL;
    }
    GST_INFO_OBJECT (self->log_object, "credentials from %s, %s%s",
        GST_STR_NULL (creds->source), expiry ? "expiring " : "not expiring",
        expiry ? expiry : "");
    g_clear_pointer (&self->creds, gst_kvs_credentials_unref);
    self->creds = gst_kvs_credentials_ref (creds);
    gst_kvs_client_status_set_credentials (self->status, creds->source,
        creds->expiration);
  }
  /* also the same ones: a new run's resolver has none yet */
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, creds);
}

/* The chain renewed the credentials ahead of expiry. */
static void
on_credentials_changed (GstKvsCredentialsProvider * provider,
    GstKvsCredentials * creds, gpointer user_data)
{
  GstKvsClientCredentials *self = user_data;

  if (self->context)
    use (self, creds);
}

static void
drop_provider (GstKvsClientCredentials * self)
{
  if (!self->provider)
    return;
  gst_kvs_credentials_provider_stop (self->provider);
  g_signal_handlers_disconnect_by_data (self->provider, self);
  g_clear_object (&self->provider);
}

void
gst_kvs_client_credentials_configure (GstKvsClientCredentials * self,
    const GstKvsSettings * config)
{
  g_mutex_lock (&self->lock);
  gst_kvs_settings_clear (&self->config);
  gst_kvs_settings_copy_into (&self->config, config);
  self->changed = TRUE;
  g_mutex_unlock (&self->lock);
}

/* (Re)makes the chain when the settings changed (or none was made yet);
 * TRUE when it did. In the run's thread: the chain's refresh timer goes to
 * its context. */
static gboolean
update_provider (GstKvsClientCredentials * self)
{
  GstKvsSettings c;
  gboolean changed;

  g_mutex_lock (&self->lock);
  changed = self->changed || !self->provider;
  self->changed = FALSE;
  if (changed)
    gst_kvs_settings_copy_into (&c, &self->config);
  g_mutex_unlock (&self->lock);
  if (!changed)
    return FALSE;

  drop_provider (self);
  {
    GstKvsIotSettings iot = {
      c.iot_endpoint, c.iot_certificate, c.iot_private_key,
      c.iot_role_alias, c.iot_thing_name, c.ca_file
    };

    self->provider = gst_kvs_credentials_provider_new_default (c.access_key,
        c.secret_key, c.session_token, c.profile, &iot);
  }
  gst_kvs_settings_clear (&c);
  g_signal_connect (self->provider, "credentials-changed",
      G_CALLBACK (on_credentials_changed), self);
  return TRUE;
}

/* The run's start: the chain resumes in its thread. */
static void
attach_to (GstKvsClientCredentials * self, GMainContext * context)
{
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref (context);
  GST_KVS_CHECK_OWNER (self->context);

  self->expired_retry = FALSE;
  if (!update_provider (self)) {
    GST_DEBUG_OBJECT (self->log_object, "keeping the credential chain and "
        "its cache");
    gst_kvs_credentials_provider_resume (self->provider);
  }
}

void
gst_kvs_client_credentials_attach (GstKvsClientCredentials * self,
    GMainContext * context)
{
  if (context) {
    attach_to (self, context);
    return;
  }
  /* the run's shutdown (again when the run is freed: nothing to do) */
  if (!self->context)
    return;
  GST_KVS_CHECK_OWNER (self->context);
  if (self->provider)
    gst_kvs_credentials_provider_stop (self->provider);
  g_clear_pointer (&self->context, g_main_context_unref);
}

/* The provider's task comes back to the caller, which finishes it here. */
void
gst_kvs_client_credentials_get_async (GstKvsClientCredentials * self,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
{
  GST_KVS_CHECK_OWNER (self->context);
  if (update_provider (self))
    GST_INFO_OBJECT (self->log_object, "credential settings changed: new "
        "chain");
  gst_kvs_credentials_provider_get_async (self->provider, cancellable,
      callback, user_data);
}

GstKvsCredentials *
gst_kvs_client_credentials_get_finish (GstKvsClientCredentials * self,
    GAsyncResult * res, GError ** error)
{
  /* not the provider's finish: a new chain may have replaced it since */
  GstKvsCredentials *creds = g_task_propagate_pointer (G_TASK (res), error);

  /* detached, the run is over: nothing to sign */
  if (creds && self->context)
    use (self, creds);
  return creds;
}

GstKvsCredentials *
gst_kvs_client_credentials_dup (GstKvsClientCredentials * self)
{
  GstKvsCredentials *creds;

  GST_KVS_CHECK_OWNER_VAL (self->context, NULL);
  creds = gst_kvs_credentials_provider_get_cached (self->provider);
  if (creds == NULL && self->creds)
    creds = gst_kvs_credentials_ref (self->creds);
  return creds;
}

void
gst_kvs_client_credentials_invalidate (GstKvsClientCredentials * self)
{
  GST_KVS_CHECK_OWNER (self->context);
  gst_kvs_credentials_provider_invalidate (self->provider);
}

gboolean
gst_kvs_client_credentials_expired (GstKvsClientCredentials * self,
    const GError * error)
{
  GST_KVS_CHECK_OWNER_VAL (self->context, FALSE);
  if (!g_error_matches (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE_EXPIRED)
      || self->expired_retry)
    return FALSE;
  self->expired_retry = TRUE;
  GST_INFO_OBJECT (self->log_object, "credentials from %s expired (%s): "
      "fetching new ones", self->creds ? GST_STR_NULL (self->creds->source) :
      "?", error->message);
  gst_kvs_credentials_provider_invalidate (self->provider);
  return TRUE;
}

void
gst_kvs_client_credentials_connected (GstKvsClientCredentials * self)
{
  GST_KVS_CHECK_OWNER (self->context);
  self->expired_retry = FALSE;
}

static void
gst_kvs_client_credentials_finalize (GObject * object)
{
  GstKvsClientCredentials *self = GST_KVS_CLIENT_CREDENTIALS (object);

  drop_provider (self);
  g_clear_pointer (&self->creds, gst_kvs_credentials_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  gst_kvs_settings_clear (&self->config);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (gst_kvs_client_credentials_parent_class)->finalize (object);
}

static void
gst_kvs_client_credentials_init (GstKvsClientCredentials * self)
{
  g_mutex_init (&self->lock);
  gst_kvs_settings_init (&self->config);
}

static void
gst_kvs_client_credentials_class_init (GstKvsClientCredentialsClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_kvs_client_credentials_finalize;

  signals[SIGNAL_CHANGED] = g_signal_new ("changed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, GST_KVS_TYPE_CREDENTIALS);
}
