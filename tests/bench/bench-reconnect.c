/* kvs-bench-reconnect: the reconnect benchmark.
 *
 * A master and a viewer (kvssignalingsink/src pairs, auto-negotiate=false)
 * connect through kvs-signaling-server and stream numbered ICE candidates
 * both ways (15 per second each way, under the 20/s quota). Every round the
 * service's control API sends GO_AWAY to one of them (master and viewer in
 * turn); the time from the GO_AWAY reaching the client to its replacement
 * connection being open is read from the library's own log lines
 * (kvssignalingclient, INFO). After the last round the stream stops and
 * every candidate sent must have arrived exactly once.
 *
 * The comparator is a cold connect: the time from PLAYING to the elements'
 * state "connected" (control-plane calls and the first WebSocket).
 *
 * Prints one JSON object.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>
#include <gst/gst.h>
#include <libsoup/soup.h>
#include <gst/kvssignaling/kvssignaling.h>

#include "benchutil.h"

#define SEND_GAP_US (1000000 / 15)
#define MAX_ROUNDS 64

typedef struct
{
  GMutex lock;
  /* per role (0 master, 1 viewer): the GO_AWAY and replacement times */
  gint64 t_goaway[2], t_ready[2];
  /* received sequence numbers, per direction (0: to master, 1: to viewer) */
  GHashTable *got[2];
  guint dup[2];
} Rec;

static Rec rec;

static gint
role_index (GObject * obj)
{
  if (!obj || !GST_KVS_IS_SIGNALING_CLIENT (obj))
    return -1;
  return gst_kvs_signaling_client_get_role (GST_KVS_SIGNALING_CLIENT (obj)) ==
      GST_KVS_ROLE_MASTER ? 0 : 1;
}

static void
log_hook (GstDebugCategory * category, GstDebugLevel level, const gchar * file,
    const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  const gchar *text;
  gint r;

  /* make before break logs with the client as its object */
  if (level != GST_LEVEL_INFO ||
      strcmp (gst_debug_category_get_name (category), "kvshandover"))
    return;
  text = gst_debug_message_get (message);
  if (!text)
    return;
  if (g_str_has_prefix (text, "GO_AWAY: opening a replacement")) {
    gint64 now = g_get_monotonic_time ();

    r = role_index (object);
    if (r < 0)
      return;
    g_mutex_lock (&rec.lock);
    rec.t_goaway[r] = now;
    g_mutex_unlock (&rec.lock);
  } else if (g_str_has_prefix (text, "replacement connection open")) {
    gint64 now = g_get_monotonic_time ();

    r = role_index (object);
    if (r < 0)
      return;
    g_mutex_lock (&rec.lock);
    rec.t_ready[r] = now;
    g_mutex_unlock (&rec.lock);
  }
}

static void
on_ice (GstElement * src, const gchar * sender, guint mline, const gchar * mid,
    const gchar * candidate, gpointer dir_p)
{
  gint dir = GPOINTER_TO_INT (dir_p);
  gint64 seq = bench_candidate_seq (candidate);

  g_mutex_lock (&rec.lock);
  if (g_hash_table_contains (rec.got[dir], GINT_TO_POINTER ((gint) seq)))
    rec.dup[dir]++;
  else
    g_hash_table_add (rec.got[dir], GINT_TO_POINTER ((gint) seq));
  g_mutex_unlock (&rec.lock);
}

static GstElement *
make_pair (const gchar * role, const gchar * channel, const gchar * endpoint,
    const gchar * ak, const gchar * sk, const gchar * client_id,
    GstElement ** sink, gint dir)
{
  GstElement *pipe = gst_pipeline_new (NULL);
  GstElement *e[2];
  gint i;

  for (i = 0; i < 2; i++) {
    e[i] = gst_element_factory_make (i ? "kvssignalingsrc" :
        "kvssignalingsink", NULL);
    if (!e[i]) {
      g_printerr ("no kvssignaling elements (GST_PLUGIN_PATH?)\n");
      exit (1);
    }
    gst_util_set_object_arg (G_OBJECT (e[i]), "role", role);
    g_object_set (e[i], "channel-name", channel, "aws-region", "us-west-2",
        "endpoint", endpoint, "access-key", ak, "secret-key", sk,
        "create-channel", TRUE, "auto-negotiate", FALSE, NULL);
    if (client_id)
      g_object_set (e[i], "client-id", client_id, NULL);
    gst_bin_add (GST_BIN (pipe), e[i]);
  }
  g_signal_connect (e[1], "ice-candidate-received", G_CALLBACK (on_ice),
      GINT_TO_POINTER (dir));
  *sink = e[0];
  return pipe;
}

