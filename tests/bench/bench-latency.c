/* kvs-bench-latency: one round of the message-latency benchmark.
 *
 * One master and --viewers viewers in this process exchange ICE candidates
 * (about 200-byte frames) and SDP offers/answers (about 3 KB and 10 KB
 * frames), one message in flight at a time, and the one-way latency of each
 * is measured from the send call to the arrival on the other side:
 *
 * --target service: through kvs-signaling-server with the elements, from
 *   kvssignalingsink's send-ice-candidate / send-offer / send-answer action
 *   signals to kvssignalingsrc's ice-candidate-received / offer-received /
 *   answer-received signals (auto-negotiate=false, no webrtcbin);
 * --target relay: the same frames, byte for byte what the sink sends, over
 *   raw libsoup WebSockets through kvs-bench-relay, from the send call (made
 *   in the sender's own thread, like the elements do) to the "message"
 *   signal on the receiving WebSocket. As with the elements, where each
 *   pipeline's signaling client has its thread, the master and every viewer
 *   have a client thread and main context of their own: a message leaves
 *   from the sender's thread and arrives in the receiver's (with one thread
 *   for all, the receiver was the sender, awake, and the relay was timed
 *   faster than any two peers can be).
 *
 * What a real sender is handed before it sends (the service's
 * GstWebRTCSessionDescription, the relay's frame) is made before the clock
 * starts.
 *
 * Both targets follow the same send schedule, which keeps every connection
 * under the service's quotas (ICE 20/s, offers 5/s, answers 5/s).
 * Prints one JSON object.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <libsoup/soup.h>
#include <gst/kvssignaling/kvssignaling.h>
#include "gstkvsserviceframe.h"

#include "benchutil.h"
#include "gstkvswebrtcbinutils.h"

#define MAX_VIEWERS 10
#define MASTER (-1)
#define ICE_GAP_US (1000000 / 16)
#define SDP_GAP_US (1000000 / 4)
#define TIMEOUT_US (3 * G_USEC_PER_SEC)

enum
{ KIND_ICE, KIND_SDP3K, KIND_SDP10K, N_KINDS };
static const gchar *kind_names[N_KINDS] = { "ice_200b", "sdp_3kb", "sdp_10kb" };

/* base64 messagePayload sizes: 3 KB and 10 KB frames; 10,000 characters is
 * the service's documented payload limit (and the library's default). */
static const gsize kind_payload[N_KINDS] = { 0, 2944, 10000 };

/* A relay client: like an element pair's signaling client, its own thread
 * and main context, in which its connections are made, send and receive. */
typedef struct
{
  struct _Bench *b;
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  SoupSession *session;
} Endpoint;

typedef struct _Bench
{
  GMutex lock;
  GCond cond;
  gint64 want_seq;              /* -1: nothing awaited */
  gint want_rx;
  gsize want_len;
  gint64 t_recv;

  /* service */
  GstElement *master_pipe, *master_sink, *master_src;
  GstElement *viewer_pipe[MAX_VIEWERS], *viewer_sink[MAX_VIEWERS],
      *viewer_src[MAX_VIEWERS];

  /* relay: endpoint 0 is the master, 1 + i viewer i */
  Endpoint ep[MAX_VIEWERS + 1];
  SoupWebsocketConnection *m_conn[MAX_VIEWERS], *v_conn[MAX_VIEWERS];
  gint connecting;
  gchar *relay_url;
} Bench;

static gint n_viewers = 4;
static gboolean use_relay;

static void
received (Bench * b, gint64 seq, gint rx, gsize len)
{
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&b->lock);
  if (b->want_seq >= 0 && seq == b->want_seq && rx == b->want_rx &&
      (len == 0 || len == b->want_len)) {
    b->t_recv = now;
    b->want_seq = -1;
    g_cond_signal (&b->cond);
  }
  g_mutex_unlock (&b->lock);
}

/* ---- service: the elements ---------------------------------------------- */

static gint
viewer_index (Bench * b, GstElement * src)
{
  gint i;

  for (i = 0; i < n_viewers; i++)
    if (b->viewer_src[i] == src)
      return i;
  return MASTER;
}

