/* A KVS WebRTC master for every viewer, in C, with kvswebrtcsink: one
 * pipeline description, and the bin's signals to follow the viewers.
 *
 *   webrtcsink-master --channel demo [--endpoint http://127.0.0.1:4566
 *     --region us-west-2 --access-key AK --secret-key SK
 *     --local-addresses 127.0.0.1 --create-channel] [--seconds N]
 *
 * Compare multi-viewer-master.c, which builds the same fan-out (tee, a
 * webrtcbin per viewer) by hand from request-webrtcbin.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#include <gst/gst.h>
#include <glib-unix.h>

typedef struct
{
  GstElement *pipeline;
  GstElement *sink;
  GMainLoop *loop;
} Master;

/* Signaling thread: the webrtcbin for a new viewer, before negotiation.
 * Configure it here (latency, TURN servers, ...); do not block. */
static void
on_webrtcbin_ready (GstElement * sink, const gchar * client_id,
    GstElement * webrtcbin, Master * m)
{
  g_print ("viewer %s: %s made\n", client_id, GST_OBJECT_NAME (webrtcbin));
}

static void
on_viewer_added (GstElement * sink, const gchar * client_id,
    GstElement * webrtcbin, Master * m)
{
  g_print ("viewer %s: session started\n", client_id);
}

static void
on_viewer_removed (GstElement * sink, const gchar * client_id,
    GstElement * webrtcbin, Master * m)
{
  g_print ("viewer %s: gone, its webrtcbin is released\n", client_id);
}

