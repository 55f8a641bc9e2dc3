/* Fault tests of what the user reads: for each mistake a new user makes,
 * element pipelines against the real local service post a bus message that
 * names the cause. A closed port (the reason, summarised when repeated), an
 * https endpoint whose certificate comes from an unknown CA (the problem and
 * ca-file, then an ERROR), two masters on one channel and two viewers with
 * one client id (a warning, a growing wait, no flapping), a viewer whose
 * offer nobody answers (a warning, and it keeps waiting), a region the
 * service is not in (a region mismatch naming the region and its source).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <glib/gstdio.h>
#include "faultutil.h"
#include "../kvstestexit.h"

#define CHANNEL "faults-diagnostics"
#define VP8_CAPS "application/x-rtp,media=video,encoding-name=VP8," \
  "payload=96,clock-rate=90000"

/* ---- what a pipeline's bus said ---------------------------------------- */

typedef struct
{
  GMutex lock;
  GCond cond;
  GPtrArray *warnings;          /* gchar *: "message | debug" */
  GPtrArray *errors;
  guint connected;              /* kvssignaling-state CONNECTED messages */
  guint disconnected;
  GstKvsSignalingState state;
} BusLog;

static gchar *
parsed_text (GstMessage * msg)
{
  g_autoptr (GError) err = NULL;
  g_autofree gchar *debug = NULL;

  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
    gst_message_parse_error (msg, &err, &debug);
  else
    gst_message_parse_warning (msg, &err, &debug);
  return g_strdup_printf ("%s | %s", err->message, GST_STR_NULL (debug));
}

static GstBusSyncReply
on_bus (GstBus * bus, GstMessage * msg, gpointer data)
{
  BusLog *log = data;

  g_mutex_lock (&log->lock);
  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_WARNING:
      g_ptr_array_add (log->warnings, parsed_text (msg));
      GST_INFO ("WARNING %s", (gchar *) g_ptr_array_index (log->warnings,
              log->warnings->len - 1));
      break;
    case GST_MESSAGE_ERROR:
      g_ptr_array_add (log->errors, parsed_text (msg));
      GST_INFO ("ERROR %s", (gchar *) g_ptr_array_index (log->errors,
              log->errors->len - 1));
      break;
    case GST_MESSAGE_ELEMENT:{
      const GstStructure *s = gst_message_get_structure (msg);
      gint state;

      if (gst_structure_has_name (s, "kvssignaling-state")
          && gst_structure_get_enum (s, "state",
              GST_TYPE_KVS_SIGNALING_STATE, &state)) {
        log->state = state;
        if (state == GST_KVS_SIGNALING_STATE_CONNECTED)
          log->connected++;
        else if (state == GST_KVS_SIGNALING_STATE_DISCONNECTED)
          log->disconnected++;
      }
      break;
    }
    default:
      break;
  }
  g_cond_broadcast (&log->cond);
  g_mutex_unlock (&log->lock);
  gst_message_unref (msg);
  return GST_BUS_DROP;
}

/* A pipeline of @desc with its bus logged in *@log, playing. */
static GstElement *
pipeline_start (const gchar * desc, BusLog ** log)
{
  g_autoptr (GError) error = NULL;
  GstElement *pipeline = gst_parse_launch (desc, &error);
  GstBus *bus;
  BusLog *l = g_new0 (BusLog, 1);

  fail_unless (pipeline != NULL && error == NULL, "%s: %s", desc,
      error ? error->message : "");
  if (!GST_IS_PIPELINE (pipeline)) {
    /* one element */
    GstElement *bin = gst_pipeline_new (NULL);

    gst_bin_add (GST_BIN (bin), pipeline);
    pipeline = bin;
  }
  g_mutex_init (&l->lock);
  g_cond_init (&l->cond);
  l->warnings = g_ptr_array_new_with_free_func (g_free);
  l->errors = g_ptr_array_new_with_free_func (g_free);
  bus = gst_element_get_bus (pipeline);
  gst_bus_set_sync_handler (bus, on_bus, l, NULL);
  gst_object_unref (bus);
  *log = l;
  fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  return pipeline;
}

