/* kvssignaling: the offer/answer and trickle-ICE binding of one webrtcbin to
 * one remote peer.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvswebrtcsession.h"
#include "gstkvswebrtcbinutils.h"

GST_DEBUG_CATEGORY_STATIC (kvs_webrtc_session_debug);
#define GST_CAT_DEFAULT kvs_webrtc_session_debug

typedef struct
{
  gint mline_index;
  gchar *mid;
  gchar *candidate;
} HeldCandidate;

/* What an offerer made before the signaling path was up, in order: its
 * offer, then its candidates (sdp NULL). */
typedef struct
{
  GstWebRTCSDPType type;
  gchar *sdp;
  guint mline_index;
  gchar *mid;
  gchar *candidate;
} Outgoing;

struct _GstKvsWebrtcSession
{
  GObject parent;

  GstElement *webrtcbin;
  gboolean offerer;
  gchar *peer_id;
  GstKvsWebrtcSessionCallbacks callbacks;

  GMutex lock;
  GObject *owner;               /* NULL once closed */
  gboolean closed;
  gboolean prepared;            /* offerer: may make its offer */
  gboolean ready;               /* the signaling path is up: may send */
  gboolean negotiation_needed;
  gboolean offer_in_progress;
  gboolean remote_set;
  GQueue held;                  /* HeldCandidate, until remote_set */
  GQueue outgoing;              /* Outgoing, until ready (offerer) */
  GMutex send_lock;             /* keeps what is sent in order */
  GstWebRTCPeerConnectionState connection_state;
  gchar *remote_origin;         /* of the last remote offer applied */
  gboolean offered;             /* a remote offer was handled */
  gulong sig_negotiation;
  gulong sig_candidate;
  gulong sig_state;
  GPtrArray *in_flight;         /* GstPromise, given to webrtcbin, unanswered */
};

/* What a promise given to webrtcbin calls when it is answered. */
typedef struct
{
  GstKvsWebrtcSession *self;
  GstPromiseChangeFunc done;
} Answer;

G_DEFINE_TYPE_WITH_CODE (GstKvsWebrtcSession, gst_kvs_webrtc_session,
    G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (kvs_webrtc_session_debug, "kvswebrtcsession", 0,
        "KVS signaling: one webrtcbin bound to one peer"));

static void
held_candidate_free (HeldCandidate * held)
{
  g_free (held->mid);
  g_free (held->candidate);
  g_free (held);
}

static void
outgoing_free (Outgoing * out)
{
  g_free (out->sdp);
  g_free (out->mid);
  g_free (out->candidate);
  g_free (out);
}

static const gchar *
peer_name (GstKvsWebrtcSession * self)
{
  return self->peer_id ? self->peer_id : "(master)";
}

/* Returns a reference to the owner, or NULL once the session is closed. */
static GObject *
dup_owner (GstKvsWebrtcSession * self)
{
  GObject *owner = NULL;

  g_mutex_lock (&self->lock);
  if (!self->closed && self->owner)
    owner = g_object_ref (self->owner);
  g_mutex_unlock (&self->lock);
  return owner;
}

static gboolean
is_closed (GstKvsWebrtcSession * self)
{
  gboolean closed;

  g_mutex_lock (&self->lock);
  closed = self->closed;
  g_mutex_unlock (&self->lock);
  return closed;
}

static void
report_problem (GstKvsWebrtcSession * self, gboolean fatal,
    const gchar * what, const gchar * reason)
{
  g_autoptr (GObject) owner = dup_owner (self);

  GST_WARNING_OBJECT (self->webrtcbin, "peer %s: %s: %s", peer_name (self),
      what, reason);
  if (owner && self->callbacks.problem)
    self->callbacks.problem (self, fatal, what, reason, owner);
}

/* Checks a promise reply. Returns the reply (owned by the promise) or NULL
 * after reporting the failure. An empty successful reply is returned as
 * @empty_ok ? a non-NULL dummy : NULL. */