static gint64
wait_connected (GstElement * e, gint64 t0)
{
  gint64 deadline = t0 + 20 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline) {
    gint state = 0;

    g_object_get (e, "state", &state, NULL);
    if (state == GST_KVS_SIGNALING_STATE_CONNECTED)
      return g_get_monotonic_time () - t0;
    g_usleep (500);
  }
  return -1;
}

static gboolean
go_away (SoupSession * session, const gchar * endpoint, const gchar * channel,
    gboolean master, const gchar * viewer_id)
{
  g_autofree gchar *url = g_strdup_printf ("%s/_control/go-away", endpoint);
  g_autofree gchar *body = master ?
      g_strdup_printf ("{\"channelName\":\"%s\",\"role\":\"master\"}",
      channel) :
      g_strdup_printf ("{\"channelName\":\"%s\",\"clientId\":\"%s\"}", channel,
      viewer_id);
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr (GBytes) b = g_bytes_new (body, strlen (body));
  g_autoptr (GBytes) reply = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/json", b);
  reply = soup_session_send_and_read (session, msg, NULL, NULL);
  return reply && soup_message_get_status (msg) == 200;
}

/* send one candidate each way when due; returns the next seq */
static void
pump (GstElement * msink, GstElement * vsink, const gchar * viewer_id,
    guint * seq, guint * sent, gint64 until)
{
  static gint64 next;

  while (g_get_monotonic_time () < until) {
    gint64 now = g_get_monotonic_time ();
    g_autofree gchar *c1 = NULL, *c2 = NULL;
    gboolean ok = FALSE;

    if (now < next) {
      g_usleep (MIN (next - now, until - now));
      continue;
    }
    next = now + SEND_GAP_US;
    c1 = bench_make_candidate ((*seq)++);
    g_signal_emit_by_name (vsink, "send-ice-candidate", NULL, (guint) 0,
        "video0", c1, &ok);
    if (ok)
      sent[0]++;
    c2 = bench_make_candidate ((*seq)++);
    g_signal_emit_by_name (msink, "send-ice-candidate", viewer_id, (guint) 0,
        "video0", c2, &ok);
    if (ok)
      sent[1]++;
  }
}

