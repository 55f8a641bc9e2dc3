/* Shared by the element tests (e2e, webrtcsink, webrtcsrc, session): the
 * local service as a subprocess, pipelines from descriptions, their buses
 * and frame counters, the elements a test needs.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* Starts the local service, kvs-signaling-server ($KVS_SERVER, else the one
 * built), on 127.0.0.1 with the credentials @access_key/@secret_key, region
 * us-west-2, the channel @channel and the further arguments @extra (NULL or
 * NULL-terminated); fails the test when it does not say its URL within
 * 10 s. One service per process. */
void elem_service_start (const gchar * access_key, const gchar * secret_key,
    const gchar * channel, const gchar * const *extra);

/* Stops the service with SIGTERM (none running: nothing); fails the test
 * when it does not stop within 5 s (it is then killed). */
void elem_service_stop (void);

/* The service's URL ("http://127.0.0.1:<port>"), NULL when none runs. */
const gchar *elem_service_endpoint (void);

/* POST /_control/@action of the service (started with --control) with the
 * JSON body @json; fails the test unless it answers 200. */
void elem_service_control_post (const gchar * action, const gchar * json);

/* The pipeline of gst-launch description @desc; fails the test on any
 * parse error. */
GstElement *elem_launch (const gchar * desc);

/* Sets @pipeline to PLAYING; fails the test when that fails at once. */
void elem_play (GstElement * pipeline);

/* Sets @pipeline (NULL: nothing) to NULL and drops the reference. */
void elem_stop (GstElement * pipeline);

/* Counts the buffers of the fakesink @sink_name (signal-handoffs=true) of
 * @bin in *@counter (atomically); fails the test when there is no such
 * element. */
void elem_count_frames (GstElement * bin, const gchar * sink_name,
    gint * counter);

/* Links @pad to a new bin of @desc (its pads ghosted) in @pipeline, whose
 * fakesink @sink_name counts its buffers in *@counter; fails the test when
 * @desc does not parse or the link fails. */
void elem_link_counted (GstElement * pipeline, GstPad * pad,
    const gchar * desc, const gchar * sink_name, gint * counter);

/* The "stats" property of the element @name of @pipeline (fails the test
 * when there is none); free with gst_structure_free(). */
GstStructure *elem_dup_stats (GstElement * pipeline, const gchar * name);

/* The guint64 @field of @stats; fails the test when there is none. */
guint64 elem_stat_u64 (const GstStructure * stats, const gchar * field);

/* Called with each warning elem_check_bus() pops. */
typedef void (*ElemWarningFunc) (const GError * warning, gpointer data);

/* Pops every error and warning of @pipeline's bus: fails the test on an
 * error; passes each warning to @func (may be NULL). */
void elem_check_bus (GstElement * pipeline, ElemWarningFunc func,
    gpointer data);

/* elem_check_bus(), returning (a copy of) the first warning that contains
 * @needle and, if not NULL, @needle2; NULL when none (or @needle is NULL). */
gchar *elem_check_bus_find (GstElement * pipeline, const gchar * needle,
    const gchar * needle2);

/* Whether @webrtcbin has a local description (its offer or answer made). */
gboolean elem_has_local_description (GstElement * webrtcbin);

/* Whether every element of @names (NULL-terminated) is installed. */
gboolean elem_have_factories (const gchar * const *names);

G_END_DECLS
