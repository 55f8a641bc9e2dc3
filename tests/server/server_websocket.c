/* kvs-signaling-server: the signaling WebSocket: handshake, routing, held
 * messages, limits, bad input, the control API and the timers.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "kvsservertest.h"

#define WAIT_MS 2000
#define QUIET_MS 300

static KvsTestServer *server;

static void
setup (void)
{
  server = kvs_test_server_start (NULL);
}

static void
teardown (void)
{
  kvs_test_server_stop (server);
  server = NULL;
}

/* The next frame is a relayed @type whose payload holds @tag, with
 * senderClientId @sender (NULL: the member must be absent). */
static void
expect_message (KvsTestWs * ws, const gchar * type, const gchar * sender,
    const gchar * tag)
{
  JsonObject *o = kvs_test_ws_next_json (ws, WAIT_MS);
  g_autofree gchar *payload = kvs_test_payload (o);

  fail_unless_equals_string (json_object_get_string_member (o, "messageType"),
      type);
  if (sender) {
    fail_unless_equals_string (json_object_get_string_member_with_default (o,
            "senderClientId", NULL), sender);
  } else {
    fail_if (json_object_has_member (o, "senderClientId"),
        "a message from the master carries senderClientId");
  }
  fail_unless (strstr (payload, tag) != NULL, "payload %s lacks %s", payload,
      tag);
  json_object_unref (o);
}

/* The next frame is a STATUS_RESPONSE for @correlation_id (NULL: none). */
static void
expect_status (KvsTestWs * ws, const gchar * correlation_id,
    const gchar * error_type)
{
  JsonObject *o = kvs_test_ws_next_json (ws, WAIT_MS);
  JsonObject *st;

  fail_unless_equals_string (json_object_get_string_member (o, "messageType"),
      "STATUS_RESPONSE");
  st = json_object_get_object_member (o, "statusResponse");
  fail_unless (st != NULL);
  fail_unless_equals_string (json_object_get_string_member_with_default (st,
          "correlationId", NULL), correlation_id);
  fail_unless_equals_string (json_object_get_string_member (st, "errorType"),
      error_type);
  fail_unless_equals_string (json_object_get_string_member (st, "statusCode"),
      "400");
  fail_unless (json_object_get_string_member_with_default (st, "description",
          NULL) != NULL);
  json_object_unref (o);
}

static void
expect_nothing (KvsTestWs * ws)
{
  g_autofree gchar *frame = kvs_test_ws_next (ws, QUIET_MS);

  fail_unless (frame == NULL, "unexpected frame %s", frame);
}

static void
send_frame (KvsTestWs * ws, const gchar * action, const gchar * recipient,
    const gchar * tag, const gchar * correlation_id)
{
  g_autofree gchar *frame = kvs_test_frame (action, recipient, tag,
      correlation_id);

  kvs_test_ws_send (ws, frame);
}

static gint64
counter (KvsTestServer * s, const gchar * name)
{
  g_autoptr (KvsTestReply) r = kvs_test_control (s, "GET",
      "/_control/counters", NULL);

  fail_unless_equals_int (r->status, 200);
  return kvs_test_reply_int (r, name);
}

static void
expect_refused (const gchar * url, guint expected_status,
    const gchar * expected_type)
{
  g_autofree gchar *error_type = NULL;
  guint status = 0;
  KvsTestWs *ws;

  ws = kvs_test_ws_open (server, url, &status, &error_type);
  fail_unless (ws == NULL, "upgrade accepted, expected %u %s", expected_status,
      expected_type);
  fail_unless_equals_int (status, expected_status);
  fail_unless_equals_string (error_type, expected_type);
}

/* ---- handshake -------------------------------------------------------- */

