/* kvs-signaling-server: one signaling channel, its connections and the
 * messages held for absent clients.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>
#include "gstkvserror.h"
#include "gstkvsmessage.h"
#include "gstkvsserviceframe.h"
#include "kvschannel.h"

GST_DEBUG_CATEGORY_STATIC (kvs_channel_debug);
#define GST_CAT_DEFAULT kvs_channel_debug

/* How often held messages are checked for expiry. */
#define KVS_CHANNEL_SWEEP_INTERVAL_MS 250

/* The queue key of the master (no client id can be empty). */
#define KVS_MASTER_KEY ""

/* A relayed offer (SendAlexaOfferToMaster) waiting for the answer. */
typedef struct
{
  KvsChannelAnswerFunc func;
  gpointer user_data;
} KvsOfferWaiter;

typedef struct
{
  GstKvsMessageType type;
  gchar *sender;                /* viewer id; NULL when the master sent it */
  gchar *frame;                 /* the service frame, ready to send */
  gint64 held_at;               /* monotonic */
  gint64 expires_at;
} KvsHeldMessage;

struct _KvsChannel
{
  GObject parent;

  gchar *name;
  gchar *arn;
  gchar *version;
  guint message_ttl;
  gint64 creation_time_ms;
  const KvsServerConfig *config;
  KvsCounters *counters;

  KvsConnection *master;
  GHashTable *viewers;          /* client id -> KvsConnection */
  GHashTable *queues;           /* recipient key -> GQueue of KvsHeldMessage */
  GHashTable *tags;             /* key -> value */
  /* The media storage configuration: the stream (NULL: none) and whether
   * storage is ENABLED. */
  gchar *storage_stream_arn;
  gboolean storage_enabled;
  /* The storage session's peer: the master's messages to peer_id go to
   * peer_func instead of a viewer. */
  gchar *peer_id;
  KvsChannelPeerFunc peer_func;
  gpointer peer_data;
  GDestroyNotify peer_notify;
  /* Viewers joined to the storage session (JoinStorageSessionAsViewer):
   * client id set; their messages go to viewer_func. */
  GHashTable *storage_viewers;
  KvsChannelStorageViewerFunc viewer_func;
  GHashTable *waiters;          /* sender id -> KvsOfferWaiter */
  /* Connections replaced by a newer one and closing: what they still
   * receive is relayed until they are closed, so a client that switches
   * connections (make before break) loses nothing it already sent. */
  GPtrArray *retired;
  guint sweep_id;
  /* The last max_connects_per_second admitted connects (monotonic µs, 0:
   * none), a ring: connects[next] is the oldest. */
  gint64 *connects;
  guint next_connect;
};

G_DEFINE_FINAL_TYPE (KvsChannel, kvs_channel, G_TYPE_OBJECT);

static void
kvs_held_message_free (KvsHeldMessage * held)
{
  g_free (held->sender);
  g_free (held->frame);
  g_free (held);
}

static void
kvs_held_queue_free (GQueue * queue)
{
  g_queue_free_full (queue, (GDestroyNotify) kvs_held_message_free);
}

static void
kvs_channel_forget (KvsChannel * self, KvsConnection * conn)
{
  g_signal_handlers_disconnect_by_data (conn, self);
  g_object_unref (conn);
}

static void
kvs_channel_dispose (GObject * object)
{
  KvsChannel *self = KVS_CHANNEL (object);
  GHashTableIter iter;
  gpointer value;

  g_clear_handle_id (&self->sweep_id, g_source_remove);
  if (self->master) {
    kvs_channel_forget (self, self->master);
    self->master = NULL;
  }
  if (self->viewers) {
    g_hash_table_iter_init (&iter, self->viewers);
    while (g_hash_table_iter_next (&iter, NULL, &value)) {
      kvs_channel_forget (self, value);
      g_hash_table_iter_remove (&iter);
    }
  }
  if (self->retired) {
    for (guint i = 0; i < self->retired->len; i++)
      kvs_channel_forget (self, g_ptr_array_index (self->retired, i));
    g_ptr_array_set_size (self->retired, 0);
  }
  G_OBJECT_CLASS (kvs_channel_parent_class)->dispose (object);
}

