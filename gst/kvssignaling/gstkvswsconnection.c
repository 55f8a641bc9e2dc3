/* kvssignaling: one WebSocket connection to the signaling service.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * GstKvsWsConnection: a #SoupWebsocketConnection to the service and what
 * belongs to it alone: the presigned URL and the handshake (its errors in
 * KVS terms, the clock skew a 403 reveals), the decoding of incoming
 * frames, liveness (libsoup 3.2 pings but has no pong deadline), the
 * maximum age, the pacing of outgoing messages, and the reason of a close.
 * The client decides what to do about each: it supervises, the connection
 * reports. Made and used in the client's thread only.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/gst.h>

#include "gstkvswsconnection.h"
#include "gstkvserror.h"
#include "gstkvssigv4.h"
#include "gstkvstls.h"
#include "gstkvsowner.h"
#include "gstkvstokenbucket.h"

GST_DEBUG_CATEGORY_STATIC (kvs_ws_connection_debug);
#define GST_CAT_DEFAULT kvs_ws_connection_debug

/* Largest frame accepted from the service. */
#define MAX_INCOMING_PAYLOAD (256 * 1024)
/* Presigned URL lifetime, as AWS's JS client. */
#define PRESIGN_EXPIRES 299
/* A clock skew larger than this on a 403 handshake is corrected. */
#define CLOCK_SKEW_THRESHOLD_S 60
/* Outgoing pacing, per connection and message type, below the service's
 * limits (AWS: 5 SDP offers/s, 5 SDP answers/s, 20 ICE candidates/s per
 * connection, refused with ClientLimitExceededException beyond): a bucket
 * refilled at 90 % of the service's rate. Without it the backlog of an
 * outage goes out at once and is refused. The ICE bucket holds half the
 * service's burst: the service counts arrivals, and a first burst that
 * reaches it late followed by the next candidates on time looks faster
 * than it was sent (the spare half absorbs 0.5 s of such jitter). */
#define PACE_SDP_BURST 5
#define PACE_SDP_RATE 4.5
#define PACE_ICE_BURST 10
#define PACE_ICE_RATE 18.0

enum
{
  SIGNAL_MESSAGE,
  SIGNAL_LOST,
  SIGNAL_CLOSED,
  SIGNAL_MAX_AGE,
  SIGNAL_WRITABLE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _GstKvsWsConnection
{
  GObject parent;

  GMainContext *context;
  SoupWebsocketConnection *ws;
  GstKvsRole role;
  gchar *client_id;
  gboolean closing;             /* we closed it */

  guint keepalive_s;
  gint64 last_activity;         /* monotonic us */
  GSource *liveness_source;     /* ticks with libsoup's pings */
  GSource *liveness_deadline_source;
  GSource *max_age_source;
  GSource *pace_source;
  GstKvsTokenBucket pace[GST_KVS_MESSAGE_TYPE_RECONNECT_ICE_SERVER + 1];

  /* Before start() nobody listens yet (the connect procedure may wait for
   * GetIceServerConfig after the handshake): frames and a close are kept
   * and told, in order, from the owner's loop after start(). */
  gboolean started;
  GQueue early;                 /* GstKvsMessage */
  gboolean closed_early;
  GSource *replay_source;
};

G_DEFINE_TYPE_WITH_CODE (GstKvsWsConnection, gst_kvs_ws_connection,
    G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (kvs_ws_connection_debug, "kvswsconnection", 0,
        "KVS signaling WebSocket connection"));

static GSource *
add_timeout (GstKvsWsConnection * self, guint ms, GSourceFunc func)
{
  return gst_kvs_timeout_add (self->context, ms, func, self);
}

static void
clear_timers (GstKvsWsConnection * self)
{
  gst_kvs_source_clear (&self->pace_source);
  gst_kvs_source_clear (&self->liveness_source);
  gst_kvs_source_clear (&self->liveness_deadline_source);
  gst_kvs_source_clear (&self->max_age_source);
}

/* ------------------------------------------------------------------ */
/* opening: presign and handshake */

typedef struct
{
  SoupMessage *msg;
  GstKvsChannelResolver *resolver;
  GstKvsRole role;
  gchar *client_id;
} OpenData;

static void
open_data_free (OpenData * data)
{
  g_clear_object (&data->msg);
  g_object_unref (data->resolver);
  g_free (data->client_id);
  g_free (data);
}

/* The URL without its query: safe to log. */
static gchar *
url_for_log (const gchar * url)
{
  const gchar *q = strchr (url, '?');

  return q ? g_strndup (url, q - url) : g_strdup (url);
}

/* The presigned WebSocket URL for the current credentials and clock. */
static gchar *
presign_url (GstKvsChannelResolver * resolver, GstKvsCredentials * creds,
    const gchar * region, const gchar * client_id, GError ** error)
{
  g_autofree gchar *escaped_arn = NULL, *url = NULL;
  g_autoptr (GDateTime) local = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) now = NULL;
  const gchar *wss = gst_kvs_channel_resolver_get_endpoints (resolver)->wss;
  const gchar *arn = gst_kvs_channel_resolver_get_arn (resolver);
  const gchar *sep;

