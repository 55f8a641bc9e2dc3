/* kvs-signaling-server with the library's own client: a master and a viewer
 * (GstKvsSignalingClient) exchange offer, answer and ICE candidates through
 * the real server process.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/kvssignaling/kvssignaling.h>
#include "kvsservertest.h"

#define WAIT_US (10 * G_TIME_SPAN_SECOND)

#define SDP_OFFER "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=offer\r\nt=0 0\r\n"
#define SDP_ANSWER "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=answer\r\nt=0 0\r\n"
#define CANDIDATE "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host"

/* What one client saw; filled from the client's own thread. */
typedef struct
{
  GMutex lock;
  GCond cond;
  GstKvsSignalingState state;
  GPtrArray *received;          /* GstKvsMessage, every signal in order */
  GPtrArray *errors;            /* GError */
} Seen;

static void
seen_init (Seen * seen)
{
  g_mutex_init (&seen->lock);
  g_cond_init (&seen->cond);
  seen->received = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_kvs_message_unref);
  seen->errors = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_error_free);
}

static void
seen_clear (Seen * seen)
{
  g_ptr_array_unref (seen->received);
  g_ptr_array_unref (seen->errors);
  g_mutex_clear (&seen->lock);
  g_cond_clear (&seen->cond);
}

static void
on_state (GstKvsSignalingClient * client, GstKvsSignalingState state,
    Seen * seen)
{
  g_mutex_lock (&seen->lock);
  seen->state = state;
  g_cond_broadcast (&seen->cond);
  g_mutex_unlock (&seen->lock);
}

static void
on_message (GstKvsSignalingClient * client, GstKvsMessage * msg, Seen * seen)
{
  g_mutex_lock (&seen->lock);
  g_ptr_array_add (seen->received, gst_kvs_message_ref (msg));
  g_cond_broadcast (&seen->cond);
  g_mutex_unlock (&seen->lock);
}

static void
on_error (GstKvsSignalingClient * client, GError * error, Seen * seen)
{
  g_mutex_lock (&seen->lock);
  g_ptr_array_add (seen->errors, g_error_copy (error));
  g_cond_broadcast (&seen->cond);
  g_mutex_unlock (&seen->lock);
}

static void
wait_state (Seen * seen, GstKvsSignalingState state)
{
  gint64 end = g_get_monotonic_time () + WAIT_US;

  g_mutex_lock (&seen->lock);
  while (seen->state != state && seen->errors->len == 0)
    if (!g_cond_wait_until (&seen->cond, &seen->lock, end))
      break;
  fail_unless (seen->errors->len == 0, "client error: %s",
      seen->errors->len ? ((GError *) seen->errors->pdata[0])->message : "");
  fail_unless_equals_int (seen->state, state);
  g_mutex_unlock (&seen->lock);
}

/* Waits for the @index-th received message and returns it (a new ref). */
static GstKvsMessage *
wait_message (Seen * seen, guint index)
{
  gint64 end = g_get_monotonic_time () + WAIT_US;
  GstKvsMessage *msg = NULL;

  g_mutex_lock (&seen->lock);
  while (seen->received->len <= index)
    if (!g_cond_wait_until (&seen->cond, &seen->lock, end))
      break;
  if (seen->received->len > index)
    msg = gst_kvs_message_ref (seen->received->pdata[index]);
  g_mutex_unlock (&seen->lock);
  fail_unless (msg != NULL, "message %u did not arrive", index);
  return msg;
}

