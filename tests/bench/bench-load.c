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

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <libsoup/soup.h>
#include <gst/gst.h>
#include <gst/kvssignaling/kvssignaling.h>

#include "benchutil.h"

#define PER_CHANNEL 11
#define SEND_GAP_US (1000000 / 18)
#define READ_CHUNK 65536

/* The WebSockets are plain sockets in one epoll set, spoken to by hand
 * (RFC 6455 client side: masked frames, with a zero mask key): with
 * libsoup's client and GLib's main loop, the load generator spent more on
 * each message than the relays it measures as soon as it held thousands of
 * connections (see tools/kvs-signaling-server/kvsactivityinputstream.c for
 * the reason), and it must not be the bottleneck. */

typedef enum
{
  CONN_IDLE,
  CONN_CONNECTING,              /* TCP connect in progress */
  CONN_HANDSHAKE,               /* upgrade request sent, reading the reply */
  CONN_OPEN,
  CONN_CLOSED,
} ConnState;

typedef struct _Gen Gen;

typedef struct
{
  Gen *g;
  guint index;
  guint channel;
  gboolean master;
  gchar *client_id;
  gchar *url;
  gchar *request;               /* the HTTP upgrade request */
  gint fd;
  ConnState state;
  GByteArray *in;               /* bytes read and not parsed yet */
  GByteArray *out;              /* bytes not written yet */
  guint8 *frame;                /* viewer: its ICE candidate, framed */
  gsize frame_len;
  gint64 next_send;
  gint64 t_sent;
  gboolean outstanding;
} Conn;

