/* kvssignaling: one signaling message, outgoing or incoming, and its wire form.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "gstkvscodec.h"
#include "gstkvsjson.h"
#include "gstkvsmessage.h"
#include "gstkvsmessageprivate.h"
#include "gstkvsvalidation.h"

GST_DEBUG_CATEGORY_STATIC (kvs_message_debug);
#define GST_CAT_DEFAULT kvs_message_debug

/* Largest frame accepted, whatever the payload limit. */
#define MAX_FRAME_SIZE (1024 * 1024)

G_DEFINE_BOXED_TYPE (GstKvsMessage, gst_kvs_message, gst_kvs_message_ref,
    gst_kvs_message_unref);

static void
ensure_debug_category (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized)) {
    GST_DEBUG_CATEGORY_INIT (kvs_message_debug, "kvsmessage", 0,
        "KVS signaling wire messages");
    g_once_init_leave (&initialized, 1);
  }
}

static GstKvsMessage *
message_alloc (GstKvsMessageType type)
{
  GstKvsMessageImpl *impl = g_new0 (GstKvsMessageImpl, 1);

  ensure_debug_category ();
  impl->refcount = 1;
  impl->msg.type = type;
  impl->msg.sdp_mline_index = -1;
  return &impl->msg;
}

GstKvsMessage *
gst_kvs_message_ref (GstKvsMessage * msg)
{
  GstKvsMessageImpl *impl = (GstKvsMessageImpl *) msg;

  g_return_val_if_fail (msg != NULL, NULL);
  g_atomic_int_inc (&impl->refcount);
  return msg;
}

void
gst_kvs_message_unref (GstKvsMessage * msg)
{
  GstKvsMessageImpl *impl = (GstKvsMessageImpl *) msg;

  g_return_if_fail (msg != NULL);
  if (!g_atomic_int_dec_and_test (&impl->refcount))
    return;

  g_free (msg->sender_client_id);
  g_free (msg->recipient_client_id);
  g_free (msg->correlation_id);
  g_free (msg->payload);
  g_free (msg->sdp);
  g_free (msg->candidate);
  g_free (msg->sdp_mid);
  g_free (msg->error_type);
  g_free (msg->description);
  g_free (impl);
}

/* ---- message types ---- */

static const gchar *const type_names[] = {
  [GST_KVS_MESSAGE_TYPE_UNKNOWN] = NULL,
  [GST_KVS_MESSAGE_TYPE_SDP_OFFER] = "SDP_OFFER",
  [GST_KVS_MESSAGE_TYPE_SDP_ANSWER] = "SDP_ANSWER",
  [GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE] = "ICE_CANDIDATE",
  [GST_KVS_MESSAGE_TYPE_STATUS_RESPONSE] = "STATUS_RESPONSE",
  [GST_KVS_MESSAGE_TYPE_GO_AWAY] = "GO_AWAY",
  [GST_KVS_MESSAGE_TYPE_RECONNECT_ICE_SERVER] = "RECONNECT_ICE_SERVER",
};

const gchar *
gst_kvs_message_type_to_string (GstKvsMessageType type)
{
  if ((guint) type >= G_N_ELEMENTS (type_names))
    return NULL;
  return type_names[type];
}

GstKvsMessageType
gst_kvs_message_type_from_string (const gchar * str)
{
  guint i;

  if (str == NULL)
    return GST_KVS_MESSAGE_TYPE_UNKNOWN;
  for (i = 0; i < G_N_ELEMENTS (type_names); i++) {
    if (type_names[i] != NULL && strcmp (type_names[i], str) == 0)
      return (GstKvsMessageType) i;
  }
  return GST_KVS_MESSAGE_TYPE_UNKNOWN;
}

static gboolean
is_sdp_type (GstKvsMessageType type)
{
  return type == GST_KVS_MESSAGE_TYPE_SDP_OFFER ||
      type == GST_KVS_MESSAGE_TYPE_SDP_ANSWER;
}

static gboolean
is_action (GstKvsMessageType type)
{
  return is_sdp_type (type) || type == GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE;
}

/* "offer" / "answer", the RTCSessionDescription type of a payload. */
static const gchar *
sdp_type_name (GstKvsMessageType type)
{
  switch (type) {
    case GST_KVS_MESSAGE_TYPE_SDP_OFFER:
      return "offer";
    case GST_KVS_MESSAGE_TYPE_SDP_ANSWER:
      return "answer";
    default:
      return NULL;
  }
}

/* ---- JSON helpers ---- */

static gchar *
encode_payload (JsonBuilder * builder)
{
  gsize len = 0;
  g_autofree gchar *json = gst_kvs_json_builder_to_text (builder, &len);

  return g_base64_encode ((const guchar *) json, len);
}

/* The payload of @json (freed), in base64. */
static gchar *
encode_json_text (GString * json)
{
  gchar *payload = g_base64_encode ((const guchar *) json->str, json->len);

  g_string_free (json, TRUE);
  return payload;
}

