/* kvssignaling: one signaling connection shared by the elements that name the
 * same channel, and the webrtcbin sessions it drives.
 *
 * It routes the client's messages to the sessions, and the sessions'
 * messages to the client. Its parts, one per file: the webrtcbins and the
 * sessions per peer (GstKvsSessionTable, gstkvssessiontable.c) and the bus
 * messages (GstKvsBusReporter, gstkvsbusreporter.c).
 *
 * Threads: the client's signals arrive on the client's thread, the sessions'
 * callbacks on webrtcbin's threads, the elements call in from the streaming
 * and application threads. Everything mutable here is guarded by @lock, which
 * is never held while calling out (signals, webrtcbin, the client); the
 * parts have their own locks, taken after it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvsconnection.h"
#include "gstkvsbusreporter.h"
#include "gstkvssessiontable.h"
#include "gstkvswebrtcbinutils.h"
#include "gstkvswebrtccodec.h"

#include <string.h>

GST_DEBUG_CATEGORY_STATIC (kvs_connection_debug);
#define GST_CAT_DEFAULT kvs_connection_debug

/* The service's limit of viewers per channel. */
#define MAX_SESSIONS GST_KVS_AWS_MAX_VIEWERS
#define MASTER_PEER GST_KVS_MASTER_PEER

enum
{
  SIGNAL_MESSAGE_RECEIVED,
  SIGNAL_MESSAGE_SENT,
  SIGNAL_STATE_CHANGED,
  SIGNAL_PEER_ADDED,
  SIGNAL_PEER_REMOVED,
  SIGNAL_REQUEST_WEBRTCBIN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  guint64 offers_sent, answers_sent, candidates_sent;
  guint64 offers_received, answers_received, candidates_received;
  guint64 status_responses, send_failures, refused_offers;
} Counters;

struct _GstKvsConnection
{
  GObject parent;

  GstKvsSettings settings;
  GstKvsSignalingClient *client;
  GstKvsBusReporter *reporter;  /* the bus messages */
  /* the webrtcbins and the sessions (its own lock, taken after ours) */
  GstKvsSessionTable *table;
  GArray *client_handlers;      /* gulong */
  gchar *correlation_prefix;

  GMutex lock;
  gchar *refusal;               /* why request-webrtcbin returned none */
  gchar *storage_peer;          /* the storage session's peer, not a viewer */
  gpointer storage_owner;       /* the element running the storage session */
  gchar *dropped_offer;         /* the peer whose offer is not bound */
  guint starts;
  GstKvsSignalingState state;
  guint correlation_seq;
  Counters counters;
  /* Offer/answer timing (monotonic µs), per peer key: */
  GHashTable *negotiation_start;        /* -> gint64 *, exchange under way */
  GHashTable *negotiation_time; /* -> GstClockTime * of the last one */
  GstClockTime last_negotiation_time;   /* of any peer */
  guint64 negotiations;
  /* Viewer: the wait for the master's answer to our offer (lock). */
  GstClockID answer_timer;
};

G_DEFINE_TYPE_WITH_CODE (GstKvsConnection, gst_kvs_connection, G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (kvs_connection_debug, "kvsconnection", 0,
        "KVS signaling: connection shared by the elements"));

static const gchar *
channel_of (GstKvsConnection * self)
{
  return self->settings.channel_name ? self->settings.channel_name :
      self->settings.channel_arn;
}

/* ------------------------------------------------------------------------ */
/* ICE servers */

static void
apply_ice_servers (GstKvsConnection * self, GstElement * webrtcbin)
{
  g_autofree gchar *region = gst_kvs_signaling_client_dup_region (self->client);
  g_autofree gchar *stun = NULL;
  GPtrArray *servers;
  guint i, j, turns = 0;

  stun = gst_kvs_settings_dup_stun_uri (&self->settings, region);
  if (self->settings.stun_server) {
    /* Explicit, "none" included: it replaces webrtcbin's own. */
    g_object_set (webrtcbin, "stun-server", stun, NULL);
  } else if (stun) {
    g_autofree gchar *current = NULL;

    /* Automatic: a STUN server the application set on webrtcbin itself
     * wins over the region's default. */
    g_object_get (webrtcbin, "stun-server", &current, NULL);
    if (current == NULL || g_object_get_data (G_OBJECT (webrtcbin),
            "kvs-stun-default")) {
      g_object_set (webrtcbin, "stun-server", stun, NULL);
      g_object_set_data (G_OBJECT (webrtcbin), "kvs-stun-default",
          GINT_TO_POINTER (1));
    } else {
      g_free (stun);
      stun = g_steal_pointer (&current);
    }
  }

  servers = gst_kvs_signaling_client_dup_ice_servers (self->client);
  for (i = 0; servers && i < servers->len; i++) {
    GstKvsIceServer *server = g_ptr_array_index (servers, i);

    for (j = 0; server->uris && server->uris[j]; j++) {
      g_autofree gchar *uri = gst_kvs_ice_server_to_gst_turn_uri (server, j);
      gboolean ok = FALSE;

      if (uri == NULL)
        continue;
      g_signal_emit_by_name (webrtcbin, "add-turn-server", uri, &ok);
      if (ok)
        turns++;
      else                      /* the URI carries the password: not logged */
        GST_WARNING_OBJECT (webrtcbin, "webrtcbin refused TURN server %u.%u",
            i, j);
    }
  }
  if (servers)
    g_ptr_array_unref (servers);
  GST_DEBUG_OBJECT (webrtcbin, "STUN %s, %u TURN URIs", GST_STR_NULL (stun),
      turns);
}

static void
apply_ice_servers_all (GstKvsConnection * self)
{
  g_autoptr (GPtrArray) bins =
      gst_kvs_session_table_dup_webrtcbins (self->table);
  guint i;

  for (i = 0; i < bins->len; i++)
    apply_ice_servers (self, g_ptr_array_index (bins, i));
}

/* ------------------------------------------------------------------------ */
/* sending */