GST_START_TEST (test_handshake_signature)
{
  g_autofree gchar *arn = kvs_test_create_channel (server, "hs");
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) past = g_date_time_add_minutes (now, -10);
  g_autoptr (GDateTime) future = g_date_time_add_minutes (now, 10);
  g_autoptr (GDateTime) near_future = g_date_time_add_minutes (now, 4);
  g_autofree gchar *good = kvs_test_ws_url (server, arn, "v1");
  g_autofree gchar *tampered = g_strdup (good);
  g_autofree gchar *changed = NULL;
  g_autofree gchar *reordered = NULL;
  g_autofree gchar *url = NULL;
  g_autofree gchar *plain = NULL;
  g_autofree gchar *arn_enc = g_uri_escape_string (arn, NULL, FALSE);
  g_auto (GStrv) parts = NULL;
  gchar *query, *last;
  KvsTestWs *ws;
  guint n;

  ws = kvs_test_ws_open (server, good, NULL, NULL);
  fail_unless (ws != NULL);
  kvs_test_ws_free (ws);

  /* The same parameters in reverse order on the wire. */
  query = strchr (good, '?');
  parts = g_strsplit (query + 1, "&", -1);
  n = g_strv_length (parts);
  {
    GString *s = g_string_new (NULL);
    gint i;

    g_string_append_len (s, good, query - good + 1);
    for (i = n - 1; i >= 0; i--)
      g_string_append_printf (s, "%s%s", parts[i], i > 0 ? "&" : "");
    reordered = g_string_free (s, FALSE);
  }
  ws = kvs_test_ws_open (server, reordered, NULL, NULL);
  fail_unless (ws != NULL, "reordered parameters refused");
  kvs_test_ws_free (ws);

  /* One hex digit of the signature changed. */
  last = tampered + strlen (tampered) - 1;
  *last = *last == '0' ? '1' : '0';
  expect_refused (tampered, 403, "InvalidSignatureException");

  /* A signed parameter changed after signing. */
  changed = g_strdup (good);
  fail_unless (strstr (changed, "X-Amz-ClientId=v1") != NULL);
  strstr (changed, "X-Amz-ClientId=v1")[16] = '2';
  expect_refused (changed, 403, "InvalidSignatureException");

  url = kvs_test_ws_url_full (server, arn, "v1", KVS_TEST_ACCESS_KEY,
      "wrong-secret", KVS_TEST_REGION, NULL, 299);
  expect_refused (url, 403, "InvalidSignatureException");
  g_free (url);

  url = kvs_test_ws_url_full (server, arn, "v1", "AKIDUNKNOWN000000000",
      KVS_TEST_SECRET_KEY, KVS_TEST_REGION, NULL, 299);
  expect_refused (url, 403, "UnrecognizedClientException");
  g_free (url);

  url = kvs_test_ws_url_full (server, arn, NULL, KVS_TEST_ACCESS_KEY,
      KVS_TEST_SECRET_KEY, "eu-west-1", NULL, 299);
  expect_refused (url, 403, "InvalidSignatureException");
  g_free (url);

  /* Expired: signed 10 minutes ago, valid for 5. */
  url = kvs_test_ws_url_full (server, arn, NULL, KVS_TEST_ACCESS_KEY,
      KVS_TEST_SECRET_KEY, KVS_TEST_REGION, past, 300);
  expect_refused (url, 403, "InvalidSignatureException");
  g_free (url);

  /* Clock skew: 10 minutes ahead is refused, 4 minutes ahead accepted. */
  url = kvs_test_ws_url_full (server, arn, NULL, KVS_TEST_ACCESS_KEY,
      KVS_TEST_SECRET_KEY, KVS_TEST_REGION, future, 300);
  expect_refused (url, 403, "InvalidSignatureException");
  g_free (url);
  url = kvs_test_ws_url_full (server, arn, NULL, KVS_TEST_ACCESS_KEY,
      KVS_TEST_SECRET_KEY, KVS_TEST_REGION, near_future, 300);
  ws = kvs_test_ws_open (server, url, NULL, NULL);
  fail_unless (ws != NULL);
  kvs_test_ws_free (ws);

  /* No signature at all. */
  plain = g_strdup_printf ("ws://%s/?X-Amz-ChannelARN=%s", server->authority,
      arn_enc);
  expect_refused (plain, 403, "MissingAuthenticationTokenException");

  fail_unless_equals_int (counter (server, "handshakeRejects"), 8);
  fail_unless_equals_int (counter (server, "authFailures"), 8);
}

GST_END_TEST;

GST_START_TEST (test_handshake_arguments)
{
  g_autofree gchar *arn = kvs_test_create_channel (server, "args");
  g_autofree gchar *url = NULL;
  g_autoptr (GstKvsCredentials) creds =
      gst_kvs_credentials_new (KVS_TEST_ACCESS_KEY, KVS_TEST_SECRET_KEY, NULL,
      "test");
  g_autofree gchar *base = NULL;

  /* Unknown channel. */
  url = kvs_test_ws_url (server, "arn:aws:kinesisvideo:us-west-2:"
      "123456789012:channel/none/1605557568493", NULL);
  expect_refused (url, 404, "ResourceNotFoundException");
  g_free (url);

  /* No channel ARN. */
  base = g_strdup_printf ("ws://%s/?X-Amz-ClientId=v1", server->authority);
  url = gst_kvs_sigv4_presign_url (base, creds, KVS_TEST_REGION,
      GST_KVS_SIGV4_SERVICE, 299, NULL, NULL);
  expect_refused (url, 400, "InvalidArgumentException");
  g_free (url);

  /* Invalid viewer client ids. */
  url = kvs_test_ws_url (server, arn, "AWS_reserved");
  expect_refused (url, 400, "InvalidArgumentException");
  g_free (url);
  url = kvs_test_ws_url (server, arn, "bad%21id");
  expect_refused (url, 400, "InvalidArgumentException");
  g_free (url);

  /* The upgrade is accepted on whatever path was signed. */
  {
    g_autofree gchar *arn_enc = g_uri_escape_string (arn, NULL, FALSE);
    g_autofree gchar *pathed = g_strdup_printf ("ws://%s/any/path?"
        "X-Amz-ChannelARN=%s", server->authority, arn_enc);
    g_autofree gchar *signed_url = gst_kvs_sigv4_presign_url (pathed, creds,
        KVS_TEST_REGION, GST_KVS_SIGV4_SERVICE, 299, NULL, NULL);
    g_autofree gchar *moved = NULL;
    KvsTestWs *ws = kvs_test_ws_open (server, signed_url, NULL, NULL);

    fail_unless (ws != NULL, "upgrade on a signed path refused");
    kvs_test_ws_free (ws);
    /* ... and the path is part of the signature. */
    moved = g_strdup (signed_url);
    memcpy (strstr (moved, "/any/"), "/oth/", 5);
    expect_refused (moved, 403, "InvalidSignatureException");
  }

  /* Temporary credentials: the token is inside the signed query. */
  {
    g_autoptr (GstKvsCredentials) temp =
        gst_kvs_credentials_new (KVS_TEST_ACCESS_KEY, KVS_TEST_SECRET_KEY,
        "FwoGZXIvYXdzEXAMPLETOKEN", "test");
    g_autofree gchar *arn_enc = g_uri_escape_string (arn, NULL, FALSE);
    g_autofree gchar *plain = g_strdup_printf ("ws://%s/?X-Amz-ChannelARN=%s",
        server->authority, arn_enc);
    g_autofree gchar *signed_url = gst_kvs_sigv4_presign_url (plain, temp,
        KVS_TEST_REGION, GST_KVS_SIGV4_SERVICE, 299, NULL, NULL);
    g_autofree gchar *other = NULL;
    KvsTestWs *ws;

    fail_unless (strstr (signed_url, "X-Amz-Security-Token=") != NULL);
    ws = kvs_test_ws_open (server, signed_url, NULL, NULL);
    fail_unless (ws != NULL, "upgrade with a session token refused");
    kvs_test_ws_free (ws);
    other = g_strdup (signed_url);
    memcpy (strstr (other, "EXAMPLETOKEN"), "EXAMPLETOKEX", 12);
    expect_refused (other, 403, "InvalidSignatureException");
  }

  /* The channel is deleted: its ARN is unknown from then on. */
  {
    g_autofree gchar *body = g_strdup_printf ("{\"ChannelARN\":\"%s\"}", arn);
    g_autoptr (KvsTestReply) r = kvs_test_rest (server,
        "/deleteSignalingChannel", body);

    fail_unless_equals_int (r->status, 200);
  }
  url = kvs_test_ws_url (server, arn, NULL);
  expect_refused (url, 404, "ResourceNotFoundException");
}

