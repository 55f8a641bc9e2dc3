/* kvssignaling: the connect procedure, from the channel to an open
 * WebSocket.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * gst_kvs_connect_async(): one connect attempt of the client, as rtmp2's
 * gst_rtmp_client_connect_async() is for RTMP. It asks the run's channel
 * resolver for what is not known yet (the ARN, waiting while the channel
 * is not ACTIVE and creating it when allowed; the endpoints; the ICE
 * servers, whose failure only costs TURN) and opens a #GstKvsWsConnection.
 * Each step gets the run's request timeout: a call past it is cancelled
 * and reported as "no reply within N s". The client (the caller) keeps
 * what to do about a failure.
 *
 * GetIceServerConfig is never on the path to CONNECTED: it runs beside the
 * WebSocket connect (the GET_ICE_CONFIG state is reported and CONNECTING
 * follows at once) and the attempt ends when the WebSocket is open, with
 * the call still running if it has not answered yet. Its servers then
 * reach the client through the hooks when they come (the client announces
 * them with "ice-servers-changed"; webrtcbin takes TURN servers for the
 * streams it has, and their relay candidates trickle); its failure or
 * timeout only costs TURN. A viewer's offer thus leaves the moment the
 * WebSocket opens, however slow GetIceServerConfig is.
 *
 * gst_kvs_connect_replacement_async(): the CONNECTING step alone, for the
 * new connection of make before break (the client stays CONNECTED
 * meanwhile: no step is reported), with the same deadline: a service that
 * accepts the TCP connection and never answers must not leave the client
 * waiting for ever.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstkvsconnect.h"
#include "gstkvsclientstats.h"
#include "gstkvserror.h"
#include "gstkvsenumtypes.h"
#include "gstkvsowner.h"

GST_DEBUG_CATEGORY_STATIC (kvs_connect_debug);
#define GST_CAT_DEFAULT kvs_connect_debug

/* Polling a channel that is not ACTIVE yet. */
#define DESCRIBE_POLL_MS 500

typedef struct
{
  GstKvsSignalingRun *run;      /* outlives the task (the thread waits) */
  gboolean create_channel;
  guint message_ttl;
  gboolean replacement;         /* make before break: CONNECTING only */
  GstKvsConnectHooks hooks;
  gpointer hooks_data;

  GstKvsSignalingState step;
  GCancellable *step_cancellable;
  GSource *step_timer;
  gboolean timed_out;
  gint64 started;               /* monotonic us */
  GSource *poll_source;
  GSource *poll_cancel_source;

  /* GetIceServerConfig beside CONNECTING, and after it */
  gboolean finished;
  gboolean connected;           /* finished with an open WebSocket */
  gboolean ice_pending;
  GCancellable *ice_cancellable;
  GSource *ice_timer;
  gint64 ice_started;           /* monotonic us */
} Connect;

static void
connect_free (Connect * c)
{
  gst_kvs_source_clear (&c->step_timer);
  gst_kvs_source_clear (&c->poll_source);
  gst_kvs_source_clear (&c->poll_cancel_source);
  gst_kvs_source_clear (&c->ice_timer);
  g_clear_object (&c->step_cancellable);
  g_clear_object (&c->ice_cancellable);
  g_free (c);
}

/* Ends the attempt with @conn, or with @error (the failed step stays in
 * the task's data for _finish). */