static GstKvsSignalingClient *
make_client (KvsTestServer * s, GstKvsRole role, const gchar * client_id,
    Seen * seen)
{
  GstKvsSignalingClient *client = gst_kvs_signaling_client_new (role, "e2e");
  static const gchar *message_signals[] = { "sdp-offer", "sdp-answer",
    "ice-candidate", "status-response", "go-away", "reconnect-ice-server",
    NULL
  };
  g_autoptr (GError) error = NULL;
  guint i;

  g_object_set (client, "endpoint", s->url, "region", KVS_TEST_REGION,
      "access-key", KVS_TEST_ACCESS_KEY, "secret-key", KVS_TEST_SECRET_KEY,
      "create-channel", TRUE, NULL);
  if (client_id)
    g_object_set (client, "client-id", client_id, NULL);
  seen_init (seen);
  g_signal_connect (client, "state-changed", G_CALLBACK (on_state), seen);
  g_signal_connect (client, "error", G_CALLBACK (on_error), seen);
  for (i = 0; message_signals[i]; i++)
    g_signal_connect (client, message_signals[i], G_CALLBACK (on_message),
        seen);
  fail_unless (gst_kvs_signaling_client_start (client, &error), "start: %s",
      error ? error->message : "?");
  return client;
}

static void
send_message (GstKvsSignalingClient * client, GstKvsMessage * msg)
{
  g_autoptr (GError) error = NULL;

  fail_unless (gst_kvs_signaling_client_send (client, msg, &error),
      "send: %s", error ? error->message : "?");
  gst_kvs_message_unref (msg);
}

GST_START_TEST (test_master_and_viewer_exchange)
{
  KvsTestServer *s = kvs_test_server_start (NULL);
  Seen mseen = { 0 }, vseen = { 0 };
  GstKvsSignalingClient *master, *viewer;
  g_autoptr (KvsTestReply) conns = NULL;
  g_autofree gchar *arn = NULL;
  GstKvsMessage *msg;

  master = make_client (s, GST_KVS_ROLE_MASTER, NULL, &mseen);
  wait_state (&mseen, GST_KVS_SIGNALING_STATE_CONNECTED);
  viewer = make_client (s, GST_KVS_ROLE_VIEWER, "viewer-1", &vseen);
  wait_state (&vseen, GST_KVS_SIGNALING_STATE_CONNECTED);

  arn = gst_kvs_signaling_client_dup_channel_arn (master);
  fail_unless (g_str_has_prefix (arn, "arn:aws:kinesisvideo:us-west-2:"));
  conns = kvs_test_control (s, "GET", "/_control/connections", NULL);
  fail_unless (strstr (conns->text, "\"clientId\":\"viewer-1\""), "%s",
      conns->text);
  fail_unless (strstr (conns->text, "\"role\":\"master\""), "%s", conns->text);

  /* viewer -> master: the offer, then a candidate. */
  send_message (viewer, gst_kvs_message_new_sdp (GST_KVS_MESSAGE_TYPE_SDP_OFFER,
          NULL, SDP_OFFER, NULL));
  send_message (viewer, gst_kvs_message_new_ice_candidate (NULL, CANDIDATE,
          "0", 0, NULL));
  msg = wait_message (&mseen, 0);
  fail_unless_equals_int (msg->type, GST_KVS_MESSAGE_TYPE_SDP_OFFER);
  fail_unless_equals_string (msg->sender_client_id, "viewer-1");
  fail_unless_equals_string (msg->sdp, SDP_OFFER);
  gst_kvs_message_unref (msg);
  msg = wait_message (&mseen, 1);
  fail_unless_equals_int (msg->type, GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE);
  fail_unless_equals_string (msg->sender_client_id, "viewer-1");
  fail_unless_equals_string (msg->candidate, CANDIDATE);
  fail_unless_equals_string (msg->sdp_mid, "0");
  fail_unless_equals_int (msg->sdp_mline_index, 0);
  gst_kvs_message_unref (msg);

  /* master -> viewer: the answer, then a candidate; no sender id. */
  send_message (master,
      gst_kvs_message_new_sdp (GST_KVS_MESSAGE_TYPE_SDP_ANSWER, "viewer-1",
          SDP_ANSWER, NULL));
  send_message (master, gst_kvs_message_new_ice_candidate ("viewer-1",
          CANDIDATE, "1", 1, NULL));
  msg = wait_message (&vseen, 0);
  fail_unless_equals_int (msg->type, GST_KVS_MESSAGE_TYPE_SDP_ANSWER);
  fail_unless (msg->sender_client_id == NULL);
  fail_unless_equals_string (msg->sdp, SDP_ANSWER);
  gst_kvs_message_unref (msg);
  msg = wait_message (&vseen, 1);
  fail_unless_equals_int (msg->type, GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE);
  fail_unless_equals_string (msg->sdp_mid, "1");
  gst_kvs_message_unref (msg);

  /* RECONNECT_ICE_SERVER and GO_AWAY from the service reach the client. */
  {
    g_autoptr (KvsTestReply) r1 = NULL;
    g_autoptr (KvsTestReply) r2 = NULL;

    r1 = kvs_test_control (s, "POST", "/_control/reconnect-ice-server",
        "{\"channelName\":\"e2e\",\"clientId\":\"viewer-1\"}");
    fail_unless_equals_int (r1->status, 200);
    msg = wait_message (&vseen, 2);
    fail_unless_equals_int (msg->type,
        GST_KVS_MESSAGE_TYPE_RECONNECT_ICE_SERVER);
    gst_kvs_message_unref (msg);

    r2 = kvs_test_control (s, "POST", "/_control/go-away",
        "{\"channelName\":\"e2e\",\"role\":\"master\"}");
    fail_unless_equals_int (r2->status, 200);
    msg = wait_message (&mseen, 2);
    fail_unless_equals_int (msg->type, GST_KVS_MESSAGE_TYPE_GO_AWAY);
    gst_kvs_message_unref (msg);
  }

  gst_kvs_signaling_client_stop (viewer);
  gst_kvs_signaling_client_stop (master);
  g_object_unref (viewer);
  g_object_unref (master);
  seen_clear (&vseen);
  seen_clear (&mseen);
  kvs_test_server_stop (s);
}

