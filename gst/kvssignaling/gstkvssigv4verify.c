/* kvssignaling: verification of AWS Signature Version 4, header auth and
 * presigned URLs, as the service does it. Not part of the installed
 * library: a static library shared by the local service
 * (tools/kvs-signaling-server) and the library's tests.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gst/gst.h>

#include "gstkvssigv4canonical.h"
#include "gstkvssigv4verify.h"

GST_DEBUG_CATEGORY_STATIC (gst_kvs_sigv4_verify_debug);
#define GST_CAT_DEFAULT gst_kvs_sigv4_verify_debug

/* The clock window AWS allows between the request date and its own clock. */
#define CLOCK_WINDOW_SECONDS (5 * 60)

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
    GST_DEBUG_CATEGORY_INIT (gst_kvs_sigv4_verify_debug, "kvssigv4verify", 0,
        "KVS AWS Signature Version 4 verification");
    g_once_init_leave (&once, 1);
  }
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

static gchar *
format_unix (gint64 t)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t);

  return dt ? gst_kvs_sigv4_format_date (dt) : g_strdup ("(out of range)");
}

static const GstKvsSigv4Param *
find_param (GPtrArray * params, const gchar * name, guint * count)
{
  const GstKvsSigv4Param *found = NULL;
  guint i, n = 0;

  for (i = 0; i < params->len; i++) {
    const GstKvsSigv4Param *p = g_ptr_array_index (params, i);

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
        "<service>/" GST_KVS_SIGV4_TERMINATOR ".");
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
  g_autofree gchar *expected =
      g_strdup_printf ("%.8s/%s/%s/" GST_KVS_SIGV4_TERMINATOR,
      amz_date, region, service);

  if (strcmp (scope->region, region) != 0) {
    g_autofree gchar *quoted = gst_kvs_sigv4_quote (scope->region);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        "Credential should be scoped to a valid region, not %s. "
        "Expected scope: %s", quoted, expected);
    return FALSE;
  }
  if (strcmp (scope->service, service) != 0) {
    g_autofree gchar *quoted = gst_kvs_sigv4_quote (scope->service);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        "Credential should be scoped to correct service: '%s', not %s. "
        "Expected scope: %s", service, quoted, expected);
    return FALSE;
  }
  if (strcmp (scope->terminator, GST_KVS_SIGV4_TERMINATOR) != 0) {
    g_autofree gchar *quoted = gst_kvs_sigv4_quote (scope->terminator);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        "Credential should be scoped with a valid terminator: '"
        GST_KVS_SIGV4_TERMINATOR "', not %s. Expected scope: %s", quoted,
        expected);
    return FALSE;
  }
  if (strncmp (scope->date, amz_date, 8) != 0 || strlen (scope->date) != 8) {
    g_autofree gchar *quoted = gst_kvs_sigv4_quote (scope->date);

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

  gst_kvs_sigv4_secure_clear (expected, strlen (expected));
  if (!ok) {
    g_autofree gchar *creq_hash =
        gst_kvs_sigv4_sha256_hex ((const guint8 *) creq,
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
      g_autofree gchar *quoted = gst_kvs_sigv4_quote (xdate);

      g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
          "X-Amz-Date must be in the ISO8601 Long Format "
          "\"yyyyMMdd'T'HHmmss'Z'\", not %s", quoted);
      goto out;
    }
  } else if ((xdate = soup_message_headers_get_one (headers, "Date"))) {
    date = soup_date_time_new_from_http_string (xdate);
    if (date == NULL) {
      g_autofree gchar *quoted = gst_kvs_sigv4_quote (xdate);

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
      g_autofree gchar *quoted = gst_kvs_sigv4_quote (signed_names[i]);

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

  t = gst_kvs_sigv4_now_utc (now);
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

  payload_hash = gst_kvs_sigv4_payload_hash (body);
  params = gst_kvs_sigv4_parse_query (query);
  canon_query = gst_kvs_sigv4_canonical_query (params, NULL);
  creq = gst_kvs_sigv4_build_canonical_request (method, path, canon_query,
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
    gst_kvs_sigv4_secure_clear (creq, strlen (creq));
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
  const GstKvsSigv4Param *alg, *cred, *sig, *xdate, *signed_hdrs, *xexp;
  const gchar *secret;
  GstKvsHeader host_header;
  gboolean ok = FALSE;
  guint64 expires = 0;
  gint64 d, n;
  guint i, count;

  g_return_val_if_fail (method != NULL, FALSE);
  g_return_val_if_fail (region != NULL && service != NULL, FALSE);
  ensure_debug ();

  params = gst_kvs_sigv4_parse_query (query);
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
    g_autofree gchar *quoted = gst_kvs_sigv4_quote (alg->value);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        "X-Amz-Algorithm only supports \"" GST_KVS_SIGV4_ALGORITHM "\", "
        "not %s", quoted);
    return FALSE;
  }
  date = parse_amz_date (xdate->value);
  if (date == NULL) {
    g_autofree gchar *quoted = gst_kvs_sigv4_quote (xdate->value);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        "X-Amz-Date must be in the ISO8601 Long Format "
        "\"yyyyMMdd'T'HHmmss'Z'\", not %s", quoted);
    return FALSE;
  }
  if (!g_ascii_string_to_unsigned (xexp->value, 10, 1,
          GST_KVS_SIGV4_MAX_EXPIRES, &expires, NULL)) {
    g_autofree gchar *quoted = gst_kvs_sigv4_quote (xexp->value);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE,
        "X-Amz-Expires must be a number of seconds between 1 and %d "
        "(one week), not %s", GST_KVS_SIGV4_MAX_EXPIRES, quoted);
    return FALSE;
  }
  if (strcmp (signed_hdrs->value, "host") != 0) {
    g_autofree gchar *quoted = gst_kvs_sigv4_quote (signed_hdrs->value);

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

  t = gst_kvs_sigv4_now_utc (now);
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

  canon_query = gst_kvs_sigv4_canonical_query (params, "X-Amz-Signature");
  host_header.name = "host";
  host_header.value = host;
  creq =
      gst_kvs_sigv4_build_canonical_request (method, path, canon_query,
      &host_header, 1, GST_KVS_SIGV4_EMPTY_PAYLOAD_HASH, NULL);
  if (!check_signature (creq, xdate->value, region, service, secret, sig->value,
          error))
    goto out;

  GST_DEBUG ("verified presigned %s %s signed by %s", method,
      path ? path : "/", scope.access_key_id);
  if (access_key_id)
    *access_key_id = g_strdup (scope.access_key_id);
  ok = TRUE;

out:
  if (canon_query)
    gst_kvs_sigv4_secure_clear (canon_query, strlen (canon_query));
  if (creq)
    gst_kvs_sigv4_secure_clear (creq, strlen (creq));
  scope_clear (&scope);
  return ok;
}
