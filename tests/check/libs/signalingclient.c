/* Unit tests of GstKvsSignalingClient against an in-process fake KVS
 * (SoupServer on 127.0.0.1:0 in its own thread and GMainContext).
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <libsoup/soup.h>
#include <gst/kvssignaling/kvssignaling.h>
#include "gstkvssigv4verify.h"
#include "kvsfakeserver.h"
#include "kvstestwait.h"
#include "kvstestrecorder.h"

#define AK "AKIDEXAMPLE"
#define AK2 "AKIDSECONDKEY"
#define SK "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TOKEN "FwoGZXIvYXdzEXAMPLETOKEN"
#define REGION "us-west-2"
#define CHANNEL "demo"
#define ARN \
  "arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo/1605557568493"

#define WAIT_FOR KVS_TEST_WAIT

/* ------------------------------------------------------------------ */
/* the fake service */

typedef struct
{
  GMutex lock;
  GCond cond;
  KvsFakeServer *srv;

  /* behaviour */
  gboolean channel_exists;
  gint64 clock_offset;          /* the fake's clock minus the real one */
  guint ws_fail_status;         /* refuse handshakes with this status */
  guint ws_fail_count;          /* ... this many times (G_MAXUINT: always) */
  guint ice_ttl;                /* Ttl of the ICE servers (default 300) */
  guint ice_fail_status;        /* GetIceServerConfig answers this */
  gboolean ws_stall;            /* hold accepted handshakes (fake_release) */
  gboolean ice_hold;            /* hold GetIceServerConfig until a handshake */
  gboolean ice_hold_long;       /* ... until fake_release_ice () instead */

  /* records */
  guint n_describe, n_create, n_endpoint, n_ice, n_ws, n_ws_refused;
  guint n_bad_signatures;
  gchar *last_describe_body;
  gchar *last_create_body;
  gchar *last_ws_key;           /* access key of the last handshake */
  GPtrArray *ws_queries;        /* gchar*, one per accepted handshake */
  GPtrArray *conns;             /* SoupWebsocketConnection, accepted */
  GArray *close_codes;          /* per conn: 0 while open */
  GPtrArray *frames;            /* gchar* received */
  GArray *frame_conns;          /* conn index of each frame */
  GPtrArray *stalled;           /* SoupServerMessage, handshakes held */
  GPtrArray *ice_held;          /* SoupServerMessage, ice_hold */
  guint n_ws_during_ice;        /* handshakes while an ICE call was held */
  guint n_ws_seen;              /* handshakes that reached the handler */
  gchar *greeting;              /* a frame sent on each accepted WebSocket,
                                 * then the held ICE call answered */
  GArray *rest_ports;           /* client port of each REST request */

  /* container credentials (GET /container-credentials): AK, then AK2 from
   * the second fetch on when rotate_creds */
  gint n_creds;                 /* atomic */
  gboolean rotate_creds;
  gchar *expired_key;           /* REST calls signed with it: 403
                                 * ExpiredTokenException */
} FakeKvs;

static const gchar *
fake_lookup (const gchar * access_key_id, gpointer user_data)
{
  if (g_strcmp0 (access_key_id, AK) == 0 || g_strcmp0 (access_key_id, AK2) == 0)
    return SK;
  return NULL;
}

static GDateTime *
fake_now (FakeKvs * fake)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_add_seconds (now, (gdouble) fake->clock_offset);
}

static void
fake_set_date (FakeKvs * fake, SoupServerMessage * msg)
{
  g_autoptr (GDateTime) now = fake_now (fake);
  g_autofree gchar *date = soup_date_time_to_string (now, SOUP_DATE_HTTP);

  soup_message_headers_replace (soup_server_message_get_response_headers
      (msg), "Date", date);
}

static void
fake_error (FakeKvs * fake, SoupServerMessage * msg, guint status,
    const gchar * name, const gchar * message)
{
  g_autofree gchar *body = g_strdup_printf ("{\"message\":\"%s\"}", message);

  soup_message_headers_replace (soup_server_message_get_response_headers
      (msg), "x-amzn-ErrorType", name);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
      body, strlen (body));
}

static void
fake_reply (SoupServerMessage * msg, const gchar * json)
{
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
      json, strlen (json));
}

static void
fake_websocket_precheck (FakeKvs * fake, SoupServerMessage * msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const gchar *host =
      soup_message_headers_get_one (soup_server_message_get_request_headers
      (msg), "Host");
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) now = fake_now (fake);

  fake_set_date (fake, msg);
  fake->n_ws_seen++;
  if (fake->ice_hold && (fake->ice_held->len > 0 || fake->n_ice == 0)) {
    fake->n_ws_during_ice++;
    if (fake->greeting || fake->ice_hold_long)
      goto held;                /* answered after the greeting, or later */
    /* a handshake while GetIceServerConfig is held or not even sent yet:
     * the two run side by side; the held call is answered now */
    for (guint i = 0; i < fake->ice_held->len; i++)
      soup_server_message_unpause (g_ptr_array_index (fake->ice_held, i));
    g_ptr_array_set_size (fake->ice_held, 0);
  }
held:
  if (fake->ws_fail_count > 0) {
    if (fake->ws_fail_count != G_MAXUINT)
      fake->ws_fail_count--;
    fake->n_ws_refused++;
    soup_server_message_set_status (msg, fake->ws_fail_status, NULL);
    return;
  }
  g_clear_pointer (&fake->last_ws_key, g_free);
  if (!gst_kvs_sigv4_verify_presigned ("GET", g_uri_get_path (uri),
          g_uri_get_query (uri), host, REGION, GST_KVS_SIGV4_SERVICE,
          fake_lookup, NULL, now, &fake->last_ws_key, &error)) {
    GST_INFO ("fake: presigned URL refused: %s", error->message);
    fake->n_bad_signatures++;
    fake->n_ws_refused++;
    soup_server_message_set_status (msg,
        g_error_matches (error, GST_KVS_ERROR,
            GST_KVS_ERROR_NOT_AUTHORIZED) ? 401 : 403, NULL);
    return;
  }
  g_ptr_array_add (fake->ws_queries, g_strdup (g_uri_get_query (uri)));
  if (fake->ws_stall) {
    /* no 101 until fake_release() */
    soup_server_message_pause (msg);
    g_ptr_array_add (fake->stalled, g_object_ref (msg));
  }
  /* status left unset: the WebSocket handler takes over */
}

static void
fake_handler (SoupServer * server, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer user_data)
{
  FakeKvs *fake = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const gchar *upgrade = soup_message_headers_get_one (headers, "Upgrade");
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) now = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *key = NULL;
  GUri *uri = soup_server_message_get_uri (msg);

  g_mutex_lock (&fake->lock);
  if (upgrade && g_ascii_strcasecmp (upgrade, "websocket") == 0) {
    fake_websocket_precheck (fake, msg);
    goto done;
  }

  fake_set_date (fake, msg);
  if (g_str_equal (path, "/container-credentials")) {
    g_autoptr (GDateTime) now_fake = fake_now (fake);
    g_autoptr (GDateTime) exp = g_date_time_add_hours (now_fake, 1);
    g_autofree gchar *when = g_date_time_format (exp, "%Y-%m-%dT%H:%M:%SZ");
    g_autofree gchar *json = NULL;

    g_atomic_int_inc (&fake->n_creds);
    json = g_strdup_printf ("{\"AccessKeyId\":\"%s\",\"SecretAccessKey\":"
        "\"%s\",\"Token\":\"" TOKEN "\",\"Expiration\":\"%s\"}",
        fake->rotate_creds && fake->n_creds > 1 ? AK2 : AK, SK, when);
    fake_reply (msg, json);
    goto done;
  }
  {
    GInetSocketAddress *remote =
        G_INET_SOCKET_ADDRESS (soup_server_message_get_remote_address (msg));
    guint port = g_inet_socket_address_get_port (remote);

    g_array_append_val (fake->rest_ports, port);
  }
  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  now = fake_now (fake);
  if (!gst_kvs_sigv4_verify_headers (soup_server_message_get_method (msg),
          g_uri_get_path (uri), g_uri_get_query (uri), headers, body, REGION,
          GST_KVS_SIGV4_SERVICE, fake_lookup, NULL, now, &key, &error)) {
    GST_INFO ("fake: signature refused: %s", error->message);
    fake->n_bad_signatures++;
    fake_error (fake, msg, 403, "InvalidSignatureException", error->message);
    goto done;
  }
  if (fake->expired_key && g_strcmp0 (key, fake->expired_key) == 0) {
    if (g_str_equal (path, "/v1/get-ice-server-config"))
      fake->n_ice++;
    fake_error (fake, msg, 403, "ExpiredTokenException",
        "The security token included in the request is expired");
    goto done;
  }

  if (g_str_equal (path, "/describeSignalingChannel")) {
    fake->n_describe++;
    g_free (fake->last_describe_body);
    fake->last_describe_body = g_strdup (text);
    if (!fake->channel_exists) {
      fake_error (fake, msg, 404, "ResourceNotFoundException",
          "The requested channel is not found or not active.");
    } else {
      fake_reply (msg, "{\"ChannelInfo\":{\"ChannelName\":\"" CHANNEL "\","
          "\"ChannelARN\":\"" ARN "\",\"ChannelType\":\"SINGLE_MASTER\","
          "\"ChannelStatus\":\"ACTIVE\",\"CreationTime\":1605557568,"
          "\"SingleMasterConfiguration\":{\"MessageTtlSeconds\":60},"
          "\"Version\":\"v1\"}}");
    }
  } else if (g_str_equal (path, "/createSignalingChannel")) {
    fake->n_create++;
    g_free (fake->last_create_body);
    fake->last_create_body = g_strdup (text);
    fake->channel_exists = TRUE;
    fake_reply (msg, "{\"ChannelARN\":\"" ARN "\"}");
  } else if (g_str_equal (path, "/getSignalingChannelEndpoint")) {
    g_autofree gchar *reply = NULL;

    fake->n_endpoint++;
    if (!fake->channel_exists) {
      fake_error (fake, msg, 404, "ResourceNotFoundException",
          "The requested channel is not found or not active.");
      goto done;
    }
    reply = g_strdup_printf ("{\"ResourceEndpointList\":["
        "{\"Protocol\":\"WSS\",\"ResourceEndpoint\":\"%s\"},"
        "{\"Protocol\":\"HTTPS\",\"ResourceEndpoint\":\"%s\"}]}",
        fake->srv->ws_base, fake->srv->http_base);
    fake_reply (msg, reply);
  } else if (g_str_equal (path, "/v1/get-ice-server-config")) {
    g_autofree gchar *reply = g_strdup_printf ("{\"IceServerList\":[{\"Uris\":"
        "[\"turn:192.0.2.1:443?transport=udp\"],\"Username\":\"1700000000:u\","
        "\"Password\":\"p\",\"Ttl\":%u}]}",
        fake->ice_ttl ? fake->ice_ttl : 300);

    fake->n_ice++;
    if (fake->ice_fail_status)
      fake_error (fake, msg, fake->ice_fail_status, "InternalFailure",
          "try again");
    else
      fake_reply (msg, reply);
    if (fake->ice_hold && (fake->ice_hold_long || fake->n_ws_seen == 0)) {
      soup_server_message_pause (msg);
      g_ptr_array_add (fake->ice_held, g_object_ref (msg));
    }
  } else {
    fake_error (fake, msg, 404, "UnknownOperationException", "no such path");
  }

done:
  g_cond_broadcast (&fake->cond);
  g_mutex_unlock (&fake->lock);
}

static guint
conn_index (SoupWebsocketConnection * conn)
{
  return GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (conn), "index"));
}

static void
fake_ws_message (SoupWebsocketConnection * conn, gint type, GBytes * message,
    gpointer user_data)
{
  FakeKvs *fake = user_data;
  guint index = conn_index (conn);

  g_mutex_lock (&fake->lock);
  g_ptr_array_add (fake->frames, g_strndup (g_bytes_get_data (message, NULL),
          g_bytes_get_size (message)));
  g_array_append_val (fake->frame_conns, index);
  g_cond_broadcast (&fake->cond);
  g_mutex_unlock (&fake->lock);
}

static void
fake_ws_closed (SoupWebsocketConnection * conn, gpointer user_data)
{
  FakeKvs *fake = user_data;
  guint code = soup_websocket_connection_get_close_code (conn);

  g_mutex_lock (&fake->lock);
  g_array_index (fake->close_codes, guint, conn_index (conn)) = code ? code : 1;
  g_cond_broadcast (&fake->cond);
  g_mutex_unlock (&fake->lock);
}

