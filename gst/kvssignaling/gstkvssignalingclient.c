/* kvssignaling: one signaling connection to a KVS channel.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * SECTION:gstkvssignalingclient
 * @title: GstKvsSignalingClient
 * @short_description: one KVS WebRTC signaling connection
 *
 * Threading: the client owns one #GThread running its own #GMainContext.
 * The #SoupSession, the REST calls, each WebSocket connection and every
 * timer live in that thread only. Public methods may be called
 * from any thread: configuration and status are guarded by one mutex, sends
 * go through a locked, bounded queue and an idle source attached to the
 * client's context, and stop() attaches a shutdown source and joins the
 * thread (or, called from the client's own thread, shuts down in place and
 * lets the thread finish by itself). Every signal is emitted from the
 * client's thread.
 *
 * Life cycle: GET_CREDENTIALS → DESCRIBE (→ CREATE) → GET_ENDPOINT →
 * GET_ICE_CONFIG → CONNECTING → CONNECTED. Any failure that can heal
 * (5xx, network, timeouts, closes, a 404 on the WebSocket) leads to
 * DISCONNECTED and a new attempt after an exponential backoff with full
 * jitter (100 ms doubling to 10 s, reset after a stable minute); failures
 * that cannot heal (unknown channel without create-channel, credentials
 * rejected three times in a row) lead to FAILED and the "error" signal.
 * A 403 whose Date shows clock skew corrects the clock offset used by every
 * signature, the presigned WebSocket URL included; a 404 drops the cached
 * ARN and endpoints. GO_AWAY, and a connection nearing the service's
 * one-hour limit (max-connection-age), open a new connection first and
 * close the old one once it is up (make before break); meanwhile nothing
 * more is written on the old one (outgoing messages wait in the queue and
 * go out in order on the new one, or are reported through "send-failed"
 * after send-timeout) and it is still read until it is closed. The state
 * stays CONNECTED throughout, unless the replacement fails. WebSocket pings
 * every keepalive-interval; no pong nor frame for two intervals means a dead
 * connection.
 *
 * Inside, the client is the supervisor (thread, state machine, reconnect
 * timer) of internal parts, one per file: docs/how-it-works.md draws them.
 *
 * TLS is always verified; ca-file replaces the system's authorities. GIO's
 * default proxy resolver (libproxy, not safe across threads on Debian 12)
 * is not used: proxies come from https_proxy/http_proxy/all_proxy/no_proxy.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/gst.h>
#include <libsoup/soup.h>

#include "gstkvssignalingclient.h"
#include "gstkvsenumtypes.h"
#include "gstkvschannelresolver.h"
#include "gstkvswsconnection.h"
#include "gstkvssignalingrun.h"
#include "gstkvsconnect.h"
#include "gstkvsclientconfig.h"
#include "gstkvsclientstats.h"
#include "gstkvsoutbox.h"
#include "gstkvsowner.h"
#include "gstkvsbackoff.h"
#include "gstkvsfailurepolicy.h"
#include "gstkvshandover.h"
#include "gstkvsclientcredentials.h"

GST_DEBUG_CATEGORY_STATIC (gst_kvs_signaling_client_debug);
#define GST_CAT_DEFAULT gst_kvs_signaling_client_debug

/* Outgoing messages waiting for a connection. */
#define MAX_QUEUED_MESSAGES 512

enum
{
  PROP_STATE = GST_KVS_CLIENT_N_CONFIG_PROPS,
  N_PROPERTIES
};

enum
{
  SIGNAL_STATE_CHANGED,
  SIGNAL_SDP_OFFER,
  SIGNAL_SDP_ANSWER,
  SIGNAL_ICE_CANDIDATE,
  SIGNAL_STATUS_RESPONSE,
  SIGNAL_GO_AWAY,
  SIGNAL_RECONNECT_ICE_SERVER,
  SIGNAL_MESSAGE_SENT,
  SIGNAL_SEND_FAILED,
  SIGNAL_ICE_SERVERS_CHANGED,
  SIGNAL_ERROR,
  SIGNAL_CONNECT_FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPERTIES];
static guint signals[N_SIGNALS];

struct _GstKvsSignalingClient
{
  GObject parent;

  GMutex lock;
  /* Serialises start() and stop() from outside the client's thread. */
  GMutex start_lock;

  /* Configuration (lock). */
  GstKvsSettings config;

  /* The credential chain and the credentials in use, for the client's
   * life (gstkvsclientcredentials.c). */
  GstKvsClientCredentials *credentials;

  /* Status (lock). */
  GstKvsSignalingState state;
  GstKvsOutbox *outbox;
  GThread *thread;
  GMainContext *context;
  gboolean thread_finishing;    /* detached thread still cleaning up */

  /* What the client found out and counted (its own lock). */
  GstKvsClientStatus status;

  /* The current run: made by start(), freed when its thread ends; touched
   * by the client's thread only. */
  GstKvsSignalingRun *run;
  GObject *self_ref;            /* held by a detached thread */
};

G_DEFINE_TYPE_WITH_CODE (GstKvsSignalingClient, gst_kvs_signaling_client,
    G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (gst_kvs_signaling_client_debug,
        "kvssignalingclient", 0, "KVS signaling client"));

