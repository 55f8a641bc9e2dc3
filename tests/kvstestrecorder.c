/* A recorder of a library client's signals (see kvstestrecorder.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "kvstestrecorder.h"

#include <gst/check/gstcheck.h>

static const gchar *
state_nick (GstKvsSignalingState state)
{
  g_autoptr (GEnumClass) klass =
      g_type_class_ref (GST_TYPE_KVS_SIGNALING_STATE);

  return g_enum_get_value (klass, state)->value_nick;
}

static void
on_state_changed (GstKvsSignalingClient * client, GstKvsSignalingState state,
    KvsTestRecorder * rec)
{
  gboolean stop;

  g_mutex_lock (&rec->lock);
  if (rec->states->len)
    g_string_append_c (rec->states, ',');
  g_string_append (rec->states, state_nick (state));
  rec->n_states++;
  rec->state = state;
  if (state == GST_KVS_SIGNALING_STATE_CONNECTED)
    rec->n_connected++;
  if (state == GST_KVS_SIGNALING_STATE_DISCONNECTED)
    rec->n_disconnected++;
  stop = rec->stop_when_connected && state == GST_KVS_SIGNALING_STATE_CONNECTED;
  g_cond_broadcast (&rec->cond);
  g_mutex_unlock (&rec->lock);

  if (stop) {
    /* from the client's own thread: must not deadlock */
    gst_kvs_signaling_client_stop (client);
    gst_kvs_signaling_client_stop (client);
    g_mutex_lock (&rec->lock);
    rec->stopped_in_handler = TRUE;
    g_cond_broadcast (&rec->cond);
    g_mutex_unlock (&rec->lock);
  }
}

static void
on_state_notify (GstKvsSignalingClient * client, GParamSpec * pspec,
    KvsTestRecorder * rec)
{
  g_mutex_lock (&rec->lock);
  rec->n_state_notify++;
  g_mutex_unlock (&rec->lock);
}

static void
on_message (GstKvsSignalingClient * client, GstKvsMessage * msg,
    KvsTestRecorder * rec)
{
  GSignalInvocationHint *hint = g_signal_get_invocation_hint (client);

  g_mutex_lock (&rec->lock);
  g_ptr_array_add (rec->received, gst_kvs_message_ref (msg));
  g_ptr_array_add (rec->received_signals,
      g_strdup (g_signal_name (hint->signal_id)));
  switch (msg->type) {
    case GST_KVS_MESSAGE_TYPE_GO_AWAY:
      rec->n_go_away++;
      break;
    case GST_KVS_MESSAGE_TYPE_RECONNECT_ICE_SERVER:
      rec->n_reconnect_ice++;
      break;
    case GST_KVS_MESSAGE_TYPE_STATUS_RESPONSE:
      rec->n_status++;
      g_ptr_array_add (rec->statuses, gst_kvs_message_ref (msg));
      break;
    default:
      g_ptr_array_add (rec->from_peers, gst_kvs_message_ref (msg));
      break;
  }
  g_cond_broadcast (&rec->cond);
  g_mutex_unlock (&rec->lock);
}

static void
on_sent (GstKvsSignalingClient * client, GstKvsMessage * msg,
    KvsTestRecorder * rec)
{
  g_mutex_lock (&rec->lock);
  g_ptr_array_add (rec->sent, gst_kvs_message_ref (msg));
  g_cond_broadcast (&rec->cond);
  g_mutex_unlock (&rec->lock);
}

static void
on_send_failed (GstKvsSignalingClient * client, GstKvsMessage * msg,
    GError * error, KvsTestRecorder * rec)
{
  g_mutex_lock (&rec->lock);
  g_ptr_array_add (rec->failed, gst_kvs_message_ref (msg));
  g_ptr_array_add (rec->failed_errors, g_strdup (error->message));
  if (!rec->failed_error)
    rec->failed_error = g_error_copy (error);
  g_cond_broadcast (&rec->cond);
  g_mutex_unlock (&rec->lock);
}

