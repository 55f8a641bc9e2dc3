/* kvssignaling: a master's storage session (WebRTC ingestion).
 *
 * One concern: when the master joins the channel's storage session
 * (JoinStorageSession, through a GstKvsStorageJoiner on its own thread),
 * which peer is the storage peer, when it joins again (after each
 * reconnect, when the storage session ends or fails, when the storage
 * peer's offer does not come: with backoff), and what it tells (counters,
 * element messages, warnings). What a session is made of (webrtcbins,
 * branches, viewers) stays the element's: the element tells the session
 * what happens (connected, offer seen, peer ended) and ends the sessions
 * the functions name.
 *
 * Used by kvswebrtcsink (join-storage-session) and by the kvssignalingsink /
 * kvssignalingsrc pair (GstKvsSignalingBase's join-storage-session).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstkvsstoragesession.h"
#include "gstkvsstoragejoiner.h"
#include "gstkvsbackoff.h"

GST_DEBUG_CATEGORY_STATIC (kvs_storage_session_debug);
#define GST_CAT_DEFAULT kvs_storage_session_debug

/* After a JoinStorageSession the service accepted: how long its storage
 * peer's offer may take before the master joins again. */
#define STORAGE_OFFER_TIMEOUT (30 * GST_SECOND)
/* While the codec of an input is not known yet, the join waits this long
 * (ms) before looking again. */
#define STORAGE_CODEC_WAIT_MS 500

struct _GstKvsStorageSession
{
  GObject parent;

  GWeakRef element;
  gchar *message_name;
  GstKvsStorageCheckMedia check_media;

  GMutex lock;
  GstKvsConnection *connection; /* from start() to stop() */
  GstKvsStorageJoiner *joiner;  /* from start() to stop() */
  GstKvsBackoff backoff;
  gboolean awaiting;            /* a join is under way or its offer awaited */
  gboolean gave_up;             /* until the next reconnect */
  guint attempt;                /* the join whose offer is awaited */
  gchar *peer;                  /* the storage peer's client id */
  GstClockID timer;             /* the wait for its offer, or for codecs */
  guint64 joins, sessions;
};

G_DEFINE_TYPE_WITH_CODE (GstKvsStorageSession, gst_kvs_storage_session,
    G_TYPE_OBJECT, GST_DEBUG_CATEGORY_INIT (kvs_storage_session_debug,
        "kvsstoragesession", 0, "KVS signaling: a master's storage session"));

static void schedule_join (GstKvsStorageSession * self, guint delay_ms);

/* ------------------------------------------------------------------------ */

static GstKvsConnection *
dup_connection (GstKvsStorageSession * self)
{
  GstKvsConnection *connection = NULL;

  g_mutex_lock (&self->lock);
  if (self->connection)
    connection = g_object_ref (self->connection);
  g_mutex_unlock (&self->lock);
  return connection;
}

static void
post_event (GstKvsStorageSession * self, const gchar * event,
    const gchar * client_id)
{
  g_autoptr (GstElement) element = g_weak_ref_get (&self->element);
  GstStructure *s;

  if (element == NULL)
    return;
  s = gst_structure_new (self->message_name, "event", G_TYPE_STRING, event,
      NULL);
  if (client_id)
    gst_structure_set (s, "client-id", G_TYPE_STRING, client_id, NULL);
  gst_element_post_message (element,
      gst_message_new_element (GST_OBJECT (element), s));
}

/* The channel's name (else its ARN), for messages. */
static gchar *
dup_channel (GstKvsStorageSession * self)
{
  g_autoptr (GstKvsConnection) connection = dup_connection (self);
  const GstKvsSettings *settings;

  if (connection == NULL)
    return NULL;
  settings = gst_kvs_connection_get_settings (connection);
  return g_strdup (settings->channel_name ? settings->channel_name :
      settings->channel_arn);
}

static void
cancel_timer (GstKvsStorageSession * self)
{
  GstClockID id;

  g_mutex_lock (&self->lock);
  id = self->timer;
  self->timer = NULL;
  g_mutex_unlock (&self->lock);
  if (id) {
    gst_clock_id_unschedule (id);
    gst_clock_id_unref (id);
  }
}

typedef struct
{
  GstKvsStorageSession *session;        /* ref */
  guint attempt;                /* 0: the wait for codecs */
} Wait;

static void
wait_free (Wait * wait)
{
  g_object_unref (wait->session);
  g_free (wait);
}