static void begin_attempt (GstKvsSignalingClient * self);
static void attempt_failed (GstKvsSignalingClient * self,
    GstKvsSignalingState step, const GError * error);
static guint schedule_reconnect (GstKvsSignalingClient * self, gint delay);

/* ------------------------------------------------------------------ */
/* small helpers */

static const gchar *
state_nick (GstKvsSignalingState state)
{
  GEnumClass *klass = g_type_class_peek (GST_TYPE_KVS_SIGNALING_STATE);
  GEnumValue *v = klass ? g_enum_get_value (klass, state) : NULL;

  return v ? v->value_nick : "?";
}

static const gchar *
role_nick (GstKvsRole role)
{
  return role == GST_KVS_ROLE_VIEWER ? "viewer" : "master";
}

static GSource *
add_timeout (GstKvsSignalingClient * self, guint ms, GSourceFunc func)
{
  return gst_kvs_timeout_add (self->context, ms, func, self);
}

/* Called first thing in a timeout callback that returns G_SOURCE_REMOVE. */
static void
source_fired (GSource ** source)
{
  g_clear_pointer (source, g_source_unref);
}

static void
set_state (GstKvsSignalingClient * self, GstKvsSignalingState state)
{
  GstKvsSignalingState old;

  g_mutex_lock (&self->lock);
  old = self->state;
  self->state = state;
  g_mutex_unlock (&self->lock);

  if (old == state)
    return;

  GST_INFO_OBJECT (self, "state %s -> %s", state_nick (old),
      state_nick (state));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, state);
}

static GstKvsSignalingState
read_state (GstKvsSignalingClient * self)
{
  GstKvsSignalingState state;

  g_mutex_lock (&self->lock);
  state = self->state;
  g_mutex_unlock (&self->lock);
  return state;
}

/* A message waited in vain (outbox's "send-failed"): counted, forwarded. */
static void
on_outbox_send_failed (GstKvsOutbox * outbox, GstKvsMessage * msg,
    GError * error, gpointer user_data)
{
  GstKvsSignalingClient *self = user_data;

  gst_kvs_client_status_send_failed (&self->status);
  g_signal_emit (self, signals[SIGNAL_SEND_FAILED], 0, msg, error);
}

static void
fail_outgoing (GstKvsSignalingClient * self, const gchar * reason)
{
  gst_kvs_outbox_fail_all (self->outbox, reason);
}

/* ------------------------------------------------------------------ */
/* giving up */

static void
fail (GstKvsSignalingClient * self, const GError * error)
{
  GST_ERROR_OBJECT (self, "giving up: %s", error->message);
  gst_kvs_signaling_run_halt (self->run);
  set_state (self, GST_KVS_SIGNALING_STATE_FAILED);
  g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
  fail_outgoing (self, "the signaling client failed");
}

/* ------------------------------------------------------------------ */
/* outgoing queue */

/* Messages are written on the active connection only while it is not being
 * replaced (gstkvshandover.c) and no attempt is opening a new one; else they
 * wait in the queue, timed by send-timeout, and go out in order on the new
 * connection. */
static GstKvsWsConnection *
conn_writable (GstKvsSignalingClient * self)
{
  return self->run->attempt_active ? NULL :
      gst_kvs_handover_writable (self->run->handover);
}

/* Sends what the connection's pacing allows, in order (a handler of
 * "message-sent" may stop the client: asked again each time). */
static void
flush_outgoing (GstKvsSignalingClient * self)
{
  GstKvsWsConnection *conn;
  GstKvsMessage *msg;

  GST_KVS_CHECK_OWNER (self->context);

  while (!self->run->stopping && (conn = conn_writable (self)) &&
      (msg = gst_kvs_outbox_write_next (self->outbox, conn))) {
    gst_kvs_client_status_message (&self->status, TRUE, msg->type);
    g_signal_emit (self, signals[SIGNAL_MESSAGE_SENT], 0, msg);
    gst_kvs_message_unref (msg);
  }
}

