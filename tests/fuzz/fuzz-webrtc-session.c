/* kvssignaling fuzzing: the plugin's SDP and ICE handling
 * (plugin/gstkvswebrtcsession.c, plugin/gstkvswebrtcbinutils.c): a remote
 * description and remote candidates handed to a GstKvsWebrtcSession bound
 * to a stand-in for webrtcbin that records what the session asks of it.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Input: "<SDP>\0<candidates>"; without a NUL byte the whole input is the
 * SDP and a fixed set of candidates is used. <candidates>: lines
 * "<sdpMLineIndex>|<sdpMid>|<candidate>" ("" index = absent, "" mid =
 * NULL); a line "SDP" is where the description comes (default: after all
 * of them). Byte 0 of the SDP part, when it is not 'v', picks the variant
 * (it is skipped): bit 0 = the session is the viewer (offerer: the SDP is
 * an answer), bit 1 = the stand-in fails set-remote-description, bit 2 = a
 * second description follows (renegotiation: candidates held again).
 *
 * Properties: the mid <-> m-line helpers agree with the SDP as
 * gst_sdp_message parses it (first m-line with that a=mid); the SDP is
 * accepted exactly when it parses as SDP and starts with "v="; a candidate
 * that arrives before the remote description is held (counted) and
 * applied after it, in order, with the same text, at the m-line its
 * sdpMLineIndex gives or else its sdpMid maps to; one with an unknown mid
 * or neither field is reported, never applied; nothing is applied or held
 * when the description fails; the answer goes out after the offer is
 * applied; the session origin of an offer is recognised again; close()
 * forgets what is held; gst_kvs_webrtc_sdp_to_text() writes every parsed
 * SDP exactly as gst_sdp_message_as_text() does. */
#include "fuzz-common.h"
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include "gstkvswebrtcsession.h"
#include "gstkvswebrtcbinutils.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

#define MAX_CANDIDATES 64

/* ---- a stand-in for webrtcbin ------------------------------------------ */

typedef struct
{
  GstElement parent;
  GstWebRTCSessionDescription *remote;
  GstWebRTCSessionDescription *local;
  GPtrArray *applied;           /* "<index> <candidate>" */
  gboolean fail_remote;
} FakeWebrtcbin;

typedef struct
{
  GstElementClass parent_class;
} FakeWebrtcbinClass;

GType fake_webrtcbin_get_type (void);
G_DEFINE_TYPE (FakeWebrtcbin, fake_webrtcbin, GST_TYPE_ELEMENT);

enum
{
  PROP_0,
  PROP_LOCAL,
  PROP_REMOTE,
  PROP_STATE,
};

static void
fake_set_remote (FakeWebrtcbin * self, GstWebRTCSessionDescription * desc,
    GstPromise * promise)
{
  FUZZ_CHECK (desc != NULL && desc->sdp != NULL, "no description");
  if (self->fail_remote) {
    GError *err = g_error_new_literal (GST_WEBRTC_ERROR,
        GST_WEBRTC_ERROR_SDP_SYNTAX_ERROR, "refused by the stand-in");

    gst_promise_reply (promise, gst_structure_new ("application/x-gst-promise",
            "error", G_TYPE_ERROR, err, NULL));
    g_error_free (err);
    return;
  }
  g_clear_pointer (&self->remote, gst_webrtc_session_description_free);
  self->remote = gst_webrtc_session_description_copy (desc);
  gst_promise_reply (promise, NULL);
}

static void
fake_set_local (FakeWebrtcbin * self, GstWebRTCSessionDescription * desc,
    GstPromise * promise)
{
  g_clear_pointer (&self->local, gst_webrtc_session_description_free);
  self->local = gst_webrtc_session_description_copy (desc);
  gst_promise_reply (promise, NULL);
}

