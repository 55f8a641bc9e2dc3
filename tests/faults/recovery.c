/* Fault tests of recovery, library clients against the real local service:
 * the service killed and restarted (its channels, hence the ARN, are new:
 * 404 → describe again), messages sent during the outage delivered after
 * it in order or reported with their correlation id, the channel deleted
 * and re-created, deleted for good (fatal), a 403 from clock skew (the
 * service under libfaketime), RECONNECT_ICE_SERVER.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include "faultutil.h"

#define CHANNEL "faults-recovery"
#define VIEWER_ID "viewer-recovery"
#define OUTAGE_MESSAGES 45
#define FAKETIME_LIB "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"

static gboolean
states_contain (FaultRecorder * rec, const gchar * needle)
{
  gboolean found;

  g_mutex_lock (&rec->lock);
  found = strstr (rec->states->str, needle) != NULL;
  g_mutex_unlock (&rec->lock);
  return found;
}

/* SIGKILL while both are connected; messages sent during the outage wait
 * and go out, in order, once the service is back (on the same port, with
 * the channel re-created: a new ARN, found by describing again after the
 * WebSocket's 404). One that cannot wait (send-timeout 1 s) is reported
 * with its correlation id. */
GST_START_TEST (test_restart_outage_messages_delivered)
{
  const gchar *args[] = { "--create-channel=" CHANNEL, NULL };
  FaultServer *server = fault_server_start (0, args, NULL);
  GstKvsSignalingClient *master, *viewer, *hasty;
  FaultRecorder *mrec, *vrec, *hrec;
  g_autofree gchar *arn1 = NULL, *arn2 = NULL, *arn_now = NULL;
  g_autoptr (GstKvsMessage) urgent = NULL;
  guint i;

  master = fault_client_new (server, GST_KVS_ROLE_MASTER, CHANNEL, NULL);
  viewer = fault_client_new (server, GST_KVS_ROLE_VIEWER, CHANNEL, VIEWER_ID);
  hasty = fault_client_new (server, GST_KVS_ROLE_VIEWER, CHANNEL,
      "viewer-hasty");
  g_object_set (hasty, "send-timeout", 1, NULL);
  mrec = fault_recorder_new (master);
  vrec = fault_recorder_new (viewer);
  hrec = fault_recorder_new (hasty);
  fault_start (master);
  fault_start (viewer);
  fault_start (hasty);
  FAULT_WAIT_STATE (mrec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  FAULT_WAIT_STATE (vrec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  FAULT_WAIT_STATE (hrec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  arn1 = gst_kvs_signaling_client_dup_channel_arn (master);
  fail_unless (arn1 != NULL);

  fault_server_kill (server);
  FAULT_WAIT (&mrec->lock, &mrec->cond, mrec->n_disconnected >= 1, 5);
  FAULT_WAIT (&vrec->lock, &vrec->cond, vrec->n_disconnected >= 1, 5);
  FAULT_WAIT (&hrec->lock, &hrec->cond, hrec->n_disconnected >= 1, 5);

  /* during the outage: more than the service takes at once (20 ICE
   * candidates per connection and second): the client paces them */
  for (i = 0; i < OUTAGE_MESSAGES; i++) {
    g_autoptr (GstKvsMessage) to_master = fault_numbered_candidate (NULL, i);
    g_autoptr (GstKvsMessage) to_viewer =
        fault_numbered_candidate (VIEWER_ID, i);

    fail_unless (gst_kvs_signaling_client_send (viewer, to_master, NULL));
    fail_unless (gst_kvs_signaling_client_send (master, to_viewer, NULL));
  }
  urgent = fault_numbered_candidate (NULL, 77);
  fail_unless (gst_kvs_signaling_client_send (hasty, urgent, NULL));
  FAULT_WAIT (&hrec->lock, &hrec->cond, hrec->failed->len == 1, 5);
  g_mutex_lock (&hrec->lock);
  fail_unless_equals_string (((GstKvsMessage *) g_ptr_array_index
          (hrec->failed, 0))->correlation_id, "c77");
  fail_unless (strstr (g_ptr_array_index (hrec->failed_errors, 0),
          "correlation id c77") != NULL, "%s",
      (gchar *) g_ptr_array_index (hrec->failed_errors, 0));
  g_mutex_unlock (&hrec->lock);
  fail_unless_equals_uint64 (fault_stat (hasty, "send-failures"), 1);
  fail_unless_equals_uint64 (fault_stat (viewer, "send-failures"), 0);
  {
    g_autoptr (GstStructure) s = gst_kvs_signaling_client_get_stats (viewer);
    guint depth = 0;

    fail_unless (gst_structure_get_uint (s, "queue-depth", &depth));
    fail_unless_equals_int (depth, OUTAGE_MESSAGES);
  }
  g_usleep (500 * 1000);

  fault_server_restart (server);
  FAULT_WAIT (&mrec->lock, &mrec->cond, mrec->n_connected >= 2, 15);
  FAULT_WAIT (&vrec->lock, &vrec->cond, vrec->n_connected >= 2, 15);

  /* a new channel: described again */
  arn2 = fault_describe_arn (server, CHANNEL, NULL);
  fail_unless (arn2 != NULL);
  fail_if (g_str_equal (arn1, arn2), "the restarted service kept the ARN");
  arn_now = gst_kvs_signaling_client_dup_channel_arn (master);
  fail_unless_equals_string (arn_now, arn2);
  g_clear_pointer (&arn_now, g_free);
  arn_now = gst_kvs_signaling_client_dup_channel_arn (viewer);
  fail_unless_equals_string (arn_now, arn2);

  FAULT_WAIT (&mrec->lock, &mrec->cond,
      mrec->from_peers->len >= OUTAGE_MESSAGES, 10);
  FAULT_WAIT (&vrec->lock, &vrec->cond,
      vrec->from_peers->len >= OUTAGE_MESSAGES, 10);
  fault_assert_numbered (mrec, OUTAGE_MESSAGES, "master");
  fault_assert_numbered (vrec, OUTAGE_MESSAGES, "viewer");
  /* none refused */
  g_mutex_lock (&mrec->lock);
  fail_unless_equals_int (mrec->n_status, 0);
  g_mutex_unlock (&mrec->lock);
  g_mutex_lock (&vrec->lock);
  fail_unless_equals_int (vrec->n_status, 0);
  g_mutex_unlock (&vrec->lock);
  fail_unless_equals_uint64 (fault_stat (master, "reconnects"), 1);
  fail_unless_equals_uint64 (fault_stat (viewer, "reconnects"), 1);
  fail_unless_equals_uint64 (fault_stat (master, "send-failures"), 0);

  fault_recorder_free (mrec);
  fault_recorder_free (vrec);
  fault_recorder_free (hrec);
  fault_server_free (server);
}

GST_END_TEST;

/* Deleted and re-created under a connected master (create-channel off):
 * 1001 close, 404 on the old ARN, describe, the new ARN. */
GST_START_TEST (test_channel_recreated)
{
  const gchar *args[] = { "--create-channel=" CHANNEL, NULL };
  FaultServer *server = fault_server_start (0, args, NULL);
  GstKvsSignalingClient *master, *viewer;
  FaultRecorder *mrec, *vrec;
  g_autofree gchar *arn1 = NULL, *arn2 = NULL, *arn_now = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstKvsMessage) msg = fault_numbered_candidate (NULL, 0);

  master = fault_client_new (server, GST_KVS_ROLE_MASTER, CHANNEL, NULL);
  mrec = fault_recorder_new (master);
  fault_start (master);
  FAULT_WAIT_STATE (mrec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  arn1 = gst_kvs_signaling_client_dup_channel_arn (master);

  fail_unless (fault_delete_channel (server, CHANNEL, &error), "%s",
      error ? error->message : "?");
  arn2 = fault_create_channel (server, CHANNEL, &error);
  fail_unless (arn2 != NULL, "%s", error ? error->message : "?");
  fail_if (g_str_equal (arn1, arn2));

  FAULT_WAIT (&mrec->lock, &mrec->cond, mrec->n_connected >= 2, 10);
  arn_now = gst_kvs_signaling_client_dup_channel_arn (master);
  fail_unless_equals_string (arn_now, arn2);
  fail_unless (states_contain (mrec, "disconnected"));
  {
    /* DESCRIBE again after the disconnect */
    g_mutex_lock (&mrec->lock);
    fail_unless (strstr (strstr (mrec->states->str, "disconnected"),
            "describe") != NULL, "%s", mrec->states->str);
    g_mutex_unlock (&mrec->lock);
  }
  g_mutex_lock (&mrec->lock);
  fail_unless (mrec->error == NULL);
  g_mutex_unlock (&mrec->lock);

  /* and it works on the new channel */
  viewer = fault_client_new (server, GST_KVS_ROLE_VIEWER, CHANNEL, VIEWER_ID);
  vrec = fault_recorder_new (viewer);
  fault_start (viewer);
  FAULT_WAIT_STATE (vrec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  fail_unless (gst_kvs_signaling_client_send (viewer, msg, NULL));
  FAULT_WAIT (&mrec->lock, &mrec->cond, mrec->from_peers->len == 1, 5);
  fault_assert_numbered (mrec, 1, "master");

  fault_recorder_free (vrec);
  fault_recorder_free (mrec);
  fault_server_free (server);
}

GST_END_TEST;

/* Deleted for good, create-channel off: an error naming the channel, state
 * FAILED; with create-channel on the client makes it again. */
GST_START_TEST (test_channel_gone_fatal)
{
  const gchar *args[] = { "--create-channel=" CHANNEL, NULL };
  FaultServer *server = fault_server_start (0, args, NULL);
  GstKvsSignalingClient *master, *creator;
  FaultRecorder *mrec, *crec;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *arn = NULL;

  master = fault_client_new (server, GST_KVS_ROLE_MASTER, CHANNEL, NULL);
  mrec = fault_recorder_new (master);
  fault_start (master);
  FAULT_WAIT_STATE (mrec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);

  fail_unless (fault_delete_channel (server, CHANNEL, &error), "%s",
      error ? error->message : "?");
  /* "error" follows the state change to FAILED */
  FAULT_WAIT (&mrec->lock, &mrec->cond, mrec->error != NULL, 10);
  fail_unless_equals_int (gst_kvs_signaling_client_get_state (master),
      GST_KVS_SIGNALING_STATE_FAILED);
  g_mutex_lock (&mrec->lock);
  fail_unless (g_error_matches (mrec->error, GST_KVS_ERROR,
          GST_KVS_ERROR_RESOURCE_NOT_FOUND), "%s", mrec->error->message);
  fail_unless (strstr (mrec->error->message, "'" CHANNEL "'") != NULL, "%s",
      mrec->error->message);
  g_mutex_unlock (&mrec->lock);
  fault_recorder_free (mrec);

  creator = fault_client_new (server, GST_KVS_ROLE_MASTER, CHANNEL, NULL);
  g_object_set (creator, "create-channel", TRUE, NULL);
  crec = fault_recorder_new (creator);
  fault_start (creator);
  FAULT_WAIT_STATE (crec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  fail_unless (states_contain (crec, "describe,create,describe"));
  arn = fault_describe_arn (server, CHANNEL, NULL);
  fail_unless (arn != NULL);
  fault_recorder_free (crec);
  fault_server_free (server);
}

GST_END_TEST;

/* The service's clock 15 minutes ahead (libfaketime): the first signature
 * is refused (403), the reply's Date corrects the offset, REST calls and
 * the presigned WebSocket URL both use it. */
GST_START_TEST (test_clock_skew_403_corrected)
{
  const gchar *args[] = { "--create-channel=" CHANNEL, NULL };
  const gchar *env[] = { "LD_PRELOAD=" FAKETIME_LIB, "FAKETIME=+15m",
    "FAKETIME_DONT_FAKE_MONOTONIC=1", "FAKETIME_NO_CACHE=1", NULL
  };
  FaultServer *server;
  GstKvsSignalingClient *master;
  FaultRecorder *mrec;

  /* libfaketime is in scripts/apt-packages.txt */
  fail_unless (g_file_test (FAKETIME_LIB, G_FILE_TEST_EXISTS),
      "%s is missing (Debian package libfaketime)", FAKETIME_LIB);
  server = fault_server_start (0, args, env);
  master = fault_client_new (server, GST_KVS_ROLE_MASTER, CHANNEL, NULL);
  mrec = fault_recorder_new (master);
  fault_start (master);
  FAULT_WAIT_STATE (mrec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);

  /* it was refused first: the skew was real */
  fail_unless (fault_counter (server, "authFailures") >= 1);
  fail_unless (states_contain (mrec, "describe,disconnected"));
  g_mutex_lock (&mrec->lock);
  fail_unless (mrec->error == NULL);
  g_mutex_unlock (&mrec->lock);
  /* the WebSocket handshake was accepted at once */
  fail_unless_equals_int (fault_counter (server, "handshakeRejects"), 0);
  fail_unless_equals_int (fault_counter (server, "connectionsCurrent"), 1);

  fault_recorder_free (mrec);
  fault_server_free (server);
}

GST_END_TEST;

/* The service admitting two WebSocket connects per channel and second (AWS:
 * three): four viewers started at once cannot all be admitted within the
 * same second, so the handshakes refused with 400 ClientLimitExceeded are
 * retried after the backoff, named in the client's warning, and all four
 * end up connected, never failed. */
static gint limit_warnings;

static void
find_limit_warning (GstDebugCategory * category, GstDebugLevel level,
    const gchar * file, const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  const gchar *text = gst_debug_message_get (message);

  if (level == GST_LEVEL_WARNING && g_str_equal
      (gst_debug_category_get_name (category), "kvssignalingclient")
      && strstr (text, "handshake refused: HTTP 400")
      && strstr (text, "ClientLimitExceededException"))
    g_atomic_int_inc (&limit_warnings);
}

#define N_THROTTLED 4

GST_START_TEST (test_connect_rate_limit_retried)
{
  const gchar *args[] = { "--create-channel=" CHANNEL,
    "--max-connects-per-second=2", NULL
  };
  FaultServer *server = fault_server_start (0, args, NULL);
  FaultRecorder *recs[N_THROTTLED];
  gint64 rejects;
  guint i;

  g_atomic_int_set (&limit_warnings, 0);
  gst_debug_add_log_function (find_limit_warning, NULL, NULL);
  gst_debug_set_threshold_for_name ("kvssignalingclient", GST_LEVEL_WARNING);
  for (i = 0; i < N_THROTTLED; i++) {
    g_autofree gchar *id = g_strdup_printf ("viewer-throttled-%u", i);

    recs[i] = fault_recorder_new (fault_client_new (server,
            GST_KVS_ROLE_VIEWER, CHANNEL, id));
  }
  for (i = 0; i < N_THROTTLED; i++)
    fault_start (recs[i]->client);
  for (i = 0; i < N_THROTTLED; i++)
    FAULT_WAIT_STATE (recs[i], GST_KVS_SIGNALING_STATE_CONNECTED, 25);

  rejects = fault_counter (server, "handshakeRejects");
  fail_unless (rejects >= 1, "four connects in one second were all admitted");
  fail_unless (g_atomic_int_get (&limit_warnings) >= 1,
      "no client warning named ClientLimitExceededException");
  for (i = 0; i < N_THROTTLED; i++) {
    g_mutex_lock (&recs[i]->lock);
    fail_unless (recs[i]->error == NULL, "a throttled client gave up");
    g_mutex_unlock (&recs[i]->lock);
  }
  fail_unless_equals_int (fault_counter (server, "connectionsCurrent"),
      N_THROTTLED);

  gst_debug_remove_log_function (find_limit_warning);
  gst_debug_unset_threshold_for_name ("kvssignalingclient");
  for (i = 0; i < N_THROTTLED; i++)
    fault_recorder_free (recs[i]);
  fault_server_free (server);
}

GST_END_TEST;

/* RECONNECT_ICE_SERVER: fresh TURN credentials in the background. */
GST_START_TEST (test_reconnect_ice_server_refreshes)
{
  const gchar *args[] = { "--create-channel=" CHANNEL,
    "--turn-uri=turn:127.0.0.1:3478?transport=udp", "--turn-secret=s3cr3t",
    NULL
  };
  FaultServer *server = fault_server_start (0, args, NULL);
  GstKvsSignalingClient *master;
  FaultRecorder *mrec;
  g_autoptr (GPtrArray) ice = NULL;

  master = fault_client_new (server, GST_KVS_ROLE_MASTER, CHANNEL, NULL);
  mrec = fault_recorder_new (master);
  fault_start (master);
  FAULT_WAIT_STATE (mrec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  /* GetIceServerConfig may answer after "connected" */
  FAULT_WAIT (&mrec->lock, &mrec->cond, mrec->n_ice_changed >= 1, 5);
  g_mutex_lock (&mrec->lock);
  fail_unless_equals_int (mrec->n_ice_changed, 1);
  g_mutex_unlock (&mrec->lock);
  fail_unless_equals_uint64 (fault_stat (master, "ice-server-refreshes"), 0);

  fail_unless_equals_int (fault_control_post (server, "reconnect-ice-server",
          "{\"channelName\":\"" CHANNEL "\",\"role\":\"master\"}"), 1);
  FAULT_WAIT (&mrec->lock, &mrec->cond, mrec->n_ice_changed == 2, 5);
  g_mutex_lock (&mrec->lock);
  fail_unless_equals_int (mrec->n_reconnect_ice, 1);
  fail_unless_equals_int (mrec->n_disconnected, 0);
  g_mutex_unlock (&mrec->lock);
  fail_unless_equals_uint64 (fault_stat (master, "ice-server-refreshes"), 1);
  fail_unless_equals_uint64 (fault_stat (master,
          "messages-received-reconnect-ice-server"), 1);
  ice = gst_kvs_signaling_client_dup_ice_servers (master);
  fail_unless_equals_int (ice->len, 1);
  fail_unless_equals_string (((GstKvsIceServer *) g_ptr_array_index (ice,
              0))->uris[0], "turn:127.0.0.1:3478?transport=udp");

  fault_recorder_free (mrec);
  fault_server_free (server);
}

GST_END_TEST;

/* A message the service cannot take (the hold queue of an absent master
 * is full) comes back as a STATUS_RESPONSE with its correlation id: the
 * application learns which one was not delivered. */
GST_START_TEST (test_refused_message_reported)
{
  const gchar *args[] = { "--create-channel=" CHANNEL, "--max-queue=2", NULL };
  FaultServer *server = fault_server_start (0, args, NULL);
  GstKvsSignalingClient *viewer;
  FaultRecorder *vrec;
  guint i;

  viewer = fault_client_new (server, GST_KVS_ROLE_VIEWER, CHANNEL, VIEWER_ID);
  vrec = fault_recorder_new (viewer);
  fault_start (viewer);
  FAULT_WAIT_STATE (vrec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  for (i = 0; i < 4; i++) {
    g_autoptr (GstKvsMessage) msg = fault_numbered_candidate (NULL, i);

    fail_unless (gst_kvs_signaling_client_send (viewer, msg, NULL));
  }
  FAULT_WAIT (&vrec->lock, &vrec->cond, vrec->statuses->len == 2, 5);
  g_mutex_lock (&vrec->lock);
  for (i = 0; i < 2; i++) {
    GstKvsMessage *st = g_ptr_array_index (vrec->statuses, i);
    g_autofree gchar *cid = g_strdup_printf ("c%u", i + 2);

    fail_unless_equals_string (st->correlation_id, cid);
    fail_unless_equals_string (st->error_type, "ClientLimitExceededException");
    fail_unless_equals_int (st->status_code, 400);
  }
  g_mutex_unlock (&vrec->lock);
  fail_unless_equals_uint64 (fault_stat (viewer,
          "messages-received-status-response"), 2);
  fail_unless_equals_uint64 (fault_stat (viewer,
          "messages-sent-ice-candidate"), 4);

  fault_recorder_free (vrec);
  fault_server_free (server);
}

GST_END_TEST;

static Suite *
recovery_suite (void)
{
  Suite *s = suite_create ("faults-recovery");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_restart_outage_messages_delivered);
  tcase_add_test (tc, test_channel_recreated);
  tcase_add_test (tc, test_channel_gone_fatal);
  tcase_add_test (tc, test_clock_skew_403_corrected);
  tcase_add_test (tc, test_connect_rate_limit_retried);
  tcase_add_test (tc, test_reconnect_ice_server_refreshes);
  tcase_add_test (tc, test_refused_message_reported);
  return s;
}

GST_CHECK_MAIN (recovery);