static void
set_checked_payload (GstKvsMessage * msg, gchar * payload)
{
  msg->payload = payload;
  ((GstKvsMessageImpl *) msg)->checked_payload = payload;
}

/* ---- the fast path of the parsers ---- */

/* A string field that is absent, null or a string; FALSE for other types. */
static gboolean
fast_optional_string (const GstKvsJsonField * field, gchar ** out)
{
  *out = NULL;
  if (field->kind == GST_KVS_JSON_ABSENT || field->kind == GST_KVS_JSON_NULL)
    return TRUE;
  if (field->kind != GST_KVS_JSON_STRING)
    return FALSE;
  *out = gst_kvs_json_field_dup (field);
  return TRUE;
}

/* The fast path of decode_payload(): TRUE with the decoded fields set, or
 * FALSE (nothing set) for decode_payload() to run and say why. */
static gboolean
fast_decode_payload (GstKvsMessage * msg, const gchar * payload, gsize len)
{
  g_autofree guchar *decoded = NULL;
  gsize decoded_len = 0;

  decoded = gst_kvs_base64_decode_strict (payload, len, &decoded_len);
  if (decoded == NULL)
    return FALSE;

  if (is_sdp_type (msg->type)) {
    GstKvsJsonField f[] = { {"type"}, {"sdp"}
    };

    if (!gst_kvs_json_scan_flat ((const gchar *) decoded, decoded_len,
            G_MAXSIZE, f, G_N_ELEMENTS (f)) || f[1].kind != GST_KVS_JSON_STRING)
      return FALSE;
    if (f[0].kind == GST_KVS_JSON_STRING) {
      const gchar *expected = sdp_type_name (msg->type);

      if (f[0].escaped || f[0].len != strlen (expected) ||
          g_ascii_strncasecmp (f[0].start, expected, f[0].len) != 0)
        return FALSE;
    } else if (f[0].kind != GST_KVS_JSON_ABSENT &&
        f[0].kind != GST_KVS_JSON_NULL) {
      return FALSE;
    }
    msg->sdp = gst_kvs_json_field_dup (&f[1]);
    return TRUE;
  } else {
    GstKvsJsonField f[] = { {"candidate"}, {"sdpMid"}, {"sdpMLineIndex"}
    };
    g_autofree gchar *mid = NULL;

    if (!gst_kvs_json_scan_flat ((const gchar *) decoded, decoded_len,
            G_MAXSIZE, f, G_N_ELEMENTS (f)) ||
        f[0].kind != GST_KVS_JSON_STRING ||
        (f[2].kind != GST_KVS_JSON_ABSENT && f[2].kind != GST_KVS_JSON_NULL
            && f[2].kind != GST_KVS_JSON_INT) ||
        !fast_optional_string (&f[1], &mid) ||
        (mid == NULL && f[2].kind != GST_KVS_JSON_INT))
      return FALSE;
    msg->candidate = gst_kvs_json_field_dup (&f[0]);
    msg->sdp_mid = g_steal_pointer (&mid);
    msg->sdp_mline_index = f[2].kind == GST_KVS_JSON_INT ?
        (gint) f[2].value : -1;
    return TRUE;
  }
}

/* The payload field @field decoded into @msg (its payload copied too). */
static gboolean
fast_take_payload (GstKvsMessage * msg, const GstKvsJsonField * field)
{
  if (field->escaped) {
    g_autofree gchar *payload = gst_kvs_json_field_dup (field);

    if (!fast_decode_payload (msg, payload, strlen (payload)))
      return FALSE;
    set_checked_payload (msg, g_steal_pointer (&payload));
    return TRUE;
  }
  if (!fast_decode_payload (msg, field->start, field->len))
    return FALSE;
  set_checked_payload (msg, g_strndup (field->start, field->len));
  return TRUE;
}

/* The fast path of parse_service_frame(): an SDP or ICE frame, or NULL. */
static GstKvsMessage *
fast_parse_service_frame (const gchar * data, gsize len)
{
  GstKvsJsonField f[] = { {"messageType"}, {"senderClientId"},
  {"messagePayload"}
  };
  g_autoptr (GstKvsMessage) msg = NULL;
  g_autofree gchar *type_name = NULL, *sender = NULL;
  GstKvsMessageType type;

  if (!gst_kvs_json_scan_flat (data, len, MAX_FRAME_SIZE, f,
          G_N_ELEMENTS (f)) || f[0].kind != GST_KVS_JSON_STRING ||
      f[2].kind != GST_KVS_JSON_STRING || f[2].len == 0)
    return NULL;
  type_name = gst_kvs_json_field_dup (&f[0]);
  type = gst_kvs_message_type_from_string (type_name);
  if (!is_action (type) || !fast_optional_string (&f[1], &sender))
    return NULL;

  msg = message_alloc (type);
  if (!fast_take_payload (msg, &f[2]))
    return NULL;
  msg->sender_client_id = g_steal_pointer (&sender);

  GST_DEBUG ("received %s from %s (%" G_GSIZE_FORMAT " bytes)", type_name,
      msg->sender_client_id ? msg->sender_client_id : "the master", len);
  return g_steal_pointer (&msg);
}

