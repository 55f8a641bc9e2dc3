/* kvssignaling: AWS Signature Version 4, header signing, query presigning
 * and verification.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gst/gst.h>

#include "gstkvshost.h"
#include "gstkvssigv4.h"
#include "gstkvsvalidation.h"

GST_DEBUG_CATEGORY_STATIC (gst_kvs_sigv4_debug);
#define GST_CAT_DEFAULT gst_kvs_sigv4_debug

/* The clock window AWS allows between the request date and its own clock. */
#define CLOCK_WINDOW_SECONDS (5 * 60)
#define MAX_EXPIRES 604800
#define TERMINATOR "aws4_request"

#define MSG_MISSING_AUTH "Missing Authentication Token"
#define MSG_SIGNATURE_MISMATCH \
  "The request signature we calculated does not match the signature you " \
  "provided. Check your AWS Secret Access Key and signing method."
#define MSG_UNKNOWN_KEY "The security token included in the request is invalid."

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

/* A value from the request (or the caller) for an error message: quoted,
 * cut, printable ASCII. Request bytes are never put in a GError raw: they
 * need not be UTF-8. */
static gchar *
quote (const gchar * value)
{
  return gst_kvs_validation_quote_value (value, -1);
}

static gchar *
sha256_hex (const guint8 * data, gsize len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256,
      data ? data : (const guint8 *) "", len);
}

static gchar *
payload_hash_of (GBytes * body)
{
  gsize len = 0;
  const guint8 *data = NULL;

  if (body)
    data = g_bytes_get_data (body, &len);
  return sha256_hex (data, len);
}

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

static void
secure_clear (gpointer mem, gsize len)
{
  volatile guint8 *p = mem;

  while (len--)
    *p++ = 0;
}

/* Equality of two strings in a time that does not depend on where they
 * first differ. The lengths are not secret (hex signatures are 64 chars). */
static gboolean
constant_time_equal (const gchar * a, const gchar * b)
{
  gsize la = strlen (a), lb = strlen (b), i;
  guint8 diff = 0;

  if (la != lb)
    return FALSE;
  for (i = 0; i < la; i++)
    diff |= (guint8) a[i] ^ (guint8) b[i];
  return diff == 0;
}

/* RFC 3986 encoding with SigV4's unreserved set (ALPHA DIGIT - . _ ~):
 * g_uri_escape_bytes() with no reserved characters allowed keeps exactly
 * that set and writes upper-case hex digits. */
static gchar *
uri_encode (const guint8 * data, gsize len)
{
  return g_uri_escape_bytes (data, len, NULL);
}

/* Decode @s (percent-escapes only; '+' stays '+') and re-encode it in
 * SigV4's canonical form. Invalid escapes are encoded as they stand. */
static gchar *
canonical_component (const gchar * s, gssize len)
{
  g_autoptr (GBytes) decoded = g_uri_unescape_bytes (s, len, NULL, NULL);
  gsize dlen;
  const guint8 *d;

  if (decoded == NULL) {
    if (len < 0)
      len = strlen (s);
    return uri_encode ((const guint8 *) s, len);
  }
  d = g_bytes_get_data (decoded, &dlen);
  return uri_encode (d, dlen);
}

static gchar *
decode_component (const gchar * s, gssize len)
{
  gchar *r = g_uri_unescape_segment (s, len < 0 ? NULL : s + len, NULL);

  if (r == NULL)
    r = len < 0 ? g_strdup (s) : g_strndup (s, len);
  return r;
}

/* "YYYYMMDDTHHMMSSZ" → GDateTime in UTC, NULL if malformed. */
static GDateTime *
parse_amz_date (const gchar * s)
{
  guint i;
  gint y, mo, d, h, mi, se;

  if (s == NULL || strlen (s) != 16 || s[8] != 'T' || s[15] != 'Z')
    return NULL;
  for (i = 0; i < 15; i++) {
    if (i != 8 && !g_ascii_isdigit (s[i]))
      return NULL;
  }
#define DIG(p) (s[p] - '0')
  y = DIG (0) * 1000 + DIG (1) * 100 + DIG (2) * 10 + DIG (3);
  mo = DIG (4) * 10 + DIG (5);
  d = DIG (6) * 10 + DIG (7);
  h = DIG (9) * 10 + DIG (10);
  mi = DIG (11) * 10 + DIG (12);
  se = DIG (13) * 10 + DIG (14);
#undef DIG
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
    return NULL;
  return g_date_time_new_utc (y, mo, d, h, mi, se);
}

static GDateTime *
now_or_current (GDateTime * now)
{
  return now ? g_date_time_to_utc (now) : g_date_time_new_now_utc ();
}

static gchar *
format_unix (gint64 t)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t);

  return dt ? gst_kvs_sigv4_format_date (dt) : g_strdup ("(out of range)");
}

