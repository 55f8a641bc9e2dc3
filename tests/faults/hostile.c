/* Hostile or broken service replies, from an in-process fake (SoupServer
 * on 127.0.0.1:0 in its own thread): truncated JSON, wrong types, huge
 * bodies, endless redirects, no answer at all, a hung replacement
 * handshake, a huge WebSocket frame. Each ends in a clear failure of the
 * attempt and a retry with backoff, never a crash, a hang or an "error"
 * (these can heal), and the client connects once the service behaves.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <libsoup/soup.h>
#include "faultutil.h"
#include "kvsfakeserver.h"

#define CHANNEL "hostile"
#define ARN "arn:aws:kinesisvideo:us-west-2:123456789012:channel/hostile/1"
#define GOOD_DESCRIBE "{\"ChannelInfo\":{\"ChannelName\":\"" CHANNEL "\"," \
  "\"ChannelARN\":\"" ARN "\",\"ChannelType\":\"SINGLE_MASTER\"," \
  "\"ChannelStatus\":\"ACTIVE\",\"Version\":\"1\"}}"

typedef enum
{
  DESCRIBE_GOOD,
  DESCRIBE_TRUNCATED,
  DESCRIBE_WRONG_TYPES,
  DESCRIBE_HUGE,
  DESCRIBE_REDIRECT_LOOP,
  DESCRIBE_NEVER_ANSWER,
} DescribeMode;

typedef struct
{
  GMutex lock;
  GCond cond;
  KvsFakeServer *srv;

  DescribeMode describe;
  gboolean hang_ws;             /* WebSocket upgrades are never answered */
  guint n_describe, n_ws, n_ws_hung;
  GPtrArray *conns;
  GPtrArray *paused;            /* SoupServerMessage never answered */
} Fake;

static void
reply (SoupServerMessage * msg, guint status, const gchar * body, gsize len)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
      body, len);
}

static void
handler (SoupServer * server, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer user_data)
{
  Fake *fake = user_data;
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  const gchar *upgrade = soup_message_headers_get_one (req, "Upgrade");

  g_mutex_lock (&fake->lock);
  if (upgrade) {
    if (fake->hang_ws) {
      fake->n_ws_hung++;
      g_ptr_array_add (fake->paused, g_object_ref (msg));
      soup_server_message_pause (msg);
    }
    /* else: the WebSocket handler takes over */
  } else if (g_str_equal (path, "/describeSignalingChannel")) {
    fake->n_describe++;
    switch (fake->describe) {
      case DESCRIBE_GOOD:
        reply (msg, 200, GOOD_DESCRIBE, strlen (GOOD_DESCRIBE));
        break;
      case DESCRIBE_TRUNCATED:
        reply (msg, 200, GOOD_DESCRIBE, strlen (GOOD_DESCRIBE) / 2);
        break;
      case DESCRIBE_WRONG_TYPES:{
        const gchar *body = "{\"ChannelInfo\":{\"ChannelName\":[1,2],"
            "\"ChannelARN\":42,\"ChannelStatus\":{\"x\":true}}}";
        reply (msg, 200, body, strlen (body));
        break;
      }
      case DESCRIBE_HUGE:{
        /* 8 MiB of a valid-looking JSON string */
        gsize len = 8 * 1024 * 1024;
        gchar *body = g_malloc (len);

        memset (body, 'a', len);
        memcpy (body, "{\"ChannelInfo\":{\"ChannelName\":\"", 32);
        soup_server_message_set_status (msg, 200, NULL);
        soup_server_message_set_response (msg, "application/json",
            SOUP_MEMORY_TAKE, body, len);
        break;
      }
      case DESCRIBE_REDIRECT_LOOP:{
        g_autofree gchar *self_url = g_strdup_printf ("%s%s",
            fake->srv->http_base, path);

        /* libsoup follows a 302 of a POST as a GET, up to 20 times */
        soup_server_message_set_redirect (msg, 302, self_url);
        break;
      }
      case DESCRIBE_NEVER_ANSWER:
        g_ptr_array_add (fake->paused, g_object_ref (msg));
        soup_server_message_pause (msg);
        break;
    }
  } else if (g_str_equal (path, "/getSignalingChannelEndpoint")) {
    g_autofree gchar *body = g_strdup_printf ("{\"ResourceEndpointList\":["
        "{\"Protocol\":\"WSS\",\"ResourceEndpoint\":\"%s\"},"
        "{\"Protocol\":\"HTTPS\",\"ResourceEndpoint\":\"%s\"}]}",
        fake->srv->ws_base, fake->srv->http_base);
    reply (msg, 200, body, strlen (body));
  } else if (g_str_equal (path, "/v1/get-ice-server-config")) {
    reply (msg, 200, "{\"IceServerList\":[]}", 19);
  } else {
    reply (msg, 404, "{}", 2);
  }
  g_cond_broadcast (&fake->cond);
  g_mutex_unlock (&fake->lock);
}