/* The fast path of parse_client_frame(): a valid frame, or NULL. */
static GstKvsMessage *
fast_parse_client_frame (const gchar * data, gsize len, gsize max_payload)
{
  GstKvsJsonField f[] = { {"correlationId"}, {"action"},
  {"recipientClientId"}, {"messagePayload"}
  };
  g_autoptr (GstKvsMessage) msg = NULL;
  g_autofree gchar *corr = NULL, *action = NULL, *recipient = NULL;
  GstKvsMessageType type;

  if (!gst_kvs_json_scan_flat (data, len,
          MAX (MAX_FRAME_SIZE, max_payload + 64 * 1024), f,
          G_N_ELEMENTS (f)) || f[1].kind != GST_KVS_JSON_STRING ||
      f[3].kind != GST_KVS_JSON_STRING || f[3].len == 0 ||
      f[3].len > max_payload)
    return NULL;
  if (!fast_optional_string (&f[0], &corr) ||
      (corr != NULL && !gst_kvs_validate_id ("correlation id", corr, NULL)))
    return NULL;
  action = gst_kvs_json_field_dup (&f[1]);
  type = gst_kvs_message_type_from_string (action);
  if (!is_action (type))
    return NULL;
  if (!fast_optional_string (&f[2], &recipient) || (recipient != NULL &&
          !gst_kvs_validate_id ("recipient client id", recipient, NULL)))
    return NULL;

  msg = message_alloc (type);
  if (!fast_take_payload (msg, &f[3]))
    return NULL;
  msg->recipient_client_id = g_steal_pointer (&recipient);
  msg->correlation_id = g_steal_pointer (&corr);

  GST_DEBUG ("client sent %s to %s (%" G_GSIZE_FORMAT " bytes)", action,
      msg->recipient_client_id ? msg->recipient_client_id : "the master", len);
  return g_steal_pointer (&msg);
}

static const gchar *
node_kind (JsonNode * node)
{
  switch (JSON_NODE_TYPE (node)) {
    case JSON_NODE_OBJECT:
      return "an object";
    case JSON_NODE_ARRAY:
      return "an array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node)) {
        case G_TYPE_STRING:
          return "a string";
        case G_TYPE_BOOLEAN:
          return "a boolean";
        default:
          return "a number";
      }
  }
  return "unknown";
}

/* Member @name of @obj, matched exactly first, then in any case
 * (AWS's C client sends "RecipientClientId"). */
static JsonNode *
member_ci (JsonObject * obj, const gchar * name)
{
  JsonObjectIter iter;
  const gchar *key;
  JsonNode *node;

  node = json_object_get_member (obj, name);
  if (node != NULL)
    return node;

  json_object_iter_init (&iter, obj);
  while (json_object_iter_next (&iter, &key, &node)) {
    if (g_ascii_strcasecmp (key, name) == 0)
      return node;
  }
  return NULL;
}

/* *@out is the string member @name, NULL when absent or null. FALSE with
 * MISSING_FIELD when the member has another type. */
static gboolean
get_string (JsonObject * obj, const gchar * where, const gchar * name,
    const gchar ** out, GError ** error)
{
  JsonNode *node = member_ci (obj, name);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING) {
    const gchar *value = json_node_get_string (node), *bad = NULL;

    /* What a parse hands out is UTF-8, or the frame is refused: json-glib
     * decodes a lone "\ud800" to invalid UTF-8 (the text check refuses such
     * escapes first; this is the last line). */
    if (!g_utf8_validate (value, -1, &bad)) {
      g_set_error (error, GST_KVS_VALIDATION_ERROR,
          strcmp (where, "payload") == 0 ?
          GST_KVS_VALIDATION_ERROR_PAYLOAD_ENCODING :
          GST_KVS_VALIDATION_ERROR_MALFORMED,
          "%s field %s is not valid UTF-8 (bad byte at offset %"
          G_GSIZE_FORMAT ")", where, name, (gsize) (bad - value));
      return FALSE;
    }
    *out = value;
    return TRUE;
  }

  g_set_error (error, GST_KVS_VALIDATION_ERROR,
      GST_KVS_VALIDATION_ERROR_MISSING_FIELD,
      "%s field %s must be a string, not %s", where, name, node_kind (node));
  return FALSE;
}

