/* Unit tests: the token bucket shared by the client's pacing and the
 * service's quotas (gstkvstokenbucket.c).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include "gstkvstokenbucket.h"

#define MS 1000                 /* µs */

GST_START_TEST (test_burst_then_rate)
{
  GstKvsTokenBucket b;
  gint64 t = 1000 * G_USEC_PER_SEC;

  /* the client's ICE bucket: a burst of 10, 18 per second */
  gst_kvs_token_bucket_init (&b, 10, 18.0, t);
  for (guint i = 0; i < 10; i++)
    fail_unless_equals_int (gst_kvs_token_bucket_take (&b, t), 0);
  /* empty: the next token in 1/18 s, rounded up */
  fail_unless_equals_int (gst_kvs_token_bucket_take (&b, t), 56);
  fail_unless (gst_kvs_token_bucket_take (&b, t + 50 * MS) > 0);
  fail_unless_equals_int (gst_kvs_token_bucket_take (&b, t + 56 * MS), 0);
  /* refilled up to the burst, never more */
  t += (gint64) 3600 * G_USEC_PER_SEC;
  for (guint i = 0; i < 10; i++)
    fail_unless_equals_int (gst_kvs_token_bucket_take (&b, t), 0);
  fail_unless (gst_kvs_token_bucket_take (&b, t) > 0);
}

GST_END_TEST;

GST_START_TEST (test_service_quota)
{
  GstKvsTokenBucket b;
  gint64 t = 5 * G_USEC_PER_SEC;
  guint taken = 0;

  /* the service's: one second of its rate, 5 offers per second */
  gst_kvs_token_bucket_init (&b, 5, 5.0, t);
  for (guint i = 0; i < 20; i++)
    taken += gst_kvs_token_bucket_take (&b, t + i * 10 * MS) == 0;
  /* 5 at once over the 190 ms of tries, the sixth a little over 200 ms in */
  fail_unless_equals_int (taken, 5);
  fail_unless_equals_int (gst_kvs_token_bucket_take (&b, t + 210 * MS), 0);
  /* time going back (never with a monotonic clock) refills nothing */
  fail_unless (gst_kvs_token_bucket_take (&b, t) > 0);
}

GST_END_TEST;

GST_START_TEST (test_no_limit)
{
  GstKvsTokenBucket b;

  gst_kvs_token_bucket_init (&b, 0, 0, 0);
  for (guint i = 0; i < 100; i++)
    fail_unless_equals_int (gst_kvs_token_bucket_take (&b, 0), 0);
}

GST_END_TEST;

static Suite *
tokenbucket_suite (void)
{
  Suite *s = suite_create ("kvstokenbucket");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_burst_then_rate);
  tcase_add_test (tc, test_service_quota);
  tcase_add_test (tc, test_no_limit);
  return s;
}

GST_CHECK_MAIN (tokenbucket);