static void
on_ws (SoupServer * server, SoupServerMessage * msg, const char *path,
    SoupWebsocketConnection * conn, gpointer user_data)
{
  Fake *fake = user_data;

  g_mutex_lock (&fake->lock);
  fake->n_ws++;
  g_ptr_array_add (fake->conns, g_object_ref (conn));
  g_cond_broadcast (&fake->cond);
  g_mutex_unlock (&fake->lock);
}

static Fake *
fake_new (DescribeMode mode)
{
  Fake *fake = g_new0 (Fake, 1);

  g_mutex_init (&fake->lock);
  g_cond_init (&fake->cond);
  fake->describe = mode;
  fake->conns = g_ptr_array_new_with_free_func (g_object_unref);
  fake->paused = g_ptr_array_new_with_free_func (g_object_unref);
  fake->srv = kvs_fake_server_new (NULL, handler, on_ws, fake);
  return fake;
}

/* Describes well again, answers what it held back. */
static void
do_set_good (gpointer data)
{
  Fake *fake = data;

  fake->describe = DESCRIBE_GOOD;
  /* the paused ones answer now */
  for (guint i = 0; i < fake->paused->len; i++) {
    SoupServerMessage *msg = g_ptr_array_index (fake->paused, i);

    reply (msg, 503, "{}", 2);
    soup_server_message_unpause (msg);
  }
  g_ptr_array_set_size (fake->paused, 0);
  fake->hang_ws = FALSE;
}

static void
fake_set_good (Fake * fake)
{
  kvs_fake_server_call (fake->srv, do_set_good, fake);
}

static void
do_send_huge (gpointer data)
{
  Fake *fake = data;
  gsize len = 1024 * 1024;
  gchar *text = g_malloc (len + 1);

  memset (text, 'x', len);
  text[len] = '\0';
  soup_websocket_connection_send_text (g_ptr_array_index (fake->conns,
          fake->conns->len - 1), text);
  g_free (text);
}

static void
do_send_go_away (gpointer data)
{
  Fake *fake = data;

  fake->hang_ws = TRUE;
  soup_websocket_connection_send_text (g_ptr_array_index (fake->conns,
          fake->conns->len - 1), "{\"messageType\":\"GO_AWAY\"}");
}

static void
do_teardown (gpointer data)
{
  Fake *fake = data;

  do_set_good (fake);
  for (guint i = 0; i < fake->conns->len; i++) {
    SoupWebsocketConnection *conn = g_ptr_array_index (fake->conns, i);

    if (soup_websocket_connection_get_state (conn) == SOUP_WEBSOCKET_STATE_OPEN)
      g_io_stream_close (soup_websocket_connection_get_io_stream (conn),
          NULL, NULL);
  }
  g_ptr_array_set_size (fake->conns, 0);
}

static void
fake_free (Fake * fake)
{
  kvs_fake_server_free (fake->srv, do_teardown, fake);
  g_ptr_array_unref (fake->conns);
  g_ptr_array_unref (fake->paused);
  g_mutex_clear (&fake->lock);
  g_cond_clear (&fake->cond);
  g_free (fake);
}

