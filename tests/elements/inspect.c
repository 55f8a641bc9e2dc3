/* What gst-inspect-1.0 shows of kvssignalingsink and kvssignalingsrc: every
 * property and signal of the element issue, documented, with the right
 * flags and types.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/webrtc/webrtc.h>

static const gchar *common_properties[] = {
  "role", "channel-name", "channel-arn", "aws-region", "client-id",
  "recipient-client-id", "correlation-id", "access-key", "secret-key",
  "session-token", "endpoint", "ca-file", "create-channel", "webrtcbin",
  "webrtcbin-name", "state", "stats", "auto-negotiate", "recv-caps",
  "local-addresses", "stun-server", "profile", "join-storage-session",
};

static void
check_blurb (const gchar * what, const gchar * blurb)
{
  gsize len;

  fail_unless (blurb != NULL, "%s has no blurb", what);
  len = strlen (blurb);
  fail_unless (len > 20, "%s: blurb too short: '%s'", what, blurb);
  fail_unless (g_ascii_isupper (blurb[0]), "%s: '%s' is not a sentence",
      what, blurb);
  fail_unless (blurb[len - 1] == '.', "%s: '%s' does not end a sentence",
      what, blurb);
}

static void
check_common_properties (const gchar * factory)
{
  GstElement *e = gst_element_factory_make (factory, NULL);
  GObjectClass *klass;
  GParamSpec *p;
  guint i;

  fail_unless (e != NULL, "no element %s", factory);
  klass = G_OBJECT_GET_CLASS (e);

  for (i = 0; i < G_N_ELEMENTS (common_properties); i++) {
    g_autofree gchar *what = g_strdup_printf ("%s:%s", factory,
        common_properties[i]);

    p = g_object_class_find_property (klass, common_properties[i]);
    fail_unless (p != NULL, "%s missing", what);
    check_blurb (what, g_param_spec_get_blurb (p));
  }

  /* Secrets are write-only. */
  p = g_object_class_find_property (klass, "secret-key");
  fail_if (p->flags & G_PARAM_READABLE);
  fail_unless (p->flags & G_PARAM_WRITABLE);
  p = g_object_class_find_property (klass, "session-token");
  fail_if (p->flags & G_PARAM_READABLE);
  fail_unless (p->flags & GST_PARAM_MUTABLE_PLAYING);
  /* Connection settings change only in NULL. */
  p = g_object_class_find_property (klass, "channel-name");
  fail_unless (p->flags & GST_PARAM_MUTABLE_READY);
  /* Read-only state and stats. */
  p = g_object_class_find_property (klass, "state");
  fail_if (p->flags & G_PARAM_WRITABLE);
  fail_unless (G_IS_PARAM_SPEC_ENUM (p));
  p = g_object_class_find_property (klass, "stats");
  fail_if (p->flags & G_PARAM_WRITABLE);
  fail_unless (p->value_type == GST_TYPE_STRUCTURE);
  p = g_object_class_find_property (klass, "webrtcbin");
  fail_unless (p->value_type == GST_TYPE_ELEMENT);
  p = g_object_class_find_property (klass, "recv-caps");
  fail_unless (p->value_type == GST_TYPE_CAPS);
  p = g_object_class_find_property (klass, "auto-negotiate");
  fail_unless (G_PARAM_SPEC_BOOLEAN (p)->default_value == TRUE);
  p = g_object_class_find_property (klass, "create-channel");
  fail_unless (G_PARAM_SPEC_BOOLEAN (p)->default_value == FALSE);

  /* role: an enum with the nicks master and viewer, default master. */
  p = g_object_class_find_property (klass, "role");
  fail_unless (G_IS_PARAM_SPEC_ENUM (p));
  {
    GEnumClass *ec = G_PARAM_SPEC_ENUM (p)->enum_class;
    GEnumValue *m = g_enum_get_value_by_nick (ec, "master");
    GEnumValue *v = g_enum_get_value_by_nick (ec, "viewer");

    fail_unless (m && v && m->value != v->value);
    fail_unless_equals_int (G_PARAM_SPEC_ENUM (p)->default_value, m->value);
    gst_util_set_object_arg (G_OBJECT (e), "role", "viewer");
  }
  {
    gint role;

    g_object_get (e, "role", &role, NULL);
    fail_unless_equals_int (role, 1);
  }

  /* A plain element: no pads, no SINK/SOURCE flag (gst-launch -e waits for
   * EOS from every sink-flagged child). */
  fail_if (GST_OBJECT_FLAG_IS_SET (e, GST_ELEMENT_FLAG_SINK));
  fail_if (GST_OBJECT_FLAG_IS_SET (e, GST_ELEMENT_FLAG_SOURCE));
  fail_unless_equals_int (e->numpads, 0);
  fail_unless (gst_element_class_get_pad_template_list (GST_ELEMENT_GET_CLASS
          (e)) == NULL);

  /* State NEW and stats readable before anything happens. */
  {
    GstStructure *stats = NULL;
    gint state = -1;

    g_object_get (e, "stats", &stats, "state", &state, NULL);
    fail_unless (stats != NULL);
    fail_unless_equals_int (state, 0);
    gst_structure_free (stats);
  }

  gst_object_unref (e);
}

GST_START_TEST (test_sink_properties)
{
  check_common_properties ("kvssignalingsink");
}

GST_END_TEST;

GST_START_TEST (test_src_properties)
{
  check_common_properties ("kvssignalingsrc");
}

GST_END_TEST;

typedef struct
{
  const gchar *name;
  GType ret;
  guint n_params;
  GType params[4];
  gboolean action;
} SignalSpec;

