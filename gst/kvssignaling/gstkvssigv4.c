/* kvssignaling: AWS Signature Version 4, header signing and query
 * presigning. (Verification, which only a service needs, is in
 * gstkvssigv4verify.c, outside the installed library.)
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gst/gst.h>

#include "gstkvshost.h"
#include "gstkvssigv4.h"
#include "gstkvssigv4canonical.h"
#include "gstkvsvalidation.h"

GST_DEBUG_CATEGORY_STATIC (gst_kvs_sigv4_debug);
#define GST_CAT_DEFAULT gst_kvs_sigv4_debug

static void
ensure_debug (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (gst_kvs_sigv4_debug, "kvssigv4", 0,
        "KVS AWS Signature Version 4");
    g_once_init_leave (&once, 1);
  }
}

/* ---------------------------------------------------------------------- */
/* Small helpers                                                           */

/* HMAC-SHA256 of @data with @key into @out (32 bytes). */
static void
hmac_sha256 (const guint8 * key, gsize key_len, const gchar * data,
    guint8 out[32])
{
  GHmac *hmac = g_hmac_new (G_CHECKSUM_SHA256, key, key_len);
  gsize out_len = 32;

  g_hmac_update (hmac, (const guchar *) data, strlen (data));
  g_hmac_get_digest (hmac, out, &out_len);
  g_hmac_unref (hmac);
}

static gboolean
valid_scope_part (const gchar * s)
{
  return s != NULL && *s != '\0' && strchr (s, '/') == NULL;
}

/* ---------------------------------------------------------------------- */
/* Public: the pieces                                                      */

gchar *
gst_kvs_sigv4_canonical_request (const gchar * method, const gchar * path,
    const gchar * query, const GstKvsHeader * headers, guint n_headers,
    const gchar * payload_hash, gchar ** signed_headers)
{
  g_autoptr (GPtrArray) params = NULL;
  g_autofree gchar *canon_query = NULL;

  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (headers != NULL || n_headers == 0, NULL);
  ensure_debug ();

  params = gst_kvs_sigv4_parse_query (query);
  canon_query = gst_kvs_sigv4_canonical_query (params, NULL);
  return gst_kvs_sigv4_build_canonical_request (method, path, canon_query,
      headers, n_headers, payload_hash, signed_headers);
}

gchar *
gst_kvs_sigv4_string_to_sign (const gchar * amz_date, const gchar * region,
    const gchar * service, const gchar * canonical_request)
{
  g_autofree gchar *hash = NULL;

  g_return_val_if_fail (amz_date != NULL && strlen (amz_date) >= 8, NULL);
  g_return_val_if_fail (region != NULL && service != NULL, NULL);
  g_return_val_if_fail (canonical_request != NULL, NULL);

  hash = gst_kvs_sigv4_sha256_hex ((const guint8 *) canonical_request,
      strlen (canonical_request));
  return g_strdup_printf ("%s\n%s\n%.8s/%s/%s/" GST_KVS_SIGV4_TERMINATOR "\n%s",
      GST_KVS_SIGV4_ALGORITHM, amz_date, amz_date, region, service, hash);
}

