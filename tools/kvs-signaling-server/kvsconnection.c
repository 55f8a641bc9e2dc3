/* kvs-signaling-server: one signaling WebSocket (a master or a viewer).
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>
#include "gstkvserror.h"
#include "gstkvsserviceframe.h"
#include "gstkvstokenbucket.h"
#include "kvsconnection.h"
#include "kvsdeadline.h"

GST_DEBUG_CATEGORY_STATIC (kvs_connection_debug);
#define GST_CAT_DEFAULT kvs_connection_debug

/* The service's per-connection quotas (messages per second). */
#define KVS_RATE_SDP_OFFER 5.0
#define KVS_RATE_SDP_ANSWER 5.0
#define KVS_RATE_ICE_CANDIDATE 20.0

/* libsoup refuses (and closes on) frames above its own limit; keep that
 * limit well above ours so that an oversize frame only costs a
 * STATUS_RESPONSE, not the connection. */
#define KVS_SOUP_PAYLOAD_FACTOR 4

struct _KvsConnection
{
  GObject parent;

  SoupWebsocketConnection *ws;
  KvsActivityStream *stream;
  GSocket *socket;
  gchar *remote_address;
  gchar *channel_arn;
  GstKvsRole role;
  gchar *client_id;
  gchar *description;
  GDateTime *since;
  gint64 connected_at;          /* monotonic */
  const KvsServerConfig *config;
  KvsCounters *counters;

  GstKvsTokenBucket offers;
  GstKvsTokenBucket answers;
  GstKvsTokenBucket candidates;

  KvsDeadlineQueue *deadlines;
  KvsDeadline idle;
  KvsDeadline max_duration;
  KvsDeadline grace;

  gboolean closing;             /* close asked: ignore what still arrives */
  gboolean retired;             /* ... except when replaced (retired):
                                 * what it still receives is relayed */
  gboolean closed;              /* "closed" emitted */
  gboolean go_away_sent;
  guint64 messages_received;
  guint64 frames_sent;
};