static gboolean
promise_check (GstKvsWebrtcSession * self, GstPromise * promise,
    const gchar * what, const GstStructure ** reply_out)
{
  GstPromiseResult result = gst_promise_wait (promise);
  const GstStructure *reply;

  if (result == GST_PROMISE_RESULT_INTERRUPTED && is_closed (self)) {
    GST_DEBUG_OBJECT (self->webrtcbin, "peer %s: %s: interrupted by close",
        peer_name (self), what);
    return FALSE;
  }
  if (result != GST_PROMISE_RESULT_REPLIED) {
    report_problem (self, TRUE, what,
        result == GST_PROMISE_RESULT_INTERRUPTED ?
        "interrupted (webrtcbin is shutting down)" : "no reply");
    return FALSE;
  }
  reply = gst_promise_get_reply (promise);
  if (reply && gst_structure_has_field (reply, "error")) {
    g_autoptr (GError) err = NULL;
    const gchar *reason = "unknown error";

    if (gst_structure_get (reply, "error", G_TYPE_ERROR, &err, NULL) && err)
      reason = err->message;
    report_problem (self, TRUE, what, reason);
    return FALSE;
  }
  if (reply_out)
    *reply_out = reply;
  return TRUE;
}

static void
answer_free (Answer * answer)
{
  g_object_unref (answer->self);
  g_free (answer);
}

static void
on_answered (GstPromise * promise, gpointer user_data)
{
  Answer *answer = user_data;
  GstKvsWebrtcSession *self = answer->self;

  g_mutex_lock (&self->lock);
  g_ptr_array_remove_fast (self->in_flight, promise);
  g_mutex_unlock (&self->lock);
  answer->done (promise, self);
}

/* A promise for a webrtcbin action, @done called with the session when it
 * is answered. The session keeps a reference until then: webrtcbin drops
 * the actions still queued when it stops without answering them, and a
 * promise freed unanswered is a critical warning (a failed test under
 * gst-check); close() interrupts them instead. */
static GstPromise *
session_promise_new (GstKvsWebrtcSession * self, GstPromiseChangeFunc done)
{
  Answer *answer = g_new (Answer, 1);
  GstPromise *promise;

  answer->self = g_object_ref (self);
  answer->done = done;
  promise = gst_promise_new_with_change_func (on_answered, answer,
      (GDestroyNotify) answer_free);
  g_mutex_lock (&self->lock);
  if (!self->closed)
    g_ptr_array_add (self->in_flight, gst_promise_ref (promise));
  g_mutex_unlock (&self->lock);
  return promise;
}

/* Hands @out to the owner (send_lock held). */
static void
deliver (GstKvsWebrtcSession * self, Outgoing * out)
{
  g_autoptr (GObject) owner = dup_owner (self);

  if (owner == NULL)
    return;
  if (out->sdp) {
    if (self->callbacks.send_sdp == NULL)
      return;
    GST_INFO_OBJECT (self->webrtcbin, "sending %s to peer %s",
        gst_webrtc_sdp_type_to_string (out->type), peer_name (self));
    self->callbacks.send_sdp (self, out->type, out->sdp, owner);
  } else if (self->callbacks.send_candidate) {
    GST_LOG_OBJECT (self->webrtcbin, "local candidate for m-line %u (mid %s)",
        out->mline_index, GST_STR_NULL (out->mid));
    self->callbacks.send_candidate (self, out->mline_index, out->mid,
        out->candidate, owner);
  }
}

/* Sends @out (taken), or keeps it until the session is ready: an offerer
 * makes its offer and gathers candidates while the signaling connection is
 * still being set up, and sends them, in order, once it is up. */
static void
send_or_hold (GstKvsWebrtcSession * self, Outgoing * out)
{
  gboolean now;

  g_mutex_lock (&self->send_lock);
  g_mutex_lock (&self->lock);
  now = self->ready || !self->offerer;
  if (!now && !self->closed) {
    GST_DEBUG_OBJECT (self->webrtcbin, "holding our %s until the signaling "
        "connection is up", out->sdp ? "offer" : "candidate");
    g_queue_push_tail (&self->outgoing, out);
    out = NULL;
  }
  g_mutex_unlock (&self->lock);
  if (out && now)
    deliver (self, out);
  g_mutex_unlock (&self->send_lock);
  if (out)
    outgoing_free (out);
}

