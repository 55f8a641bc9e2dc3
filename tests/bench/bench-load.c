/* kvs-bench-load: one round of the service-scale benchmark.
 *
 * Opens up to --connections WebSockets from this one process to the target
 * (channels of one master and ten viewers, as the service allows), reads
 * the target's resident memory before and after, then drives it at
 * saturation for --duration seconds: every viewer sends ICE candidates to
 * its master, one in flight at a time and at most 18 per second (under the
 * service's 20/s quota), and every delivery at the master releases the next
 * send of that viewer. Counts the messages delivered per second.
 *
 * --target service: kvs-signaling-server, viewers and masters on presigned
 *   (SigV4) URLs of channels listed through ListSignalingChannels;
 * --target node: node-relay.mjs, same URLs (it ignores the signature).
 *
 * Prints one JSON object.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <libsoup/soup.h>
#include <gst/gst.h>
#include <gst/kvssignaling/kvssignaling.h>

#include "benchutil.h"

#define PER_CHANNEL 11
#define SEND_GAP_US (1000000 / 18)

typedef struct _Gen Gen;

typedef struct
{
  Gen *g;
  guint index;
  guint channel;
  gboolean master;
  gchar *client_id;
  gchar *url;
  SoupWebsocketConnection *ws;
  GBytes *frame;                /* viewer: its ICE candidate frame */
  gint64 next_send;
  gint64 t_sent;
  gboolean outstanding;
  gboolean closed;
} Conn;

struct _Gen
{
  GMainLoop *loop;
  SoupSession *session;
  Conn *conns;
  guint n;
  guint next_connect;
  guint n_tried;
  guint connecting;
  guint connected;
  guint failed;
  guint closed;
  guint concurrency;
  gint64 connect_deadline;
  gboolean deadline_hit;
  gchar *first_error;
  GHashTable *viewers;          /* "channel/client id" → Conn */
  GQueue waiting;               /* viewers whose next send is paced */
  gboolean running, counting;
  guint64 delivered, stray;
  GArray *latencies;            /* µs, sampled */
};

static gint64
proc_cpu_ticks (gint pid)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree gchar *text = NULL;
  g_auto (GStrv) f = NULL;
  const gchar *p;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  p = strrchr (text, ')');
  if (!p)
    return -1;
  f = g_strsplit (p + 2, " ", -1);
  if (g_strv_length (f) < 13)
    return -1;
  /* fields 14 and 15 (utime, stime) are 11 and 12 after the state */
  return g_ascii_strtoll (f[11], NULL, 10) + g_ascii_strtoll (f[12], NULL, 10);
}

static gint64
self_cpu_us (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec * G_USEC_PER_SEC + ru.ru_utime.tv_usec +
      ru.ru_stime.tv_sec * G_USEC_PER_SEC + ru.ru_stime.tv_usec;
}

static void connect_more (Gen * g);

static void
send_now (Conn * c)
{
  gint64 now = g_get_monotonic_time ();

  c->outstanding = TRUE;
  c->t_sent = now;
  c->next_send = now + SEND_GAP_US;
  soup_websocket_connection_send_message (c->ws, SOUP_WEBSOCKET_DATA_TEXT,
      c->frame);
}

static void
release (Gen * g, Conn * v)
{
  v->outstanding = FALSE;
  if (!g->running || v->closed)
    return;
  if (g_get_monotonic_time () >= v->next_send)
    send_now (v);
  else
    g_queue_push_tail (&g->waiting, v);
}

static gboolean
pace_tick (gpointer data)
{
  Gen *g = data;
  gint64 now = g_get_monotonic_time ();
  Conn *v;

  while ((v = g_queue_peek_head (&g->waiting)) && v->next_send <= now) {
    g_queue_pop_head (&g->waiting);
    if (g->running && !v->closed)
      send_now (v);
  }
  return G_SOURCE_CONTINUE;
}

static void
on_message (SoupWebsocketConnection * ws, gint type, GBytes * message, Conn * c)
{
  Gen *g = c->g;
  gsize len;
  const gchar *data = g_bytes_get_data (message, &len);
  const gchar *p, *end;
  g_autofree gchar *key = NULL;
  Conn *v;

  if (!c->master) {
    g->stray++;                 /* STATUS_RESPONSE or anything else */
    return;
  }
  p = g_strstr_len (data, len, "\"senderClientId\":\"");
  if (!p) {
    g->stray++;
    return;
  }
  p += 18;
  end = memchr (p, '"', len - (p - data));
  if (!end)
    return;
  key = g_strdup_printf ("%u/%.*s", c->channel, (int) (end - p), p);
  v = g_hash_table_lookup (g->viewers, key);
  if (!v || !v->outstanding)
    return;
  if (g->counting) {
    g->delivered++;
    if ((g->delivered & 63) == 0) {
      gint64 lat = g_get_monotonic_time () - v->t_sent;

      g_array_append_val (g->latencies, lat);
    }
  }
  release (g, v);
}