GST_END_TEST;

/* ---- routing ---------------------------------------------------------- */

GST_START_TEST (test_routing)
{
  g_autofree gchar *arn = kvs_test_create_channel (server, "route");
  KvsTestWs *master = kvs_test_ws_connect (server, arn, NULL);
  KvsTestWs *v1 = kvs_test_ws_connect (server, arn, "v1");
  KvsTestWs *v2 = kvs_test_ws_connect (server, arn, "v2");

  /* viewer -> master, with the viewer's id; the recipient is ignored, so
   * naming another viewer does not reach it. */
  send_frame (v1, "SDP_OFFER", "v2", "offer-v1", NULL);
  expect_message (master, "SDP_OFFER", "v1", "offer-v1");
  send_frame (v2, "ICE_CANDIDATE", NULL, "ice-v2", NULL);
  expect_message (master, "ICE_CANDIDATE", "v2", "ice-v2");

  /* master -> the named viewer only, without senderClientId. */
  send_frame (master, "SDP_ANSWER", "v1", "answer-v1", NULL);
  expect_message (v1, "SDP_ANSWER", NULL, "answer-v1");
  send_frame (master, "ICE_CANDIDATE", "v2", "ice-m", NULL);
  expect_message (v2, "ICE_CANDIDATE", NULL, "ice-m");
  expect_nothing (v2);
  expect_nothing (v1);

  /* master without a recipient: STATUS_RESPONSE with the correlationId,
   * nothing at all without one; the connection stays usable. */
  send_frame (master, "SDP_ANSWER", NULL, "lost", "corr-1");
  expect_status (master, "corr-1", "InvalidArgumentException");
  send_frame (master, "SDP_ANSWER", NULL, "lost", NULL);
  expect_nothing (master);
  expect_nothing (v1);
  send_frame (master, "SDP_ANSWER", "v1", "again", NULL);
  expect_message (v1, "SDP_ANSWER", NULL, "again");

  fail_unless_equals_int (counter (server, "messagesRelayed"), 5);

  kvs_test_ws_free (v2);
  kvs_test_ws_free (v1);
  kvs_test_ws_free (master);
}

GST_END_TEST;

GST_START_TEST (test_pascal_case_keys_accepted)
{
  g_autofree gchar *arn = kvs_test_create_channel (server, "pascal");
  KvsTestWs *master = kvs_test_ws_connect (server, arn, NULL);
  KvsTestWs *viewer = kvs_test_ws_connect (server, arn, "v1");
  g_autofree gchar *frame = kvs_test_frame ("SDP_OFFER", NULL, "pascal",
      "c1");
  g_autofree gchar *pascal = NULL;
  gchar *p;

  /* {"Action":…,"MessagePayload":…,"CorrelationId":…,"IceServerList":[]} */
  pascal = g_strdup_printf ("{\"IceServerList\":[],%s", frame + 1);
  for (p = pascal; (p = strstr (p, "\"action\"")); p++)
    p[1] = 'A';
  for (p = pascal; (p = strstr (p, "\"messagePayload\"")); p++)
    p[1] = 'M';
  for (p = pascal; (p = strstr (p, "\"correlationId\"")); p++)
    p[1] = 'C';
  kvs_test_ws_send (viewer, pascal);
  expect_message (master, "SDP_OFFER", "v1", "pascal");
  expect_nothing (viewer);

  kvs_test_ws_free (viewer);
  kvs_test_ws_free (master);
}

GST_END_TEST;

/* ---- held messages ---------------------------------------------------- */

GST_START_TEST (test_held_for_absent_viewer)
{
  g_autofree gchar *arn = kvs_test_create_channel (server, "hold");
  KvsTestWs *master = kvs_test_ws_connect (server, arn, NULL);
  KvsTestWs *viewer;
  g_autoptr (KvsTestReply) q = NULL;

  send_frame (master, "SDP_OFFER", "late", "offer-1", NULL);
  send_frame (master, "ICE_CANDIDATE", "late", "ice-1", NULL);
  send_frame (master, "ICE_CANDIDATE", "late", "ice-2", NULL);
  kvs_test_iterate (200);

  q = kvs_test_control (server, "GET", "/_control/queues", NULL);
  fail_unless_equals_int (q->status, 200);
  fail_unless (strstr (q->text, "\"clientId\":\"late\""), "%s", q->text);
  fail_unless (strstr (q->text, "\"pending\":3"), "%s", q->text);

  viewer = kvs_test_ws_connect (server, arn, "late");
  expect_message (viewer, "SDP_OFFER", NULL, "offer-1");
  expect_message (viewer, "ICE_CANDIDATE", NULL, "ice-1");
  expect_message (viewer, "ICE_CANDIDATE", NULL, "ice-2");
  expect_nothing (viewer);
  fail_unless_equals_int (counter (server, "messagesHeld"), 3);

  kvs_test_ws_free (viewer);
  kvs_test_ws_free (master);
}

GST_END_TEST;