static void
finish (GTask * task, GstKvsWsConnection * conn, GError * error)
{
  Connect *c = g_task_get_task_data (task);

  gst_kvs_source_clear (&c->step_timer);
  c->finished = TRUE;
  c->connected = conn != NULL;
  if (c->ice_pending && !conn)
    g_cancellable_cancel (c->ice_cancellable);
  if (conn || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gst_kvs_channel_resolver_attempt_ended (c->run->resolver, conn != NULL);
  if (conn)
    g_task_return_pointer (task, conn, g_object_unref);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

static gboolean
step_timeout (gpointer user_data)
{
  Connect *c = g_task_get_task_data (user_data);

  g_clear_pointer (&c->step_timer, g_source_unref);
  GST_WARNING ("step %s timed out after %u s", g_enum_get_value
      (g_type_class_peek (GST_TYPE_KVS_SIGNALING_STATE), c->step)->value_nick,
      c->run->step_timeout_s);
  c->timed_out = TRUE;
  g_cancellable_cancel (c->step_cancellable);
  return G_SOURCE_REMOVE;
}

/* A new step begins: the caller's state follows; returns its cancellable,
 * cancelled with the whole attempt or by the step's timer. */
static GCancellable *
begin_step (GTask * task, GstKvsSignalingState step)
{
  Connect *c = g_task_get_task_data (task);
  GCancellable *parent = g_task_get_cancellable (task);

  c->step = step;
  if (!c->replacement)
    c->hooks.step (step, c->hooks_data);
  gst_kvs_source_clear (&c->step_timer);
  g_clear_object (&c->step_cancellable);
  c->step_cancellable = g_cancellable_new ();
  c->timed_out = FALSE;
  c->started = g_get_monotonic_time ();
  g_signal_connect_object (parent, "cancelled",
      G_CALLBACK (g_cancellable_cancel), c->step_cancellable,
      G_CONNECT_SWAPPED);
  if (g_cancellable_is_cancelled (parent)) {
    /* stopped from a "state-changed" handler */
    g_cancellable_cancel (c->step_cancellable);
    return c->step_cancellable;
  }
  c->step_timer = gst_kvs_timeout_add (c->run->context,
      c->run->step_timeout_s * 1000, step_timeout, task);
  return c->step_cancellable;
}

/* A step's call returned: its duration is reported, a cancellation by the
 * step's timer becomes a timeout error. FALSE when the attempt was
 * cancelled (the task is then finished). */
static gboolean
end_step (GTask * task, guint stat, GError ** error)
{
  Connect *c = g_task_get_task_data (task);

  gst_kvs_source_clear (&c->step_timer);
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task))) {
    finish (task, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
            "the connect attempt was cancelled"));
    return FALSE;
  }
  c->hooks.duration (stat, c->started, c->hooks_data);
  if (error && *error && c->timed_out &&
      g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_clear_error (error);
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CONNECTION,
        "no reply within %u s", c->run->step_timeout_s);
  }
  return TRUE;
}

static void describe (GTask * task);
static void get_endpoints (GTask * task);
static void get_ice_config (GTask * task);
static void open_connection (GTask * task);

/* DESCRIBE / CREATE */

static void
create_cb (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GTask *task = user_data;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  ok = gst_kvs_channel_resolver_create_finish (GST_KVS_CHANNEL_RESOLVER
      (source), res, &error);
  if (!end_step (task, GST_KVS_STAT_CREATE, &error))
    return;

  if (!ok && !g_error_matches (error, GST_KVS_ERROR,
          GST_KVS_ERROR_RESOURCE_IN_USE)) {
    finish (task, NULL, g_steal_pointer (&error));
    return;
  }
  if (!ok) {
    /* created meanwhile by someone else: describe it */
    GST_INFO ("channel created concurrently: %s", error->message);
  }
  describe (task);
}

static void
create (GTask * task)
{
  Connect *c = g_task_get_task_data (task);
  GCancellable *cancellable = begin_step (task, GST_KVS_SIGNALING_STATE_CREATE);

  gst_kvs_channel_resolver_create_async (c->run->resolver, c->message_ttl,
      cancellable, create_cb, task);
}

static void
end_poll (Connect * c)
{
  gst_kvs_source_clear (&c->poll_source);
  gst_kvs_source_clear (&c->poll_cancel_source);
}