static void
kvs_channel_finalize (GObject * object)
{
  KvsChannel *self = KVS_CHANNEL (object);

  kvs_channel_set_storage_peer (self, NULL, NULL, NULL, NULL);

  g_clear_pointer (&self->viewers, g_hash_table_unref);
  g_clear_pointer (&self->queues, g_hash_table_unref);
  g_clear_pointer (&self->tags, g_hash_table_unref);
  g_clear_pointer (&self->waiters, g_hash_table_unref);
  g_clear_pointer (&self->storage_viewers, g_hash_table_unref);
  g_clear_pointer (&self->retired, g_ptr_array_unref);
  g_free (self->connects);
  g_free (self->name);
  g_free (self->arn);
  g_free (self->version);
  g_free (self->storage_stream_arn);
  G_OBJECT_CLASS (kvs_channel_parent_class)->finalize (object);
}

static void
kvs_channel_class_init (KvsChannelClass * klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kvs_channel_dispose;
  object_class->finalize = kvs_channel_finalize;

  GST_DEBUG_CATEGORY_INIT (kvs_channel_debug, "kvsserverchannel", 0,
      "kvs-signaling-server channels and message routing");
}

static void
kvs_channel_init (KvsChannel * self)
{
  self->viewers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->retired = g_ptr_array_new ();
  self->queues = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) kvs_held_queue_free);
  self->tags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->storage_viewers = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, NULL);
  self->waiters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
}

KvsChannel *
kvs_channel_new (const gchar * name, const gchar * arn, guint message_ttl,
    gint64 creation_time_ms, const gchar * version,
    const KvsServerConfig * config, KvsCounters * counters)
{
  KvsChannel *self = g_object_new (KVS_TYPE_CHANNEL, NULL);

  self->name = g_strdup (name);
  self->arn = g_strdup (arn);
  self->message_ttl = message_ttl;
  self->creation_time_ms = creation_time_ms;
  self->version = g_strdup (version);
  self->config = config;
  self->counters = counters;
  return self;
}

const gchar *
kvs_channel_get_name (KvsChannel * self)
{
  g_return_val_if_fail (KVS_IS_CHANNEL (self), NULL);
  return self->name;
}

const gchar *
kvs_channel_get_arn (KvsChannel * self)
{
  g_return_val_if_fail (KVS_IS_CHANNEL (self), NULL);
  return self->arn;
}

const gchar *
kvs_channel_get_version (KvsChannel * self)
{
  g_return_val_if_fail (KVS_IS_CHANNEL (self), NULL);
  return self->version;
}

guint
kvs_channel_get_message_ttl (KvsChannel * self)
{
  g_return_val_if_fail (KVS_IS_CHANNEL (self), 0);
  return self->message_ttl;
}

gint64
kvs_channel_get_creation_time_ms (KvsChannel * self)
{
  g_return_val_if_fail (KVS_IS_CHANNEL (self), 0);
  return self->creation_time_ms;
}

guint
kvs_channel_get_hold_time (KvsChannel * self)
{
  g_return_val_if_fail (KVS_IS_CHANNEL (self), 0);
  return self->config->message_ttl ? self->config->message_ttl :
      self->message_ttl;
}

void
kvs_channel_update (KvsChannel * self, guint message_ttl, const gchar * version)
{
  g_return_if_fail (KVS_IS_CHANNEL (self));
  g_return_if_fail (version != NULL);

  if (message_ttl)
    self->message_ttl = message_ttl;
  g_free (self->version);
  self->version = g_strdup (version);
  GST_INFO ("%s: updated, MessageTtlSeconds %u, version %s", self->name,
      self->message_ttl, self->version);
}

GHashTable *
kvs_channel_get_tags (KvsChannel * self)
{
  g_return_val_if_fail (KVS_IS_CHANNEL (self), NULL);
  return self->tags;
}