/* A clock's thread. */
static gboolean
on_timer (GstClock * clock, GstClockTime time, GstClockID id, gpointer data)
{
  Wait *wait = data;
  GstKvsStorageSession *self = wait->session;
  gboolean mine, offer_late;
  guint delay = 0;

  g_mutex_lock (&self->lock);
  mine = self->timer == id;
  if (mine) {
    gst_clock_id_unref (self->timer);
    self->timer = NULL;
  }
  offer_late = mine && wait->attempt != 0 && self->awaiting &&
      self->attempt == wait->attempt;
  if (offer_late)
    delay = gst_kvs_backoff_next (&self->backoff);
  g_mutex_unlock (&self->lock);

  if (offer_late) {
    g_autoptr (GstElement) element = g_weak_ref_get (&self->element);

    if (element)
      GST_ELEMENT_WARNING (element, RESOURCE, OPEN_READ,
          ("The storage peer sent no offer within %u s of "
              "JoinStorageSession; joining again in %u ms.",
              (guint) (STORAGE_OFFER_TIMEOUT / GST_SECOND), delay), (NULL));
    schedule_join (self, delay);
  } else if (mine && wait->attempt == 0) {
    schedule_join (self, 0);
  }
  return TRUE;
}

static void
start_timer (GstKvsStorageSession * self, GstClockTime delay, guint attempt)
{
  GstClock *clock = gst_system_clock_obtain ();
  GstClockID id = gst_clock_new_single_shot_id (clock,
      gst_clock_get_time (clock) + delay);
  Wait *wait = g_new0 (Wait, 1);

  cancel_timer (self);
  wait->session = g_object_ref (self);
  wait->attempt = attempt;
  g_mutex_lock (&self->lock);
  self->timer = gst_clock_id_ref (id);
  g_mutex_unlock (&self->lock);
  gst_clock_id_wait_async (id, on_timer, wait, (GDestroyNotify) wait_free);
  gst_clock_id_unref (id);
  gst_object_unref (clock);
}

/* JoinStorageSession in @delay_ms, once the signaling connection is up and
 * the media fit; a later connection joins again (connected()). */
static void
schedule_join (GstKvsStorageSession * self, guint delay_ms)
{
  g_autoptr (GstKvsConnection) connection = NULL;
  g_autoptr (GstKvsStorageJoiner) joiner = NULL;
  g_autoptr (GstElement) element = NULL;
  g_autofree gchar *arn = NULL, *region = NULL;
  GstKvsSignalingClient *client;
  GstKvsStorageMedia media;

  g_mutex_lock (&self->lock);
  if (self->joiner && !self->gave_up) {
    joiner = g_object_ref (self->joiner);
    connection = g_object_ref (self->connection);
  }
  g_mutex_unlock (&self->lock);
  if (joiner == NULL || gst_kvs_connection_get_state (connection) !=
      GST_KVS_SIGNALING_STATE_CONNECTED)
    return;
  element = g_weak_ref_get (&self->element);
  if (element == NULL)
    return;

  media = self->check_media (element);
  if (media == GST_KVS_STORAGE_MEDIA_UNFIT) {
    g_mutex_lock (&self->lock);
    self->gave_up = TRUE;
    self->awaiting = FALSE;
    g_mutex_unlock (&self->lock);
    return;
  }
  if (media == GST_KVS_STORAGE_MEDIA_UNKNOWN) {
    GST_DEBUG_OBJECT (element, "codecs not known yet: joining the storage "
        "session later");
    start_timer (self, STORAGE_CODEC_WAIT_MS * GST_MSECOND, 0);
    return;
  }

  client = gst_kvs_connection_get_client (connection);
  arn = gst_kvs_signaling_client_dup_channel_arn (client);
  region = gst_kvs_signaling_client_dup_region (client);
  if (arn == NULL)
    return;
  g_mutex_lock (&self->lock);
  self->awaiting = TRUE;
  g_mutex_unlock (&self->lock);
  GST_INFO_OBJECT (element, "joining the storage session of %s in %u ms",
      arn, delay_ms);
  /* the joiner reports only its newest join (this one, or a later one) */
  gst_kvs_storage_joiner_join (joiner, arn, region, delay_ms);
}