/* ---- the client -------------------------------------------------------- */

static GstKvsSignalingClient *
client_new (Fake * fake)
{
  GstKvsSignalingClient *client =
      gst_kvs_signaling_client_new (GST_KVS_ROLE_MASTER, CHANNEL);

  g_object_set (client, "endpoint", fake->srv->http_base, "region",
      FAULT_REGION, "access-key", FAULT_AK, "secret-key", FAULT_SK,
      "request-timeout", 1, NULL);
  return client;
}

static guint
count (const gchar * haystack, const gchar * needle)
{
  guint n = 0;

  for (const gchar * p = strstr (haystack, needle); p;
      p = strstr (p + 1, needle))
    n++;
  return n;
}

/* The describe step failed and was retried at least twice, without an
 * "error" signal; once the service behaves the client connects. */
static void
check_retried_then_heals (Fake * fake, GstKvsSignalingClient * client,
    FaultRecorder * rec)
{
  FAULT_WAIT (&rec->lock, &rec->cond,
      count (rec->states->str, "describe,disconnected") >= 3, 15);
  g_mutex_lock (&rec->lock);
  fail_unless (rec->error == NULL, "gave up: %s",
      rec->error ? rec->error->message : "");
  fail_unless_equals_int (rec->n_connected, 0);
  g_mutex_unlock (&rec->lock);

  fake_set_good (fake);
  FAULT_WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 15);
  {
    g_autofree gchar *arn = gst_kvs_signaling_client_dup_channel_arn (client);

    fail_unless_equals_string (arn, ARN);
  }
}

static void
run_describe_case (DescribeMode mode)
{
  Fake *fake = fake_new (mode);
  GstKvsSignalingClient *client = client_new (fake);
  FaultRecorder *rec = fault_recorder_new (client);

  fault_start (client);
  check_retried_then_heals (fake, client, rec);
  fault_recorder_free (rec);
  fake_free (fake);
}

GST_START_TEST (test_truncated_json)
{
  run_describe_case (DESCRIBE_TRUNCATED);
}

GST_END_TEST;

GST_START_TEST (test_wrong_types)
{
  run_describe_case (DESCRIBE_WRONG_TYPES);
}

GST_END_TEST;

GST_START_TEST (test_huge_reply)
{
  run_describe_case (DESCRIBE_HUGE);
}

GST_END_TEST;

/* A 302 to itself: never followed (one request per attempt). */
GST_START_TEST (test_endless_redirects)
{
  Fake *fake = fake_new (DESCRIBE_REDIRECT_LOOP);
  GstKvsSignalingClient *client = client_new (fake);
  FaultRecorder *rec = fault_recorder_new (client);
  guint attempts, requests;

  fault_start (client);
  FAULT_WAIT (&rec->lock, &rec->cond,
      count (rec->states->str, "describe,disconnected") >= 3, 15);
  g_mutex_lock (&rec->lock);
  attempts = count (rec->states->str, "describe");
  g_mutex_unlock (&rec->lock);
  g_mutex_lock (&fake->lock);
  requests = fake->n_describe;
  g_mutex_unlock (&fake->lock);
  fail_unless (requests <= attempts, "%u requests for %u attempts: the "
      "redirect was followed", requests, attempts);
  check_retried_then_heals (fake, client, rec);
  fault_recorder_free (rec);
  fake_free (fake);
}

GST_END_TEST;

/* No answer at all: request-timeout (1 s) abandons the call, the client
 * retries, and stop() returns at once. */