JsonNode *
kvs_channel_info_to_json (KvsChannel * self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (KVS_IS_CHANNEL (self), NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ChannelName");
  json_builder_add_string_value (b, self->name);
  json_builder_set_member_name (b, "ChannelARN");
  json_builder_add_string_value (b, self->arn);
  json_builder_set_member_name (b, "ChannelType");
  json_builder_add_string_value (b, "SINGLE_MASTER");
  json_builder_set_member_name (b, "ChannelStatus");
  json_builder_add_string_value (b, "ACTIVE");
  json_builder_set_member_name (b, "CreationTime");
  json_builder_add_double_value (b, self->creation_time_ms / 1000.0);
  json_builder_set_member_name (b, "SingleMasterConfiguration");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "MessageTtlSeconds");
  json_builder_add_int_value (b, self->message_ttl);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "Version");
  json_builder_add_string_value (b, self->version);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

void
kvs_channel_set_media_storage (KvsChannel * self, const gchar * stream_arn,
    gboolean enabled)
{
  g_return_if_fail (KVS_IS_CHANNEL (self));

  g_free (self->storage_stream_arn);
  self->storage_stream_arn = g_strdup (stream_arn);
  self->storage_enabled = enabled;
}

const gchar *
kvs_channel_get_media_storage (KvsChannel * self, gboolean * enabled)
{
  g_return_val_if_fail (KVS_IS_CHANNEL (self), NULL);

  if (enabled)
    *enabled = self->storage_enabled;
  return self->storage_stream_arn;
}

void
kvs_channel_set_storage_peer (KvsChannel * self, const gchar * client_id,
    KvsChannelPeerFunc func, gpointer user_data, GDestroyNotify notify)
{
  g_autofree gchar *old_id = NULL;
  GDestroyNotify old_notify;
  gpointer old_data;

  g_return_if_fail (KVS_IS_CHANNEL (self));
  g_return_if_fail (client_id == NULL || func != NULL);

  /* Let the old one go last: its notify may call back into the channel. */
  old_id = g_steal_pointer (&self->peer_id);
  old_notify = self->peer_notify;
  old_data = self->peer_data;
  self->peer_id = g_strdup (client_id);
  self->peer_func = client_id ? func : NULL;
  self->peer_data = client_id ? user_data : NULL;
  self->peer_notify = client_id ? notify : NULL;
  /* The viewers joined to the old session go back to the master. */
  self->viewer_func = NULL;
  if (self->storage_viewers)
    g_hash_table_remove_all (self->storage_viewers);
  if (old_id) {
    GST_INFO ("%s: storage session of '%s' ends", self->name, old_id);
    if (old_notify)
      old_notify (old_data);
  }
}

const gchar *
kvs_channel_get_storage_peer (KvsChannel * self)
{
  g_return_val_if_fail (KVS_IS_CHANNEL (self), NULL);
  return self->peer_id;
}

gboolean
kvs_channel_send_from_storage_peer (KvsChannel * self,
    GstKvsMessageType type, const gchar * payload)
{
  g_autoptr (GstKvsMessage) msg = NULL;
  g_autofree gchar *frame = NULL;

  g_return_val_if_fail (KVS_IS_CHANNEL (self), FALSE);
  g_return_val_if_fail (payload != NULL, FALSE);

  if (self->peer_id == NULL || self->master == NULL ||
      !kvs_connection_is_open (self->master))
    return FALSE;
  msg = gst_kvs_message_new (type);
  msg->payload = g_strdup (payload);
  frame = gst_kvs_message_to_service_frame (msg, self->peer_id);
  self->counters->messages_received++;
  GST_DEBUG ("%s: %s of the storage peer '%s' to the master", self->name,
      gst_kvs_message_type_to_string (type), self->peer_id);
  if (!kvs_connection_send_frame (self->master, frame))
    return FALSE;
  self->counters->messages_relayed++;
  return TRUE;
}

void
kvs_channel_set_storage_viewer_func (KvsChannel * self,
    KvsChannelStorageViewerFunc func)
{
  g_return_if_fail (KVS_IS_CHANNEL (self));
  g_return_if_fail (self->peer_id != NULL);

  self->viewer_func = func;
}