/* Queued by send() and start(): sends what it can, times what is left. */
static gboolean
flush_idle (gpointer user_data)
{
  GstKvsSignalingClient *self = user_data;

  flush_outgoing (self);
  gst_kvs_outbox_arm (self->outbox);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ */
/* backoff and reconnect */

static gboolean
reconnect_timeout (gpointer user_data)
{
  GstKvsSignalingClient *self = user_data;

  source_fired (&self->run->reconnect_source);
  if (!self->run->stopping)
    begin_attempt (self);
  return G_SOURCE_REMOVE;
}

/* Schedules the next attempt after @delay ms (-1: the backoff's). Returns
 * the delay, or G_MAXUINT when no attempt was scheduled (stopping, or one
 * is already on its way). */
static guint
schedule_reconnect (GstKvsSignalingClient * self, gint delay)
{
  if (self->run->stopping || self->run->reconnect_source
      || self->run->attempt_active)
    return G_MAXUINT;

  if (delay < 0)
    delay = gst_kvs_backoff_next (&self->run->backoff);

  GST_INFO_OBJECT (self, "reconnecting in %d ms", delay);
  self->run->reconnect_source = add_timeout (self, delay, reconnect_timeout);
  return delay;
}

/* Tells the handlers of "connect-failed" that the client retries. */
static void
report_retry (GstKvsSignalingClient * self, GstKvsSignalingState step,
    const GError * error, guint delay)
{
  if (delay == G_MAXUINT)
    return;
  g_signal_emit (self, signals[SIGNAL_CONNECT_FAILED], 0, step, error, delay);
}

static gboolean
stable_timeout (gpointer user_data)
{
  GstKvsSignalingClient *self = user_data;

  source_fired (&self->run->stable_source);
  GST_DEBUG_OBJECT (self, "connection stable, backoff reset");
  gst_kvs_backoff_reset (&self->run->backoff);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ */
/* WebSocket connections */

/* The active connection is gone (@why: GST_KVS_ERROR_REPLACED when a newer
 * connection of the same identity took its place): heal. */
static void
on_handover_lost (GstKvsHandover * handover, const GError * why,
    gint64 up_since, gboolean replacing, gpointer user_data)
{
  GstKvsSignalingClient *self = user_data;
  guint delay;

  gst_kvs_source_clear (&self->run->stable_source);
  if (replacing) {
    /* The service may close the old connection as soon as it has attached
     * the new one, before the client has seen the handshake's reply:
     * messages wait for it. The state stays, unless the replacement
     * fails. */
    GST_INFO_OBJECT (self, "old connection gone while its replacement "
        "opens: %s", why->message);
    return;
  }
  GST_WARNING_OBJECT (self, "connection lost: %s", why->message);
  set_state (self, GST_KVS_SIGNALING_STATE_DISCONNECTED);
  if (g_error_matches (why, GST_KVS_ERROR, GST_KVS_ERROR_REPLACED))
    delay = schedule_reconnect (self,
        gst_kvs_backoff_next_replaced (&self->run->backoff, up_since,
            g_get_monotonic_time ()));
  else
    delay = schedule_reconnect (self, -1);
  report_retry (self, GST_KVS_SIGNALING_STATE_CONNECTED, why, delay);
}

static guint
get_keepalive_interval (GstKvsSignalingClient * self)
{
  guint interval;

  g_mutex_lock (&self->lock);
  interval = self->config.keepalive_interval;
  g_mutex_unlock (&self->lock);
  return interval;
}

/* @conn completed its handshake and is the active connection. */
static void
on_handover_up (GstKvsHandover * handover, GstKvsWsConnection * conn,
    gpointer user_data)
{
  GstKvsSignalingClient *self = user_data;

  GST_INFO_OBJECT (self, "connected");
  gst_kvs_failure_policy_connected (&self->run->failures);
  gst_kvs_client_credentials_connected (self->credentials);
  gst_kvs_client_status_connected (&self->status);

  gst_kvs_source_clear (&self->run->stable_source);
  self->run->stable_source =
      add_timeout (self, GST_KVS_BACKOFF_STABLE_S * 1000, stable_timeout);
  gst_kvs_ws_connection_start (conn, get_keepalive_interval (self),
      self->run->max_age_s);

  set_state (self, GST_KVS_SIGNALING_STATE_CONNECTED);
  flush_outgoing (self);
}

/* ------------------------------------------------------------------ */
/* incoming messages */

static void
on_handover_message (GstKvsHandover * handover, GstKvsWsConnection * conn,
    GstKvsMessage * msg, gpointer user_data)
{
  GstKvsSignalingClient *self = user_data;
  static const guint signal_of_type[] = {
    [GST_KVS_MESSAGE_TYPE_SDP_OFFER] = SIGNAL_SDP_OFFER,
    [GST_KVS_MESSAGE_TYPE_SDP_ANSWER] = SIGNAL_SDP_ANSWER,
    [GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE] = SIGNAL_ICE_CANDIDATE,
    [GST_KVS_MESSAGE_TYPE_STATUS_RESPONSE] = SIGNAL_STATUS_RESPONSE,
    [GST_KVS_MESSAGE_TYPE_GO_AWAY] = SIGNAL_GO_AWAY,
    [GST_KVS_MESSAGE_TYPE_RECONNECT_ICE_SERVER] = SIGNAL_RECONNECT_ICE_SERVER,
  };

  GST_DEBUG_OBJECT (self, "received %s%s%s",
      gst_kvs_message_type_to_string (msg->type),
      msg->sender_client_id ? " from " : "",
      msg->sender_client_id ? msg->sender_client_id : "");
  gst_kvs_client_status_message (&self->status, FALSE, msg->type);
  if (msg->type == GST_KVS_MESSAGE_TYPE_STATUS_RESPONSE) {
    GST_WARNING_OBJECT (self, "the service refused message %s: %s (%u) %s",
        GST_STR_NULL (msg->correlation_id), GST_STR_NULL (msg->error_type),
        msg->status_code, GST_STR_NULL (msg->description));
  }

  g_signal_emit (self, signals[signal_of_type[msg->type]], 0, msg);

  /* GO_AWAY: gstkvshandover.c replaces the connection */
  if (msg->type == GST_KVS_MESSAGE_TYPE_RECONNECT_ICE_SERVER)
    gst_kvs_channel_resolver_refresh_ice_config (self->run->resolver);
}

/* ------------------------------------------------------------------ */
/* the connect attempt */

static void
attempt_failed (GstKvsSignalingClient * self, GstKvsSignalingState step,
    const GError * error)
{
  g_autoptr (GError) fatal = NULL;
  GstKvsFailureAction action;
  guint delay;

  self->run->attempt_active = FALSE;
  if (self->run->stopping)
    return;

  /* Credentials the service says are expired (ExpiredTokenException, or an
   * expired signature): forget them, fetch new ones and retry at once,
   * once; a second refusal goes through the failure policy. */
  if (gst_kvs_client_credentials_expired (self->credentials, error)) {
    GST_INFO_OBJECT (self, "%s: retrying at once with new credentials",
        state_nick (step));
    set_state (self, GST_KVS_SIGNALING_STATE_DISCONNECTED);
    report_retry (self, step, error, schedule_reconnect (self, 0));
    return;
  }

  action = gst_kvs_failure_policy_judge (&self->run->failures, step, error,
      &fatal);
  if (action & GST_KVS_FAILURE_GIVE_UP) {
    fail (self, fatal);
    return;
  }
  if (action & GST_KVS_FAILURE_NEW_CREDENTIALS)
    gst_kvs_client_credentials_invalidate (self->credentials);
  if (action & GST_KVS_FAILURE_FORGET_CHANNEL)
    gst_kvs_channel_resolver_forget (self->run->resolver);

  GST_WARNING_OBJECT (self, "%s failed: %s", state_nick (step), error->message);
  set_state (self, GST_KVS_SIGNALING_STATE_DISCONNECTED);
  delay = schedule_reconnect (self, -1);
  report_retry (self, step, error, delay);
}

/* The connect procedure's hooks: a step begins, a call ended, ICE servers
 * came. */
static void
on_connect_step (GstKvsSignalingState step, gpointer user_data)
{
  GstKvsSignalingClient *self = user_data;
  const gchar *arn = gst_kvs_channel_resolver_get_arn (self->run->resolver);

  /* what a describe found, for gst_kvs_signaling_client_dup_channel_arn() */
  gst_kvs_client_status_set_arn (&self->status, arn);
  set_state (self, step);
}

static void
on_connect_duration (guint stat, gint64 started, gpointer user_data)
{
  GstKvsSignalingClient *self = user_data;

  gst_kvs_client_status_duration (&self->status, stat, started);
}

/* Keeps @servers (transfer full) and announces them. */
static void
store_ice_servers (GstKvsSignalingClient * self, GPtrArray * servers,
    gboolean refreshed)
{
  gst_kvs_client_status_set_ice_servers (&self->status, servers, refreshed);
  g_signal_emit (self, signals[SIGNAL_ICE_SERVERS_CHANGED], 0);
}

static void
on_connect_ice_servers (GPtrArray * servers, gpointer user_data)
{
  store_ice_servers (user_data, servers, FALSE);
}

static const GstKvsConnectHooks connect_hooks = {
  on_connect_step, on_connect_duration, on_connect_ice_servers
};

static void
attempt_cb (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GstKvsSignalingClient *self = user_data;
  g_autoptr (GError) error = NULL;
  GstKvsSignalingState step;
  GstKvsWsConnection *conn;

  conn = gst_kvs_connect_finish (res, &step, &error);
  self->run->pending_ops--;
  if (self->run->stopping) {
    g_clear_object (&conn);
    return;
  }
  if (conn) {
    self->run->attempt_active = FALSE;
    gst_kvs_handover_adopt (self->run->handover, conn);
  } else {
    attempt_failed (self, step, error);
  }
}

static void
credentials_cb (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GstKvsSignalingClient *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstKvsCredentials) creds = NULL;
  gboolean create_channel;
  guint ttl;

  creds = gst_kvs_client_credentials_get_finish (self->credentials, res,
      &error);
  self->run->pending_ops--;
  if (self->run->stopping)
    return;
  if (!creds) {
    attempt_failed (self, GST_KVS_SIGNALING_STATE_GET_CREDENTIALS, error);
    return;
  }

  g_mutex_lock (&self->lock);
  create_channel = self->config.create_channel;
  ttl = self->config.message_ttl;
  g_mutex_unlock (&self->lock);

  self->run->pending_ops++;
  gst_kvs_connect_async (self->run, create_channel, ttl, &connect_hooks, self,
      self->run->cancellable, attempt_cb, self);
}

static void
begin_attempt (GstKvsSignalingClient * self)
{
  if (self->run->stopping || self->run->attempt_active)
    return;
  self->run->attempt_active = TRUE;

  set_state (self, GST_KVS_SIGNALING_STATE_GET_CREDENTIALS);
  self->run->pending_ops++;
  gst_kvs_client_credentials_get_async (self->credentials,
      self->run->cancellable, credentials_cb, self);
}

/* ICE servers */

/* The resolver's background refresh brought new servers. */
static void
on_ice_servers_refreshed (GstKvsChannelResolver * resolver,
    GPtrArray * servers, gint64 started, gpointer user_data)
{
  GstKvsSignalingClient *self = user_data;

  if (self->run->stopping)
    return;
  gst_kvs_client_status_duration (&self->status, GST_KVS_STAT_GET_ICE_CONFIG,
      started);
  store_ice_servers (self, g_ptr_array_ref (servers), TRUE);
}

/* make before break (gstkvshandover.c) */

/* A replacement failed and no connection is left (@error), or one was
 * asked for without a connection (@error NULL). */
static void
on_handover_failed (GstKvsHandover * handover, GstKvsSignalingState step,
    const GError * error, gpointer user_data)
{
  GstKvsSignalingClient *self = user_data;

  if (error)
    attempt_failed (self, step, error);
  else
    schedule_reconnect (self, -1);
}

static void
connect_handover (GstKvsSignalingClient * self, GstKvsSignalingRun * run)
{
  run->handover = gst_kvs_handover_new (run, self);
  g_signal_connect (run->handover, "message",
      G_CALLBACK (on_handover_message), self);
  g_signal_connect (run->handover, "up", G_CALLBACK (on_handover_up), self);
  g_signal_connect (run->handover, "lost", G_CALLBACK (on_handover_lost), self);
  g_signal_connect_swapped (run->handover, "writable",
      G_CALLBACK (flush_outgoing), self);
  g_signal_connect (run->handover, "failed", G_CALLBACK (on_handover_failed),
      self);
  g_signal_connect_swapped (run->handover, "need-attempt",
      G_CALLBACK (begin_attempt), self);
  g_signal_connect_swapped (run->handover, "duration",
      G_CALLBACK (gst_kvs_client_status_duration), &self->status);
}

/* ------------------------------------------------------------------ */
/* the thread */

static gboolean
shutdown_in_thread (gpointer user_data)
{
  GstKvsSignalingClient *self = user_data;
  GstKvsSignalingState state;

  if (self->run->stopping)
    return G_SOURCE_REMOVE;

  GST_DEBUG_OBJECT (self, "shutting down");
  self->run->stopping = TRUE;
  g_cancellable_cancel (self->run->cancellable);
  gst_kvs_signaling_run_halt (self->run);
  gst_kvs_client_credentials_attach (self->credentials, NULL);
  gst_kvs_outbox_detach (self->outbox);

  fail_outgoing (self, "the signaling client was stopped");

  state = read_state (self);
  if (state != GST_KVS_SIGNALING_STATE_NEW &&
      state != GST_KVS_SIGNALING_STATE_FAILED)
    set_state (self, GST_KVS_SIGNALING_STATE_DISCONNECTED);

  g_main_loop_quit (self->run->loop);
  return G_SOURCE_REMOVE;
}

static gpointer
client_thread (gpointer user_data)
{
  GstKvsSignalingClient *self = user_data;
  GstKvsSignalingRun *run = self->run;
  GMainContext *context = run->context;
  GObject *self_ref;

  g_main_context_push_thread_default (context);

  gst_kvs_signaling_run_open (run);
  connect_handover (self, run);
  g_signal_connect (run->resolver, "ice-servers-refreshed",
      G_CALLBACK (on_ice_servers_refreshed), self);
  gst_kvs_outbox_attach (self->outbox, context);
  gst_kvs_outbox_arm (self->outbox);
  begin_attempt (self);
  g_main_loop_run (run->loop);

  gst_kvs_signaling_run_drain (run);

  g_signal_handlers_disconnect_by_data (run->resolver, self);
  g_signal_handlers_disconnect_by_data (run->handover, self);
  gst_kvs_signaling_run_close (run);
  g_main_context_pop_thread_default (context);

  g_mutex_lock (&self->lock);
  self->run = NULL;
  self->thread_finishing = FALSE;
  self_ref = self->self_ref;
  self->self_ref = NULL;
  g_mutex_unlock (&self->lock);
  gst_kvs_signaling_run_free (run);

  GST_DEBUG_OBJECT (self, "thread done");
  if (self_ref)
    g_object_unref (self_ref);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* public API */

GstKvsSignalingClient *
gst_kvs_signaling_client_new (GstKvsRole role, const gchar * channel_name)
{
  return g_object_new (GST_KVS_TYPE_SIGNALING_CLIENT, "role", role,
      "channel-name", channel_name, NULL);
}

/**
 * gst_kvs_signaling_client_new_from_settings:
 * @settings: the connection's settings
 *
 * The client's configuration properties take the values of @settings'
 * fields of the same names; its WebRTC fields (stun_server, correlation_id,
 * local_addresses, answer_timeout) are the caller's.
 *
 * Returns: (transfer full): a new client, not started.
 */
GstKvsSignalingClient *
gst_kvs_signaling_client_new_from_settings (const GstKvsSettings * settings)
{
  GstKvsSignalingClient *self;

  g_return_val_if_fail (settings != NULL, NULL);

  self = g_object_new (GST_KVS_TYPE_SIGNALING_CLIENT, NULL);
  g_mutex_lock (&self->lock);
  gst_kvs_client_config_take_settings (&self->config, settings);
  gst_kvs_outbox_set_timeout (self->outbox, self->config.send_timeout);
  gst_kvs_client_credentials_configure (self->credentials, &self->config);
  g_mutex_unlock (&self->lock);
  return self;
}

static gboolean
start_locked (GstKvsSignalingClient * self, GError ** error)
{
  GstKvsSettings settings;
  GstKvsSignalingRun *run;

  g_mutex_lock (&self->lock);
  if (self->thread || self->thread_finishing) {
    g_mutex_unlock (&self->lock);
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_CONNECTION,
        "the signaling client is already running");
    return FALSE;
  }
  gst_kvs_settings_copy_into (&settings, &self->config);
  g_mutex_unlock (&self->lock);

  /* a new run: nothing is left from the previous one but the credential
   * chain and its cache */
  run = gst_kvs_signaling_run_new (&settings, error);
  gst_kvs_settings_clear (&settings);
  if (!run)
    return FALSE;
  run->credentials = g_object_ref (self->credentials);

  GST_INFO_OBJECT (self, "starting %s on %s in %s (%s) via %s (%s)",
      role_nick (run->role), run->arn ? run->arn : run->channel_name,
      run->region, run->region_source, run->cp_endpoint,
      GST_STR_NULL (run->cp_endpoint_source));

  gst_kvs_client_status_begin_run (&self->status, run->arn, run->region,
      run->region_source, run->client_id);
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref (run->context);
  self->run = run;
  self->state = GST_KVS_SIGNALING_STATE_NEW;
  self->thread = g_thread_new ("kvssignaling", client_thread, self);
  /* messages queued before start() go out once connected; their wait
   * starts now */
  gst_kvs_outbox_restamp (self->outbox);
  if (gst_kvs_outbox_get_length (self->outbox) > 0)
    gst_kvs_idle_add (self->context, G_PRIORITY_DEFAULT_IDLE, flush_idle, self);
  g_mutex_unlock (&self->lock);

  return TRUE;
}

/* start() and stop() are serialised, but not in the client's thread (a
 * signal handler, whose thread owns the client's context): a stop()
 * elsewhere may hold start_lock while joining that thread. TRUE when
 * start_lock was taken. */
static gboolean
lock_start (GstKvsSignalingClient * self)
{
  gboolean own;

  g_mutex_lock (&self->lock);
  own = self->context && g_main_context_is_owner (self->context);
  g_mutex_unlock (&self->lock);
  if (!own)
    g_mutex_lock (&self->start_lock);
  return !own;
}

gboolean
gst_kvs_signaling_client_start (GstKvsSignalingClient * self, GError ** error)
{
  gboolean locked, ok;

  g_return_val_if_fail (GST_KVS_IS_SIGNALING_CLIENT (self), FALSE);

  locked = lock_start (self);
  ok = start_locked (self, error);
  if (locked)
    g_mutex_unlock (&self->start_lock);
  return ok;
}

static void
stop_locked (GstKvsSignalingClient * self)
{
  GThread *thread;
  GMainContext *context;

  g_mutex_lock (&self->lock);
  thread = self->thread;
  self->thread = NULL;
  context = self->context ? g_main_context_ref (self->context) : NULL;
  if (thread && thread == g_thread_self ()) {
    /* from a signal handler: finish in place, the thread ends by itself */
    self->thread_finishing = TRUE;
    self->self_ref = g_object_ref (G_OBJECT (self));
  }
  g_mutex_unlock (&self->lock);

  if (!thread) {
    /* never started (or stopped already): report what is still queued */
    fail_outgoing (self, "the signaling client is not running");
    g_clear_pointer (&context, g_main_context_unref);
    return;
  }

  GST_DEBUG_OBJECT (self, "stopping");
  if (thread == g_thread_self ()) {
    shutdown_in_thread (self);
    g_thread_unref (thread);
  } else {
    gst_kvs_idle_add (context, G_PRIORITY_HIGH, shutdown_in_thread, self);
    g_thread_join (thread);
    /* sent while the thread was finishing */
    fail_outgoing (self, "the signaling client was stopped");
  }
  g_main_context_unref (context);
  GST_DEBUG_OBJECT (self, "stopped");
}

void
gst_kvs_signaling_client_stop (GstKvsSignalingClient * self)
{
  gboolean locked;

  g_return_if_fail (GST_KVS_IS_SIGNALING_CLIENT (self));

  locked = lock_start (self);
  stop_locked (self);
  if (locked)
    g_mutex_unlock (&self->start_lock);
}

gboolean
gst_kvs_signaling_client_send (GstKvsSignalingClient * self,
    GstKvsMessage * msg, GError ** error)
{
  g_autofree gchar *frame = NULL;
  GstKvsRole role;
  guint max_payload;

  g_return_val_if_fail (GST_KVS_IS_SIGNALING_CLIENT (self), FALSE);
  g_return_val_if_fail (msg != NULL, FALSE);

  g_mutex_lock (&self->lock);
  role = self->config.role;
  max_payload = self->config.max_payload;
  g_mutex_unlock (&self->lock);

  frame = gst_kvs_message_to_client_frame (msg, role, max_payload, error);
  if (!frame)
    return FALSE;

  g_mutex_lock (&self->lock);
  if (self->state == GST_KVS_SIGNALING_STATE_FAILED) {
    g_mutex_unlock (&self->lock);
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_NOT_CONNECTED,
        "the signaling client has failed and does not send any more");
    return FALSE;
  }
  if (!gst_kvs_outbox_push (self->outbox, msg, g_steal_pointer (&frame), error)) {
    g_mutex_unlock (&self->lock);
    return FALSE;
  }
  /* not G_PRIORITY_DEFAULT_IDLE: a send must not wait behind the
   * connection's I/O (latency, issue 6) */
  if (self->thread)
    gst_kvs_idle_add (self->context, G_PRIORITY_DEFAULT, flush_idle, self);
  g_mutex_unlock (&self->lock);

  return TRUE;
}