gchar *
gst_kvs_connection_next_correlation_id (GstKvsConnection * self)
{
  guint seq;

  if (self->settings.correlation_id)
    return g_strdup (self->settings.correlation_id);
  g_mutex_lock (&self->lock);
  seq = ++self->correlation_seq;
  g_mutex_unlock (&self->lock);
  return g_strdup_printf ("%s.%u", self->correlation_prefix, seq);
}

gboolean
gst_kvs_connection_send (GstKvsConnection * self, GstKvsMessage * msg,
    GError ** error)
{
  g_return_val_if_fail (GST_IS_KVS_CONNECTION (self), FALSE);
  g_return_val_if_fail (msg != NULL, FALSE);

  GST_LOG_OBJECT (self, "queueing %s for %s",
      gst_kvs_message_type_to_string (msg->type),
      GST_STR_NULL (msg->recipient_client_id));
  return gst_kvs_signaling_client_send (self->client, msg, error);
}

static void
send_or_warn (GstKvsConnection * self, GstKvsMessage * msg)
{
  g_autoptr (GError) err = NULL;

  if (msg == NULL) {
    gst_kvs_bus_reporter_problem (self->reporter, GST_MESSAGE_WARNING,
        GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_WRITE,
        g_strdup ("Could not build a signaling message"), NULL);
    return;
  }
  if (!gst_kvs_connection_send (self, msg, &err)) {
    g_mutex_lock (&self->lock);
    self->counters.send_failures++;
    g_mutex_unlock (&self->lock);
    gst_kvs_bus_reporter_problem (self->reporter, GST_MESSAGE_WARNING,
        GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_WRITE,
        g_strdup_printf ("Could not send %s to %s: %s",
            gst_kvs_message_type_to_string (msg->type),
            msg->recipient_client_id ? msg->recipient_client_id : "the master",
            err->message), NULL);
  }
}

/* ------------------------------------------------------------------------ */
/* session callbacks (webrtcbin's thread) */

static void
session_send_sdp (GstKvsWebrtcSession * session, GstWebRTCSDPType type,
    const gchar * sdp, gpointer owner)
{
  GstKvsConnection *self = owner;
  g_autofree gchar *corr = gst_kvs_connection_next_correlation_id (self);
  g_autoptr (GstKvsMessage) msg = NULL;

  msg = gst_kvs_message_new_sdp (type == GST_WEBRTC_SDP_TYPE_OFFER ?
      GST_KVS_MESSAGE_TYPE_SDP_OFFER : GST_KVS_MESSAGE_TYPE_SDP_ANSWER,
      gst_kvs_webrtc_session_get_peer_id (session), sdp, corr);
  send_or_warn (self, msg);
}

static void
session_send_candidate (GstKvsWebrtcSession * session, guint mline_index,
    const gchar * mid, const gchar * candidate, gpointer owner)
{
  GstKvsConnection *self = owner;
  g_autofree gchar *corr = gst_kvs_connection_next_correlation_id (self);
  g_autoptr (GstKvsMessage) msg = NULL;

  msg = gst_kvs_message_new_ice_candidate (gst_kvs_webrtc_session_get_peer_id
      (session), candidate, mid, (gint) mline_index, corr);
  send_or_warn (self, msg);
}

static void
session_problem (GstKvsWebrtcSession * session, gboolean fatal,
    const gchar * what, const gchar * reason, gpointer owner)
{
  GstKvsConnection *self = owner;
  const gchar *peer = gst_kvs_webrtc_session_get_peer_id (session);
  GstMessageType type = GST_MESSAGE_WARNING;
  gchar *text;

  if (peer)
    text = g_strdup_printf ("WebRTC negotiation with viewer '%s' failed "
        "while %s: %s", peer, what, reason);
  else
    text = g_strdup_printf ("WebRTC negotiation with the master failed "
        "while %s: %s", what, reason);

  /* A viewer has nothing left to do when its only session fails; a master
   * keeps serving its other viewers. */
  if (fatal && self->settings.role == GST_KVS_ROLE_VIEWER)
    type = GST_MESSAGE_ERROR;
  gst_kvs_bus_reporter_problem (self->reporter, type, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_FAILED, text, NULL);
}

static void
session_connection_state (GstKvsWebrtcSession * session,
    GstWebRTCPeerConnectionState state, gpointer owner)
{
  GstKvsConnection *self = owner;
  const gchar *peer = gst_kvs_webrtc_session_get_peer_id (session);
  const gchar *key = peer ? peer : MASTER_PEER;

  gst_kvs_bus_reporter_element_message (self->reporter,
      gst_structure_new ("kvssignaling-peer", "peer", G_TYPE_STRING, peer,
          "connection-state", GST_TYPE_WEBRTC_PEER_CONNECTION_STATE, state,
          NULL));

  if (state != GST_WEBRTC_PEER_CONNECTION_STATE_FAILED
      && state != GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED)
    return;

  if (!gst_kvs_session_table_mark_removed (self->table, key))
    return;
  g_signal_emit (self, signals[SIGNAL_PEER_REMOVED], 0, peer);

  /* A webrtcbin the application handed out for this viewer is done: forget
   * it, so that the viewer gets a new one if it comes back. (webrtcbin 1.22
   * cannot be renegotiated after a failure.) */
  gst_kvs_session_table_forget_ended (self->table, key, session);
}

static const GstKvsWebrtcSessionCallbacks session_callbacks = {
  session_send_sdp,
  session_send_candidate,
  session_problem,
  session_connection_state,
};

/* ------------------------------------------------------------------------ */
/* sessions */

static GstKvsWebrtcSession *
dup_session (GstKvsConnection * self, const gchar * peer)
{
  return gst_kvs_session_table_dup_session (self->table, peer);
}

/* Master: the session for viewer @peer (offering @sdp), binding a free or
 * requested webrtcbin when it is new. NULL when the offer is refused or
 * nothing is driven. */
