/* Shared by the gst-check programs: waiting, bounded, for a condition
 * another thread makes true.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/check/gstcheck.h>

/* Waits (under @lockp, signalled on @condp, with a deadline of @secs
 * seconds) until @expr holds; fails the test otherwise. */
#define KVS_TEST_WAIT(lockp, condp, expr, secs) G_STMT_START {             \
  gint64 _end = g_get_monotonic_time () + (secs) * G_TIME_SPAN_SECOND;     \
  gboolean _ok;                                                            \
  g_mutex_lock (lockp);                                                    \
  while (!(expr))                                                          \
    if (!g_cond_wait_until (condp, lockp, _end))                           \
      break;                                                               \
  _ok = (expr);                                                            \
  g_mutex_unlock (lockp);                                                  \
  fail_unless (_ok, "timed out after %d s waiting for %s", (int) (secs),   \
      #expr);                                                              \
} G_STMT_END