gchar *
gst_kvs_sigv4_signature (const gchar * secret_access_key,
    const gchar * amz_date, const gchar * region, const gchar * service,
    const gchar * string_to_sign)
{
  g_autofree gchar *k_secret = NULL;
  gchar date[9];
  guint8 k[32], k2[32];
  gchar *hex;
  guint i;

  g_return_val_if_fail (secret_access_key != NULL, NULL);
  g_return_val_if_fail (amz_date != NULL && strlen (amz_date) >= 8, NULL);
  g_return_val_if_fail (region != NULL && service != NULL, NULL);
  g_return_val_if_fail (string_to_sign != NULL, NULL);

  memcpy (date, amz_date, 8);
  date[8] = '\0';
  k_secret = g_strconcat ("AWS4", secret_access_key, NULL);

  hmac_sha256 ((const guint8 *) k_secret, strlen (k_secret), date, k);
  hmac_sha256 (k, 32, region, k2);
  hmac_sha256 (k2, 32, service, k);
  hmac_sha256 (k, 32, GST_KVS_SIGV4_TERMINATOR, k2);
  hmac_sha256 (k2, 32, string_to_sign, k);

  hex = g_malloc (65);
  for (i = 0; i < 32; i++) {
    static const gchar digits[] = "0123456789abcdef";

    hex[2 * i] = digits[k[i] >> 4];
    hex[2 * i + 1] = digits[k[i] & 0xf];
  }
  hex[64] = '\0';

  gst_kvs_sigv4_secure_clear (k_secret, strlen (k_secret));
  gst_kvs_sigv4_secure_clear (k, sizeof (k));
  gst_kvs_sigv4_secure_clear (k2, sizeof (k2));
  return hex;
}

gchar *
gst_kvs_sigv4_authorization (const gchar * access_key_id,
    const gchar * amz_date, const gchar * region, const gchar * service,
    const gchar * signed_headers, const gchar * signature)
{
  g_return_val_if_fail (access_key_id != NULL, NULL);
  g_return_val_if_fail (amz_date != NULL && strlen (amz_date) >= 8, NULL);
  g_return_val_if_fail (region != NULL && service != NULL, NULL);
  g_return_val_if_fail (signed_headers != NULL && signature != NULL, NULL);

  return g_strdup_printf (GST_KVS_SIGV4_ALGORITHM
      " Credential=%s/%.8s/%s/%s/" GST_KVS_SIGV4_TERMINATOR
      ", SignedHeaders=%s, " "Signature=%s", access_key_id, amz_date, region,
      service, signed_headers, signature);
}

gchar *
gst_kvs_sigv4_format_date (GDateTime * now)
{
  g_autoptr (GDateTime) utc = NULL;

  g_return_val_if_fail (now != NULL, NULL);
  utc = g_date_time_to_utc (now);
  return g_date_time_format (utc, "%Y%m%dT%H%M%SZ");
}

/* ---------------------------------------------------------------------- */
/* Signing                                                                 */

static gboolean
check_signing_args (GstKvsCredentials * creds, const gchar * region,
    const gchar * service, GError ** error)
{
  if (creds == NULL || creds->access_key_id == NULL
      || *creds->access_key_id == '\0' || creds->secret_access_key == NULL
      || *creds->secret_access_key == '\0') {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_NO_CREDENTIALS,
        "cannot sign: no access key id and secret access key");
    return FALSE;
  }
  if (!valid_scope_part (region)) {
    g_autofree gchar *quoted = gst_kvs_sigv4_quote (region ? region : "");

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "cannot sign: the region %s is empty or contains '/'", quoted);
    return FALSE;
  }
  if (!valid_scope_part (service)) {
    g_autofree gchar *quoted = gst_kvs_sigv4_quote (service ? service : "");

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "cannot sign: the service %s is empty or contains '/'", quoted);
    return FALSE;
  }
  return TRUE;
}

/* The Host header for @uri: host, plus ":port" when it is not the
 * scheme's default; IPv6 literals in brackets. */
static gchar *
host_header_for (GUri * uri)
{
  const gchar *scheme = g_uri_get_scheme (uri);
  const gchar *host = g_uri_get_host (uri);
  gint port = g_uri_get_port (uri);
  gint default_port = -1;
  gboolean ipv6 = strchr (host, ':') != NULL;

  if (g_ascii_strcasecmp (scheme, "https") == 0
      || g_ascii_strcasecmp (scheme, "wss") == 0)
    default_port = 443;
  else if (g_ascii_strcasecmp (scheme, "http") == 0
      || g_ascii_strcasecmp (scheme, "ws") == 0)
    default_port = 80;

  if (port > 0 && port != default_port)
    return g_strdup_printf (ipv6 ? "[%s]:%d" : "%s:%d", host, port);
  return g_strdup_printf (ipv6 ? "[%s]" : "%s", host);
}