void
gst_kvs_signaling_client_set_credentials (GstKvsSignalingClient * self,
    const gchar * access_key, const gchar * secret_key,
    const gchar * session_token)
{
  g_return_if_fail (GST_KVS_IS_SIGNALING_CLIENT (self));

  g_mutex_lock (&self->lock);
  gst_kvs_client_config_set_keys (&self->config, access_key, secret_key,
      session_token);
  gst_kvs_client_credentials_configure (self->credentials, &self->config);
  g_mutex_unlock (&self->lock);
  GST_INFO_OBJECT (self, "credentials replaced, used from the next connect "
      "(the open connection is kept)");
}

GstKvsSignalingState
gst_kvs_signaling_client_get_state (GstKvsSignalingClient * self)
{
  g_return_val_if_fail (GST_KVS_IS_SIGNALING_CLIENT (self),
      GST_KVS_SIGNALING_STATE_NEW);
  return read_state (self);
}

GstKvsRole
gst_kvs_signaling_client_get_role (GstKvsSignalingClient * self)
{
  GstKvsRole role;

  g_return_val_if_fail (GST_KVS_IS_SIGNALING_CLIENT (self),
      GST_KVS_ROLE_MASTER);
  g_mutex_lock (&self->lock);
  role = self->config.role;
  g_mutex_unlock (&self->lock);
  return role;
}