static void
on_sdp (GstElement * src, const gchar * sender,
    GstWebRTCSessionDescription * desc, Bench * b)
{
  const gchar *v = gst_sdp_message_get_attribute_val (desc->sdp,
      "x-bench-seq");

  received (b, v ? g_ascii_strtoll (v, NULL, 10) : -1, viewer_index (b, src),
      0);
}

static void
on_ice (GstElement * src, const gchar * sender, guint mline, const gchar * mid,
    const gchar * candidate, Bench * b)
{
  received (b, bench_candidate_seq (candidate), viewer_index (b, src), 0);
}

static GstElement *
make_element (const gchar * factory, const gchar * role, const gchar * channel,
    const gchar * endpoint, const gchar * ak, const gchar * sk,
    const gchar * client_id)
{
  GstElement *e = gst_element_factory_make (factory, NULL);

  if (!e) {
    g_printerr ("no element %s (GST_PLUGIN_PATH?)\n", factory);
    exit (1);
  }
  gst_util_set_object_arg (G_OBJECT (e), "role", role);
  g_object_set (e, "channel-name", channel, "aws-region", "us-west-2",
      "endpoint", endpoint, "access-key", ak, "secret-key", sk,
      "create-channel", TRUE, "auto-negotiate", FALSE, NULL);
  if (client_id)
    g_object_set (e, "client-id", client_id, NULL);
  return e;
}

static gboolean
wait_connected (GstElement * e, gint64 deadline)
{
  while (g_get_monotonic_time () < deadline) {
    gint state = 0;

    g_object_get (e, "state", &state, NULL);
    if (state == GST_KVS_SIGNALING_STATE_CONNECTED)
      return TRUE;
    g_usleep (2000);
  }
  return FALSE;
}

static GstElement *
make_pipeline (GstElement ** sink, GstElement ** src, const gchar * role,
    const gchar * channel, const gchar * endpoint, const gchar * ak,
    const gchar * sk, const gchar * client_id, Bench * b)
{
  GstElement *pipe = gst_pipeline_new (NULL);

  *sink = make_element ("kvssignalingsink", role, channel, endpoint, ak, sk,
      client_id);
  *src = make_element ("kvssignalingsrc", role, channel, endpoint, ak, sk,
      client_id);
  gst_bin_add_many (GST_BIN (pipe), *sink, *src, NULL);
  if (g_str_equal (role, "master"))
    g_signal_connect (*src, "offer-received", G_CALLBACK (on_sdp), b);
  else
    g_signal_connect (*src, "answer-received", G_CALLBACK (on_sdp), b);
  g_signal_connect (*src, "ice-candidate-received", G_CALLBACK (on_ice), b);
  return pipe;
}

static gboolean
service_setup (Bench * b, const gchar * channel, const gchar * endpoint,
    const gchar * ak, const gchar * sk)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  gint i;

  b->master_pipe = make_pipeline (&b->master_sink, &b->master_src, "master",
      channel, endpoint, ak, sk, NULL, b);
  gst_element_set_state (b->master_pipe, GST_STATE_PLAYING);
  if (!wait_connected (b->master_sink, deadline))
    return FALSE;
  for (i = 0; i < n_viewers; i++) {
    g_autofree gchar *id = g_strdup_printf ("bench-v%d", i);

    b->viewer_pipe[i] = make_pipeline (&b->viewer_sink[i], &b->viewer_src[i],
        "viewer", channel, endpoint, ak, sk, id, b);
    gst_element_set_state (b->viewer_pipe[i], GST_STATE_PLAYING);
  }
  for (i = 0; i < n_viewers; i++)
    if (!wait_connected (b->viewer_sink[i], deadline))
      return FALSE;
  return TRUE;
}

static void
service_teardown (Bench * b)
{
  gint i;

  for (i = 0; i < n_viewers; i++) {
    if (b->viewer_pipe[i]) {
      gst_element_set_state (b->viewer_pipe[i], GST_STATE_NULL);
      gst_object_unref (b->viewer_pipe[i]);
    }
  }
  if (b->master_pipe) {
    gst_element_set_state (b->master_pipe, GST_STATE_NULL);
    gst_object_unref (b->master_pipe);
  }
}