static void
check_signals (const gchar * factory, const SignalSpec * specs, guint n)
{
  GstElement *e = gst_element_factory_make (factory, NULL);
  guint i, j;

  for (i = 0; i < n; i++) {
    GSignalQuery q;
    guint id = g_signal_lookup (specs[i].name, G_OBJECT_TYPE (e));

    fail_unless (id != 0, "%s::%s missing", factory, specs[i].name);
    g_signal_query (id, &q);
    fail_unless (q.return_type == specs[i].ret, "%s::%s return type",
        factory, specs[i].name);
    fail_unless_equals_int (q.n_params, specs[i].n_params);
    for (j = 0; j < q.n_params; j++)
      fail_unless ((q.param_types[j] & ~G_SIGNAL_TYPE_STATIC_SCOPE) ==
          specs[i].params[j], "%s::%s param %u is %s", factory,
          specs[i].name, j, g_type_name (q.param_types[j]));
    fail_unless (!!(q.signal_flags & G_SIGNAL_ACTION) == specs[i].action,
        "%s::%s action flag", factory, specs[i].name);
  }
  gst_object_unref (e);
}

GST_START_TEST (test_src_signals)
{
  GType desc = GST_TYPE_WEBRTC_SESSION_DESCRIPTION;
  const SignalSpec specs[] = {
    {"offer-received", G_TYPE_NONE, 2, {G_TYPE_STRING, desc}, FALSE},
    {"answer-received", G_TYPE_NONE, 2, {G_TYPE_STRING, desc}, FALSE},
    {"ice-candidate-received", G_TYPE_NONE, 4, {G_TYPE_STRING, G_TYPE_UINT,
            G_TYPE_STRING, G_TYPE_STRING}, FALSE},
    {"status-response", G_TYPE_NONE, 4, {G_TYPE_STRING, G_TYPE_STRING,
            G_TYPE_UINT, G_TYPE_STRING}, FALSE},
    {"peer-added", G_TYPE_NONE, 1, {G_TYPE_STRING}, FALSE},
    {"peer-removed", G_TYPE_NONE, 1, {G_TYPE_STRING}, FALSE},
    {"request-webrtcbin", GST_TYPE_ELEMENT, 1, {G_TYPE_STRING}, FALSE},
  };

  check_signals ("kvssignalingsrc", specs, G_N_ELEMENTS (specs));
}

GST_END_TEST;

GST_START_TEST (test_sink_signals)
{
  GType desc = GST_TYPE_WEBRTC_SESSION_DESCRIPTION;
  const SignalSpec specs[] = {
    {"send-offer", G_TYPE_BOOLEAN, 2, {G_TYPE_STRING, desc}, TRUE},
    {"send-answer", G_TYPE_BOOLEAN, 2, {G_TYPE_STRING, desc}, TRUE},
    {"send-ice-candidate", G_TYPE_BOOLEAN, 4, {G_TYPE_STRING, G_TYPE_UINT,
            G_TYPE_STRING, G_TYPE_STRING}, TRUE},
    {"offer-sent", G_TYPE_NONE, 3, {G_TYPE_STRING, desc, G_TYPE_STRING},
        FALSE},
    {"answer-sent", G_TYPE_NONE, 3, {G_TYPE_STRING, desc, G_TYPE_STRING},
        FALSE},
  };

  check_signals ("kvssignalingsink", specs, G_N_ELEMENTS (specs));
}

GST_END_TEST;

/* Sending without a connection is refused, not a crash. */
GST_START_TEST (test_sink_send_in_null_refused)
{
  GstElement *e = gst_element_factory_make ("kvssignalingsink", NULL);
  gboolean queued = TRUE;

  g_signal_emit_by_name (e, "send-ice-candidate", "viewer-1", 0, "video0",
      "candidate:1 1 UDP 2122252543 127.0.0.1 5000 typ host", &queued);
  fail_if (queued);
  gst_object_unref (e);
}

GST_END_TEST;

/* What a user sees first: gst-inspect-1.0 output. */
GST_START_TEST (test_gst_inspect_output)
{
  const gchar *factories[] = { "kvssignalingsink", "kvssignalingsrc" };
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (factories); i++) {
    gchar *argv[] = { (gchar *) "gst-inspect-1.0", (gchar *) factories[i],
      NULL
    };
    g_autofree gchar *out = NULL;
    g_autoptr (GError) err = NULL;
    gint status = -1;

    fail_unless (g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
            NULL, &out, NULL, &status, &err), "%s",
        err ? err->message : "spawn");
    fail_unless (g_spawn_check_wait_status (status, NULL));
    for (j = 0; j < G_N_ELEMENTS (common_properties); j++) {
      /* "  name   : blurb", or "  name: blurb" for the longest names */
      g_autofree gchar *needle = g_strdup_printf ("  %s ",
          common_properties[j]);
      g_autofree gchar *longest = g_strdup_printf ("\n  %s: ",
          common_properties[j]);
      fail_unless (strstr (out, needle) != NULL
          || strstr (out, longest) != NULL, "%s: %s not shown",
          factories[i], common_properties[j]);
    }
    fail_unless (strstr (out, "(0): master") != NULL);
    fail_unless (strstr (out, "(1): viewer") != NULL);
    fail_unless (strstr (out, "Pad Templates:\n  none") != NULL);
  }
}

GST_END_TEST;

static Suite *
inspect_suite (void)
{
  Suite *s = suite_create ("inspect");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_sink_properties);
  tcase_add_test (tc, test_src_properties);
  tcase_add_test (tc, test_src_signals);
  tcase_add_test (tc, test_sink_signals);
  tcase_add_test (tc, test_sink_send_in_null_refused);
  tcase_add_test (tc, test_gst_inspect_output);
  return s;
}

GST_CHECK_MAIN (inspect);