/* A parser whose root is an object, or NULL and @code. */
static JsonParser *
parse_object (const gchar * what, const gchar * data, gsize len,
    gsize max_len, GstKvsValidationError code, GError ** error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) json_error = NULL;
  JsonNode *root;

  if (!gst_kvs_json_check_object_text (what, data, len, max_len,
          GST_KVS_VALIDATION_ERROR, code, error))
    return NULL;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &json_error)) {
    /* json-glib quotes the offending token; a GError message is UTF-8. */
    g_autofree gchar *why = gst_kvs_json_error_text (json_error);

    g_set_error (error, GST_KVS_VALIDATION_ERROR, code,
        "%s is not valid JSON: %s", what, why);
    return NULL;
  }
  root = json_parser_get_root (parser);
  if (root == NULL) {
    g_set_error (error, GST_KVS_VALIDATION_ERROR, code,
        "%s is empty, a JSON object was expected", what);
    return NULL;
  }
  if (!JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error (error, GST_KVS_VALIDATION_ERROR, code,
        "%s is %s, a JSON object was expected", what, node_kind (root));
    return NULL;
  }
  return g_steal_pointer (&parser);
}

/* ---- constructors ---- */

GstKvsMessage *
gst_kvs_message_new (GstKvsMessageType type)
{
  return message_alloc (type);
}

GstKvsMessage *
gst_kvs_message_new_sdp (GstKvsMessageType type,
    const gchar * recipient_client_id, const gchar * sdp,
    const gchar * correlation_id)
{
  g_autoptr (JsonBuilder) builder = NULL;
  GstKvsMessage *msg;
  const gchar *sdp_type = sdp_type_name (type);
  GString *json;

  g_return_val_if_fail (sdp != NULL, NULL);

  /* Any type is accepted here; gst_kvs_message_to_client_frame() refuses
   * what is not an action. */
  if (sdp_type == NULL)
    GST_WARNING ("SDP message made with type %d, which is not SDP_OFFER or "
        "SDP_ANSWER", type);

  msg = message_alloc (type);
  msg->recipient_client_id = g_strdup (recipient_client_id);
  msg->correlation_id = g_strdup (correlation_id);
  msg->sdp = g_strdup (sdp);

  json = g_string_sized_new (strlen (sdp) + strlen (sdp) / 8 + 32);
  if (sdp_type != NULL) {
    g_string_append (json, "{\"type\":\"");
    g_string_append (json, sdp_type);
    g_string_append (json, "\",\"sdp\":");
  } else {
    g_string_append (json, "{\"sdp\":");
  }
  if (gst_kvs_json_append_string (json, sdp, -1)) {
    g_string_append_c (json, '}');
    set_checked_payload (msg, encode_json_text (json));
    return msg;
  }
  g_string_free (json, TRUE);

  /* not UTF-8: json-glib writes it */
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  if (sdp_type != NULL) {
    json_builder_set_member_name (builder, "type");
    json_builder_add_string_value (builder, sdp_type);
  }
  json_builder_set_member_name (builder, "sdp");
  json_builder_add_string_value (builder, sdp);
  json_builder_end_object (builder);
  set_checked_payload (msg, encode_payload (builder));

  return msg;
}

GstKvsMessage *
gst_kvs_message_new_ice_candidate (const gchar * recipient_client_id,
    const gchar * candidate, const gchar * sdp_mid, gint sdp_mline_index,
    const gchar * correlation_id)
{
  g_autoptr (JsonBuilder) builder = NULL;
  GstKvsMessage *msg;
  GString *json;

  g_return_val_if_fail (candidate != NULL, NULL);

  msg = message_alloc (GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE);
  msg->recipient_client_id = g_strdup (recipient_client_id);
  msg->correlation_id = g_strdup (correlation_id);
  msg->candidate = g_strdup (candidate);
  msg->sdp_mid = g_strdup (sdp_mid);
  msg->sdp_mline_index = sdp_mline_index >= 0 ? sdp_mline_index : -1;

  json = g_string_sized_new (strlen (candidate) + 64);
  g_string_append (json, "{\"candidate\":");
  if (gst_kvs_json_append_string (json, candidate, -1) &&
      (sdp_mid == NULL
          || gst_kvs_json_append_member (json, "sdpMid", sdp_mid))) {
    if (msg->sdp_mline_index >= 0)
      g_string_append_printf (json, ",\"sdpMLineIndex\":%d",
          msg->sdp_mline_index);
    g_string_append_c (json, '}');
    set_checked_payload (msg, encode_json_text (json));
    return msg;
  }
  g_string_free (json, TRUE);

  /* not UTF-8: json-glib writes it */
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "candidate");
  json_builder_add_string_value (builder, candidate);
  if (sdp_mid != NULL) {
    json_builder_set_member_name (builder, "sdpMid");
    json_builder_add_string_value (builder, sdp_mid);
  }
  if (msg->sdp_mline_index >= 0) {
    json_builder_set_member_name (builder, "sdpMLineIndex");
    json_builder_add_int_value (builder, msg->sdp_mline_index);
  }
  json_builder_end_object (builder);
  set_checked_payload (msg, encode_payload (builder));

  return msg;
}

