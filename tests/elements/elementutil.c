/* Shared by the element tests (see elementutil.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "elementutil.h"

#include <gst/check/gstcheck.h>
#include <gst/webrtc/webrtc.h>
#include <gio/gio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>

static GSubprocess *server;
static gchar *endpoint;

/* ---- the local service -------------------------------------------------- */

static void
on_line (GObject * source, GAsyncResult * res, gpointer data)
{
  gchar **line = data;

  *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source),
      res, NULL, NULL);
  if (*line == NULL)
    *line = g_strdup ("");
}

static GSubprocess *
spawn (const gchar * path, const gchar * access_key,
    const gchar * secret_key, const gchar * channel,
    const gchar * const *extra, GError ** error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  const gchar *fixed[] = { path, "--listen", "127.0.0.1:0", "--access-key",
    access_key, "--secret-key", secret_key, "--region", "us-west-2",
    "--create-channel", channel
  };
  guint i;

  gboolean turn_uri = FALSE;

  for (i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_ptr_array_add (argv, (gpointer) fixed[i]);
  for (i = 0; extra && extra[i]; i++) {
    g_ptr_array_add (argv, (gpointer) extra[i]);
    turn_uri |= g_str_has_prefix (extra[i], "--turn-uri");
  }
  /* No TURN server unless the test names one: webrtcbin 1.22 releases a
   * NiceAgent with TURN allocations without pruning their refreshes (libnice
   * warns "alive TURN refreshes"), which LeakSanitizer reports and which
   * grows a process by ~50 KiB per session; tracked as a known problem
   * (docs/troubleshooting.md), judged by server_turn and the browser tests. */
  if (!turn_uri)
    g_ptr_array_add (argv, (gpointer) "--no-turn");
  g_ptr_array_add (argv, NULL);
  return g_subprocess_newv ((const gchar * const *) argv->pdata,
      G_SUBPROCESS_FLAGS_STDOUT_PIPE, error);
}

void
elem_service_start (const gchar * access_key, const gchar * secret_key,
    const gchar * channel, const gchar * const *extra)
{
  const gchar *path = g_getenv ("KVS_SERVER");
  g_autoptr (GError) err = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  GMainContext *ctx = g_main_context_new ();
  gchar *line = NULL;
  gint64 end;
  const gchar *url;

  fail_unless (server == NULL, "the service runs already");
  if (path == NULL || *path == '\0')
    path = KVS_SERVER_PATH;

  g_main_context_push_thread_default (ctx);
  server = spawn (path, access_key, secret_key, channel, extra, &err);
  fail_unless (server != NULL, "cannot start %s: %s", path,
      err ? err->message : "");
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, on_line,
      &line);
  end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (line == NULL && g_get_monotonic_time () < end)
    g_main_context_iteration (ctx, FALSE) || (g_usleep (10000), TRUE);
  g_main_context_pop_thread_default (ctx);

  fail_unless (line != NULL, "the service printed nothing in 10 s");
  url = strstr (line, "http://");
  fail_unless (url != NULL, "unexpected first line '%s'", line);
  endpoint = g_strchomp (g_strdup (url));
  g_free (line);
  /* The read is done: nothing else uses the context. */
  g_main_context_unref (ctx);
}

static void
on_exited (GObject * source, GAsyncResult * res, gpointer data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), res, NULL);
  *(gboolean *) data = TRUE;
}

static gboolean
wait_exit (GMainContext * ctx, gboolean * done, guint seconds)
{
  gint64 end = g_get_monotonic_time () + seconds * G_TIME_SPAN_SECOND;

  while (!*done && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (ctx, FALSE))
      g_usleep (10 * 1000);
  return *done;
}

void
elem_service_stop (void)
{
  if (server) {
    GMainContext *ctx = g_main_context_new ();
    gboolean done = FALSE, clean;

    g_main_context_push_thread_default (ctx);
    g_subprocess_wait_async (server, NULL, on_exited, &done);
    g_subprocess_send_signal (server, SIGTERM);
    clean = wait_exit (ctx, &done, 5);
    if (!clean) {
      g_subprocess_force_exit (server);
      wait_exit (ctx, &done, 5);
    }
    g_main_context_pop_thread_default (ctx);
    g_main_context_unref (ctx);
    g_clear_object (&server);
    g_clear_pointer (&endpoint, g_free);
    fail_unless (clean, "the service did not stop within 5 s of SIGTERM");
  }
}

const gchar *
elem_service_endpoint (void)
{
  return endpoint;
}

