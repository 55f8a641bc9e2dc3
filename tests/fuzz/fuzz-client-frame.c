/* kvssignaling fuzzing: frames a client sends, as the local service parses
 * them (gst_kvs_message_parse_client_frame), and the round trip to the
 * frame the recipient gets (gst_kvs_message_to_service_frame ->
 * gst_kvs_message_parse_service_frame) and back to a client frame
 * (gst_kvs_message_to_client_frame).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Properties: message xor GError; a correlation id handed back on failure is
 * a valid id; whatever the service accepts, the client can parse when it is
 * relayed, with the same payload and decoded fields; and the client library
 * itself would send the same message again. */
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
check_relayed (const GstKvsMessage * sent, const GstKvsMessage * got,
    const gchar * sender)
{
  FUZZ_CHECK (got->type == sent->type, "type %d became %d", sent->type,
      got->type);
  FUZZ_CHECK (g_strcmp0 (got->sender_client_id, sender) == 0, "sender changed");
  FUZZ_CHECK (g_strcmp0 (got->payload, sent->payload) == 0, "payload changed");
  FUZZ_CHECK (g_strcmp0 (got->sdp, sent->sdp) == 0, "sdp changed");
  FUZZ_CHECK (g_strcmp0 (got->candidate, sent->candidate) == 0,
      "candidate changed");
  FUZZ_CHECK (g_strcmp0 (got->sdp_mid, sent->sdp_mid) == 0, "sdpMid changed");
  FUZZ_CHECK (got->sdp_mline_index == sent->sdp_mline_index,
      "sdpMLineIndex changed");
}

static void
one_frame (const gchar * data, gsize len)
{
  g_autoptr (GError) err = NULL;
  g_autoptr (GstKvsMessage) msg = NULL;
  g_autofree gchar *corr = NULL;
  const gchar *senders[] = { NULL, "viewer-1" };
  guint i;

  msg = gst_kvs_message_parse_client_frame (data, len, 0, &corr, &err);
  if (msg == NULL) {
    FUZZ_CHECK_ERROR (err);
    FUZZ_CHECK (err->domain == GST_KVS_VALIDATION_ERROR,
        "error domain %s", g_quark_to_string (err->domain));
    FUZZ_CHECK (corr == NULL || gst_kvs_validate_id ("c", corr, NULL),
        "invalid correlation id handed back");
    if (corr) {
      g_autofree gchar *sr = gst_kvs_message_status_response_frame (corr,
          "InvalidArgumentException", 400, err->message);
      g_autoptr (GstKvsMessage) st =
          gst_kvs_message_parse_service_frame (sr, -1, NULL);

      FUZZ_CHECK (st != NULL && st->status_code == 400
          && g_strcmp0 (st->correlation_id, corr) == 0
          && g_strcmp0 (st->description, err->message) == 0,
          "STATUS_RESPONSE does not round-trip: %s", sr);
    }
    return;
  }
  FUZZ_CHECK (err == NULL, "message and error both set");
  FUZZ_CHECK (corr == NULL, "correlation id handed back on success");
  FUZZ_CHECK (msg->type == GST_KVS_MESSAGE_TYPE_SDP_OFFER
      || msg->type == GST_KVS_MESSAGE_TYPE_SDP_ANSWER
      || msg->type == GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE, "type %d", msg->type);
  FUZZ_CHECK (gst_kvs_validate_payload (msg->payload, 0, NULL),
      "accepted payload fails gst_kvs_validate_payload");

  /* Relayed to the master (with the viewer as sender) and to a viewer. */
  for (i = 0; i < G_N_ELEMENTS (senders); i++) {
    g_autofree gchar *frame = gst_kvs_message_to_service_frame (msg,
        senders[i]);
    g_autoptr (GstKvsMessage) got = NULL;
    g_autoptr (GError) err2 = NULL;

    FUZZ_CHECK (frame != NULL, "no service frame");
    got = gst_kvs_message_parse_service_frame (frame, -1, &err2);
    FUZZ_CHECK (got != NULL, "client refuses what the service accepted: "
        "%s\n%s", err2 ? err2->message : "?", frame);
    check_relayed (msg, got, senders[i]);
  }

  /* The client library sends the same message again. */
  {
    GstKvsRole role = msg->recipient_client_id && msg->recipient_client_id[0]
        ? GST_KVS_ROLE_MASTER : GST_KVS_ROLE_VIEWER;
    g_autoptr (GError) err3 = NULL;
    g_autoptr (GError) err4 = NULL;
    g_autofree gchar *out = gst_kvs_message_to_client_frame (msg, role, 0,
        &err3);
    g_autoptr (GstKvsMessage) back = NULL;
    g_autofree gchar *corr2 = NULL;

    FUZZ_CHECK (out != NULL, "accepted message cannot be re-sent: %s",
        err3 ? err3->message : "?");
    back = gst_kvs_message_parse_client_frame (out, -1, 0, &corr2, &err4);
    FUZZ_CHECK (back != NULL, "own client frame refused: %s\n%s",
        err4 ? err4->message : "?", out);
    FUZZ_CHECK (back->type == msg->type
        && g_strcmp0 (back->payload, msg->payload) == 0
        && g_strcmp0 (back->correlation_id, msg->correlation_id) == 0,
        "client frame round trip changed the message");
    if (role == GST_KVS_ROLE_MASTER)
      FUZZ_CHECK (g_strcmp0 (back->recipient_client_id,
              msg->recipient_client_id) == 0, "recipient changed");
  }
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
