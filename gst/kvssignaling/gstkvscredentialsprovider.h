/* kvssignaling: the credentials provider base class (asynchronous, cached,
 * refreshed ahead of expiry).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include "gstkvscredentials.h"
#include "gstkvserror.h"

G_BEGIN_DECLS

#define GST_KVS_TYPE_CREDENTIALS_PROVIDER (gst_kvs_credentials_provider_get_type ())
G_DECLARE_DERIVABLE_TYPE (GstKvsCredentialsProvider,
    gst_kvs_credentials_provider, GST_KVS, CREDENTIALS_PROVIDER, GObject)

/**
 * GstKvsCredentialsProviderClass:
 * @fetch: obtain a fresh credential set (never from the cache) and complete
 *   @task with g_task_return_pointer (creds, gst_kvs_credentials_unref) or
 *   an error: GST_KVS_ERROR_NO_CREDENTIALS when the source is not
 *   configured (a chain goes on to its next source),
 *   GST_KVS_ERROR_CREDENTIALS_SOURCE when it is and failed. Runs in the
 *   thread-default main context of the caller; the cancellable is
 *   g_task_get_cancellable (@task). Messages never hold a secret.
 */
struct _GstKvsCredentialsProviderClass
{
  GObjectClass parent_class;

  void (*fetch) (GstKvsCredentialsProvider * self, GTask * task);

  gpointer padding[4];
};

/* Credentials, from the cache while they are fresh. Without cached
 * credentials, or past the mandatory refresh time, one fetch is made for
 * every caller waiting (single flight); between the advisory and the
 * mandatory refresh times the cached ones are returned and a refresh starts.
 * A failed refresh returns the cached credentials while they are valid and
 * retries with backoff. @callback runs in the thread-default main context
 * of the caller. */
void gst_kvs_credentials_provider_get_async (GstKvsCredentialsProvider * self,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
GstKvsCredentials *gst_kvs_credentials_provider_get_finish
    (GstKvsCredentialsProvider * self, GAsyncResult * result, GError ** error);

/* One uncached fetch (the @fetch virtual method), for composite providers
 * (the chain, AssumeRole's source). */
void gst_kvs_credentials_provider_fetch_async (GstKvsCredentialsProvider *
    self, GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
GstKvsCredentials *gst_kvs_credentials_provider_fetch_finish
    (GstKvsCredentialsProvider * self, GAsyncResult * result, GError ** error);

/* The cached credentials while they are valid (not expired), else NULL:
 * for synchronous users (presigning) between refreshes. */
GstKvsCredentials *gst_kvs_credentials_provider_get_cached
    (GstKvsCredentialsProvider * self);

/* Forget the cached credentials (the service said they are expired or
 * unknown): the next get fetches. */
void gst_kvs_credentials_provider_invalidate (GstKvsCredentialsProvider *
    self);

/* Stop: cancel the fetch in flight (its waiters get G_IO_ERROR_CANCELLED)
 * and the refresh timer. A later get starts again. For the owner's
 * shutdown: a fetch in flight holds a reference to the provider. */
void gst_kvs_credentials_provider_stop (GstKvsCredentialsProvider * self);

/* After stop(), from the thread-default main context of the provider's new
 * owner (a new thread): the refresh timer goes there and restarts for the
 * cached credentials, which are kept. */
void gst_kvs_credentials_provider_resume (GstKvsCredentialsProvider * self);

/* The provider's name ("environment", "web identity", ...), safe to log. */
const gchar *gst_kvs_credentials_provider_get_name (GstKvsCredentialsProvider
    * self);

/* The advisory and mandatory refresh margins (microseconds before expiry)
 * for credentials valid for @lifetime_us: 15 and 10 minutes as the AWS
 * SDKs, scaled down for short-lived credentials (a quarter and a sixth of
 * the lifetime). */
void gst_kvs_credentials_refresh_margins (gint64 lifetime_us,
    gint64 * advisory_us, gint64 * mandatory_us);

G_END_DECLS
