/* kvssignaling: the webrtcbins a shared connection drives and its
 * sessions, one per remote peer.
 *
 * A master keeps the webrtcbins its elements hand over free until a new
 * viewer offers, then binds one to that viewer (or one that a
 * request-webrtcbin handler returned); a viewer binds its one webrtcbin to
 * the master at once. Candidates a viewer sends before its offer are held
 * here. Everything is guarded by @lock, never held while calling out.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvssessiontable.h"

GST_DEBUG_CATEGORY_STATIC (kvs_session_table_debug);
#define GST_CAT_DEFAULT kvs_session_table_debug

/* Early candidates held per viewer before its offer arrives. */
#define MAX_PENDING_CANDIDATES 100

struct _GstKvsSessionTable
{
  GObject parent;

  GstKvsRole role;
  const GstKvsWebrtcSessionCallbacks *callbacks;
  GObject *owner;               /* not referenced: it owns us */

  GMutex lock;
  GHashTable *webrtcbins;       /* GstElement * (ref) -> attach count */
  GQueue free_webrtcbins;       /* master: bins waiting for a viewer */
  GHashTable *sessions;         /* peer id -> GstKvsWebrtcSession */
  GHashTable *removed_peers;    /* peer ids whose end was reported */
  GHashTable *requested;        /* webrtcbins from request-webrtcbin */
  GHashTable *pending;          /* peer id -> GQueue of GstKvsMessage */
};

G_DEFINE_TYPE_WITH_CODE (GstKvsSessionTable, gst_kvs_session_table,
    G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (kvs_session_table_debug, "kvssessiontable", 0,
        "KVS signaling: a shared connection's webrtcbins and sessions"));

static void
close_session (GstKvsWebrtcSession * session)
{
  gst_kvs_webrtc_session_close (session);
  g_object_unref (session);
}

static void
close_sessions (GPtrArray * closing)
{
  for (guint i = 0; i < closing->len; i++)
    close_session (g_ptr_array_index (closing, i));
  g_ptr_array_free (closing, TRUE);
}

GstKvsSessionTable *
gst_kvs_session_table_new (GstKvsRole role,
    const GstKvsWebrtcSessionCallbacks * callbacks, GObject * owner)
{
  GstKvsSessionTable *self = g_object_new (GST_TYPE_KVS_SESSION_TABLE, NULL);

  self->role = role;
  self->callbacks = callbacks;
  self->owner = owner;
  return self;
}

gboolean
gst_kvs_session_table_add_webrtcbin (GstKvsSessionTable * self,
    GstElement * webrtcbin, gboolean * added, GstKvsWebrtcSession ** session,
    GError ** error)
{
  guint count;

  *added = FALSE;
  *session = NULL;
  g_mutex_lock (&self->lock);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->webrtcbins, webrtcbin));
  if (count > 0) {
    g_hash_table_insert (self->webrtcbins, gst_object_ref (webrtcbin),
        GUINT_TO_POINTER (count + 1));
    g_mutex_unlock (&self->lock);
    return TRUE;
  }
  if (self->role == GST_KVS_ROLE_VIEWER
      && g_hash_table_size (self->sessions) > 0) {
    g_mutex_unlock (&self->lock);
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        "a viewer connection already drives another webrtcbin; give each "
        "viewer its own client-id");
    return FALSE;
  }
  g_hash_table_insert (self->webrtcbins, gst_object_ref (webrtcbin),
      GUINT_TO_POINTER (1));
  if (self->role == GST_KVS_ROLE_MASTER) {
    g_queue_push_tail (&self->free_webrtcbins, gst_object_ref (webrtcbin));
  } else {
    *session = gst_kvs_webrtc_session_new (webrtcbin, TRUE, NULL,
        self->callbacks, self->owner);
    g_hash_table_insert (self->sessions, g_strdup (GST_KVS_MASTER_PEER),
        g_object_ref (*session));
    /* A new session with the master (kvswebrtcsrc replaces its webrtcbin):
     * its end is reported again. */
    g_hash_table_remove (self->removed_peers, GST_KVS_MASTER_PEER);
  }
  *added = TRUE;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

void
gst_kvs_session_table_remove_webrtcbin (GstKvsSessionTable * self,
    GstElement * webrtcbin)
{
  GPtrArray *closing = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key, value;
  guint count;

  g_mutex_lock (&self->lock);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->webrtcbins, webrtcbin));
  if (count > 1) {
    g_hash_table_insert (self->webrtcbins, gst_object_ref (webrtcbin),
        GUINT_TO_POINTER (count - 1));
  } else if (count == 1) {
    if (g_queue_remove (&self->free_webrtcbins, webrtcbin))
      gst_object_unref (webrtcbin);
    g_hash_table_iter_init (&iter, self->sessions);
    while (g_hash_table_iter_next (&iter, &key, &value)) {
      if (gst_kvs_webrtc_session_get_webrtcbin (value) == webrtcbin) {
        g_ptr_array_add (closing, value);
        g_hash_table_iter_steal (&iter);
        g_free (key);
      }
    }
    g_hash_table_remove (self->requested, webrtcbin);
    g_hash_table_remove (self->webrtcbins, webrtcbin);
  }
  g_mutex_unlock (&self->lock);

  close_sessions (closing);
}

