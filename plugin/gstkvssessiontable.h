/* kvssignaling: the webrtcbins a shared connection drives and its
 * sessions, one per remote peer.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>
#include <gst/kvssignaling/kvssignaling.h>
#include "gstkvswebrtcsession.h"

G_BEGIN_DECLS

/* The session key of the master, as a viewer sees it. */
#define GST_KVS_MASTER_PEER ""

#define GST_TYPE_KVS_SESSION_TABLE (gst_kvs_session_table_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsSessionTable, gst_kvs_session_table,
    GST, KVS_SESSION_TABLE, GObject)

/* Any thread; the table's lock is never held while calling out (the
 * sessions, webrtcbin). A @peer NULL is the master (a viewer's session).
 * Sessions are made with @callbacks and @owner (the connection, which they
 * keep alive until closed). */
GstKvsSessionTable *gst_kvs_session_table_new (GstKvsRole role,
    const GstKvsWebrtcSessionCallbacks * callbacks, GObject * owner);

/* Counted per webrtcbin (the pair attaches the same one twice). The first
 * time (*@added): a master keeps it free for the next new viewer, a viewer
 * binds it to the master at once (*@session, transfer full). FALSE when a
 * viewer already drives another one. */
gboolean gst_kvs_session_table_add_webrtcbin (GstKvsSessionTable * self,
    GstElement * webrtcbin, gboolean * added,
    GstKvsWebrtcSession ** session, GError ** error);
/* The last removal closes the sessions on @webrtcbin. */
void gst_kvs_session_table_remove_webrtcbin (GstKvsSessionTable * self,
    GstElement * webrtcbin);
/* Every webrtcbin driven, referenced. */
GPtrArray *gst_kvs_session_table_dup_webrtcbins (GstKvsSessionTable *
    self);

/* The session with @peer (a new reference), or NULL. */
GstKvsWebrtcSession *gst_kvs_session_table_dup_session (GstKvsSessionTable
    * self, const gchar * peer);

/* Master: a free webrtcbin (transfer full), or NULL; the number of sessions
 * and webrtcbins, and (without a free one) a viewer it is busy with. */
GstElement *gst_kvs_session_table_take_free (GstKvsSessionTable * self,
    guint * n_sessions, guint * n_webrtcbins, gchar ** busy_with);
/* Master: @webrtcbin, from take_free (transfer full), is free again (its
 * offer was refused before a session was made). */
void gst_kvs_session_table_give_back (GstKvsSessionTable * self,
    GstElement * webrtcbin);
/* Master: a new session binding @webrtcbin to viewer @peer (transfer
 * full); @requested: a webrtcbin from request-webrtcbin, now driven. */
GstKvsWebrtcSession *gst_kvs_session_table_bind (GstKvsSessionTable * self,
    const gchar * peer, GstElement * webrtcbin, gboolean requested);
/* Master: releases @old, @peer's session, when its webrtcbin came from
 * request-webrtcbin (TRUE); the caller closes it. */
gboolean gst_kvs_session_table_release (GstKvsSessionTable * self,
    const gchar * peer, GstKvsWebrtcSession * old);

/* The end of @key's session, once: TRUE the first time. */
gboolean gst_kvs_session_table_mark_removed (GstKvsSessionTable * self,
    const gchar * key);
/* @session (@key's) ended: a webrtcbin from request-webrtcbin is forgotten
 * and the session closed, so that the peer gets a new one if it comes
 * back. */
void gst_kvs_session_table_forget_ended (GstKvsSessionTable * self,
    const gchar * key, GstKvsWebrtcSession * session);

/* Master: @msg, a candidate of @peer that came before its offer, is held
 * (at most 100 per peer) when something is driven. */
void gst_kvs_session_table_hold_candidate (GstKvsSessionTable * self,
    const gchar * peer, GstKvsMessage * msg);
/* Hands the candidates held for @peer to @session. */
void gst_kvs_session_table_flush_candidates (GstKvsSessionTable * self,
    const gchar * peer, GstKvsWebrtcSession * session);

/* For the statistics: the candidates held, and each session (@keys: gchar*,
 * @sessions: references). */
guint gst_kvs_session_table_snapshot (GstKvsSessionTable * self,
    GPtrArray * keys, GPtrArray * sessions);

/* Forgets everything, closing every session. */
void gst_kvs_session_table_clear (GstKvsSessionTable * self);

G_END_DECLS