static void
send_local_sdp (GstKvsWebrtcSession * self, GstWebRTCSessionDescription * desc)
{
  Outgoing *out = g_new0 (Outgoing, 1);

  out->type = desc->type;
  out->sdp = gst_kvs_webrtc_sdp_to_text (desc->sdp);
  send_or_hold (self, out);
}

static void
on_local_set (GstPromise * promise, gpointer user_data)
{
  GstKvsWebrtcSession *self = user_data;

  promise_check (self, promise, "setting the local description", NULL);
}

/* The reply of create-offer or create-answer: set it locally, send it. */
static void
on_local_created (GstPromise * promise, gpointer user_data)
{
  GstKvsWebrtcSession *self = user_data;
  const GstStructure *reply = NULL;
  GstWebRTCSessionDescription *desc = NULL;
  const gchar *field = self->offerer ? "offer" : "answer";
  g_autofree gchar *what = g_strdup_printf ("creating the %s", field);
  GstPromise *set_promise;

  if (!promise_check (self, promise, what, &reply)) {
    g_mutex_lock (&self->lock);
    self->offer_in_progress = FALSE;
    g_mutex_unlock (&self->lock);
    return;
  }
  if (reply == NULL || !gst_structure_get (reply, field,
          GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc, NULL) || desc == NULL) {
    report_problem (self, TRUE, what,
        "webrtcbin replied without a description");
    return;
  }

  set_promise = session_promise_new (self, on_local_set);
  g_signal_emit_by_name (self->webrtcbin, "set-local-description", desc,
      set_promise);
  gst_promise_unref (set_promise);

  /* Sent before the set-local-description task runs on this thread, so the
   * peer always gets the description before our first candidate. */
  send_local_sdp (self, desc);
  gst_webrtc_session_description_free (desc);
}

static void
create_offer (GstKvsWebrtcSession * self)
{
  GstPromise *promise = session_promise_new (self, on_local_created);

  GST_INFO_OBJECT (self->webrtcbin, "creating an offer for peer %s",
      peer_name (self));
  g_signal_emit_by_name (self->webrtcbin, "create-offer", NULL, promise);
  gst_promise_unref (promise);
}

static void
maybe_offer (GstKvsWebrtcSession * self)
{
  gboolean go = FALSE;

  g_mutex_lock (&self->lock);
  if (!self->closed && self->offerer && self->prepared
      && self->negotiation_needed && !self->offer_in_progress) {
    self->negotiation_needed = FALSE;
    self->offer_in_progress = TRUE;
    go = TRUE;
  }
  g_mutex_unlock (&self->lock);

  if (go)
    create_offer (self);
}

static void
on_negotiation_needed (GstElement * webrtcbin, GstKvsWebrtcSession * self)
{
  GST_DEBUG_OBJECT (webrtcbin, "negotiation needed (peer %s)",
      peer_name (self));
  g_mutex_lock (&self->lock);
  /* During an offer/answer exchange webrtcbin is not stable; it asks again
   * once it is, if still needed. */
  if (!self->offer_in_progress)
    self->negotiation_needed = TRUE;
  g_mutex_unlock (&self->lock);
  maybe_offer (self);
}

static void
on_ice_candidate (GstElement * webrtcbin, guint mline_index,
    const gchar * candidate, GstKvsWebrtcSession * self)
{
  GstWebRTCSessionDescription *local = NULL;
  Outgoing *out;

  if (candidate == NULL || *candidate == '\0')
    return;                     /* end of candidates: KVS has no such message */

  out = g_new0 (Outgoing, 1);
  g_object_get (webrtcbin, "local-description", &local, NULL);
  out->mid = gst_kvs_webrtc_sdp_dup_mid (local, mline_index);
  if (local)
    gst_webrtc_session_description_free (local);
  out->mline_index = mline_index;
  out->candidate = g_strdup (candidate);
  send_or_hold (self, out);
}

