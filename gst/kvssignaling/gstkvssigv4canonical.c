/* kvssignaling: the canonical request of AWS Signature Version 4 and the
 * helpers that signing (gstkvssigv4.c) and verification
 * (gstkvssigv4verify.c) share.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstkvssigv4canonical.h"
#include "gstkvsvalidation.h"

/* A value from the request (or the caller) for an error message: quoted,
 * cut, printable ASCII. Request bytes are never put in a GError raw: they
 * need not be UTF-8. */
gchar *
gst_kvs_sigv4_quote (const gchar * value)
{
  return gst_kvs_validation_quote_value (value, -1);
}

gchar *
gst_kvs_sigv4_sha256_hex (const guint8 * data, gsize len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256,
      data ? data : (const guint8 *) "", len);
}

gchar *
gst_kvs_sigv4_payload_hash (GBytes * body)
{
  gsize len = 0;
  const guint8 *data = NULL;

  if (body)
    data = g_bytes_get_data (body, &len);
  return gst_kvs_sigv4_sha256_hex (data, len);
}

void
gst_kvs_sigv4_secure_clear (gpointer mem, gsize len)
{
  volatile guint8 *p = mem;

  while (len--)
    *p++ = 0;
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

GDateTime *
gst_kvs_sigv4_now_utc (GDateTime * now)
{
  return now ? g_date_time_to_utc (now) : g_date_time_new_now_utc ();
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

static void
param_free (gpointer p)
{
  GstKvsSigv4Param *param = p;

  g_free (param->name);
  g_free (param->value);
  g_free (param->enc_name);
  g_free (param->enc_value);
  g_free (param);
}

GstKvsSigv4Param *
gst_kvs_sigv4_param_new (const gchar * name, const gchar * value)
{
  GstKvsSigv4Param *p = g_new0 (GstKvsSigv4Param, 1);

  p->name = g_strdup (name);
  p->value = g_strdup (value);
  p->enc_name = uri_encode ((const guint8 *) name, strlen (name));
  p->enc_value = uri_encode ((const guint8 *) value, strlen (value));
  return p;
}

/* Split a raw query string ("a=1&b=%2F&c") into parameters. A parameter
 * without '=' has the empty value. */
GPtrArray *
gst_kvs_sigv4_parse_query (const gchar * query)
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
      GstKvsSigv4Param *param = g_new0 (GstKvsSigv4Param, 1);

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
  const GstKvsSigv4Param *pa = *(const GstKvsSigv4Param * const *) a;
  const GstKvsSigv4Param *pb = *(const GstKvsSigv4Param * const *) b;
  gint r = strcmp (pa->enc_name, pb->enc_name);

  return r != 0 ? r : strcmp (pa->enc_value, pb->enc_value);
}

/* Sorted by encoded name, then value; @skip (a decoded name) left out. */
gchar *
gst_kvs_sigv4_canonical_query (GPtrArray * params, const gchar * skip)
{
  g_autoptr (GPtrArray) sorted = g_ptr_array_new ();
  GString *out = g_string_new (NULL);
  guint i;

  for (i = 0; i < params->len; i++) {
    GstKvsSigv4Param *p = g_ptr_array_index (params, i);

    if (skip == NULL || strcmp (p->name, skip) != 0)
      g_ptr_array_add (sorted, p);
  }
  g_ptr_array_sort (sorted, param_compare);
  for (i = 0; i < sorted->len; i++) {
    GstKvsSigv4Param *p = g_ptr_array_index (sorted, i);

    if (i > 0)
      g_string_append_c (out, '&');
    g_string_append (out, p->enc_name);
    g_string_append_c (out, '=');
    g_string_append (out, p->enc_value);
  }
  return g_string_free (out, FALSE);
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

gchar *
gst_kvs_sigv4_build_canonical_request (const gchar * method, const gchar * path,
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