GST_START_TEST (test_held_overwrite_rules)
{
  g_autofree gchar *arn = kvs_test_create_channel (server, "overwrite");
  KvsTestWs *v1 = kvs_test_ws_connect (server, arn, "v1");
  KvsTestWs *v2 = kvs_test_ws_connect (server, arn, "v2");
  KvsTestWs *master;

  /* No master yet: v1's second offer replaces its first (in its place);
   * v2's offer is another sender's and stays; ICE queues in order. */
  send_frame (v1, "SDP_OFFER", NULL, "offer-old", NULL);
  send_frame (v1, "ICE_CANDIDATE", NULL, "ice-a", NULL);
  /* Frames of two connections have no order between them: let each reach
   * the server before the other sends. */
  kvs_test_iterate (100);
  send_frame (v2, "SDP_OFFER", NULL, "offer-v2", NULL);
  kvs_test_iterate (100);
  send_frame (v1, "ICE_CANDIDATE", NULL, "ice-b", NULL);
  kvs_test_iterate (100);
  send_frame (v1, "SDP_OFFER", NULL, "offer-new", NULL);
  kvs_test_iterate (200);

  master = kvs_test_ws_connect (server, arn, NULL);
  expect_message (master, "SDP_OFFER", "v1", "offer-new");
  expect_message (master, "ICE_CANDIDATE", "v1", "ice-a");
  expect_message (master, "SDP_OFFER", "v2", "offer-v2");
  expect_message (master, "ICE_CANDIDATE", "v1", "ice-b");
  expect_nothing (master);
  fail_unless_equals_int (counter (server, "messagesOverwritten"), 1);

  /* Answers too: the master's second answer to an absent viewer wins. */
  send_frame (master, "SDP_ANSWER", "v3", "answer-old", NULL);
  send_frame (master, "SDP_ANSWER", "v3", "answer-new", NULL);
  kvs_test_iterate (200);
  {
    KvsTestWs *v3 = kvs_test_ws_connect (server, arn, "v3");

    expect_message (v3, "SDP_ANSWER", NULL, "answer-new");
    expect_nothing (v3);
    kvs_test_ws_free (v3);
  }

  kvs_test_ws_free (master);
  kvs_test_ws_free (v2);
  kvs_test_ws_free (v1);
}

GST_END_TEST;

GST_START_TEST (test_held_messages_expire)
{
  const gchar *extra[] = { "--message-ttl", "1", NULL };
  KvsTestServer *s = kvs_test_server_start (extra);
  g_autofree gchar *arn = kvs_test_create_channel (s, "ttl");
  KvsTestWs *master = kvs_test_ws_connect (s, arn, NULL);
  KvsTestWs *viewer;

  send_frame (master, "SDP_OFFER", "slow", "expired", NULL);
  kvs_test_iterate (300);
  fail_unless_equals_int (counter (s, "messagesHeld"), 1);
  fail_unless_equals_int (counter (s, "messagesExpired"), 0);
  kvs_test_iterate (1200);
  fail_unless_equals_int (counter (s, "messagesExpired"), 1);

  viewer = kvs_test_ws_connect (s, arn, "slow");
  expect_nothing (viewer);

  /* A fresh one is still delivered. */
  send_frame (master, "SDP_OFFER", "slow", "fresh", NULL);
  expect_message (viewer, "SDP_OFFER", NULL, "fresh");

  kvs_test_ws_free (viewer);
  kvs_test_ws_free (master);
  kvs_test_server_stop (s);
}

GST_END_TEST;

GST_START_TEST (test_full_queue_refused)
{
  const gchar *extra[] = { "--max-queue", "3", NULL };
  KvsTestServer *s = kvs_test_server_start (extra);
  g_autofree gchar *arn = kvs_test_create_channel (s, "full");
  KvsTestWs *viewer = kvs_test_ws_connect (s, arn, "v1");

  send_frame (viewer, "ICE_CANDIDATE", NULL, "ice-1", NULL);
  send_frame (viewer, "ICE_CANDIDATE", NULL, "ice-2", NULL);
  send_frame (viewer, "ICE_CANDIDATE", NULL, "ice-3", NULL);
  expect_nothing (viewer);
  /* Refused with an error even without a correlationId. */
  send_frame (viewer, "ICE_CANDIDATE", NULL, "ice-4", NULL);
  expect_status (viewer, NULL, "ClientLimitExceededException");
  send_frame (viewer, "ICE_CANDIDATE", NULL, "ice-5", "c5");
  expect_status (viewer, "c5", "ClientLimitExceededException");
  fail_unless_equals_int (counter (s, "messagesRefused"), 2);

  kvs_test_ws_free (viewer);
  kvs_test_server_stop (s);
}

GST_END_TEST;

/* ---- connections ------------------------------------------------------ */

GST_START_TEST (test_newest_master_wins)
{
  g_autofree gchar *arn = kvs_test_create_channel (server, "masters");
  KvsTestWs *m1 = kvs_test_ws_connect (server, arn, NULL);
  KvsTestWs *viewer = kvs_test_ws_connect (server, arn, "v1");
  KvsTestWs *m2 = kvs_test_ws_connect (server, arn, NULL);

  fail_unless (kvs_test_ws_wait_closed (m1, WAIT_MS),
      "the older master was not closed");
  fail_unless_equals_int (m1->close_code, 1000);
  fail_unless (g_queue_is_empty (&m1->frames));

  send_frame (viewer, "SDP_OFFER", NULL, "to-new", NULL);
  expect_message (m2, "SDP_OFFER", "v1", "to-new");
  fail_if (m2->closed);

  kvs_test_ws_free (m2);
  kvs_test_ws_free (viewer);
  kvs_test_ws_free (m1);
}

GST_END_TEST;

