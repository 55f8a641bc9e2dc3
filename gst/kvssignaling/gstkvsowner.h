/* kvssignaling: the thread-owner check of the client's objects.
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

G_END_DECLS