enum
{
  SIGNAL_MESSAGE,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (KvsConnection, kvs_connection, G_TYPE_OBJECT);

static void
kvs_connection_clear_timers (KvsConnection * self)
{
  kvs_deadline_cancel (&self->idle);
  kvs_deadline_cancel (&self->max_duration);
  kvs_deadline_cancel (&self->grace);
}

static void
kvs_connection_finalize (GObject * object)
{
  KvsConnection *self = KVS_CONNECTION (object);

  GST_DEBUG ("finalizing %s", self->description);

  kvs_connection_clear_timers (self);
  if (self->ws) {
    g_signal_handlers_disconnect_by_data (self->ws, self);
    if (soup_websocket_connection_get_state (self->ws) ==
        SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close (self->ws,
          SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
    g_clear_object (&self->ws);
  }
  g_clear_object (&self->stream);
  g_clear_object (&self->socket);
  g_free (self->remote_address);
  g_free (self->channel_arn);
  g_free (self->client_id);
  g_free (self->description);
  g_clear_pointer (&self->since, g_date_time_unref);

  G_OBJECT_CLASS (kvs_connection_parent_class)->finalize (object);
}

static void
kvs_connection_class_init (KvsConnectionClass * klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kvs_connection_finalize;

  /**
   * KvsConnection::message:
   * @message: a valid GstKvsMessage the client sent
   *
   * A message passed every check and is ready to be routed.
   */
  signals[SIGNAL_MESSAGE] = g_signal_new ("message",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, GST_KVS_TYPE_MESSAGE | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * KvsConnection::closed:
   *
   * The WebSocket is closed (emitted once).
   */
  signals[SIGNAL_CLOSED] = g_signal_new ("closed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 0);

  GST_DEBUG_CATEGORY_INIT (kvs_connection_debug, "kvsserverconnection", 0,
      "kvs-signaling-server WebSocket connections");
}

static void
kvs_connection_init (KvsConnection * self)
{
}

gboolean
kvs_connection_is_open (KvsConnection * self)
{
  g_return_val_if_fail (KVS_IS_CONNECTION (self), FALSE);

  return !self->closing && !self->closed &&
      soup_websocket_connection_get_state (self->ws) ==
      SOUP_WEBSOCKET_STATE_OPEN;
}

gboolean
kvs_connection_send_frame (KvsConnection * self, const gchar * frame)
{
  g_return_val_if_fail (KVS_IS_CONNECTION (self), FALSE);

  if (self->closed || soup_websocket_connection_get_state (self->ws) !=
      SOUP_WEBSOCKET_STATE_OPEN)
    return FALSE;

  GST_LOG ("to %s: %s", self->description, frame);
  soup_websocket_connection_send_text (self->ws, frame);
  self->frames_sent++;
  return TRUE;
}

gboolean
kvs_connection_send_status (KvsConnection * self,
    const gchar * correlation_id, const gchar * error_type,
    guint status_code, const gchar * description)
{
  g_autofree gchar *frame = NULL;

  g_return_val_if_fail (KVS_IS_CONNECTION (self), FALSE);

  if (correlation_id == NULL || *correlation_id == '\0') {
    GST_INFO ("%s: %s (%s), no correlationId: nothing sent",
        self->description, error_type, description);
    return FALSE;
  }

  GST_INFO ("%s: %s (%s), STATUS_RESPONSE for correlationId '%s'",
      self->description, error_type, description, correlation_id);
  frame = gst_kvs_message_status_response_frame (correlation_id, error_type,
      status_code, description);
  if (!kvs_connection_send_frame (self, frame))
    return FALSE;
  self->counters->status_responses++;
  return TRUE;
}

gboolean
kvs_connection_send_status_always (KvsConnection * self,
    const gchar * correlation_id, const gchar * error_type,
    guint status_code, const gchar * description)
{
  g_autoptr (JsonBuilder) b = NULL;
  g_autoptr (JsonGenerator) gen = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *code = NULL;
  g_autofree gchar *frame = NULL;

  g_return_val_if_fail (KVS_IS_CONNECTION (self), FALSE);

  if (correlation_id != NULL && *correlation_id != '\0')
    return kvs_connection_send_status (self, correlation_id, error_type,
        status_code, description);

  GST_INFO ("%s: %s (%s), STATUS_RESPONSE without correlationId",
      self->description, error_type, description);
  code = g_strdup_printf ("%u", status_code);
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "messageType");
  json_builder_add_string_value (b, "STATUS_RESPONSE");
  json_builder_set_member_name (b, "statusResponse");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "errorType");
  json_builder_add_string_value (b, error_type);
  json_builder_set_member_name (b, "statusCode");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, description);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  gen = json_generator_new ();
  json_generator_set_root (gen, root);
  frame = json_generator_to_data (gen, NULL);
  if (!kvs_connection_send_frame (self, frame))
    return FALSE;
  self->counters->status_responses++;
  return TRUE;
}

static void
kvs_connection_reject (KvsConnection * self, const gchar * correlation_id,
    GstKvsError code, const gchar * description)
{
  const gchar *name = gst_kvs_error_to_aws_name (code);

  if (name == NULL)
    name = code == GST_KVS_ERROR_CLIENT_LIMIT_EXCEEDED ?
        "ClientLimitExceededException" : "InvalidArgumentException";

  if (code == GST_KVS_ERROR_CLIENT_LIMIT_EXCEEDED)
    self->counters->messages_throttled++;
  else
    self->counters->messages_dropped++;

  kvs_connection_send_status (self, correlation_id, name, 400, description);
}

/* The correlationId of a frame that is refused before it is parsed (binary,
 * too large), when one can be read at all. */
static gchar *
kvs_connection_peek_correlation_id (KvsConnection * self, const gchar * data,
    gsize len)
{
  g_autoptr (GstKvsMessage) msg = NULL;
  g_autoptr (GError) error = NULL;
  gchar *correlation_id = NULL;

  msg = gst_kvs_message_parse_client_frame (data, len,
      len + 1, &correlation_id, &error);
  if (msg != NULL && correlation_id == NULL && msg->correlation_id != NULL)
    correlation_id = g_strdup (msg->correlation_id);
  return correlation_id;
}

static gboolean
kvs_connection_take_token (KvsConnection * self, GstKvsMessageType type,
    const gchar ** what)
{
  switch (type) {
    case GST_KVS_MESSAGE_TYPE_SDP_OFFER:
      *what = "5 SDP offers";
      return gst_kvs_token_bucket_take (&self->offers,
          g_get_monotonic_time ()) == 0;
    case GST_KVS_MESSAGE_TYPE_SDP_ANSWER:
      *what = "5 SDP answers";
      return gst_kvs_token_bucket_take (&self->answers,
          g_get_monotonic_time ()) == 0;
    case GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE:
      *what = "20 ICE candidates";
      return gst_kvs_token_bucket_take (&self->candidates,
          g_get_monotonic_time ()) == 0;
    default:
      *what = "messages";
      return TRUE;
  }
}

/* libsoup registers "message" without a marshaller, so GLib would call the
 * handler through libffi (g_cclosure_marshal_generic) for every frame: a
 * marshaller for its (gint, GBytes *) arguments. */
static void
kvs_marshal_VOID__INT_BOXED (GClosure * closure, GValue * return_value,
    guint n_param_values, const GValue * param_values,
    gpointer invocation_hint, gpointer marshal_data)
{
  typedef void (*KvsMessageFunc) (gpointer instance, gint type,
      gpointer bytes, gpointer data);
  GCClosure *cc = (GCClosure *) closure;
  gpointer instance, data;
  KvsMessageFunc callback;

  g_return_if_fail (n_param_values == 3);
  if (G_CCLOSURE_SWAP_DATA (closure)) {
    instance = closure->data;
    data = g_value_peek_pointer (param_values + 0);
  } else {
    instance = g_value_peek_pointer (param_values + 0);
    data = closure->data;
  }
  callback = (KvsMessageFunc) (marshal_data ? marshal_data : cc->callback);
  callback (instance, g_value_get_int (param_values + 1),
      g_value_get_boxed (param_values + 2), data);
}

static void
kvs_connection_on_message (SoupWebsocketConnection * ws, gint type,
    GBytes * bytes, KvsConnection * self)
{
  g_autoptr (GstKvsMessage) msg = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *correlation_id = NULL;
  g_autofree gchar *text = NULL;
  const gchar *data;
  const gchar *what = NULL;
  gsize len;

  if (self->closed || (self->closing && !self->retired))
    return;

  data = g_bytes_get_data (bytes, &len);
  GST_LOG ("from %s: %" G_GSIZE_FORMAT " bytes (%s)", self->description, len,
      type == SOUP_WEBSOCKET_DATA_TEXT ? "text" : "binary");

  if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    correlation_id = kvs_connection_peek_correlation_id (self, data, len);
    kvs_connection_reject (self, correlation_id,
        GST_KVS_ERROR_INVALID_ARGUMENT,
        "Binary frames are not accepted: send messages as text frames");
    return;
  }

  if (len > self->config->max_frame_size) {
    correlation_id = kvs_connection_peek_correlation_id (self, data, len);
    text = g_strdup_printf ("The message of %" G_GSIZE_FORMAT " bytes is "
        "larger than the limit of %u bytes", len, self->config->max_frame_size);
    kvs_connection_reject (self, correlation_id,
        GST_KVS_ERROR_INVALID_ARGUMENT, text);
    return;
  }

  msg = gst_kvs_message_parse_client_frame (data, len,
      self->config->max_frame_size, &correlation_id, &error);
  if (msg == NULL) {
    kvs_connection_reject (self, correlation_id,
        GST_KVS_ERROR_INVALID_ARGUMENT,
        error ? error->message : "The message is not valid");
    return;
  }
  g_free (correlation_id);
  correlation_id = g_strdup (msg->correlation_id);

  if (self->role == GST_KVS_ROLE_MASTER &&
      (msg->recipient_client_id == NULL || *msg->recipient_client_id == '\0')) {
    kvs_connection_reject (self, correlation_id,
        GST_KVS_ERROR_INVALID_ARGUMENT,
        "The recipientClientId is required for messages sent by the master");
    return;
  }

  if (!kvs_connection_take_token (self, msg->type, &what)) {
    text = g_strdup_printf ("Rate exceeded: at most %s per second on one "
        "connection", what);
    kvs_connection_reject (self, correlation_id,
        GST_KVS_ERROR_CLIENT_LIMIT_EXCEEDED, text);
    return;
  }

  self->messages_received++;
  self->counters->messages_received++;
  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, msg);
  g_object_unref (self);
}