static void
fake_websocket (SoupServer * server, SoupServerMessage * msg,
    const char *path, SoupWebsocketConnection * conn, gpointer user_data)
{
  FakeKvs *fake = user_data;
  guint zero = 0;

  g_mutex_lock (&fake->lock);
  g_object_set_data (G_OBJECT (conn), "index",
      GUINT_TO_POINTER (fake->conns->len));
  g_ptr_array_add (fake->conns, g_object_ref (conn));
  g_array_append_val (fake->close_codes, zero);
  fake->n_ws++;
  if (fake->greeting && !fake->ice_hold_long) {
    soup_websocket_connection_send_text (conn, fake->greeting);
    for (guint i = 0; i < fake->ice_held->len; i++)
      soup_server_message_unpause (g_ptr_array_index (fake->ice_held, i));
    g_ptr_array_set_size (fake->ice_held, 0);
  }
  g_signal_connect (conn, "message", G_CALLBACK (fake_ws_message), fake);
  g_signal_connect (conn, "closed", G_CALLBACK (fake_ws_closed), fake);
  g_cond_broadcast (&fake->cond);
  g_mutex_unlock (&fake->lock);
}

static FakeKvs *
fake_new_full (gboolean channel_exists, GTlsCertificate * certificate)
{
  FakeKvs *fake = g_new0 (FakeKvs, 1);

  g_mutex_init (&fake->lock);
  g_cond_init (&fake->cond);
  fake->channel_exists = channel_exists;
  fake->ws_queries = g_ptr_array_new_with_free_func (g_free);
  fake->conns = g_ptr_array_new_with_free_func (g_object_unref);
  fake->close_codes = g_array_new (FALSE, TRUE, sizeof (guint));
  fake->frames = g_ptr_array_new_with_free_func (g_free);
  fake->frame_conns = g_array_new (FALSE, TRUE, sizeof (guint));
  fake->stalled = g_ptr_array_new_with_free_func (g_object_unref);
  fake->ice_held = g_ptr_array_new_with_free_func (g_object_unref);
  fake->rest_ports = g_array_new (FALSE, TRUE, sizeof (guint));
  fake->srv = kvs_fake_server_new (certificate, fake_handler, fake_websocket,
      fake);
  return fake;
}

static FakeKvs *
fake_new (gboolean channel_exists)
{
  return fake_new_full (channel_exists, NULL);
}

typedef struct
{
  FakeKvs *fake;
  guint index;
  const gchar *text;
  gushort code;
} ConnOp;

static void
do_send (gpointer data)
{
  ConnOp *op = data;
  FakeKvs *fake = op->fake;

  soup_websocket_connection_send_text (g_ptr_array_index (fake->conns,
          op->index), op->text);
}

static void
fake_send (FakeKvs * fake, guint index, const gchar * text)
{
  ConnOp op = { fake, index, text, 0 };

  kvs_fake_server_call (fake->srv, do_send, &op);
}

static void
do_close (gpointer data)
{
  ConnOp *op = data;
  FakeKvs *fake = op->fake;

  soup_websocket_connection_close (g_ptr_array_index (fake->conns, op->index),
      op->code, NULL);
}

static void
fake_close (FakeKvs * fake, guint index, gushort code)
{
  ConnOp op = { fake, index, NULL, code };

  kvs_fake_server_call (fake->srv, do_close, &op);
}

static void
do_release (gpointer data)
{
  FakeKvs *fake = data;

  g_mutex_lock (&fake->lock);
  fake->ws_stall = FALSE;
  g_mutex_unlock (&fake->lock);
  for (guint i = 0; i < fake->stalled->len; i++)
    soup_server_message_unpause (g_ptr_array_index (fake->stalled, i));
}

/* Lets the held handshakes complete; new ones are not held any more. */
static void
fake_release (FakeKvs * fake)
{
  kvs_fake_server_call (fake->srv, do_release, fake);
}

static void
do_release_ice (gpointer data)
{
  FakeKvs *fake = data;

  g_mutex_lock (&fake->lock);
  for (guint i = 0; i < fake->ice_held->len; i++)
    soup_server_message_unpause (g_ptr_array_index (fake->ice_held, i));
  g_ptr_array_set_size (fake->ice_held, 0);
  g_mutex_unlock (&fake->lock);
}

/* Answers the GetIceServerConfig calls held by ice_hold_long. */
static void
fake_release_ice (FakeKvs * fake)
{
  kvs_fake_server_call (fake->srv, do_release_ice, fake);
}

static void
do_drop_conns (gpointer data)
{
  FakeKvs *fake = data;

  for (guint i = 0; i < fake->conns->len; i++) {
    SoupWebsocketConnection *conn = g_ptr_array_index (fake->conns, i);

    g_signal_handlers_disconnect_by_data (conn, fake);
    g_io_stream_close (soup_websocket_connection_get_io_stream (conn), NULL,
        NULL);
  }
  g_ptr_array_set_size (fake->conns, 0);
  for (guint i = 0; i < fake->ice_held->len; i++)
    soup_server_message_unpause (g_ptr_array_index (fake->ice_held, i));
  g_ptr_array_set_size (fake->ice_held, 0);
}

static void
fake_free (FakeKvs * fake)
{
  kvs_fake_server_free (fake->srv, do_drop_conns, fake);
  g_ptr_array_unref (fake->ice_held);
  g_free (fake->greeting);
  g_free (fake->expired_key);
  g_array_unref (fake->rest_ports);
  g_free (fake->last_describe_body);
  g_free (fake->last_create_body);
  g_free (fake->last_ws_key);
  g_ptr_array_unref (fake->ws_queries);
  g_ptr_array_unref (fake->conns);
  g_array_unref (fake->close_codes);
  g_ptr_array_unref (fake->frames);
  g_array_unref (fake->frame_conns);
  g_ptr_array_unref (fake->stalled);
  g_mutex_clear (&fake->lock);
  g_cond_clear (&fake->cond);
  g_free (fake);
}

/* ------------------------------------------------------------------ */
/* recording a client */

typedef KvsTestRecorder Recorder;

/* Every "state-changed" tells the state the client is in. */
static void
check_state (GstKvsSignalingClient * client, GstKvsSignalingState state,
    gpointer data)
{
  fail_unless_equals_int (gst_kvs_signaling_client_get_state (client), state);
}

static Recorder *
recorder_new (GstKvsSignalingClient * client)
{
  g_signal_connect (client, "state-changed", G_CALLBACK (check_state), NULL);
  return kvs_test_recorder_new (client);
}

#define STATES_ARE(rec, expected) G_STMT_START {                           \
  g_mutex_lock (&(rec)->lock);                                             \
  fail_unless_equals_string ((rec)->states->str, expected);                \
  g_mutex_unlock (&(rec)->lock);                                           \
} G_STMT_END

#define WAIT_STATE(rec, st, secs)                                          \
  WAIT_FOR (&(rec)->lock, &(rec)->cond, (rec)->state == (st), secs)

/* stop() joins the client's thread: no signal can come after it, so the
 * recorder can go. (A bare unref may run the last dispose in the client's
 * thread, while a signal is being emitted there.) */
static void
client_free (GstKvsSignalingClient * client, Recorder * rec)
{
  gst_kvs_signaling_client_stop (client);
  g_object_unref (client);
  kvs_test_recorder_free (rec);
}

typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean gone;
} Finalized;

static void
on_weak_notify (gpointer data, GObject * where_the_object_was)
{
  Finalized *f = data;

  g_mutex_lock (&f->lock);
  f->gone = TRUE;
  g_cond_broadcast (&f->cond);
  g_mutex_unlock (&f->lock);
}

/* Drops the last reference of the test and waits until the client is
 * disposed, wherever that happens (its own thread may hold the last one). */
static void
unref_and_wait (GstKvsSignalingClient * client)
{
  Finalized f = { 0, };

  g_mutex_init (&f.lock);
  g_cond_init (&f.cond);
  g_object_weak_ref (G_OBJECT (client), on_weak_notify, &f);
  g_object_unref (client);
  WAIT_FOR (&f.lock, &f.cond, f.gone, 10);
  g_mutex_clear (&f.lock);
  g_cond_clear (&f.cond);
}

static GstKvsSignalingClient *
client_new (FakeKvs * fake, GstKvsRole role)
{
  return g_object_new (GST_KVS_TYPE_SIGNALING_CLIENT, "role", role,
      "channel-name", CHANNEL, "endpoint", fake ? fake->srv->http_base : NULL,
      "region", REGION, "access-key", AK, "secret-key", SK, "session-token",
      TOKEN, NULL);
}

/* The value of @name in the recorded query @query (decoded). */
static gchar *
query_param (const gchar * query, const gchar * name)
{
  g_autoptr (GHashTable) params = g_uri_parse_params (query, -1, "&",
      G_URI_PARAMS_NONE, NULL);

  return params ? g_strdup (g_hash_table_lookup (params, name)) : NULL;
}

static void
start_ok (GstKvsSignalingClient * client)
{
  g_autoptr (GError) error = NULL;

  fail_unless (gst_kvs_signaling_client_start (client, &error),
      "start failed: %s", error ? error->message : "?");
}

#define CONNECTED_STATES \
  "get-credentials,describe,get-endpoint,get-ice-config,connecting,connected"

/* ------------------------------------------------------------------ */
/* tests */

GST_START_TEST (test_master_connect)
{
  FakeKvs *fake = fake_new (TRUE);
  GstKvsSignalingClient *client = client_new (fake, GST_KVS_ROLE_MASTER);
  Recorder *rec = recorder_new (client);
  g_autofree gchar *arn = NULL, *cid = NULL, *region = NULL;
  g_autofree gchar *qarn = NULL, *qid = NULL;
  g_autoptr (GPtrArray) ice = NULL;
  GstKvsSignalingState state;

  fail_unless_equals_int (gst_kvs_signaling_client_get_state (client),
      GST_KVS_SIGNALING_STATE_NEW);
  fail_unless (gst_kvs_signaling_client_dup_channel_arn (client) == NULL);
  start_ok (client);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  STATES_ARE (rec, CONNECTED_STATES);

  g_object_get (client, "state", &state, NULL);
  fail_unless_equals_int (state, GST_KVS_SIGNALING_STATE_CONNECTED);
  arn = gst_kvs_signaling_client_dup_channel_arn (client);
  fail_unless_equals_string (arn, ARN);
  region = gst_kvs_signaling_client_dup_region (client);
  fail_unless_equals_string (region, REGION);
  cid = gst_kvs_signaling_client_dup_client_id (client);
  fail_unless (cid == NULL);

  /* the fake learns of the WebSocket after writing the 101 */
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ws == 1, 5);
  g_mutex_lock (&fake->lock);
  fail_unless_equals_int (fake->n_describe, 1);
  fail_unless (strstr (fake->last_describe_body, "\"ChannelName\":\"demo\""));
  fail_unless_equals_int (fake->n_endpoint, 1);
  fail_unless_equals_int (fake->n_ice, 1);
  fail_unless_equals_int (fake->n_ws, 1);
  fail_unless_equals_int (fake->n_bad_signatures, 0);
  qarn = query_param (g_ptr_array_index (fake->ws_queries, 0),
      "X-Amz-ChannelARN");
  qid = query_param (g_ptr_array_index (fake->ws_queries, 0), "X-Amz-ClientId");
  g_mutex_unlock (&fake->lock);
  fail_unless_equals_string (qarn, ARN);
  fail_unless (qid == NULL, "a master sent a client id");

  WAIT_FOR (&rec->lock, &rec->cond, rec->n_ice_changed >= 1, 5);
  ice = gst_kvs_signaling_client_dup_ice_servers (client);
  fail_unless_equals_int (ice->len, 1);
  fail_unless_equals_string (((GstKvsIceServer *) g_ptr_array_index (ice,
              0))->username, "1700000000:u");

  gst_kvs_signaling_client_stop (client);
  STATES_ARE (rec, CONNECTED_STATES ",disconnected");
  g_mutex_lock (&rec->lock);
  fail_unless_equals_int (rec->n_state_notify, 7);
  g_mutex_unlock (&rec->lock);
  /* the client closed with 1000 */
  WAIT_FOR (&fake->lock, &fake->cond, fake->close_codes->len > 0
      && g_array_index (fake->close_codes, guint, 0) != 0, 5);
  g_mutex_lock (&fake->lock);
  fail_unless_equals_int (g_array_index (fake->close_codes, guint, 0), 1000);
  g_mutex_unlock (&fake->lock);

  /* idempotent */
  gst_kvs_signaling_client_stop (client);
  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

