/* kvssignaling: SigV4-signed JSON calls of the control plane.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * GstKvsRestTransport: how one control-plane call travels. It signs a JSON
 * POST with SigV4 (the clock offset added to the local clock), sends it
 * through the caller's #SoupSession on the caller's thread-default main
 * context, never follows a redirect, applies its own deadline (timeout, 30
 * s by default, 0 = none) on top of the session's, reads at most 1 MiB of
 * reply, takes the clock offset from each reply's Date and records each
 * operation's duration. The reply is then judged by
 * gstkvscontrolplanereply.c: a 2xx body by the operation's parser, a
 * non-2xx one by gst_kvs_control_plane_parse_error_reply(), the secret key
 * and session token scrubbed from the service's text. A request that never
 * got a complete answer gives %GST_KVS_ERROR_CONNECTION (or the refused
 * certificate's %GST_KVS_ERROR_TLS_CERTIFICATE). Nothing secret is logged.
 *
 * The operations themselves (their request bodies, their results) are
 * #GstKvsControlPlane's.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/gst.h>

#include "gstkvsresttransport.h"
#include "gstkvserror.h"
#include "gstkvssigv4.h"
#include "gstkvstls.h"

/* the control plane's category: one debug switch for its calls */
GST_DEBUG_CATEGORY_STATIC (kvs_control_plane_debug);
#define GST_CAT_DEFAULT kvs_control_plane_debug

#define READ_CHUNK_SIZE 16384

struct _GstKvsRestTransport
{
  GObject parent;

  /* set by _new(), then read-only */
  SoupSession *session;
  gchar *region;

  GMutex lock;                  /* protects everything below */
  GstKvsCredentials *credentials;
  gint64 clock_offset;          /* seconds, server minus local */
  guint timeout;                /* seconds, 0 = none */
  GHashTable *last_duration;    /* operation name (static) -> gint64 us */
};

G_DEFINE_TYPE_WITH_CODE (GstKvsRestTransport, gst_kvs_rest_transport,
    G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (kvs_control_plane_debug, "kvscontrolplane", 0,
        "KVS signaling REST control plane"));

static void
gst_kvs_rest_transport_init (GstKvsRestTransport * self)
{
  g_mutex_init (&self->lock);
  self->timeout = GST_KVS_REST_TRANSPORT_DEFAULT_TIMEOUT;
  self->last_duration = g_hash_table_new_full (g_str_hash, g_str_equal,
      NULL, g_free);
}

static void
gst_kvs_rest_transport_finalize (GObject * object)
{
  GstKvsRestTransport *self = GST_KVS_REST_TRANSPORT (object);

  g_clear_object (&self->session);
  g_free (self->region);
  g_clear_pointer (&self->credentials, gst_kvs_credentials_unref);
  g_hash_table_unref (self->last_duration);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (gst_kvs_rest_transport_parent_class)->finalize (object);
}

static void
gst_kvs_rest_transport_class_init (GstKvsRestTransportClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_kvs_rest_transport_finalize;
}

GstKvsRestTransport *
gst_kvs_rest_transport_new (SoupSession * session, const gchar * region)
{
  GstKvsRestTransport *self = g_object_new (GST_KVS_TYPE_REST_TRANSPORT, NULL);

  self->session = session ? g_object_ref (session) : NULL;
  self->region = g_strdup (region);
  return self;
}

void
gst_kvs_rest_transport_set_credentials (GstKvsRestTransport * self,
    GstKvsCredentials * credentials)
{
  GstKvsCredentials *old;

  g_mutex_lock (&self->lock);
  old = self->credentials;
  self->credentials = credentials ? gst_kvs_credentials_ref (credentials) :
      NULL;
  g_mutex_unlock (&self->lock);
  if (old)
    gst_kvs_credentials_unref (old);
}

GstKvsCredentials *
gst_kvs_rest_transport_dup_credentials (GstKvsRestTransport * self)
{
  GstKvsCredentials *creds;

  g_mutex_lock (&self->lock);
  creds = self->credentials ? gst_kvs_credentials_ref (self->credentials) :
      NULL;
  g_mutex_unlock (&self->lock);
  return creds;
}

gint64
gst_kvs_rest_transport_get_clock_offset (GstKvsRestTransport * self)
{
  gint64 offset;

  g_mutex_lock (&self->lock);
  offset = self->clock_offset;
  g_mutex_unlock (&self->lock);
  return offset;
}

void
gst_kvs_rest_transport_set_clock_offset (GstKvsRestTransport * self,
    gint64 offset)
{
  g_mutex_lock (&self->lock);
  self->clock_offset = offset;
  g_mutex_unlock (&self->lock);
}