static void
kvs_connection_on_error (SoupWebsocketConnection * ws, GError * error,
    KvsConnection * self)
{
  GST_INFO ("%s: WebSocket error: %s", self->description, error->message);
}

static void
kvs_connection_on_closed (SoupWebsocketConnection * ws, KvsConnection * self)
{
  if (self->closed)
    return;

  GST_INFO ("%s closed (code %u)", self->description,
      soup_websocket_connection_get_close_code (ws));
  self->closed = TRUE;
  kvs_connection_clear_timers (self);
  self->counters->connections_current--;

  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
  g_object_unref (self);
}

void
kvs_connection_close (KvsConnection * self, gushort code, const gchar * reason)
{
  g_return_if_fail (KVS_IS_CONNECTION (self));

  self->closing = TRUE;
  kvs_connection_clear_timers (self);
  if (soup_websocket_connection_get_state (self->ws) ==
      SOUP_WEBSOCKET_STATE_OPEN) {
    GST_INFO ("closing %s: %u %s", self->description, code, reason);
    soup_websocket_connection_close (self->ws, code, reason);
  }
}

void
kvs_connection_retire (KvsConnection * self, gushort code, const gchar * reason)
{
  g_return_if_fail (KVS_IS_CONNECTION (self));

  self->retired = TRUE;
  kvs_connection_close (self, code, reason);
}

