/* Fault tests of the connection life cycle, library clients against the
 * real local service: abrupt TCP drop, GO_AWAY with a grace period, idle
 * timeout and maximum connection duration shortened to seconds. Numbered
 * ICE candidates flow both ways through every fault; none may be lost.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "faultutil.h"

#define CHANNEL "faults-lifecycle"
#define VIEWER_ID "viewer-faults"

typedef struct
{
  FaultServer *server;
  GstKvsSignalingClient *master, *viewer;
  FaultRecorder *mrec, *vrec;
} Pair;

/* @max_age: the clients' max-connection-age (0: the default, 55 min). */
static void
pair_connect_full (Pair * p, const gchar * const *server_args,
    guint keepalive, guint max_age)
{
  const gchar *args[16] = { "--create-channel=" CHANNEL, NULL };
  guint n = 1;

  for (guint i = 0; server_args && server_args[i]; i++)
    args[n++] = server_args[i];
  args[n] = NULL;
  p->server = fault_server_start (0, args, NULL);
  p->master = fault_client_new (p->server, GST_KVS_ROLE_MASTER, CHANNEL, NULL);
  p->viewer = fault_client_new (p->server, GST_KVS_ROLE_VIEWER, CHANNEL,
      VIEWER_ID);
  g_object_set (p->master, "keepalive-interval", keepalive, NULL);
  g_object_set (p->viewer, "keepalive-interval", keepalive, NULL);
  if (max_age > 0) {
    g_object_set (p->master, "max-connection-age", max_age, NULL);
    g_object_set (p->viewer, "max-connection-age", max_age, NULL);
  }
  p->mrec = fault_recorder_new (p->master);
  p->vrec = fault_recorder_new (p->viewer);
  fault_start (p->master);
  FAULT_WAIT_STATE (p->mrec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  fault_start (p->viewer);
  FAULT_WAIT_STATE (p->vrec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
}

static void
pair_connect (Pair * p, const gchar * const *server_args, guint keepalive)
{
  pair_connect_full (p, server_args, keepalive, 0);
}

static void
pair_free (Pair * p)
{
  fault_recorder_free (p->mrec);
  fault_recorder_free (p->vrec);
  fault_server_free (p->server);
}

/* ---- a sender of numbered candidates ----------------------------------- */

typedef struct
{
  GstKvsSignalingClient *client;
  const gchar *recipient;
  guint interval_ms;
  gint stop;
  guint sent;
  GThread *thread;
} Pump;

static gpointer
pump_thread (gpointer data)
{
  Pump *pump = data;

  while (!g_atomic_int_get (&pump->stop)) {
    g_autoptr (GstKvsMessage) msg =
        fault_numbered_candidate (pump->recipient, pump->sent);
    g_autoptr (GError) error = NULL;

    fail_unless (gst_kvs_signaling_client_send (pump->client, msg, &error),
        "send %u refused: %s", pump->sent, error ? error->message : "?");
    pump->sent++;
    g_usleep (pump->interval_ms * 1000);
  }
  return NULL;
}

/* Under the service's 20 ICE candidates/s per connection. */
static void
pump_start (Pump * pump, GstKvsSignalingClient * client,
    const gchar * recipient)
{
  pump->client = client;
  pump->recipient = recipient;
  pump->interval_ms = 70;
  pump->stop = 0;
  pump->sent = 0;
  pump->thread = g_thread_new ("pump", pump_thread, pump);
}

static guint
pump_stop (Pump * pump)
{
  g_atomic_int_set (&pump->stop, 1);
  g_thread_join (pump->thread);
  return pump->sent;
}

static guint
count_numbered (FaultRecorder * rec)
{
  guint n = 0;

  for (guint i = 0; i < rec->from_peers->len; i++)
    if (fault_candidate_number (g_ptr_array_index (rec->from_peers, i)) >= 0)
      n++;
  return n;
}

static guint
recorded (FaultRecorder * rec, const guint * field)
{
  guint v;

  g_mutex_lock (&rec->lock);
  v = *field;
  g_mutex_unlock (&rec->lock);
  return v;
}

/* Waits up to @secs for @rec to hold @n numbered candidates, and up to as
 * long again while more keep arriving (a loaded machine delivers late, a
 * lost one never comes). No failure here: fault_assert_numbered() then
 * names the missing or misplaced candidate. */
static void
wait_numbered (FaultRecorder * rec, guint n, guint secs)
{
  gint64 end = g_get_monotonic_time () + secs * G_TIME_SPAN_SECOND;
  gint64 hard_end = end + secs * G_TIME_SPAN_SECOND;
  guint at_deadline;

  g_mutex_lock (&rec->lock);
  at_deadline = count_numbered (rec);
  while (count_numbered (rec) < n) {
    if (!g_cond_wait_until (&rec->cond, &rec->lock, end)) {
      guint now_seen = count_numbered (rec);

      if (now_seen == at_deadline || g_get_monotonic_time () >= hard_end)
        break;
      at_deadline = now_seen;
      end = MIN (g_get_monotonic_time () + G_TIME_SPAN_SECOND, hard_end);
    }
  }
  g_mutex_unlock (&rec->lock);
}

/* Pumps both ways for @seconds, calling @fault after @fault_after_ms, and
 * then on while @until (may be NULL) is FALSE, at most 10 s more: the
 * faults it waits for come later on a loaded machine. Then checks that
 * every candidate arrived, in order. */
static void
pump_through (Pair * p, guint seconds, void (*fault) (Pair *),
    guint fault_after_ms, gboolean (*until) (Pair *))
{
  Pump to_master, to_viewer;
  guint n_master, n_viewer;
  gint64 end;

  pump_start (&to_master, p->viewer, NULL);
  pump_start (&to_viewer, p->master, VIEWER_ID);
  if (fault) {
    g_usleep (fault_after_ms * 1000);
    fault (p);
  }
  g_usleep (seconds * G_USEC_PER_SEC - fault_after_ms * 1000);
  end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (until && !until (p) && g_get_monotonic_time () < end)
    g_usleep (100 * 1000);
  /* what the faults produce is not lost in the last moment */
  if (until)
    g_usleep (500 * 1000);
  n_master = pump_stop (&to_master);
  n_viewer = pump_stop (&to_viewer);
  GST_INFO ("sent %u to the master, %u to the viewer", n_master, n_viewer);
  fail_unless (n_master > 10 && n_viewer > 10);

  wait_numbered (p->mrec, n_master, 10);
  wait_numbered (p->vrec, n_viewer, 10);
  fault_assert_numbered (p->mrec, n_master, "master");
  fault_assert_numbered (p->vrec, n_viewer, "viewer");
}

/* ---- tests -------------------------------------------------------------- */

static void
drop_master (Pair * p)
{
  fail_unless_equals_int (fault_control_post (p->server, "drop",
          "{\"channelName\":\"" CHANNEL "\",\"role\":\"master\"}"), 1);
}

/* The TCP connection shut without a close frame: the master reconnects,
 * the viewer is not disturbed. */
GST_START_TEST (test_tcp_drop_reconnects)
{
  Pair p;
  g_autoptr (GstKvsMessage) msg = fault_numbered_candidate (NULL, 0);

  pair_connect (&p, NULL, 10);
  drop_master (&p);
  FAULT_WAIT (&p.mrec->lock, &p.mrec->cond, p.mrec->n_disconnected == 1, 5);
  FAULT_WAIT (&p.mrec->lock, &p.mrec->cond, p.mrec->n_connected == 2, 10);
  fail_unless_equals_uint64 (fault_stat (p.master, "reconnects"), 1);
  fail_unless_equals_uint64 (fault_stat (p.viewer, "reconnects"), 0);
  g_mutex_lock (&p.vrec->lock);
  fail_unless_equals_int (p.vrec->n_disconnected, 0);
  g_mutex_unlock (&p.vrec->lock);

  /* the new connection carries messages */
  fail_unless (gst_kvs_signaling_client_send (p.viewer, msg, NULL));
  FAULT_WAIT (&p.mrec->lock, &p.mrec->cond, p.mrec->from_peers->len == 1, 5);
  fault_assert_numbered (p.mrec, 1, "master");
  pair_free (&p);
}

GST_END_TEST;

/* A drop in the middle of a stream of messages: those sent before the
 * client noticed may be lost in the dead socket (the protocol has no
 * acknowledgements), but what goes out after the reconnect arrives in
 * order, and the master's queue never overflows. */

static void
go_away_all (Pair * p)
{
  fail_unless_equals_int (fault_control_post (p->server, "go-away",
          "{\"channelName\":\"" CHANNEL "\"}"), 2);
}

static gboolean
replaced_at_least (Pair * p, guint n)
{
  return recorded (p->mrec, &p->mrec->n_go_away) >= n
      && recorded (p->vrec, &p->vrec->n_go_away) >= n
      && fault_stat (p->master, "reconnects") >= n
      && fault_stat (p->viewer, "reconnects") >= n;
}

static gboolean
replaced_once (Pair * p)
{
  return replaced_at_least (p, 1);
}

static gboolean
replaced_twice (Pair * p)
{
  return replaced_at_least (p, 2);
}

/* GO_AWAY to both, closed after a 2 s grace: both open their replacement
 * before the old connection goes (never DISCONNECTED) and not a message
 * is lost either way. */
GST_START_TEST (test_go_away_no_message_lost)
{
  const gchar *args[] = { "--go-away-grace=2", NULL };
  Pair p;

  pair_connect (&p, args, 10);
  pump_through (&p, 4, go_away_all, 1000, replaced_once);

  g_mutex_lock (&p.mrec->lock);
  fail_unless_equals_int (p.mrec->n_go_away, 1);
  fail_unless_equals_int (p.mrec->n_disconnected, 0);
  g_mutex_unlock (&p.mrec->lock);
  g_mutex_lock (&p.vrec->lock);
  fail_unless_equals_int (p.vrec->n_go_away, 1);
  fail_unless_equals_int (p.vrec->n_disconnected, 0);
  g_mutex_unlock (&p.vrec->lock);
  fail_unless_equals_uint64 (fault_stat (p.master, "reconnects"), 1);
  fail_unless_equals_uint64 (fault_stat (p.viewer, "reconnects"), 1);
  fail_unless_equals_uint64 (fault_stat (p.master, "send-failures"), 0);
  fail_unless_equals_uint64 (fault_stat (p.viewer, "send-failures"), 0);
  pair_free (&p);
}

GST_END_TEST;

/* Idle timeout 3 s, pings every second: the connection outlives it twice
 * over (a 2 s margin, as a loaded machine may send a ping late). */
GST_START_TEST (test_keepalive_beats_idle_timeout)
{
  const gchar *args[] = { "--idle-timeout=3", NULL };
  Pair p;

  pair_connect (&p, args, 1);
  g_usleep (6 * G_USEC_PER_SEC);
  fail_unless_equals_uint64 (fault_stat (p.master, "reconnects"), 0);
  fail_unless_equals_uint64 (fault_stat (p.viewer, "reconnects"), 0);
  g_mutex_lock (&p.mrec->lock);
  fail_unless_equals_int (p.mrec->n_disconnected, 0);
  g_mutex_unlock (&p.mrec->lock);
  fail_unless_equals_int (fault_counter (p.server, "connectionsTotal"), 2);
  fail_unless_equals_int (fault_counter (p.server, "connectionsCurrent"), 2);
  pair_free (&p);
}

GST_END_TEST;

/* Connections limited to 2 s (GO_AWAY, closed 1 s later): every
 * replacement is seamless while messages flow both ways. */
GST_START_TEST (test_max_duration_seamless)
{
  const gchar *args[] = { "--max-connection-duration=2", "--go-away-grace=1",
    NULL
  };
  Pair p;

  pair_connect (&p, args, 10);
  pump_through (&p, 5, NULL, 0, replaced_twice);

  g_mutex_lock (&p.mrec->lock);
  fail_unless (p.mrec->n_go_away >= 2, "%u GO_AWAY", p.mrec->n_go_away);
  fail_unless_equals_int (p.mrec->n_disconnected, 0);
  g_mutex_unlock (&p.mrec->lock);
  g_mutex_lock (&p.vrec->lock);
  fail_unless (p.vrec->n_go_away >= 2, "%u GO_AWAY", p.vrec->n_go_away);
  fail_unless_equals_int (p.vrec->n_disconnected, 0);
  g_mutex_unlock (&p.vrec->lock);
  fail_unless (fault_stat (p.master, "reconnects") >= 2);
  fail_unless (fault_stat (p.viewer, "reconnects") >= 2);
  pair_free (&p);
}

GST_END_TEST;

static gboolean
client_replaced_twice (Pair * p)
{
  return fault_stat (p->master, "reconnects") >= 2
      && fault_stat (p->viewer, "reconnects") >= 2;
}

/* The client's own clock: the service sets no maximum duration and sends no
 * GO_AWAY, the clients replace their connections every 2 s
 * (max-connection-age, 55 min by default, ahead of AWS's one-hour limit),
 * make before break, while messages flow both ways: never DISCONNECTED,
 * nothing lost. Without the client's timer nothing is replaced. */
GST_START_TEST (test_max_connection_age_seamless)
{
  Pair p;

  pair_connect_full (&p, NULL, 10, 2);
  pump_through (&p, 5, NULL, 0, client_replaced_twice);

  g_mutex_lock (&p.mrec->lock);
  fail_unless_equals_int (p.mrec->n_go_away, 0);
  fail_unless_equals_int (p.mrec->n_disconnected, 0);
  g_mutex_unlock (&p.mrec->lock);
  g_mutex_lock (&p.vrec->lock);
  fail_unless_equals_int (p.vrec->n_go_away, 0);
  fail_unless_equals_int (p.vrec->n_disconnected, 0);
  g_mutex_unlock (&p.vrec->lock);
  fail_unless (fault_stat (p.master, "reconnects") >= 2);
  fail_unless (fault_stat (p.viewer, "reconnects") >= 2);
  fail_unless_equals_uint64 (fault_stat (p.master, "send-failures"), 0);
  fail_unless_equals_uint64 (fault_stat (p.viewer, "send-failures"), 0);
  pair_free (&p);
}

GST_END_TEST;

static Suite *
lifecycle_suite (void)
{
  Suite *s = suite_create ("faults-lifecycle");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_tcp_drop_reconnects);
  tcase_add_test (tc, test_go_away_no_message_lost);
  tcase_add_test (tc, test_keepalive_beats_idle_timeout);
  tcase_add_test (tc, test_max_duration_seamless);
  tcase_add_test (tc, test_max_connection_age_seamless);
  return s;
}

GST_CHECK_MAIN (lifecycle);