GST_START_TEST (test_no_answer_times_out)
{
  Fake *fake = fake_new (DESCRIBE_NEVER_ANSWER);
  GstKvsSignalingClient *client = client_new (fake);
  FaultRecorder *rec = fault_recorder_new (client);
  gint64 start = g_get_monotonic_time ();

  fault_start (client);
  FAULT_WAIT (&rec->lock, &rec->cond,
      count (rec->states->str, "describe,disconnected") >= 2, 10);
  /* each attempt took about request-timeout */
  fail_unless (g_get_monotonic_time () - start >= 2 * G_TIME_SPAN_SECOND);
  g_mutex_lock (&fake->lock);
  fail_unless (fake->n_describe >= 2);
  g_mutex_unlock (&fake->lock);

  /* stop() while a call hangs: bounded */
  FAULT_WAIT (&rec->lock, &rec->cond,
      rec->state == GST_KVS_SIGNALING_STATE_DESCRIBE, 10);
  start = g_get_monotonic_time ();
  gst_kvs_signaling_client_stop (client);
  fail_unless (g_get_monotonic_time () - start < 3 * G_TIME_SPAN_SECOND);

  fault_recorder_free (rec);
  fake_free (fake);
}

GST_END_TEST;

/* GO_AWAY, then the replacement's handshake is never answered: it is
 * abandoned after request-timeout and tried again. */
GST_START_TEST (test_hung_replacement_handshake)
{
  Fake *fake = fake_new (DESCRIBE_GOOD);
  GstKvsSignalingClient *client = client_new (fake);
  FaultRecorder *rec = fault_recorder_new (client);
  gint64 end;

  fault_start (client);
  FAULT_WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  FAULT_WAIT (&fake->lock, &fake->cond, fake->n_ws == 1, 5);
  kvs_fake_server_call (fake->srv, do_send_go_away, fake);
  FAULT_WAIT (&fake->lock, &fake->cond, fake->n_ws_hung >= 2, 10);
  fake_set_good (fake);
  FAULT_WAIT (&fake->lock, &fake->cond, fake->n_ws == 2, 10);
  /* a counter, not a recorded event (nothing signals the recorder): polled.
   * Waiting on the recorder kept the fake alive 5 s after the old
   * connection's close, long enough for libsoup 3.2.3's close timer of that
   * connection to fire, and that timer leaks its GSource when it fires
   * (on_timeout_close_io): a LeakSanitizer report. */
  end = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;
  while (fault_stat (client, "reconnects") < 1 && g_get_monotonic_time () < end)
    g_usleep (20 * 1000);
  fail_unless_equals_uint64 (fault_stat (client, "reconnects"), 1);
  g_mutex_lock (&rec->lock);
  fail_unless_equals_int (rec->n_disconnected, 0);
  g_mutex_unlock (&rec->lock);
  fault_recorder_free (rec);
  fake_free (fake);
}

GST_END_TEST;

/* A 1 MiB frame (the client accepts 256 KiB): the connection is closed and
 * replaced, the client goes on. */
GST_START_TEST (test_huge_frame_reconnects)
{
  Fake *fake = fake_new (DESCRIBE_GOOD);
  GstKvsSignalingClient *client = client_new (fake);
  FaultRecorder *rec = fault_recorder_new (client);

  fault_start (client);
  FAULT_WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  FAULT_WAIT (&fake->lock, &fake->cond, fake->n_ws == 1, 5);
  kvs_fake_server_call (fake->srv, do_send_huge, fake);
  FAULT_WAIT (&rec->lock, &rec->cond, rec->n_disconnected == 1, 5);
  FAULT_WAIT (&rec->lock, &rec->cond, rec->n_connected == 2, 10);
  FAULT_WAIT (&fake->lock, &fake->cond, fake->n_ws == 2, 5);
  g_mutex_lock (&rec->lock);
  fail_unless_equals_int (rec->from_peers->len, 0);
  fail_unless (rec->error == NULL);
  g_mutex_unlock (&rec->lock);
  fault_recorder_free (rec);
  fake_free (fake);
}

GST_END_TEST;

static Suite *
hostile_suite (void)
{
  Suite *s = suite_create ("faults-hostile");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_truncated_json);
  tcase_add_test (tc, test_wrong_types);
  tcase_add_test (tc, test_huge_reply);
  tcase_add_test (tc, test_endless_redirects);
  tcase_add_test (tc, test_no_answer_times_out);
  tcase_add_test (tc, test_hung_replacement_handshake);
  tcase_add_test (tc, test_huge_frame_reconnects);
  return s;
}

GST_CHECK_MAIN (hostile);