void
elem_service_control_post (const gchar * action, const gchar * json)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree gchar *url = g_strdup_printf ("%s/_control/%s", endpoint,
      action);
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr (GBytes) body = g_bytes_new (json, strlen (json));
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GError) err = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  reply = soup_session_send_and_read (session, msg, NULL, &err);
  fail_unless (reply != NULL, "%s: %s", url, err ? err->message : "");
  fail_unless_equals_int (soup_message_get_status (msg), 200);
}

/* ---- pipelines ---------------------------------------------------------- */

GstElement *
elem_launch (const gchar * desc)
{
  g_autoptr (GError) err = NULL;
  GstElement *pipeline = gst_parse_launch (desc, &err);

  fail_unless (pipeline != NULL && err == NULL, "%s: %s", desc,
      err ? err->message : "");
  return pipeline;
}

void
elem_play (GstElement * pipeline)
{
  fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
}

void
elem_stop (GstElement * pipeline)
{
  if (pipeline == NULL)
    return;
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}

static void
on_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad, gint * counter)
{
  g_atomic_int_inc (counter);
}

void
elem_count_frames (GstElement * bin, const gchar * sink_name, gint * counter)
{
  GstElement *sink = gst_bin_get_by_name (GST_BIN (bin), sink_name);

  fail_unless (sink != NULL, "no element %s", sink_name);
  g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), counter);
  gst_object_unref (sink);
}

void
elem_link_counted (GstElement * pipeline, GstPad * pad, const gchar * desc,
    const gchar * sink_name, gint * counter)
{
  g_autoptr (GError) err = NULL;
  GstElement *bin = gst_parse_bin_from_description (desc, TRUE, &err);
  GstPad *sinkpad;

  fail_unless (bin != NULL, "%s: %s", desc, err ? err->message : "");
  elem_count_frames (bin, sink_name, counter);
  gst_bin_add (GST_BIN (pipeline), bin);
  gst_element_sync_state_with_parent (bin);
  sinkpad = gst_element_get_static_pad (bin, "sink");
  fail_unless_equals_int (gst_pad_link (pad, sinkpad), GST_PAD_LINK_OK);
  gst_object_unref (sinkpad);
}

GstStructure *
elem_dup_stats (GstElement * pipeline, const gchar * name)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (pipeline), name);
  GstStructure *stats = NULL;

  fail_unless (e != NULL, "no element %s", name);
  g_object_get (e, "stats", &stats, NULL);
  gst_object_unref (e);
  fail_unless (stats != NULL);
  return stats;
}

guint64
elem_stat_u64 (const GstStructure * stats, const gchar * field)
{
  guint64 v = 0;

  fail_unless (gst_structure_get_uint64 (stats, field, &v), "no %s in %"
      GST_PTR_FORMAT, field, stats);
  return v;
}

/* ---- buses -------------------------------------------------------------- */

void
elem_check_bus (GstElement * pipeline, ElemWarningFunc func, gpointer data)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;

  while ((msg = gst_bus_pop_filtered (bus,
              GST_MESSAGE_ERROR | GST_MESSAGE_WARNING))) {
    g_autoptr (GError) err = NULL;
    g_autofree gchar *debug = NULL;

    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      gst_message_parse_error (msg, &err, &debug);
      fail ("error from %s: %s (%s)", GST_OBJECT_NAME (msg->src),
          err->message, GST_STR_NULL (debug));
    }
    gst_message_parse_warning (msg, &err, &debug);
    GST_INFO ("warning from %s: %s", GST_OBJECT_NAME (msg->src), err->message);
    if (func)
      func (err, data);
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
}

typedef struct
{
  const gchar *needle, *needle2;
  gchar *found;
} Find;

static void
find_warning (const GError * warning, gpointer data)
{
  Find *f = data;

  if (f->found == NULL && f->needle && strstr (warning->message, f->needle)
      && (f->needle2 == NULL || strstr (warning->message, f->needle2)))
    f->found = g_strdup (warning->message);
}

gchar *
elem_check_bus_find (GstElement * pipeline, const gchar * needle,
    const gchar * needle2)
{
  Find f = { needle, needle2, NULL };

  elem_check_bus (pipeline, find_warning, &f);
  return f.found;
}

/* ---- what a test needs -------------------------------------------------- */

gboolean
elem_has_local_description (GstElement * webrtcbin)
{
  GstWebRTCSessionDescription *local = NULL;

  g_object_get (webrtcbin, "local-description", &local, NULL);
  if (local == NULL)
    return FALSE;
  gst_webrtc_session_description_free (local);
  return TRUE;
}

gboolean
elem_have_factories (const gchar * const *names)
{
  guint i;

  for (i = 0; names[i]; i++) {
    GstElementFactory *f = gst_element_factory_find (names[i]);

    if (f == NULL) {
      GST_WARNING ("%s missing: test skipped", names[i]);
      return FALSE;
    }
    gst_object_unref (f);
  }
  return TRUE;
}