static GstKvsWebrtcSession *
bind_viewer (GstKvsConnection * self, const gchar * peer, const gchar * sdp)
{
  GstKvsWebrtcSession *session;
  GstElement *webrtcbin;
  gboolean requested = FALSE;
  guint n_sessions, n_bins;
  gchar *busy_with = NULL, *storage_peer;
  g_autofree gchar *refusal = NULL;
  gboolean is_storage;

  session = dup_session (self, peer);
  if (session)
    return session;

  webrtcbin = gst_kvs_session_table_take_free (self->table, &n_sessions,
      &n_bins, &busy_with);
  /* The storage session (WebRTC ingestion) is no viewer: it takes no slot
   * and is never refused for the viewers'. */
  g_mutex_lock (&self->lock);
  is_storage = g_strcmp0 (peer, self->storage_peer) == 0;
  storage_peer = g_strdup (self->storage_peer);
  g_mutex_unlock (&self->lock);
  if (storage_peer && !is_storage) {
    GstKvsWebrtcSession *storage = dup_session (self, storage_peer);

    if (storage && n_sessions > 0)
      n_sessions--;
    g_clear_object (&storage);
  }
  g_free (storage_peer);

  if (webrtcbin == NULL && (is_storage || n_sessions < MAX_SESSIONS)) {
    g_signal_emit (self, signals[SIGNAL_REQUEST_WEBRTCBIN], 0, peer,
        &webrtcbin);
    requested = webrtcbin != NULL;
  }
  g_mutex_lock (&self->lock);
  refusal = g_steal_pointer (&self->refusal);
  g_mutex_unlock (&self->lock);

  if (webrtcbin == NULL) {
    if (n_bins == 0 && refusal == NULL) {
      g_free (busy_with);
      GST_DEBUG_OBJECT (self, "no webrtcbin driven: offer of %s left to the "
          "application", peer);
      return NULL;
    }
    g_mutex_lock (&self->lock);
    self->counters.refused_offers++;
    g_mutex_unlock (&self->lock);
    if (refusal == NULL && n_sessions >= MAX_SESSIONS && !is_storage)
      refusal = g_strdup ("already serving "
          G_STRINGIFY (GST_KVS_AWS_MAX_VIEWERS) " viewers");
    else if (refusal == NULL)
      refusal = g_strdup ("the webrtcbin is busy and no request-webrtcbin "
          "handler returned another one");
    gst_kvs_bus_reporter_problem (self->reporter, GST_MESSAGE_WARNING,
        GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_BUSY,
        g_strdup_printf ("Refusing the offer of viewer '%s': %s", peer,
            refusal), g_strdup_printf ("busy with viewer '%s'",
            GST_STR_NULL (busy_with)));
    g_free (busy_with);
    return NULL;
  }
  g_free (busy_with);

  /* A webrtcbin of the pair sends what the application payloaded, at its
   * payload types: an offer numbering a codec otherwise would abort the
   * process in webrtcbin 1.22 (a requested webrtcbin, kvswebrtcsink's,
   * payloads for its peer). */
  if (!requested) {
    g_autofree gchar *problem = gst_kvs_codec_payload_problem (webrtcbin,
        sdp);

    if (problem) {
      gst_kvs_session_table_give_back (self->table, webrtcbin);
      g_mutex_lock (&self->lock);
      self->counters.refused_offers++;
      g_mutex_unlock (&self->lock);
      gst_kvs_bus_reporter_problem (self->reporter, GST_MESSAGE_WARNING,
          GST_STREAM_ERROR, GST_STREAM_ERROR_WRONG_TYPE,
          g_strdup_printf ("Refusing the offer of viewer '%s': webrtcbin "
              "answers with the payload types its sink pads receive, and %s",
              peer, problem), g_strdup ("the offer was not answered"));
      return NULL;
    }
  }

  if (requested) {
    g_autoptr (GError) err = NULL;

    if (!gst_kvs_webrtcbin_restrict_addresses (webrtcbin,
            self->settings.local_addresses, &err))
      gst_kvs_bus_reporter_problem (self->reporter, GST_MESSAGE_WARNING,
          GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
          g_strdup_printf ("Could not restrict ICE addresses: %s",
              err->message), NULL);
    gst_kvs_webrtcbin_disable_upnp (webrtcbin);
    apply_ice_servers (self, webrtcbin);
  }

  session = gst_kvs_session_table_bind (self->table, peer, webrtcbin,
      requested);
  gst_object_unref (webrtcbin);

  GST_INFO_OBJECT (self, "viewer %s bound to %" GST_PTR_FORMAT, peer,
      gst_kvs_webrtc_session_get_webrtcbin (session));
  g_signal_emit (self, signals[SIGNAL_PEER_ADDED], 0, peer);
  return session;
}

/* ------------------------------------------------------------------------ */
/* offer/answer timing, as AWS's C SDK measures it: a master from the offer
 * received to the answer sent, a viewer from the offer sent to the answer
 * received. */

/* Upper bound of peers remembered (the service allows 10 viewers). */
#define MAX_TIMED_PEERS 64

static void
negotiation_started (GstKvsConnection * self, const gchar * peer)
{
  gint64 *start = g_new (gint64, 1);

  *start = g_get_monotonic_time ();
  g_mutex_lock (&self->lock);
  if (g_hash_table_size (self->negotiation_start) >= MAX_TIMED_PEERS)
    g_hash_table_remove_all (self->negotiation_start);
  g_hash_table_insert (self->negotiation_start, g_strdup (peer ? peer :
          MASTER_PEER), start);
  g_mutex_unlock (&self->lock);
}

