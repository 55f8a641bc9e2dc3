/* kvssignaling: one signaling message, outgoing or incoming, and its wire form.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>
#include "gstkvstypes.h"
#include "gstkvserror.h"

G_BEGIN_DECLS

#define GST_KVS_TYPE_MESSAGE (gst_kvs_message_get_type ())

/**
 * GstKvsMessage:
 *
 * A reference-counted, immutable-after-construction message. Fields not used
 * by the type are NULL (-1 for @sdp_mline_index).
 *
 * @payload is the base64 `messagePayload` as on the wire; for incoming
 * SDP/ICE messages the decoded fields are filled as well.
 */
typedef struct {
  GstKvsMessageType type;
  gchar *sender_client_id;      /* incoming: senderClientId, may be NULL */
  gchar *recipient_client_id;   /* outgoing: recipientClientId, may be NULL */
  gchar *correlation_id;        /* may be NULL */
  gchar *payload;               /* base64 messagePayload, may be NULL */

  /* SDP_OFFER / SDP_ANSWER */
  gchar *sdp;

  /* ICE_CANDIDATE */
  gchar *candidate;             /* "candidate:..." */
  gchar *sdp_mid;               /* may be NULL */
  gint sdp_mline_index;         /* -1 when absent */

  /* STATUS_RESPONSE */
  gchar *error_type;            /* "InvalidArgumentException" */
  guint status_code;            /* 400 */
  gchar *description;
} GstKvsMessage;

GType gst_kvs_message_get_type (void);
GstKvsMessage *gst_kvs_message_ref (GstKvsMessage * msg);
void gst_kvs_message_unref (GstKvsMessage * msg);

/* Outgoing constructors. They copy their arguments and encode @payload.
 * @type is SDP_OFFER or SDP_ANSWER for _new_sdp. */
GstKvsMessage *gst_kvs_message_new_sdp (GstKvsMessageType type,
    const gchar * recipient_client_id, const gchar * sdp,
    const gchar * correlation_id);
GstKvsMessage *gst_kvs_message_new_ice_candidate (
    const gchar * recipient_client_id, const gchar * candidate,
    const gchar * sdp_mid, gint sdp_mline_index,
    const gchar * correlation_id);
/* A message with no field set, for the payload-less types (GO_AWAY,
 * RECONNECT_ICE_SERVER) a server sends (gst_kvs_message_to_service_frame(),
 * gstkvsserviceframe.h, not installed). */
GstKvsMessage *gst_kvs_message_new (GstKvsMessageType type);
/* A copy with another correlation id (NULL removes it). */
GstKvsMessage *gst_kvs_message_copy_with_correlation_id (
    const GstKvsMessage * msg, const gchar * correlation_id);

/* Validate @msg as @sender_role would send it (every rule of the service,
 * GST_KVS_VALIDATION_ERROR), then serialise the client frame
 * {"action","recipientClientId","messagePayload","correlationId"}.
 * A viewer's recipient is omitted, never an error. @max_payload 0 = default. */
gchar *gst_kvs_message_to_client_frame (const GstKvsMessage * msg,
    GstKvsRole sender_role, gsize max_payload, GError ** error);

/* Parse a frame the service sends (messageType, senderClientId,
 * messagePayload, statusResponse; keys in any case, unknown keys ignored) and
 * decode the payload. Unknown messageType: a message of type UNKNOWN.
 * Malformed JSON or payload: NULL and GST_KVS_VALIDATION_ERROR. */
GstKvsMessage *gst_kvs_message_parse_service_frame (const gchar * data,
    gsize len, GError ** error);

/* Server side: parse a frame a client sends (action, recipientClientId,
 * messagePayload, correlationId; keys in any case; unknown keys ignored).
 * Validates the fields that do not depend on the sender's role. On failure
 * returns NULL, and sets *@correlation_id (if non-NULL) to the frame's
 * correlationId when one could be read, so a STATUS_RESPONSE can be sent. */
GstKvsMessage *gst_kvs_message_parse_client_frame (const gchar * data,
    gsize len, gsize max_payload, gchar ** correlation_id, GError ** error);

/* Notes on the parsers: @len may be (gsize) -1 for a NUL-terminated @data.
 * Frames are refused (MALFORMED) before JSON parsing when larger than 1 MiB
 * (for client frames: or than @max_payload + 64 KiB, whichever is larger),
 * when they hold a NUL byte or invalid UTF-8, or nest deeper than 32 levels;
 * the decoded payload gets the same checks (PAYLOAD_ENCODING). The payload
 * must be strict base64 (gst_kvs_validate_base64()); an SDP payload needs a
 * string "sdp" (its "type", when present, must match the message type), an
 * ICE payload a string "candidate" and at least one of "sdpMid",
 * "sdpMLineIndex" (null counts as absent). Wrong-typed fields:
 * MISSING_FIELD. parse_client_frame() reports a missing, non-string or
 * unknown action as INVALID_ACTION, hands back *@correlation_id only on
 * failure and only when it is a valid id (NULL otherwise), and applies
 * the payload limit of gst_kvs_validate_payload().
 * to_client_frame(): a master's recipient that is NULL or "" is
 * MISSING_RECIPIENT; a correlation id of "" is ID_EMPTY (NULL = none). */

/* "SDP_OFFER" ... ; NULL for UNKNOWN. And the reverse (exact, upper case). */
const gchar *gst_kvs_message_type_to_string (GstKvsMessageType type);
GstKvsMessageType gst_kvs_message_type_from_string (const gchar * str);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstKvsMessage, gst_kvs_message_unref)

G_END_DECLS