GstKvsMessage *
gst_kvs_message_copy_with_correlation_id (const GstKvsMessage * msg,
    const gchar * correlation_id)
{
  GstKvsMessage *copy;

  g_return_val_if_fail (msg != NULL, NULL);

  copy = message_alloc (msg->type);
  copy->sender_client_id = g_strdup (msg->sender_client_id);
  copy->recipient_client_id = g_strdup (msg->recipient_client_id);
  copy->correlation_id = g_strdup (correlation_id);
  copy->payload = g_strdup (msg->payload);
  copy->sdp = g_strdup (msg->sdp);
  copy->candidate = g_strdup (msg->candidate);
  copy->sdp_mid = g_strdup (msg->sdp_mid);
  copy->sdp_mline_index = msg->sdp_mline_index;
  copy->error_type = g_strdup (msg->error_type);
  copy->status_code = msg->status_code;
  copy->description = g_strdup (msg->description);
  return copy;
}

/* ---- outgoing client frames ---- */

static gboolean
validate_action (GstKvsMessageType type, GError ** error)
{
  const gchar *name;

  if (is_action (type))
    return TRUE;

  name = gst_kvs_message_type_to_string (type);
  if (name != NULL)
    g_set_error (error, GST_KVS_VALIDATION_ERROR,
        GST_KVS_VALIDATION_ERROR_INVALID_ACTION,
        "action %s cannot be sent: it must be SDP_OFFER, SDP_ANSWER or "
        "ICE_CANDIDATE", name);
  else
    g_set_error (error, GST_KVS_VALIDATION_ERROR,
        GST_KVS_VALIDATION_ERROR_INVALID_ACTION,
        "message type %d is not an action: it must be SDP_OFFER, SDP_ANSWER "
        "or ICE_CANDIDATE", (gint) type);
  return FALSE;
}

/* TRUE when @msg's payload is base64 made or checked here, within
 * @max_payload (0: the default): gst_kvs_validate_payload() would pass. */
static gboolean
payload_checked (const GstKvsMessage * msg, gsize max_payload)
{
  const GstKvsMessageImpl *impl = (const GstKvsMessageImpl *) msg;

  if (max_payload == 0)
    max_payload = GST_KVS_DEFAULT_MAX_PAYLOAD;
  return msg->payload != NULL && msg->payload == impl->checked_payload &&
      *msg->payload != '\0' && strlen (msg->payload) <= max_payload;
}

gchar *
gst_kvs_message_to_client_frame (const GstKvsMessage * msg,
    GstKvsRole sender_role, gsize max_payload, GError ** error)
{
  g_autoptr (JsonBuilder) builder = NULL;
  const gchar *recipient = NULL;
  GString *frame;

  g_return_val_if_fail (msg != NULL, NULL);
  g_return_val_if_fail (sender_role == GST_KVS_ROLE_MASTER ||
      sender_role == GST_KVS_ROLE_VIEWER, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!validate_action (msg->type, error))
    return NULL;

  if (sender_role == GST_KVS_ROLE_MASTER) {
    recipient = msg->recipient_client_id;
    if (recipient == NULL || *recipient == '\0') {
      g_set_error (error, GST_KVS_VALIDATION_ERROR,
          GST_KVS_VALIDATION_ERROR_MISSING_RECIPIENT,
          "a %s sent by the master must name its recipient client id",
          gst_kvs_message_type_to_string (msg->type));
      return NULL;
    }
    if (!gst_kvs_validate_id ("recipient client id", recipient, error))
      return NULL;
  } else if (msg->recipient_client_id != NULL) {
    /* The service ignores a viewer's recipient; it is left out. */
    GST_LOG ("viewer message: recipient client id left out of the frame");
  }

  if (msg->correlation_id != NULL &&
      !gst_kvs_validate_id ("correlation id", msg->correlation_id, error))
    return NULL;

  if (!payload_checked (msg, max_payload) &&
      !gst_kvs_validate_payload (msg->payload, max_payload, error))
    return NULL;

  frame = g_string_sized_new (strlen (msg->payload) + 160);
  g_string_append (frame, "{\"action\":\"");
  g_string_append (frame, gst_kvs_message_type_to_string (msg->type));
  g_string_append_c (frame, '"');
  if ((recipient == NULL ||
          gst_kvs_json_append_member (frame, "recipientClientId", recipient)) &&
      gst_kvs_message_append_payload (frame, msg) &&
      (msg->correlation_id == NULL ||
          gst_kvs_json_append_member (frame, "correlationId",
              msg->correlation_id))) {
    g_string_append_c (frame, '}');
    return g_string_free (frame, FALSE);
  }
  g_string_free (frame, TRUE);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "action");
  json_builder_add_string_value (builder,
      gst_kvs_message_type_to_string (msg->type));
  if (recipient != NULL) {
    json_builder_set_member_name (builder, "recipientClientId");
    json_builder_add_string_value (builder, recipient);
  }
  json_builder_set_member_name (builder, "messagePayload");
  json_builder_add_string_value (builder, msg->payload);
  if (msg->correlation_id != NULL) {
    json_builder_set_member_name (builder, "correlationId");
    json_builder_add_string_value (builder, msg->correlation_id);
  }
  json_builder_end_object (builder);

  return gst_kvs_json_builder_to_text (builder, NULL);
}