int
main (int argc, char **argv)
{
  g_autofree gchar *endpoint = NULL, *channel = NULL, *ak = NULL, *sk = NULL;
  gint rounds = 10, gap_ms = 800;
  GOptionEntry entries[] = {
    {"endpoint", 0, 0, G_OPTION_ARG_STRING, &endpoint, "service URL", "URL"},
    {"channel", 0, 0, G_OPTION_ARG_STRING, &channel, "channel name", "NAME"},
    {"access-key", 0, 0, G_OPTION_ARG_STRING, &ak, "access key", "AK"},
    {"secret-key", 0, 0, G_OPTION_ARG_STRING, &sk, "secret key", "SK"},
    {"rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "GO_AWAYs (10)", "N"},
    {"gap", 0, 0, G_OPTION_ARG_INT, &gap_ms, "ms between GO_AWAYs", "MS"},
    {NULL}
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- reconnect");
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) jb = json_builder_new ();
  g_autoptr (SoupSession) session = NULL;
  const gchar *viewer_id = "bench-reconnect-viewer";
  GstElement *mpipe, *vpipe, *msink, *vsink;
  gint64 t0, cold[2], to_ready[MAX_ROUNDS], post_to_ready[MAX_ROUNDS];
  gint64 role_of[MAX_ROUNDS];
  guint seq = 1, sent[2] = { 0, 0 }, ok_rounds = 0;
  gint r;

  gst_init (&argc, &argv);
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || !endpoint ||
      !channel || rounds < 1 || rounds > MAX_ROUNDS) {
    g_printerr ("usage: --endpoint URL --channel NAME [--rounds N]\n");
    return 2;
  }
  if (!ak)
    ak = g_strdup ("AKIDBENCH");
  if (!sk)
    sk = g_strdup ("bench-secret");
  g_mutex_init (&rec.lock);
  rec.got[0] = g_hash_table_new (NULL, NULL);
  rec.got[1] = g_hash_table_new (NULL, NULL);
  gst_debug_set_threshold_for_name ("kvssignalingclient", GST_LEVEL_INFO);
  gst_debug_add_log_function (log_hook, NULL, NULL);
  gst_debug_remove_log_function (gst_debug_log_default);
  session = soup_session_new ();

  mpipe = make_pair ("master", channel, endpoint, ak, sk, NULL, &msink, 0);
  vpipe = make_pair ("viewer", channel, endpoint, ak, sk, viewer_id, &vsink, 1);
  t0 = g_get_monotonic_time ();
  gst_element_set_state (mpipe, GST_STATE_PLAYING);
  cold[0] = wait_connected (msink, t0);
  t0 = g_get_monotonic_time ();
  gst_element_set_state (vpipe, GST_STATE_PLAYING);
  cold[1] = wait_connected (vsink, t0);
  if (cold[0] < 0 || cold[1] < 0) {
    g_printerr ("the pairs did not connect\n");
    return 1;
  }

  pump (msink, vsink, viewer_id, &seq, sent, g_get_monotonic_time () + 500000);
  for (r = 0; r < rounds; r++) {
    gint who = r % 2;           /* 0 master, 1 viewer */
    gint64 t_post, end;

    g_mutex_lock (&rec.lock);
    rec.t_goaway[who] = rec.t_ready[who] = 0;
    g_mutex_unlock (&rec.lock);
    t_post = g_get_monotonic_time ();
    go_away (session, endpoint, channel, who == 0, viewer_id);
    role_of[r] = who;
    to_ready[r] = post_to_ready[r] = -1;
    /* keep streaming while the replacement comes up */
    end = g_get_monotonic_time () + gap_ms * 1000;
    pump (msink, vsink, viewer_id, &seq, sent, end);
    g_mutex_lock (&rec.lock);
    if (rec.t_ready[who] && rec.t_goaway[who]) {
      to_ready[r] = rec.t_ready[who] - rec.t_goaway[who];
      post_to_ready[r] = rec.t_ready[who] - t_post;
      ok_rounds++;
    }
    g_mutex_unlock (&rec.lock);
  }
  /* drain */
  g_usleep (2 * G_USEC_PER_SEC);

  json_builder_begin_object (jb);
  json_builder_set_member_name (jb, "cold_connect_us");
  json_builder_begin_object (jb);
  json_builder_set_member_name (jb, "master");
  json_builder_add_int_value (jb, cold[0]);
  json_builder_set_member_name (jb, "viewer");
  json_builder_add_int_value (jb, cold[1]);
  json_builder_end_object (jb);
  json_builder_set_member_name (jb, "rounds");
  json_builder_add_int_value (jb, rounds);
  json_builder_set_member_name (jb, "rounds_completed");
  json_builder_add_int_value (jb, ok_rounds);
  bench_add_int_array (jb, "goaway_to_ready_us", to_ready, rounds);
  bench_add_int_array (jb, "post_to_ready_us", post_to_ready, rounds);
  bench_add_int_array (jb, "role", role_of, rounds);
  g_mutex_lock (&rec.lock);
  json_builder_set_member_name (jb, "sent");
  json_builder_add_int_value (jb, sent[0] + sent[1]);
  json_builder_set_member_name (jb, "received");
  json_builder_add_int_value (jb, g_hash_table_size (rec.got[0]) +
      g_hash_table_size (rec.got[1]));
  json_builder_set_member_name (jb, "lost");
  json_builder_add_int_value (jb, (gint64) (sent[0] + sent[1]) -
      g_hash_table_size (rec.got[0]) - g_hash_table_size (rec.got[1]));
  json_builder_set_member_name (jb, "duplicates");
  json_builder_add_int_value (jb, rec.dup[0] + rec.dup[1]);
  g_mutex_unlock (&rec.lock);
  json_builder_end_object (jb);
  bench_print_json (jb);

  gst_element_set_state (vpipe, GST_STATE_NULL);
  gst_element_set_state (mpipe, GST_STATE_NULL);
  gst_object_unref (vpipe);
  gst_object_unref (mpipe);
  return 0;
}
