/* kvssignaling: what the credentials providers share: reading the
 * credential JSON documents, HTTP errors, times, environment.
 * Internal to the library (not installed).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include "gstkvscredentials.h"
#include "gstkvserror.h"

G_BEGIN_DECLS

/* An environment variable, NULL when unset or empty. */
const gchar *gst_kvs_env_get (const gchar * name);

/* "true"/"false" (any case) of @value into *@out; FALSE when neither. */
gboolean gst_kvs_parse_bool (const gchar * value, gboolean * out);

/* ISO 8601 / RFC 3339 time ("2026-12-07T10:00:00Z") to unix seconds. */
gboolean gst_kvs_parse_time (const gchar * text, gint64 * unix_seconds);

/* The credentials in @obj under the member names given (@token_key and
 * @expiration_key may be NULL: optional). @expiration_ms: the expiration is
 * a number of milliseconds since the epoch, else an ISO 8601 string.
 * Errors (CREDENTIALS_SOURCE) name @what and the missing member, never a
 * value. */
GstKvsCredentials *gst_kvs_credentials_from_json (JsonObject * obj,
    const gchar * akid_key, const gchar * secret_key, const gchar * token_key,
    const gchar * expiration_key, gboolean expiration_ms,
    const gchar * source, const gchar * what, GError ** error);

/* Parse @body as a JSON object; error (CREDENTIALS_SOURCE) names @what,
 * never quotes the body. */
JsonObject *gst_kvs_json_object_from_bytes (GBytes * body, const gchar * what,
    GError ** error);

/* An error for a non-2xx answer: "<what>: HTTP <status> <reason>" with the
 * AWS error code and message of a JSON or XML error body when there is one
 * (never the rest of the body). */
GError *gst_kvs_credentials_http_error (SoupMessage * msg, GBytes * body,
    const gchar * what);

/* A session for credential requests: @timeout_s for connect and I/O,
 * TLS verified with the system's CAs, or @ca_file's when given, else
 * AWS_CA_BUNDLE's (as the AWS SDKs); NULL with an error naming the file
 * when it cannot be read. */
SoupSession *gst_kvs_credentials_session_new (guint timeout_s,
    const gchar * ca_file, GError ** error);



/* For a provider's fetch @task: *@session, made on first use with
 * gst_kvs_credentials_session_new (@timeout_s, NULL). FALSE when it cannot
 * be made: @task (taken) is then completed with the error
 * (CREDENTIALS_SOURCE, naming the provider). */
gboolean gst_kvs_credentials_task_session (GTask * task,
    SoupSession ** session, guint timeout_s);

/* Completes @task with @creds (taken) or, when NULL, @error (taken). */
void gst_kvs_credentials_task_return (GTask * task, GstKvsCredentials * creds,
    GError * error);

/* Send @msg and read the whole body, giving up after @timeout_ms (the
 * error is then G_IO_ERROR_TIMED_OUT "timed out after N ms"); @cancellable
 * cancels as usual. */
void gst_kvs_credentials_http_send_async (SoupSession * session,
    SoupMessage * msg, guint timeout_ms, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data);
GBytes *gst_kvs_credentials_http_send_finish (GAsyncResult * result,
    GError ** error);

G_END_DECLS