void
kvs_connection_drop (KvsConnection * self)
{
  g_autoptr (GError) error = NULL;

  g_return_if_fail (KVS_IS_CONNECTION (self));

  GST_INFO ("dropping %s without a close frame", self->description);
  self->closing = TRUE;
  kvs_connection_clear_timers (self);
  if (!g_socket_shutdown (self->socket, TRUE, TRUE, &error))
    GST_INFO ("shutdown of %s: %s", self->description, error->message);
  /* libsoup sees the end of the stream and reports "closed". */
}

/* A payload-less frame of the service: {"messageType":"GO_AWAY"}, ... */
static void
kvs_connection_send_typed (KvsConnection * self, GstKvsMessageType type)
{
  g_autoptr (GstKvsMessage) msg = gst_kvs_message_new (type);
  g_autofree gchar *frame = gst_kvs_message_to_service_frame (msg, NULL);

  kvs_connection_send_frame (self, frame);
}

static void
kvs_connection_on_grace_over (gpointer owner)
{
  KvsConnection *self = owner;
  kvs_connection_close (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "Going away");
}

void
kvs_connection_go_away (KvsConnection * self)
{
  g_return_if_fail (KVS_IS_CONNECTION (self));

  if (self->closing || self->closed)
    return;

  GST_INFO ("GO_AWAY to %s, closing in %u s", self->description,
      self->config->go_away_grace);
  kvs_connection_send_typed (self, GST_KVS_MESSAGE_TYPE_GO_AWAY);
  self->go_away_sent = TRUE;
  if (!kvs_deadline_is_pending (&self->grace))
    /* Microseconds, not whole seconds rounded (as g_timeout_add_seconds
     * does): that could fire early, cutting the grace period short. */
    kvs_deadline_schedule (&self->grace, self->deadlines, self,
        (gint64) self->config->go_away_grace * G_USEC_PER_SEC,
        kvs_connection_on_grace_over);
}