/* The SDP of an offer or answer as webrtcbin hands it to the application:
 * made before the clock starts (the relay's frame is made before it too) */
static GstWebRTCSessionDescription *
service_description (gint kind, gint sender, const gchar * payload_text)
{
  GstSDPMessage *sdp = NULL;

  if (kind == KIND_ICE)
    return NULL;
  gst_sdp_message_new_from_text (payload_text, &sdp);
  return gst_webrtc_session_description_new (sender == MASTER ?
      GST_WEBRTC_SDP_TYPE_ANSWER : GST_WEBRTC_SDP_TYPE_OFFER, sdp);
}

static gboolean
service_send (Bench * b, gint kind, gint sender, gint peer,
    const gchar * payload_text, GstWebRTCSessionDescription * desc)
{
  g_autofree gchar *recipient = g_strdup_printf ("bench-v%d", peer);
  GstElement *sink = sender == MASTER ? b->master_sink : b->viewer_sink[sender];
  gboolean ok = FALSE;

  if (kind == KIND_ICE) {
    g_signal_emit_by_name (sink, "send-ice-candidate",
        sender == MASTER ? recipient : NULL, (guint) 0, "video0",
        payload_text, &ok);
  } else {
    g_signal_emit_by_name (sink, sender == MASTER ? "send-answer" :
        "send-offer", sender == MASTER ? recipient : NULL, desc, &ok);
  }
  return ok;
}

/* ---- relay: raw libsoup WebSockets -------------------------------------- */

typedef struct
{
  Bench *b;
  gint rx;
} ConnTag;

static void
conn_tag_free (gpointer data, GClosure * closure)
{
  g_free (data);
}

static void
on_relay_message (SoupWebsocketConnection * conn, gint type, GBytes * msg,
    ConnTag * tag)
{
  Bench *b = tag->b;

  /* the bare relay carries the frame unparsed: the one frame in flight is
   * recognised by its receiver and its length */
  g_mutex_lock (&b->lock);
  if (b->want_seq >= 0) {
    gint64 seq = b->want_seq;

    g_mutex_unlock (&b->lock);
    received (b, seq, tag->rx, g_bytes_get_size (msg));
    return;
  }
  g_mutex_unlock (&b->lock);
}

static void
relay_connected (GObject * source, GAsyncResult * res, gpointer user_data)
{
  SoupWebsocketConnection **slot = user_data;
  g_autoptr (GError) error = NULL;

  *slot = soup_session_websocket_connect_finish (SOUP_SESSION (source), res,
      &error);
  if (error)
    g_printerr ("relay connect: %s\n", error->message);
}

static gpointer
relay_thread (gpointer data)
{
  Endpoint *ep = data;
  Bench *b = ep->b;

  g_main_context_push_thread_default (ep->context);
  g_mutex_lock (&b->lock);
  ep->session = soup_session_new ();
  g_cond_broadcast (&b->cond);
  g_mutex_unlock (&b->lock);
  g_main_loop_run (ep->loop);
  g_main_context_pop_thread_default (ep->context);
  return NULL;
}

typedef struct
{
  Bench *b;
  gint i;
  gboolean master;
} ConnectReq;

static Endpoint *
endpoint_of (Bench * b, gint sender)
{
  return &b->ep[sender == MASTER ? 0 : sender + 1];
}

static gboolean
relay_connect_one (gpointer data)
{
  ConnectReq *r = data;
  Bench *b = r->b;
  Endpoint *ep = endpoint_of (b, r->master ? MASTER : r->i);
  g_autofree gchar *url = g_strdup_printf ("%s/bench/%d", b->relay_url, r->i);
  SoupMessage *msg = soup_message_new ("GET", url);

  soup_session_websocket_connect_async (ep->session, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, NULL, relay_connected,
      r->master ? (gpointer) & b->m_conn[r->i] : (gpointer) & b->v_conn[r->i]);
  g_object_unref (msg);
  return G_SOURCE_REMOVE;
}

