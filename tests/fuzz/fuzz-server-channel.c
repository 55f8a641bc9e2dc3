/* kvssignaling fuzzing: frames sent over real WebSockets (socket pairs) to
 * the local service's KvsConnection and routed by its KvsChannel
 * (tools/kvs-signaling-server/kvsconnection.c, kvschannel.c).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Input: lines. "+" attaches the viewer "viewer-3" (late: it gets what was
 * held for it); any other line is "<who><frame>": byte <who> % 3 picks the
 * sender (0 master, 1 "viewer-1", 2 "viewer-2"), the rest is the frame.
 * The master, viewer-1 and viewer-2 are attached from the start.
 *
 * Properties, frame by frame (each is delivered before the next is sent):
 * what the service accepts is what gst_kvs_message_parse_client_frame()
 * accepts (and a master's message must name a recipient); an accepted
 * frame reaches exactly its recipient (a viewer's the master, with the
 * viewer as sender; the master's the viewer it names), unchanged, or is
 * held while that viewer is absent, or is refused as over the rate or the
 * hold limit; a refused frame reaches nobody, and its sender gets one
 * STATUS_RESPONSE (400, its correlationId) exactly when it has a
 * correlationId; a late viewer gets only what the master sent it while it
 * was absent, in order, at most max_queue of them. */
#include "fuzz-common.h"
#include <sys/socket.h>
#include <libsoup/soup.h>
#include "gstkvsmessage.h"
#include "kvschannel.h"
#include "kvsconnection.h"
#include "kvsactivitystream.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

#define ARN "arn:aws:kinesisvideo:us-west-2:123456789012:channel/fuzz/1"
#define MAX_LINES 24
#define LATE_VIEWER "viewer-3"

enum
{ MASTER, VIEWER_1, VIEWER_2, VIEWER_3, N_PEERS };
static const gchar *peer_ids[N_PEERS] = { NULL, "viewer-1", "viewer-2",
  LATE_VIEWER
};

static KvsServerConfig config;
static KvsCounters counters;
static GUri *ws_uri;

typedef struct
{
  KvsConnection *conn;          /* the service's side */
  SoupWebsocketConnection *client;
  GSocketConnection *client_io;
  GPtrArray *received;          /* frames the client got (text) */
  gboolean attached;
} Peer;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  config.region = (gchar *) "us-west-2";
  config.no_auth = TRUE;
  config.max_viewers = 4;
  config.max_frame_size = KVS_SERVER_DEFAULT_MAX_FRAME_SIZE;
  config.max_queue = 4;
  ws_uri = g_uri_parse ("ws://127.0.0.1/", G_URI_FLAGS_NONE, NULL);
  return 0;
}

static void
on_client_message (SoupWebsocketConnection * ws, gint type, GBytes * bytes,
    Peer * peer)
{
  gsize len;
  const gchar *data = g_bytes_get_data (bytes, &len);

  FUZZ_CHECK (type == SOUP_WEBSOCKET_DATA_TEXT, "binary frame from service");
  g_ptr_array_add (peer->received, g_strndup (data, len));
}

/* Runs the main context until nothing more happens. */
static void
drain (void)
{
  guint idle = 0, rounds = 0;

  while (idle < 3 && rounds++ < 10000) {
    if (g_main_context_iteration (NULL, FALSE))
      idle = 0;
    else
      idle++;
  }
}

static void
peer_connect (Peer * peer, guint which)
{
  int fds[2];
  g_autoptr (GSocket) server_socket = NULL;
  g_autoptr (GSocket) client_socket = NULL;
  g_autoptr (GSocketConnection) server_io = NULL;
  g_autoptr (KvsActivityStream) stream = NULL;
  g_autoptr (SoupWebsocketConnection) ws = NULL;

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    FUZZ_FAIL ("socketpair failed");
  server_socket = g_socket_new_from_fd (fds[0], NULL);
  client_socket = g_socket_new_from_fd (fds[1], NULL);
  FUZZ_CHECK (server_socket && client_socket, "sockets");
  server_io = g_socket_connection_factory_create_connection (server_socket);
  peer->client_io =
      g_socket_connection_factory_create_connection (client_socket);
  stream = kvs_activity_stream_new (G_IO_STREAM (server_io));
  ws = soup_websocket_connection_new (G_IO_STREAM (stream), ws_uri,
      SOUP_WEBSOCKET_CONNECTION_SERVER, NULL, NULL, NULL);
  peer->conn = kvs_connection_new (ws, stream, server_socket, NULL, ARN,
      which == MASTER ? GST_KVS_ROLE_MASTER : GST_KVS_ROLE_VIEWER,
      peer_ids[which], &config, &counters);
  peer->client = soup_websocket_connection_new (G_IO_STREAM (peer->client_io),
      ws_uri, SOUP_WEBSOCKET_CONNECTION_CLIENT, NULL, NULL, NULL);
  soup_websocket_connection_set_keepalive_interval (peer->client, 0);
  peer->received = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (peer->client, "message", G_CALLBACK (on_client_message),
      peer);
}