static void
pipeline_free (GstElement * pipeline, BusLog * log)
{
  GstBus *bus = gst_element_get_bus (pipeline);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  g_ptr_array_unref (log->warnings);
  g_ptr_array_unref (log->errors);
  g_mutex_clear (&log->lock);
  g_cond_clear (&log->cond);
  g_free (log);
}

/* Whether @text holds every one of the NULL-terminated @needles
 * (case-insensitive). */
static gboolean
text_has_all (const gchar * text, const gchar * const *needles)
{
  g_autofree gchar *lower = g_ascii_strdown (text, -1);

  for (guint j = 0; needles[j]; j++) {
    g_autofree gchar *n = g_ascii_strdown (needles[j], -1);

    if (!strstr (lower, n))
      return FALSE;
  }
  return TRUE;
}

/* The first of @texts holding every needle, or NULL. Under the log's
 * lock. */
static const gchar *
find_text_v (GPtrArray * texts, const gchar * const *needles)
{
  for (guint i = 0; i < texts->len; i++)
    if (text_has_all (g_ptr_array_index (texts, i), needles))
      return g_ptr_array_index (texts, i);
  return NULL;
}

static gchar *
join_texts (GPtrArray * texts)
{
  GString *all = g_string_new (NULL);

  for (guint i = 0; i < texts->len; i++)
    g_string_append_printf (all, "\n  %s",
        (gchar *) g_ptr_array_index (texts, i));
  return g_string_free (all, FALSE);
}

/* Waits up to @secs for a warning (@errors FALSE) or an error holding
 * every needle; fails with what the bus said otherwise. Returns a copy. */
static gchar *
wait_text (BusLog * log, gboolean errors, guint secs, ...)
{
  const gchar *needles[8] = { NULL, };
  gint64 end = g_get_monotonic_time () + secs * G_TIME_SPAN_SECOND;
  const gchar *found;
  gchar *copy = NULL;
  va_list args;
  guint n = 0;

  va_start (args, secs);
  while (n < G_N_ELEMENTS (needles) - 1
      && (needles[n] = va_arg (args, const gchar *)))
      n++;
  va_end (args);

  g_mutex_lock (&log->lock);
  while (!(found = find_text_v (errors ? log->errors : log->warnings, needles)))
    if (!g_cond_wait_until (&log->cond, &log->lock, end))
      break;
  if (found) {
    copy = g_strdup (found);
  } else {
    g_autofree gchar *w = join_texts (log->warnings);
    g_autofree gchar *e = join_texts (log->errors);

    g_mutex_unlock (&log->lock);
    fail ("no %s naming '%s'%s%s within %u s; warnings:%s\nerrors:%s",
        errors ? "ERROR" : "WARNING", needles[0],
        needles[1] ? " and '" : "", needles[1] ? needles[1] : "", secs, w, e);
  }
  g_mutex_unlock (&log->lock);
  return copy;
}

static guint
count_texts (BusLog * log, gboolean errors, const gchar * needle)
{
  const gchar *needles[] = { needle, NULL };
  GPtrArray *texts;
  guint n = 0;

  g_mutex_lock (&log->lock);
  texts = errors ? log->errors : log->warnings;
  for (guint i = 0; i < texts->len; i++)
    if (text_has_all (g_ptr_array_index (texts, i), needles))
      n++;
  g_mutex_unlock (&log->lock);
  return n;
}

static void
wait_connected (BusLog * log, guint secs)
{
  FAULT_WAIT (&log->lock, &log->cond,
      log->state == GST_KVS_SIGNALING_STATE_CONNECTED, secs);
}

/* The service, with the channel. */
static FaultServer *
server_start (void)
{
  const gchar *args[] = { "--create-channel=" CHANNEL, NULL };

  return fault_server_start (0, args, NULL);
}