/* ---- incoming frames ---- */

static gboolean
decode_sdp (GstKvsMessage * msg, JsonObject * obj, GError ** error)
{
  const gchar *type_name = NULL, *sdp = NULL;
  const gchar *expected = sdp_type_name (msg->type);

  if (!get_string (obj, "payload", "type", &type_name, error) ||
      !get_string (obj, "payload", "sdp", &sdp, error))
    return FALSE;

  if (sdp == NULL) {
    g_set_error (error, GST_KVS_VALIDATION_ERROR,
        GST_KVS_VALIDATION_ERROR_MISSING_FIELD,
        "%s payload has no sdp field", gst_kvs_message_type_to_string
        (msg->type));
    return FALSE;
  }
  if (type_name != NULL && g_ascii_strcasecmp (type_name, expected) != 0) {
    g_autofree gchar *quoted = gst_kvs_validation_quote_value (type_name, -1);

    g_set_error (error, GST_KVS_VALIDATION_ERROR,
        GST_KVS_VALIDATION_ERROR_PAYLOAD_ENCODING,
        "%s payload has type %s, expected '%s'",
        gst_kvs_message_type_to_string (msg->type), quoted, expected);
    return FALSE;
  }

  msg->sdp = g_strdup (sdp);
  return TRUE;
}

static gboolean
decode_ice (GstKvsMessage * msg, JsonObject * obj, GError ** error)
{
  const gchar *candidate = NULL, *mid = NULL;
  JsonNode *index_node;
  gint64 index = -1;

  if (!get_string (obj, "payload", "candidate", &candidate, error) ||
      !get_string (obj, "payload", "sdpMid", &mid, error))
    return FALSE;

  if (candidate == NULL) {
    g_set_error (error, GST_KVS_VALIDATION_ERROR,
        GST_KVS_VALIDATION_ERROR_MISSING_FIELD,
        "ICE_CANDIDATE payload has no candidate field");
    return FALSE;
  }

  index_node = member_ci (obj, "sdpMLineIndex");
  if (index_node != NULL && !JSON_NODE_HOLDS_NULL (index_node)) {
    if (JSON_NODE_HOLDS_VALUE (index_node) &&
        json_node_get_value_type (index_node) == G_TYPE_INT64) {
      index = json_node_get_int (index_node);
    } else if (JSON_NODE_HOLDS_VALUE (index_node) &&
        json_node_get_value_type (index_node) == G_TYPE_DOUBLE) {
      gdouble d = json_node_get_double (index_node);

      /* 0.0 is still an index; 0.5 or 1e300 is not. */
      index = (d >= 0 && d <= G_MAXINT && d == (gint64) d) ? (gint64) d : -2;
    } else {
      g_set_error (error, GST_KVS_VALIDATION_ERROR,
          GST_KVS_VALIDATION_ERROR_MISSING_FIELD,
          "ICE_CANDIDATE payload field sdpMLineIndex must be a number, "
          "not %s", node_kind (index_node));
      return FALSE;
    }
    if (index < 0 || index > G_MAXINT) {
      g_set_error (error, GST_KVS_VALIDATION_ERROR,
          GST_KVS_VALIDATION_ERROR_MISSING_FIELD,
          "ICE_CANDIDATE payload field sdpMLineIndex must be an integer "
          "from 0 to %d", G_MAXINT);
      return FALSE;
    }
  }

  if (mid == NULL && index < 0) {
    g_set_error (error, GST_KVS_VALIDATION_ERROR,
        GST_KVS_VALIDATION_ERROR_MISSING_FIELD,
        "ICE_CANDIDATE payload has neither sdpMid nor sdpMLineIndex");
    return FALSE;
  }

  msg->candidate = g_strdup (candidate);
  msg->sdp_mid = g_strdup (mid);
  msg->sdp_mline_index = (gint) index;
  return TRUE;
}