/* TRUE when an exchange with @peer was under way and is now timed. */
static gboolean
negotiation_done (GstKvsConnection * self, const gchar * peer)
{
  const gchar *key = peer ? peer : MASTER_PEER;
  gint64 *start;
  GstClockTime *elapsed;

  g_mutex_lock (&self->lock);
  start = g_hash_table_lookup (self->negotiation_start, key);
  if (start == NULL) {
    g_mutex_unlock (&self->lock);
    return FALSE;
  }
  elapsed = g_new (GstClockTime, 1);
  *elapsed = (g_get_monotonic_time () - *start) * GST_USECOND;
  g_hash_table_remove (self->negotiation_start, key);
  if (g_hash_table_size (self->negotiation_time) >= MAX_TIMED_PEERS)
    g_hash_table_remove_all (self->negotiation_time);
  g_hash_table_insert (self->negotiation_time, g_strdup (key), elapsed);
  self->last_negotiation_time = *elapsed;
  self->negotiations++;
  g_mutex_unlock (&self->lock);

  GST_INFO_OBJECT (self, "offer to answer with %s: %" GST_TIME_FORMAT,
      peer ? peer : "the master", GST_TIME_ARGS (*elapsed));
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* viewer: waiting for the master's answer, on the system clock's thread */

static void
answer_wait_cancel (GstKvsConnection * self)
{
  GstClockID id;

  g_mutex_lock (&self->lock);
  id = self->answer_timer;
  self->answer_timer = NULL;
  g_mutex_unlock (&self->lock);
  if (id) {
    gst_clock_id_unschedule (id);
    gst_clock_id_unref (id);
  }
}

static void
weak_ref_free (GWeakRef * ref)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

static gboolean
answer_wait_expired (GstClock * clock, GstClockTime time, GstClockID id,
    gpointer user_data)
{
  GstKvsConnection *self = g_weak_ref_get (user_data);
  GstClockID mine = NULL;

  if (self == NULL)
    return TRUE;
  g_mutex_lock (&self->lock);
  if (self->answer_timer == id) {
    mine = self->answer_timer;
    self->answer_timer = NULL;
  }
  g_mutex_unlock (&self->lock);
  if (mine) {
    gst_clock_id_unref (mine);
    gst_kvs_bus_reporter_problem (self->reporter, GST_MESSAGE_WARNING,
        GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ,
        g_strdup_printf ("No master answered on channel '%s' within %u s; "
            "still waiting. Is the master running, with the same channel, "
            "endpoint and region?", GST_STR_NULL (channel_of (self)),
            self->settings.answer_timeout), NULL);
  }
  g_object_unref (self);
  return TRUE;
}

/* Viewer: our offer went out; warn when no answer comes in time. */
static void
answer_wait_start (GstKvsConnection * self)
{
  GstClock *clock;
  GstClockID id;
  GWeakRef *ref;

  answer_wait_cancel (self);
  if (self->settings.answer_timeout == 0)
    return;

  clock = gst_system_clock_obtain ();
  id = gst_clock_new_single_shot_id (clock, gst_clock_get_time (clock) +
      self->settings.answer_timeout * GST_SECOND);
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  g_mutex_lock (&self->lock);
  self->answer_timer = gst_clock_id_ref (id);
  g_mutex_unlock (&self->lock);
  gst_clock_id_wait_async (id, answer_wait_expired, ref,
      (GDestroyNotify) weak_ref_free);
  gst_clock_id_unref (id);
  gst_object_unref (clock);
}

static void
post_stats (GstKvsConnection * self, const gchar * reason)
{
  GstStructure *s = gst_kvs_connection_dup_stats (self);

  gst_structure_set (s, "reason", G_TYPE_STRING, reason, NULL);
  gst_kvs_bus_reporter_element_message (self->reporter, s);
}

/* ------------------------------------------------------------------------ */
/* client signals (client's thread) */

static void
count_received (GstKvsConnection * self, GstKvsMessageType type)
{
  g_mutex_lock (&self->lock);
  switch (type) {
    case GST_KVS_MESSAGE_TYPE_SDP_OFFER:
      self->counters.offers_received++;
      break;
    case GST_KVS_MESSAGE_TYPE_SDP_ANSWER:
      self->counters.answers_received++;
      break;
    case GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE:
      self->counters.candidates_received++;
      break;
    case GST_KVS_MESSAGE_TYPE_STATUS_RESPONSE:
      self->counters.status_responses++;
      break;
    default:
      break;
  }
  g_mutex_unlock (&self->lock);
}

static void
on_client_connect_failed (GstKvsSignalingClient * client,
    GstKvsSignalingState step, const GError * err, guint retry_ms,
    GstKvsConnection * self)
{
  gboolean started;

  g_mutex_lock (&self->lock);
  started = self->starts > 0;
  g_mutex_unlock (&self->lock);
  gst_kvs_bus_reporter_connect_failure (self->reporter, client, step, err,
      retry_ms, started);
}

/* Viewer: the offer is made while the connection is set up (issue 16: the
 * webrtcbin's DTLS certificate, its local description and the gathering of
 * host and STUN candidates overlap the REST calls and the WebSocket
 * handshake); it goes out, with the candidates found meanwhile, once
 * connected. The STUN server is known up front; TURN servers join the ICE
 * agent when GetIceServerConfig has answered (apply_ice_servers() at
 * CONNECTED: libnice gathers relay candidates for the streams it has, and
 * they are trickled). */
static void
prepare_viewer (GstKvsConnection * self, GstKvsWebrtcSession * session)
{
  if (session == NULL || gst_kvs_webrtc_session_is_prepared (session))
    return;
  apply_ice_servers (self, gst_kvs_webrtc_session_get_webrtcbin (session));
  gst_kvs_webrtc_session_prepare (session);
}

/* Whether the client is on its way to a connection (the run's region is
 * known, a webrtcbin may prepare its offer). */
static gboolean
is_connecting (GstKvsSignalingState state)
{
  return state >= GST_KVS_SIGNALING_STATE_GET_CREDENTIALS
      && state <= GST_KVS_SIGNALING_STATE_CONNECTING;
}

static void
on_client_state (GstKvsSignalingClient * client, GstKvsSignalingState state,
    GstKvsConnection * self)
{
  GstKvsWebrtcSession *viewer_session = NULL;

  GST_DEBUG_OBJECT (self, "client state %d", state);
  g_mutex_lock (&self->lock);
  self->state = state;
  g_mutex_unlock (&self->lock);
  if (state == GST_KVS_SIGNALING_STATE_CONNECTED)
    gst_kvs_bus_reporter_connected (self->reporter);

  gst_kvs_bus_reporter_element_message (self->reporter,
      gst_structure_new ("kvssignaling-state", "state",
          GST_TYPE_KVS_SIGNALING_STATE, state, NULL));
  post_stats (self, "state-changed");
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, state);

  if (is_connecting (state) && self->settings.role == GST_KVS_ROLE_VIEWER) {
    viewer_session = dup_session (self, NULL);
    prepare_viewer (self, viewer_session);
    g_clear_object (&viewer_session);
  }
  if (state != GST_KVS_SIGNALING_STATE_CONNECTED)
    return;

  apply_ice_servers_all (self);
  if (self->settings.role == GST_KVS_ROLE_VIEWER)
    viewer_session = dup_session (self, NULL);
  if (viewer_session) {
    gst_kvs_webrtc_session_set_ready (viewer_session);
    g_object_unref (viewer_session);
  }
}