static gboolean
header_is_signed_by_us (const gchar * name)
{
  return g_ascii_strcasecmp (name, "host") == 0
      || g_ascii_strcasecmp (name, "content-type") == 0
      || (g_ascii_strncasecmp (name, "x-amz-", 6) == 0);
}

gboolean
gst_kvs_sigv4_sign_message (SoupMessage * msg, GBytes * body,
    GstKvsCredentials * creds, const gchar * region, const gchar * service,
    GDateTime * now, GError ** error)
{
  g_autoptr (GDateTime) t = NULL;
  g_autoptr (GArray) hdrs = NULL;
  g_autofree gchar *amz_date = NULL;
  g_autofree gchar *host = NULL;
  g_autofree gchar *payload_hash = NULL;
  g_autofree gchar *signed_headers = NULL;
  g_autofree gchar *creq = NULL;
  g_autofree gchar *sts = NULL;
  g_autofree gchar *signature = NULL;
  g_autofree gchar *authz = NULL;
  SoupMessageHeaders *req_headers;
  SoupMessageHeadersIter iter;
  const gchar *name, *value;
  GUri *uri;

  g_return_val_if_fail (SOUP_IS_MESSAGE (msg), FALSE);
  ensure_debug ();

  if (!check_signing_args (creds, region, service, error))
    return FALSE;

  uri = soup_message_get_uri (msg);
  if (uri == NULL || g_uri_get_host (uri) == NULL
      || *g_uri_get_host (uri) == '\0') {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "cannot sign a request without a host");
    return FALSE;
  }
  /* The host and the credentials go into headers: a line break there would
   * be refused by libsoup (a critical), a host GUri took with other bytes
   * would not be the one the server sees. */
  if (!gst_kvs_host_is_valid (g_uri_get_host (uri), -1, FALSE)) {
    g_autofree gchar *quoted = gst_kvs_sigv4_quote (g_uri_get_host (uri));

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "cannot sign a request to the host %s: not a host name, an IPv4 or "
        "an IPv6 address", quoted);
    return FALSE;
  }
  if (strpbrk (creds->access_key_id, "\r\n") != NULL
      || (creds->session_token && strpbrk (creds->session_token, "\r\n"))) {
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "cannot sign: the access key id or the session token contains a "
        "line break, which no HTTP header can carry");
    return FALSE;
  }

  t = gst_kvs_sigv4_now_utc (now);
  amz_date = gst_kvs_sigv4_format_date (t);
  host = host_header_for (uri);
  payload_hash = gst_kvs_sigv4_payload_hash (body);

  req_headers = soup_message_get_request_headers (msg);
  soup_message_headers_remove (req_headers, "Authorization");
  soup_message_headers_replace (req_headers, "Host", host);
  soup_message_headers_replace (req_headers, "X-Amz-Date", amz_date);
  if (creds->session_token && *creds->session_token)
    soup_message_headers_replace (req_headers, "X-Amz-Security-Token",
        creds->session_token);
  else
    soup_message_headers_remove (req_headers, "X-Amz-Security-Token");

  /* Sign host, content-type and every x-amz-* header: the headers libsoup
   * adds or rewrites on the way out (Content-Length, Accept-Encoding,
   * Connection, User-Agent) stay out of the signature. */
  hdrs = g_array_new (FALSE, FALSE, sizeof (GstKvsHeader));
  soup_message_headers_iter_init (&iter, req_headers);
  while (soup_message_headers_iter_next (&iter, &name, &value)) {
    GstKvsHeader h = { name, value };

    if (header_is_signed_by_us (name))
      g_array_append_val (hdrs, h);
  }

  {
    g_autoptr (GPtrArray) params =
        gst_kvs_sigv4_parse_query (g_uri_get_query (uri));
    g_autofree gchar *canon_query =
        gst_kvs_sigv4_canonical_query (params, NULL);

    creq = gst_kvs_sigv4_build_canonical_request (soup_message_get_method (msg),
        g_uri_get_path (uri), canon_query, (GstKvsHeader *) hdrs->data,
        hdrs->len, payload_hash, &signed_headers);
  }
  sts = gst_kvs_sigv4_string_to_sign (amz_date, region, service, creq);
  signature = gst_kvs_sigv4_signature (creds->secret_access_key, amz_date,
      region, service, sts);

  authz = gst_kvs_sigv4_authorization (creds->access_key_id, amz_date,
      region, service, signed_headers, signature);
  soup_message_headers_replace (req_headers, "Authorization", authz);

  GST_DEBUG ("signed %s %s for %s/%s with key %s (%s), headers %s",
      soup_message_get_method (msg), g_uri_get_path (uri), region, service,
      creds->access_key_id, creds->source ? creds->source : "?",
      signed_headers);
  gst_kvs_sigv4_secure_clear (authz, strlen (authz));
  return TRUE;
}

