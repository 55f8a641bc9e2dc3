/* The control plane's WebRTC ingestion operations (GetSignalingChannelEndpoint
 * with WEBRTC, JoinStorageSession, JoinStorageSessionAsViewer,
 * Describe/UpdateMediaStorageConfiguration) against the local service
 * (kvs-signaling-server as a subprocess), AWS's error names included.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/check/gstcheck.h>
#include <json-glib/json-glib.h>
#include "gstkvscontrolplane.h"
#include "../../elements/elementutil.h"
#include "testenv.h"

#define CHANNEL "storage-lib"
#define WAIT_US (10 * G_TIME_SPAN_SECOND)

static GMainContext *ctx;
static SoupSession *session;
static GstKvsControlPlane *cp;

static void
setup (void)
{
  static const gchar *const no_vars[] = { NULL };
  g_autofree gchar *storage_dir = NULL;
  const gchar *extra[] = { "--no-turn", "--no-auth", "--storage-dir", NULL,
    NULL
  };
  g_autoptr (GstKvsCredentials) creds = NULL;

  /* The recordings of the joins go into the temporary HOME, removed after. */
  kvs_test_env_setup (no_vars, "kvs-storageplane-XXXXXX");
  storage_dir = g_build_filename (kvs_test_env_home (), "storage", NULL);
  extra[3] = storage_dir;
  elem_service_start ("AKIDSTORAGETEST00001", "storage/secret", CHANNEL, extra);
  ctx = g_main_context_new ();
  g_main_context_push_thread_default (ctx);
  session = soup_session_new ();
  creds = gst_kvs_credentials_new ("AKIDSTORAGETEST00001", "storage/secret",
      NULL, "test");
  cp = gst_kvs_control_plane_new (session, elem_service_endpoint (),
      "us-west-2", creds);
}

static void
teardown (void)
{
  g_clear_object (&cp);
  g_clear_object (&session);
  g_main_context_pop_thread_default (ctx);
  g_main_context_unref (ctx);
  elem_service_stop ();
  kvs_test_env_teardown ();
}

static void
on_done (GObject * source, GAsyncResult * res, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (res);
}

static GAsyncResult *
wait_result (GAsyncResult ** slot)
{
  gint64 end = g_get_monotonic_time () + WAIT_US;

  while (*slot == NULL && g_get_monotonic_time () < end)
    g_main_context_iteration (ctx, FALSE) || (g_usleep (1000), TRUE);
  fail_unless (*slot != NULL, "no reply within 10 s");
  return *slot;
}

/* An unsigned POST (the service runs with --no-auth): the operations the
 * library has no call for. Returns the reply body. */
static gchar *
post (const gchar * path, const gchar * json)
{
  g_autofree gchar *url = g_strconcat (elem_service_endpoint (), path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr (GBytes) body = g_bytes_new (json, strlen (json));
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GError) err = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  reply = soup_session_send_and_read (session, msg, NULL, &err);
  fail_unless (reply != NULL, "%s: %s", url, err ? err->message : "");
  fail_unless_equals_int (soup_message_get_status (msg), 200);
  return g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
}

/* The string member @name of the JSON object @text. */
static gchar *
json_member (const gchar * text, const gchar * name)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  fail_unless (json_parser_load_from_data (parser, text, -1, NULL));
  return g_strdup (json_object_get_string_member (json_node_get_object
          (json_parser_get_root (parser)), name));
}

static gchar *
channel_arn (void)
{
  g_autofree gchar *reply = post ("/describeSignalingChannel",
      "{\"ChannelName\":\"" CHANNEL "\"}");
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *info;

  fail_unless (json_parser_load_from_data (parser, reply, -1, NULL));
  info = json_object_get_object_member (json_node_get_object
      (json_parser_get_root (parser)), "ChannelInfo");
  return g_strdup (json_object_get_string_member (info, "ChannelARN"));
}

static gchar *
create_stream (const gchar * name, guint retention)
{
  g_autofree gchar *json = g_strdup_printf ("{\"StreamName\":\"%s\","
      "\"DataRetentionInHours\":%u}", name, retention);
  g_autofree gchar *reply = post ("/createStream", json);

  return json_member (reply, "StreamARN");
}

static gchar *
webrtc_endpoint (const gchar * arn, GstKvsRole role)
{
  GAsyncResult *res = NULL;
  g_autoptr (GError) err = NULL;
  gchar *url;

  gst_kvs_control_plane_get_webrtc_endpoint_async (cp, arn, role, NULL,
      on_done, &res);
  url = gst_kvs_control_plane_get_webrtc_endpoint_finish (cp,
      wait_result (&res), &err);
  g_object_unref (res);
  fail_unless (url != NULL, "GetSignalingChannelEndpoint WEBRTC: %s",
      err ? err->message : "");
  return url;
}

static gboolean
join (const gchar * endpoint, const gchar * arn, const gchar * client_id,
    GError ** error)
{
  GAsyncResult *res = NULL;
  gboolean ok;

  if (client_id) {
    gst_kvs_control_plane_join_storage_session_as_viewer_async (cp, endpoint,
        arn, client_id, NULL, on_done, &res);
    ok = gst_kvs_control_plane_join_storage_session_as_viewer_finish (cp,
        wait_result (&res), error);
  } else {
    gst_kvs_control_plane_join_storage_session_async (cp, endpoint, arn, NULL,
        on_done, &res);
    ok = gst_kvs_control_plane_join_storage_session_finish (cp,
        wait_result (&res), error);
  }
  g_object_unref (res);
  return ok;
}