GST_START_TEST (test_viewer_limit_and_replacement)
{
  const gchar *extra[] = { "--max-viewers", "2", NULL };
  KvsTestServer *saved = server;
  KvsTestServer *s = kvs_test_server_start (extra);
  g_autofree gchar *arn = kvs_test_create_channel (s, "viewers");
  g_autofree gchar *url = NULL;
  KvsTestWs *master, *v1, *v2, *v1b;

  master = kvs_test_ws_connect (s, arn, NULL);
  v1 = kvs_test_ws_connect (s, arn, "v1");
  v2 = kvs_test_ws_connect (s, arn, "v2");

  server = s;
  url = kvs_test_ws_url (s, arn, "v3");
  expect_refused (url, 400, "ClientLimitExceededException");
  server = saved;

  /* The same id again is not a new viewer: it replaces the old one. */
  v1b = kvs_test_ws_connect (s, arn, "v1");
  fail_unless (kvs_test_ws_wait_closed (v1, WAIT_MS));
  fail_unless_equals_int (v1->close_code, 1000);
  send_frame (master, "SDP_ANSWER", "v1", "to-v1b", NULL);
  expect_message (v1b, "SDP_ANSWER", NULL, "to-v1b");
  fail_unless (g_queue_is_empty (&v1->frames));

  /* A closed viewer frees its place. */
  kvs_test_ws_free (v2);
  kvs_test_iterate (300);
  v2 = kvs_test_ws_connect (s, arn, "v4");

  kvs_test_ws_free (v2);
  kvs_test_ws_free (v1b);
  kvs_test_ws_free (v1);
  kvs_test_ws_free (master);
  kvs_test_server_stop (s);
}

GST_END_TEST;

/* --max-connects-per-second 2: a third connect to the channel within a
 * second is refused with 400 ClientLimitExceededException; a refused one
 * does not count, another channel has its own limit, and a second later
 * the channel admits again. */
GST_START_TEST (test_connect_rate_limit)
{
  const gchar *extra[] = { "--max-connects-per-second", "2", NULL };
  KvsTestServer *saved = server;
  KvsTestServer *s = kvs_test_server_start (extra);
  g_autofree gchar *arn = kvs_test_create_channel (s, "rate");
  g_autofree gchar *other = kvs_test_create_channel (s, "rate-other");
  g_autofree gchar *url = NULL;
  KvsTestWs *master, *v1, *v2, *o1;
  gint64 first = g_get_monotonic_time ();

  master = kvs_test_ws_connect (s, arn, NULL);
  v1 = kvs_test_ws_connect (s, arn, "v1");
  server = s;
  url = kvs_test_ws_url (s, arn, "v2");
  expect_refused (url, 400, "ClientLimitExceededException");
  expect_refused (url, 400, "ClientLimitExceededException");
  server = saved;
  /* the three attempts above must fit in the second for this to show
   * anything (in-process handshakes take milliseconds) */
  fail_unless (g_get_monotonic_time () - first < G_USEC_PER_SEC,
      "the handshakes took over a second");
  o1 = kvs_test_ws_connect (s, other, "o1");

  kvs_test_iterate (1100);
  v2 = kvs_test_ws_connect (s, arn, "v2");

  kvs_test_ws_free (o1);
  kvs_test_ws_free (v2);
  kvs_test_ws_free (v1);
  kvs_test_ws_free (master);
  kvs_test_server_stop (s);
}

GST_END_TEST;

GST_START_TEST (test_delete_channel_closes_connections)
{
  g_autofree gchar *arn = kvs_test_create_channel (server, "doomed");
  g_autofree gchar *body = g_strdup_printf ("{\"ChannelARN\":\"%s\"}", arn);
  KvsTestWs *master = kvs_test_ws_connect (server, arn, NULL);
  g_autoptr (KvsTestReply) r = NULL;

  r = kvs_test_rest (server, "/deleteSignalingChannel", body);
  fail_unless_equals_int (r->status, 200);
  fail_unless (kvs_test_ws_wait_closed (master, WAIT_MS));
  fail_unless_equals_int (master->close_code, 1001);
  kvs_test_ws_free (master);
}

GST_END_TEST;

GST_START_TEST (test_sockets_released)
{
  g_autofree gchar *arn = kvs_test_create_channel (server, "fds");
  g_autofree gchar *bad = NULL;
  guint baseline, i;

  soup_session_abort (server->rest);
  kvs_test_iterate (100);
  baseline = kvs_test_server_fd_count (server);
  for (i = 0; i < 10; i++) {
    g_autofree gchar *id = g_strdup_printf ("v-%u", i);
    KvsTestWs *ws = kvs_test_ws_connect (server, arn, id);

    soup_websocket_connection_close (ws->conn, SOUP_WEBSOCKET_CLOSE_NORMAL,
        NULL);
    fail_unless (kvs_test_ws_wait_closed (ws, WAIT_MS));
    kvs_test_ws_free (ws);
  }
  kvs_test_server_expect_fds_released (server, baseline,
      "10 WebSockets closed by the client");

  bad = kvs_test_ws_url_full (server, arn, NULL, KVS_TEST_ACCESS_KEY,
      "wrong-secret", KVS_TEST_REGION, NULL, 299);
  for (i = 0; i < 10; i++)
    expect_refused (bad, 403, "InvalidSignatureException");
  soup_session_abort (server->ws);
  kvs_test_server_expect_fds_released (server, baseline, "10 refused upgrades");
}

GST_END_TEST;

/* SIGTERM with clients connected: each gets a 1001 close, exit status 0. */
GST_START_TEST (test_sigterm_closes_websockets)
{
  KvsTestServer *s = kvs_test_server_start (NULL);
  g_autofree gchar *arn = kvs_test_create_channel (s, "bye");
  KvsTestWs *master = kvs_test_ws_connect (s, arn, NULL);
  KvsTestWs *viewer = kvs_test_ws_connect (s, arn, "v1");

  kvs_test_server_stop (s);
  fail_unless (kvs_test_ws_wait_closed (master, WAIT_MS));
  fail_unless (kvs_test_ws_wait_closed (viewer, WAIT_MS));
  fail_unless_equals_int (master->close_code, 1001);
  fail_unless_equals_int (viewer->close_code, 1001);
  kvs_test_ws_free (viewer);
  kvs_test_ws_free (master);
}

