/* kvssignaling: the frames the service writes (what a recipient receives,
 * STATUS_RESPONSE). Not part of the installed library: a static library
 * shared by the local service (tools/kvs-signaling-server) and the
 * library's tests.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <json-glib/json-glib.h>

#include "gstkvsjson.h"
#include "gstkvsmessageprivate.h"
#include "gstkvsserviceframe.h"

/* The types whose frames carry a payload. */
static gboolean
is_action (GstKvsMessageType type)
{
  return type == GST_KVS_MESSAGE_TYPE_SDP_OFFER ||
      type == GST_KVS_MESSAGE_TYPE_SDP_ANSWER ||
      type == GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE;
}

gchar *
gst_kvs_message_to_service_frame (const GstKvsMessage * msg,
    const gchar * sender_client_id)
{
  g_autoptr (JsonBuilder) builder = NULL;
  const gchar *type_name;
  GString *frame;

  g_return_val_if_fail (msg != NULL, NULL);
  type_name = gst_kvs_message_type_to_string (msg->type);
  g_return_val_if_fail (type_name != NULL, NULL);

  if (msg->type == GST_KVS_MESSAGE_TYPE_STATUS_RESPONSE)
    return gst_kvs_message_status_response_frame (msg->correlation_id,
        msg->error_type, msg->status_code, msg->description);

  frame = g_string_sized_new ((msg->payload ? strlen (msg->payload) : 0) + 128);
  g_string_append (frame, "{\"messageType\":\"");
  g_string_append (frame, type_name);
  g_string_append_c (frame, '"');
  if ((msg->payload == NULL || !is_action (msg->type) ||
          gst_kvs_message_append_payload (frame, msg)) &&
      (sender_client_id == NULL ||
          gst_kvs_json_append_member (frame, "senderClientId",
              sender_client_id))) {
    g_string_append_c (frame, '}');
    return g_string_free (frame, FALSE);
  }
  g_string_free (frame, TRUE);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "messageType");
  json_builder_add_string_value (builder, type_name);
  if (msg->payload != NULL && is_action (msg->type)) {
    json_builder_set_member_name (builder, "messagePayload");
    json_builder_add_string_value (builder, msg->payload);
  }
  if (sender_client_id != NULL) {
    json_builder_set_member_name (builder, "senderClientId");
    json_builder_add_string_value (builder, sender_client_id);
  }
  json_builder_end_object (builder);

  return gst_kvs_json_builder_to_text (builder, NULL);
}

gchar *
gst_kvs_message_status_response_frame (const gchar * correlation_id,
    const gchar * error_type, guint status_code, const gchar * description)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree gchar *code = g_strdup_printf ("%u", status_code);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "messageType");
  json_builder_add_string_value (builder, "STATUS_RESPONSE");
  json_builder_set_member_name (builder, "statusResponse");
  json_builder_begin_object (builder);
  if (correlation_id != NULL) {
    json_builder_set_member_name (builder, "correlationId");
    json_builder_add_string_value (builder, correlation_id);
  }
  if (error_type != NULL) {
    json_builder_set_member_name (builder, "errorType");
    json_builder_add_string_value (builder, error_type);
  }
  /* A string, as AWS sends it. */
  json_builder_set_member_name (builder, "statusCode");
  json_builder_add_string_value (builder, code);
  if (description != NULL) {
    json_builder_set_member_name (builder, "description");
    json_builder_add_string_value (builder, description);
  }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return gst_kvs_json_builder_to_text (builder, NULL);
}