  escaped_arn = g_uri_escape_string (arn, NULL, FALSE);
  /* the service's endpoints have no path: sign "/" */
  if (strchr (wss, '?'))
    sep = "&";
  else if (strstr (wss, "://") && !strchr (strstr (wss, "://") + 3, '/'))
    sep = "/?";
  else
    sep = "?";

  if (client_id) {
    g_autofree gchar *escaped_id = g_uri_escape_string (client_id, NULL,
        FALSE);
    url = g_strdup_printf ("%s%sX-Amz-ChannelARN=%s&X-Amz-ClientId=%s", wss,
        sep, escaped_arn, escaped_id);
  } else {
    url = g_strdup_printf ("%s%sX-Amz-ChannelARN=%s", wss, sep, escaped_arn);
  }

  now = g_date_time_add_seconds (local,
      (gdouble) gst_kvs_channel_resolver_get_clock_offset (resolver));
  return gst_kvs_sigv4_presign_url (url, creds, region,
      GST_KVS_SIGV4_SERVICE, PRESIGN_EXPIRES, now, error);
}

/* Turns a failed handshake into a GST_KVS_ERROR; corrects the clock offset
 * from the reply's Date when a 403 shows a skew. */
static GError *
handshake_error (GstKvsChannelResolver * resolver, SoupMessage * msg,
    const GError * error)
{
  guint status = soup_message_get_status (msg);
  const gchar *aws_type, *name;
  GstKvsError code;

  if (status < 300 || status == SOUP_STATUS_SWITCHING_PROTOCOLS) {
    GError *tls = gst_kvs_tls_error_new (msg, error, "WebSocket connect");

    if (tls)
      return tls;
    return g_error_new (GST_KVS_ERROR, GST_KVS_ERROR_CONNECTION,
        "WebSocket connect failed: %s", error->message);
  }

  /* the error's name, when the service says it (the local service does) */
  aws_type =
      soup_message_headers_get_one (soup_message_get_response_headers (msg),
      "x-amzn-ErrorType");
  code = gst_kvs_error_from_aws (aws_type, status, NULL);
  name = aws_type ? gst_kvs_error_to_aws_name (code) : NULL;
  if (status == SOUP_STATUS_FORBIDDEN) {
    const gchar *date =
        soup_message_headers_get_one (soup_message_get_response_headers (msg),
        "Date");
    g_autoptr (GDateTime) server = date ?
        soup_date_time_new_from_http_string (date) : NULL;

    if (server) {
      g_autoptr (GDateTime) local = g_date_time_new_now_utc ();
      gint64 offset =
          g_date_time_to_unix (server) - g_date_time_to_unix (local);
      gint64 current = gst_kvs_channel_resolver_get_clock_offset (resolver);

      if (ABS (offset - current) > CLOCK_SKEW_THRESHOLD_S) {
        GST_WARNING ("clock skew of %" G_GINT64_FORMAT " s on the WebSocket "
            "handshake, correcting", offset);
        gst_kvs_channel_resolver_set_clock_offset (resolver, offset);
        code = GST_KVS_ERROR_SIGNATURE_EXPIRED;
      }
    }
  }

  return g_error_new (GST_KVS_ERROR, code, "WebSocket handshake refused: "
      "HTTP %u %s%s%s", status,
      GST_STR_NULL (soup_message_get_reason_phrase (msg)), name ? ", " : "",
      name ? name : "");
}