static void
peer_clear (Peer * peer)
{
  if (peer->client == NULL)
    return;
  g_signal_handlers_disconnect_by_data (peer->client, peer);
  g_clear_object (&peer->client);
  g_clear_object (&peer->client_io);
  g_clear_object (&peer->conn);
  g_ptr_array_unref (peer->received);
}

/* A frame the service sent to @peer, parsed. */
static GstKvsMessage *
parse_received (const gchar * frame)
{
  g_autoptr (GError) err = NULL;
  GstKvsMessage *msg = gst_kvs_message_parse_service_frame (frame, -1, &err);

  FUZZ_CHECK (msg != NULL, "the service sent what a client refuses: %s: %s",
      err->message, frame);
  return msg;
}

/* The STATUS_RESPONSE @frame refuses the message with @corr. Returns the
 * error type. */
static gchar *
check_status (const gchar * frame, const gchar * corr)
{
  g_autoptr (GstKvsMessage) st = parse_received (frame);

  FUZZ_CHECK (st->type == GST_KVS_MESSAGE_TYPE_STATUS_RESPONSE,
      "the sender got a %d, not a STATUS_RESPONSE", st->type);
  FUZZ_CHECK (g_strcmp0 (st->correlation_id, corr) == 0,
      "STATUS_RESPONSE for correlationId %s, sent %s", st->correlation_id,
      corr);
  FUZZ_CHECK (st->status_code == 400, "status %d", st->status_code);
  return g_strdup (st->error_type);
}

typedef struct
{
  GstKvsMessageType type;
  gchar *payload;
} Held;

static void
held_free (Held * h)
{
  g_free (h->payload);
  g_free (h);
}

static void
one_frame (Peer * peers, guint from, const gchar * frame, GQueue * held)
{
  g_autoptr (GstKvsMessage) msg = NULL;
  g_autoptr (GError) err = NULL;
  g_autofree gchar *corr = NULL;
  gint target = -1;
  gboolean valid;
  guint i, n_before[N_PEERS];

  for (i = 0; i < N_PEERS; i++)
    n_before[i] = peers[i].received ? peers[i].received->len : 0;

  msg = gst_kvs_message_parse_client_frame (frame, -1,
      config.max_frame_size, &corr, &err);
  if (msg && corr == NULL && msg->correlation_id)
    corr = g_strdup (msg->correlation_id);
  valid = msg != NULL && (from != MASTER || (msg->recipient_client_id
          && *msg->recipient_client_id));
  if (valid) {
    if (from != MASTER)
      target = MASTER;
    else
      for (i = VIEWER_1; i < N_PEERS; i++)
        if (g_strcmp0 (msg->recipient_client_id, peer_ids[i]) == 0)
          target = i;
  }

  soup_websocket_connection_send_text (peers[from].client, frame);
  drain ();

  for (i = 0; i < N_PEERS; i++) {
    guint got = peers[i].received ? peers[i].received->len - n_before[i] : 0;

    if (i == from) {
      FUZZ_CHECK (got <= 1, "the sender got %u frames", got);
      if (got == 1) {
        g_autofree gchar *type = check_status (g_ptr_array_index
            (peers[i].received, n_before[i]), corr);

        FUZZ_CHECK (!valid || g_str_equal (type,
                "ClientLimitExceededException"), "a valid message refused "
            "with %s: %s", type, frame);
      } else {
        FUZZ_CHECK (valid || corr == NULL, "an invalid message with a "
            "correlationId refused silently: %s", frame);
      }
      if (got == 1 || !valid)
        continue;
    }
    if (i == (guint) target && peers[i].attached && got == 1) {
      g_autoptr (GstKvsMessage) m = parse_received (g_ptr_array_index
          (peers[i].received, n_before[i]));

      FUZZ_CHECK (m->type == msg->type && g_strcmp0 (m->payload,
              msg->payload) == 0, "the message changed on its way");
      FUZZ_CHECK (g_strcmp0 (m->sender_client_id, peer_ids[from]) == 0,
          "sender %s, not %s", m->sender_client_id, peer_ids[from]);
      continue;
    }
    FUZZ_CHECK (got == 0, "%s got %u frames (sender %s, target %d): %s",
        peer_ids[i] ? peer_ids[i] : "master", got,
        peer_ids[from] ? peer_ids[from] : "master", target, frame);
  }

  /* Held for the late viewer unless refused (a STATUS_RESPONSE, or none
   * without a correlationId: then it may be either). */
  if (valid && target == VIEWER_3 && !peers[VIEWER_3].attached
      && peers[from].received->len == n_before[from]) {
    Held *h = g_new0 (Held, 1);

    h->type = msg->type;
    h->payload = g_strdup (msg->payload);
    g_queue_push_tail (held, h);
  }
}