static void
on_connection_state (GstElement * webrtcbin, GParamSpec * pspec,
    GstKvsWebrtcSession * self)
{
  GstWebRTCPeerConnectionState state;
  g_autoptr (GObject) owner = NULL;

  g_object_get (webrtcbin, "connection-state", &state, NULL);
  GST_INFO_OBJECT (webrtcbin, "peer %s: connection state %d",
      peer_name (self), state);
  g_mutex_lock (&self->lock);
  self->connection_state = state;
  g_mutex_unlock (&self->lock);
  owner = dup_owner (self);
  if (owner && self->callbacks.connection_state)
    self->callbacks.connection_state (self, state, owner);
}

/* Applies one remote candidate (remote description known). */
static void
apply_candidate (GstKvsWebrtcSession * self, gint mline_index,
    const gchar * mid, const gchar * candidate)
{
  if (mline_index < 0) {
    GstWebRTCSessionDescription *remote = NULL;

    g_object_get (self->webrtcbin, "remote-description", &remote, NULL);
    mline_index = gst_kvs_webrtc_sdp_find_mid (remote, mid);
    if (remote)
      gst_webrtc_session_description_free (remote);
    if (mline_index < 0) {
      g_autofree gchar *reason = g_strdup_printf ("no m-line has the mid "
          "'%s' the candidate names", GST_STR_NULL (mid));
      report_problem (self, FALSE, "applying a remote ICE candidate", reason);
      return;
    }
  }
  GST_LOG_OBJECT (self->webrtcbin, "remote candidate for m-line %d",
      mline_index);
  g_signal_emit_by_name (self->webrtcbin, "add-ice-candidate",
      (guint) mline_index, candidate);
}

static void
flush_held (GstKvsWebrtcSession * self)
{
  GQueue held = G_QUEUE_INIT;
  HeldCandidate *c;

  g_mutex_lock (&self->lock);
  self->remote_set = TRUE;
  held = self->held;
  g_queue_init (&self->held);
  g_mutex_unlock (&self->lock);

  if (held.length)
    GST_DEBUG_OBJECT (self->webrtcbin, "applying %u held candidates of %s",
        held.length, peer_name (self));
  while ((c = g_queue_pop_head (&held))) {
    apply_candidate (self, c->mline_index, c->mid, c->candidate);
    held_candidate_free (c);
  }
}

static void
on_remote_answer_set (GstPromise * promise, gpointer user_data)
{
  GstKvsWebrtcSession *self = user_data;

  if (!promise_check (self, promise, "applying the remote answer", NULL))
    return;
  flush_held (self);

  /* Back to stable: webrtcbin asks again if more negotiation is needed. */
  g_mutex_lock (&self->lock);
  self->offer_in_progress = FALSE;
  self->negotiation_needed = FALSE;
  g_mutex_unlock (&self->lock);
}

static void
on_remote_offer_set (GstPromise * promise, gpointer user_data)
{
  GstKvsWebrtcSession *self = user_data;
  GstPromise *answer;

  if (!promise_check (self, promise, "applying the remote offer", NULL))
    return;
  flush_held (self);

  answer = session_promise_new (self, on_local_created);
  g_signal_emit_by_name (self->webrtcbin, "create-answer", NULL, answer);
  gst_promise_unref (answer);
}

/* Applies @desc (taken) as the remote description. */
static void
set_remote_description (GstKvsWebrtcSession * self,
    GstWebRTCSessionDescription * desc, GstPromiseChangeFunc done)
{
  GstPromise *promise;

  GST_INFO_OBJECT (self->webrtcbin, "applying the %s of peer %s",
      gst_webrtc_sdp_type_to_string (desc->type), peer_name (self));
  promise = session_promise_new (self, done);
  g_signal_emit_by_name (self->webrtcbin, "set-remote-description", desc,
      promise);
  gst_promise_unref (promise);
  gst_webrtc_session_description_free (desc);
}

