/* kvssignaling: the client's thread: owner check and timers.
 * Internal to the library (not installed).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The client's objects live in the client's thread, which owns their
 * #GMainContext (pushed as thread default, hence acquired, for the thread's
 * whole life): a function that must run there starts with one of these.
 * Called from another thread, it warns "Called from wrong thread" and
 * returns. */
#define GST_KVS_CHECK_OWNER(context) G_STMT_START {                     \
  if (G_UNLIKELY (!g_main_context_is_owner (context))) {                \
    g_critical ("%s: Called from wrong thread", G_STRFUNC);             \
    return;                                                             \
  }                                                                     \
} G_STMT_END

#define GST_KVS_CHECK_OWNER_VAL(context, val) G_STMT_START {            \
  if (G_UNLIKELY (!g_main_context_is_owner (context))) {                \
    g_critical ("%s: Called from wrong thread", G_STRFUNC);             \
    return (val);                                                       \
  }                                                                     \
} G_STMT_END

/* A timeout of @ms on @context calling @func with @data; the returned
 * reference is the caller's (see gst_kvs_source_clear()). */
static inline GSource *
gst_kvs_timeout_add (GMainContext * context, guint ms, GSourceFunc func,
    gpointer data)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, context);
  return source;
}

/* Calls @func with @data once, soon, at @priority on @context. */
static inline void
gst_kvs_idle_add (GMainContext * context, gint priority, GSourceFunc func,
    gpointer data)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, priority);
  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, context);
  g_source_unref (source);
}

/* Destroys *@source, if any, and drops the reference. */
static inline void
gst_kvs_source_clear (GSource ** source)
{
  if (*source) {
    g_source_destroy (*source);
    g_clear_pointer (source, g_source_unref);
  }
}

G_END_DECLS