static gboolean
update (const gchar * arn, const gchar * stream_arn, gboolean enabled,
    GError ** error)
{
  GAsyncResult *res = NULL;
  gboolean ok;

  gst_kvs_control_plane_update_media_storage_async (cp, arn, stream_arn,
      enabled, NULL, on_done, &res);
  ok = gst_kvs_control_plane_update_media_storage_finish (cp,
      wait_result (&res), error);
  g_object_unref (res);
  return ok;
}

static GstKvsMediaStorageConfiguration *
describe (const gchar * name, const gchar * arn)
{
  GAsyncResult *res = NULL;
  g_autoptr (GError) err = NULL;
  GstKvsMediaStorageConfiguration *config;

  gst_kvs_control_plane_describe_media_storage_async (cp, name, arn, NULL,
      on_done, &res);
  config = gst_kvs_control_plane_describe_media_storage_finish (cp,
      wait_result (&res), &err);
  g_object_unref (res);
  fail_unless (config != NULL, "DescribeMediaStorageConfiguration: %s",
      err ? err->message : "");
  return config;
}

/* A WebSocket connected as @client_id (NULL: the master). */
static SoupWebsocketConnection *
connect_ws (const gchar * arn, const gchar * client_id)
{
  g_autofree gchar *escaped = g_uri_escape_string (arn, NULL, FALSE);
  g_autofree gchar *url = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GError) err = NULL;
  GAsyncResult *res = NULL;
  SoupWebsocketConnection *ws;

  url = g_strdup_printf ("%s/?X-Amz-ChannelARN=%s%s%s",
      elem_service_endpoint (), escaped, client_id ? "&X-Amz-ClientId=" : "",
      client_id ? client_id : "");
  msg = soup_message_new ("GET", url);
  soup_session_websocket_connect_async (session, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, NULL, on_done, &res);
  ws = soup_session_websocket_connect_finish (session, wait_result (&res),
      &err);
  g_object_unref (res);
  fail_unless (ws != NULL, "connect %s: %s", url, err ? err->message : "");
  return ws;
}

GST_START_TEST (test_storage_operations)
{
  g_autofree gchar *arn = channel_arn ();
  g_autofree gchar *stream = create_stream ("lib-stream", 24);
  g_autofree gchar *no_retention = create_stream ("lib-none", 0);
  g_autofree gchar *endpoint = webrtc_endpoint (arn, GST_KVS_ROLE_MASTER);
  g_autoptr (GstKvsMediaStorageConfiguration) before = NULL;
  g_autoptr (GstKvsMediaStorageConfiguration) after = NULL;
  g_autoptr (SoupWebsocketConnection) master = NULL;
  g_autoptr (SoupWebsocketConnection) viewer = NULL;
  g_autoptr (GError) err = NULL;

  fail_unless (g_str_has_prefix (endpoint, "http://127.0.0.1:"), "%s",
      endpoint);

  before = describe (CHANNEL, NULL);
  fail_unless (before->stream_arn == NULL && !before->enabled);

  /* storage not enabled: AWS's InvalidArgumentException */
  fail_if (join (endpoint, arn, NULL, &err));
  fail_unless (g_error_matches (err, GST_KVS_ERROR,
          GST_KVS_ERROR_INVALID_ARGUMENT), "%s", err->message);
  fail_unless (g_str_has_prefix (err->message, "InvalidArgumentException: "),
      "%s", err->message);
  g_clear_error (&err);

  /* a stream that keeps nothing */
  fail_if (update (arn, no_retention, TRUE, &err));
  fail_unless (g_str_has_prefix (err->message, "NoDataRetentionException: "),
      "%s", err->message);
  g_clear_error (&err);

  fail_unless (update (arn, stream, TRUE, &err), "%s", err ? err->message : "");
  after = describe (NULL, arn);
  fail_unless_equals_string (after->stream_arn, stream);
  fail_unless (after->enabled);

  /* no master connected */
  fail_if (join (endpoint, arn, NULL, &err));
  fail_unless (g_error_matches (err, GST_KVS_ERROR,
          GST_KVS_ERROR_RESOURCE_NOT_FOUND), "%s", err->message);
  g_clear_error (&err);

  master = connect_ws (arn, NULL);
  fail_unless (join (endpoint, arn, NULL, &err), "%s", err ? err->message : "");

  /* the viewer must be connected */
  fail_if (join (endpoint, arn, "lib-viewer", &err));
  fail_unless (g_error_matches (err, GST_KVS_ERROR,
          GST_KVS_ERROR_RESOURCE_NOT_FOUND), "%s", err->message);
  g_clear_error (&err);
  viewer = connect_ws (arn, "lib-viewer");
  fail_unless (join (endpoint, arn, "lib-viewer", &err), "%s",
      err ? err->message : "");

  /* a bad client id is refused before anything is sent */
  fail_if (join (endpoint, arn, "bad id!", &err));
  fail_unless (err != NULL);
  g_clear_error (&err);

  soup_websocket_connection_close (viewer, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  soup_websocket_connection_close (master, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
}

GST_END_TEST;

static Suite *
storageplane_suite (void)
{
  Suite *s = suite_create ("kvsstorageplane");
  TCase *tc = tcase_create ("general");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_storage_operations);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (storageplane);