static gboolean
is_auth_param (const gchar * name)
{
  static const gchar *const names[] = {
    "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
    "X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (names); i++) {
    if (strcmp (name, names[i]) == 0)
      return TRUE;
  }
  return FALSE;
}

/* The presigned URL is written from the parsed host, and the Host its
 * receiver verifies against is what it parses back: both must be the bytes
 * signed. GUri decodes %-escapes in a host ("%3A" would come back as a port
 * separator, "%2F" as a path), and a userinfo means nothing to a presigned
 * URL (its '@'s split differently once written back): such URLs are
 * refused. The URL itself is not quoted: it may carry an older token. */
static gboolean
check_presign_authority (const gchar * url, GUri * uri, GError ** error)
{
  const gchar *host = g_uri_get_host (uri);
  const gchar *authority = strstr (url, "://");
  gsize len = 0;

  if (authority != NULL) {
    authority += 3;
    len = strcspn (authority, "/?#");
  }
  if (g_uri_get_userinfo (uri) != NULL
      || (authority && memchr (authority, '@', len) != NULL)) {
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "cannot presign a URL with user information ('user@' before the "
        "host): a presigned URL is authenticated by its signature only");
    return FALSE;
  }
  if (authority && memchr (authority, '%', len) != NULL) {
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "cannot presign a URL whose host or port has %-escapes: the host "
        "must be written as it is signed");
    return FALSE;
  }
  if (!gst_kvs_host_is_valid (host, -1, FALSE)) {
    g_autofree gchar *quoted = gst_kvs_sigv4_quote (host);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "cannot presign a URL to the host %s: not a host name, an IPv4 or "
        "an IPv6 address", quoted);
    return FALSE;
  }
  return TRUE;
}