static gboolean
poll_timeout (gpointer user_data)
{
  end_poll (g_task_get_task_data (user_data));
  describe (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
poll_cancelled (GCancellable * cancellable, gpointer user_data)
{
  end_poll (g_task_get_task_data (user_data));
  finish (user_data, NULL, g_error_new_literal (G_IO_ERROR,
          G_IO_ERROR_CANCELLED, "the connect attempt was cancelled"));
  return G_SOURCE_REMOVE;
}

/* The channel is not ACTIVE yet: describe again in a while (the attempt's
 * cancellation ends the wait at once). */
static void
poll (GTask * task)
{
  Connect *c = g_task_get_task_data (task);

  c->poll_source = gst_kvs_timeout_add (c->run->context, DESCRIBE_POLL_MS,
      poll_timeout, task);
  c->poll_cancel_source =
      g_cancellable_source_new (g_task_get_cancellable (task));
  g_source_set_callback (c->poll_cancel_source, G_SOURCE_FUNC (poll_cancelled),
      task, NULL);
  g_source_attach (c->poll_cancel_source, c->run->context);
}

static void
describe_cb (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GTask *task = user_data;
  Connect *c = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  gboolean ok, active = FALSE;

  ok = gst_kvs_channel_resolver_describe_finish (GST_KVS_CHANNEL_RESOLVER
      (source), res, &active, &error);
  if (!end_step (task, GST_KVS_STAT_DESCRIBE, &error))
    return;

  if (!ok) {
    if (g_error_matches (error, GST_KVS_ERROR,
            GST_KVS_ERROR_RESOURCE_NOT_FOUND) && c->create_channel &&
        c->run->channel_name) {
      create (task);
      return;
    }
    finish (task, NULL, g_steal_pointer (&error));
  } else if (!active) {
    poll (task);
  } else {
    get_endpoints (task);
  }
}

static void
describe (GTask * task)
{
  Connect *c = g_task_get_task_data (task);
  GCancellable *cancellable =
      begin_step (task, GST_KVS_SIGNALING_STATE_DESCRIBE);

  gst_kvs_channel_resolver_describe_async (c->run->resolver, cancellable,
      describe_cb, task);
}

/* GET_ENDPOINT */

static void
endpoints_cb (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GTask *task = user_data;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  ok = gst_kvs_channel_resolver_get_endpoints_finish (GST_KVS_CHANNEL_RESOLVER
      (source), res, &error);
  if (!end_step (task, GST_KVS_STAT_GET_ENDPOINT, &error))
    return;
  if (!ok)
    finish (task, NULL, g_steal_pointer (&error));
  else
    get_ice_config (task);
}

static void
get_endpoints (GTask * task)
{
  Connect *c = g_task_get_task_data (task);
  GCancellable *cancellable =
      begin_step (task, GST_KVS_SIGNALING_STATE_GET_ENDPOINT);

  gst_kvs_channel_resolver_get_endpoints_async (c->run->resolver,
      cancellable, endpoints_cb, task);
}

/* GET_ICE_CONFIG, beside CONNECTING */

static void
ice_config_cb (GObject * source, GAsyncResult * res, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Connect *c = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  GPtrArray *servers;

  servers = gst_kvs_channel_resolver_get_ice_config_finish
      (GST_KVS_CHANNEL_RESOLVER (source), res, &error);
  gst_kvs_source_clear (&c->ice_timer);
  c->ice_pending = FALSE;
  if ((c->finished && !c->connected) ||
      g_cancellable_is_cancelled (g_task_get_cancellable (task))) {
    /* the WebSocket failed, or the attempt or the run was cancelled */
    g_clear_pointer (&servers, g_ptr_array_unref);
    return;
  }

  c->hooks.duration (GST_KVS_STAT_GET_ICE_CONFIG, c->ice_started,
      c->hooks_data);
  if (servers) {
    c->hooks.ice_servers (servers, c->hooks_data);
  } else {
    /* not fatal: connect without TURN (the resolver retries) */
    GST_WARNING ("GetIceServerConfig failed, continuing without TURN: %s",
        g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ?
        "no reply in time" : error->message);
  }
}

static gboolean
ice_timeout (gpointer user_data)
{
  Connect *c = g_task_get_task_data (user_data);

  g_clear_pointer (&c->ice_timer, g_source_unref);
  GST_WARNING ("GetIceServerConfig: no reply within %u s",
      c->run->step_timeout_s);
  g_cancellable_cancel (c->ice_cancellable);
  return G_SOURCE_REMOVE;
}

static void
get_ice_config (GTask * task)
{
  Connect *c = g_task_get_task_data (task);
  GCancellable *parent = g_task_get_cancellable (task);

  if (gst_kvs_channel_resolver_has_ice_config (c->run->resolver)) {
    open_connection (task);
    return;
  }
  c->step = GST_KVS_SIGNALING_STATE_GET_ICE_CONFIG;
  if (!c->replacement)
    c->hooks.step (c->step, c->hooks_data);
  if (g_cancellable_is_cancelled (parent)) {
    finish (task, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
            "the connect attempt was cancelled"));
    return;
  }
  c->ice_pending = TRUE;
  c->ice_started = g_get_monotonic_time ();
  g_clear_object (&c->ice_cancellable);
  c->ice_cancellable = g_cancellable_new ();
  g_signal_connect_object (parent, "cancelled",
      G_CALLBACK (g_cancellable_cancel), c->ice_cancellable, G_CONNECT_SWAPPED);
  c->ice_timer = gst_kvs_timeout_add (c->run->context,
      c->run->step_timeout_s * 1000, ice_timeout, task);
  GST_DEBUG ("GetIceServerConfig beside the WebSocket connect");
  gst_kvs_channel_resolver_get_ice_config_async (c->run->resolver,
      c->ice_cancellable, ice_config_cb, g_object_ref (task));
  open_connection (task);
}

/* CONNECTING */

static void
open_cb (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GTask *task = user_data;
  g_autoptr (GError) error = NULL;
  GstKvsWsConnection *conn;

  conn = gst_kvs_ws_connection_open_finish (res, &error);
  if (!end_step (task, GST_KVS_STAT_CONNECT, &error)) {
    g_clear_object (&conn);
    return;
  }
  if (conn && ((Connect *) g_task_get_task_data (task))->ice_pending) {
    /* the ICE servers follow (ice_config_cb) */
    GST_DEBUG ("WebSocket open: connected, GetIceServerConfig still running");
  }
  finish (task, conn, g_steal_pointer (&error));
}

static void
open_connection (GTask * task)
{
  Connect *c = g_task_get_task_data (task);
  GCancellable *cancellable =
      begin_step (task, GST_KVS_SIGNALING_STATE_CONNECTING);
  /* presigned with the credentials valid now (a replacement may come long
   * after the attempt that fetched them) */
  g_autoptr (GstKvsCredentials) creds =
      gst_kvs_client_credentials_dup (c->run->credentials);

  gst_kvs_ws_connection_open_async (c->run->session, c->run->resolver,
      creds, c->run->region, c->run->role, c->run->client_id,
      c->replacement, cancellable, open_cb, task);
}

static GTask *
connect_new (GstKvsSignalingRun * run, const GstKvsConnectHooks * hooks,
    gpointer hooks_data, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data, gpointer source_tag)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Connect *c = g_new0 (Connect, 1);

  GST_DEBUG_CATEGORY_INIT (kvs_connect_debug, "kvsconnect", 0,
      "KVS signaling connect procedure");
  g_task_set_source_tag (task, source_tag);
  /* the procedure checks the cancellable itself (end_step) */
  g_task_set_check_cancellable (task, FALSE);
  c->run = run;
  c->hooks = *hooks;
  c->hooks_data = hooks_data;
  g_task_set_task_data (task, c, (GDestroyNotify) connect_free);
  return task;
}