static gboolean
valid_scope_part (const gchar * s)
{
  return s != NULL && *s != '\0' && strchr (s, '/') == NULL;
}

/* ---------------------------------------------------------------------- */
/* Canonical URI                                                           */

/* Normalise @path (remove "." and ".." segments, collapse duplicate
 * slashes, keep a trailing slash) and encode each segment as it stands:
 * a segment already percent-encoded on the wire is encoded again, as
 * SigV4 requires for every service but S3. */
static gchar *
canonical_uri (const gchar * path)
{
  g_auto (GStrv) segs = NULL;
  g_autoptr (GPtrArray) stack = NULL;
  GString *out;
  gboolean trailing = FALSE;
  guint i, n;

  if (path == NULL || *path == '\0')
    return g_strdup ("/");

  segs = g_strsplit (path, "/", -1);
  n = g_strv_length (segs);
  stack = g_ptr_array_new ();
  for (i = 0; i < n; i++) {
    const gchar *s = segs[i];
    gboolean last = (i + 1 == n);

    if (*s == '\0' || strcmp (s, ".") == 0) {
      if (last)
        trailing = TRUE;
      continue;
    }
    if (strcmp (s, "..") == 0) {
      if (stack->len > 0)
        g_ptr_array_remove_index (stack, stack->len - 1);
      if (last)
        trailing = TRUE;
      continue;
    }
    g_ptr_array_add (stack, (gpointer) s);
  }

  out = g_string_new (NULL);
  for (i = 0; i < stack->len; i++) {
    g_autofree gchar *enc = NULL;
    const gchar *s = g_ptr_array_index (stack, i);

    enc = uri_encode ((const guint8 *) s, strlen (s));
    g_string_append_c (out, '/');
    g_string_append (out, enc);
  }
  if (stack->len == 0 || trailing)
    g_string_append_c (out, '/');
  return g_string_free (out, FALSE);
}

/* ---------------------------------------------------------------------- */
/* Query parameters                                                        */

typedef struct
{
  gchar *name;                  /* decoded (for lookups) */
  gchar *value;                 /* decoded */
  gchar *enc_name;              /* canonical encoding */
  gchar *enc_value;
} Param;

static void
param_free (gpointer p)
{
  Param *param = p;

  g_free (param->name);
  g_free (param->value);
  g_free (param->enc_name);
  g_free (param->enc_value);
  g_free (param);
}

static Param *
param_new_decoded (const gchar * name, const gchar * value)
{
  Param *p = g_new0 (Param, 1);

  p->name = g_strdup (name);
  p->value = g_strdup (value);
  p->enc_name = uri_encode ((const guint8 *) name, strlen (name));
  p->enc_value = uri_encode ((const guint8 *) value, strlen (value));
  return p;
}

/* Split a raw query string ("a=1&b=%2F&c") into parameters. A parameter
 * without '=' has the empty value. */
static GPtrArray *
parse_query (const gchar * query)
{
  GPtrArray *params = g_ptr_array_new_with_free_func (param_free);
  const gchar *p = query;

  if (query == NULL)
    return params;

  while (*p) {
    const gchar *amp = strchr (p, '&');
    const gchar *end = amp ? amp : p + strlen (p);
    const gchar *eq = memchr (p, '=', end - p);
    const gchar *name_end = eq ? eq : end;
    const gchar *val = eq ? eq + 1 : end;

    if (end > p) {
      Param *param = g_new0 (Param, 1);

      param->name = decode_component (p, name_end - p);
      param->value = decode_component (val, end - val);
      param->enc_name = canonical_component (p, name_end - p);
      param->enc_value = canonical_component (val, end - val);
      g_ptr_array_add (params, param);
    }
    if (amp == NULL)
      break;
    p = amp + 1;
  }
  return params;
}

static gint
param_compare (gconstpointer a, gconstpointer b)
{
  const Param *pa = *(const Param * const *) a;
  const Param *pb = *(const Param * const *) b;
  gint r = strcmp (pa->enc_name, pb->enc_name);

  return r != 0 ? r : strcmp (pa->enc_value, pb->enc_value);
}

/* Sorted by encoded name, then value; @skip (a decoded name) left out. */
static gchar *
canonical_query_from_params (GPtrArray * params, const gchar * skip)
{
  g_autoptr (GPtrArray) sorted = g_ptr_array_new ();
  GString *out = g_string_new (NULL);
  guint i;

  for (i = 0; i < params->len; i++) {
    Param *p = g_ptr_array_index (params, i);

    if (skip == NULL || strcmp (p->name, skip) != 0)
      g_ptr_array_add (sorted, p);
  }
  g_ptr_array_sort (sorted, param_compare);
  for (i = 0; i < sorted->len; i++) {
    Param *p = g_ptr_array_index (sorted, i);

    if (i > 0)
      g_string_append_c (out, '&');
    g_string_append (out, p->enc_name);
    g_string_append_c (out, '=');
    g_string_append (out, p->enc_value);
  }
  return g_string_free (out, FALSE);
}

