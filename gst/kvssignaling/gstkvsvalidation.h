/* kvssignaling: the service's validation rules, shared by the client and the
 * local service.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "gstkvstypes.h"
#include "gstkvserror.h"

G_BEGIN_DECLS

#define GST_KVS_ID_MAX_LENGTH 256
#define GST_KVS_CHANNEL_NAME_MAX_LENGTH 256
/* Documented limit of messagePayload, in base64 characters. */
#define GST_KVS_DEFAULT_MAX_PAYLOAD 10000

/* 1..256 of [a-zA-Z0-9_.-]. @what names the value in the error text
 * ("client id", "correlation id", "recipient client id"). */
gboolean gst_kvs_validate_id (const gchar * what, const gchar * value,
    GError ** error);

/* A viewer's own client id: gst_kvs_validate_id() plus "not AWS_". */
gboolean gst_kvs_validate_viewer_client_id (const gchar * value,
    GError ** error);

/* 1..256 of [a-zA-Z0-9_.-]. */
gboolean gst_kvs_validate_channel_name (const gchar * value, GError ** error);

/* Length 1..@max_payload (0 = GST_KVS_DEFAULT_MAX_PAYLOAD) of base64. */
gboolean gst_kvs_validate_payload (const gchar * base64_payload,
    gsize max_payload, GError ** error);

/* Ids are case-sensitive: "aws_1" is a valid viewer client id, "AWS_1" is
 * not. gst_kvs_validate_payload() checks the length and the base64 alphabet
 * (PAYLOAD_ENCODING), not the padding; gst_kvs_validate_base64() is the
 * strict check done before decoding: length a multiple of 4, alphabet
 * [A-Za-z0-9+/], at most two '=' and only at the end. @len may be
 * (gsize) -1 for a NUL-terminated @value. @what names the value. */
gboolean gst_kvs_validate_base64 (const gchar * what, const gchar * value,
    gsize len, GError ** error);

/* For error messages: @value single-quoted, at most 64 bytes of it, escaped
 * to printable ASCII, "..." appended when cut. @len may be (gsize) -1. */
gchar *gst_kvs_validation_quote_value (const gchar * value, gsize len);

G_END_DECLS