/* @sdp text as a description of @type, or NULL (a problem reported). */
static GstWebRTCSessionDescription *
read_remote (GstKvsWebrtcSession * self, GstWebRTCSDPType type,
    const gchar * sdp)
{
  g_autoptr (GError) err = NULL;
  GstWebRTCSessionDescription *desc;

  desc = gst_kvs_webrtc_description_new (type, sdp, &err);
  if (desc == NULL)
    report_problem (self, FALSE, "reading the remote description",
        err->message);
  return desc;
}

static void
set_remote (GstKvsWebrtcSession * self, GstWebRTCSDPType type,
    const gchar * sdp, GstPromiseChangeFunc done)
{
  GstWebRTCSessionDescription *desc = read_remote (self, type, sdp);

  if (desc != NULL)
    set_remote_description (self, desc, done);
}

void
gst_kvs_webrtc_session_handle_offer (GstKvsWebrtcSession * self,
    const gchar * sdp)
{
  GstWebRTCSessionDescription *desc;

  g_return_if_fail (GST_IS_KVS_WEBRTC_SESSION (self));

  if (self->offerer) {
    report_problem (self, FALSE, "receiving an offer",
        "a viewer does not accept offers; ignored");
    return;
  }
  desc = read_remote (self, GST_WEBRTC_SDP_TYPE_OFFER, sdp);
  g_mutex_lock (&self->lock);
  /* A new offer starts a new negotiation: candidates that follow it wait for
   * it to be applied. */
  self->remote_set = FALSE;
  g_free (self->remote_origin);
  self->remote_origin = desc ? gst_kvs_webrtc_sdp_dup_origin (desc->sdp) : NULL;
  self->offered = TRUE;
  g_mutex_unlock (&self->lock);
  if (desc != NULL)
    set_remote_description (self, desc, on_remote_offer_set);
}

void
gst_kvs_webrtc_session_handle_answer (GstKvsWebrtcSession * self,
    const gchar * sdp)
{
  g_return_if_fail (GST_IS_KVS_WEBRTC_SESSION (self));

  if (!self->offerer) {
    report_problem (self, FALSE, "receiving an answer",
        "a master does not expect answers; ignored");
    return;
  }
  set_remote (self, GST_WEBRTC_SDP_TYPE_ANSWER, sdp, on_remote_answer_set);
}

void
gst_kvs_webrtc_session_handle_candidate (GstKvsWebrtcSession * self,
    gint mline_index, const gchar * mid, const gchar * candidate)
{
  gboolean now;

  g_return_if_fail (GST_IS_KVS_WEBRTC_SESSION (self));

  if (candidate == NULL || *candidate == '\0')
    return;
  if (mline_index < 0 && (mid == NULL || *mid == '\0')) {
    report_problem (self, FALSE, "receiving an ICE candidate",
        "the candidate has neither sdpMLineIndex nor sdpMid");
    return;
  }

  g_mutex_lock (&self->lock);
  now = self->remote_set;
  if (!now) {
    HeldCandidate *held = g_new0 (HeldCandidate, 1);

    held->mline_index = mline_index;
    held->mid = g_strdup (mid);
    held->candidate = g_strdup (candidate);
    g_queue_push_tail (&self->held, held);
  }
  g_mutex_unlock (&self->lock);

  if (now)
    apply_candidate (self, mline_index, mid, candidate);
  else
    GST_DEBUG_OBJECT (self->webrtcbin, "holding an early candidate of %s",
        peer_name (self));
}

gboolean
gst_kvs_webrtc_session_is_same_peer_connection (GstKvsWebrtcSession * self,
    const gchar * offer)
{
  g_autofree gchar *origin = NULL;
  GstSDPMessage *sdp = NULL;
  gboolean same;

  if (offer != NULL && gst_sdp_message_new_from_text (offer, &sdp) ==
      GST_SDP_OK)
    origin = gst_kvs_webrtc_sdp_dup_origin (sdp);
  if (sdp != NULL)
    gst_sdp_message_free (sdp);

  g_mutex_lock (&self->lock);
  same = !self->offered || g_strcmp0 (origin, self->remote_origin) == 0;
  g_mutex_unlock (&self->lock);
  return same;
}