gchar *
gst_kvs_signaling_client_dup_client_id (GstKvsSignalingClient * self)
{
  g_autofree gchar *id = NULL;
  gchar *configured = NULL;

  g_return_val_if_fail (GST_KVS_IS_SIGNALING_CLIENT (self), NULL);
  id = gst_kvs_client_status_dup (&self->status, GST_KVS_STATUS_CLIENT_ID);
  g_mutex_lock (&self->lock);
  if (self->config.role == GST_KVS_ROLE_VIEWER)
    configured = g_strdup (id ? id : self->config.client_id);
  g_mutex_unlock (&self->lock);
  return configured;
}

gchar *
gst_kvs_signaling_client_dup_channel_arn (GstKvsSignalingClient * self)
{
  g_return_val_if_fail (GST_KVS_IS_SIGNALING_CLIENT (self), NULL);
  return gst_kvs_client_status_dup (&self->status, GST_KVS_STATUS_ARN);
}

gchar *
gst_kvs_signaling_client_dup_region (GstKvsSignalingClient * self)
{
  g_return_val_if_fail (GST_KVS_IS_SIGNALING_CLIENT (self), NULL);
  return gst_kvs_client_status_dup (&self->status, GST_KVS_STATUS_REGION);
}

gchar *
gst_kvs_signaling_client_dup_region_source (GstKvsSignalingClient * self)
{
  g_return_val_if_fail (GST_KVS_IS_SIGNALING_CLIENT (self), NULL);
  return gst_kvs_client_status_dup (&self->status,
      GST_KVS_STATUS_REGION_SOURCE);
}