static void watch (GstKvsWsConnection * self);

static void
open_cb (GObject * source, GAsyncResult * res, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  OpenData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  SoupWebsocketConnection *ws;
  GstKvsWsConnection *self;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), res,
      &error);
  if (!ws) {
    g_task_return_error (task, handshake_error (data->resolver, data->msg,
            error));
    return;
  }

  self = g_object_new (GST_KVS_TYPE_WS_CONNECTION, NULL);
  self->context = g_main_context_ref_thread_default ();
  self->ws = ws;
  self->role = data->role;
  self->client_id = g_strdup (data->client_id);
  watch (self);
  g_task_return_pointer (task, self, g_object_unref);
}

void
gst_kvs_ws_connection_open_async (SoupSession * session,
    GstKvsChannelResolver * resolver, GstKvsCredentials * credentials,
    const gchar * region, GstKvsRole role, const gchar * client_id,
    gboolean replacement, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *url = NULL, *log_url = NULL;
  OpenData *data;

  /* the debug category, before any connection exists */
  g_type_ensure (GST_KVS_TYPE_WS_CONNECTION);
  g_task_set_source_tag (task, gst_kvs_ws_connection_open_async);
  url = presign_url (resolver, credentials, region, client_id, &error);
  data = g_new0 (OpenData, 1);
  data->msg = url ? soup_message_new ("GET", url) : NULL;
  data->resolver = g_object_ref (resolver);
  data->role = role;
  data->client_id = g_strdup (client_id);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  if (!data->msg) {
    if (!error)
      error = g_error_new (GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL,
          "invalid WebSocket endpoint '%s'",
          gst_kvs_channel_resolver_get_endpoints (resolver)->wss);
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }

  /* a redirect would carry the presigned URL elsewhere: a failure */
  soup_message_add_flags (data->msg, SOUP_MESSAGE_NO_REDIRECT);
  gst_kvs_tls_watch (data->msg);

  log_url = url_for_log (url);
  GST_INFO ("opening %s%s", log_url, replacement ? " (replacement)" : "");
  soup_session_websocket_connect_async (session, data->msg, NULL, NULL,
      G_PRIORITY_DEFAULT, cancellable, open_cb, g_steal_pointer (&task));
}

GstKvsWsConnection *
gst_kvs_ws_connection_open_finish (GAsyncResult * res, GError ** error)
{
  return g_task_propagate_pointer (G_TASK (res), error);
}

/* ------------------------------------------------------------------ */
/* the open connection */

/* Why the service closed the connection. A newer connection of the same
 * identity replacing this one is told by the close reason (the local
 * service says "Replaced by a newer ..."): GST_KVS_ERROR_REPLACED. */
static GError *
closed_by_service (GstKvsWsConnection * self)
{
  const gchar *data = soup_websocket_connection_get_close_data (self->ws);
  gushort code = soup_websocket_connection_get_close_code (self->ws);
  g_autofree gchar *lower = data ? g_ascii_strdown (data, -1) : NULL;

  if (lower && strstr (lower, "replaced")) {
    if (self->role == GST_KVS_ROLE_MASTER)
      return g_error_new (GST_KVS_ERROR, GST_KVS_ERROR_REPLACED,
          "another master connected to the channel and the service closed "
          "this one (code %u: %s)", code, data);
    return g_error_new (GST_KVS_ERROR, GST_KVS_ERROR_REPLACED,
        "another viewer connected to the channel with the same client id "
        "'%s' and the service closed this one (code %u: %s)",
        GST_STR_NULL (self->client_id), code, data);
  }
  return g_error_new (GST_KVS_ERROR, GST_KVS_ERROR_CONNECTION,
      "WebSocket closed by the service (code %u%s%s)", code,
      data && *data ? ": " : "", data && *data ? data : "");
}