GstWebRTCPeerConnectionState
gst_kvs_webrtc_session_get_connection_state (GstKvsWebrtcSession * self)
{
  GstWebRTCPeerConnectionState state;

  g_mutex_lock (&self->lock);
  state = self->connection_state;
  g_mutex_unlock (&self->lock);
  return state;
}

guint
gst_kvs_webrtc_session_get_held_candidates (GstKvsWebrtcSession * self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->held.length;
  g_mutex_unlock (&self->lock);
  return n;
}

/* An offerer's offer is due when webrtcbin has transceivers and no local
 * description: it may have asked for negotiation before we listened.
 * (Asked outside our lock: webrtcbin takes its own.) */
static gboolean
offer_due (GstKvsWebrtcSession * self)
{
  GstWebRTCSessionDescription *local = NULL;

  if (!self->offerer
      || gst_kvs_webrtcbin_count_transceivers (self->webrtcbin) == 0)
    return FALSE;
  g_object_get (self->webrtcbin, "local-description", &local, NULL);
  if (local == NULL)
    return TRUE;
  gst_webrtc_session_description_free (local);
  return FALSE;
}

void
gst_kvs_webrtc_session_prepare (GstKvsWebrtcSession * self)
{
  gboolean due;

  g_return_if_fail (GST_IS_KVS_WEBRTC_SESSION (self));

  due = offer_due (self);
  g_mutex_lock (&self->lock);
  if (!self->prepared)
    GST_DEBUG_OBJECT (self->webrtcbin, "peer %s: the offer may be made "
        "before the signaling connection is up", peer_name (self));
  self->prepared = TRUE;
  if (due && !self->offer_in_progress)
    self->negotiation_needed = TRUE;
  g_mutex_unlock (&self->lock);
  maybe_offer (self);
}

gboolean
gst_kvs_webrtc_session_is_prepared (GstKvsWebrtcSession * self)
{
  gboolean prepared;

  g_return_val_if_fail (GST_IS_KVS_WEBRTC_SESSION (self), FALSE);

  g_mutex_lock (&self->lock);
  prepared = self->prepared;
  g_mutex_unlock (&self->lock);
  return prepared;
}

void
gst_kvs_webrtc_session_set_ready (GstKvsWebrtcSession * self)
{
  GQueue outgoing = G_QUEUE_INIT;
  gboolean due;
  Outgoing *out;

  g_return_if_fail (GST_IS_KVS_WEBRTC_SESSION (self));

  due = offer_due (self);

  /* What was made meanwhile goes first, in order (send_lock: a candidate
   * that comes now waits for it). */
  g_mutex_lock (&self->send_lock);
  g_mutex_lock (&self->lock);
  self->prepared = TRUE;
  self->ready = TRUE;
  if (due && !self->offer_in_progress)
    self->negotiation_needed = TRUE;
  outgoing = self->outgoing;
  g_queue_init (&self->outgoing);
  g_mutex_unlock (&self->lock);
  if (outgoing.length)
    GST_DEBUG_OBJECT (self->webrtcbin, "signaling connection up: sending "
        "the %u messages made meanwhile", outgoing.length);
  while ((out = g_queue_pop_head (&outgoing))) {
    deliver (self, out);
    outgoing_free (out);
  }
  g_mutex_unlock (&self->send_lock);
  maybe_offer (self);
}

GstElement *
gst_kvs_webrtc_session_get_webrtcbin (GstKvsWebrtcSession * self)
{
  return self->webrtcbin;
}

const gchar *
gst_kvs_webrtc_session_get_peer_id (GstKvsWebrtcSession * self)
{
  return self->peer_id;
}

static void
drop_closure_ref (gpointer data, GClosure * closure)
{
  g_object_unref (data);
}

