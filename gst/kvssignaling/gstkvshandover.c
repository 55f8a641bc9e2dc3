/* kvssignaling: the run's active WebSocket connection and make before
 * break.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * GstKvsHandover: the connections of a run, for its supervisor (the
 * client): which one is active, the ones closing (still read until their
 * close ends), and the handover from one to the next. GO_AWAY, and a
 * connection nearing the service's one-hour limit, open a new connection
 * first (gst_kvs_connect_replacement_async(), with the request timeout) and
 * close the old one once it is up (make before break). Meanwhile nothing
 * more is written on the old one: the service closes it when its grace
 * period ends or as soon as the new one is attached, and a frame written on
 * it just before that close is lost without a trace (the protocol has no
 * acknowledgements). A replacement that fails while the old connection
 * still works is tried again after the run's backoff.
 *
 * The supervisor is told through signals (gstkvshandover.h); it keeps the
 * state machine, the reconnect timer and the statistics. One per run, made
 * and used in the run's thread. Logs go to the category "kvshandover", with
 * the client as their object.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstkvshandover.h"
#include "gstkvsconnect.h"
#include "gstkvsenumtypes.h"
#include "gstkvserror.h"
#include "gstkvsowner.h"

GST_DEBUG_CATEGORY_STATIC (kvs_handover_debug);
#define GST_CAT_DEFAULT kvs_handover_debug

enum
{
  SIGNAL_MESSAGE,
  SIGNAL_UP,
  SIGNAL_LOST,
  SIGNAL_WRITABLE,
  SIGNAL_FAILED,
  SIGNAL_NEED_ATTEMPT,
  SIGNAL_DURATION,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _GstKvsHandover
{
  GObject parent;

  GstKvsSignalingRun *run;      /* owns us */
  GObject *log_object;

  GstKvsWsConnection *conn;     /* the active one */
  gint64 conn_up_since;         /* monotonic us, when conn came up */
  /* conn was told to go (GO_AWAY): nothing more is written on it */
  gboolean conn_going_away;
  GPtrArray *closing;           /* GstKvsWsConnection we closed */
  gboolean replacing;           /* a replacement connection is opening */
  GSource *retry_source;
};

G_DEFINE_TYPE_WITH_CODE (GstKvsHandover, gst_kvs_handover, G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (kvs_handover_debug, "kvshandover", 0,
        "KVS signaling: the active connection and make before break"));

static void
connect_step (GstKvsSignalingState step, gpointer user_data)
{
}

static void
connect_duration (guint stat, gint64 started, gpointer user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_DURATION], 0, stat, started);
}

static void
connect_ice_servers (GPtrArray * servers, gpointer user_data)
{
  /* a replacement asks for no ICE servers */
  g_ptr_array_unref (servers);
}

static const GstKvsConnectHooks replacement_hooks = {
  connect_step, connect_duration, connect_ice_servers
};

GstKvsHandover *
gst_kvs_handover_new (GstKvsSignalingRun * run, gpointer log_object)
{
  GstKvsHandover *self = g_object_new (GST_KVS_TYPE_HANDOVER, NULL);

  self->run = run;
  self->log_object = log_object;
  return self;
}

/* Close @conn (if open) and forget it; "closed" only counts it down. */
static void
drop_conn (GstKvsHandover * self, GstKvsWsConnection * conn)
{
  if (!conn)
    return;

  if (gst_kvs_ws_connection_close (conn)) {
    /* kept (and read) until "closed" */
    g_ptr_array_add (self->closing, conn);
    return;
  }
  g_signal_handlers_disconnect_by_data (conn, self);
  g_object_unref (conn);
}

/* The active connection is gone (@why: GST_KVS_ERROR_REPLACED when a newer
 * connection of the same identity took its place). */
static void
on_conn_lost (GstKvsWsConnection * conn, GError * why, gpointer user_data)
{
  GstKvsHandover *self = user_data;

  if (conn != self->conn)
    return;
  self->conn = NULL;
  self->conn_going_away = FALSE;
  drop_conn (self, conn);

  if (!self->run->stopping)
    g_signal_emit (self, signals[SIGNAL_LOST], 0, why, self->conn_up_since,
        self->replacing);
}