guint
gst_kvs_rest_transport_get_timeout (GstKvsRestTransport * self)
{
  guint timeout;

  g_mutex_lock (&self->lock);
  timeout = self->timeout;
  g_mutex_unlock (&self->lock);
  return timeout;
}

void
gst_kvs_rest_transport_set_timeout (GstKvsRestTransport * self, guint seconds)
{
  g_mutex_lock (&self->lock);
  self->timeout = seconds;
  g_mutex_unlock (&self->lock);
}

gint64
gst_kvs_rest_transport_get_last_duration (GstKvsRestTransport * self,
    const gchar * operation)
{
  gint64 *us;
  gint64 ret = -1;

  g_mutex_lock (&self->lock);
  us = g_hash_table_lookup (self->last_duration, operation);
  if (us)
    ret = *us;
  g_mutex_unlock (&self->lock);
  return ret;
}

/* ---------------------------------------------------------------------- */
/* One call */

typedef struct
{
  GstKvsRestTransport *transport;
  const gchar *operation;       /* static */
  GstKvsReplyParseFunc parse;   /* NULL: no result, empty reply allowed */
  GDestroyNotify result_free;
  gchar *url;
  SoupMessage *msg;
  GInputStream *stream;
  GByteArray *reply;
  GCancellable *caller;         /* the caller's cancellable, or NULL */
  GCancellable *internal;       /* what libsoup sees */
  gulong cancel_id;
  GSource *timeout_source;
  guint timeout;
  gboolean timed_out;
  gint64 start_us;
  /* For scrubbing service error texts; never logged. */
  gchar *secret;
  gchar *token;
} CallData;

static void
call_data_free (CallData * call)
{
  g_assert (call->timeout_source == NULL);
  g_assert (call->cancel_id == 0);
  g_clear_object (&call->transport);
  g_free (call->url);
  g_clear_object (&call->msg);
  g_clear_object (&call->stream);
  if (call->reply)
    g_byte_array_unref (call->reply);
  g_clear_object (&call->caller);
  g_clear_object (&call->internal);
  g_free (call->secret);
  g_free (call->token);
  g_free (call);
}

static void
on_caller_cancelled (GCancellable * caller, GCancellable * internal)
{
  g_cancellable_cancel (internal);
}

static gboolean
on_call_timeout (gpointer user_data)
{
  CallData *call = user_data;

  call->timed_out = TRUE;
  g_cancellable_cancel (call->internal);
  return G_SOURCE_REMOVE;
}

/* Stops the timer and the cancellation link, records the duration. */
static void
call_end (GTask * task)
{
  CallData *call = g_task_get_task_data (task);
  GstKvsRestTransport *self = call->transport;
  gint64 *duration = g_new (gint64, 1);

  if (call->timeout_source) {
    g_source_destroy (call->timeout_source);
    g_clear_pointer (&call->timeout_source, g_source_unref);
  }
  if (call->cancel_id) {
    g_cancellable_disconnect (call->caller, call->cancel_id);
    call->cancel_id = 0;
  }

  *duration = g_get_monotonic_time () - call->start_us;
  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->last_duration, (gpointer) call->operation,
      duration);
  g_mutex_unlock (&self->lock);
}

static gdouble
call_elapsed_ms (CallData * call)
{
  return (g_get_monotonic_time () - call->start_us) / 1000.0;
}

/* The request never got a complete answer. */
static void
call_fail_transport (GTask * task, GError * err)
{
  CallData *call = g_task_get_task_data (task);
  GstKvsRestTransport *self = call->transport;

  call_end (task);

  if (call->caller && g_cancellable_is_cancelled (call->caller)) {
    GST_DEBUG_OBJECT (self, "%s: cancelled after %.1f ms", call->operation,
        call_elapsed_ms (call));
    g_error_free (err);
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
        "%s was cancelled", call->operation);
  } else if (call->timed_out) {
    GST_DEBUG_OBJECT (self, "%s: timed out after %u s", call->operation,
        call->timeout);
    g_error_free (err);
    g_task_return_new_error (task, GST_KVS_ERROR, GST_KVS_ERROR_CONNECTION,
        "%s to %s timed out after %u s", call->operation, call->url,
        call->timeout);
  } else {
    g_autofree gchar *what = g_strdup_printf ("%s to %s", call->operation,
        call->url);
    GError *tls = gst_kvs_tls_error_new (call->msg, err, what);

    GST_DEBUG_OBJECT (self, "%s: failed after %.1f ms: %s", call->operation,
        call_elapsed_ms (call), err->message);
    if (tls)
      g_task_return_error (task, tls);
    else
      g_task_return_new_error (task, GST_KVS_ERROR, GST_KVS_ERROR_CONNECTION,
          "%s failed: %s", what, err->message);
    g_error_free (err);
  }
  g_object_unref (task);
}