static gboolean
relay_setup (Bench * b)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gint i, k;

  for (i = 0; i <= n_viewers; i++) {
    Endpoint *ep = &b->ep[i];

    ep->b = b;
    ep->context = g_main_context_new ();
    ep->loop = g_main_loop_new (ep->context, FALSE);
    g_mutex_lock (&b->lock);
    ep->thread = g_thread_new ("bench-relay-client", relay_thread, ep);
    while (!ep->session)
      g_cond_wait (&b->cond, &b->lock);
    g_mutex_unlock (&b->lock);
  }

  for (i = 0; i < n_viewers; i++) {
    for (k = 0; k < 2; k++) {
      ConnectReq *r = g_new0 (ConnectReq, 1);

      r->b = b;
      r->i = i;
      r->master = k == 0;
      g_main_context_invoke_full (endpoint_of (b, r->master ? MASTER :
              i)->context, G_PRIORITY_DEFAULT, relay_connect_one, r, g_free);
    }
  }
  for (i = 0; i < n_viewers; i++) {
    while ((!b->m_conn[i] || !b->v_conn[i]) &&
        g_get_monotonic_time () < deadline)
      g_usleep (2000);
    if (!b->m_conn[i] || !b->v_conn[i])
      return FALSE;
  }
  for (i = 0; i < n_viewers; i++) {
    ConnTag *tm = g_new0 (ConnTag, 1), *tv = g_new0 (ConnTag, 1);

    tm->b = tv->b = b;
    tm->rx = MASTER;
    tv->rx = i;
    /* connected from the endpoint's thread: handlers run there */
    g_signal_connect_data (b->m_conn[i], "message",
        G_CALLBACK (on_relay_message), tm, conn_tag_free, 0);
    g_signal_connect_data (b->v_conn[i], "message",
        G_CALLBACK (on_relay_message), tv, conn_tag_free, 0);
  }
  return TRUE;
}

typedef struct
{
  SoupWebsocketConnection *conn;
  gchar *frame;
} SendReq;

static void
send_req_free (gpointer data)
{
  SendReq *r = data;

  g_free (r->frame);
  g_free (r);
}

static gboolean
relay_send_in_thread (gpointer data)
{
  SendReq *r = data;

  soup_websocket_connection_send_text (r->conn, r->frame);
  return G_SOURCE_REMOVE;
}

/* From the main thread to the sender's thread, as a send action signal goes
 * to the sender's signaling client */
static gboolean
relay_send (Bench * b, gint sender, gint peer, gchar * frame)
{
  SendReq *r = g_new0 (SendReq, 1);

  r->conn = sender == MASTER ? b->m_conn[peer] : b->v_conn[sender];
  r->frame = frame;
  g_main_context_invoke_full (endpoint_of (b, sender)->context,
      G_PRIORITY_DEFAULT, relay_send_in_thread, r, send_req_free);
  return TRUE;
}