static const Param *
find_param (GPtrArray * params, const gchar * name, guint * count)
{
  const Param *found = NULL;
  guint i, n = 0;

  for (i = 0; i < params->len; i++) {
    const Param *p = g_ptr_array_index (params, i);

    if (strcmp (p->name, name) == 0) {
      if (found == NULL)
        found = p;
      n++;
    }
  }
  if (count)
    *count = n;
  return found;
}

/* ---------------------------------------------------------------------- */
/* Canonical headers                                                       */

typedef struct
{
  gchar *name;                  /* lower case */
  gchar *value;                 /* trimmed, spaces collapsed */
  guint order;
} CanonHeader;

static void
canon_header_clear (CanonHeader * h)
{
  g_free (h->name);
  g_free (h->value);
}

/* Trim and collapse runs of blanks to one space. A folded value
 * (obs-fold: "v1\r\n  v2") gives one value per line joined by ','. */
static gchar *
canonical_header_value (const gchar * value)
{
  GString *out = g_string_new (NULL);
  g_auto (GStrv) lines = g_strsplit (value ? value : "", "\n", -1);
  guint i;

  for (i = 0; lines[i]; i++) {
    const gchar *p = lines[i];
    gboolean in_space = FALSE;
    gboolean started = FALSE;

    if (i > 0) {
      gboolean blank = TRUE;
      const gchar *q;

      for (q = p; *q; q++) {
        if (!g_ascii_isspace (*q))
          blank = FALSE;
      }
      if (blank)
        continue;
      g_string_append_c (out, ',');
    }
    for (; *p; p++) {
      if (*p == ' ' || *p == '\t' || *p == '\r') {
        in_space = started;
        continue;
      }
      if (in_space)
        g_string_append_c (out, ' ');
      in_space = FALSE;
      started = TRUE;
      g_string_append_c (out, *p);
    }
  }
  return g_string_free (out, FALSE);
}

static gint
canon_header_compare (gconstpointer a, gconstpointer b)
{
  const CanonHeader *ha = a, *hb = b;
  gint r = strcmp (ha->name, hb->name);

  if (r != 0)
    return r;
  return ha->order < hb->order ? -1 : (ha->order > hb->order ? 1 : 0);
}

/* Returns the canonical headers block (each line ending in '\n') and the
 * signed headers list. */
static gchar *
canonical_headers (const GstKvsHeader * headers, guint n_headers,
    gchar ** signed_headers)
{
  g_autoptr (GArray) arr = g_array_sized_new (FALSE, TRUE,
      sizeof (CanonHeader), n_headers);
  GString *out = g_string_new (NULL);
  GString *names = g_string_new (NULL);
  guint i;

  g_array_set_clear_func (arr, (GDestroyNotify) canon_header_clear);
  for (i = 0; i < n_headers; i++) {
    CanonHeader h;

    h.name = g_ascii_strdown (headers[i].name, -1);
    g_strstrip (h.name);
    h.value = canonical_header_value (headers[i].value);
    h.order = i;
    g_array_append_val (arr, h);
  }
  g_array_sort (arr, canon_header_compare);

  for (i = 0; i < arr->len; i++) {
    CanonHeader *h = &g_array_index (arr, CanonHeader, i);

    if (i > 0 && strcmp (h->name,
            g_array_index (arr, CanonHeader, i - 1).name) == 0) {
      g_string_append_c (out, ',');
      g_string_append (out, h->value);
      continue;
    }
    if (i > 0) {
      g_string_append_c (out, '\n');
      g_string_append_c (names, ';');
    }
    g_string_append (out, h->name);
    g_string_append_c (out, ':');
    g_string_append (out, h->value);
    g_string_append (names, h->name);
  }
  if (arr->len > 0)
    g_string_append_c (out, '\n');

  *signed_headers = g_string_free (names, FALSE);
  return g_string_free (out, FALSE);
}

static gchar *
build_canonical_request (const gchar * method, const gchar * path,
    const gchar * canon_query, const GstKvsHeader * headers, guint n_headers,
    const gchar * payload_hash, gchar ** signed_headers)
{
  g_autofree gchar *uri = canonical_uri (path);
  g_autofree gchar *hdrs = NULL;
  g_autofree gchar *names = NULL;
  gchar *creq;

  hdrs = canonical_headers (headers, n_headers, &names);
  creq = g_strdup_printf ("%s\n%s\n%s\n%s\n%s\n%s", method, uri,
      canon_query ? canon_query : "", hdrs, names,
      payload_hash ? payload_hash : GST_KVS_SIGV4_EMPTY_PAYLOAD_HASH);
  if (signed_headers)
    *signed_headers = g_steal_pointer (&names);
  return creq;
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

  params = parse_query (query);
  canon_query = canonical_query_from_params (params, NULL);
  return build_canonical_request (method, path, canon_query, headers,
      n_headers, payload_hash, signed_headers);
}

