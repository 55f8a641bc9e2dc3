/* kvs-soak: a bounded soak of the signaling life cycle (scripts/soak runs
 * it). The real local service, a master and a viewer (library clients),
 * numbered ICE candidates both ways without pause, and on a schedule:
 * GO_AWAY to both, an abrupt TCP drop, a service restart (SIGTERM, or
 * SIGKILL with --kill), RECONNECT_ICE_SERVER. Prints what was sent,
 * received and lost, and exits 1 when a message was lost, duplicated or
 * reordered, or a client did not recover.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "faultutil.h"

#define CHANNEL "soak"
#define VIEWER_ID "viewer-soak"
/* longest wait for a reconnect or the last messages */
#define RECOVERY_S 25

typedef struct
{
  const gchar *name;
  GstKvsSignalingClient *client;
  FaultRecorder *rec;
  const gchar *recipient;
  gint stop;
  guint sent;
  guint refused;
  GThread *thread;
} Side;

static gpointer
sender (gpointer data)
{
  Side *side = data;

  while (!g_atomic_int_get (&side->stop)) {
    g_autoptr (GstKvsMessage) msg =
        fault_numbered_candidate (side->recipient, side->sent);
    g_autoptr (GError) error = NULL;

    if (gst_kvs_signaling_client_send (side->client, msg, &error))
      side->sent++;
    else
      side->refused++;
    /* 10 per second, half the service's limit */
    g_usleep (100 * 1000);
  }
  return NULL;
}

/* received: how many distinct numbers, duplicates, out of order. */
static void
tally (FaultRecorder * rec, guint sent, guint * received, guint * lost,
    guint * dups, guint * reordered)
{
  g_autofree guint8 *seen = g_malloc0 (sent + 1);
  gint last = -1;

  *received = *dups = *reordered = 0;
  g_mutex_lock (&rec->lock);
  for (guint i = 0; i < rec->from_peers->len; i++) {
    gint n = fault_candidate_number (g_ptr_array_index (rec->from_peers, i));

    if (n < 0 || (guint) n >= sent)
      continue;
    if (seen[n]) {
      (*dups)++;
      continue;
    }
    seen[n] = 1;
    (*received)++;
    if (n < last)
      (*reordered)++;
    last = n;
  }
  g_mutex_unlock (&rec->lock);
  *lost = sent - *received;
  if (*lost > 0) {
    GString *missing = g_string_new (NULL);

    for (guint i = 0; i < sent && missing->len < 200; i++)
      if (!seen[i])
        g_string_append_printf (missing, " %u", i);
    g_print ("  missing:%s\n", missing->str);
    g_string_free (missing, TRUE);
  }
}

static gboolean
wait_connected (Side * side, guint seconds)
{
  gint64 end = g_get_monotonic_time () + seconds * G_TIME_SPAN_SECOND;
  gboolean ok;

  g_mutex_lock (&side->rec->lock);
  while (side->rec->state != GST_KVS_SIGNALING_STATE_CONNECTED)
    if (!g_cond_wait_until (&side->rec->cond, &side->rec->lock, end))
      break;
  ok = side->rec->state == GST_KVS_SIGNALING_STATE_CONNECTED;
  g_mutex_unlock (&side->rec->lock);
  return ok;
}

static gdouble minutes = 3;
static gint period = 10;
static gboolean use_kill = FALSE;