/* Decode the base64 JSON payload of an SDP or ICE message into @msg. */
static gboolean
decode_payload (GstKvsMessage * msg, const gchar * payload, GError ** error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autofree guchar *decoded = NULL;
  gsize decoded_len = 0;
  JsonObject *obj;

  if (!gst_kvs_validate_base64 ("message payload", payload, -1, error))
    return FALSE;

  decoded = g_base64_decode (payload, &decoded_len);
  parser = parse_object ("decoded message payload", (const gchar *) decoded,
      decoded_len, G_MAXSIZE, GST_KVS_VALIDATION_ERROR_PAYLOAD_ENCODING, error);
  if (parser == NULL)
    return FALSE;
  obj = json_node_get_object (json_parser_get_root (parser));

  if (is_sdp_type (msg->type))
    return decode_sdp (msg, obj, error);
  return decode_ice (msg, obj, error);
}

/* statusCode is a string ("400") from AWS, a number from some servers. */
static gboolean
parse_status_code (JsonNode * node, guint * status, GError ** error)
{
  *status = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (JSON_NODE_HOLDS_VALUE (node)) {
    GType type = json_node_get_value_type (node);

    if (type == G_TYPE_INT64) {
      gint64 v = json_node_get_int (node);

      if (v >= 0 && v <= 999) {
        *status = (guint) v;
        return TRUE;
      }
    } else if (type == G_TYPE_STRING) {
      guint64 v = 0;

      if (g_ascii_string_to_unsigned (json_node_get_string (node), 10, 0,
              999, &v, NULL)) {
        *status = (guint) v;
        return TRUE;
      }
    }
  }

  if (JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING) {
    g_autofree gchar *quoted =
        gst_kvs_validation_quote_value (json_node_get_string (node), -1);

    g_set_error (error, GST_KVS_VALIDATION_ERROR,
        GST_KVS_VALIDATION_ERROR_MISSING_FIELD,
        "statusResponse field statusCode %s is not a status code from 0 "
        "to 999", quoted);
  } else {
    g_set_error (error, GST_KVS_VALIDATION_ERROR,
        GST_KVS_VALIDATION_ERROR_MISSING_FIELD,
        "statusResponse field statusCode must be an integer from 0 to 999 "
        "or a string holding one, not %s", node_kind (node));
  }
  return FALSE;
}

static gboolean
parse_status_response (GstKvsMessage * msg, JsonObject * frame, GError ** error)
{
  JsonNode *node = member_ci (frame, "statusResponse");
  JsonObject *obj;
  const gchar *correlation_id, *error_type, *description;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node)) {
    g_set_error (error, GST_KVS_VALIDATION_ERROR,
        GST_KVS_VALIDATION_ERROR_MISSING_FIELD,
        "STATUS_RESPONSE frame has no statusResponse field");
    return FALSE;
  }
  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, GST_KVS_VALIDATION_ERROR,
        GST_KVS_VALIDATION_ERROR_MISSING_FIELD,
        "STATUS_RESPONSE frame field statusResponse must be an object, "
        "not %s", node_kind (node));
    return FALSE;
  }
  obj = json_node_get_object (node);

  if (!get_string (obj, "statusResponse", "correlationId", &correlation_id,
          error) ||
      !get_string (obj, "statusResponse", "errorType", &error_type, error) ||
      !get_string (obj, "statusResponse", "description", &description, error)
      || !parse_status_code (member_ci (obj, "statusCode"), &msg->status_code,
          error))
    return FALSE;

  msg->correlation_id = g_strdup (correlation_id);
  msg->error_type = g_strdup (error_type);
  msg->description = g_strdup (description);
  return TRUE;
}

static gsize
frame_length (const gchar * data, gsize len)
{
  return len == (gsize) - 1 ? strlen (data) : len;
}

GstKvsMessage *
gst_kvs_message_parse_service_frame (const gchar * data, gsize len,
    GError ** error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GstKvsMessage) msg = NULL;
  JsonObject *obj;
  const gchar *type_name = NULL, *sender = NULL, *payload = NULL;
  GstKvsMessageType type;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  ensure_debug_category ();

  if (data == NULL)
    data = "";
  len = frame_length (data, len);
  msg = fast_parse_service_frame (data, len);
  if (msg != NULL)
    return g_steal_pointer (&msg);
  parser = parse_object ("frame", data, len, MAX_FRAME_SIZE,
      GST_KVS_VALIDATION_ERROR_MALFORMED, error);
  if (parser == NULL)
    return NULL;
  obj = json_node_get_object (json_parser_get_root (parser));

  if (!get_string (obj, "frame", "messageType", &type_name, error))
    return NULL;
  type = gst_kvs_message_type_from_string (type_name);
  msg = message_alloc (type);

  if (type == GST_KVS_MESSAGE_TYPE_UNKNOWN) {
    g_autofree gchar *quoted = gst_kvs_validation_quote_value (type_name, -1);

    GST_DEBUG ("frame of %" G_GSIZE_FORMAT " bytes with %s messageType %s: "
        "unknown type", len, type_name ? "the" : "no",
        type_name ? quoted : "field");
    return g_steal_pointer (&msg);
  }

  if (!get_string (obj, "frame", "senderClientId", &sender, error))
    return NULL;
  msg->sender_client_id = g_strdup (sender);

  switch (type) {
    case GST_KVS_MESSAGE_TYPE_SDP_OFFER:
    case GST_KVS_MESSAGE_TYPE_SDP_ANSWER:
    case GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE:
      if (!get_string (obj, "frame", "messagePayload", &payload, error))
        return NULL;
      if (payload == NULL || *payload == '\0') {
        g_set_error (error, GST_KVS_VALIDATION_ERROR,
            GST_KVS_VALIDATION_ERROR_PAYLOAD_EMPTY,
            "%s frame has %s messagePayload", type_name,
            payload == NULL ? "no" : "an empty");
        return NULL;
      }
      if (!decode_payload (msg, payload, error))
        return NULL;
      set_checked_payload (msg, g_strdup (payload));
      break;
    case GST_KVS_MESSAGE_TYPE_STATUS_RESPONSE:
      if (!parse_status_response (msg, obj, error))
        return NULL;
      break;
    default:
      /* GO_AWAY, RECONNECT_ICE_SERVER: no payload. */
      break;
  }

  GST_DEBUG ("received %s from %s (%" G_GSIZE_FORMAT " bytes)", type_name,
      sender ? sender : "the master", len);
  return g_steal_pointer (&msg);
}