/* Answers with the remote description's media (enough for the session). */
static void
fake_create (FakeWebrtcbin * self, GstStructure * options,
    GstPromise * promise, const gchar * field, GstWebRTCSDPType type)
{
  GstSDPMessage *sdp = NULL;
  GstWebRTCSessionDescription *desc;

  if (self->remote)
    gst_sdp_message_copy (self->remote->sdp, &sdp);
  else
    gst_sdp_message_new_from_text ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n"
        "t=0 0\r\n", &sdp);
  desc = gst_webrtc_session_description_new (type, sdp);
  gst_promise_reply (promise, gst_structure_new ("application/x-gst-promise",
          field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, desc, NULL));
  gst_webrtc_session_description_free (desc);
}

static void
fake_create_answer (FakeWebrtcbin * self, GstStructure * options,
    GstPromise * promise)
{
  fake_create (self, options, promise, "answer", GST_WEBRTC_SDP_TYPE_ANSWER);
}

static void
fake_create_offer (FakeWebrtcbin * self, GstStructure * options,
    GstPromise * promise)
{
  fake_create (self, options, promise, "offer", GST_WEBRTC_SDP_TYPE_OFFER);
}

static void
fake_add_ice_candidate (FakeWebrtcbin * self, guint mline, const gchar * cand)
{
  g_ptr_array_add (self->applied, g_strdup_printf ("%u %s", mline, cand));
}

static GArray *
fake_get_transceivers (FakeWebrtcbin * self)
{
  return g_array_new (FALSE, TRUE, sizeof (gpointer));
}

static void
fake_get_property (GObject * object, guint id, GValue * value,
    GParamSpec * pspec)
{
  FakeWebrtcbin *self = (FakeWebrtcbin *) object;

  switch (id) {
    case PROP_LOCAL:
      g_value_set_boxed (value, self->local);
      break;
    case PROP_REMOTE:
      g_value_set_boxed (value, self->remote);
      break;
    case PROP_STATE:
      g_value_set_enum (value, GST_WEBRTC_PEER_CONNECTION_STATE_NEW);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
  }
}

static void
fake_finalize (GObject * object)
{
  FakeWebrtcbin *self = (FakeWebrtcbin *) object;

  g_clear_pointer (&self->remote, gst_webrtc_session_description_free);
  g_clear_pointer (&self->local, gst_webrtc_session_description_free);
  g_ptr_array_unref (self->applied);
  G_OBJECT_CLASS (fake_webrtcbin_parent_class)->finalize (object);
}

static void
fake_webrtcbin_class_init (FakeWebrtcbinClass * klass)
{
  GObjectClass *oc = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);
  const GSignalFlags action = G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION;

  oc->get_property = fake_get_property;
  oc->finalize = fake_finalize;
  g_object_class_install_property (oc, PROP_LOCAL,
      g_param_spec_boxed ("local-description", "", "",
          GST_TYPE_WEBRTC_SESSION_DESCRIPTION, G_PARAM_READABLE));
  g_object_class_install_property (oc, PROP_REMOTE,
      g_param_spec_boxed ("remote-description", "", "",
          GST_TYPE_WEBRTC_SESSION_DESCRIPTION, G_PARAM_READABLE));
  g_object_class_install_property (oc, PROP_STATE,
      g_param_spec_enum ("connection-state", "", "",
          GST_TYPE_WEBRTC_PEER_CONNECTION_STATE,
          GST_WEBRTC_PEER_CONNECTION_STATE_NEW, G_PARAM_READABLE));

  g_signal_new ("on-negotiation-needed", type, G_SIGNAL_RUN_LAST, 0, NULL,
      NULL, NULL, G_TYPE_NONE, 0);
  g_signal_new ("on-ice-candidate", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
      NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
  g_signal_new_class_handler ("set-remote-description", type, action,
      G_CALLBACK (fake_set_remote), NULL, NULL, NULL, G_TYPE_NONE, 2,
      GST_TYPE_WEBRTC_SESSION_DESCRIPTION, GST_TYPE_PROMISE);
  g_signal_new_class_handler ("set-local-description", type, action,
      G_CALLBACK (fake_set_local), NULL, NULL, NULL, G_TYPE_NONE, 2,
      GST_TYPE_WEBRTC_SESSION_DESCRIPTION, GST_TYPE_PROMISE);
  g_signal_new_class_handler ("create-answer", type, action,
      G_CALLBACK (fake_create_answer), NULL, NULL, NULL, G_TYPE_NONE, 2,
      GST_TYPE_STRUCTURE, GST_TYPE_PROMISE);
  g_signal_new_class_handler ("create-offer", type, action,
      G_CALLBACK (fake_create_offer), NULL, NULL, NULL, G_TYPE_NONE, 2,
      GST_TYPE_STRUCTURE, GST_TYPE_PROMISE);
  g_signal_new_class_handler ("add-ice-candidate", type, action,
      G_CALLBACK (fake_add_ice_candidate), NULL, NULL, NULL, G_TYPE_NONE, 2,
      G_TYPE_UINT, G_TYPE_STRING);
  g_signal_new_class_handler ("get-transceivers", type, action,
      G_CALLBACK (fake_get_transceivers), NULL, NULL, NULL, G_TYPE_ARRAY, 0);
}