/* Master: viewer @peer sent an offer from a new peer connection (it
 * restarted) while @old, its session, is bound. A webrtcbin handed out by
 * request-webrtcbin is released (peer-removed) so that the viewer gets a
 * new one; the element's own webrtcbin cannot be reset in GStreamer 1.22,
 * so the offer is refused. TRUE when @old is gone. */
static gboolean
replace_session (GstKvsConnection * self, const gchar * peer,
    GstKvsWebrtcSession * old)
{
  GstElement *webrtcbin = gst_kvs_webrtc_session_get_webrtcbin (old);
  gboolean released = gst_kvs_session_table_release (self->table, peer, old);

  g_mutex_lock (&self->lock);
  if (released)
    g_hash_table_remove (self->negotiation_start, peer);
  else
    self->counters.refused_offers++;
  g_mutex_unlock (&self->lock);

  if (!released) {
    gst_kvs_bus_reporter_problem (self->reporter, GST_MESSAGE_WARNING,
        GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_BUSY,
        g_strdup_printf ("Refusing the new offer of viewer '%s': it comes "
            "from a new peer connection (new SDP session id) and the "
            "webrtcbin '%s' serving that viewer cannot be reset "
            "(GStreamer 1.22); restart the pipeline, or hand out one "
            "webrtcbin per viewer with request-webrtcbin", peer,
            GST_OBJECT_NAME (webrtcbin)), NULL);
    return FALSE;
  }

  GST_INFO_OBJECT (self, "viewer %s offers from a new peer connection: "
      "replacing its session on %" GST_PTR_FORMAT, peer, webrtcbin);
  gst_kvs_webrtc_session_close (old);
  g_signal_emit (self, signals[SIGNAL_PEER_REMOVED], 0, peer);
  return TRUE;
}

static void
on_client_offer (GstKvsSignalingClient * client, GstKvsMessage * msg,
    GstKvsConnection * self)
{
  GstKvsWebrtcSession *session;

  count_received (self, msg->type);
  /* the src's signal first: the bus message is only news, and making and
   * posting it took longer than the rest of the way to the handler */
  g_signal_emit (self, signals[SIGNAL_MESSAGE_RECEIVED], 0, msg);
  gst_kvs_bus_reporter_message_event (self->reporter, "received", msg,
      msg->sender_client_id);

  if (self->settings.role != GST_KVS_ROLE_MASTER) {
    GST_WARNING_OBJECT (self, "a viewer got an offer; ignored");
    return;
  }
  if (msg->sender_client_id == NULL || msg->sdp == NULL) {
    gst_kvs_bus_reporter_problem (self->reporter, GST_MESSAGE_WARNING,
        GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE,
        g_strdup ("Ignoring an offer without sender or SDP"), NULL);
    return;
  }
  /* a message-received handler said why this offer cannot be answered */
  g_mutex_lock (&self->lock);
  if (g_strcmp0 (self->dropped_offer, msg->sender_client_id) == 0) {
    g_clear_pointer (&self->dropped_offer, g_free);
    self->counters.refused_offers++;
    g_mutex_unlock (&self->lock);
    GST_INFO_OBJECT (self, "offer of %s not bound", msg->sender_client_id);
    return;
  }
  g_mutex_unlock (&self->lock);

  /* A known viewer: the same peer connection renegotiates on its
   * webrtcbin; a new one (the viewer restarted) replaces the session. */
  session = dup_session (self, msg->sender_client_id);
  if (session && !gst_kvs_webrtc_session_is_same_peer_connection (session,
          msg->sdp)) {
    gboolean replaced = replace_session (self, msg->sender_client_id,
        session);

    g_clear_object (&session);
    if (!replaced)
      return;
  }
  if (session == NULL)
    session = bind_viewer (self, msg->sender_client_id, msg->sdp);
  if (session == NULL)
    return;
  negotiation_started (self, msg->sender_client_id);
  gst_kvs_webrtc_session_handle_offer (session, msg->sdp);
  gst_kvs_session_table_flush_candidates (self->table, msg->sender_client_id,
      session);
  g_object_unref (session);
}

static void
on_client_answer (GstKvsSignalingClient * client, GstKvsMessage * msg,
    GstKvsConnection * self)
{
  GstKvsWebrtcSession *session;

  count_received (self, msg->type);
  g_signal_emit (self, signals[SIGNAL_MESSAGE_RECEIVED], 0, msg);
  gst_kvs_bus_reporter_message_event (self->reporter, "received", msg,
      msg->sender_client_id);

  if (self->settings.role != GST_KVS_ROLE_VIEWER) {
    GST_WARNING_OBJECT (self, "a master got an answer; ignored");
    return;
  }
  answer_wait_cancel (self);
  if (negotiation_done (self, NULL))
    post_stats (self, "negotiated");
  session = dup_session (self, NULL);
  if (session == NULL)
    return;
  gst_kvs_webrtc_session_handle_answer (session, msg->sdp);
  g_object_unref (session);
}