/* The connection cannot be used any more: timers stop, "lost". */
static void
lost (GstKvsWsConnection * self, const GError * why)
{
  clear_timers (self);
  g_signal_emit (self, signals[SIGNAL_LOST], 0, why);
}

static void
on_closed (SoupWebsocketConnection * ws, gpointer user_data)
{
  g_autoptr (GstKvsWsConnection) self = g_object_ref (user_data);

  if ((!self->started || self->replay_source) && !self->closing) {
    GST_DEBUG_OBJECT (self, "closed before start: told after it");
    self->closed_early = TRUE;
    return;
  }
  clear_timers (self);
  if (self->closing) {
    g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
  } else {
    g_autoptr (GError) why = closed_by_service (self);

    lost (self, why);
  }
}

static void
on_error (SoupWebsocketConnection * ws, GError * error, gpointer user_data)
{
  GstKvsWsConnection *self = user_data;

  /* "closed" follows; this only says why */
  GST_WARNING_OBJECT (self, "WebSocket error: %s", error->message);
}

static void
on_pong (SoupWebsocketConnection * ws, GBytes * message, gpointer user_data)
{
  GstKvsWsConnection *self = user_data;

  GST_LOG_OBJECT (self, "pong");
  self->last_activity = g_get_monotonic_time ();
}

static void
on_message (SoupWebsocketConnection * ws, gint type, GBytes * message,
    gpointer user_data)
{
  g_autoptr (GstKvsWsConnection) self = g_object_ref (user_data);
  g_autoptr (GstKvsMessage) msg = NULL;
  g_autoptr (GError) error = NULL;
  const gchar *data;
  gsize len;

  self->last_activity = g_get_monotonic_time ();

  data = g_bytes_get_data (message, &len);
  if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    GST_DEBUG_OBJECT (self, "ignoring a binary frame of %" G_GSIZE_FORMAT
        " bytes", len);
    return;
  }

  msg = gst_kvs_message_parse_service_frame (data, len, &error);
  if (!msg) {
    GST_WARNING_OBJECT (self, "ignoring a malformed frame of %" G_GSIZE_FORMAT
        " bytes: %s", len, error ? error->message : "?");
    return;
  }
  if (msg->type <= GST_KVS_MESSAGE_TYPE_UNKNOWN ||
      msg->type > GST_KVS_MESSAGE_TYPE_RECONNECT_ICE_SERVER) {
    GST_DEBUG_OBJECT (self, "ignoring a frame of unknown type (%"
        G_GSIZE_FORMAT " bytes)", len);
    return;
  }
  if (!self->started || self->replay_source) {
    GST_DEBUG_OBJECT (self, "%s before start: kept",
        gst_kvs_message_type_to_string (msg->type));
    g_queue_push_tail (&self->early, g_steal_pointer (&msg));
    return;
  }
  g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, msg);
}

/* After start(): what came before it, in order. */
static gboolean
replay_early (gpointer user_data)
{
  g_autoptr (GstKvsWsConnection) self = g_object_ref (user_data);
  GstKvsMessage *msg;

  while ((msg = g_queue_pop_head (&self->early))) {
    g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, msg);
    gst_kvs_message_unref (msg);
  }
  g_clear_pointer (&self->replay_source, g_source_unref);
  if (self->closed_early) {
    self->closed_early = FALSE;
    on_closed (self->ws, self);
  }
  return G_SOURCE_REMOVE;
}

static void
watch (GstKvsWsConnection * self)
{
  g_signal_connect (self->ws, "message", G_CALLBACK (on_message), self);
  g_signal_connect (self->ws, "closed", G_CALLBACK (on_closed), self);
  g_signal_connect (self->ws, "error", G_CALLBACK (on_error), self);
  g_signal_connect (self->ws, "pong", G_CALLBACK (on_pong), self);
}

gboolean
gst_kvs_ws_connection_is_open (GstKvsWsConnection * self)
{
  return !self->closing && soup_websocket_connection_get_state (self->ws) ==
      SOUP_WEBSOCKET_STATE_OPEN;
}