gchar *
gst_kvs_sigv4_string_to_sign (const gchar * amz_date, const gchar * region,
    const gchar * service, const gchar * canonical_request)
{
  g_autofree gchar *hash = NULL;

  g_return_val_if_fail (amz_date != NULL && strlen (amz_date) >= 8, NULL);
  g_return_val_if_fail (region != NULL && service != NULL, NULL);
  g_return_val_if_fail (canonical_request != NULL, NULL);

  hash = sha256_hex ((const guint8 *) canonical_request,
      strlen (canonical_request));
  return g_strdup_printf ("%s\n%s\n%.8s/%s/%s/" TERMINATOR "\n%s",
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
  hmac_sha256 (k, 32, TERMINATOR, k2);
  hmac_sha256 (k2, 32, string_to_sign, k);

  hex = g_malloc (65);
  for (i = 0; i < 32; i++) {
    static const gchar digits[] = "0123456789abcdef";

    hex[2 * i] = digits[k[i] >> 4];
    hex[2 * i + 1] = digits[k[i] & 0xf];
  }
  hex[64] = '\0';

  secure_clear (k_secret, strlen (k_secret));
  secure_clear (k, sizeof (k));
  secure_clear (k2, sizeof (k2));
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
      " Credential=%s/%.8s/%s/%s/" TERMINATOR ", SignedHeaders=%s, "
      "Signature=%s", access_key_id, amz_date, region, service,
      signed_headers, signature);
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
    g_autofree gchar *quoted = quote (region ? region : "");

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "cannot sign: the region %s is empty or contains '/'", quoted);
    return FALSE;
  }
  if (!valid_scope_part (service)) {
    g_autofree gchar *quoted = quote (service ? service : "");

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
    g_autofree gchar *quoted = quote (g_uri_get_host (uri));

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

  t = now_or_current (now);
  amz_date = gst_kvs_sigv4_format_date (t);
  host = host_header_for (uri);
  payload_hash = payload_hash_of (body);

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
    g_autoptr (GPtrArray) params = parse_query (g_uri_get_query (uri));
    g_autofree gchar *canon_query =
        canonical_query_from_params (params, NULL);

    creq = build_canonical_request (soup_message_get_method (msg),
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
  secure_clear (authz, strlen (authz));
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
    g_autofree gchar *quoted = quote (host);

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
  if (expires < 1 || expires > MAX_EXPIRES) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "X-Amz-Expires must be between 1 and %d seconds, not %u",
        MAX_EXPIRES, expires);
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

  t = now_or_current (now);
  amz_date = gst_kvs_sigv4_format_date (t);
  host = host_header_for (uri);
  credential = g_strdup_printf ("%s/%.8s/%s/%s/" TERMINATOR,
      creds->access_key_id, amz_date, region, service);
  expires_str = g_strdup_printf ("%u", expires);

  /* Keep the caller's parameters (X-Amz-ChannelARN, X-Amz-ClientId, ...);
   * drop any authentication left over from an earlier presign. */
  params = parse_query (g_uri_get_query (uri));
  for (i = params->len; i > 0; i--) {
    Param *p = g_ptr_array_index (params, i - 1);

    if (is_auth_param (p->name)) {
      GST_DEBUG ("dropping an earlier %s from the URL", p->name);
      g_ptr_array_remove_index (params, i - 1);
    }
  }
  g_ptr_array_add (params, param_new_decoded ("X-Amz-Algorithm",
          GST_KVS_SIGV4_ALGORITHM));
  g_ptr_array_add (params, param_new_decoded ("X-Amz-Credential",
          credential));
  g_ptr_array_add (params, param_new_decoded ("X-Amz-Date", amz_date));
  g_ptr_array_add (params, param_new_decoded ("X-Amz-Expires", expires_str));
  g_ptr_array_add (params, param_new_decoded ("X-Amz-SignedHeaders", "host"));
  if (creds->session_token && *creds->session_token)
    g_ptr_array_add (params, param_new_decoded ("X-Amz-Security-Token",
            creds->session_token));
  canon_query = canonical_query_from_params (params, NULL);

  path = g_uri_get_path (uri);
  host_header.name = "host";
  host_header.value = host;
  creq = build_canonical_request ("GET", path, canon_query, &host_header, 1,
      GST_KVS_SIGV4_EMPTY_PAYLOAD_HASH, NULL);
  sts = gst_kvs_sigv4_string_to_sign (amz_date, region, service, creq);
  signature = gst_kvs_sigv4_signature (creds->secret_access_key, amz_date,
      region, service, sts);

  result = g_strdup_printf ("%s://%s%s?%s&X-Amz-Signature=%s",
      scheme, host, (path && *path) ? path : "/", canon_query, signature);

  GST_DEBUG ("presigned a %s URL to %s for %s/%s, key %s (%s), expires in "
      "%u s", scheme, host, region, service, creds->access_key_id,
      creds->source ? creds->source : "?", expires);
  secure_clear (canon_query, strlen (canon_query));
  secure_clear (creq, strlen (creq));
  return result;
}