static void
update_clock_offset (GstKvsRestTransport * self, SoupMessageHeaders * headers)
{
  const gchar *date = soup_message_headers_get_one (headers, "Date");
  g_autoptr (GDateTime) server = NULL;
  gint64 offset, old;

  if (date == NULL)
    return;
  server = soup_date_time_new_from_http_string (date);
  if (server == NULL) {
    GST_DEBUG_OBJECT (self, "ignoring unparsable Date '%s'", date);
    return;
  }
  offset = g_date_time_to_unix (server) - g_get_real_time () / G_USEC_PER_SEC;

  g_mutex_lock (&self->lock);
  old = self->clock_offset;
  self->clock_offset = offset;
  g_mutex_unlock (&self->lock);

  if (old != offset)
    GST_DEBUG_OBJECT (self, "clock offset %" G_GINT64_FORMAT " s (was %"
        G_GINT64_FORMAT " s) from Date '%s'", offset, old, date);
}

/* A non-2xx reply. */
static void
call_return_service_error (GTask * task, guint status,
    SoupMessageHeaders * headers)
{
  CallData *call = g_task_get_task_data (task);
  GstKvsRestTransport *self = call->transport;
  const gchar *redact[] = { call->token, call->secret, NULL };
  GError *err;

  /* A NULL token must not end the list before the secret. */
  if (redact[0] == NULL) {
    redact[0] = redact[1];
    redact[1] = NULL;
  }
  err = gst_kvs_control_plane_parse_error_reply (call->operation, status,
      soup_message_get_reason_phrase (call->msg),
      soup_message_headers_get_one (headers, "x-amzn-ErrorType"),
      (const gchar *) call->reply->data, call->reply->len, redact);

  GST_INFO_OBJECT (self, "%s failed: %s", call->operation, err->message);
  g_task_return_error (task, err);
}

/* A 2xx reply. */
static void
call_return_reply (GTask * task)
{
  CallData *call = g_task_get_task_data (task);
  GError *err = NULL;
  gpointer result = NULL;

  if (!gst_kvs_reply_parse_success_body (call->operation, call->parse,
          (const gchar *) call->reply->data, call->reply->len, &result, &err))
    g_task_return_error (task, err);
  else if (call->parse == NULL)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_pointer (task, result, call->result_free);
}

/* The whole reply is in. */
static void
call_complete (GTask * task)
{
  CallData *call = g_task_get_task_data (task);
  GstKvsRestTransport *self = call->transport;
  SoupMessageHeaders *headers = soup_message_get_response_headers (call->msg);
  guint status = soup_message_get_status (call->msg);
  const gchar *request_id;

  call_end (task);
  update_clock_offset (self, headers);

  request_id = soup_message_headers_get_one (headers, "x-amzn-RequestId");
  GST_DEBUG_OBJECT (self, "%s: HTTP %u, %u bytes in %.1f ms (request id %s)",
      call->operation, status, call->reply->len, call_elapsed_ms (call),
      GST_STR_NULL (request_id));

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    call_return_reply (task);
  else
    call_return_service_error (task, status, headers);
  g_object_unref (task);
}

static void
on_read (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GTask *task = user_data;
  CallData *call = g_task_get_task_data (task);
  GError *err = NULL;
  g_autoptr (GBytes) bytes = NULL;
  gsize size;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), res, &err);
  if (bytes == NULL) {
    call_fail_transport (task, err);
    return;
  }

  size = g_bytes_get_size (bytes);
  if (size == 0) {
    call_complete (task);
    return;
  }

  if (call->reply->len + size > GST_KVS_MAX_REPLY_SIZE) {
    GstKvsRestTransport *self = call->transport;

    call_end (task);
    GST_WARNING_OBJECT (self, "%s: reply larger than %u bytes, dropped",
        call->operation, GST_KVS_MAX_REPLY_SIZE);
    /* Stop reading; the connection is closed with the stream. */
    g_input_stream_close_async (call->stream, G_PRIORITY_DEFAULT, NULL, NULL,
        NULL);
    g_task_return_new_error (task, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL,
        "%s reply is larger than %u bytes", call->operation,
        GST_KVS_MAX_REPLY_SIZE);
    g_object_unref (task);
    return;
  }

  g_byte_array_append (call->reply, g_bytes_get_data (bytes, NULL), size);
  g_input_stream_read_bytes_async (call->stream, READ_CHUNK_SIZE,
      G_PRIORITY_DEFAULT, call->internal, on_read, task);
}

static void
on_sent (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GTask *task = user_data;
  CallData *call = g_task_get_task_data (task);
  GError *err = NULL;

  call->stream = soup_session_send_finish (SOUP_SESSION (source), res, &err);
  if (call->stream == NULL) {
    call_fail_transport (task, err);
    return;
  }

  g_input_stream_read_bytes_async (call->stream, READ_CHUNK_SIZE,
      G_PRIORITY_DEFAULT, call->internal, on_read, task);
}

