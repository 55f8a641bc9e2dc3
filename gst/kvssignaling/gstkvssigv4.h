/* kvssignaling: AWS Signature Version 4, header signing and query
 * presigning (verification: gstkvssigv4verify.h, not installed).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <libsoup/soup.h>
#include "gstkvscredentials.h"
#include "gstkvserror.h"

G_BEGIN_DECLS

#define GST_KVS_SIGV4_SERVICE "kinesisvideo"
#define GST_KVS_SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
/* SHA-256 of the empty string. */
#define GST_KVS_SIGV4_EMPTY_PAYLOAD_HASH \
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* One request header as it was sent, duplicates allowed, in order. */
typedef struct {
  const gchar *name;
  const gchar *value;
} GstKvsHeader;

/* The canonical request (AWS's creq). @path is the raw request path (it is
 * normalised and encoded as SigV4 says); @query the raw query string without
 * '?', or NULL. *@signed_headers receives "host;x-amz-date". */
gchar *gst_kvs_sigv4_canonical_request (const gchar * method,
    const gchar * path, const gchar * query, const GstKvsHeader * headers,
    guint n_headers, const gchar * payload_hash, gchar ** signed_headers);

/* The string to sign. @amz_date is "YYYYMMDDTHHMMSSZ". */
gchar *gst_kvs_sigv4_string_to_sign (const gchar * amz_date,
    const gchar * region, const gchar * service,
    const gchar * canonical_request);

/* Hex HMAC signature of @string_to_sign with the derived key. */
gchar *gst_kvs_sigv4_signature (const gchar * secret_access_key,
    const gchar * amz_date, const gchar * region, const gchar * service,
    const gchar * string_to_sign);

/* The Authorization header value: "AWS4-HMAC-SHA256 Credential=<key id>/
 * <YYYYMMDD>/<region>/<service>/aws4_request, SignedHeaders=<list>,
 * Signature=<hex>". */
gchar *gst_kvs_sigv4_authorization (const gchar * access_key_id,
    const gchar * amz_date, const gchar * region, const gchar * service,
    const gchar * signed_headers, const gchar * signature);

/* "YYYYMMDDTHHMMSSZ" for @now (UTC). */
gchar *gst_kvs_sigv4_format_date (GDateTime * now);

/* Sign @msg in place with header auth: sets host, x-amz-date,
 * x-amz-security-token (when the credentials have one), authorization.
 * Signed: host, content-type (if the caller set it) and every x-amz-*
 * header; headers libsoup adds later (Content-Length, ...) are not.
 * @body is what will be sent (NULL = empty). @now NULL = the current time. */
gboolean gst_kvs_sigv4_sign_message (SoupMessage * msg, GBytes * body,
    GstKvsCredentials * creds, const gchar * region, const gchar * service,
    GDateTime * now, GError ** error);

/* Presign @url (ws://, wss://, http:// or https://) for GET with query auth:
 * adds X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
 * X-Amz-SignedHeaders=host, X-Amz-Security-Token (signed, when present) and
 * appends X-Amz-Signature. @expires 1..604800. A URL with user information
 * ("user@host"), %-escapes in its host or port, or a host that is not a
 * host name, an IPv4 or an IPv6 address is refused (INVALID_ARGUMENT): the
 * host written back must be the one signed. */
gchar *gst_kvs_sigv4_presign_url (const gchar * url,
    GstKvsCredentials * creds, const gchar * region, const gchar * service,
    guint expires, GDateTime * now, GError ** error);

G_END_DECLS