gboolean
kvs_channel_join_storage_viewer (KvsChannel * self, const gchar * client_id,
    guint max, GError ** error)
{
  g_return_val_if_fail (KVS_IS_CHANNEL (self), FALSE);
  g_return_val_if_fail (client_id != NULL, FALSE);

  if (self->peer_id == NULL || self->viewer_func == NULL) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_RESOURCE_NOT_FOUND,
        "The channel %s has no storage session: the master has to call "
        "JoinStorageSession first.", self->name);
    return FALSE;
  }
  if (!g_hash_table_contains (self->storage_viewers, client_id) &&
      g_hash_table_size (self->storage_viewers) >= max) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CLIENT_LIMIT_EXCEEDED,
        "The storage session of the channel %s already has %u viewers.",
        self->name, max);
    return FALSE;
  }
  g_hash_table_add (self->storage_viewers, g_strdup (client_id));
  GST_INFO ("%s: viewer '%s' joins the storage session '%s' (%u joined)",
      self->name, client_id, self->peer_id,
      g_hash_table_size (self->storage_viewers));
  self->viewer_func (self, client_id, KVS_STORAGE_VIEWER_JOINED, NULL,
      self->peer_data);
  return TRUE;
}

gboolean
kvs_channel_send_to_storage_viewer (KvsChannel * self,
    const gchar * viewer_id, GstKvsMessageType type, const gchar * payload)
{
  g_autoptr (GstKvsMessage) msg = NULL;
  g_autofree gchar *frame = NULL;
  KvsConnection *target;

  g_return_val_if_fail (KVS_IS_CHANNEL (self), FALSE);
  g_return_val_if_fail (viewer_id != NULL && payload != NULL, FALSE);

  if (!g_hash_table_contains (self->storage_viewers, viewer_id))
    return FALSE;
  target = g_hash_table_lookup (self->viewers, viewer_id);
  if (target == NULL || !kvs_connection_is_open (target))
    return FALSE;
  msg = gst_kvs_message_new (type);
  msg->payload = g_strdup (payload);
  frame = gst_kvs_message_to_service_frame (msg, NULL);
  self->counters->messages_received++;
  GST_DEBUG ("%s: %s of the storage session to viewer '%s'", self->name,
      gst_kvs_message_type_to_string (type), viewer_id);
  if (!kvs_connection_send_frame (target, frame))
    return FALSE;
  self->counters->messages_relayed++;
  return TRUE;
}

/* Viewer @id left (closed or replaced): it leaves the storage session. */
static void
kvs_channel_storage_viewer_left (KvsChannel * self, const gchar * id)
{
  if (id == NULL || !g_hash_table_remove (self->storage_viewers, id))
    return;
  GST_INFO ("%s: viewer '%s' leaves the storage session", self->name, id);
  if (self->viewer_func)
    self->viewer_func (self, id, KVS_STORAGE_VIEWER_LEFT, NULL,
        self->peer_data);
}

/* The master left or was replaced: its storage session ends. */
static void
kvs_channel_end_storage_session (KvsChannel * self)
{
  if (self->peer_id)
    kvs_channel_set_storage_peer (self, NULL, NULL, NULL, NULL);
}

/* The hold time actually applied (--message-ttl overrides the channel's). */
static gint64
kvs_channel_hold_time_us (KvsChannel * self)
{
  return (gint64) kvs_channel_get_hold_time (self) * G_USEC_PER_SEC;
}

static gboolean
kvs_channel_key_is_master (const gchar * key)
{
  return *key == '\0';
}

static guint
kvs_channel_expire (KvsChannel * self, const gchar * key, GQueue * queue,
    gint64 now)
{
  GList *l = queue->head;
  guint n = 0;

  while (l) {
    GList *next = l->next;
    KvsHeldMessage *held = l->data;

    if (held->expires_at <= now) {
      GST_INFO ("%s: %s for %s%s%s from %s expired after %" G_GINT64_FORMAT
          " ms unread", self->name, gst_kvs_message_type_to_string (held->type),
          kvs_channel_key_is_master (key) ? "the master" : "viewer '",
          kvs_channel_key_is_master (key) ? "" : key,
          kvs_channel_key_is_master (key) ? "" : "'",
          held->sender ? held->sender : "the master",
          (now - held->held_at) / 1000);
      kvs_held_message_free (held);
      g_queue_delete_link (queue, l);
      self->counters->messages_expired++;
      n++;
    }
    l = next;
  }
  return n;
}