static void
on_error (GstKvsSignalingClient * client, GError * error, KvsTestRecorder * rec)
{
  g_mutex_lock (&rec->lock);
  if (!rec->error)
    rec->error = g_error_copy (error);
  rec->n_errors++;
  g_cond_broadcast (&rec->cond);
  g_mutex_unlock (&rec->lock);
}

static void
on_ice_changed (GstKvsSignalingClient * client, KvsTestRecorder * rec)
{
  g_mutex_lock (&rec->lock);
  rec->n_ice_changed++;
  g_cond_broadcast (&rec->cond);
  g_mutex_unlock (&rec->lock);
}

static void
on_connect_failed (GstKvsSignalingClient * client, GstKvsSignalingState step,
    GError * error, guint retry_ms, KvsTestRecorder * rec)
{
  KvsTestRetry *retry = g_new0 (KvsTestRetry, 1);

  /* emitted from the client's thread, as every signal */
  fail_unless (error != NULL);
  retry->step = step;
  retry->error = g_error_copy (error);
  retry->retry_ms = retry_ms;
  g_mutex_lock (&rec->lock);
  g_ptr_array_add (rec->retries, retry);
  g_cond_broadcast (&rec->cond);
  g_mutex_unlock (&rec->lock);
}

static void
retry_free (KvsTestRetry * retry)
{
  g_error_free (retry->error);
  g_free (retry);
}

static GPtrArray *
messages_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_kvs_message_unref);
}

KvsTestRecorder *
kvs_test_recorder_new (GstKvsSignalingClient * client)
{
  KvsTestRecorder *rec = g_new0 (KvsTestRecorder, 1);
  const gchar *message_signals[] = { "sdp-offer", "sdp-answer",
    "ice-candidate", "status-response", "go-away", "reconnect-ice-server"
  };

  g_mutex_init (&rec->lock);
  g_cond_init (&rec->cond);
  rec->client = client;
  rec->states = g_string_new (NULL);
  rec->received = messages_new ();
  rec->received_signals = g_ptr_array_new_with_free_func (g_free);
  rec->from_peers = messages_new ();
  rec->statuses = messages_new ();
  rec->sent = messages_new ();
  rec->failed = messages_new ();
  rec->failed_errors = g_ptr_array_new_with_free_func (g_free);
  rec->retries = g_ptr_array_new_with_free_func ((GDestroyNotify)
      retry_free);

  g_signal_connect (client, "state-changed", G_CALLBACK (on_state_changed),
      rec);
  g_signal_connect (client, "notify::state", G_CALLBACK (on_state_notify), rec);
  for (guint i = 0; i < G_N_ELEMENTS (message_signals); i++)
    g_signal_connect (client, message_signals[i], G_CALLBACK (on_message), rec);
  g_signal_connect (client, "message-sent", G_CALLBACK (on_sent), rec);
  g_signal_connect (client, "send-failed", G_CALLBACK (on_send_failed), rec);
  g_signal_connect (client, "error", G_CALLBACK (on_error), rec);
  g_signal_connect (client, "ice-servers-changed",
      G_CALLBACK (on_ice_changed), rec);
  g_signal_connect (client, "connect-failed", G_CALLBACK (on_connect_failed),
      rec);
  return rec;
}

void
kvs_test_recorder_free (KvsTestRecorder * rec)
{
  g_string_free (rec->states, TRUE);
  g_ptr_array_unref (rec->received);
  g_ptr_array_unref (rec->received_signals);
  g_ptr_array_unref (rec->from_peers);
  g_ptr_array_unref (rec->statuses);
  g_ptr_array_unref (rec->sent);
  g_ptr_array_unref (rec->failed);
  g_ptr_array_unref (rec->failed_errors);
  g_ptr_array_unref (rec->retries);
  g_clear_error (&rec->failed_error);
  g_clear_error (&rec->error);
  g_mutex_clear (&rec->lock);
  g_cond_clear (&rec->cond);
  g_free (rec);
}