void
kvs_connection_reconnect_ice_server (KvsConnection * self)
{
  g_return_if_fail (KVS_IS_CONNECTION (self));

  GST_INFO ("RECONNECT_ICE_SERVER to %s", self->description);
  kvs_connection_send_typed (self, GST_KVS_MESSAGE_TYPE_RECONNECT_ICE_SERVER);
}

static void
kvs_connection_on_max_duration (gpointer owner)
{
  KvsConnection *self = owner;
  GST_INFO ("%s reached the maximum connection duration of %u s",
      self->description, self->config->max_connection_duration);
  kvs_connection_go_away (self);
}

static void kvs_connection_on_idle_check (gpointer owner);

static void
kvs_connection_schedule_idle_check (KvsConnection * self, gint64 delay_us)
{
  kvs_deadline_schedule (&self->idle, self->deadlines, self, delay_us,
      kvs_connection_on_idle_check);
}

/* Not re-armed per message: when it fires, it looks at the last activity
 * and sleeps again until that plus the idle timeout. */
static void
kvs_connection_on_idle_check (gpointer owner)
{
  KvsConnection *self = owner;
  gint64 last, deadline, now;

  last = MAX (self->connected_at,
      kvs_activity_stream_get_last_activity (self->stream));
  deadline = last + (gint64) self->config->idle_timeout * G_USEC_PER_SEC;
  now = g_get_monotonic_time ();
  if (now >= deadline) {
    GST_INFO ("%s idle for %u s", self->description,
        self->config->idle_timeout);
    kvs_connection_close (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
        "Idle timeout");
  } else {
    kvs_connection_schedule_idle_check (self, deadline - now);
  }
}

KvsConnection *
kvs_connection_new (SoupWebsocketConnection * ws, KvsActivityStream * stream,
    GSocket * socket, GSocketAddress * remote_address,
    const gchar * channel_arn, GstKvsRole role, const gchar * client_id,
    const KvsServerConfig * config, KvsCounters * counters)
{
  GClosure *closure;
  KvsConnection *self;

  g_return_val_if_fail (SOUP_IS_WEBSOCKET_CONNECTION (ws), NULL);
  g_return_val_if_fail (KVS_IS_ACTIVITY_STREAM (stream), NULL);
  g_return_val_if_fail (G_IS_SOCKET (socket), NULL);

  self = g_object_new (KVS_TYPE_CONNECTION, NULL);
  self->ws = g_object_ref (ws);
  self->stream = g_object_ref (stream);
  self->socket = g_object_ref (socket);
  if (G_IS_INET_SOCKET_ADDRESS (remote_address)) {
    GInetSocketAddress *isa = G_INET_SOCKET_ADDRESS (remote_address);
    g_autofree gchar *ip =
        g_inet_address_to_string (g_inet_socket_address_get_address (isa));

    self->remote_address = g_strdup_printf (strchr (ip, ':') ? "[%s]:%u" :
        "%s:%u", ip, g_inet_socket_address_get_port (isa));
  }
  self->channel_arn = g_strdup (channel_arn);
  self->role = role;
  self->client_id = role == GST_KVS_ROLE_VIEWER ? g_strdup (client_id) : NULL;
  self->description = role == GST_KVS_ROLE_MASTER ? g_strdup ("master") :
      g_strdup_printf ("viewer '%s'", client_id);
  self->since = g_date_time_new_now_utc ();
  self->connected_at = g_get_monotonic_time ();
  self->config = config;
  self->counters = counters;

  self->deadlines = kvs_deadline_queue_get_thread_default ();
  /* The service's buckets hold one second of their rate. */
  gst_kvs_token_bucket_init (&self->offers, KVS_RATE_SDP_OFFER,
      KVS_RATE_SDP_OFFER, self->connected_at);
  gst_kvs_token_bucket_init (&self->answers, KVS_RATE_SDP_ANSWER,
      KVS_RATE_SDP_ANSWER, self->connected_at);
  gst_kvs_token_bucket_init (&self->candidates, KVS_RATE_ICE_CANDIDATE,
      KVS_RATE_ICE_CANDIDATE, self->connected_at);

  soup_websocket_connection_set_max_incoming_payload_size (ws,
      (guint64) config->max_frame_size * KVS_SOUP_PAYLOAD_FACTOR);
  /* The service never pings on its own: only the client's activity counts. */
  soup_websocket_connection_set_keepalive_interval (ws, 0);

  closure = g_cclosure_new (G_CALLBACK (kvs_connection_on_message), self, NULL);
  g_closure_set_marshal (closure, kvs_marshal_VOID__INT_BOXED);
  g_signal_connect_closure (ws, "message", closure, FALSE);
  g_signal_connect (ws, "error", G_CALLBACK (kvs_connection_on_error), self);
  g_signal_connect (ws, "closed", G_CALLBACK (kvs_connection_on_closed), self);

  if (config->idle_timeout > 0)
    kvs_connection_schedule_idle_check (self,
        (gint64) config->idle_timeout * G_USEC_PER_SEC);
  if (config->max_connection_duration > 0)
    kvs_deadline_schedule (&self->max_duration, self->deadlines, self,
        (gint64) config->max_connection_duration * G_USEC_PER_SEC,
        kvs_connection_on_max_duration);

  counters->connections_total++;
  counters->connections_current++;
  GST_INFO ("%s connected to %s from %s", self->description, channel_arn,
      GST_STR_NULL (self->remote_address));
  return self;
}