static gboolean
kvs_channel_sweep (gpointer user_data)
{
  KvsChannel *self = user_data;
  GHashTableIter iter;
  gpointer key, value;
  gint64 now = g_get_monotonic_time ();

  g_hash_table_iter_init (&iter, self->queues);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    kvs_channel_expire (self, key, value, now);
    if (g_queue_is_empty (value))
      g_hash_table_iter_remove (&iter);
  }
  if (g_hash_table_size (self->queues) == 0) {
    self->sweep_id = 0;
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

/* @sender NULL: an offer of SendAlexaOfferToMaster. FALSE when refused
 * (the queue is full). */
static gboolean
kvs_channel_hold (KvsChannel * self, KvsConnection * sender,
    const gchar * key, const GstKvsMessage * msg, const gchar * sender_id,
    gchar * frame)
{
  GQueue *queue;
  KvsHeldMessage *held;
  gint64 now = g_get_monotonic_time ();
  const gchar *from = sender ? kvs_connection_get_description (sender) :
      "SendAlexaOfferToMaster";
  GList *l;

  queue = g_hash_table_lookup (self->queues, key);
  if (queue == NULL) {
    queue = g_queue_new ();
    g_hash_table_insert (self->queues, g_strdup (key), queue);
  }
  kvs_channel_expire (self, key, queue, now);

  if (msg->type == GST_KVS_MESSAGE_TYPE_SDP_OFFER ||
      msg->type == GST_KVS_MESSAGE_TYPE_SDP_ANSWER) {
    for (l = queue->head; l; l = l->next) {
      held = l->data;
      if (held->type == msg->type && g_strcmp0 (held->sender, sender_id) == 0) {
        GST_INFO ("%s: newer %s from %s replaces the one held for %s",
            self->name, gst_kvs_message_type_to_string (msg->type), from,
            kvs_channel_key_is_master (key) ? "the master" : key);
        g_free (held->frame);
        held->frame = frame;
        held->held_at = now;
        held->expires_at = now + kvs_channel_hold_time_us (self);
        self->counters->messages_overwritten++;
        return TRUE;
      }
    }
  }

  if (g_queue_get_length (queue) >= self->config->max_queue) {
    g_autofree gchar *text = g_strdup_printf ("The recipient %s%s%s is not "
        "connected and already has %u messages waiting: message refused",
        kvs_channel_key_is_master (key) ? "master" : "'",
        kvs_channel_key_is_master (key) ? "" : key,
        kvs_channel_key_is_master (key) ? "" : "'", self->config->max_queue);

    GST_WARNING ("%s: %s", self->name, text);
    self->counters->messages_refused++;
    if (sender)
      kvs_connection_send_status_always (sender, msg->correlation_id,
          "ClientLimitExceededException", 400, text);
    g_free (frame);
    return FALSE;
  }

  held = g_new0 (KvsHeldMessage, 1);
  held->type = msg->type;
  held->sender = g_strdup (sender_id);
  held->frame = frame;
  held->held_at = now;
  held->expires_at = now + kvs_channel_hold_time_us (self);
  g_queue_push_tail (queue, held);
  self->counters->messages_held++;
  GST_INFO ("%s: %s from %s held for %s (%u waiting)", self->name,
      gst_kvs_message_type_to_string (msg->type), from,
      kvs_channel_key_is_master (key) ? "the master" : key,
      g_queue_get_length (queue));

  if (self->sweep_id == 0)
    self->sweep_id = g_timeout_add (KVS_CHANNEL_SWEEP_INTERVAL_MS,
        kvs_channel_sweep, self);
  return TRUE;
}

static void
kvs_channel_on_message (KvsConnection * conn, GstKvsMessage * msg,
    KvsChannel * self)
{
  KvsConnection *target;
  const gchar *key, *sender_id;
  gchar *frame;

  if (kvs_connection_get_role (conn) == GST_KVS_ROLE_VIEWER) {
    /* The recipient a viewer names is ignored: viewers talk to the master,
     * or to the storage session once joined to it. */
    key = KVS_MASTER_KEY;
    sender_id = kvs_connection_get_client_id (conn);
    if (self->viewer_func && sender_id &&
        g_hash_table_lookup (self->viewers, sender_id) == conn &&
        g_hash_table_contains (self->storage_viewers, sender_id)) {
      self->counters->messages_relayed++;
      self->viewer_func (self, sender_id, KVS_STORAGE_VIEWER_MESSAGE, msg,
          self->peer_data);
      return;
    }
    target = self->master;
  } else {
    KvsOfferWaiter *waiter;

    key = msg->recipient_client_id;
    sender_id = NULL;
    if (self->peer_id && g_strcmp0 (key, self->peer_id) == 0) {
      self->counters->messages_relayed++;
      self->peer_func (self, msg, self->peer_data);
      return;
    }
    waiter = msg->type == GST_KVS_MESSAGE_TYPE_SDP_ANSWER ?
        g_hash_table_lookup (self->waiters, key) : NULL;
    if (waiter) {
      KvsOfferWaiter w = *waiter;

      GST_INFO ("%s: the master answered the offer relayed for '%s'",
          self->name, key);
      g_hash_table_remove (self->waiters, key);
      self->counters->messages_relayed++;
      w.func (self, msg->payload, NULL, w.user_data);
      return;
    }
    target = g_hash_table_lookup (self->viewers, key);
  }
  frame = gst_kvs_message_to_service_frame (msg, sender_id);

  if (target && kvs_connection_is_open (target)) {
    GST_DEBUG ("%s: %s from %s to %s", self->name,
        gst_kvs_message_type_to_string (msg->type),
        kvs_connection_get_description (conn),
        kvs_connection_get_description (target));
    if (kvs_connection_send_frame (target, frame))
      self->counters->messages_relayed++;
    g_free (frame);
    return;
  }

  (void) kvs_channel_hold (self, conn, key, msg, sender_id, frame);
}

static void
kvs_channel_on_closed (KvsConnection * conn, KvsChannel * self)
{
  const gchar *id = kvs_connection_get_client_id (conn);

  if (self->master == conn) {
    self->master = NULL;
    kvs_channel_forget (self, conn);
    kvs_channel_end_storage_session (self);
  } else if (id && g_hash_table_lookup (self->viewers, id) == conn) {
    /* (id belongs to conn: before letting it go) */
    kvs_channel_storage_viewer_left (self, id);
    g_hash_table_remove (self->viewers, id);
    kvs_channel_forget (self, conn);
  } else if (g_ptr_array_remove (self->retired, conn)) {
    kvs_channel_forget (self, conn);
  }
}

/* @old was replaced by a newer connection of the same identity: keep
 * relaying what it receives (its reference moves to the retired list) and
 * close it; kvs_channel_on_closed() lets it go. */
static void
kvs_channel_retire (KvsChannel * self, KvsConnection * old,
    const gchar * reason)
{
  g_ptr_array_add (self->retired, old);
  kvs_connection_retire (old, SOUP_WEBSOCKET_CLOSE_NORMAL, reason);
}

static void
kvs_channel_deliver_held (KvsChannel * self, KvsConnection * conn,
    const gchar * key)
{
  GQueue *queue;
  KvsHeldMessage *held;
  guint n = 0;

  queue = g_hash_table_lookup (self->queues, key);
  if (queue == NULL)
    return;

  kvs_channel_expire (self, key, queue, g_get_monotonic_time ());
  while ((held = g_queue_pop_head (queue))) {
    if (kvs_connection_send_frame (conn, held->frame)) {
      self->counters->messages_relayed++;
      n++;
    }
    kvs_held_message_free (held);
  }
  g_hash_table_remove (self->queues, key);
  GST_INFO ("%s: delivered %u held messages to %s", self->name, n,
      kvs_connection_get_description (conn));
}

gboolean
kvs_channel_can_accept_viewer (KvsChannel * self, const gchar * client_id)
{
  g_return_val_if_fail (KVS_IS_CHANNEL (self), FALSE);

  if (g_hash_table_contains (self->viewers, client_id))
    return TRUE;
  return g_hash_table_size (self->viewers) < self->config->max_viewers;
}

gboolean
kvs_channel_admit_connect (KvsChannel * self, gint64 now_us)
{
  guint limit;

  g_return_val_if_fail (KVS_IS_CHANNEL (self), FALSE);

  limit = self->config->max_connects_per_second;
  if (limit == 0)
    return TRUE;
  if (self->connects == NULL)
    self->connects = g_new0 (gint64, limit);
  /* a sliding second: refused while the limit-th last admission is
   * younger than a second */
  if (self->connects[self->next_connect] != 0 &&
      now_us - self->connects[self->next_connect] < G_USEC_PER_SEC)
    return FALSE;
  self->connects[self->next_connect] = now_us;
  self->next_connect = (self->next_connect + 1) % limit;
  return TRUE;
}

void
kvs_channel_attach (KvsChannel * self, KvsConnection * conn)
{
  KvsConnection *old;
  const gchar *id;

  g_return_if_fail (KVS_IS_CHANNEL (self));
  g_return_if_fail (KVS_IS_CONNECTION (conn));

  if (kvs_connection_get_role (conn) == GST_KVS_ROLE_MASTER) {
    old = self->master;
    self->master = g_object_ref (conn);
    if (old) {
      GST_INFO ("%s: a newer master connection replaces the previous one",
          self->name);
      kvs_channel_retire (self, old, "Replaced by a newer master connection");
      kvs_channel_end_storage_session (self);
    }
  } else {
    id = kvs_connection_get_client_id (conn);
    old = g_hash_table_lookup (self->viewers, id);
    g_hash_table_insert (self->viewers, g_strdup (id), g_object_ref (conn));
    if (old) {
      GST_INFO ("%s: a newer connection of viewer '%s' replaces the "
          "previous one", self->name, id);
      kvs_channel_retire (self, old,
          "Replaced by a newer connection with the same client id");
      kvs_channel_storage_viewer_left (self, id);
    }
  }

  g_signal_connect (conn, "message", G_CALLBACK (kvs_channel_on_message), self);
  g_signal_connect (conn, "closed", G_CALLBACK (kvs_channel_on_closed), self);

  kvs_channel_deliver_held (self, conn,
      kvs_connection_get_role (conn) == GST_KVS_ROLE_MASTER ?
      KVS_MASTER_KEY : kvs_connection_get_client_id (conn));
}

KvsConnection *
kvs_channel_lookup (KvsChannel * self, GstKvsRole role, const gchar * client_id)
{
  g_return_val_if_fail (KVS_IS_CHANNEL (self), NULL);

  if (role == GST_KVS_ROLE_MASTER)
    return self->master;
  return client_id ? g_hash_table_lookup (self->viewers, client_id) : NULL;
}

GList *
kvs_channel_list_connections (KvsChannel * self)
{
  GList *list;

  g_return_val_if_fail (KVS_IS_CHANNEL (self), NULL);

  list = g_hash_table_get_values (self->viewers);
  if (self->master)
    list = g_list_prepend (list, self->master);
  return list;
}

gboolean
kvs_channel_relay_offer (KvsChannel * self, const gchar * sender_id,
    const gchar * payload, KvsChannelAnswerFunc func, gpointer user_data,
    GError ** error)
{
  g_autoptr (GstKvsMessage) msg = NULL;
  KvsOfferWaiter *waiter;
  gchar *frame;

  g_return_val_if_fail (KVS_IS_CHANNEL (self), FALSE);
  g_return_val_if_fail (sender_id != NULL && payload != NULL, FALSE);

  waiter = g_hash_table_lookup (self->waiters, sender_id);
  if (waiter) {
    KvsOfferWaiter old = *waiter;
    g_autoptr (GError) replaced = g_error_new (GST_KVS_ERROR,
        GST_KVS_ERROR_CLIENT_LIMIT_EXCEEDED, "A newer offer of "
        "SenderClientId '%s' replaced this one", sender_id);

    GST_INFO ("%s: a newer offer of '%s' replaces the one waiting for the "
        "master's answer", self->name, sender_id);
    g_hash_table_remove (self->waiters, sender_id);
    old.func (self, NULL, replaced, old.user_data);
  }
  waiter = g_new0 (KvsOfferWaiter, 1);
  waiter->func = func;
  waiter->user_data = user_data;
  g_hash_table_insert (self->waiters, g_strdup (sender_id), waiter);

  msg = gst_kvs_message_new (GST_KVS_MESSAGE_TYPE_SDP_OFFER);
  msg->payload = g_strdup (payload);
  frame = gst_kvs_message_to_service_frame (msg, sender_id);
  self->counters->messages_received++;
  if (self->master && kvs_connection_is_open (self->master)) {
    GST_INFO ("%s: offer of '%s' (SendAlexaOfferToMaster) to the master",
        self->name, sender_id);
    if (kvs_connection_send_frame (self->master, frame))
      self->counters->messages_relayed++;
    g_free (frame);
  } else if (!kvs_channel_hold (self, NULL, KVS_MASTER_KEY, msg, sender_id,
          frame)) {
    g_hash_table_remove (self->waiters, sender_id);
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CLIENT_LIMIT_EXCEEDED,
        "The master is not connected and already has %u messages waiting: "
        "offer refused", self->config->max_queue);
    return FALSE;
  }
  return TRUE;
}