/* ---------------------------------------------------------------------- */
/* Verification                                                            */

typedef struct
{
  gchar *access_key_id;
  gchar *date;                  /* YYYYMMDD */
  gchar *region;
  gchar *service;
  gchar *terminator;
} Scope;

static void
scope_clear (Scope * s)
{
  g_free (s->access_key_id);
  g_free (s->date);
  g_free (s->region);
  g_free (s->service);
  g_free (s->terminator);
}

static gboolean
parse_credential (const gchar * credential, Scope * scope, GError ** error)
{
  g_auto (GStrv) parts = g_strsplit (credential, "/", -1);

  if (g_strv_length (parts) != 5 || *parts[0] == '\0') {
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        "Credential must have the form <access key id>/<YYYYMMDD>/<region>/"
        "<service>/" TERMINATOR ".");
    return FALSE;
  }
  scope->access_key_id = g_strdup (parts[0]);
  scope->date = g_strdup (parts[1]);
  scope->region = g_strdup (parts[2]);
  scope->service = g_strdup (parts[3]);
  scope->terminator = g_strdup (parts[4]);
  return TRUE;
}

/* The scope must be <date of the request>/@region/@service/aws4_request. */
static gboolean
check_scope (const Scope * scope, const gchar * amz_date,
    const gchar * region, const gchar * service, GError ** error)
{
  g_autofree gchar *expected = g_strdup_printf ("%.8s/%s/%s/" TERMINATOR,
      amz_date, region, service);

  if (strcmp (scope->region, region) != 0) {
    g_autofree gchar *quoted = quote (scope->region);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        "Credential should be scoped to a valid region, not %s. "
        "Expected scope: %s", quoted, expected);
    return FALSE;
  }
  if (strcmp (scope->service, service) != 0) {
    g_autofree gchar *quoted = quote (scope->service);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        "Credential should be scoped to correct service: '%s', not %s. "
        "Expected scope: %s", service, quoted, expected);
    return FALSE;
  }
  if (strcmp (scope->terminator, TERMINATOR) != 0) {
    g_autofree gchar *quoted = quote (scope->terminator);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        "Credential should be scoped with a valid terminator: '"
        TERMINATOR "', not %s. Expected scope: %s", quoted, expected);
    return FALSE;
  }
  if (strncmp (scope->date, amz_date, 8) != 0 || strlen (scope->date) != 8) {
    g_autofree gchar *quoted = quote (scope->date);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
        "version of date from HTTP: %s != '%.8s', from '%s'. "
        "Expected scope: %s", quoted, amz_date, amz_date, expected);
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_not_before (GDateTime * date, GDateTime * t, GError ** error)
{
  gint64 d = g_date_time_to_unix (date), n = g_date_time_to_unix (t);

  if (d > n + CLOCK_WINDOW_SECONDS) {
    g_autofree gchar *ds = format_unix (d);
    g_autofree gchar *limit = format_unix (n + CLOCK_WINDOW_SECONDS);
    g_autofree gchar *ns = format_unix (n);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE_EXPIRED,
        "Signature not yet current: %s is still later than %s (%s + 5 min.)",
        ds, limit, ns);
    return FALSE;
  }
  return TRUE;
}

static const gchar *
lookup_secret (const gchar * access_key_id, GstKvsSigv4SecretLookup lookup,
    gpointer user_data, GError ** error)
{
  const gchar *secret = lookup ? lookup (access_key_id, user_data) : NULL;

  if (secret == NULL || *secret == '\0') {
    GST_DEBUG ("unknown access key id %s", access_key_id);
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_NOT_AUTHORIZED,
        MSG_UNKNOWN_KEY);
    return NULL;
  }
  return secret;
}