static void
on_closed (SoupWebsocketConnection * ws, Conn * c)
{
  c->closed = TRUE;
  c->g->closed++;
}

static void
connected_cb (GObject * source, GAsyncResult * res, gpointer data)
{
  Conn *c = data;
  Gen *g = c->g;
  g_autoptr (GError) error = NULL;

  c->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), res,
      &error);
  g->connecting--;
  if (c->ws) {
    g->connected++;
    soup_websocket_connection_set_keepalive_interval (c->ws, 0);
    g_signal_connect (c->ws, "message", G_CALLBACK (on_message), c);
    g_signal_connect (c->ws, "closed", G_CALLBACK (on_closed), c);
  } else {
    g->failed++;
    if (!g->first_error)
      g->first_error = g_strdup (error->message);
  }
  connect_more (g);
}

/* Small frames both ways: no Nagle delay on the load generator's side
 * (Node's ws sets TCP_NODELAY on its side by default). */
static void
on_network_event (SoupMessage * msg, GSocketClientEvent event,
    GIOStream * connection, gpointer data)
{
  if (event == G_SOCKET_CLIENT_CONNECTED && G_IS_SOCKET_CONNECTION (connection))
    g_socket_set_option (g_socket_connection_get_socket (G_SOCKET_CONNECTION
            (connection)), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

static void
connect_more (Gen * g)
{
  if (g->next_connect < g->n && g_get_monotonic_time () > g->connect_deadline) {
    /* bounded: stop opening, keep what is open */
    g->deadline_hit = TRUE;
    g->n_tried = g->next_connect;
    g->next_connect = g->n;
  }
  while (g->connecting < g->concurrency && g->next_connect < g->n) {
    Conn *c = &g->conns[g->next_connect++];
    SoupMessage *msg = soup_message_new ("GET", c->url);

    g->connecting++;
    g_signal_connect (msg, "network-event", G_CALLBACK (on_network_event),
        NULL);
    soup_session_websocket_connect_async (g->session, msg, NULL, NULL,
        G_PRIORITY_DEFAULT, NULL, connected_cb, c);
    g_object_unref (msg);
  }
  if (g->connecting == 0 && g->next_connect == g->n)
    g_main_loop_quit (g->loop);
}

/* ListSignalingChannels on the service: name → ARN. */
static GHashTable *
list_channels (const gchar * endpoint, GstKvsCredentials * creds,
    GError ** error)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree gchar *url = g_strdup_printf ("%s/listSignalingChannels",
      endpoint);
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr (GBytes) body = g_bytes_new_static ("{\"MaxResults\":10000}", 20);
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  GHashTable *arns;
  JsonArray *list;
  guint i;

  soup_message_headers_replace (soup_message_get_request_headers (msg),
      "Content-Type", "application/json");
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  if (!gst_kvs_sigv4_sign_message (msg, body, creds, "us-west-2",
          "kinesisvideo", NULL, error))
    return NULL;
  reply = soup_session_send_and_read (session, msg, NULL, error);
  if (!reply)
    return NULL;
  if (soup_message_get_status (msg) != 200) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "ListSignalingChannels: HTTP %u", soup_message_get_status (msg));
    return NULL;
  }
  if (!json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL),
          g_bytes_get_size (reply), error))
    return NULL;
  list = json_object_get_array_member (json_node_get_object
      (json_parser_get_root (parser)), "ChannelInfoList");
  arns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (i = 0; list && i < json_array_get_length (list); i++) {
    JsonObject *o = json_array_get_object_element (list, i);

    g_hash_table_insert (arns,
        g_strdup (json_object_get_string_member (o, "ChannelName")),
        g_strdup (json_object_get_string_member (o, "ChannelARN")));
  }
  return arns;
}

