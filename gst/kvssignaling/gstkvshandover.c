/* kvssignaling: the run's active WebSocket connection and make before
 * break.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The connections of a run, for its supervisor (the client): which one is
 * active, the ones closing (still read until their close ends), and the
 * handover from one to the next. GO_AWAY, and a connection nearing the
 * service's one-hour limit, open a new connection first
 * (gst_kvs_connect_replacement_async(), with the request timeout) and close
 * the old one once it is up (make before break). Meanwhile nothing more is
 * written on the old one: the service closes it when its grace period ends
 * or as soon as the new one is attached, and a frame written on it just
 * before that close is lost without a trace (the protocol has no
 * acknowledgements). A replacement that fails while the old connection
 * still works is tried again after the run's backoff.
 *
 * The supervisor is told through the run's GstKvsHandoverHooks; it keeps
 * the state machine, the reconnect timer and the statistics. Logs go to
 * the category "kvshandover", with the client as their object.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstkvshandover.h"
#include "gstkvsconnect.h"
#include "gstkvserror.h"
#include "gstkvsowner.h"

GST_DEBUG_CATEGORY_STATIC (kvs_handover_debug);
#define GST_CAT_DEFAULT kvs_handover_debug

#define OWNER(run) ((GObject *) (run)->handover_data)

static void
connect_step (GstKvsSignalingState step, gpointer user_data)
{
}

static void
connect_duration (guint stat, gint64 started, gpointer user_data)
{
  GstKvsSignalingRun *run = user_data;

  run->handover_hooks->duration (stat, started, run->handover_data);
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

void
gst_kvs_handover_init (GstKvsSignalingRun * run,
    const GstKvsHandoverHooks * hooks, gpointer data)
{
  GST_DEBUG_CATEGORY_INIT (kvs_handover_debug, "kvshandover", 0,
      "KVS signaling: the active connection and make before break");
  run->handover_hooks = hooks;
  run->handover_data = data;
}

/* Close @conn (if open) and forget it; "closed" only counts it down. */
static void
drop_conn (GstKvsSignalingRun * run, GstKvsWsConnection * conn)
{
  if (!conn)
    return;

  if (gst_kvs_ws_connection_close (conn)) {
    /* kept (and read) until "closed" */
    g_ptr_array_add (run->closing_conns, conn);
    return;
  }
  g_signal_handlers_disconnect_by_data (conn, run);
  g_object_unref (conn);
}

/* The active connection is gone (@why: GST_KVS_ERROR_REPLACED when a newer
 * connection of the same identity took its place). */
static void
on_conn_lost (GstKvsWsConnection * conn, GError * why, gpointer user_data)
{
  GstKvsSignalingRun *run = user_data;

  if (conn != run->conn)
    return;
  run->conn = NULL;
  run->conn_going_away = FALSE;
  drop_conn (run, conn);

  if (!run->stopping)
    run->handover_hooks->lost (why, run->conn_up_since, run->mbb_active,
        run->handover_data);
}

static void
on_conn_closed (GstKvsWsConnection * conn, gpointer user_data)
{
  GstKvsSignalingRun *run = user_data;

  /* we closed it */
  g_signal_handlers_disconnect_by_data (conn, run);
  g_ptr_array_remove (run->closing_conns, conn);
}

static void
on_conn_max_age (GstKvsWsConnection * conn, gpointer user_data)
{
  GstKvsSignalingRun *run = user_data;

  if (conn == run->conn)
    gst_kvs_handover_replace (run, "connection nearing the one-hour limit");
}

static void
on_conn_writable (GstKvsWsConnection * conn, gpointer user_data)
{
  GstKvsSignalingRun *run = user_data;

  if (conn == run->conn)
    run->handover_hooks->writable (run->handover_data);
}

static void
on_conn_message (GstKvsWsConnection * conn, GstKvsMessage * msg,
    gpointer user_data)
{
  GstKvsSignalingRun *run = user_data;

  /* frames still arriving on a connection being replaced are delivered */
  run->handover_hooks->message (conn, msg, run->handover_data);
  if (run->stopping)
    return;
  if (msg->type == GST_KVS_MESSAGE_TYPE_GO_AWAY && conn == run->conn) {
    /* nothing more on it: what is sent now waits for the replacement */
    run->conn_going_away = TRUE;
    gst_kvs_handover_replace (run, "GO_AWAY");
  }
}