/* Computes the signature of @creq and compares it to @provided. */
static gboolean
check_signature (const gchar * creq, const gchar * amz_date,
    const gchar * region, const gchar * service, const gchar * secret,
    const gchar * provided, GError ** error)
{
  g_autofree gchar *sts = gst_kvs_sigv4_string_to_sign (amz_date, region,
      service, creq);
  g_autofree gchar *expected = gst_kvs_sigv4_signature (secret, amz_date,
      region, service, sts);
  gboolean ok = constant_time_equal (expected, provided);

  secure_clear (expected, strlen (expected));
  if (!ok) {
    g_autofree gchar *creq_hash = sha256_hex ((const guint8 *) creq,
        strlen (creq));

    GST_DEBUG ("signature mismatch (canonical request hash %s)", creq_hash);
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        MSG_SIGNATURE_MISMATCH);
  }
  return ok;
}

typedef struct
{
  gchar *credential;
  gchar *signed_headers;
  gchar *signature;
} AuthHeader;

static void
auth_header_clear (AuthHeader * a)
{
  g_free (a->credential);
  g_free (a->signed_headers);
  g_free (a->signature);
}

/* "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..." */
static gboolean
parse_authorization (const gchar * authz, AuthHeader * out, GError ** error)
{
  const gchar *p = authz;
  gsize alg_len = strlen (GST_KVS_SIGV4_ALGORITHM);
  g_auto (GStrv) parts = NULL;
  GString *missing;
  guint i;

  while (g_ascii_isspace (*p))
    p++;
  if (strncmp (p, GST_KVS_SIGV4_ALGORITHM, alg_len) != 0
      || !g_ascii_isspace (p[alg_len])) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        "Authorization header must start with '" GST_KVS_SIGV4_ALGORITHM
        " ' (only SigV4 is supported).");
    return FALSE;
  }
  parts = g_strsplit (p + alg_len, ",", -1);
  for (i = 0; parts[i]; i++) {
    gchar *kv = g_strstrip (parts[i]);
    gchar *eq = strchr (kv, '=');
    gchar **slot = NULL;

    if (eq == NULL)
      continue;
    *eq = '\0';
    if (strcmp (kv, "Credential") == 0)
      slot = &out->credential;
    else if (strcmp (kv, "SignedHeaders") == 0)
      slot = &out->signed_headers;
    else if (strcmp (kv, "Signature") == 0)
      slot = &out->signature;
    if (slot) {
      g_free (*slot);
      *slot = g_strdup (eq + 1);
    }
  }

  missing = g_string_new (NULL);
  if (out->credential == NULL || *out->credential == '\0')
    g_string_append (missing, "Authorization header requires 'Credential' "
        "parameter. ");
  if (out->signature == NULL || *out->signature == '\0')
    g_string_append (missing, "Authorization header requires 'Signature' "
        "parameter. ");
  if (out->signed_headers == NULL || *out->signed_headers == '\0')
    g_string_append (missing, "Authorization header requires 'SignedHeaders' "
        "parameter. ");
  if (missing->len > 0) {
    g_string_truncate (missing, missing->len - 1);
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        missing->str);
    g_string_free (missing, TRUE);
    return FALSE;
  }
  g_string_free (missing, TRUE);
  return TRUE;
}

static gboolean
strv_has (GStrv v, const gchar * s)
{
  return v && g_strv_contains ((const gchar * const *) v, s);
}