static void
on_client_candidate (GstKvsSignalingClient * client, GstKvsMessage * msg,
    GstKvsConnection * self)
{
  GstKvsWebrtcSession *session;
  const gchar *peer;

  count_received (self, msg->type);
  g_signal_emit (self, signals[SIGNAL_MESSAGE_RECEIVED], 0, msg);

  peer = self->settings.role == GST_KVS_ROLE_MASTER ?
      msg->sender_client_id : NULL;
  if (self->settings.role == GST_KVS_ROLE_MASTER && peer == NULL) {
    GST_WARNING_OBJECT (self, "candidate without sender; ignored");
    return;
  }

  session = dup_session (self, peer);
  if (session) {
    gst_kvs_webrtc_session_handle_candidate (session, msg->sdp_mline_index,
        msg->sdp_mid, msg->candidate);
    g_object_unref (session);
    return;
  }

  if (peer == NULL)
    return;

  /* Master: the viewer's offer has not arrived yet; hold per viewer. */
  gst_kvs_session_table_hold_candidate (self->table, peer, msg);
}

static void
on_client_status (GstKvsSignalingClient * client, GstKvsMessage * msg,
    GstKvsConnection * self)
{
  count_received (self, msg->type);
  g_signal_emit (self, signals[SIGNAL_MESSAGE_RECEIVED], 0, msg);

  gst_kvs_bus_reporter_problem (self->reporter, GST_MESSAGE_WARNING,
      GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_WRITE,
      g_strdup_printf ("The signaling service refused a message: %s (%u): %s",
          GST_STR_NULL (msg->error_type), msg->status_code,
          GST_STR_NULL (msg->description)),
      g_strdup_printf ("correlation id %s",
          GST_STR_NULL (msg->correlation_id)));
}

static void
on_client_message_sent (GstKvsSignalingClient * client, GstKvsMessage * msg,
    GstKvsConnection * self)
{
  g_mutex_lock (&self->lock);
  switch (msg->type) {
    case GST_KVS_MESSAGE_TYPE_SDP_OFFER:
      self->counters.offers_sent++;
      break;
    case GST_KVS_MESSAGE_TYPE_SDP_ANSWER:
      self->counters.answers_sent++;
      break;
    case GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE:
      self->counters.candidates_sent++;
      break;
    default:
      break;
  }
  g_mutex_unlock (&self->lock);

  if (msg->type != GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE)
    gst_kvs_bus_reporter_message_event (self->reporter, "sent", msg,
        msg->recipient_client_id);
  if (msg->type == GST_KVS_MESSAGE_TYPE_SDP_OFFER
      && self->settings.role == GST_KVS_ROLE_VIEWER) {
    negotiation_started (self, NULL);
    answer_wait_start (self);
  } else if (msg->type == GST_KVS_MESSAGE_TYPE_SDP_ANSWER
      && self->settings.role == GST_KVS_ROLE_MASTER
      && negotiation_done (self, msg->recipient_client_id))
    post_stats (self, "negotiated");
  g_signal_emit (self, signals[SIGNAL_MESSAGE_SENT], 0, msg);
}

static void
on_client_send_failed (GstKvsSignalingClient * client, GstKvsMessage * msg,
    const GError * err, GstKvsConnection * self)
{
  g_mutex_lock (&self->lock);
  self->counters.send_failures++;
  g_mutex_unlock (&self->lock);

  gst_kvs_bus_reporter_problem (self->reporter, GST_MESSAGE_WARNING,
      GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_WRITE,
      g_strdup_printf ("Could not send %s: %s",
          gst_kvs_message_type_to_string (msg->type),
          err ? err->message : "unknown error"),
      g_strdup_printf ("correlation id %s",
          GST_STR_NULL (msg->correlation_id)));
}

static void
on_client_ice_servers_changed (GstKvsSignalingClient * client,
    GstKvsConnection * self)
{
  GST_DEBUG_OBJECT (self, "ICE servers changed");
  apply_ice_servers_all (self);
}

static void
on_client_error (GstKvsSignalingClient * client, const GError * err,
    GstKvsConnection * self)
{
  if (err)
    gst_kvs_bus_reporter_client_error (self->reporter, client, err);
}

static void
connect_client (GstKvsConnection * self, const gchar * name, GCallback cb)
{
  gulong id = g_signal_connect (self->client, name, cb, self);

  g_array_append_val (self->client_handlers, id);
}

/* ------------------------------------------------------------------------ */
/* public API */

GstKvsConnection *
gst_kvs_connection_new (const GstKvsSettings * settings)
{
  GstKvsConnection *self = g_object_new (GST_TYPE_KVS_CONNECTION, NULL);

  gst_kvs_settings_copy_into (&self->settings, settings);
  self->client = gst_kvs_signaling_client_new_from_settings (settings);
  self->reporter = gst_kvs_bus_reporter_new (settings);
  self->table = gst_kvs_session_table_new (settings->role, &session_callbacks,
      G_OBJECT (self));

  connect_client (self, "state-changed", G_CALLBACK (on_client_state));
  connect_client (self, "sdp-offer", G_CALLBACK (on_client_offer));
  connect_client (self, "sdp-answer", G_CALLBACK (on_client_answer));
  connect_client (self, "ice-candidate", G_CALLBACK (on_client_candidate));
  connect_client (self, "status-response", G_CALLBACK (on_client_status));
  connect_client (self, "message-sent", G_CALLBACK (on_client_message_sent));
  connect_client (self, "send-failed", G_CALLBACK (on_client_send_failed));
  connect_client (self, "ice-servers-changed",
      G_CALLBACK (on_client_ice_servers_changed));
  connect_client (self, "error", G_CALLBACK (on_client_error));
  connect_client (self, "connect-failed",
      G_CALLBACK (on_client_connect_failed));

  return self;
}

GstKvsSignalingClient *
gst_kvs_connection_get_client (GstKvsConnection * self)
{
  return self->client;
}

GstKvsRole
gst_kvs_connection_get_role (GstKvsConnection * self)
{
  return self->settings.role;
}

void
gst_kvs_connection_attach_element (GstKvsConnection * self,
    GstElement * element)
{
  gst_kvs_bus_reporter_add_element (self->reporter, element);
}

void
gst_kvs_connection_detach_element (GstKvsConnection * self,
    GstElement * element)
{
  gst_kvs_bus_reporter_remove_element (self->reporter, element);
}