/* Every 5 s: one line per viewer from the stats property. */
static gboolean
print_stats (Master * m)
{
  GstStructure *stats = NULL;
  const GValue *list;
  guint i, n = 0;

  g_object_get (m->sink, "stats", &stats, NULL);
  gst_structure_get_uint (stats, "viewers", &n);
  g_print ("%u viewer(s)\n", n);
  list = gst_structure_get_value (stats, "viewer-stats");
  for (i = 0; list && i < gst_value_array_get_size (list); i++) {
    const GstStructure *v =
        gst_value_get_structure (gst_value_array_get_value (list, i));
    guint64 bytes = 0, duration = 0;
    guint keyframes = 0;

    gst_structure_get_uint64 (v, "bytes-sent", &bytes);
    gst_structure_get_uint64 (v, "duration", &duration);
    gst_structure_get_uint (v, "keyframe-requests", &keyframes);
    g_print ("  %s: %" G_GUINT64_FORMAT " bytes in %" GST_TIME_FORMAT
        ", %u keyframe requests\n", gst_structure_get_string (v,
            "client-id"), bytes, GST_TIME_ARGS (duration), keyframes);
  }
  gst_structure_free (stats);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_bus (GstBus * bus, GstMessage * msg, Master * m)
{
  GError *err = NULL;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:
      gst_message_parse_error (msg, &err, NULL);
      g_printerr ("error from %s: %s\n", GST_OBJECT_NAME (msg->src),
          err->message);
      g_clear_error (&err);
      g_main_loop_quit (m->loop);
      break;
    case GST_MESSAGE_WARNING:
      gst_message_parse_warning (msg, &err, NULL);
      g_printerr ("warning from %s: %s\n", GST_OBJECT_NAME (msg->src),
          err->message);
      g_clear_error (&err);
      break;
    case GST_MESSAGE_LATENCY:
      /* viewers join a running pipeline: their latency counts too */
      gst_bin_recalculate_latency (GST_BIN (m->pipeline));
      break;
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_stop (Master * m)
{
  g_main_loop_quit (m->loop);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  gchar *channel = NULL, *endpoint = NULL, *region = NULL;
  gchar *access_key = NULL, *secret_key = NULL, *addresses = NULL;
  gboolean create = FALSE;
  gint seconds = 0;
  GOptionEntry entries[] = {
    {"channel", 0, 0, G_OPTION_ARG_STRING, &channel, "Channel name", NULL},
    {"endpoint", 0, 0, G_OPTION_ARG_STRING, &endpoint,
        "Control-plane URL", NULL},
    {"region", 0, 0, G_OPTION_ARG_STRING, &region, "AWS region", NULL},
    {"access-key", 0, 0, G_OPTION_ARG_STRING, &access_key, "Access key",
        NULL},
    {"secret-key", 0, 0, G_OPTION_ARG_STRING, &secret_key, "Secret key",
        NULL},
    {"local-addresses", 0, 0, G_OPTION_ARG_STRING, &addresses,
        "Local addresses for ICE", NULL},
    {"create-channel", 0, 0, G_OPTION_ARG_NONE, &create,
        "Create the channel when missing", NULL},
    {"seconds", 0, 0, G_OPTION_ARG_INT, &seconds,
        "Stop after this many seconds (0 = run until interrupted)", NULL},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("- KVS WebRTC master for "
      "every viewer (kvswebrtcsink)");
  GError *err = NULL;
  GstBus *bus;
  Master m = { 0, };
  guint sources[4] = { 0, };
  guint i;
  int ret = 0;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err) || channel == NULL) {
    g_printerr ("%s\n", err ? err->message : "--channel is required");
    return 2;
  }
  g_option_context_free (ctx);

  m.pipeline = gst_parse_launch ("videotestsrc is-live=true ! "
      "video/x-raw,width=320,height=240,framerate=30/1 ! "
      "vp8enc deadline=1 ! kvswebrtcsink name=sink", &err);
  if (m.pipeline == NULL) {
    g_printerr ("%s (is the kvssignaling plugin installed?)\n", err->message);
    return 1;
  }
  g_clear_error (&err);
  m.sink = gst_bin_get_by_name (GST_BIN (m.pipeline), "sink");
  g_object_set (m.sink, "channel-name", channel, "create-channel", create,
      NULL);
  if (endpoint)
    g_object_set (m.sink, "endpoint", endpoint, NULL);
  if (region)
    g_object_set (m.sink, "aws-region", region, NULL);
  if (access_key)
    g_object_set (m.sink, "access-key", access_key, NULL);
  if (secret_key)
    g_object_set (m.sink, "secret-key", secret_key, NULL);
  if (addresses)
    g_object_set (m.sink, "local-addresses", addresses, NULL);
  g_signal_connect (m.sink, "webrtcbin-ready",
      G_CALLBACK (on_webrtcbin_ready), &m);
  g_signal_connect (m.sink, "viewer-added", G_CALLBACK (on_viewer_added), &m);
  g_signal_connect (m.sink, "viewer-removed",
      G_CALLBACK (on_viewer_removed), &m);

  m.loop = g_main_loop_new (NULL, FALSE);
  bus = gst_element_get_bus (m.pipeline);
  gst_bus_add_watch (bus, (GstBusFunc) on_bus, &m);
  sources[0] = g_unix_signal_add (SIGINT, (GSourceFunc) on_stop, &m);
  sources[1] = g_unix_signal_add (SIGTERM, (GSourceFunc) on_stop, &m);
  sources[2] = g_timeout_add_seconds (5, (GSourceFunc) print_stats, &m);

  if (gst_element_set_state (m.pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    g_printerr ("could not start the pipeline\n");
    ret = 1;
  } else {
    g_print ("master on channel %s, waiting for viewers\n", channel);
    if (seconds > 0)
      sources[3] = g_timeout_add_seconds (seconds, (GSourceFunc) on_stop, &m);
    g_main_loop_run (m.loop);
  }

  gst_element_set_state (m.pipeline, GST_STATE_NULL);
  for (i = 0; i < G_N_ELEMENTS (sources); i++)
    if (sources[i])
      g_source_remove (sources[i]);
  gst_bus_remove_watch (bus);
  gst_object_unref (bus);
  gst_object_unref (m.sink);
  gst_object_unref (m.pipeline);
  g_main_loop_unref (m.loop);
  g_free (channel);
  g_free (endpoint);
  g_free (region);
  g_free (access_key);
  g_free (secret_key);
  g_free (addresses);
  gst_deinit ();
  return ret;
}