GST_START_TEST (test_viewer_connect)
{
  FakeKvs *fake = fake_new (TRUE);
  GstKvsSignalingClient *client = client_new (fake, GST_KVS_ROLE_VIEWER);
  Recorder *rec = recorder_new (client);
  g_autofree gchar *qid = NULL, *qarn = NULL, *cid = NULL;

  g_object_set (client, "client-id", "viewer-7", NULL);
  start_ok (client);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  STATES_ARE (rec, CONNECTED_STATES);

  cid = gst_kvs_signaling_client_dup_client_id (client);
  fail_unless_equals_string (cid, "viewer-7");
  g_mutex_lock (&fake->lock);
  qarn = query_param (g_ptr_array_index (fake->ws_queries, 0),
      "X-Amz-ChannelARN");
  qid = query_param (g_ptr_array_index (fake->ws_queries, 0), "X-Amz-ClientId");
  g_mutex_unlock (&fake->lock);
  fail_unless_equals_string (qarn, ARN);
  fail_unless_equals_string (qid, "viewer-7");

  gst_kvs_signaling_client_stop (client);
  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

GST_START_TEST (test_viewer_generated_client_id)
{
  FakeKvs *fake = fake_new (TRUE);
  GstKvsSignalingClient *client = client_new (fake, GST_KVS_ROLE_VIEWER);
  Recorder *rec = recorder_new (client);
  g_autofree gchar *qid = NULL, *cid = NULL;
  g_autoptr (GError) error = NULL;

  start_ok (client);
  cid = gst_kvs_signaling_client_dup_client_id (client);
  fail_unless (cid != NULL);
  fail_unless (g_str_has_prefix (cid, "viewer-"), "%s", cid);
  fail_unless_equals_int (strlen (cid), 19);
  fail_unless (gst_kvs_validate_viewer_client_id (cid, &error));

  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  g_mutex_lock (&fake->lock);
  qid = query_param (g_ptr_array_index (fake->ws_queries, 0), "X-Amz-ClientId");
  g_mutex_unlock (&fake->lock);
  fail_unless_equals_string (qid, cid);

  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

GST_START_TEST (test_channel_arn_skips_describe)
{
  FakeKvs *fake = fake_new (TRUE);
  GstKvsSignalingClient *client;
  Recorder *rec;
  g_autofree gchar *region = NULL, *qarn = NULL;

  /* no region: the ARN's (us-west-2, which the fake verifies) wins */
  client = g_object_new (GST_KVS_TYPE_SIGNALING_CLIENT, "role",
      GST_KVS_ROLE_MASTER, "channel-arn", ARN, "endpoint", fake->srv->http_base,
      "access-key", AK, "secret-key", SK, NULL);
  rec = recorder_new (client);
  start_ok (client);
  region = gst_kvs_signaling_client_dup_region (client);
  fail_unless_equals_string (region, REGION);

  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  STATES_ARE (rec,
      "get-credentials,get-endpoint,get-ice-config,connecting,connected");
  g_mutex_lock (&fake->lock);
  fail_unless_equals_int (fake->n_describe, 0);
  fail_unless_equals_int (fake->n_bad_signatures, 0);
  qarn = query_param (g_ptr_array_index (fake->ws_queries, 0),
      "X-Amz-ChannelARN");
  g_mutex_unlock (&fake->lock);
  fail_unless_equals_string (qarn, ARN);

  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

GST_START_TEST (test_create_channel)
{
  FakeKvs *fake = fake_new (FALSE);
  GstKvsSignalingClient *client = client_new (fake, GST_KVS_ROLE_MASTER);
  Recorder *rec = recorder_new (client);

  g_object_set (client, "create-channel", TRUE, "message-ttl", 30, NULL);
  start_ok (client);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  STATES_ARE (rec, "get-credentials,describe,create,describe,get-endpoint,"
      "get-ice-config,connecting,connected");
  g_mutex_lock (&fake->lock);
  fail_unless_equals_int (fake->n_create, 1);
  fail_unless_equals_int (fake->n_describe, 2);
  fail_unless (strstr (fake->last_create_body, "\"ChannelName\":\"demo\""));
  fail_unless (strstr (fake->last_create_body, "\"MessageTtlSeconds\":30"),
      "%s", fake->last_create_body);
  g_mutex_unlock (&fake->lock);

  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

GST_START_TEST (test_channel_not_found_fails)
{
  FakeKvs *fake = fake_new (FALSE);
  GstKvsSignalingClient *client = client_new (fake, GST_KVS_ROLE_MASTER);
  Recorder *rec = recorder_new (client);
  g_autoptr (GError) error = NULL;
  GstKvsMessage *offer;

  start_ok (client);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_FAILED, 10);
  WAIT_FOR (&rec->lock, &rec->cond, rec->n_errors >= 1, 5);
  STATES_ARE (rec, "get-credentials,describe,failed");
  g_mutex_lock (&rec->lock);
  fail_unless_equals_int (rec->n_errors, 1);
  fail_unless (g_error_matches (rec->error, GST_KVS_ERROR,
          GST_KVS_ERROR_RESOURCE_NOT_FOUND), "%s", rec->error->message);
  fail_unless (strstr (rec->error->message, "'demo'"), "%s",
      rec->error->message);
  fail_unless (strstr (rec->error->message, "create-channel"), "%s",
      rec->error->message);
  g_mutex_unlock (&rec->lock);
  g_mutex_lock (&fake->lock);
  fail_unless_equals_int (fake->n_create, 0);
  fail_unless_equals_int (fake->n_describe, 1);
  g_mutex_unlock (&fake->lock);

  /* no retry after giving up, and sends are refused */
  g_usleep (300 * 1000);
  g_mutex_lock (&fake->lock);
  fail_unless_equals_int (fake->n_describe, 1);
  g_mutex_unlock (&fake->lock);
  offer = gst_kvs_message_new_sdp (GST_KVS_MESSAGE_TYPE_SDP_OFFER, "v1",
      "v=0\r\n", NULL);
  fail_if (gst_kvs_signaling_client_send (client, offer, &error));
  fail_unless (g_error_matches (error, GST_KVS_ERROR,
          GST_KVS_ERROR_NOT_CONNECTED));
  gst_kvs_message_unref (offer);

  gst_kvs_signaling_client_stop (client);
  STATES_ARE (rec, "get-credentials,describe,failed");
  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

static void
expect_start_error (GstKvsSignalingClient * client, GQuark domain, gint code,
    const gchar * fragment)
{
  g_autoptr (GError) error = NULL;

  fail_if (gst_kvs_signaling_client_start (client, &error));
  fail_unless (error != NULL);
  fail_unless (g_error_matches (error, domain, code), "%s (%d)",
      error->message, error->code);
  if (fragment)
    fail_unless (strstr (error->message, fragment), "%s", error->message);
  fail_unless_equals_int (gst_kvs_signaling_client_get_state (client),
      GST_KVS_SIGNALING_STATE_NEW);
}

GST_START_TEST (test_start_config_errors)
{
  GstKvsSignalingClient *client;

  /* viewer client id rules */
  client = client_new (NULL, GST_KVS_ROLE_VIEWER);
  g_object_set (client, "client-id", "AWS_viewer", NULL);
  expect_start_error (client, GST_KVS_VALIDATION_ERROR,
      GST_KVS_VALIDATION_ERROR_CLIENT_ID_RESERVED, "AWS_");
  g_object_set (client, "client-id", "bad id", NULL);
  expect_start_error (client, GST_KVS_VALIDATION_ERROR,
      GST_KVS_VALIDATION_ERROR_ID_CHARACTERS, NULL);
  g_object_unref (client);

  /* a master's client id is not used, hence not checked */
  client = client_new (NULL, GST_KVS_ROLE_MASTER);
  g_object_set (client, "channel-name", NULL, NULL);
  expect_start_error (client, GST_KVS_VALIDATION_ERROR,
      GST_KVS_VALIDATION_ERROR_CHANNEL_NAME, "channel-name");
  g_object_set (client, "channel-name", "bad name", NULL);
  expect_start_error (client, GST_KVS_VALIDATION_ERROR,
      GST_KVS_VALIDATION_ERROR_CHANNEL_NAME, NULL);
  g_object_set (client, "channel-arn", "arn:aws:s3:::bucket", NULL);
  expect_start_error (client, GST_KVS_VALIDATION_ERROR,
      GST_KVS_VALIDATION_ERROR_CHANNEL_NAME, "arn:aws:s3:::bucket");
  g_object_set (client, "channel-arn", NULL, "channel-name", CHANNEL,
      "ca-file", "/nonexistent/kvs-test/ca.pem", NULL);
  expect_start_error (client, GST_KVS_ERROR, GST_KVS_ERROR_CONNECTION,
      "/nonexistent/kvs-test/ca.pem");
  g_object_unref (client);

  /* no credentials anywhere (the test environment hides the user's) */
  client = g_object_new (GST_KVS_TYPE_SIGNALING_CLIENT, "channel-name",
      CHANNEL, "region", REGION, NULL);
  expect_start_error (client, GST_KVS_ERROR, GST_KVS_ERROR_NO_CREDENTIALS,
      NULL);
  g_object_unref (client);
}

GST_END_TEST;

GST_START_TEST (test_properties)
{
  GstKvsSignalingClient *client = gst_kvs_signaling_client_new
      (GST_KVS_ROLE_VIEWER, "chan");
  GParamSpec *pspec;
  guint ttl, max_payload, keepalive;
  gboolean create;
  gchar *name;
  GstKvsRole role;
  const gchar *secrets[] = { "access-key", "secret-key", "session-token" };

  g_object_get (client, "channel-name", &name, "role", &role, "message-ttl",
      &ttl, "max-payload-size", &max_payload, "keepalive-interval",
      &keepalive, "create-channel", &create, NULL);
  fail_unless_equals_string (name, "chan");
  g_free (name);
  fail_unless_equals_int (role, GST_KVS_ROLE_VIEWER);
  fail_unless_equals_int (gst_kvs_signaling_client_get_role (client),
      GST_KVS_ROLE_VIEWER);
  fail_unless_equals_int (ttl, 60);
  fail_unless_equals_int (max_payload, GST_KVS_DEFAULT_MAX_PAYLOAD);
  fail_unless_equals_int (keepalive, 10);
  fail_if (create);
  g_object_get (client, "max-connection-age", &keepalive, NULL);
  fail_unless_equals_int (keepalive, 55 * 60);

  for (guint i = 0; i < G_N_ELEMENTS (secrets); i++) {
    pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (client),
        secrets[i]);
    fail_unless (pspec != NULL);
    fail_unless (pspec->flags & G_PARAM_WRITABLE);
    fail_if (pspec->flags & G_PARAM_READABLE, "%s is readable", secrets[i]);
  }
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (client), "state");
  fail_if (pspec->flags & G_PARAM_WRITABLE);
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (client),
      "message-ttl");
  fail_unless_equals_int (G_PARAM_SPEC_UINT (pspec)->minimum, 5);
  fail_unless_equals_int (G_PARAM_SPEC_UINT (pspec)->maximum, 120);
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (client), "role");
  fail_unless_equals_int (pspec->value_type, GST_TYPE_KVS_ROLE);

  g_object_unref (client);
}

GST_END_TEST;

static GstKvsMessage *
viewer_offer (const gchar * sdp, const gchar * correlation_id)
{
  return gst_kvs_message_new_sdp (GST_KVS_MESSAGE_TYPE_SDP_OFFER, NULL, sdp,
      correlation_id);
}

