/* A KVS WebRTC master serving several viewers (up to the service's ten).
 *
 * One test pattern is encoded once (VP8) and fanned out with a tee. Each
 * viewer that sends an offer gets its own webrtcbin: kvssignalingsrc asks
 * for it with the "request-webrtcbin" signal, and "peer-removed" says when
 * it can go.
 *
 *   multi-viewer-master --channel demo [--endpoint http://127.0.0.1:4566]
 *     [--region us-west-2] [--access-key AK --secret-key SK]
 *     [--local-addresses 127.0.0.1] [--create-channel] [--seconds N]
 *
 * Credentials, region and endpoint follow the AWS chain when not given.
 * Ctrl-C (SIGINT) or SIGTERM stops it cleanly: everything is freed and
 * gst_deinit() called, so leak checkers see only real leaks.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#include <gst/gst.h>
#include <glib-unix.h>
#include <stdlib.h>

#define VP8_RTP_CAPS "application/x-rtp,media=video,encoding-name=VP8," \
  "payload=96,clock-rate=90000"

typedef struct
{
  GstElement *pipeline;
  GstElement *tee;
  GMainLoop *loop;
  GMutex lock;
  GHashTable *branches;         /* client id -> GstElement (queue) */
} Master;

/* Called from the signaling thread when a new viewer offers: add a branch
 * tee ! queue ! webrtcbin and hand the webrtcbin back (a new reference). */
static GstElement *
on_request_webrtcbin (GstElement * src, const gchar * client_id, Master * m)
{
  GstElement *queue, *webrtcbin;
  GstPad *teepad, *sinkpad;

  g_print ("viewer %s: new webrtcbin\n", client_id);
  queue = gst_element_factory_make ("queue", NULL);
  webrtcbin = gst_element_factory_make ("webrtcbin", NULL);
  gst_util_set_object_arg (G_OBJECT (webrtcbin), "bundle-policy", "max-bundle");
  gst_bin_add_many (GST_BIN (m->pipeline), queue, webrtcbin, NULL);
  gst_element_link (queue, webrtcbin);

  /* Running before linked to the tee: a pad still flushing would return
   * FLUSHING to the tee and stop the shared encoder for every viewer. */
  gst_element_sync_state_with_parent (webrtcbin);
  gst_element_sync_state_with_parent (queue);

  teepad = gst_element_request_pad_simple (m->tee, "src_%u");
  sinkpad = gst_element_get_static_pad (queue, "sink");
  gst_pad_link (teepad, sinkpad);
  gst_object_unref (sinkpad);
  gst_object_unref (teepad);

  g_mutex_lock (&m->lock);
  g_hash_table_insert (m->branches, g_strdup (client_id),
      gst_object_ref (queue));
  g_mutex_unlock (&m->lock);
  return gst_object_ref (webrtcbin);
}

static void
on_peer_removed (GstElement * src, const gchar * client_id, Master * m)
{
  /* The session ended; a real application would unlink and remove the
   * branch here (from the main thread, not from this signaling thread). */
  g_print ("viewer %s: session ended\n", client_id ? client_id : "?");
}

static void
on_peer_added (GstElement * src, const gchar * client_id, Master * m)
{
  g_print ("viewer %s: session started\n", client_id);
}

