/* kvssignaling: the signaling client's credentials.
 * Internal to the library (not installed).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include "gstkvscredentials.h"
#include "gstkvssettings.h"
#include "gstkvsclientstats.h"

G_BEGIN_DECLS

#define GST_KVS_TYPE_CLIENT_CREDENTIALS (gst_kvs_client_credentials_get_type ())
G_GNUC_INTERNAL
G_DECLARE_FINAL_TYPE (GstKvsClientCredentials, gst_kvs_client_credentials,
    GST_KVS, CLIENT_CREDENTIALS, GObject)

/* One per client, for the client's whole life: the credential chain (kept
 * across runs, so that valid cached credentials survive a stop() and
 * start()), the credentials signing now and the expired-token retry.
 * @status gets their source and expiry (stats, never a secret);
 * @log_object names the client in the log. Signal "changed"
 * (GstKvsCredentials): new credentials sign from now on. */
G_GNUC_INTERNAL
GstKvsClientCredentials *gst_kvs_client_credentials_new (GstKvsClientStatus *
    status, gpointer log_object);

/* Any thread: the credential settings of @config (keys, profile, AWS IoT,
 * ca-file) changed (properties, set_credentials()): the chain is made
 * again from them, its cache empty, before the next get. */
G_GNUC_INTERNAL
void gst_kvs_client_credentials_configure (GstKvsClientCredentials * self,
    const GstKvsSettings * config);

/* In a run's thread at its start, @context (that thread's) pushed: from
 * now on everything below runs there. At the run's shutdown, in the same
 * thread, @context NULL: the fetch in flight is cancelled, nothing is
 * refreshed until the next run attaches; the cached credentials stay. */
G_GNUC_INTERNAL
void gst_kvs_client_credentials_attach (GstKvsClientCredentials * self,
    GMainContext * context);

/* A connection came up: a later expiry is retried again. */
G_GNUC_INTERNAL
void gst_kvs_client_credentials_connected (GstKvsClientCredentials * self);

/* The chain's credentials (from its cache while fresh), which sign from
 * now on ("changed"). */
G_GNUC_INTERNAL
void gst_kvs_client_credentials_get_async (GstKvsClientCredentials * self,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
G_GNUC_INTERNAL
GstKvsCredentials *gst_kvs_client_credentials_get_finish
    (GstKvsClientCredentials * self, GAsyncResult * res, GError ** error);

/* Forget the cached credentials: the next get fetches. */
G_GNUC_INTERNAL
void gst_kvs_client_credentials_invalidate (GstKvsClientCredentials * self);
/* The credentials to sign with now (a presign): the chain's cached ones
 * while valid, else the last ones obtained. (transfer full), may be NULL. */
G_GNUC_INTERNAL
GstKvsCredentials *gst_kvs_client_credentials_dup (GstKvsClientCredentials *
    self);

/* @error ended a connect attempt or a replacement. TRUE when it says the
 * credentials expired (ExpiredTokenException, an expired signature) and
 * no refetch was tried since the last connection came up: they are
 * forgotten, and the caller fetches new ones and retries at once, once. */
G_GNUC_INTERNAL
gboolean gst_kvs_client_credentials_expired (GstKvsClientCredentials * self,
    const GError * error);

G_END_DECLS