static gboolean
relay_quit (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
relay_teardown (Bench * b)
{
  gint i;

  for (i = 0; i <= n_viewers; i++) {
    Endpoint *ep = &b->ep[i];

    if (!ep->thread)
      continue;
    g_main_context_invoke (ep->context, relay_quit, ep->loop);
    g_thread_join (ep->thread);
  }
  for (i = 0; i < n_viewers; i++) {
    g_clear_object (&b->m_conn[i]);
    g_clear_object (&b->v_conn[i]);
  }
  for (i = 0; i <= n_viewers; i++) {
    Endpoint *ep = &b->ep[i];

    if (!ep->thread)
      continue;
    g_clear_object (&ep->session);
    g_main_loop_unref (ep->loop);
    g_main_context_unref (ep->context);
  }
}

/* ---- the schedule ------------------------------------------------------- */

/* The message @seq of @kind: text for the elements (candidate or SDP), and
 * the client frame the elements would put on the wire (for the relay). */
static void
make_message (gint kind, guint seq, gint sender, gint peer, gchar ** text,
    gchar ** frame)
{
  g_autofree gchar *recipient = g_strdup_printf ("bench-v%d", peer);
  g_autofree gchar *corr = g_strdup_printf ("%08x-%04x-%04x-%04x-%012x",
      g_random_int (), seq & 0xffff, 0x4000, 0x8000, seq);
  g_autoptr (GstKvsMessage) msg = NULL;

  if (kind == KIND_ICE) {
    *text = bench_make_candidate (seq);
    msg = gst_kvs_message_new_ice_candidate (sender == MASTER ? recipient :
        NULL, *text, "video0", 0, corr);
  } else {
    /* the SDPs are made once per kind and type (slow: they are fitted to
     * the payload size), then only their 10-digit sequence number changes */
    static gchar *templates[N_KINDS][2];
    gint t = sender == MASTER;
    gchar *p;

    if (!templates[kind][t])
      templates[kind][t] = bench_make_sdp (t ? "answer" : "offer", 0,
          kind_payload[kind]);
    *text = g_strdup (templates[kind][t]);
    p = strstr (*text, "a=x-bench-seq:");
    if (p) {
      gchar digits[11];

      g_snprintf (digits, sizeof digits, "%010u", seq);
      memcpy (p + 14, digits, 10);
    }
    msg = gst_kvs_message_new_sdp (sender == MASTER ?
        GST_KVS_MESSAGE_TYPE_SDP_ANSWER : GST_KVS_MESSAGE_TYPE_SDP_OFFER,
        sender == MASTER ? recipient : NULL, *text, corr);
  }
  *frame = gst_kvs_message_to_client_frame (msg, sender == MASTER ?
      GST_KVS_ROLE_MASTER : GST_KVS_ROLE_VIEWER, 0, NULL);
}

/* For message j of a kind: who sends it to whom. ICE alternates
 * viewer→master and master→viewer; SDP sends four viewer offers for each
 * master answer (the master's answer quota is per connection). */
static void
route (gint kind, guint j, gint * sender, gint * peer)
{
  if (kind == KIND_ICE) {
    *peer = (j / 2) % n_viewers;
    *sender = j % 2 ? MASTER : *peer;
  } else if (j % 5 == 4) {
    *peer = (j / 5) % n_viewers;
    *sender = MASTER;
  } else {
    *peer = (j - j / 5) % n_viewers;
    *sender = *peer;
  }
}

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static gint
cmp_i64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* CPU time of each step the service path adds to a message, measured
 * in-process on the library functions the elements and the service call:
 * median over @n repetitions, in nanoseconds. */
static void
breakdown (JsonBuilder * jb, gint n, const gchar * only)
{
  static const gchar *steps[] = { "sink_encode", "service_parse",
    "service_reencode", "src_parse", "src_sdp_parse"
  };
  gint kind, s, i;

  json_builder_set_member_name (jb, "breakdown_ns");
  json_builder_begin_object (jb);
  for (kind = 0; kind < N_KINDS; kind++) {
    g_autofree gchar *text = NULL, *frame = NULL;
    gint64 *t[G_N_ELEMENTS (steps)];

    if (only && !g_str_equal (only, kind_names[kind]))
      continue;
    make_message (kind, 1, 0, 0, &text, &frame);
    for (s = 0; s < (gint) G_N_ELEMENTS (steps); s++)
      t[s] = g_new0 (gint64, n);
    for (i = 0; i < n; i++) {
      g_autoptr (GstKvsMessage) out = NULL, in = NULL, got = NULL;
      g_autofree gchar *f = NULL, *sf = NULL, *sdp_text = NULL;
      GstSDPMessage *sdp = NULL;
      gint64 a, b;

      /* the sink gets a GstWebRTCSessionDescription (made by webrtcbin,
       * not timed): SDP to text first */
      if (kind != KIND_ICE)
        gst_sdp_message_new_from_text (text, &sdp);
      a = now_ns ();
      if (kind == KIND_ICE) {
        out = gst_kvs_message_new_ice_candidate (NULL, text, "video0", 0,
            "kvs.be90af71.3");
      } else {
        sdp_text = gst_kvs_webrtc_sdp_to_text (sdp);
        gst_sdp_message_free (sdp);
        sdp = NULL;
        out = gst_kvs_message_new_sdp (GST_KVS_MESSAGE_TYPE_SDP_OFFER, NULL,
            sdp_text, "kvs.be90af71.3");
      }
      f = gst_kvs_message_to_client_frame (out, GST_KVS_ROLE_VIEWER, 0, NULL);
      b = now_ns ();
      t[0][i] = b - a;
      in = gst_kvs_message_parse_client_frame (f, strlen (f), 65536, NULL,
          NULL);
      a = now_ns ();
      t[1][i] = a - b;
      sf = gst_kvs_message_to_service_frame (in, "bench-v0");
      b = now_ns ();
      t[2][i] = b - a;
      got = gst_kvs_message_parse_service_frame (sf, strlen (sf), NULL);
      a = now_ns ();
      t[3][i] = a - b;
      if (kind != KIND_ICE && got && got->sdp) {
        gst_sdp_message_new_from_text (got->sdp, &sdp);
        gst_sdp_message_free (sdp);
      }
      b = now_ns ();
      t[4][i] = b - a;
    }
    json_builder_set_member_name (jb, kind_names[kind]);
    json_builder_begin_object (jb);
    for (s = 0; s < (gint) G_N_ELEMENTS (steps); s++) {
      qsort (t[s], n, sizeof (gint64), (GCompareFunc) cmp_i64);
      json_builder_set_member_name (jb, steps[s]);
      json_builder_add_int_value (jb, t[s][n / 2]);
      g_free (t[s]);
    }
    json_builder_end_object (jb);
  }
  json_builder_end_object (jb);
}

int
main (int argc, char **argv)
{
  g_autofree gchar *target = NULL, *endpoint = NULL, *channel = NULL,
      *ak = NULL, *sk = NULL, *only_kind = NULL;
  gint counts[N_KINDS] = { 200, 100, 100 };
  gint warmup = 10, breakdown_n = 0;
  GOptionEntry entries[] = {
    {"target", 0, 0, G_OPTION_ARG_STRING, &target, "service or relay", "T"},
    {"endpoint", 0, 0, G_OPTION_ARG_STRING, &endpoint,
        "service http://… or relay ws://…", "URL"},
    {"channel", 0, 0, G_OPTION_ARG_STRING, &channel, "channel name", "NAME"},
    {"access-key", 0, 0, G_OPTION_ARG_STRING, &ak, "access key", "AK"},
    {"secret-key", 0, 0, G_OPTION_ARG_STRING, &sk, "secret key", "SK"},
    {"viewers", 0, 0, G_OPTION_ARG_INT, &n_viewers, "viewers (1..10)", "N"},
    {"ice", 0, 0, G_OPTION_ARG_INT, &counts[KIND_ICE], "ICE messages", "N"},
    {"sdp3k", 0, 0, G_OPTION_ARG_INT, &counts[KIND_SDP3K], "3 KB SDPs", "N"},
    {"sdp10k", 0, 0, G_OPTION_ARG_INT, &counts[KIND_SDP10K], "10 KB SDPs",
        "N"},
    {"breakdown", 0, 0, G_OPTION_ARG_INT, &breakdown_n,
        "only time the library steps, N repetitions", "N"},
    {"kind", 0, 0, G_OPTION_ARG_STRING, &only_kind,
        "with --breakdown: only this message (ice_200b, sdp_3kb, sdp_10kb)",
        "KIND"},
    {"warmup", 0, 0, G_OPTION_ARG_INT, &warmup, "unrecorded ICE first", "N"},
    {NULL}
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- latency round");
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) jb = json_builder_new ();
  gint64 next_ok[MAX_VIEWERS + 1][2];
  Bench b = { 0 };
  gint kind;
  guint seq = 1;
  gboolean ok;

  gst_init (&argc, &argv);
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (g_option_context_parse (ctx, &argc, &argv, NULL) && breakdown_n > 0) {
    json_builder_begin_object (jb);
    breakdown (jb, breakdown_n, only_kind);
    json_builder_end_object (jb);
    bench_print_json (jb);
    return 0;
  }
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || !target ||
      !endpoint || n_viewers < 1 || n_viewers > MAX_VIEWERS) {
    g_printerr ("usage: --target service|relay --endpoint URL ... %s\n",
        error ? error->message : "");
    return 2;
  }
  use_relay = g_str_equal (target, "relay");
  g_mutex_init (&b.lock);
  g_cond_init (&b.cond);
  b.want_seq = -1;
  b.relay_url = endpoint;

  ok = use_relay ? relay_setup (&b) : service_setup (&b, channel ? channel :
      "bench-latency", endpoint, ak ? ak : "AKIDBENCH", sk ? sk :
      "bench-secret");
  if (!ok) {
    g_printerr ("setup failed (%s)\n", target);
    return 1;
  }

  memset (next_ok, 0, sizeof next_ok);
  json_builder_begin_object (jb);
  json_builder_set_member_name (jb, "target");
  json_builder_add_string_value (jb, target);
  json_builder_set_member_name (jb, "viewers");
  json_builder_add_int_value (jb, n_viewers);
  json_builder_set_member_name (jb, "kinds");
  json_builder_begin_object (jb);

  for (kind = 0; kind < N_KINDS; kind++) {
    gint n = counts[kind] + (kind == KIND_ICE ? warmup : 0);
    g_autofree gint64 *samples = g_new0 (gint64, n);
    guint got = 0, lost = 0, refused = 0;
    gsize frame_bytes = 0;
    gint j;

    for (j = 0; j < n; j++) {
      gint sender, peer, slot;
      g_autofree gchar *text = NULL, *frame = NULL;
      GstWebRTCSessionDescription *desc = NULL;
      gint64 now, t_send, deadline;
      gboolean done;

      route (kind, j, &sender, &peer);
      make_message (kind, seq, sender, peer, &text, &frame);
      slot = sender == MASTER ? MAX_VIEWERS : sender;
      if (!frame_bytes && frame)
        frame_bytes = strlen (frame);

      /* keep every connection under its quota */
      now = g_get_monotonic_time ();
      if (next_ok[slot][kind != KIND_ICE] > now)
        g_usleep (next_ok[slot][kind != KIND_ICE] - now);

      if (!use_relay)
        desc = service_description (kind, sender, text);

      g_mutex_lock (&b.lock);
      b.want_seq = seq;
      b.want_rx = sender == MASTER ? peer : MASTER;
      b.want_len = frame ? strlen (frame) : 0;
      b.t_recv = 0;
      g_mutex_unlock (&b.lock);

      t_send = g_get_monotonic_time ();
      next_ok[slot][kind != KIND_ICE] = t_send +
          (kind == KIND_ICE ? ICE_GAP_US : SDP_GAP_US);
      if (use_relay)
        ok = relay_send (&b, sender, peer, g_steal_pointer (&frame));
      else
        ok = service_send (&b, kind, sender, peer, text, desc);
      if (!ok)
        refused++;

      deadline = t_send + TIMEOUT_US;
      g_mutex_lock (&b.lock);
      while (b.t_recv == 0 && ok)
        if (!g_cond_wait_until (&b.cond, &b.lock, deadline))
          break;
      done = b.t_recv != 0;
      b.want_seq = -1;
      g_mutex_unlock (&b.lock);
      if (desc)
        gst_webrtc_session_description_free (desc);

      if (!done)
        lost++;
      else if (kind != KIND_ICE || j >= warmup)
        samples[got++] = b.t_recv - t_send;
      seq++;
    }

    json_builder_set_member_name (jb, kind_names[kind]);
    json_builder_begin_object (jb);
    json_builder_set_member_name (jb, "frame_bytes");
    json_builder_add_int_value (jb, frame_bytes);
    json_builder_set_member_name (jb, "lost");
    json_builder_add_int_value (jb, lost);
    json_builder_set_member_name (jb, "refused");
    json_builder_add_int_value (jb, refused);
    bench_add_int_array (jb, "samples_us", samples, got);
    json_builder_end_object (jb);
  }
  json_builder_end_object (jb);
  json_builder_end_object (jb);
  bench_print_json (jb);

  if (use_relay)
    relay_teardown (&b);
  else
    service_teardown (&b);
  return 0;
}