GST_START_TEST (test_send_before_connected)
{
  FakeKvs *fake = fake_new (TRUE);
  GstKvsSignalingClient *client = client_new (fake, GST_KVS_ROLE_VIEWER);
  Recorder *rec = recorder_new (client);
  g_autoptr (GError) error = NULL;
  GstKvsMessage *msgs[4];

  msgs[0] = viewer_offer ("v=0\r\no=first\r\n", "c1");
  msgs[1] = gst_kvs_message_new_ice_candidate (NULL,
      "candidate:1 1 UDP 1 192.0.2.1 5000 typ host", "0", 0, "c2");
  /* queued before start() */
  fail_unless (gst_kvs_signaling_client_send (client, msgs[0], NULL));
  fail_unless (gst_kvs_signaling_client_send (client, msgs[1], NULL));
  start_ok (client);
  msgs[2] = gst_kvs_message_new_ice_candidate (NULL,
      "candidate:2 1 UDP 1 192.0.2.1 5001 typ host", "0", 0, "c3");
  fail_unless (gst_kvs_signaling_client_send (client, msgs[2], NULL));

  /* validated synchronously with the role's rules */
  msgs[3] = viewer_offer ("v=0\r\n", "bad id!");
  fail_if (gst_kvs_signaling_client_send (client, msgs[3], &error));
  fail_unless (g_error_matches (error, GST_KVS_VALIDATION_ERROR,
          GST_KVS_VALIDATION_ERROR_ID_CHARACTERS), "%s", error->message);

  WAIT_FOR (&fake->lock, &fake->cond, fake->frames->len == 3, 10);
  WAIT_FOR (&rec->lock, &rec->cond, rec->sent->len == 3, 5);
  g_mutex_lock (&fake->lock);
  fail_unless (strstr (g_ptr_array_index (fake->frames, 0),
          "\"correlationId\":\"c1\""), "%s",
      (gchar *) g_ptr_array_index (fake->frames, 0));
  fail_unless (strstr (g_ptr_array_index (fake->frames, 0),
          "\"action\":\"SDP_OFFER\""));
  fail_unless (strstr (g_ptr_array_index (fake->frames, 1),
          "\"correlationId\":\"c2\""));
  fail_unless (strstr (g_ptr_array_index (fake->frames, 2),
          "\"correlationId\":\"c3\""));
  g_mutex_unlock (&fake->lock);
  g_mutex_lock (&rec->lock);
  for (guint i = 0; i < 3; i++)
    fail_unless (g_ptr_array_index (rec->sent, i) == msgs[i]);
  fail_unless_equals_int (rec->failed->len, 0);
  g_mutex_unlock (&rec->lock);

  for (guint i = 0; i < 4; i++)
    gst_kvs_message_unref (msgs[i]);
  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

GST_START_TEST (test_master_send_needs_recipient)
{
  GstKvsSignalingClient *client = client_new (NULL, GST_KVS_ROLE_MASTER);
  g_autoptr (GError) error = NULL;
  GstKvsMessage *answer;

  answer = gst_kvs_message_new_sdp (GST_KVS_MESSAGE_TYPE_SDP_ANSWER, NULL,
      "v=0\r\n", NULL);
  fail_if (gst_kvs_signaling_client_send (client, answer, &error));
  fail_unless (g_error_matches (error, GST_KVS_VALIDATION_ERROR,
          GST_KVS_VALIDATION_ERROR_MISSING_RECIPIENT));
  gst_kvs_message_unref (answer);
  g_object_unref (client);
}

GST_END_TEST;

GST_START_TEST (test_stopped_before_connected_send_failed)
{
  GstKvsSignalingClient *client = client_new (NULL, GST_KVS_ROLE_VIEWER);
  Recorder *rec = recorder_new (client);
  GstKvsMessage *a = viewer_offer ("v=0\r\n", "a1");
  GstKvsMessage *b = viewer_offer ("v=0\r\n", "b2");
  g_autoptr (GError) error = NULL;
  guint n = 0;

  fail_unless (gst_kvs_signaling_client_send (client, a, NULL));
  fail_unless (gst_kvs_signaling_client_send (client, b, NULL));
  gst_kvs_signaling_client_stop (client);
  g_mutex_lock (&rec->lock);
  fail_unless_equals_int (rec->failed->len, 2);
  fail_unless (g_ptr_array_index (rec->failed, 0) == a);
  fail_unless (g_ptr_array_index (rec->failed, 1) == b);
  fail_unless (g_error_matches (rec->failed_error, GST_KVS_ERROR,
          GST_KVS_ERROR_NOT_CONNECTED));
  fail_unless (strstr (rec->failed_error->message, "a1"), "%s",
      rec->failed_error->message);
  fail_unless_equals_int (rec->sent->len, 0);
  g_mutex_unlock (&rec->lock);

  /* the queue is bounded */
  for (n = 0; n < 1000; n++) {
    if (!gst_kvs_signaling_client_send (client, a, &error))
      break;
  }
  fail_unless_equals_int (n, 512);
  fail_unless (g_error_matches (error, GST_KVS_ERROR,
          GST_KVS_ERROR_NOT_CONNECTED));
  fail_unless (strstr (error->message, "queue full"), "%s", error->message);

  gst_kvs_message_unref (a);
  gst_kvs_message_unref (b);
  g_object_unref (client);      /* reports the 512 as failed */
  g_mutex_lock (&rec->lock);
  fail_unless_equals_int (rec->failed->len, 2 + 512);
  g_mutex_unlock (&rec->lock);
  kvs_test_recorder_free (rec);
}

GST_END_TEST;

/* Connects a client of @role to @fake and waits for CONNECTED. */
static GstKvsSignalingClient *
connect_client (FakeKvs * fake, GstKvsRole role, Recorder ** rec)
{
  GstKvsSignalingClient *client = client_new (fake, role);

  *rec = recorder_new (client);
  start_ok (client);
  WAIT_STATE (*rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  /* the fake learns of the WebSocket after writing the 101 */
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ws >= 1, 5);
  return client;
}

static gchar *
service_frame (GstKvsMessageType type, const gchar * payload_json,
    const gchar * sender)
{
  g_autofree gchar *b64 = g_base64_encode ((const guchar *) payload_json,
      strlen (payload_json));

  return g_strdup_printf ("{\"messageType\":\"%s\",\"messagePayload\":\"%s\""
      "%s%s%s}", gst_kvs_message_type_to_string (type), b64,
      sender ? ",\"senderClientId\":\"" : "", sender ? sender : "",
      sender ? "\"" : "");
}

GST_START_TEST (test_incoming_dispatch)
{
  FakeKvs *fake = fake_new (TRUE);
  Recorder *rec;
  GstKvsSignalingClient *client = connect_client (fake, GST_KVS_ROLE_MASTER,
      &rec);
  g_autofree gchar *offer = NULL, *answer = NULL, *ice = NULL;
  GstKvsMessage *m;

  offer = service_frame (GST_KVS_MESSAGE_TYPE_SDP_OFFER,
      "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\no=offer\\r\\n\"}", "viewer-1");
  answer = service_frame (GST_KVS_MESSAGE_TYPE_SDP_ANSWER,
      "{\"type\":\"answer\",\"sdp\":\"v=0\\r\\no=answer\\r\\n\"}", NULL);
  ice = service_frame (GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE,
      "{\"candidate\":\"candidate:1 1 UDP 1 192.0.2.1 5000 typ host\","
      "\"sdpMid\":\"video0\",\"sdpMLineIndex\":0}", "viewer-1");
  fake_send (fake, 0, offer);
  fake_send (fake, 0, answer);
  fake_send (fake, 0, ice);
  fake_send (fake, 0, "{\"messageType\":\"STATUS_RESPONSE\","
      "\"statusResponse\":{\"correlationId\":\"c9\",\"errorType\":"
      "\"InvalidArgumentException\",\"statusCode\":\"400\","
      "\"description\":\"bad\"}}");
  fake_send (fake, 0, "{\"messageType\":\"RECONNECT_ICE_SERVER\"}");

  WAIT_FOR (&rec->lock, &rec->cond, rec->received->len == 5, 5);
  g_mutex_lock (&rec->lock);
  fail_unless_equals_string (g_ptr_array_index (rec->received_signals, 0),
      "sdp-offer");
  m = g_ptr_array_index (rec->received, 0);
  fail_unless_equals_int (m->type, GST_KVS_MESSAGE_TYPE_SDP_OFFER);
  fail_unless_equals_string (m->sdp, "v=0\r\no=offer\r\n");
  fail_unless_equals_string (m->sender_client_id, "viewer-1");

  fail_unless_equals_string (g_ptr_array_index (rec->received_signals, 1),
      "sdp-answer");
  m = g_ptr_array_index (rec->received, 1);
  fail_unless_equals_string (m->sdp, "v=0\r\no=answer\r\n");
  fail_unless (m->sender_client_id == NULL);

  fail_unless_equals_string (g_ptr_array_index (rec->received_signals, 2),
      "ice-candidate");
  m = g_ptr_array_index (rec->received, 2);
  fail_unless_equals_string (m->candidate,
      "candidate:1 1 UDP 1 192.0.2.1 5000 typ host");
  fail_unless_equals_string (m->sdp_mid, "video0");
  fail_unless_equals_int (m->sdp_mline_index, 0);

  fail_unless_equals_string (g_ptr_array_index (rec->received_signals, 3),
      "status-response");
  m = g_ptr_array_index (rec->received, 3);
  fail_unless_equals_string (m->correlation_id, "c9");
  fail_unless_equals_string (m->error_type, "InvalidArgumentException");
  fail_unless_equals_int (m->status_code, 400);
  fail_unless_equals_string (m->description, "bad");

  fail_unless_equals_string (g_ptr_array_index (rec->received_signals, 4),
      "reconnect-ice-server");
  g_mutex_unlock (&rec->lock);

  /* RECONNECT_ICE_SERVER refreshed the ICE servers in the background */
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ice == 2, 5);
  WAIT_FOR (&rec->lock, &rec->cond, rec->n_ice_changed == 2, 5);
  fail_unless_equals_int (gst_kvs_signaling_client_get_state (client),
      GST_KVS_SIGNALING_STATE_CONNECTED);

  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

GST_START_TEST (test_unknown_and_malformed_ignored)
{
  FakeKvs *fake = fake_new (TRUE);
  Recorder *rec;
  GstKvsSignalingClient *client = connect_client (fake, GST_KVS_ROLE_VIEWER,
      &rec);
  g_autofree gchar *offer = NULL;

  fake_send (fake, 0, "{\"message\": \"Endpoint request timed out\", "
      "\"connectionId\":\"abc=\", \"requestId\":\"r\"}");
  fake_send (fake, 0, "{\"messageType\":\"SOMETHING_NEW\"}");
  fake_send (fake, 0, "this is not JSON");
  fake_send (fake, 0, "[1,2,3]");
  fake_send (fake, 0, "{\"messageType\":\"SDP_OFFER\",\"messagePayload\":"
      "\"%%%not base64%%%\"}");
  offer = service_frame (GST_KVS_MESSAGE_TYPE_SDP_ANSWER,
      "{\"type\":\"answer\",\"sdp\":\"v=0\\r\\no=last\\r\\n\"}", NULL);
  fake_send (fake, 0, offer);

  WAIT_FOR (&rec->lock, &rec->cond, rec->received->len >= 1, 5);
  g_usleep (100 * 1000);
  g_mutex_lock (&rec->lock);
  fail_unless_equals_int (rec->received->len, 1);
  fail_unless_equals_string (((GstKvsMessage *) g_ptr_array_index
          (rec->received, 0))->sdp, "v=0\r\no=last\r\n");
  fail_unless_equals_string (rec->states->str, CONNECTED_STATES);
  g_mutex_unlock (&rec->lock);
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ws >= 1, 5);
  g_mutex_lock (&fake->lock);
  fail_unless_equals_int (fake->n_ws, 1);
  fail_unless_equals_int (g_array_index (fake->close_codes, guint, 0), 0);
  g_mutex_unlock (&fake->lock);

  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

GST_START_TEST (test_server_close_reconnects)
{
  FakeKvs *fake = fake_new (TRUE);
  Recorder *rec;
  GstKvsSignalingClient *client = connect_client (fake, GST_KVS_ROLE_MASTER,
      &rec);
  GstKvsMessage *answer;

  fake_close (fake, 0, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  WAIT_FOR (&rec->lock, &rec->cond, rec->n_states >= 9, 10);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  /* cached ARN, endpoints and ICE servers: straight to the WebSocket */
  STATES_ARE (rec, CONNECTED_STATES
      ",disconnected,get-credentials,connecting,connected");
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ws >= 2, 5);
  g_mutex_lock (&fake->lock);
  fail_unless_equals_int (fake->n_ws, 2);
  fail_unless_equals_int (fake->n_describe, 1);
  g_mutex_unlock (&fake->lock);

  /* the new connection carries messages */
  answer = gst_kvs_message_new_sdp (GST_KVS_MESSAGE_TYPE_SDP_ANSWER,
      "viewer-1", "v=0\r\n", "after");
  fail_unless (gst_kvs_signaling_client_send (client, answer, NULL));
  WAIT_FOR (&fake->lock, &fake->cond, fake->frames->len == 1, 5);
  g_mutex_lock (&fake->lock);
  fail_unless_equals_int (g_array_index (fake->frame_conns, guint, 0), 1);
  g_mutex_unlock (&fake->lock);
  gst_kvs_message_unref (answer);

  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

GST_START_TEST (test_go_away_make_before_break)
{
  FakeKvs *fake = fake_new (TRUE);
  Recorder *rec;
  GstKvsSignalingClient *client = connect_client (fake, GST_KVS_ROLE_MASTER,
      &rec);
  GstKvsMessage *answer;

  fake_send (fake, 0, "{\"messageType\":\"GO_AWAY\"}");
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ws == 2, 10);
  /* the client closes the old connection itself, once the new is open */
  WAIT_FOR (&fake->lock, &fake->cond, fake->close_codes->len > 0
      && g_array_index (fake->close_codes, guint, 0) == 1000, 5);
  g_mutex_lock (&fake->lock);
  fail_unless_equals_int (g_array_index (fake->close_codes, guint, 1), 0);
  g_mutex_unlock (&fake->lock);

  g_mutex_lock (&rec->lock);
  fail_unless_equals_int (rec->received->len, 1);
  fail_unless_equals_string (g_ptr_array_index (rec->received_signals, 0),
      "go-away");
  /* never disconnected */
  fail_unless_equals_string (rec->states->str, CONNECTED_STATES);
  g_mutex_unlock (&rec->lock);

  answer = gst_kvs_message_new_sdp (GST_KVS_MESSAGE_TYPE_SDP_ANSWER,
      "viewer-1", "v=0\r\n", "next");
  fail_unless (gst_kvs_signaling_client_send (client, answer, NULL));
  WAIT_FOR (&fake->lock, &fake->cond, fake->frames->len == 1, 5);
  g_mutex_lock (&fake->lock);
  fail_unless_equals_int (g_array_index (fake->frame_conns, guint, 0), 1);
  g_mutex_unlock (&fake->lock);
  gst_kvs_message_unref (answer);

  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

GST_START_TEST (test_go_away_replacement_retried)
{
  FakeKvs *fake = fake_new (TRUE);
  Recorder *rec;
  GstKvsSignalingClient *client = connect_client (fake, GST_KVS_ROLE_MASTER,
      &rec);

  /* the first replacement is refused: the old connection stays in use */
  g_mutex_lock (&fake->lock);
  fake->ws_fail_status = 503;
  fake->ws_fail_count = 1;
  g_mutex_unlock (&fake->lock);
  fake_send (fake, 0, "{\"messageType\":\"GO_AWAY\"}");
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ws_refused == 1, 10);
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ws == 2, 10);
  WAIT_FOR (&fake->lock, &fake->cond, fake->close_codes->len > 0
      && g_array_index (fake->close_codes, guint, 0) == 1000, 5);
  STATES_ARE (rec, CONNECTED_STATES);

  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

/* The correlation ids of the frames the fake received on connection
 * @index, comma-separated, in order (under the fake's lock). */
static gchar *
frames_on (FakeKvs * fake, guint index)
{
  GString *ids = g_string_new (NULL);

  for (guint i = 0; i < fake->frames->len; i++) {
    const gchar *key = "\"correlationId\":\"";
    const gchar *id = strstr (g_ptr_array_index (fake->frames, i), key);

    if (g_array_index (fake->frame_conns, guint, i) != index)
      continue;
    if (ids->len)
      g_string_append_c (ids, ',');
    if (id) {
      id += strlen (key);
      g_string_append_len (ids, id, strcspn (id, "\""));
    } else {
      g_string_append_c (ids, '?');
    }
  }
  return g_string_free (ids, FALSE);
}

static void
send_answer (GstKvsSignalingClient * client, const gchar * correlation_id)
{
  GstKvsMessage *answer = gst_kvs_message_new_sdp
      (GST_KVS_MESSAGE_TYPE_SDP_ANSWER, "viewer-1", "v=0\r\n", correlation_id);

  fail_unless (gst_kvs_signaling_client_send (client, answer, NULL));
  gst_kvs_message_unref (answer);
}

/* After GO_AWAY nothing more is written on the old connection (the service
 * may close it at any moment, and a frame written just before the close is
 * lost): messages wait for the replacement, go out in order on it, and one
 * that cannot go out within send-timeout is reported with its correlation
 * id. The old connection is still read meanwhile. */
GST_START_TEST (test_go_away_holds_messages)
{
  FakeKvs *fake = fake_new (TRUE);
  Recorder *rec;
  GstKvsSignalingClient *client = connect_client (fake, GST_KVS_ROLE_MASTER,
      &rec);
  g_autofree gchar *candidate = NULL;
  g_autofree gchar *on_old = NULL, *on_new = NULL;

  /* every replacement is refused for now */
  g_mutex_lock (&fake->lock);
  fake->ws_fail_status = 503;
  fake->ws_fail_count = G_MAXUINT;
  g_mutex_unlock (&fake->lock);
  g_object_set (client, "send-timeout", 1, NULL);
  fake_send (fake, 0, "{\"messageType\":\"GO_AWAY\"}");
  WAIT_FOR (&rec->lock, &rec->cond, rec->received->len == 1, 5);

  send_answer (client, "held1");
  WAIT_FOR (&rec->lock, &rec->cond, rec->failed->len == 1, 10);
  g_mutex_lock (&rec->lock);
  fail_unless_equals_string (((GstKvsMessage *) g_ptr_array_index
          (rec->failed, 0))->correlation_id, "held1");
  fail_unless (strstr (rec->failed_error->message, "held1"), "%s",
      rec->failed_error->message);
  fail_unless_equals_int (rec->sent->len, 0);
  g_mutex_unlock (&rec->lock);
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ws_refused >= 1, 10);
  g_mutex_lock (&fake->lock);
  fail_unless_equals_int (fake->frames->len, 0);
  g_mutex_unlock (&fake->lock);

  /* what the service still sends on the old connection arrives */
  candidate = service_frame (GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE,
      "{\"candidate\":\"candidate:1 1 UDP 1 10.0.0.1 9 typ host\","
      "\"sdpMid\":\"0\",\"sdpMLineIndex\":0}", "viewer-1");
  fake_send (fake, 0, candidate);
  WAIT_FOR (&rec->lock, &rec->cond, rec->received->len == 2, 5);

  /* queued while the replacement is refused, sent in order once it opens */
  g_object_set (client, "send-timeout", 60, NULL);
  send_answer (client, "next1");
  send_answer (client, "next2");
  send_answer (client, "next3");
  g_mutex_lock (&fake->lock);
  fake->ws_fail_count = 0;
  g_mutex_unlock (&fake->lock);
  WAIT_FOR (&fake->lock, &fake->cond, fake->frames->len == 3, 15);
  g_mutex_lock (&fake->lock);
  on_old = frames_on (fake, 0);
  on_new = frames_on (fake, 1);
  g_mutex_unlock (&fake->lock);
  fail_unless_equals_string (on_old, "");
  fail_unless_equals_string (on_new, "next1,next2,next3");
  WAIT_FOR (&fake->lock, &fake->cond,
      g_array_index (fake->close_codes, guint, 0) == 1000, 5);
  /* "message-sent" may come just after the fake has the frame */
  WAIT_FOR (&rec->lock, &rec->cond, rec->sent->len == 3, 5);
  g_mutex_lock (&rec->lock);
  fail_unless_equals_int (rec->failed->len, 1);
  g_mutex_unlock (&rec->lock);
  STATES_ARE (rec, CONNECTED_STATES);

  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

/* The service closes the old connection (grace over, or a newer connection
 * attached) before the client has its replacement's reply: the client stays
 * CONNECTED, and what it sends meanwhile goes out on the replacement. */
GST_START_TEST (test_old_closed_before_replacement_open)
{
  FakeKvs *fake = fake_new (TRUE);
  Recorder *rec;
  GstKvsSignalingClient *client = connect_client (fake, GST_KVS_ROLE_MASTER,
      &rec);
  g_autofree gchar *on_new = NULL;

  g_mutex_lock (&fake->lock);
  fake->ws_stall = TRUE;
  g_mutex_unlock (&fake->lock);
  fake_send (fake, 0, "{\"messageType\":\"GO_AWAY\"}");
  WAIT_FOR (&fake->lock, &fake->cond, fake->stalled->len == 1, 10);
  fake_close (fake, 0, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  WAIT_FOR (&fake->lock, &fake->cond,
      g_array_index (fake->close_codes, guint, 0) != 0, 5);
  send_answer (client, "during1");
  send_answer (client, "during2");
  fake_release (fake);

  WAIT_FOR (&fake->lock, &fake->cond, fake->frames->len == 2, 10);
  g_mutex_lock (&fake->lock);
  on_new = frames_on (fake, 1);
  g_mutex_unlock (&fake->lock);
  fail_unless_equals_string (on_new, "during1,during2");
  STATES_ARE (rec, CONNECTED_STATES);
  fail_unless_equals_uint64 (gst_kvs_signaling_client_get_state (client),
      GST_KVS_SIGNALING_STATE_CONNECTED);

  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

/* Ahead of the service's one-hour limit the client replaces its connection
 * on its own clock (max-connection-age, shortened here), make before break:
 * no GO_AWAY, never DISCONNECTED, the old one closed by the client. */
GST_START_TEST (test_max_connection_age_replaces)
{
  FakeKvs *fake = fake_new (TRUE);
  GstKvsSignalingClient *client = client_new (fake, GST_KVS_ROLE_MASTER);
  Recorder *rec = recorder_new (client);
  guint64 reconnects = 0;
  gint64 end;

  g_object_set (client, "max-connection-age", 1, NULL);
  start_ok (client);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ws >= 2, 10);
  WAIT_FOR (&fake->lock, &fake->cond,
      g_array_index (fake->close_codes, guint, 0) == 1000, 5);
  g_mutex_lock (&fake->lock);
  fail_unless_equals_int (fake->n_describe, 1);
  g_mutex_unlock (&fake->lock);

  /* and again, one second later; the client counts it once it has the
   * handshake's reply (after the fake: polled) */
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ws >= 3, 10);
  end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (g_get_monotonic_time () < end) {
    g_autoptr (GstStructure) stats =
        gst_kvs_signaling_client_get_stats (client);

    fail_unless (gst_structure_get_uint64 (stats, "reconnects", &reconnects));
    if (reconnects >= 2)
      break;
    g_usleep (20 * 1000);
  }
  fail_unless (reconnects >= 2, "%" G_GUINT64_FORMAT " reconnects", reconnects);
  g_mutex_lock (&rec->lock);
  fail_unless_equals_int (rec->received->len, 0);
  fail_unless_equals_string (rec->states->str, CONNECTED_STATES);
  g_mutex_unlock (&rec->lock);

  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

GST_START_TEST (test_ice_config_failure_not_fatal)
{
  FakeKvs *fake = fake_new (TRUE);
  GstKvsSignalingClient *client = client_new (fake, GST_KVS_ROLE_MASTER);
  Recorder *rec = recorder_new (client);
  g_autoptr (GPtrArray) ice = NULL;

  fake->ice_fail_status = 500;
  start_ok (client);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  STATES_ARE (rec, CONNECTED_STATES);
  ice = gst_kvs_signaling_client_dup_ice_servers (client);
  fail_unless_equals_int (ice->len, 0);
  g_mutex_lock (&rec->lock);
  fail_unless_equals_int (rec->n_ice_changed, 0);
  g_mutex_unlock (&rec->lock);

  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

GST_START_TEST (test_repeated_403_fails)
{
  FakeKvs *fake = fake_new (TRUE);
  GstKvsSignalingClient *client = client_new (fake, GST_KVS_ROLE_MASTER);
  Recorder *rec = recorder_new (client);

  fake->ws_fail_status = 403;
  fake->ws_fail_count = G_MAXUINT;
  start_ok (client);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_FAILED, 15);
  WAIT_FOR (&rec->lock, &rec->cond, rec->n_errors >= 1, 5);
  g_mutex_lock (&fake->lock);
  fail_unless_equals_int (fake->n_ws_refused, 3);
  fail_unless_equals_int (fake->n_ws, 0);
  g_mutex_unlock (&fake->lock);
  g_mutex_lock (&rec->lock);
  fail_unless_equals_int (rec->n_errors, 1);
  fail_unless (rec->error->domain == GST_KVS_ERROR);
  fail_unless (strstr (rec->error->message, "3 times"), "%s",
      rec->error->message);
  fail_unless (strstr (rec->error->message, "403"), "%s", rec->error->message);
  fail_unless_equals_string (rec->states->str, "get-credentials,describe,"
      "get-endpoint,get-ice-config,connecting,disconnected,get-credentials,"
      "connecting,disconnected,get-credentials,connecting,failed");
  g_mutex_unlock (&rec->lock);

  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

GST_START_TEST (test_ws_404_describes_again)
{
  FakeKvs *fake = fake_new (TRUE);
  GstKvsSignalingClient *client = client_new (fake, GST_KVS_ROLE_MASTER);
  Recorder *rec = recorder_new (client);

  fake->ws_fail_status = 404;
  fake->ws_fail_count = 1;
  start_ok (client);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  STATES_ARE (rec, "get-credentials,describe,get-endpoint,get-ice-config,"
      "connecting,disconnected,get-credentials,describe,get-endpoint,"
      "connecting,connected");
  g_mutex_lock (&fake->lock);
  fail_unless_equals_int (fake->n_describe, 2);
  fail_unless_equals_int (fake->n_endpoint, 2);
  g_mutex_unlock (&fake->lock);

  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

GST_START_TEST (test_5xx_reconnects)
{
  FakeKvs *fake = fake_new (TRUE);
  GstKvsSignalingClient *client = client_new (fake, GST_KVS_ROLE_MASTER);
  Recorder *rec = recorder_new (client);

  fake->ws_fail_status = 503;
  fake->ws_fail_count = 4;      /* more than the 403 limit: not counted */
  start_ok (client);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 15);
  STATES_ARE (rec, "get-credentials,describe,get-endpoint,get-ice-config,"
      "connecting,disconnected,get-credentials,connecting,disconnected,"
      "get-credentials,connecting,disconnected,get-credentials,connecting,"
      "disconnected,get-credentials,connecting,connected");
  g_mutex_lock (&rec->lock);
  fail_unless_equals_int (rec->n_errors, 0);
  g_mutex_unlock (&rec->lock);

  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

GST_START_TEST (test_clock_skew_corrected)
{
  FakeKvs *fake = fake_new (TRUE);
  GstKvsSignalingClient *client = client_new (fake, GST_KVS_ROLE_MASTER);
  Recorder *rec = recorder_new (client);

  /* the service's clock is an hour ahead of ours */
  fake->clock_offset = 3600;
  start_ok (client);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  STATES_ARE (rec, "get-credentials,describe,disconnected,get-credentials,"
      "describe,get-endpoint,get-ice-config,connecting,connected");
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ws >= 1, 5);
  g_mutex_lock (&fake->lock);
  /* one refused describe, then every signature (WebSocket included) is
   * made with the corrected clock */
  fail_unless_equals_int (fake->n_bad_signatures, 1);
  fail_unless_equals_int (fake->n_ws, 1);
  g_mutex_unlock (&fake->lock);

  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

GST_START_TEST (test_stop_from_signal_handler)
{
  FakeKvs *fake = fake_new (TRUE);
  GstKvsSignalingClient *client = client_new (fake, GST_KVS_ROLE_MASTER);
  Recorder *rec = recorder_new (client);

  rec->stop_when_connected = TRUE;
  start_ok (client);
  WAIT_FOR (&rec->lock, &rec->cond, rec->stopped_in_handler, 10);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_DISCONNECTED, 5);
  STATES_ARE (rec, CONNECTED_STATES ",disconnected");
  WAIT_FOR (&fake->lock, &fake->cond, fake->close_codes->len > 0
      && g_array_index (fake->close_codes, guint, 0) == 1000, 5);
  /* stop again from here, then drop it while its thread may still finish */
  gst_kvs_signaling_client_stop (client);
  unref_and_wait (client);
  kvs_test_recorder_free (rec);
  fake_free (fake);
}

GST_END_TEST;

GST_START_TEST (test_dispose_stops)
{
  FakeKvs *fake = fake_new (TRUE);
  Recorder *rec;
  GstKvsSignalingClient *client = connect_client (fake, GST_KVS_ROLE_MASTER,
      &rec);

  /* no stop(): the last unref closes the connection and joins */
  unref_and_wait (client);
  STATES_ARE (rec, CONNECTED_STATES ",disconnected");
  WAIT_FOR (&fake->lock, &fake->cond, fake->close_codes->len > 0
      && g_array_index (fake->close_codes, guint, 0) == 1000, 5);
  kvs_test_recorder_free (rec);
  fake_free (fake);
}

GST_END_TEST;

GST_START_TEST (test_restart)
{
  FakeKvs *fake = fake_new (TRUE);
  GstKvsSignalingClient *client = client_new (fake, GST_KVS_ROLE_MASTER);
  Recorder *rec = recorder_new (client);
  g_autoptr (GError) error = NULL;

  start_ok (client);
  fail_if (gst_kvs_signaling_client_start (client, &error));
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  gst_kvs_signaling_client_stop (client);
  start_ok (client);
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ws == 2, 10);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

GST_START_TEST (test_ice_servers_refreshed_before_ttl)
{
  FakeKvs *fake = fake_new (TRUE);
  GstKvsSignalingClient *client = client_new (fake, GST_KVS_ROLE_MASTER);
  Recorder *rec = recorder_new (client);
  gint64 connected;

  fake->ice_ttl = 4;            /* refreshed at 80%: 3.2 s */
  start_ok (client);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  connected = g_get_monotonic_time ();
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ice == 2, 10);
  /* not at once, and before the old ones expire */
  fail_unless (g_get_monotonic_time () - connected > 2500 * 1000);
  fail_unless (g_get_monotonic_time () - connected < 4000 * 1000);
  WAIT_FOR (&rec->lock, &rec->cond, rec->n_ice_changed == 2, 5);
  /* in the background: the connection stayed */
  STATES_ARE (rec, CONNECTED_STATES);

  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

GST_START_TEST (test_credentials_replaced_live)
{
  FakeKvs *fake = fake_new (TRUE);
  Recorder *rec;
  GstKvsSignalingClient *client = connect_client (fake, GST_KVS_ROLE_MASTER,
      &rec);

  g_mutex_lock (&fake->lock);
  fail_unless_equals_string (fake->last_ws_key, AK);
  g_mutex_unlock (&fake->lock);

  gst_kvs_signaling_client_set_credentials (client, AK2, SK, NULL);
  fake_close (fake, 0, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ws == 2, 10);
  g_mutex_lock (&fake->lock);
  fail_unless_equals_string (fake->last_ws_key, AK2);
  fail_unless_equals_int (fake->n_bad_signatures, 0);
  g_mutex_unlock (&fake->lock);

  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

/* A master whose only credentials come from the fake's container
 * credentials endpoint (the chain's "container" source), connected. */
static GstKvsSignalingClient *
connect_container_client (FakeKvs * fake, Recorder ** rec)
{
  g_autofree gchar *uri = g_strdup_printf ("%s/container-credentials",
      fake->srv->http_base);
  GstKvsSignalingClient *client;

  g_setenv ("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri, TRUE);
  client = g_object_new (GST_KVS_TYPE_SIGNALING_CLIENT, "role",
      GST_KVS_ROLE_MASTER, "channel-name", CHANNEL, "endpoint",
      fake->srv->http_base, "region", REGION, NULL);
  *rec = recorder_new (client);
  start_ok (client);
  WAIT_STATE (*rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ws == 1, 5);
  return client;
}

/* The chain belongs to the client: valid credentials are not fetched
 * again by a reconnect, nor by a stop() and start(). */
GST_START_TEST (test_credentials_kept_across_runs)
{
  FakeKvs *fake = fake_new (TRUE);
  Recorder *rec;
  GstKvsSignalingClient *client = connect_container_client (fake, &rec);
  g_autoptr (GstStructure) stats = NULL;

  fail_unless_equals_int (g_atomic_int_get (&fake->n_creds), 1);

  /* a reconnect in the run */
  fake_close (fake, 0, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ws == 2, 10);
  /* a new run */
  gst_kvs_signaling_client_stop (client);
  start_ok (client);
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ws == 3, 10);
  fail_unless_equals_int (g_atomic_int_get (&fake->n_creds), 1);
  stats = gst_kvs_signaling_client_get_stats (client);
  fail_unless_equals_string (gst_structure_get_string (stats,
          "credentials-source"), "container");

  client_free (client, rec);
  g_unsetenv ("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  fake_free (fake);
}

GST_END_TEST;

/* The background GetIceServerConfig refused with ExpiredTokenException:
 * new credentials at once and the call again, as the connect path. */
GST_START_TEST (test_ice_refresh_expired_token_refetches)
{
  FakeKvs *fake = fake_new (TRUE);
  Recorder *rec;
  GstKvsSignalingClient *client;

  fake->rotate_creds = TRUE;
  client = connect_container_client (fake, &rec);
  WAIT_FOR (&rec->lock, &rec->cond, rec->n_ice_changed == 1, 5);

  g_mutex_lock (&fake->lock);
  fake->expired_key = g_strdup (AK);
  g_mutex_unlock (&fake->lock);
  fake_send (fake, 0, "{\"messageType\":\"RECONNECT_ICE_SERVER\"}");

  /* refused, new credentials (AK2), and again: well before the 10 s of a
   * failed refresh's retry */
  WAIT_FOR (&rec->lock, &rec->cond, rec->n_ice_changed == 2, 5);
  g_mutex_lock (&fake->lock);
  fail_unless_equals_int (fake->n_creds, 2);
  fail_unless_equals_int (fake->n_ice, 3);
  fail_unless_equals_int (fake->n_ws, 1);
  g_mutex_unlock (&fake->lock);
  STATES_ARE (rec, CONNECTED_STATES);

  client_free (client, rec);
  g_unsetenv ("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  fake_free (fake);
}

GST_END_TEST;

/* No credentials anywhere and IMDS enabled but absent (a closed port): one
 * error at once naming every place looked at, no retries. */
GST_START_TEST (test_no_credentials_anywhere_fails_once)
{
  GstKvsSignalingClient *client;
  Recorder *rec;
  g_autoptr (GSocket) sock = NULL;
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback
      (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autofree gchar *imds = NULL;
  const GError *err;
  gint64 started;

  /* a port nobody listens on */
  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, NULL);
  fail_unless (g_socket_bind (sock, any, FALSE, NULL));
  bound = g_socket_get_local_address (sock, NULL);
  imds = g_strdup_printf ("http://127.0.0.1:%u",
      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (sock, NULL);
  g_setenv ("AWS_EC2_METADATA_DISABLED", "false", TRUE);
  g_setenv ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds, TRUE);

  client = g_object_new (GST_KVS_TYPE_SIGNALING_CLIENT, "role",
      GST_KVS_ROLE_MASTER, "channel-name", CHANNEL, "endpoint",
      "http://127.0.0.1:9", "region", REGION, NULL);
  rec = recorder_new (client);
  started = g_get_monotonic_time ();
  start_ok (client);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_FAILED, 10);
  /* "error" comes right after the state */
  WAIT_FOR (&rec->lock, &rec->cond, rec->n_errors >= 1, 5);
  fail_unless (g_get_monotonic_time () - started < 5 * G_USEC_PER_SEC);
  STATES_ARE (rec, "get-credentials,failed");

  g_mutex_lock (&rec->lock);
  fail_unless_equals_int (rec->retries->len, 0);
  fail_unless_equals_int (rec->n_errors, 1);
  err = rec->error;
  fail_unless (g_error_matches (err, GST_KVS_ERROR,
          GST_KVS_ERROR_NO_CREDENTIALS), "%s", err->message);
  fail_unless (g_str_has_prefix (err->message, "No AWS credentials found"),
      "%s", err->message);
  {
    const gchar *const places[] = { "explicit", "AWS_ACCESS_KEY_ID",
      "AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent/kvs-test/config",
      "/nonexistent/kvs-test/credentials",
      "AWS_CONTAINER_CREDENTIALS_FULL_URI", imds, NULL
    };

    for (guint i = 0; places[i]; i++)
      fail_unless (strstr (err->message, places[i]) != NULL,
          "'%s' not in: %s", places[i], err->message);
  }
  g_mutex_unlock (&rec->lock);

  client_free (client, rec);
  g_setenv ("AWS_EC2_METADATA_DISABLED", "true", TRUE);
  g_unsetenv ("AWS_EC2_METADATA_SERVICE_ENDPOINT");
}

GST_END_TEST;

GST_START_TEST (test_send_timeout_reported)
{
  FakeKvs *fake = fake_new (TRUE);
  GstKvsSignalingClient *client = client_new (fake, GST_KVS_ROLE_VIEWER);
  Recorder *rec = recorder_new (client);
  GstKvsMessage *offer = viewer_offer ("v=0\r\n", "late1");
  gint64 sent_at;
  guint timeout;

  g_object_get (client, "send-timeout", &timeout, NULL);
  fail_unless_equals_int (timeout, 60);
  /* the WebSocket never opens */
  fake->ws_fail_status = 503;
  fake->ws_fail_count = G_MAXUINT;
  g_object_set (client, "send-timeout", 1, NULL);
  start_ok (client);
  sent_at = g_get_monotonic_time ();
  fail_unless (gst_kvs_signaling_client_send (client, offer, NULL));

  WAIT_FOR (&rec->lock, &rec->cond, rec->failed->len == 1, 10);
  fail_unless (g_get_monotonic_time () - sent_at >= G_USEC_PER_SEC);
  g_mutex_lock (&rec->lock);
  fail_unless (g_ptr_array_index (rec->failed, 0) == offer);
  fail_unless (g_error_matches (rec->failed_error, GST_KVS_ERROR,
          GST_KVS_ERROR_NOT_CONNECTED));
  fail_unless (strstr (rec->failed_error->message, "late1"), "%s",
      rec->failed_error->message);
  fail_unless (strstr (rec->failed_error->message, "send-timeout"), "%s",
      rec->failed_error->message);
  fail_unless_equals_int (rec->sent->len, 0);
  g_mutex_unlock (&rec->lock);

  /* it keeps trying to connect meanwhile */
  fail_unless (gst_kvs_signaling_client_get_state (client) !=
      GST_KVS_SIGNALING_STATE_FAILED);
  gst_kvs_message_unref (offer);
  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

static void
do_freeze (gpointer data)
{
  /* the fake answers nothing, pings included */
  g_usleep (GPOINTER_TO_UINT (data) * 1000);
}

GST_START_TEST (test_missing_pong_reconnects)
{
  FakeKvs *fake = fake_new (TRUE);
  GstKvsSignalingClient *client = client_new (fake, GST_KVS_ROLE_MASTER);
  Recorder *rec = recorder_new (client);

  g_object_set (client, "keepalive-interval", 1, NULL);
  start_ok (client);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  /* pongs keep an idle connection up */
  g_usleep (2500 * 1000);
  STATES_ARE (rec, CONNECTED_STATES);

  /* silent for more than two intervals: reconnect */
  kvs_fake_server_call (fake->srv, do_freeze, GUINT_TO_POINTER (4500));
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ws == 2, 10);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  STATES_ARE (rec, CONNECTED_STATES
      ",disconnected,get-credentials,connecting,connected");

  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

typedef struct
{
  GMutex lock;
  GString *text;
  guint lines;
} LogCapture;

static void
capture_log (GstDebugCategory * category, GstDebugLevel level,
    const gchar * file, const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  LogCapture *capture = user_data;
  const gchar *text = gst_debug_message_get (message);

  g_mutex_lock (&capture->lock);
  g_string_append_printf (capture->text, "%s %s\n",
      gst_debug_category_get_name (category), text ? text : "");
  capture->lines++;
  g_mutex_unlock (&capture->lock);
}

GST_START_TEST (test_no_secrets_in_logs)
{
  FakeKvs *fake;
  Recorder *rec;
  GstKvsSignalingClient *client;
  GstKvsMessage *offer;
  LogCapture capture = { 0, };
  g_autofree gchar *answer = NULL;
  const gchar *forbidden[] = { SK, TOKEN, "X-Amz-Signature=",
    "X-Amz-Security-Token=", "Signature=", "X-Amz-Credential="
  };

  g_mutex_init (&capture.lock);
  capture.text = g_string_new (NULL);
  gst_debug_set_active (TRUE);
  gst_debug_set_default_threshold (GST_LEVEL_MEMDUMP);
  gst_debug_add_log_function (capture_log, &capture, NULL);

  fake = fake_new (TRUE);
  client = connect_client (fake, GST_KVS_ROLE_VIEWER, &rec);
  offer = viewer_offer ("v=0\r\n", "o1");
  fail_unless (gst_kvs_signaling_client_send (client, offer, NULL));
  WAIT_FOR (&fake->lock, &fake->cond, fake->frames->len == 1, 5);
  answer = service_frame (GST_KVS_MESSAGE_TYPE_SDP_ANSWER,
      "{\"type\":\"answer\",\"sdp\":\"v=0\\r\\n\"}", NULL);
  fake_send (fake, 0, answer);
  WAIT_FOR (&rec->lock, &rec->cond, rec->received->len == 1, 5);
  /* a reconnect presigns again */
  fake_close (fake, 0, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ws == 2, 10);
  client_free (client, rec);
  fake_free (fake);
  gst_kvs_message_unref (offer);

  gst_debug_remove_log_function (capture_log);
  gst_debug_set_default_threshold (GST_LEVEL_NONE);

  fail_unless (capture.lines > 20);
  fail_unless (strstr (capture.text->str, "kvssignalingclient") != NULL);
  for (guint i = 0; i < G_N_ELEMENTS (forbidden); i++) {
    const gchar *hit = strstr (capture.text->str, forbidden[i]);
    const gchar *bol = hit;

    while (bol && bol > capture.text->str && bol[-1] != '\n')
      bol--;
    fail_unless (hit == NULL, "'%s' in the log: %.200s", forbidden[i], bol);
  }
  g_string_free (capture.text, TRUE);
  g_mutex_clear (&capture.lock);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* stats */

static guint64
stat_u64 (GstKvsSignalingClient * client, const gchar * field)
{
  g_autoptr (GstStructure) s = gst_kvs_signaling_client_get_stats (client);
  guint64 v = G_MAXUINT64;

  fail_unless (gst_structure_has_name (s, "kvssignaling-stats"));
  /* a duration never measured is absent */
  if (!gst_structure_get_uint64 (s, field, &v)) {
    fail_unless (g_str_has_suffix (field, "-time"), "no field %s", field);
    fail_if (gst_structure_has_field (s, field), "%s is not a guint64", field);
    return GST_CLOCK_TIME_NONE;
  }
  fail_unless (GST_CLOCK_TIME_IS_VALID (v), "%s = G_MAXUINT64 instead of "
      "absent", field);
  return v;
}

static guint
stat_queue_depth (GstKvsSignalingClient * client)
{
  g_autoptr (GstStructure) s = gst_kvs_signaling_client_get_stats (client);
  guint v = G_MAXUINT;

  fail_unless (gst_structure_get_uint (s, "queue-depth", &v));
  return v;
}

#define WAIT_STAT(client, field, value, secs) G_STMT_START {               \
  gint64 _end = g_get_monotonic_time () + (secs) * G_TIME_SPAN_SECOND;     \
  while (stat_u64 (client, field) != (value) &&                            \
      g_get_monotonic_time () < _end)                                      \
    g_usleep (10 * 1000);                                                  \
  fail_unless_equals_uint64 (stat_u64 (client, field), value);             \
} G_STMT_END

GST_START_TEST (test_stats)
{
  const gchar *counters[] = { "messages-sent-sdp-offer",
    "messages-sent-sdp-answer", "messages-sent-ice-candidate",
    "messages-received-sdp-offer", "messages-received-sdp-answer",
    "messages-received-ice-candidate", "messages-received-status-response",
    "messages-received-go-away", "messages-received-reconnect-ice-server",
    "reconnects", "send-failures", "ice-server-refreshes"
  };
  const gchar *durations[] = { "describe-time", "create-time",
    "get-endpoint-time", "get-ice-config-time", "connect-time"
  };
  FakeKvs *fake = fake_new (TRUE);
  GstKvsSignalingClient *client = client_new (fake, GST_KVS_ROLE_MASTER);
  Recorder *rec = recorder_new (client);
  g_autoptr (GstStructure) s = NULL;
  g_autofree gchar *offer = NULL, *ice = NULL;
  GstKvsSignalingState state;
  GstKvsRole role;
  GstKvsMessage *viewer_msg;

  /* before start: nothing measured, nothing counted */
  s = gst_kvs_signaling_client_get_stats (client);
  fail_unless (gst_structure_get_enum (s, "state",
          GST_TYPE_KVS_SIGNALING_STATE, (gint *) & state));
  fail_unless_equals_int (state, GST_KVS_SIGNALING_STATE_NEW);
  fail_unless (gst_structure_get_enum (s, "role", GST_TYPE_KVS_ROLE,
          (gint *) & role));
  fail_unless_equals_int (role, GST_KVS_ROLE_MASTER);
  g_clear_pointer (&s, gst_structure_free);
  for (guint i = 0; i < G_N_ELEMENTS (durations); i++)
    fail_unless_equals_uint64 (stat_u64 (client, durations[i]),
        GST_CLOCK_TIME_NONE);
  for (guint i = 0; i < G_N_ELEMENTS (counters); i++)
    fail_unless_equals_uint64 (stat_u64 (client, counters[i]), 0);
  fail_unless_equals_int (stat_queue_depth (client), 0);

  /* connected: every call of the attempt measured, no create
   * (GetIceServerConfig may answer after "connected": its servers then) */
  start_ok (client);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ws >= 1, 5);
  WAIT_FOR (&rec->lock, &rec->cond, rec->n_ice_changed >= 1, 5);
  s = gst_kvs_signaling_client_get_stats (client);
  fail_unless (gst_structure_get_enum (s, "state",
          GST_TYPE_KVS_SIGNALING_STATE, (gint *) & state));
  fail_unless_equals_int (state, GST_KVS_SIGNALING_STATE_CONNECTED);
  g_clear_pointer (&s, gst_structure_free);
  for (guint i = 0; i < G_N_ELEMENTS (durations); i++) {
    guint64 d = stat_u64 (client, durations[i]);

    if (g_str_equal (durations[i], "create-time")) {
      fail_unless_equals_uint64 (d, GST_CLOCK_TIME_NONE);
    } else {
      fail_unless (d != GST_CLOCK_TIME_NONE, "%s not measured", durations[i]);
      fail_unless (d > 0 && d < 10 * GST_SECOND, "%s = %" G_GUINT64_FORMAT,
          durations[i], d);
    }
  }

  /* n sends: n counted, per type */
  for (guint i = 0; i < 3; i++) {
    g_autofree gchar *cid = g_strdup_printf ("a%u", i);
    GstKvsMessage *answer = gst_kvs_message_new_sdp
        (GST_KVS_MESSAGE_TYPE_SDP_ANSWER, "viewer-1", "v=0\r\n", cid);

    fail_unless (gst_kvs_signaling_client_send (client, answer, NULL));
    gst_kvs_message_unref (answer);
  }
  {
    GstKvsMessage *cand = gst_kvs_message_new_ice_candidate ("viewer-1",
        "candidate:1 1 UDP 1 192.0.2.1 5000 typ host", "0", 0, NULL);

    fail_unless (gst_kvs_signaling_client_send (client, cand, NULL));
    gst_kvs_message_unref (cand);
  }
  WAIT_FOR (&rec->lock, &rec->cond, rec->sent->len == 4, 5);
  fail_unless_equals_uint64 (stat_u64 (client, "messages-sent-sdp-answer"), 3);
  fail_unless_equals_uint64 (stat_u64 (client,
          "messages-sent-ice-candidate"), 1);
  fail_unless_equals_uint64 (stat_u64 (client, "messages-sent-sdp-offer"), 0);
  fail_unless_equals_int (stat_queue_depth (client), 0);

  /* received, per type */
  offer = service_frame (GST_KVS_MESSAGE_TYPE_SDP_OFFER,
      "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"}", "viewer-1");
  ice = service_frame (GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE,
      "{\"candidate\":\"candidate:1 1 UDP 1 192.0.2.1 5000 typ host\","
      "\"sdpMid\":\"0\",\"sdpMLineIndex\":0}", "viewer-1");
  fake_send (fake, 0, offer);
  fake_send (fake, 0, ice);
  fake_send (fake, 0, ice);
  fake_send (fake, 0, "{\"messageType\":\"STATUS_RESPONSE\","
      "\"statusResponse\":{\"correlationId\":\"a0\",\"errorType\":"
      "\"InvalidArgumentException\",\"statusCode\":\"400\"}}");
  WAIT_FOR (&rec->lock, &rec->cond, rec->received->len == 4, 5);
  fail_unless_equals_uint64 (stat_u64 (client,
          "messages-received-sdp-offer"), 1);
  fail_unless_equals_uint64 (stat_u64 (client,
          "messages-received-ice-candidate"), 2);
  fail_unless_equals_uint64 (stat_u64 (client,
          "messages-received-status-response"), 1);
  fail_unless_equals_uint64 (stat_u64 (client,
          "messages-received-sdp-answer"), 0);

  /* RECONNECT_ICE_SERVER: one background refresh */
  fail_unless_equals_uint64 (stat_u64 (client, "ice-server-refreshes"), 0);
  fake_send (fake, 0, "{\"messageType\":\"RECONNECT_ICE_SERVER\"}");
  WAIT_STAT (client, "ice-server-refreshes", 1, 5);
  fail_unless_equals_uint64 (stat_u64 (client,
          "messages-received-reconnect-ice-server"), 1);

  /* a server close: one reconnect */
  fail_unless_equals_uint64 (stat_u64 (client, "reconnects"), 0);
  fake_close (fake, 0, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  WAIT_STAT (client, "reconnects", 1, 10);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ws >= 2, 5);

  /* GO_AWAY: counted, and its replacement is a reconnect too */
  fake_send (fake, 1, "{\"messageType\":\"GO_AWAY\"}");
  WAIT_STAT (client, "reconnects", 2, 10);
  fail_unless_equals_uint64 (stat_u64 (client, "messages-received-go-away"), 1);
  fail_unless_equals_uint64 (stat_u64 (client, "send-failures"), 0);
  client_free (client, rec);

  /* queued while not running, then reported as not sent */
  client = client_new (fake, GST_KVS_ROLE_VIEWER);
  rec = recorder_new (client);
  viewer_msg = gst_kvs_message_new_sdp (GST_KVS_MESSAGE_TYPE_SDP_OFFER, NULL,
      "v=0\r\n", "o1");
  fail_unless (gst_kvs_signaling_client_send (client, viewer_msg, NULL));
  fail_unless (gst_kvs_signaling_client_send (client, viewer_msg, NULL));
  gst_kvs_message_unref (viewer_msg);
  fail_unless_equals_int (stat_queue_depth (client), 2);
  gst_kvs_signaling_client_stop (client);
  fail_unless_equals_int (stat_queue_depth (client), 0);
  fail_unless_equals_uint64 (stat_u64 (client, "send-failures"), 2);
  fail_unless_equals_uint64 (stat_u64 (client, "messages-sent-sdp-offer"), 0);
  client_free (client, rec);

  fake_free (fake);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* TLS */

static gboolean
make_certificate (const gchar * dir, const gchar * name)
{
  g_autofree gchar *key = g_strdup_printf ("%s/%s.key", dir, name);
  g_autofree gchar *cert = g_strdup_printf ("%s/%s.pem", dir, name);
  const gchar *argv[] = { "openssl", "req", "-x509", "-newkey", "ec",
    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
    "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
    "subjectAltName=IP:127.0.0.1", NULL
  };
  gint status = -1;

  if (!g_spawn_sync (NULL, (gchar **) argv, NULL,
          G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
          G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL))
    return FALSE;
  return g_spawn_check_wait_status (status, NULL);
}

static void
remove_dir (const gchar * dir)
{
  const gchar *names[] = { "a.key", "a.pem", "b.key", "b.pem" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    g_autofree gchar *path = g_build_filename (dir, names[i], NULL);

    g_unlink (path);
  }
  g_rmdir (dir);
}

GST_START_TEST (test_ca_file)
{
  g_autofree gchar *dir = g_dir_make_tmp ("kvs-client-XXXXXX", NULL);
  g_autofree gchar *a_pem = NULL, *a_key = NULL, *b_pem = NULL;
  g_autoptr (GTlsCertificate) cert = NULL;
  g_autoptr (GError) error = NULL;
  GstKvsSignalingClient *client;
  FakeKvs *fake;
  Recorder *rec;

  fail_unless (dir != NULL);
  /* openssl is in scripts/apt-packages.txt */
  fail_unless (make_certificate (dir, "a") && make_certificate (dir, "b"),
      "openssl could not make the test certificates");
  a_pem = g_build_filename (dir, "a.pem", NULL);
  a_key = g_build_filename (dir, "a.key", NULL);
  b_pem = g_build_filename (dir, "b.pem", NULL);
  cert = g_tls_certificate_new_from_files (a_pem, a_key, &error);
  fail_unless (cert != NULL, "%s", error ? error->message : "?");
  fake = fake_new_full (TRUE, cert);
  fail_unless (g_str_has_prefix (fake->srv->http_base, "https://"));

  /* an unknown CA is refused: by default ... */
  client = client_new (fake, GST_KVS_ROLE_MASTER);
  rec = recorder_new (client);
  start_ok (client);
  WAIT_FOR (&rec->lock, &rec->cond, strstr (rec->states->str,
          "disconnected") != NULL, 10);
  client_free (client, rec);

  /* ... and with a ca-file naming another CA */
  client = client_new (fake, GST_KVS_ROLE_MASTER);
  g_object_set (client, "ca-file", b_pem, NULL);
  rec = recorder_new (client);
  start_ok (client);
  WAIT_FOR (&rec->lock, &rec->cond, strstr (rec->states->str,
          "disconnected") != NULL, 10);
  client_free (client, rec);

  g_mutex_lock (&fake->lock);
  fail_unless_equals_int (fake->n_describe, 0);
  g_mutex_unlock (&fake->lock);

  /* trusted through ca-file: HTTPS and WSS both work */
  client = client_new (fake, GST_KVS_ROLE_MASTER);
  g_object_set (client, "ca-file", a_pem, NULL);
  rec = recorder_new (client);
  start_ok (client);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  STATES_ARE (rec, CONNECTED_STATES);
  WAIT_FOR (&fake->lock, &fake->cond, fake->n_ws >= 1, 5);
  g_mutex_lock (&fake->lock);
  fail_unless_equals_int (fake->n_ws, 1);
  g_mutex_unlock (&fake->lock);
  client_free (client, rec);

  fake_free (fake);
  remove_dir (dir);
}

GST_END_TEST;


/* GetIceServerConfig is never on the path to "connected": it runs beside
 * the WebSocket connect, and the fake holds its reply until the test
 * releases it. The client says "connected" with the WebSocket open and no
 * ICE servers yet (in sequence, or waiting for the call, it would only
 * connect after the call's timeout), then announces the servers with
 * "ice-servers-changed" when the reply comes. The state sequence is kept. */
GST_START_TEST (test_ice_config_beside_connect)
{
  FakeKvs *fake = fake_new (TRUE);
  GstKvsSignalingClient *client = client_new (fake, GST_KVS_ROLE_VIEWER);
  Recorder *rec = recorder_new (client);
  g_autoptr (GPtrArray) before = NULL;
  g_autoptr (GPtrArray) after = NULL;

  fake->ice_hold = TRUE;
  fake->ice_hold_long = TRUE;
  g_object_set (client, "request-timeout", 5, NULL);
  start_ok (client);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 4);
  /* the call may reach the fake after the handshake: it is held then too */
  WAIT_FOR (&fake->lock, &fake->cond, fake->ice_held->len == 1, 4);
  g_mutex_lock (&fake->lock);
  fail_unless_equals_int (fake->n_ice, 1);
  fail_unless_equals_int (fake->n_ws_during_ice, 1);
  g_mutex_unlock (&fake->lock);
  before = gst_kvs_signaling_client_dup_ice_servers (client);
  fail_unless (before == NULL || before->len == 0);
  g_mutex_lock (&rec->lock);
  fail_unless_equals_int (rec->n_ice_changed, 0);
  g_mutex_unlock (&rec->lock);

  fake_release_ice (fake);
  WAIT_FOR (&rec->lock, &rec->cond, rec->n_ice_changed >= 1, 5);
  after = gst_kvs_signaling_client_dup_ice_servers (client);
  fail_unless (after != NULL && after->len == 1);
  STATES_ARE (rec, CONNECTED_STATES);
  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

/* The REST calls of a join share one HTTP connection (keep-alive): one
 * TCP (and TLS) handshake for describe, endpoint and ICE configuration. */
GST_START_TEST (test_rest_calls_share_connection)
{
  FakeKvs *fake = fake_new (TRUE);
  GstKvsSignalingClient *client = client_new (fake, GST_KVS_ROLE_VIEWER);
  Recorder *rec = recorder_new (client);

  start_ok (client);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  g_mutex_lock (&fake->lock);
  fail_unless_equals_int (fake->rest_ports->len, 3);
  for (guint i = 1; i < fake->rest_ports->len; i++)
    fail_unless (g_array_index (fake->rest_ports, guint, i) ==
        g_array_index (fake->rest_ports, guint, 0),
        "REST call %u from port %u, the first from %u", i,
        g_array_index (fake->rest_ports, guint, i),
        g_array_index (fake->rest_ports, guint, 0));
  g_mutex_unlock (&fake->lock);
  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;


/* A frame the service sends as soon as the WebSocket is open (a held
 * offer), while GetIceServerConfig has not answered yet: kept until the
 * client is connected, then delivered, not lost. */
GST_START_TEST (test_frame_before_ice_config_kept)
{
  FakeKvs *fake = fake_new (TRUE);
  GstKvsSignalingClient *client = client_new (fake, GST_KVS_ROLE_MASTER);
  Recorder *rec = recorder_new (client);
  GstKvsMessage *m;

  fake->ice_hold = TRUE;
  fake->greeting = service_frame (GST_KVS_MESSAGE_TYPE_SDP_OFFER,
      "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\no=early\\r\\n\"}",
      "viewer-early");
  start_ok (client);
  WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  WAIT_FOR (&rec->lock, &rec->cond, rec->received->len == 1, 5);
  g_mutex_lock (&rec->lock);
  m = g_ptr_array_index (rec->received, 0);
  fail_unless_equals_int (m->type, GST_KVS_MESSAGE_TYPE_SDP_OFFER);
  fail_unless_equals_string (m->sender_client_id, "viewer-early");
  g_mutex_unlock (&rec->lock);
  g_mutex_lock (&fake->lock);
  fail_unless_equals_int (fake->n_ws_during_ice, 1);
  g_mutex_unlock (&fake->lock);
  client_free (client, rec);
  fake_free (fake);
}

GST_END_TEST;

static Suite *
signalingclient_suite (void)
{
  Suite *s = suite_create ("signalingclient");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_properties);
  tcase_add_test (tc, test_start_config_errors);
  tcase_add_test (tc, test_master_send_needs_recipient);
  tcase_add_test (tc, test_stopped_before_connected_send_failed);
  tcase_add_test (tc, test_master_connect);
  tcase_add_test (tc, test_viewer_connect);
  tcase_add_test (tc, test_ice_config_beside_connect);
  tcase_add_test (tc, test_rest_calls_share_connection);
  tcase_add_test (tc, test_frame_before_ice_config_kept);
  tcase_add_test (tc, test_viewer_generated_client_id);
  tcase_add_test (tc, test_channel_arn_skips_describe);
  tcase_add_test (tc, test_create_channel);
  tcase_add_test (tc, test_channel_not_found_fails);
  tcase_add_test (tc, test_send_before_connected);
  tcase_add_test (tc, test_incoming_dispatch);
  tcase_add_test (tc, test_unknown_and_malformed_ignored);
  tcase_add_test (tc, test_server_close_reconnects);
  tcase_add_test (tc, test_go_away_make_before_break);
  tcase_add_test (tc, test_go_away_replacement_retried);
  tcase_add_test (tc, test_go_away_holds_messages);
  tcase_add_test (tc, test_old_closed_before_replacement_open);
  tcase_add_test (tc, test_max_connection_age_replaces);
  tcase_add_test (tc, test_ice_config_failure_not_fatal);
  tcase_add_test (tc, test_repeated_403_fails);
  tcase_add_test (tc, test_ws_404_describes_again);
  tcase_add_test (tc, test_5xx_reconnects);
  tcase_add_test (tc, test_clock_skew_corrected);
  tcase_add_test (tc, test_stop_from_signal_handler);
  tcase_add_test (tc, test_dispose_stops);
  tcase_add_test (tc, test_ice_servers_refreshed_before_ttl);
  tcase_add_test (tc, test_credentials_replaced_live);
  tcase_add_test (tc, test_missing_pong_reconnects);
  tcase_add_test (tc, test_send_timeout_reported);
  tcase_add_test (tc, test_no_secrets_in_logs);
  tcase_add_test (tc, test_restart);
  tcase_add_test (tc, test_credentials_kept_across_runs);
  tcase_add_test (tc, test_ice_refresh_expired_token_refetches);
  tcase_add_test (tc, test_no_credentials_anywhere_fails_once);
  tcase_add_test (tc, test_ca_file);
  tcase_add_test (tc, test_stats);
  return s;
}

GST_CHECK_MAIN (signalingclient);