static gboolean
held_match (const Held * h, const GstKvsMessage * m)
{
  return h->type == m->type && g_strcmp0 (h->payload, m->payload) == 0;
}

/* The late viewer got only what was held for it: its candidates in order
 * (a subsequence: some may have been refused), an offer or answer anywhere
 * (a newer one takes the place of the one it replaces). */
static void
check_late (Peer * late, GQueue * held)
{
  GList *l = held->head, *k;
  guint i;

  FUZZ_CHECK (late->received->len <= config.max_queue, "%u held messages "
      "delivered, the limit is %u", late->received->len, config.max_queue);
  for (i = 0; i < late->received->len; i++) {
    g_autoptr (GstKvsMessage) m =
        parse_received (g_ptr_array_index (late->received, i));

    FUZZ_CHECK (m->sender_client_id == NULL, "sender %s to a viewer",
        m->sender_client_id);
    if (m->type != GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE) {
      for (k = held->head; k && !held_match (k->data, m); k = k->next);
      FUZZ_CHECK (k != NULL, "the late viewer got an SDP not held for it");
      continue;
    }
    while (l && !held_match (l->data, m))
      l = l->next;
    FUZZ_CHECK (l != NULL, "the late viewer got a candidate not held for it, "
        "or out of order");
    l = l->next;
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autofree gchar *text = fuzz_strndup (data, size);
  g_auto (GStrv) lines = g_strsplit (text, "\n", MAX_LINES + 1);
  Peer peers[N_PEERS] = { {0,}, };
  GQueue held = G_QUEUE_INIT;
  KvsChannel *channel;
  guint i;

  channel = kvs_channel_new ("fuzz", ARN, 60, 1, "version", &config, &counters);
  for (i = MASTER; i <= VIEWER_2; i++) {
    peer_connect (&peers[i], i);
    kvs_channel_attach (channel, peers[i].conn);
    peers[i].attached = TRUE;
  }
  drain ();

  for (i = 0; lines[i] && i < MAX_LINES; i++) {
    const gchar *line = lines[i];

    if (g_str_equal (line, "+")) {
      if (!peers[VIEWER_3].attached) {
        peer_connect (&peers[VIEWER_3], VIEWER_3);
        kvs_channel_attach (channel, peers[VIEWER_3].conn);
        peers[VIEWER_3].attached = TRUE;
        drain ();
        check_late (&peers[VIEWER_3], &held);
      }
      continue;
    }
    /* Text frames are UTF-8 (a client library cannot send anything else;
     * the service closes the connection on it). */
    if (*line == '\0' || !g_utf8_validate (line + 1, -1, NULL))
      continue;
    one_frame (peers, (guchar) line[0] % 3, line + 1, &held);
  }

  kvs_channel_shutdown (channel);
  drain ();
  for (i = 0; i < N_PEERS; i++)
    peer_clear (&peers[i]);
  drain ();
  g_object_unref (channel);
  g_queue_clear_full (&held, (GDestroyNotify) held_free);
  return 0;
}