const gchar *
kvs_connection_get_channel_arn (KvsConnection * self)
{
  g_return_val_if_fail (KVS_IS_CONNECTION (self), NULL);
  return self->channel_arn;
}

GstKvsRole
kvs_connection_get_role (KvsConnection * self)
{
  g_return_val_if_fail (KVS_IS_CONNECTION (self), GST_KVS_ROLE_VIEWER);
  return self->role;
}

const gchar *
kvs_connection_get_client_id (KvsConnection * self)
{
  g_return_val_if_fail (KVS_IS_CONNECTION (self), NULL);
  return self->client_id;
}

const gchar *
kvs_connection_get_description (KvsConnection * self)
{
  g_return_val_if_fail (KVS_IS_CONNECTION (self), NULL);
  return self->description;
}

JsonNode *
kvs_connection_to_json (KvsConnection * self, const gchar * channel_name)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree gchar *since = NULL;
  gint64 last;

  g_return_val_if_fail (KVS_IS_CONNECTION (self), NULL);

  since = g_date_time_format_iso8601 (self->since);
  last = MAX (self->connected_at,
      kvs_activity_stream_get_last_activity (self->stream));

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "channelArn");
  json_builder_add_string_value (b, self->channel_arn);
  json_builder_set_member_name (b, "channelName");
  json_builder_add_string_value (b, channel_name);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b,
      self->role == GST_KVS_ROLE_MASTER ? "master" : "viewer");
  json_builder_set_member_name (b, "clientId");
  if (self->client_id)
    json_builder_add_string_value (b, self->client_id);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "connectedSince");
  json_builder_add_string_value (b, since);
  json_builder_set_member_name (b, "remoteAddress");
  json_builder_add_string_value (b, self->remote_address);
  json_builder_set_member_name (b, "idleMs");
  json_builder_add_int_value (b, (g_get_monotonic_time () - last) / 1000);
  json_builder_set_member_name (b, "messagesReceived");
  json_builder_add_int_value (b, self->messages_received);
  json_builder_set_member_name (b, "framesSent");
  json_builder_add_int_value (b, self->frames_sent);
  json_builder_set_member_name (b, "goAwaySent");
  json_builder_add_boolean_value (b, self->go_away_sent);
  json_builder_set_member_name (b, "closing");
  json_builder_add_boolean_value (b, self->closing);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