static gboolean
quit_cb (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
run_for (Gen * g, guint ms)
{
  g_timeout_add (ms, quit_cb, g->loop);
  g_main_loop_run (g->loop);
}

static gint
cmp_i64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  g_autofree gchar *target = NULL, *endpoint = NULL, *ak = NULL, *sk = NULL,
      *prefix = NULL;
  gint n = 10000, concurrency = 8, duration = 10, warmup = 2, pid = 0;
  gint connect_timeout = 600;
  GOptionEntry entries[] = {
    {"target", 0, 0, G_OPTION_ARG_STRING, &target, "service or node", "T"},
    {"endpoint", 0, 0, G_OPTION_ARG_STRING, &endpoint,
        "service http://… or node ws://…", "URL"},
    {"access-key", 0, 0, G_OPTION_ARG_STRING, &ak, "access key", "AK"},
    {"secret-key", 0, 0, G_OPTION_ARG_STRING, &sk, "secret key", "SK"},
    {"channel-prefix", 0, 0, G_OPTION_ARG_STRING, &prefix,
        "channels <prefix>0, <prefix>1, … (bench-scale-)", "P"},
    {"connections", 0, 0, G_OPTION_ARG_INT, &n, "connections (10000)", "N"},
    {"concurrency", 0, 0, G_OPTION_ARG_INT, &concurrency,
        "handshakes in flight (8: libsoup's listen backlog is 10)", "N"},
    {"connect-timeout", 0, 0, G_OPTION_ARG_INT, &connect_timeout,
        "seconds for opening connections; then go on with those open", "S"},
    {"duration", 0, 0, G_OPTION_ARG_INT, &duration, "seconds counted", "S"},
    {"warmup", 0, 0, G_OPTION_ARG_INT, &warmup, "seconds not counted", "S"},
    {"pid", 0, 0, G_OPTION_ARG_INT, &pid, "the target's process id", "PID"},
    {NULL}
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- scale round");
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) arns = NULL;
  g_autoptr (GstKvsCredentials) creds = NULL;
  g_autoptr (JsonBuilder) jb = json_builder_new ();
  g_autofree gchar *ws_base = NULL;
  gboolean service;
  guint64 nofile;
  gint64 rss0, rss1, rss2, t0, t_connect, cpu0, cpu1, self0, self1, tw0, tw1;
  guint i, n_channels, viewers = 0, held;
  gint64 hz = sysconf (_SC_CLK_TCK);
  Gen g = { 0 };

  gst_init (&argc, &argv);
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || !target ||
      !endpoint || n < 2 || !pid) {
    g_printerr ("usage: --target service|node --endpoint URL --pid PID …\n");
    return 2;
  }
  service = g_str_equal (target, "service");
  if (!prefix)
    prefix = g_strdup ("bench-scale-");
  nofile = bench_raise_nofile ();
  if (nofile < (guint64) n + 100) {
    g_printerr ("RLIMIT_NOFILE %" G_GUINT64_FORMAT " is too low for %d\n",
        nofile, n);
    return 1;
  }
  creds = gst_kvs_credentials_new (ak ? ak : "AKIDBENCH", sk ? sk :
      "bench-secret", NULL, "explicit");
  n_channels = (n + PER_CHANNEL - 1) / PER_CHANNEL;
  if (service) {
    arns = list_channels (endpoint, creds, &error);
    if (!arns) {
      g_printerr ("cannot list channels: %s\n", error->message);
      return 1;
    }
    ws_base = g_strdup_printf ("ws://%s/", endpoint + strlen ("http://"));
  } else {
    ws_base = g_strdup_printf ("%s/", endpoint);
  }

  g.n = n;
  g.concurrency = concurrency;
  g.conns = g_new0 (Conn, n);
  g.viewers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g.latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_queue_init (&g.waiting);
  for (i = 0; i < (guint) n; i++) {
    Conn *c = &g.conns[i];
    g_autofree gchar *name = g_strdup_printf ("%s%u", prefix,
        i / PER_CHANNEL);
    g_autofree gchar *arn = NULL, *plain = NULL, *esc = NULL;
    const gchar *known = arns ? g_hash_table_lookup (arns, name) : NULL;

    c->g = &g;
    c->index = i;
    c->channel = i / PER_CHANNEL;
    c->master = i % PER_CHANNEL == 0;
    arn = known ? g_strdup (known) :
        g_strdup_printf ("arn:aws:kinesisvideo:us-west-2:123456789012:"
        "channel/%s/1700000000000", name);
    if (service && !known) {
      g_printerr ("channel %s does not exist on the service\n", name);
      return 1;
    }
    esc = g_uri_escape_string (arn, NULL, FALSE);
    if (!c->master) {
      g_autoptr (GstKvsMessage) msg = NULL;
      g_autofree gchar *cand = bench_make_candidate (i);
      g_autofree gchar *key = NULL;
      gchar *frame;

      c->client_id = g_strdup_printf ("v%u", i);
      plain = g_strdup_printf ("%s?X-Amz-ChannelARN=%s&X-Amz-ClientId=%s",
          ws_base, esc, c->client_id);
      msg = gst_kvs_message_new_ice_candidate (NULL, cand, "0", 0, NULL);
      frame = gst_kvs_message_to_client_frame (msg, GST_KVS_ROLE_VIEWER, 0,
          NULL);
      c->frame = g_bytes_new_take (frame, strlen (frame));
      key = g_strdup_printf ("%u/%s", c->channel, c->client_id);
      g_hash_table_insert (g.viewers, g_steal_pointer (&key), c);
      viewers++;
    } else {
      plain = g_strdup_printf ("%s?X-Amz-ChannelARN=%s", ws_base, esc);
    }
    c->url = gst_kvs_sigv4_presign_url (plain, creds, "us-west-2",
        "kinesisvideo", 300, NULL, &error);
    if (!c->url) {
      g_printerr ("presign: %s\n", error->message);
      return 1;
    }
  }

  g.loop = g_main_loop_new (NULL, FALSE);
  g.session = soup_session_new_with_options ("max-conns", concurrency + 16,
      "max-conns-per-host", concurrency + 16, "timeout", 30, NULL);

  rss0 = bench_rss_kib (pid);
  t0 = g_get_monotonic_time ();
  g.n_tried = n;
  g.connect_deadline = t0 + (gint64) connect_timeout *G_USEC_PER_SEC;
  connect_more (&g);
  g_main_loop_run (g.loop);
  t_connect = g_get_monotonic_time () - t0;
  run_for (&g, 1000);
  rss1 = bench_rss_kib (pid);
  held = g.connected - g.closed;

  /* saturation */
  g.running = TRUE;
  g_timeout_add (2, pace_tick, &g);
  for (i = 0; i < (guint) n; i++)
    if (!g.conns[i].master && g.conns[i].ws && !g.conns[i].closed &&
        g.conns[g.conns[i].channel * PER_CHANNEL].ws)
      send_now (&g.conns[i]);
  run_for (&g, warmup * 1000);
  g.counting = TRUE;
  cpu0 = proc_cpu_ticks (pid);
  self0 = self_cpu_us ();
  tw0 = g_get_monotonic_time ();
  run_for (&g, duration * 1000);
  g.counting = FALSE;
  tw1 = g_get_monotonic_time ();
  cpu1 = proc_cpu_ticks (pid);
  self1 = self_cpu_us ();
  rss2 = bench_rss_kib (pid);
  g.running = FALSE;
  g_array_sort (g.latencies, cmp_i64);

  json_builder_begin_object (jb);