GST_END_TEST;

GST_START_TEST (test_status_response_reaches_client)
{
  /* The service holds at most two messages for an absent recipient: the
   * third and fourth candidates to the (never connected) master are
   * refused with a STATUS_RESPONSE carrying their correlation ids. The
   * client paces offers, so throttling cannot be used to provoke one. */
  const gchar *extra[] = { "--max-queue=2", NULL };
  KvsTestServer *s = kvs_test_server_start (extra);
  Seen vseen = { 0 };
  GstKvsSignalingClient *viewer;
  GstKvsMessage *msg;
  guint i;

  viewer = make_client (s, GST_KVS_ROLE_VIEWER, "viewer-2", &vseen);
  wait_state (&vseen, GST_KVS_SIGNALING_STATE_CONNECTED);

  for (i = 0; i < 4; i++) {
    g_autofree gchar *corr = g_strdup_printf ("cand-%u", i);

    send_message (viewer, gst_kvs_message_new_ice_candidate (NULL, CANDIDATE,
            "0", 0, corr));
  }
  for (i = 0; i < 2; i++) {
    g_autofree gchar *corr = g_strdup_printf ("cand-%u", i + 2);

    msg = wait_message (&vseen, i);
    fail_unless_equals_int (msg->type, GST_KVS_MESSAGE_TYPE_STATUS_RESPONSE);
    fail_unless_equals_string (msg->correlation_id, corr);
    fail_unless_equals_string (msg->error_type,
        "ClientLimitExceededException");
    fail_unless_equals_int (msg->status_code, 400);
    gst_kvs_message_unref (msg);
  }
  /* Nothing else: the first two were queued, not refused. */
  g_usleep (200 * G_TIME_SPAN_MILLISECOND);
  g_mutex_lock (&vseen.lock);
  fail_unless_equals_int (vseen.received->len, 2);
  g_mutex_unlock (&vseen.lock);

  gst_kvs_signaling_client_stop (viewer);
  g_object_unref (viewer);
  seen_clear (&vseen);
  kvs_test_server_stop (s);
}

GST_END_TEST;

static Suite *
server_client_suite (void)
{
  Suite *s = suite_create ("server_client");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_master_and_viewer_exchange);
  tcase_add_test (tc, test_status_response_reaches_client);
  return s;
}

GST_CHECK_MAIN (server_client);