static void
on_conn_closed (GstKvsWsConnection * conn, gpointer user_data)
{
  GstKvsHandover *self = user_data;

  /* we closed it */
  g_signal_handlers_disconnect_by_data (conn, self);
  g_ptr_array_remove (self->closing, conn);
}

static void
on_conn_max_age (GstKvsWsConnection * conn, gpointer user_data)
{
  GstKvsHandover *self = user_data;

  if (conn == self->conn)
    gst_kvs_handover_replace (self, "connection nearing the one-hour limit");
}

static void
on_conn_writable (GstKvsWsConnection * conn, gpointer user_data)
{
  GstKvsHandover *self = user_data;

  if (conn == self->conn)
    g_signal_emit (self, signals[SIGNAL_WRITABLE], 0);
}

static void
on_conn_message (GstKvsWsConnection * conn, GstKvsMessage * msg,
    gpointer user_data)
{
  GstKvsHandover *self = user_data;

  /* frames still arriving on a connection being replaced are delivered */
  g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, conn, msg);
  if (self->run->stopping)
    return;
  if (msg->type == GST_KVS_MESSAGE_TYPE_GO_AWAY && conn == self->conn) {
    /* nothing more on it: what is sent now waits for the replacement */
    self->conn_going_away = TRUE;
    gst_kvs_handover_replace (self, "GO_AWAY");
  }
}

void
gst_kvs_handover_adopt (GstKvsHandover * self, GstKvsWsConnection * conn)
{
  GST_KVS_CHECK_OWNER (self->run->context);

  g_signal_connect (conn, "message", G_CALLBACK (on_conn_message), self);
  g_signal_connect (conn, "lost", G_CALLBACK (on_conn_lost), self);
  g_signal_connect (conn, "closed", G_CALLBACK (on_conn_closed), self);
  g_signal_connect (conn, "max-age", G_CALLBACK (on_conn_max_age), self);
  g_signal_connect (conn, "writable", G_CALLBACK (on_conn_writable), self);
  if (self->conn) {
    GstKvsWsConnection *old = self->conn;

    /* make before break: the new one is open, the old one goes */
    GST_INFO_OBJECT (self->log_object, "replacement connection open, "
        "closing the old one");
    self->conn = NULL;
    /* its frames are still delivered until it is closed */
    drop_conn (self, old);
  }
  self->conn = conn;
  self->conn_up_since = g_get_monotonic_time ();
  self->conn_going_away = FALSE;
  g_signal_emit (self, signals[SIGNAL_UP], 0, conn);
}

GstKvsWsConnection *
gst_kvs_handover_writable (GstKvsHandover * self)
{
  GST_KVS_CHECK_OWNER_VAL (self->run->context, NULL);

  if (self->conn && !self->conn_going_away && !self->replacing
      && gst_kvs_ws_connection_is_open (self->conn))
    return self->conn;
  return NULL;
}

static gboolean
retry_timeout (gpointer user_data)
{
  GstKvsHandover *self = user_data;

  g_clear_pointer (&self->retry_source, g_source_unref);
  gst_kvs_handover_replace (self, "retry");
  return G_SOURCE_REMOVE;
}

static void
replacement_cb (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GstKvsHandover *self = user_data;
  GstKvsSignalingRun *run = self->run;
  g_autoptr (GError) error = NULL;
  GstKvsSignalingState step;
  GstKvsWsConnection *conn;
  guint delay;

  conn = gst_kvs_connect_finish (res, &step, &error);
  run->pending_ops--;
  self->replacing = FALSE;
  if (run->stopping) {
    g_clear_object (&conn);
    return;
  }
  if (conn) {
    gst_kvs_handover_adopt (self, conn);
    return;
  }
  if (!self->conn) {
    g_signal_emit (self, signals[SIGNAL_FAILED], 0, step, error);
    return;
  }

  /* the credentials it was presigned with expired (ExpiredTokenException):
   * forget them and make a full attempt at once, which fetches new ones */
  if (gst_kvs_client_credentials_expired (run->credentials, error)) {
    GST_INFO_OBJECT (self->log_object, "replacement refused, credentials "
        "expired: a full attempt fetches new ones");
    g_signal_emit (self, signals[SIGNAL_NEED_ATTEMPT], 0);
    return;
  }

  /* the old one still works: try again later */
  GST_WARNING_OBJECT (self->log_object, "replacement connection failed: %s",
      error->message);
  if (g_error_matches (error, GST_KVS_ERROR, GST_KVS_ERROR_RESOURCE_NOT_FOUND))
    gst_kvs_channel_resolver_forget (run->resolver);
  delay = gst_kvs_backoff_next (&run->backoff);
  GST_INFO_OBJECT (self->log_object, "new replacement attempt in %u ms", delay);
  gst_kvs_source_clear (&self->retry_source);
  self->retry_source = gst_kvs_timeout_add (run->context, delay,
      retry_timeout, self);
  /* unless told to go, the old one carries the messages meanwhile */
  g_signal_emit (self, signals[SIGNAL_WRITABLE], 0);
}