GST_END_TEST;

/* ---- bad input -------------------------------------------------------- */

GST_START_TEST (test_bad_input_keeps_connection)
{
  const gchar *extra[] = { "--max-frame-size", "4096", NULL };
  KvsTestServer *s = kvs_test_server_start (extra);
  g_autofree gchar *arn = kvs_test_create_channel (s, "bad");
  KvsTestWs *master = kvs_test_ws_connect (s, arn, NULL);
  KvsTestWs *viewer = kvs_test_ws_connect (s, arn, "v1");
  g_autofree gchar *valid = kvs_test_frame ("SDP_OFFER", NULL, "bin", "c-bin");
  g_autofree gchar *big = NULL;
  g_autofree gchar *padding = g_strnfill (5000, 'A');

  /* Malformed JSON: no correlationId can be read, nothing comes back. */
  kvs_test_ws_send (viewer, "{\"action\":\"SDP_OFFER\",");
  expect_nothing (viewer);

  /* Wrong types, missing fields, unknown action, bad payload. */
  kvs_test_ws_send (viewer, "{\"action\":\"SDP_OFFER\",\"messagePayload\":123,"
      "\"correlationId\":\"c-type\"}");
  expect_status (viewer, "c-type", "InvalidArgumentException");
  kvs_test_ws_send (viewer, "{\"action\":\"SDP_OFFER\","
      "\"correlationId\":\"c-missing\"}");
  expect_status (viewer, "c-missing", "InvalidArgumentException");
  kvs_test_ws_send (viewer, "{\"action\":\"HELLO\",\"messagePayload\":"
      "\"e30=\",\"correlationId\":\"c-action\"}");
  expect_status (viewer, "c-action", "InvalidArgumentException");
  kvs_test_ws_send (viewer, "{\"action\":\"SDP_OFFER\",\"messagePayload\":"
      "\"!!!not base64!!!\",\"correlationId\":\"c-b64\"}");
  expect_status (viewer, "c-b64", "InvalidArgumentException");
  kvs_test_ws_send (viewer, "[\"SDP_OFFER\"]");
  expect_nothing (viewer);
  /* Without a correlationId a bad message is dropped silently. */
  kvs_test_ws_send (viewer, "{\"action\":\"SDP_OFFER\",\"messagePayload\":1}");
  expect_nothing (viewer);

  /* A binary frame, even holding a valid message. */
  soup_websocket_connection_send_binary (viewer->conn, valid, strlen (valid));
  expect_status (viewer, "c-bin", "InvalidArgumentException");

  /* Larger than --max-frame-size (but within libsoup's own limit). */
  big = g_strdup_printf ("{\"action\":\"SDP_OFFER\",\"correlationId\":"
      "\"c-big\",\"padding\":\"%s\",\"messagePayload\":\"e30=\"}", padding);
  kvs_test_ws_send (viewer, big);
  expect_status (viewer, "c-big", "InvalidArgumentException");

  /* None of it reached the master; the connection still works. */
  expect_nothing (master);
  fail_if (viewer->closed);
  send_frame (viewer, "SDP_OFFER", NULL, "still-alive", NULL);
  expect_message (master, "SDP_OFFER", "v1", "still-alive");
  fail_unless_equals_int (counter (s, "messagesDropped"), 9);
  fail_unless_equals_int (counter (s, "statusResponses"), 6);

  kvs_test_ws_free (viewer);
  kvs_test_ws_free (master);
  kvs_test_server_stop (s);
}

GST_END_TEST;

/* Mangled copies of valid frames (bytes replaced, cut, duplicated keys,
 * deep nesting): the service answers or drops each, relays none that is
 * invalid, and neither it nor the connection dies. */
GST_START_TEST (test_mangled_frames)
{
  g_autofree gchar *arn = kvs_test_create_channel (server, "mangled");
  KvsTestWs *master = kvs_test_ws_connect (server, arn, NULL);
  KvsTestWs *viewer = kvs_test_ws_connect (server, arn, "v1");
  const gchar *alphabet = "{}[]\":,0123456789abcAZ_-.=+/ \\nulltrue";
  GRand *rand = g_rand_new_with_seed (20261121);
  GString *deep = g_string_new ("{\"action\":");
  gchar *frame;
  guint i, j;

  for (i = 0; i < 200; i++) {
    g_autofree gchar *valid = kvs_test_frame (i % 3 == 0 ? "SDP_OFFER" :
        i % 3 == 1 ? "SDP_ANSWER" : "ICE_CANDIDATE", NULL, "m", NULL);
    gsize len = strlen (valid);
    guint n = g_rand_int_range (rand, 1, 6);

    for (j = 0; j < n; j++)
      valid[g_rand_int_range (rand, 0, len)] =
          alphabet[g_rand_int_range (rand, 0, strlen (alphabet))];
    if (i % 7 == 0)
      valid[g_rand_int_range (rand, 1, len)] = '\0';
    kvs_test_ws_send (viewer, valid);
    if (i % 20 == 0)
      kvs_test_iterate (20);
  }
  for (i = 0; i < 100; i++)
    g_string_append (deep, "[");
  kvs_test_ws_send (viewer, deep->str);
  kvs_test_ws_send (viewer, "{\"action\":\"SDP_OFFER\",\"action\":"
      "\"ICE_CANDIDATE\",\"messagePayload\":null}");
  kvs_test_ws_send (viewer, "{\"action\":\"SDP_OFFER\",\"messagePayload\":"
      "\"e30=\",\"correlationId\":1e999}");
  kvs_test_ws_send (viewer, "");
  kvs_test_ws_send (viewer, "null");

  /* Whatever got through is a relayed message of the right shape. */
  while ((frame = kvs_test_ws_next (master, QUIET_MS))) {
    fail_unless (strstr (frame, "\"senderClientId\":\"v1\""), "%s", frame);
    g_free (frame);
  }
  fail_if (viewer->closed);
  fail_if (master->closed);
  send_frame (viewer, "SDP_OFFER", NULL, "survivor", NULL);
  expect_message (master, "SDP_OFFER", "v1", "survivor");

  g_string_free (deep, TRUE);
  g_rand_free (rand);
  kvs_test_ws_free (viewer);
  kvs_test_ws_free (master);
}