gboolean
gst_kvs_sigv4_verify_headers (const gchar * method, const gchar * path,
    const gchar * query, SoupMessageHeaders * headers, GBytes * body,
    const gchar * region, const gchar * service,
    GstKvsSigv4SecretLookup lookup, gpointer user_data, GDateTime * now,
    gchar ** access_key_id, GError ** error)
{
  AuthHeader auth = { NULL, };
  Scope scope = { NULL, };
  g_autoptr (GDateTime) t = NULL;
  g_autoptr (GDateTime) date = NULL;
  g_autoptr (GArray) hdrs = NULL;
  g_autoptr (GPtrArray) params = NULL;
  g_auto (GStrv) signed_names = NULL;
  g_autofree gchar *amz_date = NULL;
  g_autofree gchar *payload_hash = NULL;
  g_autofree gchar *canon_query = NULL;
  g_autofree gchar *creq = NULL;
  g_autofree gchar *our_signed = NULL;
  SoupMessageHeadersIter iter;
  const gchar *authz, *xdate, *secret, *name, *value;
  gboolean ok = FALSE;
  gint64 d, n;
  guint i;

  g_return_val_if_fail (method != NULL, FALSE);
  g_return_val_if_fail (headers != NULL, FALSE);
  g_return_val_if_fail (region != NULL && service != NULL, FALSE);
  ensure_debug ();

  authz = soup_message_headers_get_one (headers, "Authorization");
  if (authz == NULL || *authz == '\0') {
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        MSG_MISSING_AUTH);
    return FALSE;
  }
  if (!parse_authorization (authz, &auth, error))
    goto out;
  if (!parse_credential (auth.credential, &scope, error))
    goto out;

  /* The request time: X-Amz-Date, else Date. */
  xdate = soup_message_headers_get_one (headers, "X-Amz-Date");
  if (xdate) {
    date = parse_amz_date (xdate);
    if (date == NULL) {
      g_autofree gchar *quoted = quote (xdate);

      g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
          "X-Amz-Date must be in the ISO8601 Long Format "
          "\"yyyyMMdd'T'HHmmss'Z'\", not %s", quoted);
      goto out;
    }
  } else if ((xdate = soup_message_headers_get_one (headers, "Date"))) {
    date = soup_date_time_new_from_http_string (xdate);
    if (date == NULL) {
      g_autofree gchar *quoted = quote (xdate);

      g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
          "The Date header %s is not a valid HTTP date", quoted);
      goto out;
    }
  } else {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        "Authorization header requires existence of either a 'X-Amz-Date' "
        "or a 'Date' header.");
    goto out;
  }
  amz_date = gst_kvs_sigv4_format_date (date);

  if (!check_scope (&scope, amz_date, region, service, error))
    goto out;

  signed_names = g_strsplit (auth.signed_headers, ";", -1);
  if (!strv_has (signed_names, "host")) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS "
        "Authorization.");
    goto out;
  }
  if (!strv_has (signed_names, soup_message_headers_get_one (headers,
              "X-Amz-Date") ? "x-amz-date" : "date")) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        "'%s' must be a 'SignedHeader' in the AWS Authorization.",
        soup_message_headers_get_one (headers, "X-Amz-Date") ?
        "X-Amz-Date" : "Date");
    goto out;
  }

  /* The received headers named in SignedHeaders, in their order. */
  hdrs = g_array_new (FALSE, FALSE, sizeof (GstKvsHeader));
  for (i = 0; signed_names[i]; i++) {
    if (*signed_names[i] == '\0'
        || soup_message_headers_get_list (headers, signed_names[i]) == NULL) {
      g_autofree gchar *quoted = quote (signed_names[i]);

      g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
          "The signed header %s is missing from the request.", quoted);
      goto out;
    }
  }
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value)) {
    g_autofree gchar *lower = g_ascii_strdown (name, -1);

    if (strv_has (signed_names, lower)) {
      GstKvsHeader h = { name, value };
      g_array_append_val (hdrs, h);
    }
  }

  secret = lookup_secret (scope.access_key_id, lookup, user_data, error);
  if (secret == NULL)
    goto out;

  t = now_or_current (now);
  d = g_date_time_to_unix (date);
  n = g_date_time_to_unix (t);
  if (d < n - CLOCK_WINDOW_SECONDS) {
    g_autofree gchar *limit = format_unix (n - CLOCK_WINDOW_SECONDS);
    g_autofree gchar *ns = format_unix (n);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE_EXPIRED,
        "Signature expired: %s is now earlier than %s (%s - 5 min.)",
        amz_date, limit, ns);
    goto out;
  }
  if (!check_not_before (date, t, error))
    goto out;

  payload_hash = payload_hash_of (body);
  params = parse_query (query);
  canon_query = canonical_query_from_params (params, NULL);
  creq = build_canonical_request (method, path, canon_query,
      (GstKvsHeader *) hdrs->data, hdrs->len, payload_hash, &our_signed);
  if (strcmp (our_signed, auth.signed_headers) != 0) {
    GST_DEBUG ("SignedHeaders '%s' is not in canonical form '%s'",
        auth.signed_headers, our_signed);
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        MSG_SIGNATURE_MISMATCH);
    goto out;
  }
  if (!check_signature (creq, amz_date, region, service, secret,
          auth.signature, error))
    goto out;

  GST_DEBUG ("verified %s %s signed by %s", method, path ? path : "/",
      scope.access_key_id);
  if (access_key_id)
    *access_key_id = g_strdup (scope.access_key_id);
  ok = TRUE;

out:
  if (creq)
    secure_clear (creq, strlen (creq));
  auth_header_clear (&auth);
  scope_clear (&scope);
  return ok;
}

