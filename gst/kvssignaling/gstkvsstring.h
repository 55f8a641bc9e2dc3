/* kvssignaling: appending to a GString without a call (not installed; used
 * by the library's JSON writer and the plugin's SDP writer).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <string.h>
#include <glib.h>

G_BEGIN_DECLS

/* g_string_append_len() inlined: GLib 2.74 has no inline fast path, and the
 * writers of SDP and JSON text append a few bytes at a time (a call each
 * was half of the SDP writer's time). */
static inline void
gst_kvs_string_append_len (GString * out, const gchar * str, gsize len)
{
  if (G_UNLIKELY (out->len + len >= out->allocated_len)) {
    g_string_append_len (out, str, (gssize) len);
    return;
  }
  memcpy (out->str + out->len, str, len);
  out->len += len;
  out->str[out->len] = '\0';
}

G_END_DECLS