GstKvsMessage *
gst_kvs_message_parse_client_frame (const gchar * data, gsize len,
    gsize max_payload, gchar ** correlation_id, GError ** error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GstKvsMessage) msg = NULL;
  g_autoptr (GError) local_error = NULL;
  JsonObject *obj;
  JsonNode *action_node;
  const gchar *corr = NULL, *recipient = NULL, *payload = NULL;
  const gchar *action = NULL;
  GstKvsMessageType type;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  ensure_debug_category ();

  if (correlation_id != NULL)
    *correlation_id = NULL;
  if (max_payload == 0)
    max_payload = GST_KVS_DEFAULT_MAX_PAYLOAD;
  if (data == NULL)
    data = "";
  len = frame_length (data, len);

  msg = fast_parse_client_frame (data, len, max_payload);
  if (msg != NULL)
    return g_steal_pointer (&msg);
  parser = parse_object ("frame", data, len,
      MAX (MAX_FRAME_SIZE, max_payload + 64 * 1024),
      GST_KVS_VALIDATION_ERROR_MALFORMED, error);
  if (parser == NULL)
    return NULL;
  obj = json_node_get_object (json_parser_get_root (parser));

  /* The correlation id first, so that every later failure can be answered
   * with a STATUS_RESPONSE. Only a valid one is handed back. */
  if (!get_string (obj, "frame", "correlationId", &corr, error))
    return NULL;
  if (corr != NULL && !gst_kvs_validate_id ("correlation id", corr, error))
    return NULL;

  action_node = member_ci (obj, "action");
  if (action_node != NULL && JSON_NODE_HOLDS_VALUE (action_node) &&
      json_node_get_value_type (action_node) == G_TYPE_STRING)
    action = json_node_get_string (action_node);
  type = gst_kvs_message_type_from_string (action);
  if (!is_action (type)) {
    if (action != NULL) {
      g_autofree gchar *quoted = gst_kvs_validation_quote_value (action, -1);

      g_set_error (&local_error, GST_KVS_VALIDATION_ERROR,
          GST_KVS_VALIDATION_ERROR_INVALID_ACTION,
          "action %s is not SDP_OFFER, SDP_ANSWER or ICE_CANDIDATE", quoted);
    } else {
      g_set_error (&local_error, GST_KVS_VALIDATION_ERROR,
          GST_KVS_VALIDATION_ERROR_INVALID_ACTION,
          "frame has %s action: it must be the string SDP_OFFER, SDP_ANSWER "
          "or ICE_CANDIDATE", action_node ? "a non-string" : "no");
    }
    goto failed;
  }

  msg = message_alloc (type);
  if (!get_string (obj, "frame", "recipientClientId", &recipient, &local_error))
    goto failed;
  if (recipient != NULL &&
      !gst_kvs_validate_id ("recipient client id", recipient, &local_error))
    goto failed;

  if (!get_string (obj, "frame", "messagePayload", &payload, &local_error) ||
      !gst_kvs_validate_payload (payload, max_payload, &local_error) ||
      !decode_payload (msg, payload, &local_error))
    goto failed;

  msg->recipient_client_id = g_strdup (recipient);
  msg->correlation_id = g_strdup (corr);
  set_checked_payload (msg, g_strdup (payload));

  GST_DEBUG ("client sent %s to %s (%" G_GSIZE_FORMAT " bytes)", action,
      recipient ? recipient : "the master", len);
  return g_steal_pointer (&msg);

failed:
  GST_DEBUG ("refused client frame: %s", local_error->message);
  if (correlation_id != NULL)
    *correlation_id = g_strdup (corr);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}
