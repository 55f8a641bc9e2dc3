/* Fault tests of the on-disk channel cache (gstkvschannelcache.c), library
 * clients against the real local service: a warm start asks the service
 * for nothing but the ICE servers, a stale entry (the channel deleted and
 * re-created, the endpoint moved) heals within one retry, a file that is
 * not an entry (garbage, expired) is a miss, "none" turns the cache off.
 * The service's /_control/counters count the REST calls per operation.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "faultutil.h"

#define CHANNEL "faults-cache"
#define VIEWER_ID "viewer-cache"

static gchar *cache_dir;

static void
cache_setup (void)
{
  cache_dir = g_dir_make_tmp ("kvs-cache-XXXXXX", NULL);
  fail_unless (cache_dir != NULL);
  g_setenv ("KVS_SIGNALING_CACHE_DIR", cache_dir, TRUE);
  g_setenv ("KVS_SIGNALING_CACHE_TTL", "", TRUE);
}

static void
cache_teardown (void)
{
  g_autoptr (GDir) dir = g_dir_open (cache_dir, 0, NULL);
  const gchar *name;

  while (dir && (name = g_dir_read_name (dir))) {
    g_autofree gchar *path = g_build_filename (cache_dir, name, NULL);
    g_unlink (path);
  }
  g_rmdir (cache_dir);
  g_clear_pointer (&cache_dir, g_free);
  g_unsetenv ("KVS_SIGNALING_CACHE_DIR");
}

/* The file of the viewer's entry (gstkvschannelcache.c's naming). */
static gchar *
entry_path (FaultServer * server)
{
  g_autofree gchar *key = g_strdup_printf ("VIEWER|%s|%s|%s", CHANNEL,
      FAULT_REGION, server->endpoint);
  g_autofree gchar *hash =
      g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  g_autofree gchar *file = g_strconcat ("channel-", hash, ".json", NULL);

  return g_build_filename (cache_dir, file, NULL);
}

static void
write_entry (FaultServer * server, const gchar * arn, const gchar * wss,
    gint64 age_s)
{
  g_autofree gchar *path = entry_path (server);
  g_autofree gchar *text = g_strdup_printf ("{\"version\":1,"
      "\"key\":\"VIEWER|%s|%s|%s\",\"arn\":\"%s\",\"wss\":\"%s\","
      "\"https\":\"%s\",\"stored\":%" G_GINT64_FORMAT "}", CHANNEL,
      FAULT_REGION, server->endpoint, arn, wss, server->endpoint,
      g_get_real_time () / G_USEC_PER_SEC - age_s);

  fail_unless (g_file_set_contents (path, text, -1, NULL));
}

static gchar *
read_entry (FaultServer * server)
{
  g_autofree gchar *path = entry_path (server);
  gchar *text = NULL;

  g_file_get_contents (path, &text, NULL, NULL);
  return text;
}

/* A viewer that connects; returns its recorder (free it). */
static FaultRecorder *
viewer_connect (FaultServer * server)
{
  GstKvsSignalingClient *viewer =
      fault_client_new (server, GST_KVS_ROLE_VIEWER, CHANNEL, VIEWER_ID);
  FaultRecorder *rec = fault_recorder_new (viewer);

  fault_start (viewer);
  FAULT_WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 15);
  return rec;
}

static guint
n_retries (FaultRecorder * rec)
{
  guint n;

  g_mutex_lock (&rec->lock);
  n = rec->retries->len;
  g_mutex_unlock (&rec->lock);
  return n;
}

#define STATES_ARE(rec, expected) G_STMT_START {                           \
  g_mutex_lock (&(rec)->lock);                                             \
  fail_unless_equals_string ((rec)->states->str, expected);                \
  g_mutex_unlock (&(rec)->lock);                                           \
} G_STMT_END

/* Cold: describe and endpoint, the entry written (mode 0600, the ARN, no
 * secret). Warm (a new client, as a new process would be): neither call.
 * Cache off ("none"): both again. */