void
gst_kvs_handover_replace (GstKvsHandover * self, const gchar * why)
{
  GstKvsSignalingRun *run = self->run;

  GST_KVS_CHECK_OWNER (run->context);

  gst_kvs_source_clear (&self->retry_source);
  if (run->stopping || self->replacing || run->attempt_active)
    return;

  if (!self->conn) {
    g_signal_emit (self, signals[SIGNAL_FAILED], 0,
        GST_KVS_SIGNALING_STATE_CONNECTING, NULL);
    return;
  }
  if (!gst_kvs_channel_resolver_get_endpoints (run->resolver)) {
    /* a full attempt; its connection replaces the old one */
    g_signal_emit (self, signals[SIGNAL_NEED_ATTEMPT], 0);
    return;
  }

  GST_INFO_OBJECT (self->log_object, "%s: opening a replacement connection",
      why);
  self->replacing = TRUE;
  run->pending_ops++;
  gst_kvs_connect_replacement_async (run, &replacement_hooks, self,
      run->cancellable, replacement_cb, self);
}

void
gst_kvs_handover_drop (GstKvsHandover * self)
{
  GstKvsWsConnection *conn = self->conn;

  GST_KVS_CHECK_OWNER (self->run->context);

  gst_kvs_source_clear (&self->retry_source);
  self->conn = NULL;
  drop_conn (self, conn);
}

guint
gst_kvs_handover_get_n_closing (GstKvsHandover * self)
{
  return self->closing->len;
}

static void
gst_kvs_handover_finalize (GObject * object)
{
  GstKvsHandover *self = GST_KVS_HANDOVER (object);

  gst_kvs_source_clear (&self->retry_source);
  /* the connections' handlers point at us */
  for (guint i = 0; i < self->closing->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->closing,
            i), self);
  g_ptr_array_unref (self->closing);
  if (self->conn)
    g_signal_handlers_disconnect_by_data (self->conn, self);
  g_clear_object (&self->conn);

  G_OBJECT_CLASS (gst_kvs_handover_parent_class)->finalize (object);
}

static void
gst_kvs_handover_class_init (GstKvsHandoverClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);

  gobject_class->finalize = gst_kvs_handover_finalize;

  signals[SIGNAL_MESSAGE] = g_signal_new ("message", type, G_SIGNAL_RUN_LAST,
      0, NULL, NULL, NULL, G_TYPE_NONE, 2, GST_KVS_TYPE_WS_CONNECTION,
      GST_KVS_TYPE_MESSAGE);
  signals[SIGNAL_UP] = g_signal_new ("up", type, G_SIGNAL_RUN_LAST, 0, NULL,
      NULL, NULL, G_TYPE_NONE, 1, GST_KVS_TYPE_WS_CONNECTION);
  signals[SIGNAL_LOST] = g_signal_new ("lost", type, G_SIGNAL_RUN_LAST, 0,
      NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_ERROR, G_TYPE_INT64,
      G_TYPE_BOOLEAN);
  signals[SIGNAL_WRITABLE] = g_signal_new ("writable", type,
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_FAILED] = g_signal_new ("failed", type, G_SIGNAL_RUN_LAST, 0,
      NULL, NULL, NULL, G_TYPE_NONE, 2, GST_TYPE_KVS_SIGNALING_STATE,
      G_TYPE_ERROR);
  signals[SIGNAL_NEED_ATTEMPT] = g_signal_new ("need-attempt", type,
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_DURATION] = g_signal_new ("duration", type,
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT,
      G_TYPE_INT64);
}

static void
gst_kvs_handover_init (GstKvsHandover * self)
{
  self->closing = g_ptr_array_new_with_free_func (g_object_unref);
}
