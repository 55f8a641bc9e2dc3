/* kvs-signaling-server: the storage peer of one WebRTC ingestion session.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <string.h>
#include <gst/gst.h>
#include "kvsstoragepeer.h"

GST_DEBUG_CATEGORY_EXTERN (kvs_server_debug);
#define GST_CAT_DEFAULT kvs_server_debug

/* The helper needs PyGObject (Debian's python3-gi), which only the
 * system's interpreter has. */
#define KVS_STORAGE_PYTHON "/usr/bin/python3"
/* Longest line the helper writes (an SDP offer in base64 is ~3 KB). */
#define KVS_STORAGE_MAX_LINE (256 * 1024)

struct _KvsStoragePeer
{
  GObject parent;

  KvsChannel *channel;          /* not owned; NULL once the session ended */
  gchar *client_id;
  gchar *output;
  GSubprocess *proc;
  GDataInputStream *out;
  GOutputStream *in;
  GCancellable *cancel;
};

G_DEFINE_FINAL_TYPE (KvsStoragePeer, kvs_storage_peer, G_TYPE_OBJECT);

static void
kvs_storage_peer_finalize (GObject * object)
{
  KvsStoragePeer *self = KVS_STORAGE_PEER (object);

  g_clear_object (&self->out);
  g_clear_object (&self->in);
  g_clear_object (&self->proc);
  g_clear_object (&self->cancel);
  g_free (self->client_id);
  g_free (self->output);
  G_OBJECT_CLASS (kvs_storage_peer_parent_class)->finalize (object);
}

static void
kvs_storage_peer_class_init (KvsStoragePeerClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = kvs_storage_peer_finalize;
}

static void
kvs_storage_peer_init (KvsStoragePeer * self)
{
  self->cancel = g_cancellable_new ();
}

/* The channel lets the session go (GDestroyNotify of the channel's hook):
 * closing the helper's stdin ends its session; it finishes the file and
 * exits by itself. */
static void
kvs_storage_peer_release (gpointer data)
{
  KvsStoragePeer *self = data;

  self->channel = NULL;
  if (self->in)
    g_output_stream_close (self->in, NULL, NULL);
  g_cancellable_cancel (self->cancel);
  g_object_unref (self);
}

/* End the session from our side (the helper failed or exited). */
static void
kvs_storage_peer_end (KvsStoragePeer * self, const gchar * why)
{
  KvsChannel *channel = self->channel;

  if (channel == NULL)
    return;
  GST_INFO ("%s: storage session '%s' ends: %s",
      kvs_channel_get_name (channel), self->client_id, why);
  if (g_strcmp0 (kvs_channel_get_storage_peer (channel), self->client_id) == 0)
    kvs_channel_set_storage_peer (channel, NULL, NULL, NULL, NULL);
}

/* One line to the helper: @action, the viewer it concerns (NULL: the
 * master) and the message payload (NULL: none). */
static void
kvs_storage_peer_tell (KvsStoragePeer * self, const gchar * action,
    const gchar * viewer, const gchar * payload)
{
  g_autoptr (JsonBuilder) b = NULL;
  g_autoptr (JsonGenerator) gen = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *line = NULL;
  gchar *text;

  if (self->in == NULL || g_output_stream_is_closed (self->in))
    return;
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "action");
  json_builder_add_string_value (b, action);
  if (viewer) {
    json_builder_set_member_name (b, "viewer");
    json_builder_add_string_value (b, viewer);
  }
  if (payload) {
    json_builder_set_member_name (b, "messagePayload");
    json_builder_add_string_value (b, payload);
  }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  gen = json_generator_new ();
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  line = g_strconcat (text, "\n", NULL);
  g_free (text);
  /* A few KB into a pipe the helper reads all the time. */
  if (!g_output_stream_write_all (self->in, line, strlen (line), NULL, NULL,
          &error))
    kvs_storage_peer_end (self, error->message);
}

/* The master's answer and candidates, to the helper. */
static void
kvs_storage_peer_on_master (KvsChannel * channel, const GstKvsMessage * msg,
    gpointer user_data)
{
  KvsStoragePeer *self = user_data;

  if (msg->payload == NULL || (msg->type != GST_KVS_MESSAGE_TYPE_SDP_ANSWER &&
          msg->type != GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE)) {
    GST_INFO ("%s: %s of the master to the storage peer ignored",
        kvs_channel_get_name (channel),
        gst_kvs_message_type_to_string (msg->type));
    return;
  }
  kvs_storage_peer_tell (self, gst_kvs_message_type_to_string (msg->type),
      NULL, msg->payload);
}

/* A viewer joined (JoinStorageSessionAsViewer), sent its answer or a
 * candidate, or left: to the helper, which offers to it the master's
 * media. */
static void
kvs_storage_peer_on_viewer (KvsChannel * channel, const gchar * viewer_id,
    KvsStorageViewerEvent event, const GstKvsMessage * msg, gpointer user_data)
{
  KvsStoragePeer *self = user_data;

  switch (event) {
    case KVS_STORAGE_VIEWER_JOINED:
      kvs_storage_peer_tell (self, "VIEWER_JOINED", viewer_id, NULL);
      break;
    case KVS_STORAGE_VIEWER_LEFT:
      kvs_storage_peer_tell (self, "VIEWER_LEFT", viewer_id, NULL);
      break;
    case KVS_STORAGE_VIEWER_MESSAGE:
      if (msg->payload == NULL ||
          (msg->type != GST_KVS_MESSAGE_TYPE_SDP_ANSWER &&
              msg->type != GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE)) {
        GST_INFO ("%s: %s of viewer '%s' to the storage session ignored",
            kvs_channel_get_name (channel),
            gst_kvs_message_type_to_string (msg->type), viewer_id);
        return;
      }
      kvs_storage_peer_tell (self, gst_kvs_message_type_to_string (msg->type),
          viewer_id, msg->payload);
      break;
  }
}