GST_END_TEST;

GST_START_TEST (test_throttling)
{
  g_autofree gchar *arn = kvs_test_create_channel (server, "throttle");
  KvsTestWs *master = kvs_test_ws_connect (server, arn, NULL);
  KvsTestWs *viewer = kvs_test_ws_connect (server, arn, "v1");
  guint i, relayed = 0, refused = 0, offers_relayed;
  gchar *frame;

  /* 8 offers at once: 5 pass (5/s), the rest are refused. */
  for (i = 0; i < 8; i++) {
    g_autofree gchar *corr = g_strdup_printf ("o%u", i);

    send_frame (viewer, "SDP_OFFER", NULL, corr, corr);
  }
  while ((frame = kvs_test_ws_next (master, QUIET_MS))) {
    relayed++;
    g_free (frame);
  }
  while ((frame = kvs_test_ws_next (viewer, QUIET_MS))) {
    fail_unless (strstr (frame, "ClientLimitExceededException"), "%s", frame);
    refused++;
    g_free (frame);
  }
  fail_unless (relayed >= 5 && relayed <= 6, "%u offers relayed", relayed);
  fail_unless_equals_int (relayed + refused, 8);
  offers_relayed = relayed;

  /* ICE has its own bucket of 20/s. */
  relayed = refused = 0;
  for (i = 0; i < 26; i++) {
    g_autofree gchar *corr = g_strdup_printf ("i%u", i);

    send_frame (viewer, "ICE_CANDIDATE", NULL, corr, corr);
  }
  while ((frame = kvs_test_ws_next (master, QUIET_MS))) {
    relayed++;
    g_free (frame);
  }
  while ((frame = kvs_test_ws_next (viewer, QUIET_MS))) {
    fail_unless (strstr (frame, "ClientLimitExceededException"), "%s", frame);
    refused++;
    g_free (frame);
  }
  fail_unless (relayed >= 20 && relayed <= 22, "%u candidates relayed",
      relayed);
  fail_unless_equals_int (relayed + refused, 26);
  fail_unless_equals_int (counter (server, "messagesThrottled"),
      (8 - offers_relayed) + (26 - relayed));

  kvs_test_ws_free (viewer);
  kvs_test_ws_free (master);
}

GST_END_TEST;

/* ---- control API ------------------------------------------------------ */

GST_START_TEST (test_control_api)
{
  const gchar *extra[] = { "--go-away-grace", "1", NULL };
  KvsTestServer *s = kvs_test_server_start (extra);
  g_autofree gchar *arn = kvs_test_create_channel (s, "ctl");
  KvsTestWs *master = kvs_test_ws_connect (s, arn, NULL);
  KvsTestWs *viewer = kvs_test_ws_connect (s, arn, "v1");
  KvsTestWs *other = kvs_test_ws_connect (s, arn, "v2");
  g_autoptr (KvsTestReply) list = NULL;
  g_autoptr (KvsTestReply) r = NULL;
  JsonArray *conns;
  JsonObject *o;
  gint64 go_away_at;
  guint i, masters = 0, viewers = 0;

  list = kvs_test_control (s, "GET", "/_control/connections", NULL);
  fail_unless_equals_int (list->status, 200);
  conns = json_object_get_array_member (json_node_get_object (list->json),
      "connections");
  fail_unless_equals_int (json_array_get_length (conns), 3);
  for (i = 0; i < 3; i++) {
    JsonObject *c = json_array_get_object_element (conns, i);

    fail_unless_equals_string (json_object_get_string_member (c, "channelArn"),
        arn);
    fail_unless_equals_string (json_object_get_string_member (c,
            "channelName"), "ctl");
    fail_unless (json_object_get_string_member (c, "connectedSince") != NULL);
    if (g_str_equal (json_object_get_string_member (c, "role"), "master")) {
      fail_unless (json_node_is_null (json_object_get_member (c, "clientId")));
      masters++;
    } else {
      viewers++;
    }
  }
  fail_unless_equals_int (masters, 1);
  fail_unless_equals_int (viewers, 2);

  /* RECONNECT_ICE_SERVER to one viewer. */
  r = kvs_test_control (s, "POST", "/_control/reconnect-ice-server",
      "{\"channelName\":\"ctl\",\"clientId\":\"v1\"}");
  fail_unless_equals_int (r->status, 200);
  fail_unless_equals_int (kvs_test_reply_int (r, "affected"), 1);
  o = kvs_test_ws_next_json (viewer, WAIT_MS);
  fail_unless_equals_string (json_object_get_string_member (o, "messageType"),
      "RECONNECT_ICE_SERVER");
  json_object_unref (o);
  expect_nothing (other);
  g_clear_pointer (&r, kvs_test_reply_free);

  /* GO_AWAY to the master, then a 1001 close after the 1 s grace. */
  {
    g_autofree gchar *body = g_strdup_printf ("{\"channelArn\":\"%s\","
        "\"role\":\"master\"}", arn);

    r = kvs_test_control (s, "POST", "/_control/go-away", body);
  }
  go_away_at = g_get_monotonic_time ();
  fail_unless_equals_int (r->status, 200);
  g_clear_pointer (&r, kvs_test_reply_free);
  o = kvs_test_ws_next_json (master, WAIT_MS);
  fail_unless_equals_string (json_object_get_string_member (o, "messageType"),
      "GO_AWAY");
  json_object_unref (o);
  fail_unless (kvs_test_ws_wait_closed (master, 3000));
  fail_unless_equals_int (master->close_code, 1001);
  fail_unless (master->closed_at - go_away_at >= 800 * 1000,
      "closed %" G_GINT64_FORMAT " ms after GO_AWAY",
      (master->closed_at - go_away_at) / 1000);

  /* drop: the TCP connection ends without a close frame. */
  r = kvs_test_control (s, "POST", "/_control/drop",
      "{\"channelName\":\"ctl\",\"clientId\":\"v2\"}");
  fail_unless_equals_int (r->status, 200);
  g_clear_pointer (&r, kvs_test_reply_free);
  fail_unless (kvs_test_ws_wait_closed (other, WAIT_MS));
  fail_if (other->close_code == 1000 || other->close_code == 1001,
      "a close frame (%u) came", other->close_code);
  kvs_test_iterate (200);
  fail_unless_equals_int (counter (s, "connectionsCurrent"), 1);

  /* Errors. */
  r = kvs_test_control (s, "POST", "/_control/go-away",
      "{\"channelName\":\"ctl\",\"clientId\":\"nobody\"}");
  fail_unless_equals_int (r->status, 404);
  g_clear_pointer (&r, kvs_test_reply_free);
  r = kvs_test_control (s, "POST", "/_control/go-away",
      "{\"channelName\":\"nochannel\"}");
  fail_unless_equals_int (r->status, 404);
  g_clear_pointer (&r, kvs_test_reply_free);
  r = kvs_test_control (s, "POST", "/_control/go-away", "{}");
  fail_unless_equals_int (r->status, 400);
  g_clear_pointer (&r, kvs_test_reply_free);
  r = kvs_test_control (s, "GET", "/_control/nothing", NULL);
  fail_unless_equals_int (r->status, 404);

  kvs_test_ws_free (other);
  kvs_test_ws_free (viewer);
  kvs_test_ws_free (master);
  kvs_test_server_stop (s);
}