static void
fake_webrtcbin_init (FakeWebrtcbin * self)
{
  self->applied = g_ptr_array_new_with_free_func (g_free);
}

/* ---- the session's callbacks ------------------------------------------- */

typedef struct
{
  guint problems;
  guint fatal;
  guint sdps_sent;
  GstWebRTCSDPType last_type;
} Tally;

static Tally tally;

static void
on_send_sdp (GstKvsWebrtcSession * s, GstWebRTCSDPType type,
    const gchar * sdp, gpointer owner)
{
  FUZZ_CHECK (sdp != NULL, "no SDP text");
  tally.sdps_sent++;
  tally.last_type = type;
}

static void
on_send_candidate (GstKvsWebrtcSession * s, guint mline, const gchar * mid,
    const gchar * cand, gpointer owner)
{
}

static void
on_problem (GstKvsWebrtcSession * s, gboolean fatal, const gchar * what,
    const gchar * reason, gpointer owner)
{
  FUZZ_CHECK (what && *what && reason && *reason, "problem without text");
  tally.problems++;
  if (fatal)
    tally.fatal++;
}

static void
on_state (GstKvsWebrtcSession * s, GstWebRTCPeerConnectionState state,
    gpointer owner)
{
}

static const GstKvsWebrtcSessionCallbacks callbacks = {
  on_send_sdp, on_send_candidate, on_problem, on_state
};

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  g_type_ensure (fake_webrtcbin_get_type ());
  return 0;
}

/* ---- the model --------------------------------------------------------- */

typedef struct
{
  gint index;                   /* -1: absent */
  gchar *mid;
  gchar *candidate;
} Cand;

static void
cand_clear (Cand * c)
{
  g_free (c->mid);
  g_free (c->candidate);
}

/* The first m-line whose first a=mid is @mid, walking the attributes as
 * gst_sdp_message parsed them; -1 if none. */
static gint
model_find_mid (const GstSDPMessage * sdp, const gchar * mid)
{
  guint i, j;

  if (sdp == NULL || mid == NULL)
    return -1;
  for (i = 0; i < gst_sdp_message_medias_len (sdp); i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (sdp, i);

    for (j = 0; j < gst_sdp_media_attributes_len (m); j++) {
      const GstSDPAttribute *a = gst_sdp_media_get_attribute (m, j);

      if (g_strcmp0 (a->key, "mid") == 0) {
        if (g_strcmp0 (a->value, mid) == 0)
          return (gint) i;
        break;
      }
    }
  }
  return -1;
}