GST_START_TEST (test_warm_start_skips_describe_and_endpoint)
{
  const gchar *args[] = { "--create-channel=" CHANNEL, NULL };
  FaultServer *server = fault_server_start (0, args, NULL);
  g_autofree gchar *arn = fault_describe_arn (server, CHANNEL, NULL);
  g_autofree gchar *path = entry_path (server);
  g_autofree gchar *text = NULL;
  FaultRecorder *rec;
  gint64 describes = fault_counter (server, "describeSignalingChannel");
  GStatBuf st;

  rec = viewer_connect (server);
  STATES_ARE (rec, "get-credentials,describe,get-endpoint,get-ice-config,"
      "connecting,connected");
  fault_recorder_free (rec);
  fail_unless_equals_int (fault_counter (server, "describeSignalingChannel"),
      describes + 1);
  fail_unless_equals_int (fault_counter (server,
          "getSignalingChannelEndpoint"), 1);
  fail_unless_equals_int (fault_counter (server, "getIceServerConfig"), 1);

  fail_unless (g_stat (path, &st) == 0, "no entry %s", path);
  fail_unless_equals_int (st.st_mode & 0777, 0600);
  text = read_entry (server);
  fail_unless (strstr (text, arn) != NULL, "%s", text);
  fail_if (strstr (text, FAULT_SK) != NULL);
  fail_if (strstr (text, FAULT_AK) != NULL);

  rec = viewer_connect (server);
  STATES_ARE (rec, "get-credentials,get-ice-config,connecting,connected");
  fail_unless_equals_int (n_retries (rec), 0);
  fault_recorder_free (rec);
  fail_unless_equals_int (fault_counter (server, "describeSignalingChannel"),
      describes + 1);
  fail_unless_equals_int (fault_counter (server,
          "getSignalingChannelEndpoint"), 1);
  fail_unless_equals_int (fault_counter (server, "getIceServerConfig"), 2);

  g_setenv ("KVS_SIGNALING_CACHE_DIR", "none", TRUE);
  rec = viewer_connect (server);
  STATES_ARE (rec, "get-credentials,describe,get-endpoint,get-ice-config,"
      "connecting,connected");
  fault_recorder_free (rec);
  fail_unless_equals_int (fault_counter (server, "describeSignalingChannel"),
      describes + 2);
  fault_server_free (server);
}

GST_END_TEST;

/* The channel deleted and re-created since the entry was written: the
 * first attempt fails on the old ARN, the entry is dropped, one retry
 * describes and connects, and the entry holds the new ARN. */