GPtrArray *
gst_kvs_signaling_client_dup_ice_servers (GstKvsSignalingClient * self)
{
  g_return_val_if_fail (GST_KVS_IS_SIGNALING_CLIENT (self), NULL);
  return gst_kvs_client_status_dup_ice_servers (&self->status);
}

GstStructure *
gst_kvs_signaling_client_get_stats (GstKvsSignalingClient * self)
{
  GstKvsSignalingState state;
  GstKvsRole role;
  guint depth;

  g_return_val_if_fail (GST_KVS_IS_SIGNALING_CLIENT (self), NULL);

  g_mutex_lock (&self->lock);
  state = self->state;
  role = self->config.role;
  depth = gst_kvs_outbox_get_length (self->outbox);
  g_mutex_unlock (&self->lock);
  return gst_kvs_client_status_to_structure (&self->status, state, role, depth);
}

/* ------------------------------------------------------------------ */
/* GObject */

static void
gst_kvs_signaling_client_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstKvsSignalingClient *self = GST_KVS_SIGNALING_CLIENT (object);

  g_mutex_lock (&self->lock);
  if (!gst_kvs_client_config_set (&self->config, prop_id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  else if (gst_kvs_client_config_is_credential (prop_id))
    gst_kvs_client_credentials_configure (self->credentials, &self->config);
  else if (prop_id == GST_KVS_CLIENT_PROP_SEND_TIMEOUT)
    gst_kvs_outbox_set_timeout (self->outbox, self->config.send_timeout);
  g_mutex_unlock (&self->lock);
}

static void
gst_kvs_signaling_client_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstKvsSignalingClient *self = GST_KVS_SIGNALING_CLIENT (object);

  g_mutex_lock (&self->lock);
  if (prop_id == PROP_STATE)
    g_value_set_enum (value, self->state);
  else if (!gst_kvs_client_config_get (&self->config, prop_id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  g_mutex_unlock (&self->lock);
}

static void
gst_kvs_signaling_client_dispose (GObject * object)
{
  GstKvsSignalingClient *self = GST_KVS_SIGNALING_CLIENT (object);

  gst_kvs_signaling_client_stop (self);

  G_OBJECT_CLASS (gst_kvs_signaling_client_parent_class)->dispose (object);
}

static void
gst_kvs_signaling_client_finalize (GObject * object)
{
  GstKvsSignalingClient *self = GST_KVS_SIGNALING_CLIENT (object);

  g_object_unref (self->outbox);
  g_object_unref (self->credentials);
  gst_kvs_settings_clear (&self->config);
  gst_kvs_client_status_clear (&self->status);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->start_lock);

  G_OBJECT_CLASS (gst_kvs_signaling_client_parent_class)->finalize (object);
}

static void
gst_kvs_signaling_client_init (GstKvsSignalingClient * self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->start_lock);
  gst_kvs_settings_init (&self->config);
  self->state = GST_KVS_SIGNALING_STATE_NEW;
  gst_kvs_client_status_init (&self->status);
  self->credentials = gst_kvs_client_credentials_new (&self->status, self);
  self->outbox = gst_kvs_outbox_new (MAX_QUEUED_MESSAGES);
  gst_kvs_outbox_set_timeout (self->outbox, self->config.send_timeout);
  g_signal_connect (self->outbox, "send-failed",
      G_CALLBACK (on_outbox_send_failed), self);
}

