/* kvssignaling: verification of AWS Signature Version 4 (the service's
 * side). Not installed: a static library shared by the local service
 * (tools/kvs-signaling-server) and the library's tests.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <libsoup/soup.h>
#include "gstkvserror.h"
#include "gstkvssigv4.h"

G_BEGIN_DECLS

/* Server side. Returns the secret for @access_key_id, or NULL if unknown. */
typedef const gchar *(*GstKvsSigv4SecretLookup) (const gchar * access_key_id,
    gpointer user_data);

/* Verify header auth of a received request. Checks the Authorization header
 * form, the credential scope (@region, @service), that every signed header is
 * present, the 5-minute clock window, and the signature. Errors in
 * GST_KVS_ERROR (SIGNATURE, SIGNATURE_EXPIRED, NOT_AUTHORIZED for an unknown
 * key), worded as AWS words them; no secret ever appears in the text.
 * On success *@access_key_id (if non-NULL) gets the key id used. */
gboolean gst_kvs_sigv4_verify_headers (const gchar * method,
    const gchar * path, const gchar * query, SoupMessageHeaders * headers,
    GBytes * body, const gchar * region, const gchar * service,
    GstKvsSigv4SecretLookup lookup, gpointer user_data, GDateTime * now,
    gchar ** access_key_id, GError ** error);

/* Verify query auth (a presigned URL). Parameters are re-sorted and
 * X-Amz-Signature excluded whatever their order on the wire; X-Amz-Expires
 * 1..604800; the request must be within [X-Amz-Date - 5 min,
 * X-Amz-Date + expires]. @host is the Host header as received. */
gboolean gst_kvs_sigv4_verify_presigned (const gchar * method,
    const gchar * path, const gchar * query, const gchar * host,
    const gchar * region, const gchar * service,
    GstKvsSigv4SecretLookup lookup, gpointer user_data, GDateTime * now,
    gchar ** access_key_id, GError ** error);

G_END_DECLS