void
gst_kvs_handover_adopt (GstKvsSignalingRun * run, GstKvsWsConnection * conn)
{
  GST_KVS_CHECK_OWNER (run->context);

  g_signal_connect (conn, "message", G_CALLBACK (on_conn_message), run);
  g_signal_connect (conn, "lost", G_CALLBACK (on_conn_lost), run);
  g_signal_connect (conn, "closed", G_CALLBACK (on_conn_closed), run);
  g_signal_connect (conn, "max-age", G_CALLBACK (on_conn_max_age), run);
  g_signal_connect (conn, "writable", G_CALLBACK (on_conn_writable), run);
  if (run->conn) {
    GstKvsWsConnection *old = run->conn;

    /* make before break: the new one is open, the old one goes */
    GST_INFO_OBJECT (OWNER (run), "replacement connection open, closing the "
        "old one");
    run->conn = NULL;
    /* its frames are still delivered until it is closed */
    drop_conn (run, old);
  }
  run->conn = conn;
  run->conn_up_since = g_get_monotonic_time ();
  run->conn_going_away = FALSE;
  run->handover_hooks->up (conn, run->handover_data);
}

GstKvsWsConnection *
gst_kvs_handover_writable (GstKvsSignalingRun * run)
{
  if (run->conn && !run->conn_going_away && !run->mbb_active
      && gst_kvs_ws_connection_is_open (run->conn))
    return run->conn;
  return NULL;
}

static gboolean
retry_timeout (gpointer user_data)
{
  GstKvsSignalingRun *run = user_data;

  g_clear_pointer (&run->mbb_retry_source, g_source_unref);
  gst_kvs_handover_replace (run, "retry");
  return G_SOURCE_REMOVE;
}

static void
replacement_cb (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GstKvsSignalingRun *run = user_data;
  g_autoptr (GError) error = NULL;
  GstKvsSignalingState step;
  GstKvsWsConnection *conn;
  guint delay;

  conn = gst_kvs_connect_finish (res, &step, &error);
  run->pending_ops--;
  run->mbb_active = FALSE;
  if (run->stopping) {
    g_clear_object (&conn);
    return;
  }
  if (conn) {
    gst_kvs_handover_adopt (run, conn);
    return;
  }
  if (!run->conn) {
    run->handover_hooks->failed (step, error, run->handover_data);
    return;
  }

  /* the credentials it was presigned with expired (ExpiredTokenException):
   * forget them and make a full attempt at once, which fetches new ones */
  if (g_error_matches (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE_EXPIRED)
      && !run->expired_retry) {
    GST_INFO_OBJECT (OWNER (run), "replacement refused, credentials "
        "expired: fetching new ones (%s)", error->message);
    run->expired_retry = TRUE;
    gst_kvs_credentials_provider_invalidate (run->provider);
    run->handover_hooks->attempt (run->handover_data);
    return;
  }

  /* the old one still works: try again later */
  GST_WARNING_OBJECT (OWNER (run), "replacement connection failed: %s",
      error->message);
  if (g_error_matches (error, GST_KVS_ERROR, GST_KVS_ERROR_RESOURCE_NOT_FOUND))
    gst_kvs_channel_resolver_forget (run->resolver);
  delay = gst_kvs_backoff_next (&run->backoff);
  GST_INFO_OBJECT (OWNER (run), "new replacement attempt in %u ms", delay);
  gst_kvs_source_clear (&run->mbb_retry_source);
  run->mbb_retry_source = gst_kvs_timeout_add (run->context, delay,
      retry_timeout, run);
  /* unless told to go, the old one carries the messages meanwhile */
  run->handover_hooks->writable (run->handover_data);
}

void
gst_kvs_handover_replace (GstKvsSignalingRun * run, const gchar * why)
{
  GST_KVS_CHECK_OWNER (run->context);

  gst_kvs_source_clear (&run->mbb_retry_source);
  if (run->stopping || run->mbb_active || run->attempt_active)
    return;

  if (!run->conn) {
    run->handover_hooks->failed (GST_KVS_SIGNALING_STATE_CONNECTING, NULL,
        run->handover_data);
    return;
  }
  if (!gst_kvs_channel_resolver_get_endpoints (run->resolver)) {
    /* a full attempt; its connection replaces the old one */
    run->handover_hooks->attempt (run->handover_data);
    return;
  }

  GST_INFO_OBJECT (OWNER (run), "%s: opening a replacement connection", why);
  run->mbb_active = TRUE;
  run->pending_ops++;
  gst_kvs_connect_replacement_async (run, &replacement_hooks, run,
      run->cancellable, replacement_cb, run);
}

void
gst_kvs_handover_drop (GstKvsSignalingRun * run)
{
  GstKvsWsConnection *conn = run->conn;

  gst_kvs_source_clear (&run->mbb_retry_source);
  run->conn = NULL;
  drop_conn (run, conn);
}