void
gst_kvs_ws_connection_send (GstKvsWsConnection * self, const gchar * frame)
{
  GST_KVS_CHECK_OWNER (self->context);
  soup_websocket_connection_send_text (self->ws, frame);
}

gboolean
gst_kvs_ws_connection_close (GstKvsWsConnection * self)
{
  GST_KVS_CHECK_OWNER_VAL (self->context, FALSE);

  clear_timers (self);
  if (self->closing ||
      soup_websocket_connection_get_state (self->ws) !=
      SOUP_WEBSOCKET_STATE_OPEN)
    return self->closing;
  /* kept (and read) until "closed" */
  self->closing = TRUE;
  soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* liveness and age */

/* libsoup 3.2 sends pings but has no pong deadline: a connection that has
 * been silent (no pong, no frame) for two intervals plus one second is
 * dead. The check runs on a seconds timer of the keepalive interval created
 * together with libsoup's ping timer, so both fire in the same wake-up; a
 * one-shot timer covers a deadline that falls between two pings (only once
 * a pong is already missing). An idle connection wakes up for its pings
 * and their pongs only. */
static gboolean liveness_deadline (gpointer user_data);

/* Returns FALSE when the connection was declared dead. */
static gboolean
check_liveness (GstKvsWsConnection * self)
{
  guint interval = self->keepalive_s;
  gint64 now = g_get_monotonic_time ();
  gint64 deadline;

  deadline = self->last_activity + (gint64) (2 * interval + 1) * G_USEC_PER_SEC;
  if (now > deadline) {
    g_autoptr (GError) why = g_error_new (GST_KVS_ERROR,
        GST_KVS_ERROR_CONNECTION, "no pong for %" G_GINT64_FORMAT " ms",
        (now - self->last_activity) / 1000);

    lost (self, why);
    return FALSE;
  }
  if (!self->liveness_deadline_source &&
      deadline < now + (gint64) interval * G_USEC_PER_SEC) {
    self->liveness_deadline_source = add_timeout (self,
        (guint) ((deadline - now) / 1000 + 1), liveness_deadline);
  }
  return TRUE;
}

static gboolean
liveness_deadline (gpointer user_data)
{
  g_autoptr (GstKvsWsConnection) self = g_object_ref (user_data);

  g_clear_pointer (&self->liveness_deadline_source, g_source_unref);
  check_liveness (self);
  return G_SOURCE_REMOVE;
}

static gboolean
liveness_tick (gpointer user_data)
{
  g_autoptr (GstKvsWsConnection) self = g_object_ref (user_data);

  /* a dead connection's timers, this one included, are cleared */
  return check_liveness (self) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
max_age_timeout (gpointer user_data)
{
  GstKvsWsConnection *self = user_data;

  g_clear_pointer (&self->max_age_source, g_source_unref);
  g_signal_emit (self, signals[SIGNAL_MAX_AGE], 0);
  return G_SOURCE_REMOVE;
}

static void pace_reset (GstKvsWsConnection * self);

void
gst_kvs_ws_connection_start (GstKvsWsConnection * self, guint keepalive_s,
    guint max_age_s)
{
  GST_KVS_CHECK_OWNER (self->context);

  soup_websocket_connection_set_max_incoming_payload_size (self->ws,
      MAX_INCOMING_PAYLOAD);
  soup_websocket_connection_set_keepalive_interval (self->ws, keepalive_s);
  self->keepalive_s = keepalive_s;
  self->last_activity = g_get_monotonic_time ();

  clear_timers (self);
  pace_reset (self);
  self->started = TRUE;
  if ((!g_queue_is_empty (&self->early) || self->closed_early) &&
      !self->replay_source) {
    self->replay_source = g_idle_source_new ();
    g_source_set_callback (self->replay_source, replay_early, self, NULL);
    g_source_attach (self->replay_source, self->context);
  }
  if (keepalive_s > 0) {
    /* same kind and period as libsoup's ping timer, made in the same
     * second (just above): GLib fires both in one wake-up */
    self->liveness_source = g_timeout_source_new_seconds (keepalive_s);
    g_source_set_callback (self->liveness_source, liveness_tick, self, NULL);
    g_source_attach (self->liveness_source, self->context);
  }
  if (max_age_s > 0)
    self->max_age_source = add_timeout (self, max_age_s * 1000,
        max_age_timeout);
}

/* ------------------------------------------------------------------ */
/* pacing */

static void
pace_limits (GstKvsMessageType type, gdouble * burst, gdouble * rate)
{
  switch (type) {
    case GST_KVS_MESSAGE_TYPE_SDP_OFFER:
    case GST_KVS_MESSAGE_TYPE_SDP_ANSWER:
      *burst = PACE_SDP_BURST;
      *rate = PACE_SDP_RATE;
      break;
    case GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE:
      *burst = PACE_ICE_BURST;
      *rate = PACE_ICE_RATE;
      break;
    default:
      *burst = *rate = 0;
      break;
  }
}

/* A new connection: the service's buckets are full again, ours too. */
static void
pace_reset (GstKvsWsConnection * self)
{
  gint64 now = g_get_monotonic_time ();

  for (guint t = 0; t < G_N_ELEMENTS (self->pace); t++) {
    gdouble burst, rate;

    pace_limits (t, &burst, &rate);
    gst_kvs_token_bucket_init (&self->pace[t], burst, rate, now);
  }
}

static gboolean
pace_timeout (gpointer user_data)
{
  GstKvsWsConnection *self = user_data;

  g_clear_pointer (&self->pace_source, g_source_unref);
  g_signal_emit (self, signals[SIGNAL_WRITABLE], 0);
  return G_SOURCE_REMOVE;
}

guint
gst_kvs_ws_connection_reserve (GstKvsWsConnection * self,
    GstKvsMessageType type)
{
  guint wait_ms;

  GST_KVS_CHECK_OWNER_VAL (self->context, 1);

  /* "writable" is on its way: everything waits for it */
  if (self->pace_source)
    return 1;
  wait_ms = gst_kvs_token_bucket_take (&self->pace[type],
      g_get_monotonic_time ());
  if (wait_ms > 0) {
    GST_LOG_OBJECT (self, "pacing: next %s in %u ms",
        gst_kvs_message_type_to_string (type), wait_ms);
    self->pace_source = add_timeout (self, wait_ms, pace_timeout);
  }
  return wait_ms;
}

/* ------------------------------------------------------------------ */
/* GObject */

static void
gst_kvs_ws_connection_dispose (GObject * object)
{
  GstKvsWsConnection *self = GST_KVS_WS_CONNECTION (object);

  clear_timers (self);
  gst_kvs_source_clear (&self->replay_source);
  g_queue_clear_full (&self->early, (GDestroyNotify) gst_kvs_message_unref);
  if (self->ws) {
    g_signal_handlers_disconnect_by_data (self->ws, self);
    g_clear_object (&self->ws);
  }

  G_OBJECT_CLASS (gst_kvs_ws_connection_parent_class)->dispose (object);
}

static void
gst_kvs_ws_connection_finalize (GObject * object)
{
  GstKvsWsConnection *self = GST_KVS_WS_CONNECTION (object);

  g_free (self->client_id);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (gst_kvs_ws_connection_parent_class)->finalize (object);
}

static void
gst_kvs_ws_connection_init (GstKvsWsConnection * self)
{
}

static void
gst_kvs_ws_connection_class_init (GstKvsWsConnectionClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);

  gobject_class->dispose = gst_kvs_ws_connection_dispose;
  gobject_class->finalize = gst_kvs_ws_connection_finalize;

  signals[SIGNAL_MESSAGE] = g_signal_new ("message", type, G_SIGNAL_RUN_LAST,
      0, NULL, NULL, NULL, G_TYPE_NONE, 1, GST_KVS_TYPE_MESSAGE);
  signals[SIGNAL_LOST] = g_signal_new ("lost", type, G_SIGNAL_RUN_LAST, 0,
      NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SIGNAL_CLOSED] = g_signal_new ("closed", type, G_SIGNAL_RUN_LAST, 0,
      NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_MAX_AGE] = g_signal_new ("max-age", type, G_SIGNAL_RUN_LAST,
      0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_WRITABLE] = g_signal_new ("writable", type,
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}