/* The joiner's thread. */
static void
on_joined (GstKvsStorageJoiner * joiner, guint attempt, const GError * error,
    gpointer data)
{
  GstKvsStorageSession *self = data;
  g_autoptr (GstElement) element = NULL;
  g_autofree gchar *channel = NULL;
  gboolean final = FALSE;
  guint delay = 0;

  g_mutex_lock (&self->lock);
  if (!self->awaiting) {
    g_mutex_unlock (&self->lock);
    return;
  }
  if (error == NULL) {
    self->joins++;
    self->attempt = attempt;    /* its offer is awaited */
  } else {
    final = error->domain == GST_KVS_ERROR &&
        (error->code == GST_KVS_ERROR_INVALID_ARGUMENT ||
        error->code == GST_KVS_ERROR_ACCESS_DENIED ||
        error->code == GST_KVS_ERROR_NOT_AUTHORIZED);
    if (final) {
      self->gave_up = TRUE;
      self->awaiting = FALSE;
    } else {
      delay = gst_kvs_backoff_next (&self->backoff);
    }
  }
  g_mutex_unlock (&self->lock);

  element = g_weak_ref_get (&self->element);
  channel = dup_channel (self);
  if (error == NULL) {
    GST_INFO_OBJECT (element, "joined the storage session: waiting for the "
        "storage peer's offer");
    post_event (self, "joined", NULL);
    start_timer (self, STORAGE_OFFER_TIMEOUT, attempt);
  } else if (final) {
    if (element)
      GST_ELEMENT_WARNING (element, RESOURCE, SETTINGS,
          ("Cannot join the storage session of channel '%s': %s. %s",
              GST_STR_NULL (channel), error->message,
              error->code == GST_KVS_ERROR_INVALID_ARGUMENT ?
              "Configure media storage for the channel "
              "(UpdateMediaStorageConfiguration with a stream and Status "
              "ENABLED) and restart, or set join-storage-session=false; the "
              "viewers are served all the same." :
              "The credentials need kinesisvideo:GetSignalingChannelEndpoint "
              "and kinesisvideo:JoinStorageSession."),
          ("JoinStorageSession refused; not trying again until the signaling "
              "connection is made again"));
    post_event (self, "failed", NULL);
  } else {
    if (element)
      GST_ELEMENT_WARNING (element, RESOURCE, OPEN_READ,
          ("Could not join the storage session of channel '%s': %s; trying "
              "again in %u ms.", GST_STR_NULL (channel), error->message,
              delay), (NULL));
    schedule_join (self, delay);
  }
}

/* Forgets the storage session; returns its peer. */
static gchar *
forget (GstKvsStorageSession * self)
{
  g_autoptr (GstKvsConnection) connection = NULL;
  g_autoptr (GstKvsStorageJoiner) joiner = NULL;
  gchar *peer;

  cancel_timer (self);
  g_mutex_lock (&self->lock);
  if (self->joiner)
    joiner = g_object_ref (self->joiner);
  if (self->connection)
    connection = g_object_ref (self->connection);
  peer = g_steal_pointer (&self->peer);
  self->awaiting = FALSE;
  self->attempt = 0;
  g_mutex_unlock (&self->lock);
  if (connection)
    gst_kvs_connection_set_storage_peer (connection, NULL);
  if (joiner)
    gst_kvs_storage_joiner_cancel (joiner);
  return peer;
}

/* ------------------------------------------------------------------------ */

GstKvsStorageSession *
gst_kvs_storage_session_new (GstElement * element, const gchar * message_name,
    GstKvsStorageCheckMedia check_media)
{
  GstKvsStorageSession *self;

  g_return_val_if_fail (GST_IS_ELEMENT (element), NULL);
  g_return_val_if_fail (message_name != NULL && check_media != NULL, NULL);

  self = g_object_new (GST_TYPE_KVS_STORAGE_SESSION, NULL);
  g_weak_ref_set (&self->element, element);
  self->message_name = g_strdup (message_name);
  self->check_media = check_media;
  return self;
}

void
gst_kvs_storage_session_start (GstKvsStorageSession * self,
    GstKvsConnection * connection)
{
  GstKvsStorageJoiner *joiner;

  g_return_if_fail (GST_IS_KVS_CONNECTION (connection));

  joiner = gst_kvs_storage_joiner_new (gst_kvs_connection_get_settings
      (connection), on_joined, self);
  g_mutex_lock (&self->lock);
  g_warn_if_fail (self->joiner == NULL);
  if (self->joiner) {
    g_mutex_unlock (&self->lock);
    gst_kvs_storage_joiner_stop (joiner);
    g_object_unref (joiner);
    return;
  }
  self->joiner = joiner;
  self->connection = g_object_ref (connection);
  memset (&self->backoff, 0, sizeof (self->backoff));
  self->gave_up = FALSE;
  g_mutex_unlock (&self->lock);
  /* a connection shared with another element may be up already */
  schedule_join (self, 0);
}

gchar *
gst_kvs_storage_session_stop (GstKvsStorageSession * self)
{
  GstKvsStorageJoiner *joiner;
  GstKvsConnection *connection;
  gchar *peer = forget (self);

  g_mutex_lock (&self->lock);
  joiner = g_steal_pointer (&self->joiner);
  connection = g_steal_pointer (&self->connection);
  g_mutex_unlock (&self->lock);
  if (joiner) {
    gst_kvs_storage_joiner_stop (joiner);
    g_object_unref (joiner);
  }
  g_clear_object (&connection);
  return peer;
}