gboolean
gst_kvs_sigv4_verify_presigned (const gchar * method, const gchar * path,
    const gchar * query, const gchar * host, const gchar * region,
    const gchar * service, GstKvsSigv4SecretLookup lookup,
    gpointer user_data, GDateTime * now, gchar ** access_key_id,
    GError ** error)
{
  static const gchar *const required[] = {
    "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date",
    "X-Amz-SignedHeaders", "X-Amz-Expires",
  };
  g_autoptr (GPtrArray) params = NULL;
  g_autoptr (GDateTime) t = NULL;
  g_autoptr (GDateTime) date = NULL;
  g_autofree gchar *canon_query = NULL;
  g_autofree gchar *creq = NULL;
  Scope scope = { NULL, };
  const Param *alg, *cred, *sig, *xdate, *signed_hdrs, *xexp;
  const gchar *secret;
  GstKvsHeader host_header;
  gboolean ok = FALSE;
  guint64 expires = 0;
  gint64 d, n;
  guint i, count;

  g_return_val_if_fail (method != NULL, FALSE);
  g_return_val_if_fail (region != NULL && service != NULL, FALSE);
  ensure_debug ();

  params = parse_query (query);
  alg = find_param (params, "X-Amz-Algorithm", NULL);
  cred = find_param (params, "X-Amz-Credential", NULL);
  sig = find_param (params, "X-Amz-Signature", NULL);
  if (alg == NULL && cred == NULL && sig == NULL) {
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        MSG_MISSING_AUTH);
    return FALSE;
  }
  for (i = 0; i < G_N_ELEMENTS (required); i++) {
    if (find_param (params, required[i], &count) == NULL || count != 1) {
      g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
          "AWS query-string parameters must include 'X-Amz-Algorithm', "
          "'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', "
          "'X-Amz-SignedHeaders', 'X-Amz-Expires', each once "
          "('%s' is %s). Re-examine the query-string parameters.",
          required[i], count ? "repeated" : "missing");
      return FALSE;
    }
  }
  find_param (params, "X-Amz-Security-Token", &count);
  if (count > 1) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        "X-Amz-Security-Token must not be repeated.");
    return FALSE;
  }
  xdate = find_param (params, "X-Amz-Date", NULL);
  signed_hdrs = find_param (params, "X-Amz-SignedHeaders", NULL);
  xexp = find_param (params, "X-Amz-Expires", NULL);

  /* The values are percent-decoded request bytes: quoted, never raw (a
   * GError message is UTF-8). */
  if (strcmp (alg->value, GST_KVS_SIGV4_ALGORITHM) != 0) {
    g_autofree gchar *quoted = quote (alg->value);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        "X-Amz-Algorithm only supports \"" GST_KVS_SIGV4_ALGORITHM "\", "
        "not %s", quoted);
    return FALSE;
  }
  date = parse_amz_date (xdate->value);
  if (date == NULL) {
    g_autofree gchar *quoted = quote (xdate->value);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        "X-Amz-Date must be in the ISO8601 Long Format "
        "\"yyyyMMdd'T'HHmmss'Z'\", not %s", quoted);
    return FALSE;
  }
  if (!g_ascii_string_to_unsigned (xexp->value, 10, 1, MAX_EXPIRES,
          &expires, NULL)) {
    g_autofree gchar *quoted = quote (xexp->value);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        "X-Amz-Expires must be a number of seconds between 1 and %d "
        "(one week), not %s", MAX_EXPIRES, quoted);
    return FALSE;
  }
  if (strcmp (signed_hdrs->value, "host") != 0) {
    g_autofree gchar *quoted = quote (signed_hdrs->value);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        "X-Amz-SignedHeaders must be 'host', not %s", quoted);
    return FALSE;
  }
  if (host == NULL || *host == '\0') {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        "The request has no Host header to verify the signature with.");
    return FALSE;
  }
  if (!parse_credential (cred->value, &scope, error))
    goto out;
  if (!check_scope (&scope, xdate->value, region, service, error))
    goto out;

  secret = lookup_secret (scope.access_key_id, lookup, user_data, error);
  if (secret == NULL)
    goto out;

  t = now_or_current (now);
  d = g_date_time_to_unix (date);
  n = g_date_time_to_unix (t);
  if (n > d + (gint64) expires) {
    g_autofree gchar *limit = format_unix (n - (gint64) expires);
    g_autofree gchar *ns = format_unix (n);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE_EXPIRED,
        "Signature expired: %s is now earlier than %s (%s - %"
        G_GUINT64_FORMAT " sec.)", xdate->value, limit, ns, expires);
    goto out;
  }
  if (!check_not_before (date, t, error))
    goto out;

  canon_query = canonical_query_from_params (params, "X-Amz-Signature");
  host_header.name = "host";
  host_header.value = host;
  creq = build_canonical_request (method, path, canon_query, &host_header, 1,
      GST_KVS_SIGV4_EMPTY_PAYLOAD_HASH, NULL);
  if (!check_signature (creq, xdate->value, region, service, secret,
          sig->value, error))
    goto out;

  GST_DEBUG ("verified presigned %s %s signed by %s", method,
      path ? path : "/", scope.access_key_id);
  if (access_key_id)
    *access_key_id = g_strdup (scope.access_key_id);
  ok = TRUE;

out:
  if (canon_query)
    secure_clear (canon_query, strlen (canon_query));
  if (creq)
    secure_clear (creq, strlen (creq));
  scope_clear (&scope);
  return ok;
}