static void kvs_storage_peer_read_next (KvsStoragePeer * self);

static void
kvs_storage_peer_on_line (GObject * source, GAsyncResult * res, gpointer data)
{
  g_autoptr (KvsStoragePeer) self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = NULL;
  g_autofree gchar *line = NULL;
  const gchar *action, *payload, *viewer;
  JsonObject *obj;
  gsize len = 0;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM
      (source), res, &len, &error);
  if (self->channel == NULL)
    return;
  if (line == NULL) {
    kvs_storage_peer_end (self, error ? error->message :
        "the storage peer exited");
    return;
  }
  parser = json_parser_new ();
  if (len > KVS_STORAGE_MAX_LINE ||
      !json_parser_load_from_data (parser, line, len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    GST_WARNING ("storage peer: unexpected output line ignored");
    kvs_storage_peer_read_next (self);
    return;
  }
  obj = json_node_get_object (json_parser_get_root (parser));
  action = json_object_get_string_member_with_default (obj, "action", "");
  payload = json_object_get_string_member_with_default (obj,
      "messagePayload", NULL);
  viewer = json_object_get_string_member_with_default (obj, "viewer", NULL);
  if (viewer && payload && (g_str_equal (action, "SDP_OFFER") ||
          g_str_equal (action, "ICE_CANDIDATE"))) {
    /* To a joined viewer; one that left meanwhile misses it. */
    if (!kvs_channel_send_to_storage_viewer (self->channel, viewer,
            g_str_equal (action, "SDP_OFFER") ? GST_KVS_MESSAGE_TYPE_SDP_OFFER
            : GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE, payload))
      GST_INFO ("%s: %s of the storage session to viewer '%s' dropped: it "
          "left", kvs_channel_get_name (self->channel), action, viewer);
    else if (g_str_equal (action, "SDP_OFFER"))
      GST_INFO ("%s: storage peer '%s' sent its offer to viewer '%s'",
          kvs_channel_get_name (self->channel), self->client_id, viewer);
  } else if (viewer && g_str_equal (action, "STATE")) {
    GST_INFO ("%s: storage session '%s', viewer '%s': ICE %s",
        kvs_channel_get_name (self->channel), self->client_id, viewer,
        json_object_get_string_member_with_default (obj, "state", ""));
  } else if (g_str_equal (action, "SDP_OFFER") && payload) {
    if (!kvs_channel_send_from_storage_peer (self->channel,
            GST_KVS_MESSAGE_TYPE_SDP_OFFER, payload)) {
      kvs_storage_peer_end (self, "the master is not connected");
      return;
    }
    GST_INFO ("%s: storage peer '%s' sent its offer to the master",
        kvs_channel_get_name (self->channel), self->client_id);
  } else if (g_str_equal (action, "ICE_CANDIDATE") && payload) {
    (void) kvs_channel_send_from_storage_peer (self->channel,
        GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE, payload);
  } else if (g_str_equal (action, "STATE")) {
    const gchar *state = json_object_get_string_member_with_default (obj,
        "state", "");

    GST_INFO ("%s: storage session '%s': ICE %s",
        kvs_channel_get_name (self->channel), self->client_id, state);
    if (g_str_equal (state, "failed") || g_str_equal (state, "closed")) {
      kvs_storage_peer_end (self, "the peer connection failed");
      return;
    }
  } else if (g_str_equal (action, "ERROR")) {
    GST_WARNING ("%s: storage peer '%s': %s",
        kvs_channel_get_name (self->channel), self->client_id,
        json_object_get_string_member_with_default (obj, "message", "?"));
  }
  kvs_storage_peer_read_next (self);
}

static void
kvs_storage_peer_read_next (KvsStoragePeer * self)
{
  g_data_input_stream_read_line_async (self->out, G_PRIORITY_DEFAULT,
      self->cancel, kvs_storage_peer_on_line, g_object_ref (self));
}

gboolean
kvs_storage_peer_start (KvsChannel * channel, const gchar * helper,
    const gchar * output, const gchar * client_id, GError ** error)
{
  g_autoptr (KvsStoragePeer) self = NULL;
  g_autofree gchar *dir = NULL;

  g_return_val_if_fail (KVS_IS_CHANNEL (channel), FALSE);
  g_return_val_if_fail (helper != NULL && output != NULL, FALSE);
  g_return_val_if_fail (client_id != NULL, FALSE);

  dir = g_path_get_dirname (output);
  if (g_mkdir_with_parents (dir, 0700) != 0) {
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
        "Cannot create the storage folder %s: %s", dir, g_strerror (errno));
    return FALSE;
  }
  self = g_object_new (KVS_TYPE_STORAGE_PEER, NULL);
  self->client_id = g_strdup (client_id);
  self->output = g_strdup (output);
  self->proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
      G_SUBPROCESS_FLAGS_STDOUT_PIPE, error, KVS_STORAGE_PYTHON, helper,
      output, NULL);
  if (self->proc == NULL)
    return FALSE;
  self->in = g_object_ref (g_subprocess_get_stdin_pipe (self->proc));
  self->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe
      (self->proc));
  self->channel = channel;
  GST_INFO ("%s: storage session '%s' records into %s",
      kvs_channel_get_name (channel), client_id, output);
  kvs_storage_peer_read_next (self);
  /* The channel owns the session from here (and ends any older one). */
  kvs_channel_set_storage_peer (channel, client_id, kvs_storage_peer_on_master,
      g_object_ref (self), kvs_storage_peer_release);
  kvs_channel_set_storage_viewer_func (channel, kvs_storage_peer_on_viewer);
  return TRUE;
}