gboolean
gst_kvs_connection_add_webrtcbin (GstKvsConnection * self,
    GstElement * webrtcbin, GError ** error)
{
  GstKvsWebrtcSession *session = NULL;
  gboolean added, connected, connecting;

  g_return_val_if_fail (GST_IS_ELEMENT (webrtcbin), FALSE);

  /* the state is read with the webrtcbin added: the ICE servers and the
   * viewer's start come from here or from on_client_state(), once */
  g_mutex_lock (&self->lock);
  if (!gst_kvs_session_table_add_webrtcbin (self->table, webrtcbin, &added,
          &session, error)) {
    g_mutex_unlock (&self->lock);
    return FALSE;
  }
  connected = self->state == GST_KVS_SIGNALING_STATE_CONNECTED;
  connecting = self->starts > 0 && is_connecting (self->state);
  g_mutex_unlock (&self->lock);
  if (!added)
    return TRUE;

  /* UPnP probes the LAN (SSDP multicast) for a port mapping KVS does not
   * need: STUN and TURN do that job. */
  if (!gst_kvs_webrtcbin_disable_upnp (webrtcbin))
    GST_DEBUG_OBJECT (self, "no NiceAgent to turn UPnP off in");
  if (connected)
    apply_ice_servers (self, webrtcbin);
  if (session) {
    if (connected)
      gst_kvs_webrtc_session_set_ready (session);
    else if (connecting)
      prepare_viewer (self, session);
    g_object_unref (session);
  }
  return TRUE;
}

void
gst_kvs_connection_remove_webrtcbin (GstKvsConnection * self,
    GstElement * webrtcbin)
{
  gst_kvs_session_table_remove_webrtcbin (self->table, webrtcbin);
}

const GstKvsSettings *
gst_kvs_connection_get_settings (GstKvsConnection * self)
{
  return &self->settings;
}

void
gst_kvs_connection_set_storage_peer (GstKvsConnection * self,
    const gchar * peer)
{
  g_mutex_lock (&self->lock);
  g_free (self->storage_peer);
  self->storage_peer = g_strdup (peer);
  g_mutex_unlock (&self->lock);
}

gboolean
gst_kvs_connection_claim_storage (GstKvsConnection * self, gpointer owner)
{
  gboolean ret;

  g_return_val_if_fail (owner != NULL, FALSE);
  g_mutex_lock (&self->lock);
  if (self->storage_owner == NULL)
    self->storage_owner = owner;
  ret = self->storage_owner == owner;
  g_mutex_unlock (&self->lock);
  return ret;
}

void
gst_kvs_connection_unclaim_storage (GstKvsConnection * self, gpointer owner)
{
  g_mutex_lock (&self->lock);
  if (self->storage_owner == owner)
    self->storage_owner = NULL;
  g_mutex_unlock (&self->lock);
}

void
gst_kvs_connection_drop_offer (GstKvsConnection * self, const gchar * peer)
{
  g_mutex_lock (&self->lock);
  g_free (self->dropped_offer);
  self->dropped_offer = g_strdup (peer);
  g_mutex_unlock (&self->lock);
}

gboolean
gst_kvs_connection_has_peer (GstKvsConnection * self, const gchar * peer)
{
  GstKvsWebrtcSession *session = dup_session (self, peer);

  if (session == NULL)
    return FALSE;
  g_object_unref (session);
  return TRUE;
}

void
gst_kvs_connection_refuse_viewer (GstKvsConnection * self, const gchar * reason)
{
  g_mutex_lock (&self->lock);
  g_free (self->refusal);
  self->refusal = g_strdup (reason);
  g_mutex_unlock (&self->lock);
}

gboolean
gst_kvs_connection_start (GstKvsConnection * self, GError ** error)
{
  gboolean first;

  g_mutex_lock (&self->lock);
  first = self->starts++ == 0;
  g_mutex_unlock (&self->lock);

  if (!first)
    return TRUE;

  GST_INFO_OBJECT (self, "starting the signaling client");
  if (!gst_kvs_signaling_client_start (self->client, error)) {
    g_mutex_lock (&self->lock);
    self->starts--;
    g_mutex_unlock (&self->lock);
    return FALSE;
  }
  return TRUE;
}

void
gst_kvs_connection_stop (GstKvsConnection * self)
{
  gboolean last;

  g_mutex_lock (&self->lock);
  last = self->starts > 0 && --self->starts == 0;
  g_mutex_unlock (&self->lock);

  if (last) {
    GST_INFO_OBJECT (self, "stopping the signaling client");
    gst_kvs_signaling_client_stop (self->client);
    answer_wait_cancel (self);
  }
}

GstKvsSignalingState
gst_kvs_connection_get_state (GstKvsConnection * self)
{
  GstKvsSignalingState state;

  g_mutex_lock (&self->lock);
  state = self->state;
  g_mutex_unlock (&self->lock);
  return state;
}

static GstStructure *
peer_stats (const gchar * key, GstKvsWebrtcSession * session, GstClockTime time)
{
  GstStructure *s = gst_structure_new ("kvssignaling-peer-stats",
      "client-id", G_TYPE_STRING, *key ? key : NULL,
      "candidates-held", G_TYPE_UINT,
      gst_kvs_webrtc_session_get_held_candidates (session),
      "connection-state", GST_TYPE_WEBRTC_PEER_CONNECTION_STATE,
      gst_kvs_webrtc_session_get_connection_state (session), NULL);

  /* not measured yet: absent */
  if (GST_CLOCK_TIME_IS_VALID (time))
    gst_structure_set (s, "offer-to-answer-time", G_TYPE_UINT64, time, NULL);
  return s;
}