void
kvs_channel_cancel_offer (KvsChannel * self, const gchar * sender_id)
{
  g_return_if_fail (KVS_IS_CHANNEL (self));

  g_hash_table_remove (self->waiters, sender_id);
}

static void
kvs_channel_fail_waiters (KvsChannel * self)
{
  GHashTableIter iter;
  gpointer key, value;
  GList *waiters = NULL, *l;

  g_hash_table_iter_init (&iter, self->waiters);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    waiters = g_list_prepend (waiters, value);
    g_hash_table_iter_steal (&iter);
    g_free (key);
  }
  for (l = waiters; l; l = l->next) {
    KvsOfferWaiter *w = l->data;
    g_autoptr (GError) deleted = g_error_new_literal (GST_KVS_ERROR,
        GST_KVS_ERROR_RESOURCE_NOT_FOUND, "The signaling channel was "
        "deleted before the master answered.");

    w->func (self, NULL, deleted, w->user_data);
    g_free (w);
  }
  g_list_free (waiters);
}

void
kvs_channel_shutdown (KvsChannel * self)
{
  GList *conns, *l;

  g_return_if_fail (KVS_IS_CHANNEL (self));

  kvs_channel_end_storage_session (self);
  conns = kvs_channel_list_connections (self);
  for (l = conns; l; l = l->next) {
    KvsConnection *conn = l->data;

    g_object_ref (conn);
    kvs_channel_on_closed (conn, self);
    kvs_connection_close (conn, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
        "The signaling channel was deleted");
    g_object_unref (conn);
  }
  g_list_free (conns);
  g_hash_table_remove_all (self->queues);
  g_clear_handle_id (&self->sweep_id, g_source_remove);
  kvs_channel_fail_waiters (self);
}