static gboolean
on_bus (GstBus * bus, GstMessage * msg, Master * m)
{
  GError *err = NULL;
  gchar *debug = NULL;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:
      gst_message_parse_error (msg, &err, &debug);
      g_printerr ("error from %s: %s\n", GST_OBJECT_NAME (msg->src),
          err->message);
      g_clear_error (&err);
      g_free (debug);
      g_main_loop_quit (m->loop);
      break;
    case GST_MESSAGE_WARNING:
      gst_message_parse_warning (msg, &err, &debug);
      g_printerr ("warning from %s: %s\n", GST_OBJECT_NAME (msg->src),
          err->message);
      g_clear_error (&err);
      g_free (debug);
      break;
    case GST_MESSAGE_ELEMENT:{
      const GstStructure *s = gst_message_get_structure (msg);

      if (gst_structure_has_name (s, "kvssignaling-state")) {
        gint state = 0;

        gst_structure_get_enum (s, "state",
            g_type_from_name ("GstKvsSignalingState"), &state);
        if (state == 7)
          g_print ("signaling connected\n");
      }
      break;
    }
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

/* --seconds elapsed, SIGINT or SIGTERM. */
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
      "several viewers");
  GError *err = NULL;
  GstElement *src, *sink;
  GstBus *bus;
  Master m = { 0, };
  guint sources[3] = { 0, };
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
      "vp8enc deadline=1 keyframe-max-dist=30 ! rtpvp8pay ! "
      "capsfilter caps=\"" VP8_RTP_CAPS "\" ! "
      "tee name=t allow-not-linked=true", &err);
  if (m.pipeline == NULL) {
    g_printerr ("%s\n", err->message);
    return 1;
  }
  g_clear_error (&err);         /* a warning, if anything */
  m.tee = gst_bin_get_by_name (GST_BIN (m.pipeline), "t");
  m.loop = g_main_loop_new (NULL, FALSE);
  g_mutex_init (&m.lock);
  m.branches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      gst_object_unref);

  src = gst_element_factory_make ("kvssignalingsrc", NULL);
  sink = gst_element_factory_make ("kvssignalingsink", NULL);
  if (src == NULL || sink == NULL) {
    g_printerr ("the kvssignaling plugin is not installed\n");
    return 1;
  }
  {
    GstElement *both[] = { src, sink };

    for (i = 0; i < 2; i++) {
      gst_util_set_object_arg (G_OBJECT (both[i]), "role", "master");
      g_object_set (both[i], "channel-name", channel, "create-channel",
          create, NULL);
      if (endpoint)
        g_object_set (both[i], "endpoint", endpoint, NULL);
      if (region)
        g_object_set (both[i], "aws-region", region, NULL);
      if (access_key)
        g_object_set (both[i], "access-key", access_key, NULL);
      if (secret_key)
        g_object_set (both[i], "secret-key", secret_key, NULL);
      if (addresses)
        g_object_set (both[i], "local-addresses", addresses, NULL);
      gst_bin_add (GST_BIN (m.pipeline), both[i]);
    }
  }
  /* Connected before PLAYING: with a handler and no webrtcbin in the
   * pipeline, every viewer gets one from us. */
  g_signal_connect (src, "request-webrtcbin",
      G_CALLBACK (on_request_webrtcbin), &m);
  g_signal_connect (src, "peer-added", G_CALLBACK (on_peer_added), &m);
  g_signal_connect (src, "peer-removed", G_CALLBACK (on_peer_removed), &m);

  bus = gst_element_get_bus (m.pipeline);
  gst_bus_add_watch (bus, (GstBusFunc) on_bus, &m);
  sources[0] = g_unix_signal_add (SIGINT, (GSourceFunc) on_stop, &m);
  sources[1] = g_unix_signal_add (SIGTERM, (GSourceFunc) on_stop, &m);

  if (gst_element_set_state (m.pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    GstMessage *msg = gst_bus_pop_filtered (GST_ELEMENT_BUS (m.pipeline),
        GST_MESSAGE_ERROR);

    if (msg) {
      gst_message_parse_error (msg, &err, NULL);
      g_printerr ("%s\n", err->message);
      g_clear_error (&err);
      gst_message_unref (msg);
    }
    ret = 1;
  } else {
    g_print ("master on channel %s, waiting for viewers\n", channel);
    if (seconds > 0)
      sources[2] = g_timeout_add_seconds (seconds, (GSourceFunc) on_stop, &m);
    g_main_loop_run (m.loop);
  }

  gst_element_set_state (m.pipeline, GST_STATE_NULL);
  for (i = 0; i < G_N_ELEMENTS (sources); i++)
    if (sources[i])
      g_source_remove (sources[i]);
  /* The watch holds the bus, which holds on to the pipeline's messages. */
  gst_bus_remove_watch (bus);
  gst_object_unref (bus);
  g_hash_table_unref (m.branches);
  gst_object_unref (m.tee);
  gst_object_unref (m.pipeline);
  g_main_loop_unref (m.loop);
  g_mutex_clear (&m.lock);
  g_free (channel);
  g_free (endpoint);
  g_free (region);
  g_free (access_key);
  g_free (secret_key);
  g_free (addresses);
  gst_deinit ();
  return ret;
}