#define SET_INT(k, v) json_builder_set_member_name (jb, k); \
  json_builder_add_int_value (jb, v)
  json_builder_set_member_name (jb, "target");
  json_builder_add_string_value (jb, target);
  SET_INT ("connections_wanted", n);
  SET_INT ("connections_attempted", g.n_tried);
  json_builder_set_member_name (jb, "connect_deadline_hit");
  json_builder_add_boolean_value (jb, g.deadline_hit);
  SET_INT ("connections_opened", g.connected);
  SET_INT ("connections_failed", g.failed);
  SET_INT ("connections_held", held);
  SET_INT ("connections_closed_by_end", g.closed);
  SET_INT ("channels", n_channels);
  SET_INT ("viewers", viewers);
  SET_INT ("connect_ms", t_connect / 1000);
  SET_INT ("rss_before_kib", rss0);
  SET_INT ("rss_connected_kib", rss1);
  SET_INT ("rss_after_load_kib", rss2);
  SET_INT ("delivered", g.delivered);
  SET_INT ("stray_frames", g.stray);
  SET_INT ("window_us", tw1 - tw0);
  SET_INT ("target_cpu_us", (cpu1 - cpu0) * G_USEC_PER_SEC / hz);
  SET_INT ("loadgen_cpu_us", self1 - self0);
  if (g.latencies->len) {
    SET_INT ("delivery_p50_us", g_array_index (g.latencies, gint64,
            g.latencies->len / 2));
    SET_INT ("delivery_p99_us", g_array_index (g.latencies, gint64,
            g.latencies->len * 99 / 100));
  }
  if (g.first_error) {
    json_builder_set_member_name (jb, "first_error");
    json_builder_add_string_value (jb, g.first_error);
  }
  json_builder_end_object (jb);
  bench_print_json (jb);
  /* exit without closing 10,000 sockets one by one: the kernel does it */
  _exit (0);
}