static void
check_helpers (const gchar * text, GstSDPMessage * parsed)
{
  g_autoptr (GError) err = NULL;
  GstWebRTCSessionDescription *desc;
  g_autofree gchar *origin = parsed ? gst_kvs_webrtc_sdp_dup_origin (parsed) :
      NULL;
  guint i;

  desc = gst_kvs_webrtc_description_new (GST_WEBRTC_SDP_TYPE_OFFER, text, &err);
  FUZZ_CHECK ((desc != NULL) == (parsed != NULL),
      "description %s, gst_sdp_message %s", desc ? "made" : "refused",
      parsed ? "parses" : "refuses");
  if (desc == NULL) {
    FUZZ_CHECK_ERROR (err);
  } else {
    FUZZ_CHECK (err == NULL, "description and error");
    FUZZ_CHECK (gst_sdp_message_medias_len (desc->sdp) ==
        gst_sdp_message_medias_len (parsed), "m-line count");
    for (i = 0; i < gst_sdp_message_medias_len (parsed); i++) {
      const GstSDPMedia *m = gst_sdp_message_get_media (parsed, i);
      const gchar *mid = gst_sdp_media_get_attribute_val (m, "mid");
      g_autofree gchar *dup = gst_kvs_webrtc_sdp_dup_mid (desc, i);
      gint found;

      FUZZ_CHECK (g_strcmp0 (dup, mid) == 0, "mid of m-line %u: %s, not %s",
          i, dup, mid);
      found = gst_kvs_webrtc_sdp_find_mid (desc, mid);
      FUZZ_CHECK (mid == NULL ? found == -1 : found >= 0
          && (guint) found <= i, "mid %s of m-line %u maps to %d", mid, i,
          found);
      FUZZ_CHECK (found == model_find_mid (parsed, mid), "mid %s maps to %d,"
          " model %d", mid, found, model_find_mid (parsed, mid));
    }
    FUZZ_CHECK (gst_kvs_webrtc_sdp_dup_mid (desc,
            gst_sdp_message_medias_len (parsed)) == NULL, "mid past the end");
    gst_webrtc_session_description_free (desc);
  }
  if (parsed) {
    /* the sink's SDP writer writes what GStreamer's writes */
    g_autofree gchar *ours = gst_kvs_webrtc_sdp_to_text (parsed);
    g_autofree gchar *theirs = gst_sdp_message_as_text (parsed);

    FUZZ_CHECK (g_strcmp0 (ours, theirs) == 0, "SDP text differs from "
        "gst_sdp_message_as_text:\n%s\n---\n%s", ours, theirs);
  }
  if (origin) {
    /* "<username> <sess-id>": another SDP with them has the same origin. */
    g_autofree gchar *again = g_strdup_printf ("v=0\r\no=%s 2 IN IP4 "
        "0.0.0.0\r\n", origin);
    g_autofree gchar *origin2 = NULL;
    GstSDPMessage *sdp2 = NULL;

    if (gst_sdp_message_new_from_text (again, &sdp2) == GST_SDP_OK)
      origin2 = gst_kvs_webrtc_sdp_dup_origin (sdp2);
    if (sdp2 != NULL)
      gst_sdp_message_free (sdp2);

    FUZZ_CHECK (strpbrk (origin, "\r\n") == NULL, "line break in origin");
    FUZZ_CHECK (g_strcmp0 (origin, origin2) == 0, "origin %s, then %s",
        origin, origin2);
  }
}

/* What the session must have applied for the candidates @c (in order)
 * once @remote is set; counts the ones it must report. */
static void
model_apply (GPtrArray * want, const GstSDPMessage * remote, const Cand * c,
    guint n, guint * problems)
{
  guint i;

  for (i = 0; i < n; i++) {
    gint index = c[i].index;

    if (index < 0)
      index = model_find_mid (remote, c[i].mid);
    if (index < 0) {
      (*problems)++;
      continue;
    }
    g_ptr_array_add (want, g_strdup_printf ("%u %s", (guint) index,
            c[i].candidate));
  }
}

static gboolean
cand_valid (const Cand * c)
{
  return c->candidate && *c->candidate && (c->index >= 0 || (c->mid
          && *c->mid));
}

static void
check_applied (FakeWebrtcbin * fake, GPtrArray * want)
{
  guint i;

  FUZZ_CHECK (fake->applied->len == want->len, "%u candidates applied, "
      "%u expected", fake->applied->len, want->len);
  for (i = 0; i < want->len; i++)
    FUZZ_CHECK (g_str_equal (g_ptr_array_index (fake->applied, i),
            g_ptr_array_index (want, i)), "candidate %u applied as '%s', "
        "expected '%s'", i, (gchar *) g_ptr_array_index (fake->applied, i),
        (gchar *) g_ptr_array_index (want, i));
}

