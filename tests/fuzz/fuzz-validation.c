/* kvssignaling fuzzing: the service's validation rules
 * (gstkvsvalidation.h), checked against a plain reference implementation of
 * the rules as kvs-signaling.md states them, plus the STUN URI of a region.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Properties: each validator accepts exactly what its rule accepts, and
 * reports a GError in GST_KVS_VALIDATION_ERROR when it refuses;
 * gst_kvs_validation_quote_value() gives short, printable, quoted text. */
#include "fuzz-common.h"
#include "gstkvsvalidation.h"
#include "gstkvsiceserver.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

/* 1..256 of [a-zA-Z0-9_.-] */
static gboolean
ref_id (const gchar * s)
{
  gsize n = strlen (s), i;

  if (n < 1 || n > 256)
    return FALSE;
  for (i = 0; i < n; i++)
    if (!g_ascii_isalnum (s[i]) && !strchr ("_.-", s[i]))
      return FALSE;
  return TRUE;
}

static gboolean
b64_char (guchar c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '/';
}

/* length % 4 == 0, alphabet, at most two '=' and only at the end */
static gboolean
ref_base64 (const guchar * s, gsize len)
{
  gsize i, pad = 0;

  if (len % 4 != 0)
    return FALSE;
  for (i = 0; i < len; i++) {
    if (s[i] == '=')
      pad++;
    else if (pad > 0 || !b64_char (s[i]))
      return FALSE;
  }
  return pad <= 2;
}

/* 1..max of the base64 alphabet (with '=') */
static gboolean
ref_payload (const gchar * s, gsize max)
{
  gsize n = strlen (s), i;

  if (n < 1 || n > max)
    return FALSE;
  for (i = 0; i < n; i++)
    if (!b64_char (s[i]) && s[i] != '=')
      return FALSE;
  return TRUE;
}

/* [a-z0-9-]+, at most 64 (the longest region name is 14) */
static gboolean
ref_region (const gchar * s)
{
  const gchar *p;

  if (*s == '\0' || strlen (s) > 64)
    return FALSE;
  for (p = s; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

#define CHECK_VALIDATOR(call, expected, name) G_STMT_START {            \
    g_autoptr (GError) e_ = NULL;                                       \
    gboolean ok_ = call;                                                \
    FUZZ_CHECK (ok_ == (expected), "%s says %d for '%s'", name, ok_,    \
        str);                                                           \
    if (!ok_) {                                                         \
      FUZZ_CHECK_ERROR (e_);                                            \
      FUZZ_CHECK (e_->domain == GST_KVS_VALIDATION_ERROR, "domain");    \
    } else {                                                            \
      FUZZ_CHECK (e_ == NULL, "error on success");                      \
    }                                                                   \
  } G_STMT_END

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autofree gchar *str = fuzz_strndup (data, size);
  g_autofree gchar *quoted = NULL;
  g_autofree gchar *stun = NULL;
  gsize max = size > 0 ? data[0] % 64 + 1 : 10;
  const gchar *p;

  CHECK_VALIDATOR (gst_kvs_validate_id ("client id", str, &e_),
      ref_id (str), "validate_id");
  CHECK_VALIDATOR (gst_kvs_validate_channel_name (str, &e_), ref_id (str),
      "validate_channel_name");
  CHECK_VALIDATOR (gst_kvs_validate_viewer_client_id (str, &e_),
      ref_id (str) && !g_str_has_prefix (str, "AWS_"),
      "validate_viewer_client_id");
  CHECK_VALIDATOR (gst_kvs_validate_payload (str, max, &e_),
      ref_payload (str, max), "validate_payload");
  CHECK_VALIDATOR (gst_kvs_validate_payload (str, 0, &e_),
      ref_payload (str, GST_KVS_DEFAULT_MAX_PAYLOAD), "validate_payload 0");
  /* With the raw bytes (NULs included) and as a C string. */
  CHECK_VALIDATOR (gst_kvs_validate_base64 ("payload", (const gchar *) data,
          size, &e_), ref_base64 (data, size), "validate_base64 len");
  CHECK_VALIDATOR (gst_kvs_validate_base64 (NULL, str, -1, &e_),
      ref_base64 ((const guchar *) str, strlen (str)), "validate_base64 -1");

  quoted = gst_kvs_validation_quote_value ((const gchar *) data, size);
  FUZZ_CHECK (quoted != NULL && quoted[0] == '\'', "quote: %s", quoted);
  /* 64 input bytes, each at most "\xNN", two quotes and "..." */
  FUZZ_CHECK (strlen (quoted) <= 2 + 64 * 4 + 3, "quote too long: %s", quoted);
  for (p = quoted; *p; p++)
    FUZZ_CHECK (*p >= 0x20 && *p < 0x7f, "unprintable byte in quote");

  stun = gst_kvs_stun_uri_for_region (str);
  FUZZ_CHECK ((stun != NULL) == ref_region (str), "stun uri for '%s': %s",
      str, stun);
  if (stun)
    FUZZ_CHECK (g_str_has_prefix (stun, "stun://stun.kinesisvideo.")
        && g_str_has_suffix (stun, ":443"), "stun uri %s", stun);

  {
    GstKvsError code = gst_kvs_error_from_aws (str[0] ? str : NULL,
        size > 1 ? 300 + data[1] : 400, str);
    const gchar *name = gst_kvs_error_to_aws_name (code);

    FUZZ_CHECK (name == NULL || name[0] != '\0', "empty AWS name");
  }
  return 0;
}