GstStructure *
gst_kvs_connection_dup_stats (GstKvsConnection * self)
{
  GstStructure *s;
  guint held, i;
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) sessions =
      g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  GValue peers = G_VALUE_INIT;
  GstClockTime last;
  guint64 negotiations;

  /* The client's metrics first; ours (same names: state, send-failures)
   * override them. */
  s = gst_kvs_signaling_client_get_stats (self->client);
  if (s == NULL)
    s = gst_structure_new_empty ("kvssignaling-stats");

  held = gst_kvs_session_table_snapshot (self->table, keys, sessions);
  g_mutex_lock (&self->lock);
  for (i = 0; i < keys->len; i++) {
    GstClockTime *t = g_hash_table_lookup (self->negotiation_time,
        g_ptr_array_index (keys, i));
    GstClockTime time = t ? *t : GST_CLOCK_TIME_NONE;

    g_array_append_val (times, time);
  }
  gst_structure_set (s,
      "state", GST_TYPE_KVS_SIGNALING_STATE, self->state,
      "peers", G_TYPE_UINT, keys->len,
      "offers-sent", G_TYPE_UINT64, self->counters.offers_sent,
      "answers-sent", G_TYPE_UINT64, self->counters.answers_sent,
      "candidates-sent", G_TYPE_UINT64, self->counters.candidates_sent,
      "offers-received", G_TYPE_UINT64, self->counters.offers_received,
      "answers-received", G_TYPE_UINT64, self->counters.answers_received,
      "candidates-received", G_TYPE_UINT64,
      self->counters.candidates_received,
      "status-responses", G_TYPE_UINT64, self->counters.status_responses,
      "send-failures", G_TYPE_UINT64, self->counters.send_failures,
      "refused-offers", G_TYPE_UINT64, self->counters.refused_offers, NULL);
  last = self->last_negotiation_time;
  negotiations = self->negotiations;
  g_mutex_unlock (&self->lock);

  /* Sessions are asked outside our lock. */
  g_value_init (&peers, GST_TYPE_ARRAY);
  for (i = 0; i < sessions->len; i++) {
    GstKvsWebrtcSession *session = g_ptr_array_index (sessions, i);
    GValue v = G_VALUE_INIT;

    held += gst_kvs_webrtc_session_get_held_candidates (session);
    g_value_init (&v, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&v, peer_stats (g_ptr_array_index (keys, i),
            session, g_array_index (times, GstClockTime, i)));
    gst_value_array_append_and_take_value (&peers, &v);
  }
  gst_structure_set (s,
      "candidates-held", G_TYPE_UINT, held,
      "negotiations", G_TYPE_UINT64, negotiations, NULL);
  if (GST_CLOCK_TIME_IS_VALID (last))
    gst_structure_set (s, "offer-to-answer-time", G_TYPE_UINT64, last, NULL);
  gst_structure_take_value (s, "peer-stats", &peers);
  return s;
}

void
gst_kvs_connection_set_credentials (GstKvsConnection * self,
    const gchar * access_key, const gchar * secret_key,
    const gchar * session_token)
{
  gst_kvs_signaling_client_set_credentials (self->client, access_key,
      secret_key, session_token);
}

/* ------------------------------------------------------------------------ */
/* GObject */

static gboolean
first_element_wins (GSignalInvocationHint * ihint, GValue * return_accu,
    const GValue * handler_return, gpointer data)
{
  GObject *object = g_value_get_object (handler_return);

  g_value_set_object (return_accu, object);
  return object == NULL;
}

void
gst_kvs_connection_close (GstKvsConnection * self)
{
  g_return_if_fail (GST_IS_KVS_CONNECTION (self));

  /* Stop first: no client signal runs after this. */
  if (self->client)
    gst_kvs_signaling_client_stop (self->client);
  answer_wait_cancel (self);

  /* Sessions hold a reference on us until closed. */
  if (self->table)
    gst_kvs_session_table_clear (self->table);
}

static void
gst_kvs_connection_dispose (GObject * object)
{
  GstKvsConnection *self = GST_KVS_CONNECTION (object);
  guint i;

  gst_kvs_connection_close (self);
  if (self->client) {
    for (i = 0; i < self->client_handlers->len; i++)
      g_signal_handler_disconnect (self->client,
          g_array_index (self->client_handlers, gulong, i));
    g_array_set_size (self->client_handlers, 0);
    g_clear_object (&self->client);
  }

  G_OBJECT_CLASS (gst_kvs_connection_parent_class)->dispose (object);
}

static void
gst_kvs_connection_finalize (GObject * object)
{
  GstKvsConnection *self = GST_KVS_CONNECTION (object);

  gst_kvs_settings_clear (&self->settings);
  g_free (self->refusal);
  g_free (self->storage_peer);
  g_free (self->dropped_offer);
  g_array_unref (self->client_handlers);
  g_clear_object (&self->table);
  g_hash_table_unref (self->negotiation_start);
  g_hash_table_unref (self->negotiation_time);
  g_clear_object (&self->reporter);
  g_free (self->correlation_prefix);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (gst_kvs_connection_parent_class)->finalize (object);
}

static void
gst_kvs_connection_class_init (GstKvsConnectionClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->dispose = gst_kvs_connection_dispose;
  gobject_class->finalize = gst_kvs_connection_finalize;

  signals[SIGNAL_MESSAGE_RECEIVED] = g_signal_new ("message-received",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, GST_KVS_TYPE_MESSAGE);
  signals[SIGNAL_MESSAGE_SENT] = g_signal_new ("message-sent",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, GST_KVS_TYPE_MESSAGE);
  signals[SIGNAL_STATE_CHANGED] = g_signal_new ("state-changed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, GST_TYPE_KVS_SIGNALING_STATE);
  signals[SIGNAL_PEER_ADDED] = g_signal_new ("peer-added",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_PEER_REMOVED] = g_signal_new ("peer-removed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_REQUEST_WEBRTCBIN] = g_signal_new ("request-webrtcbin",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, first_element_wins,
      NULL, NULL, GST_TYPE_ELEMENT, 1, G_TYPE_STRING);
}

static void
gst_kvs_connection_init (GstKvsConnection * self)
{
  g_mutex_init (&self->lock);
  self->client_handlers = g_array_new (FALSE, FALSE, sizeof (gulong));
  self->negotiation_start = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, g_free);
  self->negotiation_time = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, g_free);
  self->last_negotiation_time = GST_CLOCK_TIME_NONE;
  self->state = GST_KVS_SIGNALING_STATE_NEW;
  self->correlation_prefix = g_strdup_printf ("kvs.%08x", g_random_int ());
}