GST_START_TEST (test_stale_arn_heals_in_one_retry)
{
  const gchar *args[] = { "--create-channel=" CHANNEL, NULL };
  FaultServer *server = fault_server_start (0, args, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *arn2 = NULL, *text = NULL;
  FaultRecorder *rec;

  rec = viewer_connect (server);
  fault_recorder_free (rec);

  fail_unless (fault_delete_channel (server, CHANNEL, &error), "%s",
      error ? error->message : "?");
  arn2 = fault_create_channel (server, CHANNEL, &error);
  fail_unless (arn2 != NULL, "%s", error ? error->message : "?");

  rec = viewer_connect (server);
  fail_unless_equals_int (n_retries (rec), 1);
  g_mutex_lock (&rec->lock);
  fail_unless (strstr (rec->states->str, "disconnected,get-credentials,"
          "describe,get-endpoint") != NULL, "%s", rec->states->str);
  g_mutex_unlock (&rec->lock);
  {
    g_autofree gchar *arn_now =
        gst_kvs_signaling_client_dup_channel_arn (rec->client);
    fail_unless_equals_string (arn_now, arn2);
  }
  fault_recorder_free (rec);
  text = read_entry (server);
  fail_unless (text && strstr (text, arn2) != NULL, "%s", text);
  fault_server_free (server);
}

GST_END_TEST;

/* The endpoint moved: the entry's WebSocket endpoint refuses connections
 * (a port nobody listens on); one retry asks the service again. */
GST_START_TEST (test_moved_endpoint_heals_in_one_retry)
{
  const gchar *args[] = { "--create-channel=" CHANNEL, NULL };
  FaultServer *server = fault_server_start (0, args, NULL);
  g_autofree gchar *arn = fault_describe_arn (server, CHANNEL, NULL);
  g_autofree gchar *text = NULL;
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autofree gchar *dead = NULL;
  guint16 port;

  /* a free port, closed again: connections to it are refused */
  port = g_socket_listener_add_any_inet_port (listener, NULL, NULL);
  fail_unless (port != 0);
  g_socket_listener_close (listener);
  dead = g_strdup_printf ("%s://127.0.0.1:%u",
      g_str_has_prefix (server->endpoint, "https") ? "wss" : "ws", port);
  write_entry (server, arn, dead, 0);

  {
    FaultRecorder *rec = viewer_connect (server);

    fail_unless_equals_int (n_retries (rec), 1);
    g_mutex_lock (&rec->lock);
    fail_unless_equals_int (((FaultRetry *) g_ptr_array_index (rec->retries,
                0))->step, GST_KVS_SIGNALING_STATE_CONNECTING);
    g_mutex_unlock (&rec->lock);
    fault_recorder_free (rec);
  }
  fail_unless_equals_int (fault_counter (server,
          "getSignalingChannelEndpoint"), 1);
  text = read_entry (server);
  fail_unless (text && strstr (text, dead) == NULL, "%s", text);
  fault_server_free (server);
}

GST_END_TEST;

/* Garbage, an expired entry, another key's entry, a symbolic link: misses
 * (describe), no retry, and the entry is written again. */
GST_START_TEST (test_bad_entries_are_misses)
{
  const gchar *args[] = { "--create-channel=" CHANNEL, NULL };
  FaultServer *server = fault_server_start (0, args, NULL);
  g_autofree gchar *arn = fault_describe_arn (server, CHANNEL, NULL);
  g_autofree gchar *path = entry_path (server);
  const gchar *garbage[] = { "", "\x01\x02garbage\xff", "[1,2]",
    "{\"version\":1,\"key\":{},\"arn\":3,\"stored\":\"x\"}",
    "{\"version\":2,\"arn\":\"a\"}", NULL
  };
  guint expected_describes = 1;

  for (guint i = 0; i <= G_N_ELEMENTS (garbage); i++) {
    FaultRecorder *rec;
    g_autofree gchar *text = NULL;

    if (i < G_N_ELEMENTS (garbage) - 1)
      fail_unless (g_file_set_contents (path, garbage[i], -1, NULL));
    else if (i == G_N_ELEMENTS (garbage) - 1)
      write_entry (server, arn, "wss://127.0.0.1:9", 2 * 3600); /* expired */
    else
      break;
    rec = viewer_connect (server);
    fail_unless_equals_int (n_retries (rec), 0);
    fault_recorder_free (rec);
    expected_describes++;
    fail_unless_equals_int (fault_counter (server,
            "describeSignalingChannel"), expected_describes);
    text = read_entry (server);
    fail_unless (text && strstr (text, arn) != NULL, "%s", text);
  }

  /* a symbolic link to an entry (that would fail): not believed either */
  {
    g_autofree gchar *other = g_build_filename (cache_dir, "elsewhere", NULL);
    g_autofree gchar *text = NULL;
    FaultRecorder *rec;

    write_entry (server, arn, "wss://127.0.0.1:9", 0);
    fail_unless (g_rename (path, other) == 0);
    fail_unless (symlink (other, path) == 0);
    rec = viewer_connect (server);
    fail_unless_equals_int (n_retries (rec), 0);
    fault_recorder_free (rec);
    fail_unless_equals_int (fault_counter (server,
            "describeSignalingChannel"), expected_describes + 1);
    text = read_entry (server);
    fail_unless (text && strstr (text, "127.0.0.1:9\"") == NULL, "%s", text);
  }
  fault_server_free (server);
}

GST_END_TEST;

/* Several clients joining at once on a cold cache (each run writes the
 * entry: a temporary file renamed over it): all connect, no retry, and the
 * entry left is whole and the only file. */
GST_START_TEST (test_concurrent_writers)
{
  const gchar *args[] = { "--create-channel=" CHANNEL, NULL };
  FaultServer *server = fault_server_start (0, args, NULL);
  g_autofree gchar *arn = fault_describe_arn (server, CHANNEL, NULL);
  g_autofree gchar *text = NULL;
  g_autoptr (GDir) dir = NULL;
  FaultRecorder *recs[4];
  guint n_files = 0;

  for (guint i = 0; i < G_N_ELEMENTS (recs); i++) {
    g_autofree gchar *id = g_strdup_printf ("viewer-cache-%u", i);
    GstKvsSignalingClient *viewer =
        fault_client_new (server, GST_KVS_ROLE_VIEWER, CHANNEL, id);

    recs[i] = fault_recorder_new (viewer);
    fault_start (viewer);
  }
  for (guint i = 0; i < G_N_ELEMENTS (recs); i++) {
    FAULT_WAIT_STATE (recs[i], GST_KVS_SIGNALING_STATE_CONNECTED, 15);
    fail_unless_equals_int (n_retries (recs[i]), 0);
    fault_recorder_free (recs[i]);
  }
  text = read_entry (server);
  fail_unless (text && strstr (text, arn) != NULL, "%s", text);
  dir = g_dir_open (cache_dir, 0, NULL);
  while (dir && g_dir_read_name (dir))
    n_files++;
  fail_unless_equals_int (n_files, 1);
  fault_server_free (server);
}

GST_END_TEST;

static Suite *
cache_suite (void)
{
  Suite *s = suite_create ("faults-cache");
  TCase *tc = tcase_create ("cache");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, cache_setup, cache_teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_warm_start_skips_describe_and_endpoint);
  tcase_add_test (tc, test_stale_arn_heals_in_one_retry);
  tcase_add_test (tc, test_moved_endpoint_heals_in_one_retry);
  tcase_add_test (tc, test_bad_entries_are_misses);
  tcase_add_test (tc, test_concurrent_writers);
  return s;
}

GST_CHECK_MAIN (cache);