GPtrArray *
gst_kvs_session_table_dup_webrtcbins (GstKvsSessionTable * self)
{
  GPtrArray *bins = g_ptr_array_new_with_free_func (gst_object_unref);
  GHashTableIter iter;
  gpointer key, value;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->webrtcbins);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_ptr_array_add (bins, gst_object_ref (key));
  g_mutex_unlock (&self->lock);
  return bins;
}

GstKvsWebrtcSession *
gst_kvs_session_table_dup_session (GstKvsSessionTable * self,
    const gchar * peer)
{
  GstKvsWebrtcSession *session;

  g_mutex_lock (&self->lock);
  session = g_hash_table_lookup (self->sessions,
      peer ? peer : GST_KVS_MASTER_PEER);
  if (session)
    g_object_ref (session);
  g_mutex_unlock (&self->lock);
  return session;
}

GstElement *
gst_kvs_session_table_take_free (GstKvsSessionTable * self,
    guint * n_sessions, guint * n_webrtcbins, gchar ** busy_with)
{
  GstElement *webrtcbin;

  *busy_with = NULL;
  g_mutex_lock (&self->lock);
  webrtcbin = g_queue_pop_head (&self->free_webrtcbins);
  *n_sessions = g_hash_table_size (self->sessions);
  *n_webrtcbins = g_hash_table_size (self->webrtcbins);
  if (webrtcbin == NULL && *n_sessions > 0) {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, self->sessions);
    if (g_hash_table_iter_next (&iter, &key, NULL))
      *busy_with = g_strdup (key);
  }
  g_mutex_unlock (&self->lock);
  return webrtcbin;
}

void
gst_kvs_session_table_give_back (GstKvsSessionTable * self,
    GstElement * webrtcbin)
{
  g_mutex_lock (&self->lock);
  if (g_hash_table_contains (self->webrtcbins, webrtcbin)) {
    g_queue_push_head (&self->free_webrtcbins, webrtcbin);
    webrtcbin = NULL;
  }
  g_mutex_unlock (&self->lock);
  if (webrtcbin)                /* removed meanwhile */
    gst_object_unref (webrtcbin);
}

GstKvsWebrtcSession *
gst_kvs_session_table_bind (GstKvsSessionTable * self, const gchar * peer,
    GstElement * webrtcbin, gboolean requested)
{
  GstKvsWebrtcSession *session = gst_kvs_webrtc_session_new (webrtcbin,
      FALSE, peer, self->callbacks, self->owner);

  g_mutex_lock (&self->lock);
  if (requested) {
    g_hash_table_insert (self->webrtcbins, gst_object_ref (webrtcbin),
        GUINT_TO_POINTER (1));
    g_hash_table_add (self->requested, webrtcbin);
  }
  g_hash_table_insert (self->sessions, g_strdup (peer), g_object_ref (session));
  g_hash_table_remove (self->removed_peers, peer);
  g_mutex_unlock (&self->lock);
  return session;
}

gboolean
gst_kvs_session_table_release (GstKvsSessionTable * self, const gchar * peer,
    GstKvsWebrtcSession * old)
{
  GstElement *webrtcbin = gst_kvs_webrtc_session_get_webrtcbin (old);
  gboolean released = FALSE;

  g_mutex_lock (&self->lock);
  if (g_hash_table_lookup (self->sessions, peer) == old
      && g_hash_table_remove (self->requested, webrtcbin)) {
    gchar *stolen_key = NULL;
    GstKvsWebrtcSession *stolen = NULL;

    g_hash_table_steal_extended (self->sessions, peer,
        (gpointer *) & stolen_key, (gpointer *) & stolen);
    g_free (stolen_key);
    g_object_unref (stolen);    /* the caller holds another reference */
    g_hash_table_remove (self->webrtcbins, webrtcbin);
    g_hash_table_add (self->removed_peers, g_strdup (peer));
    released = TRUE;
  }
  g_mutex_unlock (&self->lock);
  return released;
}

gboolean
gst_kvs_session_table_mark_removed (GstKvsSessionTable * self,
    const gchar * key)
{
  gboolean removed = FALSE;

  g_mutex_lock (&self->lock);
  if (!g_hash_table_contains (self->removed_peers, key)) {
    g_hash_table_add (self->removed_peers, g_strdup (key));
    removed = TRUE;
  }
  g_mutex_unlock (&self->lock);
  return removed;
}