static guint
message_signal (GObjectClass * klass, const gchar * name)
{
  return g_signal_new (name, G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
      NULL, NULL, NULL, G_TYPE_NONE, 1, GST_KVS_TYPE_MESSAGE);
}

static void
gst_kvs_signaling_client_class_init (GstKvsSignalingClientClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->set_property = gst_kvs_signaling_client_set_property;
  gobject_class->get_property = gst_kvs_signaling_client_get_property;
  gobject_class->dispose = gst_kvs_signaling_client_dispose;
  gobject_class->finalize = gst_kvs_signaling_client_finalize;

  /**
   * GstKvsSignalingClient:role:
   *
   * Master (answers offers, one per channel) or viewer (sends offers).
   */
  gst_kvs_client_config_make_pspecs (properties);
  properties[PROP_STATE] = g_param_spec_enum ("state", "State",
      "Where the connection is in its life cycle",
      GST_TYPE_KVS_SIGNALING_STATE, GST_KVS_SIGNALING_STATE_NEW,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (gobject_class, N_PROPERTIES, properties);

  /**
   * GstKvsSignalingClient::state-changed:
   * @client: the client
   * @state: the new #GstKvsSignalingState
   */
  signals[SIGNAL_STATE_CHANGED] = g_signal_new ("state-changed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, GST_TYPE_KVS_SIGNALING_STATE);
  signals[SIGNAL_SDP_OFFER] = message_signal (gobject_class, "sdp-offer");
  signals[SIGNAL_SDP_ANSWER] = message_signal (gobject_class, "sdp-answer");
  signals[SIGNAL_ICE_CANDIDATE] =
      message_signal (gobject_class, "ice-candidate");
  signals[SIGNAL_STATUS_RESPONSE] =
      message_signal (gobject_class, "status-response");
  signals[SIGNAL_GO_AWAY] = message_signal (gobject_class, "go-away");
  signals[SIGNAL_RECONNECT_ICE_SERVER] =
      message_signal (gobject_class, "reconnect-ice-server");
  signals[SIGNAL_MESSAGE_SENT] = message_signal (gobject_class, "message-sent");
  /**
   * GstKvsSignalingClient::send-failed:
   * @client: the client
   * @message: the #GstKvsMessage that was not sent
   * @error: why
   */
  signals[SIGNAL_SEND_FAILED] = g_signal_new ("send-failed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, GST_KVS_TYPE_MESSAGE, G_TYPE_ERROR);
  /**
   * GstKvsSignalingClient::ice-servers-changed:
   *
   * A GetIceServerConfig reply replaced the ICE servers (see
   * gst_kvs_signaling_client_dup_ice_servers()). The first reply may come
   * after #GstKvsSignalingClient::state-changed to CONNECTED: the client
   * never waits for it (TURN servers can join a webrtcbin's ICE agent
   * later; their candidates trickle).
   */
  signals[SIGNAL_ICE_SERVERS_CHANGED] = g_signal_new ("ice-servers-changed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 0);
  /**
   * GstKvsSignalingClient::error:
   * @client: the client
   * @error: what cannot heal
   *
   * The client gave up (state FAILED).
   */
  signals[SIGNAL_ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  /**
   * GstKvsSignalingClient::connect-failed:
   * @client: the client
   * @step: the #GstKvsSignalingState that failed: a step of the connect
   *   attempt (GET_CREDENTIALS to CONNECTING), or CONNECTED when the open
   *   connection was lost
   * @error: why, in words: "Connection refused", a DNS failure, a refused
   *   TLS certificate (#GST_KVS_ERROR_TLS_CERTIFICATE, naming its problem),
   *   an HTTP status with the AWS error name, a close by the service
   *   (#GST_KVS_ERROR_REPLACED when another master, or a viewer with the
   *   same client id, took this connection's place), ...
   * @retry_ms: milliseconds until the next attempt
   *
   * The client will try again: emitted once per failure that the client
   * retries (a failure it gives up on goes to #GstKvsSignalingClient::error
   * instead), from the client's thread, after the state went to
   * DISCONNECTED.
   */
  signals[SIGNAL_CONNECT_FAILED] = g_signal_new ("connect-failed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 3, GST_TYPE_KVS_SIGNALING_STATE, G_TYPE_ERROR, G_TYPE_UINT);
}
