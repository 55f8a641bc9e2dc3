/* kvs-bench-footprint: one round of the footprint benchmark.
 *
 * Builds the master pipeline of the session benchmark (live test pattern →
 * VP8 → webrtcbin), with (--pair) or without kvssignalingsink and
 * kvssignalingsrc connected to kvs-signaling-server, lets it settle with no
 * viewer, then reads from /proc/self: resident memory, threads, and the
 * context switches of every thread over --window seconds (each one is a
 * wake-up of that thread). Prints one JSON object with the totals and the
 * per-thread counts (by thread name).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gst/gst.h>
#include <gst/kvssignaling/kvssignaling.h>

#include "benchutil.h"

#define VP8_CAPS "application/x-rtp,media=video,encoding-name=VP8," \
  "payload=96,clock-rate=90000"

/* tid → "name\tswitches" */
static GHashTable *
read_threads (void)
{
  GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const gchar *tid;

  while (dir && (tid = g_dir_read_name (dir))) {
    g_autofree gchar *sp = g_strdup_printf ("/proc/self/task/%s/status", tid);
    g_autofree gchar *status = NULL;
    gchar *name, *p;
    gint64 sw = 0;

    if (!g_file_get_contents (sp, &status, NULL, NULL))
      continue;
    p = strstr (status, "Name:\t");
    name = p ? g_strndup (p + 6, strcspn (p + 6, "\n")) : g_strdup ("?");
    if ((p = strstr (status, "voluntary_ctxt_switches:")))
      sw += g_ascii_strtoll (p + 24, NULL, 10);
    if ((p = strstr (status, "nonvoluntary_ctxt_switches:")))
      sw += g_ascii_strtoll (p + 27, NULL, 10);
    g_hash_table_insert (t, g_strdup (tid), g_strdup_printf ("%s\t%"
            G_GINT64_FORMAT, name, sw));
    g_free (name);
  }
  return t;
}

int
main (int argc, char **argv)
{
  g_autofree gchar *endpoint = NULL, *channel = NULL, *ak = NULL, *sk = NULL;
  gboolean pair = FALSE, create = FALSE;
  gint settle = 3, window = 10;
  GOptionEntry entries[] = {
    {"pair", 0, 0, G_OPTION_ARG_NONE, &pair, "with the element pair", NULL},
    {"endpoint", 0, 0, G_OPTION_ARG_STRING, &endpoint, "service URL", "URL"},
    {"channel", 0, 0, G_OPTION_ARG_STRING, &channel, "channel name", "NAME"},
    {"access-key", 0, 0, G_OPTION_ARG_STRING, &ak, "access key", "AK"},
    {"secret-key", 0, 0, G_OPTION_ARG_STRING, &sk, "secret key", "SK"},
    {"create-channel", 0, 0, G_OPTION_ARG_NONE, &create,
        "create the channel if missing", NULL},
    {"settle", 0, 0, G_OPTION_ARG_INT, &settle, "seconds before", "S"},
    {"window", 0, 0, G_OPTION_ARG_INT, &window, "seconds measured", "S"},
    {NULL}
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- footprint round");
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) jb = json_builder_new ();
  g_autofree gchar *desc = NULL, *props = NULL;
  g_autoptr (GHashTable) before = NULL, after = NULL;
  GHashTableIter it;
  gpointer k, v;
  GstElement *pipe, *sink = NULL;
  gint64 rss, total = 0, deadline;
  gint64 rss_start;
  guint threads;
  g_autofree gchar *self_tid = g_strdup_printf ("%d", getpid ());

  rss_start = bench_rss_kib (0);
  gst_init (&argc, &argv);
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) ||
      (pair && (!endpoint || !channel))) {
    g_printerr ("usage: [--pair --endpoint URL --channel NAME]\n");
    return 2;
  }
  if (pair) {
    g_autofree gchar *c = g_strdup_printf ("role=master channel-name=%s "
        "aws-region=us-west-2 endpoint=%s access-key=%s secret-key=%s "
        "local-addresses=127.0.0.1 webrtcbin-name=wb create-channel=%s",
        channel, endpoint, ak ? ak : "AKIDBENCH", sk ? sk : "bench-secret",
        create ? "true" : "false");

    props = g_strdup_printf ("kvssignalingsink name=ksink %s "
        "kvssignalingsrc %s", c, c);
  }
  desc = g_strdup_printf ("videotestsrc is-live=true ! "
      "video/x-raw,width=320,height=240,framerate=30/1 ! "
      "vp8enc deadline=1 ! rtpvp8pay ! " VP8_CAPS " ! "
      "webrtcbin name=wb bundle-policy=max-bundle %s", props ? props : "");
  pipe = gst_parse_launch (desc, &error);
  if (!pipe) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  if (pair) {
    sink = gst_bin_get_by_name (GST_BIN (pipe), "ksink");
    deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
    while (g_get_monotonic_time () < deadline) {
      gint state = 0;

      g_object_get (sink, "state", &state, NULL);
      if (state == GST_KVS_SIGNALING_STATE_CONNECTED)
        break;
      g_usleep (5000);
    }
  }
  g_usleep (settle * G_USEC_PER_SEC);

  before = read_threads ();
  g_usleep (window * G_USEC_PER_SEC);
  after = read_threads ();
  rss = bench_rss_kib (0);
  threads = g_hash_table_size (after);

  json_builder_begin_object (jb);
  json_builder_set_member_name (jb, "pair");
  json_builder_add_boolean_value (jb, pair);
  if (sink) {
    gint state = 0;

    g_object_get (sink, "state", &state, NULL);
    json_builder_set_member_name (jb, "connected");
    json_builder_add_boolean_value (jb,
        state == GST_KVS_SIGNALING_STATE_CONNECTED);
  }
  json_builder_set_member_name (jb, "rss_kib");
  json_builder_add_int_value (jb, rss);
  json_builder_set_member_name (jb, "rss_before_gst_init_kib");
  json_builder_add_int_value (jb, rss_start);
  json_builder_set_member_name (jb, "threads");
  json_builder_add_int_value (jb, threads);
  json_builder_set_member_name (jb, "window_s");
  json_builder_add_int_value (jb, window);
  json_builder_set_member_name (jb, "per_thread");
  json_builder_begin_object (jb);
  g_hash_table_iter_init (&it, after);
  while (g_hash_table_iter_next (&it, &k, &v)) {
    const gchar *a = v, *b = g_hash_table_lookup (before, k);
    const gchar *ta = strchr (a, '\t'), *tb = b ? strchr (b, '\t') : NULL;
    gint64 sw = g_ascii_strtoll (ta + 1, NULL, 10) -
        (tb ? g_ascii_strtoll (tb + 1, NULL, 10) : 0);
    g_autofree gchar *name = g_strndup (a, ta - a);
    g_autofree gchar *key = g_strdup_printf ("%s#%s", name, (gchar *) k);

    /* the main thread sleeps through the window: one switch, not counted */
    if (g_str_equal (k, self_tid))
      sw = 0;
    total += sw;
    json_builder_set_member_name (jb, key);
    json_builder_add_int_value (jb, sw);
  }
  json_builder_end_object (jb);
  json_builder_set_member_name (jb, "wakeups");
  json_builder_add_int_value (jb, total);
  json_builder_end_object (jb);
  bench_print_json (jb);

  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_clear_object (&sink);
  gst_object_unref (pipe);
  return 0;
}