static guint
parse_candidates (const gchar * text, Cand * c, gint * sdp_at)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", MAX_CANDIDATES + 1);
  guint i, n = 0;

  *sdp_at = -1;
  for (i = 0; lines[i] && n < MAX_CANDIDATES; i++) {
    g_auto (GStrv) f = NULL;

    if (g_str_equal (lines[i], "SDP")) {
      if (*sdp_at < 0)
        *sdp_at = n;
      continue;
    }
    f = g_strsplit (lines[i], "|", 3);
    if (g_strv_length (f) < 3)
      continue;
    c[n].index = *f[0] ? (gint) CLAMP (g_ascii_strtoll (f[0], NULL, 10), -1,
        G_MAXINT) : -1;
    c[n].mid = *f[1] ? g_strdup (f[1]) : NULL;
    c[n].candidate = g_strdup (f[2]);
    n++;
  }
  if (*sdp_at < 0)
    *sdp_at = n;
  return n;
}

static const Cand default_cands[] = {
  {-1, (gchar *) "0", (gchar *) "candidate:1 1 udp 2122260223 192.0.2.1 "
        "54321 typ host"},
  {0, NULL, (gchar *) "candidate:2 1 udp 2122260223 192.0.2.1 54322 typ host"},
  {-1, (gchar *) "1", (gchar *) "candidate:3 1 tcp 1518280447 192.0.2.1 9 "
        "typ host tcptype active"},
  {-1, (gchar *) "audio", (gchar *) "candidate:4 1 udp 1 192.0.2.1 1 typ "
        "host"},
  {-1, NULL, (gchar *) "candidate:5 1 udp 1 192.0.2.1 1 typ host"},
  {1, (gchar *) "nope", (gchar *) ""},
};

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  const uint8_t *nul = memchr (data, '\0', size);
  g_autofree gchar *sdp_text = NULL;
  const gchar *text;
  guint flags = 0;
  Cand cands[MAX_CANDIDATES] = { {0,}, };
  guint n, i, problems = 0, applied_problems = 0, valid = 0;
  gint sdp_at;
  GstSDPMessage *parsed = NULL;
  FakeWebrtcbin *fake;
  GObject *owner;
  GstKvsWebrtcSession *session;
  g_autoptr (GPtrArray) want = g_ptr_array_new_with_free_func (g_free);
  gboolean offerer, fail, again, applies;

  sdp_text = g_strndup ((const gchar *) data, nul ? (gsize) (nul - data) :
      size);
  text = sdp_text;
  if (*text && *text != 'v') {
    flags = (guint8) * text;
    text++;
  }
  offerer = flags & 1;
  fail = (flags & 2) != 0;
  again = (flags & 4) != 0;

  if (nul) {
    g_autofree gchar *rest = g_strndup ((const gchar *) nul + 1,
        size - (nul - data) - 1);

    n = parse_candidates (rest, cands, &sdp_at);
  } else {
    n = G_N_ELEMENTS (default_cands);
    for (i = 0; i < n; i++) {
      cands[i].index = default_cands[i].index;
      cands[i].mid = g_strdup (default_cands[i].mid);
      cands[i].candidate = g_strdup (default_cands[i].candidate);
    }
    sdp_at = 3;
  }

  if (g_str_has_prefix (text, "v=")
      && gst_sdp_message_new_from_text (text, &parsed) != GST_SDP_OK)
    g_clear_pointer (&parsed, gst_sdp_message_free);
  check_helpers (text, parsed);

  memset (&tally, 0, sizeof (tally));
  fake = g_object_new (fake_webrtcbin_get_type (), NULL);
  fake->fail_remote = fail;
  owner = g_object_new (G_TYPE_OBJECT, NULL);
  session = gst_kvs_webrtc_session_new (GST_ELEMENT (fake), offerer,
      offerer ? NULL : "viewer-1", &callbacks, owner);

  /* Before the description: held (or reported). */
  for (i = 0; i < (guint) sdp_at; i++) {
    gst_kvs_webrtc_session_handle_candidate (session, cands[i].index,
        cands[i].mid, cands[i].candidate);
    if (cand_valid (&cands[i]))
      valid++;
    else if (cands[i].candidate && *cands[i].candidate)
      problems++;
  }
  FUZZ_CHECK (gst_kvs_webrtc_session_get_held_candidates (session) == valid,
      "%u held, %u expected", gst_kvs_webrtc_session_get_held_candidates
      (session), valid);
  FUZZ_CHECK (fake->applied->len == 0, "applied before the description");
  FUZZ_CHECK (tally.problems == problems, "%u problems, %u expected",
      tally.problems, problems);

  if (offerer)
    gst_kvs_webrtc_session_handle_answer (session, text);
  else
    gst_kvs_webrtc_session_handle_offer (session, text);
  problems++;                   /* unless it applies, see below */
  applies = parsed != NULL && !fail;
  if (applies) {
    GPtrArray *valid_cands = g_ptr_array_new ();

    problems--;
    for (i = 0; i < (guint) sdp_at; i++)
      if (cand_valid (&cands[i]))
        g_ptr_array_add (valid_cands, &cands[i]);
    for (i = 0; i < valid_cands->len; i++)
      model_apply (want, parsed, g_ptr_array_index (valid_cands, i), 1,
          &applied_problems);
    g_ptr_array_unref (valid_cands);
    FUZZ_CHECK (gst_kvs_webrtc_session_get_held_candidates (session) == 0,
        "candidates still held after the description");
    if (!offerer)
      FUZZ_CHECK (tally.sdps_sent == 1
          && tally.last_type == GST_WEBRTC_SDP_TYPE_ANSWER, "no answer sent");
    else
      FUZZ_CHECK (tally.sdps_sent == 0, "an SDP sent on an answer");
  } else {
    FUZZ_CHECK (gst_kvs_webrtc_session_get_held_candidates (session) == valid,
        "held candidates lost when the description failed");
    FUZZ_CHECK (tally.sdps_sent == 0, "an SDP sent after a failure");
    if (parsed && fail)
      FUZZ_CHECK (tally.fatal == 1, "a refused description is not fatal");
  }
  check_applied (fake, want);
  FUZZ_CHECK (tally.problems == problems + applied_problems,
      "%u problems, %u expected", tally.problems, problems + applied_problems);
  if (!offerer && parsed) {
    FUZZ_CHECK (gst_kvs_webrtc_session_is_same_peer_connection (session,
            text), "an offer is not from its own peer connection");
  }

  /* After it: applied at once (or held while it failed). */
  for (i = sdp_at; i < n; i++) {
    gst_kvs_webrtc_session_handle_candidate (session, cands[i].index,
        cands[i].mid, cands[i].candidate);
    if (!cand_valid (&cands[i])) {
      if (cands[i].candidate && *cands[i].candidate)
        problems++;
    } else if (applies) {
      model_apply (want, parsed, &cands[i], 1, &applied_problems);
    } else {
      valid++;
    }
  }
  check_applied (fake, want);
  FUZZ_CHECK (tally.problems == problems + applied_problems,
      "%u problems, %u expected", tally.problems, problems + applied_problems);
  FUZZ_CHECK (gst_kvs_webrtc_session_get_held_candidates (session) ==
      (applies ? 0 : valid), "held count after the description");

  /* A master renegotiating: a new offer holds what follows it again. */
  if (again && !offerer && applies) {
    gst_kvs_webrtc_session_handle_offer (session, text);
    FUZZ_CHECK (gst_kvs_webrtc_session_get_held_candidates (session) == 0,
        "held after renegotiation");
    FUZZ_CHECK (tally.sdps_sent == 2, "no second answer");
  }

  gst_kvs_webrtc_session_close (session);
  FUZZ_CHECK (gst_kvs_webrtc_session_get_held_candidates (session) == 0,
      "close() keeps held candidates");
  gst_kvs_webrtc_session_close (session);
  g_object_unref (session);
  g_object_unref (owner);
  gst_object_unref (fake);
  if (parsed)
    gst_sdp_message_free (parsed);
  for (i = 0; i < n; i++)
    cand_clear (&cands[i]);
  return 0;
}