void
gst_kvs_connect_async (GstKvsSignalingRun * run, gboolean create_channel,
    guint message_ttl, const GstKvsConnectHooks * hooks, gpointer hooks_data,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
{
  GTask *task;
  Connect *c;

  GST_KVS_CHECK_OWNER (run->context);
  task = connect_new (run, hooks, hooks_data, cancellable, callback,
      user_data, gst_kvs_connect_async);
  c = g_task_get_task_data (task);
  c->create_channel = create_channel;
  c->message_ttl = message_ttl;

  if (gst_kvs_channel_resolver_needs_describe (run->resolver))
    describe (task);
  else if (!gst_kvs_channel_resolver_get_endpoints (run->resolver))
    get_endpoints (task);
  else
    get_ice_config (task);
}

void
gst_kvs_connect_replacement_async (GstKvsSignalingRun * run,
    const GstKvsConnectHooks * hooks, gpointer hooks_data,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
{
  GTask *task;

  GST_KVS_CHECK_OWNER (run->context);
  task = connect_new (run, hooks, hooks_data, cancellable, callback,
      user_data, gst_kvs_connect_replacement_async);
  ((Connect *) g_task_get_task_data (task))->replacement = TRUE;
  open_connection (task);
}

GstKvsWsConnection *
gst_kvs_connect_finish (GAsyncResult * res, GstKvsSignalingState * step,
    GError ** error)
{
  *step = ((Connect *) g_task_get_task_data (G_TASK (res)))->step;
  return g_task_propagate_pointer (G_TASK (res), error);
}