void
gst_kvs_session_table_forget_ended (GstKvsSessionTable * self,
    const gchar * key, GstKvsWebrtcSession * session)
{
  GstElement *webrtcbin = gst_kvs_webrtc_session_get_webrtcbin (session);
  GstKvsWebrtcSession *dead = NULL;

  g_mutex_lock (&self->lock);
  if (g_hash_table_remove (self->requested, webrtcbin)
      && g_hash_table_lookup (self->sessions, key) == session) {
    gchar *stolen_key = NULL;

    g_hash_table_steal_extended (self->sessions, key,
        (gpointer *) & stolen_key, (gpointer *) & dead);
    g_free (stolen_key);
    g_hash_table_remove (self->webrtcbins, webrtcbin);
  }
  g_mutex_unlock (&self->lock);
  if (dead) {
    GST_INFO_OBJECT (self->owner, "session with %s ended, webrtcbin released",
        key);
    close_session (dead);
  }
}

void
gst_kvs_session_table_hold_candidate (GstKvsSessionTable * self,
    const gchar * peer, GstKvsMessage * msg)
{
  g_mutex_lock (&self->lock);
  if (g_hash_table_size (self->webrtcbins) > 0
      || g_hash_table_size (self->sessions) > 0) {
    GQueue *queue = g_hash_table_lookup (self->pending, peer);

    if (queue == NULL) {
      queue = g_queue_new ();
      g_hash_table_insert (self->pending, g_strdup (peer), queue);
    }
    if (queue->length >= MAX_PENDING_CANDIDATES)
      gst_kvs_message_unref (g_queue_pop_head (queue));
    g_queue_push_tail (queue, gst_kvs_message_ref (msg));
    GST_DEBUG_OBJECT (self->owner, "holding an early candidate of %s", peer);
  }
  g_mutex_unlock (&self->lock);
}

void
gst_kvs_session_table_flush_candidates (GstKvsSessionTable * self,
    const gchar * peer, GstKvsWebrtcSession * session)
{
  GQueue *queue;
  GstKvsMessage *msg;

  g_mutex_lock (&self->lock);
  queue = g_hash_table_lookup (self->pending, peer);
  if (queue)
    g_hash_table_steal (self->pending, peer);
  g_mutex_unlock (&self->lock);

  if (queue == NULL)
    return;
  while ((msg = g_queue_pop_head (queue))) {
    gst_kvs_webrtc_session_handle_candidate (session, msg->sdp_mline_index,
        msg->sdp_mid, msg->candidate);
    gst_kvs_message_unref (msg);
  }
  g_queue_free (queue);
}

guint
gst_kvs_session_table_snapshot (GstKvsSessionTable * self, GPtrArray * keys,
    GPtrArray * sessions)
{
  GHashTableIter iter;
  gpointer key, value;
  guint held = 0;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    held += ((GQueue *) value)->length;
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    g_ptr_array_add (keys, g_strdup (key));
    g_ptr_array_add (sessions, g_object_ref (value));
  }
  g_mutex_unlock (&self->lock);
  return held;
}

void
gst_kvs_session_table_clear (GstKvsSessionTable * self)
{
  GPtrArray *closing = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    g_ptr_array_add (closing, value);
    g_hash_table_iter_steal (&iter);
    g_free (key);
  }
  g_queue_clear_full (&self->free_webrtcbins, gst_object_unref);
  g_hash_table_remove_all (self->webrtcbins);
  g_hash_table_remove_all (self->requested);
  g_hash_table_remove_all (self->pending);
  g_mutex_unlock (&self->lock);

  /* Sessions hold a reference on the owner until closed. */
  close_sessions (closing);
}

static void
pending_queue_free (GQueue * queue)
{
  g_queue_free_full (queue, (GDestroyNotify) gst_kvs_message_unref);
}

static void
gst_kvs_session_table_finalize (GObject * object)
{
  GstKvsSessionTable *self = GST_KVS_SESSION_TABLE (object);

  g_queue_clear_full (&self->free_webrtcbins, gst_object_unref);
  g_hash_table_unref (self->webrtcbins);
  g_hash_table_unref (self->sessions);
  g_hash_table_unref (self->removed_peers);
  g_hash_table_unref (self->requested);
  g_hash_table_unref (self->pending);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (gst_kvs_session_table_parent_class)->finalize (object);
}

static void
gst_kvs_session_table_class_init (GstKvsSessionTableClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_kvs_session_table_finalize;
}

static void
gst_kvs_session_table_init (GstKvsSessionTable * self)
{
  g_mutex_init (&self->lock);
  self->webrtcbins = g_hash_table_new_full (NULL, NULL, gst_object_unref, NULL);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) close_session);
  self->removed_peers = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, NULL);
  self->requested = g_hash_table_new (NULL, NULL);
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) pending_queue_free);
}