GST_START_TEST (test_soak)
{
  /* The service holds at most --max-queue messages for an absent client
   * (default 100, refused beyond with STATUS_RESPONSE). A client's
   * reconnect backoff reaches 10 s when faults come faster than its
   * stable minute: 10 s at 10 messages/s is exactly 100. */
  const gchar *args[] = { "--create-channel=" CHANNEL, "--go-away-grace=2",
    "--max-queue=300", NULL
  };
  FaultServer *server;
  Side master = {.name = "master" }, viewer = {.name = "viewer" };
  Side *sides[] = { &master, &viewer };
  const gchar *faults[] = { "go-away", "drop", "restart",
    "reconnect-ice-server"
  };
  guint n_faults[G_N_ELEMENTS (faults)] = { 0, };
  gint64 end;
  guint round = 0;
  gboolean ok = TRUE;

  server = fault_server_start (0, args, NULL);
  g_print ("service on %s; %.1f min, a fault every %d s (%s restarts)\n",
      server->endpoint, minutes, period, use_kill ? "SIGKILL" : "SIGTERM");

  master.client = fault_client_new (server, GST_KVS_ROLE_MASTER, CHANNEL, NULL);
  master.recipient = VIEWER_ID;
  viewer.client = fault_client_new (server, GST_KVS_ROLE_VIEWER, CHANNEL,
      VIEWER_ID);
  for (guint i = 0; i < 2; i++) {
    g_object_set (sides[i]->client, "keepalive-interval", 2, "send-timeout",
        0, NULL);
    sides[i]->rec = fault_recorder_new (sides[i]->client);
    fault_start (sides[i]->client);
    fail_unless (wait_connected (sides[i], 10), "%s did not connect",
        sides[i]->name);
  }
  for (guint i = 0; i < 2; i++)
    sides[i]->thread = g_thread_new (sides[i]->name, sender, sides[i]);

  end = g_get_monotonic_time () + (gint64) (minutes * 60 * G_USEC_PER_SEC);
  while (g_get_monotonic_time () + period * G_USEC_PER_SEC < end) {
    guint which = round++ % G_N_ELEMENTS (faults);
    const gchar *fault = faults[which];

    g_usleep (period * G_USEC_PER_SEC);
    n_faults[which]++;
    g_print ("[%3u] %s\n", round, fault);
    if (g_str_equal (fault, "restart")) {
      if (use_kill) {
        fault_server_kill (server);
      } else {
        g_subprocess_send_signal (server->process, SIGTERM);
        g_subprocess_wait (server->process, NULL, NULL);
        g_clear_object (&server->process);
      }
      g_usleep (G_USEC_PER_SEC);
      fault_server_restart (server);
    } else {
      g_autofree gchar *body = g_strdup ("{\"channelName\":\"" CHANNEL "\"}");

      if (fault_control_post (server, fault, body) < 1) {
        g_print ("  (no connection to %s: a client is reconnecting)\n", fault);
      }
    }
    /* reconnect backoff: at most 10 s, reset after a stable minute */
    for (guint i = 0; i < 2; i++) {
      if (!wait_connected (sides[i], RECOVERY_S)) {
        g_print ("  %s did not recover within %d s\n", sides[i]->name,
            RECOVERY_S);
        ok = FALSE;
      }
    }
  }
  g_usleep (period * G_USEC_PER_SEC / 2);

  for (guint i = 0; i < 2; i++) {
    g_atomic_int_set (&sides[i]->stop, 1);
    g_thread_join (sides[i]->thread);
  }
  /* let the last ones arrive (bounded) */
  for (guint i = 0; i < 2; i++) {
    Side *from = sides[i], *to = sides[1 - i];
    gint64 drain_end = g_get_monotonic_time () + RECOVERY_S * G_USEC_PER_SEC;

    g_mutex_lock (&to->rec->lock);
    while (to->rec->from_peers->len < from->sent)
      if (!g_cond_wait_until (&to->rec->cond, &to->rec->lock, drain_end))
        break;
    g_mutex_unlock (&to->rec->lock);
  }

  {
    g_autofree gchar *counters = fault_control_get (server, "counters");

    g_print ("service counters since the last restart: %s\n", counters);
  }
  g_print ("faults: %u GO_AWAY, %u TCP drops, %u restarts, %u "
      "RECONNECT_ICE_SERVER\n", n_faults[0], n_faults[1], n_faults[2],
      n_faults[3]);
  for (guint i = 0; i < 2; i++) {
    Side *from = sides[i], *to = sides[1 - i];
    guint received, lost, dups, reordered;

    g_print ("%s -> %s:\n", from->name, to->name);
    tally (to->rec, from->sent, &received, &lost, &dups, &reordered);
    g_print ("  sent %u, received %u, lost %u, duplicated %u, reordered %u, "
        "refused by send() %u, send-failed %" G_GUINT64_FORMAT
        ", reconnects %" G_GUINT64_FORMAT "\n", from->sent, received, lost,
        dups, reordered, from->refused, fault_stat (from->client,
            "send-failures"), fault_stat (from->client, "reconnects"));
    g_mutex_lock (&from->rec->lock);
    g_print ("  STATUS_RESPONSEs (refusals) to %s: %u\n", from->name,
        from->rec->n_status);
    if (from->rec->n_status)
      ok = FALSE;
    g_mutex_unlock (&from->rec->lock);
    if (lost || dups || reordered || from->refused)
      ok = FALSE;
  }

  for (guint i = 0; i < 2; i++)
    fault_recorder_free (sides[i]->rec);
  fault_server_free (server);
  g_print ("%s\n", ok ? "PASS: nothing lost, both recovered every time" :
      "FAIL");
  fail_unless (ok, "messages lost or a client did not recover");
}

GST_END_TEST;

int
main (int argc, char **argv)
{
  GOptionEntry entries[] = {
    {"minutes", 0, 0, G_OPTION_ARG_DOUBLE, &minutes, "How long (default 3)",
        "N"},
    {"period", 0, 0, G_OPTION_ARG_INT, &period,
        "Seconds between two faults (default 10)", "S"},
    {"kill", 0, 0, G_OPTION_ARG_NONE, &use_kill,
        "Restart the service with SIGKILL instead of SIGTERM", NULL},
    {NULL}
  };
  g_autoptr (GOptionContext) options = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  Suite *suite;
  TCase *tc;
  SRunner *runner;
  gint failed;

  setvbuf (stdout, NULL, _IOLBF, 0);
  g_option_context_add_main_entries (options, entries, NULL);
  g_option_context_set_summary (options, "A bounded soak of the signaling "
      "life cycle against the local service (KVS_SERVER overrides the "
      "compiled-in path of kvs-signaling-server).");
  if (!g_option_context_parse (options, &argc, &argv, &error)) {
    g_printerr ("%s\n", error->message);
    return 2;
  }
  if (minutes <= 0 || period < 3) {
    g_printerr ("--minutes must be > 0 and --period >= 3\n");
    return 2;
  }
  /* never the developer's own AWS setup */
  g_setenv ("AWS_CONFIG_FILE", "/nonexistent/kvs-soak", TRUE);
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/kvs-soak", TRUE);
  gst_check_init (NULL, NULL);

  suite = suite_create ("soak");
  tc = tcase_create ("soak");
  tcase_set_timeout (tc, (gint) (minutes * 60) + 120);
  tcase_add_test (tc, test_soak);
  suite_add_tcase (suite, tc);
  runner = srunner_create (suite);
  srunner_set_fork_status (runner, CK_NOFORK);
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed ? 1 : 0;
}