/* kvssignalingsrc as a master or viewer on @endpoint, no webrtcbin. */
static gchar *
signaling_only (const gchar * role, const gchar * endpoint, const gchar * extra)
{
  return g_strdup_printf ("kvssignalingsrc role=%s channel-name=" CHANNEL
      " endpoint=%s access-key=" FAULT_AK " secret-key=" FAULT_SK
      " auto-negotiate=false %s", role, endpoint, extra ? extra : "");
}

/* An http:// endpoint on 127.0.0.1 that nothing listens on. */
static gchar *
closed_endpoint (void)
{
  g_autoptr (GSocket) sock = NULL;
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback
      (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  guint port;

  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, NULL);
  fail_unless (sock != NULL);
  fail_unless (g_socket_bind (sock, addr, FALSE, NULL));
  bound = g_socket_get_local_address (sock, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (sock, NULL);
  return g_strdup_printf ("http://127.0.0.1:%u", port);
}

/* A signaling-only master in FAULT_REGION on @endpoint, playing. */
static GstElement *
master_start (const gchar * endpoint, BusLog ** log)
{
  g_autofree gchar *desc = signaling_only ("master", endpoint,
      "aws-region=" FAULT_REGION);

  return pipeline_start (desc, log);
}

/* ---- the tests ---------------------------------------------------------- */

/* Nothing listens on the endpoint's port: the warning says "Connection
 * refused" and the step; the failures that follow, identical, are not
 * posted one by one. */
GST_START_TEST (test_closed_port)
{
  g_autofree gchar *endpoint = closed_endpoint ();
  g_autofree gchar *text = NULL;
  BusLog *log;
  GstElement *pipeline = master_start (endpoint, &log);

  text = wait_text (log, FALSE, 10, "Connection refused", "describe", NULL);
  fail_unless (strstr (text, CHANNEL) != NULL, "%s", text);
  fail_unless (strstr (text, "retrying") != NULL, "%s", text);
  /* the debug part names the target: endpoint and region with its source */
  fail_unless (strstr (text, endpoint) != NULL, "%s", text);
  fail_unless (strstr (text, "region " FAULT_REGION ", from the region "
          "property") != NULL, "%s", text);

  /* more failed attempts (about 6 in 6 s), the same warning once */
  FAULT_WAIT (&log->lock, &log->cond, log->disconnected >= 3, 15);
  fail_unless_equals_int (count_texts (log, FALSE, "Connection refused"), 1);
  g_mutex_lock (&log->lock);
  fail_unless_equals_int (log->errors->len, 0);
  g_mutex_unlock (&log->lock);
  pipeline_free (pipeline, log);
}

GST_END_TEST;

/* Still refused: the 10th identical failure is posted again, with the
 * count; the 2nd to 9th were not. The backoff (up to 10 s) makes this
 * about 20 s, 45 s at worst. */
GST_START_TEST (test_repeated_failure_summarised)
{
  g_autofree gchar *endpoint = closed_endpoint ();
  g_autofree gchar *text = NULL;
  BusLog *log;
  GstElement *pipeline = master_start (endpoint, &log);

  text = wait_text (log, FALSE, 60, "Connection refused",
      "the same failure 10 times in a row", NULL);
  fail_unless_equals_int (count_texts (log, FALSE, "Connection refused"), 2);
  pipeline_free (pipeline, log);
}

GST_END_TEST;

static gboolean
make_certificate (const gchar * cert, const gchar * key)
{
  g_autofree gchar *openssl = g_find_program_in_path ("openssl");
  const gchar *req[] = { openssl, "req", "-x509", "-newkey", "rsa:2048",
    "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
    "subjectAltName=IP:127.0.0.1", "-addext",
    "basicConstraints=critical,CA:TRUE", "-keyout", key, "-out", cert, NULL
  };
  gint status = -1;

  if (openssl == NULL)
    return FALSE;
  return g_spawn_sync (NULL, (gchar **) req, NULL,
      G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
      NULL, NULL, &status, NULL) && g_spawn_check_wait_status (status, NULL);
}

/* https with a certificate of an unknown CA and no ca-file: the warning
 * names the problem and the fix; after a few attempts, an ERROR. With the
 * CA as ca-file it connects. */
GST_START_TEST (test_tls_unknown_ca)
{
  g_autofree gchar *dir = g_dir_make_tmp ("kvs-diag-tls-XXXXXX", NULL);
  g_autofree gchar *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree gchar *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree gchar *cert_arg = g_strdup_printf ("--tls-cert=%s", cert);
  g_autofree gchar *key_arg = g_strdup_printf ("--tls-key=%s", key);
  const gchar *args[] = { cert_arg, key_arg, "--create-channel=" CHANNEL,
    NULL
  };
  g_autofree gchar *trusted = NULL, *ca = NULL;
  g_autofree gchar *text = NULL, *error_text = NULL;
  FaultServer *server;
  GstElement *pipeline;
  BusLog *log;

  /* openssl is in scripts/apt-packages.txt */
  fail_unless (make_certificate (cert, key), "openssl could not make the "
      "test certificate");
  server = fault_server_start (0, args, NULL);
  fail_unless (g_str_has_prefix (server->endpoint, "https://"), "%s",
      server->endpoint);

  pipeline = master_start (server->endpoint, &log);
  text = wait_text (log, FALSE, 10, "certificate", "unknown", "ca-file", NULL);
  error_text = wait_text (log, TRUE, 15, "certificate", "ca-file", NULL);
  fail_unless (strstr (error_text, "3 times") != NULL, "%s", error_text);
  pipeline_free (pipeline, log);

  ca = g_strdup_printf ("aws-region=" FAULT_REGION " ca-file=%s", cert);
  trusted = signaling_only ("master", server->endpoint, ca);
  pipeline = pipeline_start (trusted, &log);
  wait_connected (log, 10);
  pipeline_free (pipeline, log);

  fault_server_free (server);
  g_unlink (cert);
  g_unlink (key);
  g_rmdir (dir);
}

GST_END_TEST;

/* Two masters on one channel (in one process they would share one
 * connection: the second one's endpoint differs by a trailing slash). The
 * first one is told another master connected and waits; the second one in
 * stays; fewer than 3 replacements in 30 s. */
/* Two signaling-only pipelines of one role on the channel of a new
 * service (in one process they would share one connection: the second
 * one's endpoint differs by a trailing slash), started and connected one
 * after the other. */
typedef struct
{
  FaultServer *server;
  GstElement *first, *second;
  BusLog *log1, *log2;
} Pair;

static void
pair_start (Pair * p, const gchar * role, const gchar * extra)
{
  g_autofree gchar *props = g_strdup_printf ("aws-region=" FAULT_REGION
      " %s", extra ? extra : "");
  g_autofree gchar *endpoint2 = NULL, *desc1 = NULL, *desc2 = NULL;

  p->server = server_start ();
  endpoint2 = g_strdup_printf ("%s/", p->server->endpoint);
  desc1 = signaling_only (role, p->server->endpoint, props);
  desc2 = signaling_only (role, endpoint2, props);
  p->first = pipeline_start (desc1, &p->log1);
  wait_connected (p->log1, 10);
  p->second = pipeline_start (desc2, &p->log2);
  wait_connected (p->log2, 10);
}

/* The warnings holding @needle the two posted. */
static guint
pair_count (Pair * p, const gchar * needle)
{
  return count_texts (p->log1, FALSE, needle) +
      count_texts (p->log2, FALSE, needle);
}

static void
pair_free (Pair * p)
{
  pipeline_free (p->second, p->log2);
  pipeline_free (p->first, p->log1);
  fault_server_free (p->server);
}

GST_START_TEST (test_two_masters)
{
  Pair p;
  g_autofree gchar *text = NULL;
  guint replacements;

  pair_start (&p, "master", NULL);
  text = wait_text (p.log1, FALSE, 10, "Another master connected to channel '"
      CHANNEL "'", "waiting", "before reconnecting", NULL);
  g_usleep (30 * G_USEC_PER_SEC);
  replacements = pair_count (&p, "Another master connected");
  fail_unless (replacements < 3, "%u replacements in 30 s", replacements);
  g_mutex_lock (&p.log2->lock);
  fail_unless_equals_int (p.log2->state, GST_KVS_SIGNALING_STATE_CONNECTED);
  fail_unless_equals_int (p.log2->connected, 1);
  g_mutex_unlock (&p.log2->lock);
  pair_free (&p);
}

GST_END_TEST;

/* Two viewers with one client id: the first one is told, and waits. */
GST_START_TEST (test_duplicate_viewer_ids)
{
  Pair p;
  g_autofree gchar *text = NULL;
  guint replacements;

  pair_start (&p, "viewer", "client-id=same-id");
  text = wait_text (p.log1, FALSE, 10, "Another viewer connected to channel '"
      CHANNEL "'", "same client id 'same-id'", "waiting", NULL);
  g_usleep (10 * G_USEC_PER_SEC);
  replacements = pair_count (&p, "Another viewer connected");
  fail_unless (replacements < 2, "%u replacements in 10 s", replacements);
  g_mutex_lock (&p.log2->lock);
  fail_unless_equals_int (p.log2->state, GST_KVS_SIGNALING_STATE_CONNECTED);
  g_mutex_unlock (&p.log2->lock);
  pair_free (&p);
}

GST_END_TEST;

/* A viewer offers, no master is there: after answer-timeout a warning, no
 * error, and the viewer stays connected, waiting. */
GST_START_TEST (test_no_master_answers)
{
  FaultServer *server = server_start ();
  g_autofree gchar *desc = g_strdup_printf ("webrtcbin name=wb "
      "bundle-policy=max-bundle kvssignalingsrc role=viewer channel-name="
      CHANNEL " endpoint=%s access-key=" FAULT_AK " secret-key=" FAULT_SK
      " aws-region=" FAULT_REGION " local-addresses=127.0.0.1 "
      "answer-timeout=2 recv-caps=\"" VP8_CAPS "\"", server->endpoint);
  g_autofree gchar *text = NULL;
  GstElement *pipeline;
  BusLog *log;

  pipeline = pipeline_start (desc, &log);
  wait_connected (log, 10);
  text = wait_text (log, FALSE, 10, "No master answered on channel '"
      CHANNEL "'", "still waiting", NULL);
  g_mutex_lock (&log->lock);
  fail_unless_equals_int (log->errors->len, 0);
  fail_unless_equals_int (log->state, GST_KVS_SIGNALING_STATE_CONNECTED);
  g_mutex_unlock (&log->lock);
  pipeline_free (pipeline, log);
  fault_server_free (server);
}

GST_END_TEST;

/* The service is in us-west-2. Without a region the elements sign for the
 * default us-east-1: a region mismatch naming the region and why it was
 * used, not "credentials rejected". The same with aws-region, and with
 * AWS_REGION, set wrong. */
GST_START_TEST (test_wrong_region)
{
  FaultServer *server = server_start ();
  g_autofree gchar *desc = signaling_only ("master", server->endpoint, NULL);
  g_autofree gchar *desc2 = signaling_only ("master", server->endpoint,
      "aws-region=eu-west-1");
  g_autofree gchar *text = NULL, *text2 = NULL, *text3 = NULL;
  GstElement *pipeline;
  BusLog *log;

  pipeline = pipeline_start (desc, &log);
  text = wait_text (log, TRUE, 10, "region mismatch", "'us-east-1'",
      "default", NULL);
  fail_if (strstr (text, "credentials rejected") != NULL, "%s", text);
  pipeline_free (pipeline, log);

  pipeline = pipeline_start (desc2, &log);
  text2 = wait_text (log, TRUE, 10, "region mismatch", "'eu-west-1'",
      "aws-region", NULL);
  pipeline_free (pipeline, log);

  /* from the environment (this test runs in its own process) */
  g_setenv ("AWS_REGION", "eu-central-1", TRUE);
  pipeline = pipeline_start (desc, &log);
  text3 = wait_text (log, TRUE, 10, "region mismatch", "'eu-central-1'",
      "from AWS_REGION", NULL);
  pipeline_free (pipeline, log);
  g_unsetenv ("AWS_REGION");
  fault_server_free (server);
}

GST_END_TEST;

/* The library's "connect-failed": each retried failure with its step, its
 * error and the wait; a refused connect at DESCRIBE, then a replaced
 * connection (step CONNECTED, GST_KVS_ERROR_REPLACED, a wait of 30 s or
 * more). */
GST_START_TEST (test_connect_failed_signal)
{
  FaultServer *server;
  FaultServer closed = { 0, };
  GstKvsSignalingClient *client, *first, *second;
  FaultRecorder *rec, *rec1, *rec2;
  FaultRetry *retry;

  closed.endpoint = closed_endpoint ();
  client = fault_client_new (&closed, GST_KVS_ROLE_MASTER, CHANNEL, NULL);
  rec = fault_recorder_new (client);
  fault_start (client);
  FAULT_WAIT (&rec->lock, &rec->cond, rec->retries->len >= 2, 10);
  g_mutex_lock (&rec->lock);
  retry = g_ptr_array_index (rec->retries, 0);
  fail_unless_equals_int (retry->step, GST_KVS_SIGNALING_STATE_DESCRIBE);
  fail_unless (g_error_matches (retry->error, GST_KVS_ERROR,
          GST_KVS_ERROR_CONNECTION), "%s", retry->error->message);
  fail_unless (strstr (retry->error->message, "Connection refused") != NULL,
      "%s", retry->error->message);
  fail_unless (retry->retry_ms <= 10000, "%u ms", retry->retry_ms);
  fail_unless (rec->error == NULL);
  g_mutex_unlock (&rec->lock);
  fault_recorder_free (rec);
  g_free (closed.endpoint);

  server = server_start ();
  first = fault_client_new (server, GST_KVS_ROLE_MASTER, CHANNEL, NULL);
  rec1 = fault_recorder_new (first);
  fault_start (first);
  FAULT_WAIT_STATE (rec1, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  second = fault_client_new (server, GST_KVS_ROLE_MASTER, CHANNEL, NULL);
  rec2 = fault_recorder_new (second);
  fault_start (second);
  FAULT_WAIT_STATE (rec2, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  FAULT_WAIT (&rec1->lock, &rec1->cond, rec1->retries->len >= 1, 10);
  g_mutex_lock (&rec1->lock);
  retry = g_ptr_array_index (rec1->retries, 0);
  fail_unless_equals_int (retry->step, GST_KVS_SIGNALING_STATE_CONNECTED);
  fail_unless (g_error_matches (retry->error, GST_KVS_ERROR,
          GST_KVS_ERROR_REPLACED), "%s", retry->error->message);
  fail_unless (strstr (retry->error->message, "another master") != NULL,
      "%s", retry->error->message);
  fail_unless (retry->retry_ms >= 30000, "%u ms", retry->retry_ms);
  fail_unless_equals_int (rec1->state, GST_KVS_SIGNALING_STATE_DISCONNECTED);
  g_mutex_unlock (&rec1->lock);
  g_mutex_lock (&rec2->lock);
  fail_unless_equals_int (rec2->retries->len, 0);
  g_mutex_unlock (&rec2->lock);

  fault_recorder_free (rec2);
  fault_recorder_free (rec1);
  fault_server_free (server);
}

GST_END_TEST;

static Suite *
diagnostics_suite (void)
{
  Suite *s = suite_create ("faults-diagnostics");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_checked_fixture (tc, kvs_test_keep_openssl_at_exit, NULL);
  tcase_add_test (tc, test_connect_failed_signal);
  tcase_add_test (tc, test_closed_port);
  tcase_add_test (tc, test_tls_unknown_ca);
  tcase_add_test (tc, test_two_masters);
  tcase_add_test (tc, test_duplicate_viewer_ids);
  tcase_add_test (tc, test_no_master_answers);
  tcase_add_test (tc, test_wrong_region);
  /* the 10th identical failure comes after 20 to 45 s of backoff */
  tc = tcase_create ("slow");
  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 90);
  tcase_add_test (tc, test_repeated_failure_summarised);
  return s;
}

GST_CHECK_MAIN (diagnostics);
