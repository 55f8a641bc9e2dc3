/* kvssignaling fuzzing: frames the service sends, as the client parses them
 * (gst_kvs_message_parse_service_frame and the payload decoders).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Properties: a frame gives a message or a GError, never both; a message
 * has a known type; SDP/ICE messages carry the payload and its decoded
 * fields; a STATUS_RESPONSE has a status code; the message re-serialises
 * (gst_kvs_message_to_service_frame) into a frame that parses back to the
 * same message. */
#include "fuzz-common.h"
#include "gstkvsmessage.h"
#include "gstkvsserviceframe.h"
#include "gstkvsvalidation.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

static void
check_same (const GstKvsMessage * a, const GstKvsMessage * b)
{
  FUZZ_CHECK (a->type == b->type, "type %d became %d", a->type, b->type);
  FUZZ_CHECK (g_strcmp0 (a->sender_client_id, b->sender_client_id) == 0,
      "sender changed");
  FUZZ_CHECK (g_strcmp0 (a->payload, b->payload) == 0, "payload changed");
  FUZZ_CHECK (g_strcmp0 (a->sdp, b->sdp) == 0, "sdp changed");
  FUZZ_CHECK (g_strcmp0 (a->candidate, b->candidate) == 0, "candidate changed");
  FUZZ_CHECK (g_strcmp0 (a->sdp_mid, b->sdp_mid) == 0, "sdpMid changed");
  FUZZ_CHECK (a->sdp_mline_index == b->sdp_mline_index,
      "sdpMLineIndex changed");
  if (a->type == GST_KVS_MESSAGE_TYPE_STATUS_RESPONSE) {
    FUZZ_CHECK (g_strcmp0 (a->correlation_id, b->correlation_id) == 0,
        "correlation id changed");
    FUZZ_CHECK (g_strcmp0 (a->error_type, b->error_type) == 0,
        "errorType changed");
    FUZZ_CHECK (a->status_code == b->status_code, "statusCode changed");
    FUZZ_CHECK (g_strcmp0 (a->description, b->description) == 0,
        "description changed");
  }
}

static void
one_frame (const gchar * data, gsize len)
{
  g_autoptr (GError) err = NULL;
  g_autoptr (GstKvsMessage) msg = NULL;
  g_autoptr (GstKvsMessage) again = NULL;
  g_autoptr (GError) err2 = NULL;
  g_autofree gchar *frame = NULL;

  msg = gst_kvs_message_parse_service_frame (data, len, &err);
  if (msg == NULL) {
    FUZZ_CHECK_ERROR (err);
    FUZZ_CHECK (err->domain == GST_KVS_VALIDATION_ERROR,
        "error domain %s", g_quark_to_string (err->domain));
    return;
  }
  FUZZ_CHECK (err == NULL, "message and error both set");
  FUZZ_CHECK (msg->type <= GST_KVS_MESSAGE_TYPE_RECONNECT_ICE_SERVER,
      "type %d", msg->type);

  switch (msg->type) {
    case GST_KVS_MESSAGE_TYPE_SDP_OFFER:
    case GST_KVS_MESSAGE_TYPE_SDP_ANSWER:
      FUZZ_CHECK (msg->payload && msg->sdp, "SDP message without sdp");
      FUZZ_CHECK (gst_kvs_validate_base64 ("payload", msg->payload, -1,
              NULL), "payload is not strict base64");
      break;
    case GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE:
      FUZZ_CHECK (msg->payload && msg->candidate,
          "ICE message without candidate");
      FUZZ_CHECK (msg->sdp_mid != NULL || msg->sdp_mline_index >= 0,
          "ICE message with neither sdpMid nor sdpMLineIndex");
      break;
    case GST_KVS_MESSAGE_TYPE_UNKNOWN:
      return;
    default:
      break;
  }

  frame = gst_kvs_message_to_service_frame (msg, msg->sender_client_id);
  FUZZ_CHECK (frame != NULL, "no service frame for a parsed message");
  again = gst_kvs_message_parse_service_frame (frame, -1, &err2);
  FUZZ_CHECK (again != NULL, "re-serialised frame refused: %s\n%s",
      err2 ? err2->message : "?", frame);
  check_same (msg, again);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autofree gchar *expanded = fuzz_expand_template (data, size);

  one_frame ((const gchar *) data, size);
  if (expanded)
    one_frame (expanded, -1);
  return 0;
}
