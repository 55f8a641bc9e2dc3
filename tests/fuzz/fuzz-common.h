/* kvssignaling fuzzing: helpers shared by the libFuzzer targets.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every target checks properties, not just "no crash": a broken property
 * calls FUZZ_FAIL, which aborts so libFuzzer records the input. */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <gst/gst.h>

/* Weak: the same targets also build without sanitizers (replay-main.c). */
void __lsan_disable (void) __attribute__ ((weak));
void __lsan_enable (void) __attribute__ ((weak));

#define FUZZ_FAIL(...) G_STMT_START {                                   \
    fprintf (stderr, "FUZZ PROPERTY BROKEN at %s:%d: ", __FILE__, __LINE__); \
    fprintf (stderr, __VA_ARGS__);                                      \
    fputc ('\n', stderr);                                               \
    abort ();                                                           \
  } G_STMT_END

#define FUZZ_CHECK(cond, ...) G_STMT_START {                            \
    if (G_UNLIKELY (!(cond)))                                           \
      FUZZ_FAIL ("!(" #cond "): " __VA_ARGS__);                         \
  } G_STMT_END

/* KVS_FUZZ_KNOWN="id,id": skip the checks of known, recorded findings
 * (tests/fuzz/crashes/) so a long run can look for new ones. Ids:
 * "utf8" (GError messages must be UTF-8), "presign-host" (presigning a URL
 * whose authority holds %-escapes or a userinfo), "turn-uri" (a TURN URI
 * made for webrtcbin must parse). */
static gchar **fuzz_known_ids;

static inline gboolean
fuzz_known (const gchar * id)
{
  return fuzz_known_ids && g_strv_contains ((const gchar * const *)
      fuzz_known_ids, id);
}

/* A GError must come with a failure, have a known domain and a message. */
#define FUZZ_CHECK_ERROR(err) G_STMT_START {                            \
    FUZZ_CHECK ((err) != NULL, "failure without a GError");             \
    FUZZ_CHECK ((err)->message != NULL && (err)->message[0] != '\0',    \
        "GError without a message");                                    \
    FUZZ_CHECK (fuzz_known ("utf8")                                     \
        || g_utf8_validate ((err)->message, -1, NULL),                  \
        "GError message is not UTF-8: %s", (err)->message);             \
  } G_STMT_END

/* Log formatting runs on every input (it handles fuzzed strings) but the
 * text goes nowhere. */
static void
fuzz_discard_log (GstDebugCategory * category, GstDebugLevel level,
    const gchar * file, const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  volatile const gchar *text = gst_debug_message_get (message);
  (void) text;
}

static void
fuzz_discard_glib_log (const gchar * domain, GLogLevelFlags level,
    const gchar * message, gpointer user_data)
{
  /* g_return_if_fail in the library or a dependency, reached from input:
   * either the library misuses an API or the harness does; both are bugs. */
  if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    FUZZ_FAIL ("%s: %s", domain ? domain : "", message);
}

static inline void
fuzz_init (void)
{
  /* One-time setup is not the code under test: GStreamer keeps the log
   * function list it replaces alive on purpose (other threads may walk
   * it), which LeakSanitizer would report at exit. */
  if (__lsan_disable)
    __lsan_disable ();
  /* No plugins are needed: keep the registry out of the way. */
  g_setenv ("GST_REGISTRY_DISABLE", "yes", TRUE);
  gst_init (NULL, NULL);
  if (g_getenv ("KVS_FUZZ_VERBOSE") == NULL) {
    gst_debug_remove_log_function (gst_debug_log_default);
    gst_debug_add_log_function (fuzz_discard_log, NULL, NULL);
    gst_debug_set_default_threshold (GST_LEVEL_MEMDUMP);
    gst_debug_set_active (TRUE);
  }
  g_log_set_default_handler (fuzz_discard_glib_log, NULL);
  if (g_getenv ("KVS_FUZZ_KNOWN"))
    fuzz_known_ids = g_strsplit (g_getenv ("KVS_FUZZ_KNOWN"), ",", -1);
  if (__lsan_enable)
    __lsan_enable ();
}

/* The input as a NUL-terminated string (libFuzzer's data is not). */
static inline gchar *
fuzz_strndup (const uint8_t * data, size_t size)
{
  return g_strndup ((const gchar *) data, size);
}

/* Template mode: "<text with @@>\0<raw>" -> the text with its first "@@"
 * replaced by the base64 of <raw>. Lets the fuzzer reach the JSON payload
 * decoders, which only see strict base64. NULL without a NUL byte. */
static inline gchar *
fuzz_expand_template (const uint8_t * data, size_t size)
{
  const uint8_t *nul = memchr (data, '\0', size);
  g_autofree gchar *head = NULL;
  g_autofree gchar *b64 = NULL;
  const gchar *at;

  if (nul == NULL)
    return NULL;
  head = g_strndup ((const gchar *) data, nul - data);
  b64 = g_base64_encode (nul + 1, size - (nul - data) - 1);
  at = strstr (head, "@@");
  if (at == NULL)
    return g_strconcat (head, b64, NULL);
  return g_strdup_printf ("%.*s%s%s", (int) (at - head), head, b64, at + 2);
}

/* Splits the input at '\n' into at most @max fields (the last one keeps
 * the rest). Always returns @max strings, missing ones empty. */
static inline gchar **
fuzz_fields (const uint8_t * data, size_t size, guint max)
{
  g_autofree gchar *s = fuzz_strndup (data, size);
  gchar **parts = g_strsplit (s, "\n", max);
  guint n = g_strv_length (parts);

  if (n < max) {
    parts = g_renew (gchar *, parts, max + 1);
    for (; n < max; n++)
      parts[n] = g_strdup ("");
    parts[max] = NULL;
  }
  return parts;
}