GST_END_TEST;

/* ---- timers ----------------------------------------------------------- */

GST_START_TEST (test_idle_timeout_pings_count)
{
  const gchar *extra[] = { "--idle-timeout", "2", NULL };
  KvsTestServer *s = kvs_test_server_start (extra);
  g_autofree gchar *arn = kvs_test_create_channel (s, "idle");
  KvsTestWs *silent = kvs_test_ws_connect (s, arn, "silent");
  KvsTestWs *pinging = kvs_test_ws_connect (s, arn, "pinging");
  gint64 start = g_get_monotonic_time ();

  soup_websocket_connection_set_keepalive_interval (pinging->conn, 1);
  fail_unless (kvs_test_ws_wait_closed (silent, 4000));
  fail_unless_equals_int (silent->close_code, 1001);
  fail_unless (silent->closed_at - start >= 1500 * 1000);
  kvs_test_iterate (1500);
  fail_if (pinging->closed, "a pinging client was closed as idle");

  kvs_test_ws_free (pinging);
  kvs_test_ws_free (silent);
  kvs_test_server_stop (s);
}

GST_END_TEST;

GST_START_TEST (test_max_connection_duration)
{
  const gchar *extra[] = { "--max-connection-duration", "1",
    "--go-away-grace", "1", NULL
  };
  KvsTestServer *s = kvs_test_server_start (extra);
  g_autofree gchar *arn = kvs_test_create_channel (s, "duration");
  KvsTestWs *master = kvs_test_ws_connect (s, arn, NULL);
  gint64 start = g_get_monotonic_time (), got;
  JsonObject *o;

  o = kvs_test_ws_next_json (master, 3000);
  got = g_get_monotonic_time ();
  fail_unless_equals_string (json_object_get_string_member (o, "messageType"),
      "GO_AWAY");
  json_object_unref (o);
  fail_unless (got - start >= 800 * 1000);
  fail_if (master->closed);
  fail_unless (kvs_test_ws_wait_closed (master, 3000));
  fail_unless_equals_int (master->close_code, 1001);
  fail_unless (master->closed_at - got >= 800 * 1000);

  kvs_test_ws_free (master);
  kvs_test_server_stop (s);
}

GST_END_TEST;

static Suite *
server_websocket_suite (void)
{
  Suite *s = suite_create ("server_websocket");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_handshake_signature);
  tcase_add_test (tc, test_handshake_arguments);
  tcase_add_test (tc, test_routing);
  tcase_add_test (tc, test_pascal_case_keys_accepted);
  tcase_add_test (tc, test_held_for_absent_viewer);
  tcase_add_test (tc, test_held_overwrite_rules);
  tcase_add_test (tc, test_held_messages_expire);
  tcase_add_test (tc, test_full_queue_refused);
  tcase_add_test (tc, test_newest_master_wins);
  tcase_add_test (tc, test_viewer_limit_and_replacement);
  tcase_add_test (tc, test_connect_rate_limit);
  tcase_add_test (tc, test_delete_channel_closes_connections);
  tcase_add_test (tc, test_sockets_released);
  tcase_add_test (tc, test_sigterm_closes_websockets);
  tcase_add_test (tc, test_bad_input_keeps_connection);
  tcase_add_test (tc, test_mangled_frames);
  tcase_add_test (tc, test_throttling);
  tcase_add_test (tc, test_control_api);
  tcase_add_test (tc, test_idle_timeout_pings_count);
  tcase_add_test (tc, test_max_connection_duration);
  return s;
}

GST_CHECK_MAIN (server_websocket);