GstKvsWebrtcSession *
gst_kvs_webrtc_session_new (GstElement * webrtcbin, gboolean offerer,
    const gchar * peer_id, const GstKvsWebrtcSessionCallbacks * callbacks,
    GObject * owner)
{
  GstKvsWebrtcSession *self;

  g_return_val_if_fail (GST_IS_ELEMENT (webrtcbin), NULL);
  g_return_val_if_fail (callbacks != NULL, NULL);

  self = g_object_new (GST_TYPE_KVS_WEBRTC_SESSION, NULL);
  self->webrtcbin = gst_object_ref (webrtcbin);
  self->offerer = offerer;
  self->peer_id = g_strdup (peer_id);
  self->callbacks = *callbacks;
  self->owner = owner ? g_object_ref (owner) : NULL;

  /* Each handler keeps the session alive while it is connected: a handler
   * running on webrtcbin's thread during close() still finds it valid. */
  if (offerer)
    self->sig_negotiation = g_signal_connect_data (webrtcbin,
        "on-negotiation-needed", G_CALLBACK (on_negotiation_needed),
        g_object_ref (self), drop_closure_ref, 0);
  self->sig_candidate = g_signal_connect_data (webrtcbin, "on-ice-candidate",
      G_CALLBACK (on_ice_candidate), g_object_ref (self), drop_closure_ref, 0);
  self->sig_state = g_signal_connect_data (webrtcbin,
      "notify::connection-state", G_CALLBACK (on_connection_state),
      g_object_ref (self), drop_closure_ref, 0);

  GST_DEBUG_OBJECT (webrtcbin, "bound to peer %s as %s",
      self->peer_id ? self->peer_id : "(master)",
      offerer ? "offerer" : "answerer");
  return self;
}

void
gst_kvs_webrtc_session_close (GstKvsWebrtcSession * self)
{
  GObject *owner;
  g_autoptr (GPtrArray) in_flight = NULL;
  gulong ids[3];
  guint i;

  g_return_if_fail (GST_IS_KVS_WEBRTC_SESSION (self));

  g_mutex_lock (&self->lock);
  if (self->closed) {
    g_mutex_unlock (&self->lock);
    return;
  }
  self->closed = TRUE;
  owner = self->owner;
  self->owner = NULL;
  ids[0] = self->sig_negotiation;
  ids[1] = self->sig_candidate;
  ids[2] = self->sig_state;
  self->sig_negotiation = self->sig_candidate = self->sig_state = 0;
  g_queue_clear_full (&self->held, (GDestroyNotify) held_candidate_free);
  g_queue_clear_full (&self->outgoing, (GDestroyNotify) outgoing_free);
  in_flight = g_steal_pointer (&self->in_flight);
  self->in_flight = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_promise_unref);
  g_mutex_unlock (&self->lock);

  for (i = 0; i < G_N_ELEMENTS (ids); i++)
    if (ids[i])
      g_signal_handler_disconnect (self->webrtcbin, ids[i]);
  /* Answered by now or never: a reply that comes later is ignored. */
  for (i = 0; i < in_flight->len; i++)
    gst_promise_interrupt (g_ptr_array_index (in_flight, i));
  g_clear_object (&owner);
}

static void
gst_kvs_webrtc_session_finalize (GObject * object)
{
  GstKvsWebrtcSession *self = GST_KVS_WEBRTC_SESSION (object);

  g_queue_clear_full (&self->held, (GDestroyNotify) held_candidate_free);
  g_queue_clear_full (&self->outgoing, (GDestroyNotify) outgoing_free);
  g_ptr_array_unref (self->in_flight);
  g_clear_object (&self->owner);
  gst_clear_object (&self->webrtcbin);
  g_free (self->peer_id);
  g_free (self->remote_origin);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->send_lock);

  G_OBJECT_CLASS (gst_kvs_webrtc_session_parent_class)->finalize (object);
}

static void
gst_kvs_webrtc_session_class_init (GstKvsWebrtcSessionClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_kvs_webrtc_session_finalize;
}

static void
gst_kvs_webrtc_session_init (GstKvsWebrtcSession * self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->send_lock);
  g_queue_init (&self->held);
  g_queue_init (&self->outgoing);
  self->in_flight = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_promise_unref);
}
