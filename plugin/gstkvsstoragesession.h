/* kvssignaling: a master's storage session (WebRTC ingestion): when to join
 * it, which peer is the storage peer, joining again with backoff, the wait
 * for the storage peer's offer, counters and events.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>
#include "gstkvsconnection.h"

G_BEGIN_DECLS

#define GST_TYPE_KVS_STORAGE_SESSION (gst_kvs_storage_session_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsStorageSession, gst_kvs_storage_session,
    GST, KVS_STORAGE_SESSION, GObject)

/* Whether the element's media can be stored (H.264 video with Opus audio,
 * both present). */
typedef enum
{
  GST_KVS_STORAGE_MEDIA_OK,
  /* an input's codec is not known yet: the join waits and looks again */
  GST_KVS_STORAGE_MEDIA_UNKNOWN,
  /* the element posted an error naming what to fix: no join until the
   * next reconnect */
  GST_KVS_STORAGE_MEDIA_UNFIT,
} GstKvsStorageMedia;

/* Called before each join, from the thread that schedules it (the
 * element's state change, the signaling client's, a clock's, the joiner's
 * or webrtcbin's thread), without the session's lock: must not block. */
typedef GstKvsStorageMedia (*GstKvsStorageCheckMedia) (GstElement * element);

/* A session for @element (not referenced: a weak reference; it posts the
 * warnings and the element messages @message_name on @element's bus):
 * JoinStorageSession from a GstKvsStorageJoiner of its own, once started.
 *
 * Element messages @message_name, with `event` (string): "joined" (the
 * service accepted a JoinStorageSession), "offer" (the storage peer
 * offered; `client-id` names it), "ended" (that session ended;
 * `client-id`), "failed" (no further join until the next reconnect).
 *
 * Threads: every function may be called from any thread and never blocks
 * on the network (the joins run on the joiner's thread); no callback is
 * called with the session's lock held. */
GstKvsStorageSession *gst_kvs_storage_session_new (GstElement * element,
    const gchar * message_name, GstKvsStorageCheckMedia check_media);

/* READY→PAUSED, with the element's signaling @connection (a master's): from
 * now on the session joins whenever @connection is (or becomes) CONNECTED
 * and the media fit. */
void gst_kvs_storage_session_start (GstKvsStorageSession * self,
    GstKvsConnection * connection);

/* PAUSED→READY or dispose: no further join; the join under way is dropped.
 * Returns the storage peer's client id (transfer full), whose session the
 * element ends, or NULL. Idempotent. */
gchar *gst_kvs_storage_session_stop (GstKvsStorageSession * self);

/* The signaling client's thread: the connection is CONNECTED (again): the
 * service ended the storage session of the previous connection; join
 * again. Returns the previous storage peer's client id (transfer full),
 * whose session the element ends, or NULL. */
gchar *gst_kvs_storage_session_connected (GstKvsStorageSession * self);

/* The signaling client's thread, when an offer from @client_id arrives,
 * before it is bound to a webrtcbin (@known: @client_id is a viewer being
 * served). The first offer from a new peer after a JoinStorageSession is
 * the storage peer's (the service sends one per join). TRUE when
 * @client_id is the storage peer: the connection has been told
 * (gst_kvs_connection_set_storage_peer(): it takes no viewer slot).
 * *@previous: the former storage peer (transfer full), whose session the
 * element ends, or NULL. */
gboolean gst_kvs_storage_session_offer_seen (GstKvsStorageSession * self,
    const gchar * client_id, gboolean known, gchar ** previous);

/* Any thread (webrtcbin's, a clock's): @client_id's session ended (its
 * connection failed or closed, or it fell silent); when it was the storage
 * session, join again after the backoff. */
void gst_kvs_storage_session_peer_ended (GstKvsStorageSession * self,
    const gchar * client_id);

/* The storage peer's client id (transfer full), or NULL. */
gchar *gst_kvs_storage_session_dup_peer (GstKvsStorageSession * self);

/* JoinStorageSession calls the service accepted, and storage sessions
 * (storage peers' offers), since the session was made. */
void gst_kvs_storage_session_get_counts (GstKvsStorageSession * self,
    guint64 * joins, guint64 * sessions);

G_END_DECLS
