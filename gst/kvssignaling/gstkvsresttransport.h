/* kvssignaling: SigV4-signed JSON calls of the control plane.
 * Internal to the library (not installed).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include "gstkvscredentials.h"
#include "gstkvscontrolplanereply.h"

G_BEGIN_DECLS

#define GST_KVS_TYPE_REST_TRANSPORT (gst_kvs_rest_transport_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsRestTransport, gst_kvs_rest_transport, GST_KVS,
    REST_TRANSPORT, GObject)

#define GST_KVS_REST_TRANSPORT_DEFAULT_TIMEOUT 30

/* Sends through @session, signs for @region. Thread-safe setters; calls run
 * on the caller's thread-default main context. */
G_GNUC_INTERNAL
GstKvsRestTransport *gst_kvs_rest_transport_new (SoupSession * session,
    const gchar * region);
G_GNUC_INTERNAL
void gst_kvs_rest_transport_set_credentials (GstKvsRestTransport * self,
    GstKvsCredentials * credentials);
/* (transfer full) (nullable) */
G_GNUC_INTERNAL
GstKvsCredentials *gst_kvs_rest_transport_dup_credentials (GstKvsRestTransport
    * self);
G_GNUC_INTERNAL
gint64 gst_kvs_rest_transport_get_clock_offset (GstKvsRestTransport * self);
G_GNUC_INTERNAL
void gst_kvs_rest_transport_set_clock_offset (GstKvsRestTransport * self,
    gint64 offset);
G_GNUC_INTERNAL
guint gst_kvs_rest_transport_get_timeout (GstKvsRestTransport * self);
G_GNUC_INTERNAL
void gst_kvs_rest_transport_set_timeout (GstKvsRestTransport * self,
    guint seconds);
G_GNUC_INTERNAL
gint64 gst_kvs_rest_transport_get_last_duration (GstKvsRestTransport * self,
    const gchar * operation);

/* POSTs @body (taken) to @url, signed, and returns into @task (taken): the
 * result of @parse (freed with @result_free), TRUE when @parse is NULL, or
 * the error (a non-2xx reply, GST_KVS_ERROR_CONNECTION when no complete
 * reply came within the timeout, G_IO_ERROR_CANCELLED when the task's
 * cancellable was cancelled). @operation is static. */
G_GNUC_INTERNAL
void gst_kvs_rest_transport_call (GstKvsRestTransport * self, GTask * task,
    const gchar * operation, const gchar * url, JsonNode * body,
    GstKvsReplyParseFunc parse, GDestroyNotify result_free);

G_END_DECLS