gchar *
gst_kvs_storage_session_connected (GstKvsStorageSession * self)
{
  gboolean started;
  gchar *previous;

  g_mutex_lock (&self->lock);
  started = self->joiner != NULL;
  g_mutex_unlock (&self->lock);
  if (!started)
    return NULL;

  previous = forget (self);
  g_mutex_lock (&self->lock);
  self->gave_up = FALSE;
  g_mutex_unlock (&self->lock);
  schedule_join (self, 0);
  return previous;
}

gboolean
gst_kvs_storage_session_offer_seen (GstKvsStorageSession * self,
    const gchar * client_id, gboolean known, gchar ** previous)
{
  g_autoptr (GstKvsConnection) connection = NULL;
  g_autoptr (GstElement) element = NULL;
  GstClockID timer = NULL;

  *previous = NULL;
  if (client_id == NULL)
    return FALSE;
  g_mutex_lock (&self->lock);
  if (self->connection)
    connection = g_object_ref (self->connection);
  if (g_strcmp0 (client_id, self->peer) == 0) {
    g_mutex_unlock (&self->lock);
    if (connection)
      gst_kvs_connection_set_storage_peer (connection, client_id);
    return TRUE;
  }
  if (!self->awaiting || known) {
    g_mutex_unlock (&self->lock);
    return FALSE;
  }
  *previous = g_steal_pointer (&self->peer);
  self->peer = g_strdup (client_id);
  self->awaiting = FALSE;
  self->sessions++;
  timer = g_steal_pointer (&self->timer);
  g_mutex_unlock (&self->lock);

  if (timer) {
    gst_clock_id_unschedule (timer);
    gst_clock_id_unref (timer);
  }
  element = g_weak_ref_get (&self->element);
  GST_INFO_OBJECT (element, "%s is the storage peer", client_id);
  /* before the offer is bound: it takes no viewer slot */
  if (connection)
    gst_kvs_connection_set_storage_peer (connection, client_id);
  post_event (self, "offer", client_id);
  return TRUE;
}

void
gst_kvs_storage_session_peer_ended (GstKvsStorageSession * self,
    const gchar * client_id)
{
  g_autoptr (GstKvsConnection) connection = NULL;
  g_autoptr (GstElement) element = NULL;
  guint delay;

  g_mutex_lock (&self->lock);
  if (client_id == NULL || g_strcmp0 (client_id, self->peer) != 0) {
    g_mutex_unlock (&self->lock);
    return;
  }
  g_clear_pointer (&self->peer, g_free);
  delay = gst_kvs_backoff_next (&self->backoff);
  if (self->connection)
    connection = g_object_ref (self->connection);
  g_mutex_unlock (&self->lock);

  if (connection)
    gst_kvs_connection_set_storage_peer (connection, NULL);
  element = g_weak_ref_get (&self->element);
  GST_INFO_OBJECT (element, "the storage session with %s ended: joining "
      "again in %u ms", client_id, delay);
  post_event (self, "ended", client_id);
  schedule_join (self, delay);
}

gchar *
gst_kvs_storage_session_dup_peer (GstKvsStorageSession * self)
{
  gchar *ret;

  g_mutex_lock (&self->lock);
  ret = g_strdup (self->peer);
  g_mutex_unlock (&self->lock);
  return ret;
}

void
gst_kvs_storage_session_get_counts (GstKvsStorageSession * self,
    guint64 * joins, guint64 * sessions)
{
  g_mutex_lock (&self->lock);
  *joins = self->joins;
  *sessions = self->sessions;
  g_mutex_unlock (&self->lock);
}

/* ------------------------------------------------------------------------ */

static void
gst_kvs_storage_session_dispose (GObject * object)
{
  GstKvsStorageSession *self = GST_KVS_STORAGE_SESSION (object);

  g_free (gst_kvs_storage_session_stop (self));
  G_OBJECT_CLASS (gst_kvs_storage_session_parent_class)->dispose (object);
}

static void
gst_kvs_storage_session_finalize (GObject * object)
{
  GstKvsStorageSession *self = GST_KVS_STORAGE_SESSION (object);

  g_weak_ref_clear (&self->element);
  g_free (self->message_name);
  g_free (self->peer);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (gst_kvs_storage_session_parent_class)->finalize (object);
}

static void
gst_kvs_storage_session_class_init (GstKvsStorageSessionClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->dispose = gst_kvs_storage_session_dispose;
  gobject_class->finalize = gst_kvs_storage_session_finalize;
}

static void
gst_kvs_storage_session_init (GstKvsStorageSession * self)
{
  g_mutex_init (&self->lock);
  g_weak_ref_init (&self->element, NULL);
}