JsonNode *
kvs_channel_queues_to_json (KvsChannel * self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  GHashTableIter iter;
  gpointer key, value;
  gint64 now = g_get_monotonic_time ();
  GList *l;

  g_return_val_if_fail (KVS_IS_CHANNEL (self), NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "channelArn");
  json_builder_add_string_value (b, self->arn);
  json_builder_set_member_name (b, "channelName");
  json_builder_add_string_value (b, self->name);
  json_builder_set_member_name (b, "recipients");
  json_builder_begin_array (b);
  g_hash_table_iter_init (&iter, self->queues);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    GQueue *queue = value;

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "role");
    json_builder_add_string_value (b,
        kvs_channel_key_is_master (key) ? "master" : "viewer");
    json_builder_set_member_name (b, "clientId");
    if (kvs_channel_key_is_master (key))
      json_builder_add_null_value (b);
    else
      json_builder_add_string_value (b, key);
    json_builder_set_member_name (b, "pending");
    json_builder_add_int_value (b, g_queue_get_length (queue));
    json_builder_set_member_name (b, "messages");
    json_builder_begin_array (b);
    for (l = queue->head; l; l = l->next) {
      KvsHeldMessage *held = l->data;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "messageType");
      json_builder_add_string_value (b,
          gst_kvs_message_type_to_string (held->type));
      json_builder_set_member_name (b, "senderClientId");
      if (held->sender)
        json_builder_add_string_value (b, held->sender);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "ageMs");
      json_builder_add_int_value (b, (now - held->held_at) / 1000);
      json_builder_set_member_name (b, "expiresInMs");
      json_builder_add_int_value (b, MAX (0, held->expires_at - now) / 1000);
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