/* Builds, signs and sends one call. */
void
gst_kvs_rest_transport_call (GstKvsRestTransport * self, GTask * task,
    const gchar * operation, const gchar * url, JsonNode * body,
    GstKvsReplyParseFunc parse, GDestroyNotify result_free)
{
  CallData *call = g_new0 (CallData, 1);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr (GstKvsCredentials) creds = NULL;
  g_autoptr (GDateTime) now = NULL;
  g_autoptr (GDateTime) signing_time = NULL;
  g_autoptr (GBytes) bytes = NULL;
  GError *err = NULL;
  gchar *json;
  gint64 offset;

  g_task_set_name (task, operation);
  g_task_set_task_data (task, call, (GDestroyNotify) call_data_free);

  call->transport = g_object_ref (self);
  call->operation = operation;
  call->parse = parse;
  call->result_free = result_free;
  call->url = g_strdup (url);
  call->reply = g_byte_array_new ();
  call->start_us = g_get_monotonic_time ();

  json = json_to_string (body, FALSE);
  json_node_unref (body);
  bytes = g_bytes_new_take (json, strlen (json));

  g_mutex_lock (&self->lock);
  if (self->credentials)
    creds = gst_kvs_credentials_ref (self->credentials);
  offset = self->clock_offset;
  call->timeout = self->timeout;
  g_mutex_unlock (&self->lock);

  if (creds == NULL) {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_NO_CREDENTIALS, "%s: no credentials to sign with",
        operation);
    g_object_unref (task);
    return;
  }
  call->secret = g_strdup (creds->secret_access_key);
  call->token = g_strdup (creds->session_token);

  call->msg = soup_message_new (SOUP_METHOD_POST, call->url);
  if (call->msg == NULL) {
    g_task_return_new_error (task, GST_KVS_ERROR, GST_KVS_ERROR_CONNECTION,
        "%s: '%s' is not a valid HTTP(S) URL", operation, call->url);
    g_object_unref (task);
    return;
  }
  soup_message_set_request_body_from_bytes (call->msg, "application/json",
      bytes);
  /* a refused certificate is reported with its problems */
  gst_kvs_tls_watch (call->msg);
  /* AWS never redirects: a 3xx is an error reply, never followed (a
   * redirect would carry the signed headers elsewhere, and a service
   * redirecting to itself would loop) */
  soup_message_add_flags (call->msg, SOUP_MESSAGE_NO_REDIRECT);
  /* libsoup sends a POST on a kept-alive connection only when it may send
   * it again (the server may have closed that connection meanwhile): the
   * calls that only read (Describe, GetSignalingChannelEndpoint,
   * GetIceServerConfig, List) reuse the connection of the previous call,
   * saving a TCP and a TLS handshake each */
  if (!g_str_has_prefix (operation, "Create") &&
      !g_str_has_prefix (operation, "Delete"))
    soup_message_add_flags (call->msg, SOUP_MESSAGE_IDEMPOTENT);

  now = g_date_time_new_now_utc ();
  signing_time = g_date_time_add_seconds (now, (gdouble) offset);
  if (!gst_kvs_sigv4_sign_message (call->msg, bytes, creds, self->region,
          GST_KVS_SIGV4_SERVICE, signing_time, &err)) {
    g_task_return_new_error (task, err->domain, err->code,
        "%s: cannot sign the request: %s", operation, err->message);
    g_error_free (err);
    g_object_unref (task);
    return;
  }

  GST_DEBUG_OBJECT (self, "%s: POST %s (%" G_GSIZE_FORMAT " bytes, clock "
      "offset %" G_GINT64_FORMAT " s)", operation, call->url,
      g_bytes_get_size (bytes), offset);

  call->internal = g_cancellable_new ();
  if (cancellable) {
    call->caller = g_object_ref (cancellable);
    /* Runs at once when @cancellable is already cancelled. */
    call->cancel_id = g_cancellable_connect (cancellable,
        G_CALLBACK (on_caller_cancelled), g_object_ref (call->internal),
        g_object_unref);
  }
  if (call->timeout > 0) {
    g_autoptr (GMainContext) context = g_main_context_ref_thread_default ();

    /* Not g_timeout_source_new_seconds(): it rounds to a second boundary
     * and may fire almost a second early ("timed out after 1 s" at 0.95 s). */
    call->timeout_source = g_timeout_source_new (call->timeout * 1000);
    g_source_set_callback (call->timeout_source, on_call_timeout, call, NULL);
    g_source_attach (call->timeout_source, context);
  }

  soup_session_send_async (self->session, call->msg, G_PRIORITY_DEFAULT,
      call->internal, on_sent, task);
}