struct _Gen
{
  gint epfd;
  struct sockaddr_storage addr;
  socklen_t addr_len;
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
  GQueue waiting;               /* viewers whose next send is paced */
  gboolean running, counting;
  guint64 delivered, stray;
  GArray *latencies;            /* µs, sampled */
  guint8 *chunk;
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

/* A client frame (FIN, @opcode, masked with the key 0). */
static guint8 *
make_frame (guint8 opcode, const guint8 * payload, gsize len, gsize * out_len)
{
  guint8 *f = g_malloc (len + 14);
  gsize h = 0;

  f[h++] = 0x80 | opcode;
  if (len < 126) {
    f[h++] = 0x80 | len;
  } else if (len < 65536) {
    f[h++] = 0x80 | 126;
    f[h++] = len >> 8;
    f[h++] = len & 0xff;
  } else {
    f[h++] = 0x80 | 127;
    for (gint i = 7; i >= 0; i--)
      f[h++] = ((guint64) len >> (8 * i)) & 0xff;
  }
  memset (f + h, 0, 4);         /* mask key 0: the payload goes as it is */
  h += 4;
  memcpy (f + h, payload, len);
  *out_len = h + len;
  return f;
}

static void conn_close (Conn * c, const gchar * why);

static void
conn_update_events (Conn * c)
{
  struct epoll_event ev = { 0 };

  ev.events = EPOLLIN | (c->out->len ? EPOLLOUT : 0);
  ev.data.ptr = c;
  epoll_ctl (c->g->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void
conn_write (Conn * c, const guint8 * data, gsize len)
{
  gssize n = 0;

  if (c->state == CONN_CLOSED)
    return;
  if (c->out->len == 0) {
    n = send (c->fd, data, len, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      conn_close (c, g_strerror (errno));
      return;
    }
    if (n < 0)
      n = 0;
    if ((gsize) n == len)
      return;
  }
  g_byte_array_append (c->out, data + n, len - n);
  conn_update_events (c);
}

static void
conn_flush (Conn * c)
{
  gssize n = send (c->fd, c->out->data, c->out->len, MSG_NOSIGNAL);

  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      conn_close (c, g_strerror (errno));
    return;
  }
  g_byte_array_remove_range (c->out, 0, n);
  if (c->out->len == 0)
    conn_update_events (c);
}

static void
send_now (Conn * c)
{
  gint64 now = g_get_monotonic_time ();

  c->outstanding = TRUE;
  c->t_sent = now;
  c->next_send = now + SEND_GAP_US;
  conn_write (c, c->frame, c->frame_len);
}

static void
release (Gen * g, Conn * v)
{
  v->outstanding = FALSE;
  if (!g->running || v->state != CONN_OPEN)
    return;
  if (g_get_monotonic_time () >= v->next_send)
    send_now (v);
  else
    g_queue_push_tail (&g->waiting, v);
}

static void
pace (Gen * g)
{
  gint64 now = g_get_monotonic_time ();
  Conn *v;

  while ((v = g_queue_peek_head (&g->waiting)) && v->next_send <= now) {
    g_queue_pop_head (&g->waiting);
    if (g->running && v->state == CONN_OPEN)
      send_now (v);
  }
}

/* A text frame the master received: which viewer it came from. */
static void
on_text (Conn * c, const guint8 * data, gsize len)
{
  Gen *g = c->g;
  const gchar *p;
  guint64 idx;
  gchar *end;
  Conn *v;

  if (!c->master) {
    g->stray++;                 /* STATUS_RESPONSE or anything else */
    return;
  }
  p = g_strstr_len ((const gchar *) data, len, "\"senderClientId\":\"v");
  if (!p) {
    g->stray++;
    return;
  }
  idx = g_ascii_strtoull (p + 19, &end, 10);
  if (end == p + 19 || *end != '"' || idx >= g->n)
    return;
  v = &g->conns[idx];
  if (v->master || v->channel != c->channel || !v->outstanding)
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

/* Parse the complete frames in c->in (server frames are not masked). */
static void
parse_frames (Conn * c)
{
  guint8 *d = c->in->data;
  gsize len = c->in->len, pos = 0;

  while (c->state == CONN_OPEN && len - pos >= 2) {
    guint8 opcode = d[pos] & 0x0f;
    guint64 plen = d[pos + 1] & 0x7f;
    gsize h = 2;

    if (plen == 126) {
      if (len - pos < 4)
        break;
      plen = (d[pos + 2] << 8) | d[pos + 3];
      h = 4;
    } else if (plen == 127) {
      if (len - pos < 10)
        break;
      plen = 0;
      for (gint i = 0; i < 8; i++)
        plen = (plen << 8) | d[pos + 2 + i];
      h = 10;
    }
    if (d[pos + 1] & 0x80)
      h += 4;                   /* a masked server frame: not expected */
    if (len - pos < h + plen)
      break;
    if (opcode == 0x1)
      on_text (c, d + pos + h, plen);
    else if (opcode == 0x8)
      conn_close (c, "close frame");
    else if (opcode == 0x9) {
      gsize flen;
      g_autofree guint8 *pong = make_frame (0xa, d + pos + h, plen, &flen);

      conn_write (c, pong, flen);
    }
    pos += h + plen;
  }
  if (pos)
    g_byte_array_remove_range (c->in, 0, MIN (pos, c->in->len));
}

static void connect_more (Gen * g);

static void
conn_close (Conn * c, const gchar * why)
{
  Gen *g = c->g;
  ConnState was = c->state;

  if (was == CONN_CLOSED || was == CONN_IDLE)
    return;
  c->state = CONN_CLOSED;
  epoll_ctl (g->epfd, EPOLL_CTL_DEL, c->fd, NULL);
  close (c->fd);
  c->fd = -1;
  if (was == CONN_OPEN) {
    g->closed++;
  } else {
    g->connecting--;
    g->failed++;
    if (!g->first_error)
      g->first_error = g_strdup (why);
    connect_more (g);
  }
}

static void
on_readable (Conn * c)
{
  Gen *g = c->g;

  for (;;) {
    gssize n = recv (c->fd, g->chunk, READ_CHUNK, 0);

    if (n == 0) {
      conn_close (c, "connection closed during the handshake");
      return;
    }
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        conn_close (c, g_strerror (errno));
      return;
    }
    g_byte_array_append (c->in, g->chunk, n);
    if (c->state == CONN_HANDSHAKE) {
      guint8 *eoh = memmem (c->in->data, c->in->len, "\r\n\r\n", 4);

      if (!eoh)
        continue;
      if (c->in->len < 12 || memcmp (c->in->data + 9, "101", 3) != 0) {
        g_autofree gchar *line = g_strndup ((const gchar *) c->in->data,
            strcspn ((const gchar *) c->in->data, "\r\n"));
        g_autofree gchar *why = g_strdup_printf ("handshake refused: %s",
            line);

        conn_close (c, why);
        return;
      }
      g_byte_array_remove_range (c->in, 0, eoh + 4 - c->in->data);
      c->state = CONN_OPEN;
      g->connecting--;
      g->connected++;
      connect_more (g);
    }
    if (c->state == CONN_OPEN)
      parse_frames (c);
    if (c->state != CONN_OPEN && c->state != CONN_HANDSHAKE)
      return;
    if (n < READ_CHUNK)
      return;
  }
}

static void
on_event (Conn * c, guint32 events)
{
  if (c->state == CONN_CONNECTING) {
    gint err = 0;
    socklen_t l = sizeof (err);

    if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
      return;
    getsockopt (c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
    if (err) {
      conn_close (c, g_strerror (err));
      return;
    }
    c->state = CONN_HANDSHAKE;
    conn_update_events (c);
    conn_write (c, (const guint8 *) c->request, strlen (c->request));
    return;
  }
  if ((events & EPOLLOUT) && c->out->len)
    conn_flush (c);
  if (c->state != CONN_CLOSED && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
    on_readable (c);
}

static void
conn_start (Gen * g, Conn * c)
{
  struct epoll_event ev = { 0 };
  gint one = 1;

  c->fd = socket (g->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
      SOCK_CLOEXEC, 0);
  g->connecting++;
  c->state = CONN_CONNECTING;
  if (c->fd < 0) {
    c->state = CONN_IDLE;
    g->connecting--;
    g->failed++;
    if (!g->first_error)
      g->first_error = g_strdup (g_strerror (errno));
    return;
  }
  /* small frames both ways: no Nagle delay on the load generator's side
   * (Node's ws sets TCP_NODELAY on its side by default) */
  setsockopt (c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof (one));
  ev.events = EPOLLOUT | EPOLLIN;
  ev.data.ptr = c;
  epoll_ctl (g->epfd, EPOLL_CTL_ADD, c->fd, &ev);
  if (connect (c->fd, (struct sockaddr *) &g->addr, g->addr_len) < 0 &&
      errno != EINPROGRESS)
    conn_close (c, g_strerror (errno));
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
  while (g->connecting < g->concurrency && g->next_connect < g->n)
    conn_start (g, &g->conns[g->next_connect++]);
}

/* Run the epoll loop until @until (monotonic µs), or, with @until 0, until
 * every connection is opened or failed. */
static void
run_until (Gen * g, gint64 until)
{
  struct epoll_event evs[256];

  for (;;) {
    gint64 now = g_get_monotonic_time ();
    gint timeout, n;

    if (until == 0 && g->connecting == 0 && g->next_connect >= g->n)
      return;
    if (until == 0 && now > g->connect_deadline + 30 * G_USEC_PER_SEC) {
      /* handshakes still unanswered 30 s after the deadline: failed */
      for (guint i = 0; i < g->n; i++)
        if (g->conns[i].state == CONN_CONNECTING ||
            g->conns[i].state == CONN_HANDSHAKE)
          conn_close (&g->conns[i], "no answer to the handshake");
      return;
    }
    if (until && now >= until)
      return;
    timeout = g->running ? 2 : 100;
    if (until)
      timeout = MIN (timeout, (until - now + 999) / 1000);
    n = epoll_wait (g->epfd, evs, G_N_ELEMENTS (evs), timeout);
    for (gint i = 0; i < n; i++)
      on_event (evs[i].data.ptr, evs[i].events);
    if (until == 0)
      connect_more (g);
    if (g->running)
      pace (g);
  }
}

static void
run_for (Gen * g, guint ms)
{
  run_until (g, g_get_monotonic_time () + (gint64) ms * 1000);
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
      g_autofree gchar *frame = NULL;

      c->client_id = g_strdup_printf ("v%u", i);
      plain = g_strdup_printf ("%s?X-Amz-ChannelARN=%s&X-Amz-ClientId=%s",
          ws_base, esc, c->client_id);
      msg = gst_kvs_message_new_ice_candidate (NULL, cand, "0", 0, NULL);
      frame = gst_kvs_message_to_client_frame (msg, GST_KVS_ROLE_VIEWER, 0,
          NULL);
      c->frame = make_frame (0x1, (const guint8 *) frame, strlen (frame),
          &c->frame_len);
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
    /* ws://host:port/path?query: the request line takes what follows the
     * authority, the Host header the authority (as signed) */
    {
      const gchar *auth = c->url + strlen ("ws://");
      const gchar *path = strchr (auth, '/');

      c->request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: %.*s\r\n"
          "Upgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          "Sec-WebSocket-Version: 13\r\n\r\n", path, (int) (path - auth), auth);
    }
    c->fd = -1;
    c->in = g_byte_array_new ();
    c->out = g_byte_array_new ();
  }

  /* the relay's address: ws://127.0.0.1:PORT/ */
  {
    const gchar *auth = ws_base + strlen ("ws://");
    g_autofree gchar *host = g_strndup (auth, strcspn (auth, "/"));
    gchar *colon = strrchr (host, ':');
    g_autoptr (GInetAddress) ia = NULL;
    g_autoptr (GSocketAddress) sa = NULL;

    if (!colon) {
      g_printerr ("no port in %s\n", ws_base);
      return 1;
    }
    *colon = '\0';
    if (host[0] == '[') {
      host[strlen (host) - 1] = '\0';
      ia = g_inet_address_new_from_string (host + 1);
    } else {
      ia = g_inet_address_new_from_string (host);
    }
    if (!ia) {
      g_printerr ("not an IP address: %s\n", host);
      return 1;
    }
    sa = g_inet_socket_address_new (ia, atoi (colon + 1));
    g.addr_len = g_socket_address_get_native_size (sa);
    if (!g_socket_address_to_native (sa, &g.addr, sizeof (g.addr), &error)) {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  }
  g.epfd = epoll_create1 (EPOLL_CLOEXEC);
  g.chunk = g_malloc (READ_CHUNK);

  rss0 = bench_rss_kib (pid);
  t0 = g_get_monotonic_time ();
  g.n_tried = n;
  g.connect_deadline = t0 + (gint64) connect_timeout *G_USEC_PER_SEC;
  connect_more (&g);
  run_until (&g, 0);
  t_connect = g_get_monotonic_time () - t0;
  run_for (&g, 1000);
  rss1 = bench_rss_kib (pid);
  held = g.connected - g.closed;

  /* saturation */
  g.running = TRUE;
  for (i = 0; i < (guint) n; i++)
    if (!g.conns[i].master && g.conns[i].state == CONN_OPEN &&
        g.conns[g.conns[i].channel * PER_CHANNEL].state == CONN_OPEN)
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
