/* kvssignaling: the canonical request of AWS Signature Version 4 and the
 * helpers that signing and verification share.
 * Internal (not installed): linked into the library and, with the
 * verification (gstkvssigv4verify.c), into the local service.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "gstkvssigv4.h"

G_BEGIN_DECLS

#define GST_KVS_SIGV4_TERMINATOR "aws4_request"
/* The longest validity of a presigned URL (7 days), in seconds. */
#define GST_KVS_SIGV4_MAX_EXPIRES 604800

/* One query parameter. */
typedef struct
{
  gchar *name;                  /* decoded (for lookups) */
  gchar *value;                 /* decoded */
  gchar *enc_name;              /* canonical encoding */
  gchar *enc_value;
} GstKvsSigv4Param;

/* A value from a request (or the caller) for an error message: quoted,
 * cut, printable ASCII. Request bytes are never put in a GError raw: they
 * need not be UTF-8. */
G_GNUC_INTERNAL
gchar *gst_kvs_sigv4_quote (const gchar * value);

/* Lower-case hex SHA-256 of @data (@len bytes; NULL: empty). */
G_GNUC_INTERNAL
gchar *gst_kvs_sigv4_sha256_hex (const guint8 * data, gsize len);

/* Hex SHA-256 of @body (NULL: empty). */
G_GNUC_INTERNAL
gchar *gst_kvs_sigv4_payload_hash (GBytes * body);

/* Zeroes @len bytes at @mem (secrets, signing keys) where the compiler
 * cannot leave it out. */
G_GNUC_INTERNAL
void gst_kvs_sigv4_secure_clear (gpointer mem, gsize len);

/* @now in UTC, or the current time when NULL (a new reference). */
G_GNUC_INTERNAL
GDateTime *gst_kvs_sigv4_now_utc (GDateTime * now);

/* A parameter from its decoded @name and @value. */
G_GNUC_INTERNAL
GstKvsSigv4Param *gst_kvs_sigv4_param_new (const gchar * name,
    const gchar * value);

/* Split a raw query string ("a=1&b=%2F&c") into parameters (a parameter
 * without '=' has the empty value); NULL gives none. The array frees them. */
G_GNUC_INTERNAL
GPtrArray *gst_kvs_sigv4_parse_query (const gchar * query);

/* The canonical query string of @params, sorted by encoded name then value,
 * leaving out the parameter named @skip (NULL: none). */
G_GNUC_INTERNAL
gchar *gst_kvs_sigv4_canonical_query (GPtrArray * params,
    const gchar * skip);

/* The canonical request from its canonical query string @canon_query; see
 * gst_kvs_sigv4_canonical_request(). */
G_GNUC_INTERNAL
gchar *gst_kvs_sigv4_build_canonical_request (const gchar * method,
    const gchar * path, const gchar * canon_query,
    const GstKvsHeader * headers, guint n_headers,
    const gchar * payload_hash, gchar ** signed_headers);

G_END_DECLS