gchar *
gst_kvs_sigv4_presign_url (const gchar * url, GstKvsCredentials * creds,
    const gchar * region, const gchar * service, guint expires,
    GDateTime * now, GError ** error)
{
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GDateTime) t = NULL;
  g_autoptr (GPtrArray) params = NULL;
  g_autoptr (GError) parse_error = NULL;
  g_autofree gchar *amz_date = NULL;
  g_autofree gchar *host = NULL;
  g_autofree gchar *credential = NULL;
  g_autofree gchar *expires_str = NULL;
  g_autofree gchar *canon_query = NULL;
  g_autofree gchar *creq = NULL;
  g_autofree gchar *sts = NULL;
  g_autofree gchar *signature = NULL;
  GstKvsHeader host_header;
  const gchar *scheme, *path;
  gchar *result;
  guint i;

  g_return_val_if_fail (url != NULL, NULL);
  ensure_debug ();

  if (!check_signing_args (creds, region, service, error))
    return NULL;
  if (expires < 1 || expires > GST_KVS_SIGV4_MAX_EXPIRES) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "X-Amz-Expires must be between 1 and %d seconds, not %u",
        GST_KVS_SIGV4_MAX_EXPIRES, expires);
    return NULL;
  }

  /* The URL is not echoed: it may carry an older token. */
  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, &parse_error);
  if (uri == NULL) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "cannot presign: the URL is not valid");
    return NULL;
  }
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "wss") != 0
      && g_ascii_strcasecmp (scheme, "ws") != 0
      && g_ascii_strcasecmp (scheme, "https") != 0
      && g_ascii_strcasecmp (scheme, "http") != 0) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "cannot presign a '%s' URL: only ws, wss, http and https", scheme);
    return NULL;
  }
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0') {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "cannot presign a URL without a host");
    return NULL;
  }
  if (!check_presign_authority (url, uri, error))
    return NULL;

  t = gst_kvs_sigv4_now_utc (now);
  amz_date = gst_kvs_sigv4_format_date (t);
  host = host_header_for (uri);
  credential = g_strdup_printf ("%s/%.8s/%s/%s/" GST_KVS_SIGV4_TERMINATOR,
      creds->access_key_id, amz_date, region, service);
  expires_str = g_strdup_printf ("%u", expires);

  /* Keep the caller's parameters (X-Amz-ChannelARN, X-Amz-ClientId, ...);
   * drop any authentication left over from an earlier presign. */
  params = gst_kvs_sigv4_parse_query (g_uri_get_query (uri));
  for (i = params->len; i > 0; i--) {
    GstKvsSigv4Param *p = g_ptr_array_index (params, i - 1);

    if (is_auth_param (p->name)) {
      GST_DEBUG ("dropping an earlier %s from the URL", p->name);
      g_ptr_array_remove_index (params, i - 1);
    }
  }
  g_ptr_array_add (params, gst_kvs_sigv4_param_new ("X-Amz-Algorithm",
          GST_KVS_SIGV4_ALGORITHM));
  g_ptr_array_add (params, gst_kvs_sigv4_param_new ("X-Amz-Credential",
          credential));
  g_ptr_array_add (params, gst_kvs_sigv4_param_new ("X-Amz-Date", amz_date));
  g_ptr_array_add (params, gst_kvs_sigv4_param_new ("X-Amz-Expires",
          expires_str));
  g_ptr_array_add (params, gst_kvs_sigv4_param_new ("X-Amz-SignedHeaders",
          "host"));
  if (creds->session_token && *creds->session_token)
    g_ptr_array_add (params, gst_kvs_sigv4_param_new ("X-Amz-Security-Token",
            creds->session_token));
  canon_query = gst_kvs_sigv4_canonical_query (params, NULL);

  path = g_uri_get_path (uri);
  host_header.name = "host";
  host_header.value = host;
  creq =
      gst_kvs_sigv4_build_canonical_request ("GET", path, canon_query,
      &host_header, 1, GST_KVS_SIGV4_EMPTY_PAYLOAD_HASH, NULL);
  sts = gst_kvs_sigv4_string_to_sign (amz_date, region, service, creq);
  signature = gst_kvs_sigv4_signature (creds->secret_access_key, amz_date,
      region, service, sts);

  result = g_strdup_printf ("%s://%s%s?%s&X-Amz-Signature=%s",
      scheme, host, (path && *path) ? path : "/", canon_query, signature);

  GST_DEBUG ("presigned a %s URL to %s for %s/%s, key %s (%s), expires in "
      "%u s", scheme, host, region, service, creds->access_key_id,
      creds->source ? creds->source : "?", expires);
  gst_kvs_sigv4_secure_clear (canon_query, strlen (canon_query));
  gst_kvs_sigv4_secure_clear (creq, strlen (creq));
  return result;
}
