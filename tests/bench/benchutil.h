/* kvssignaling benchmarks: small helpers shared by the bench programs.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Print @builder's root (an object) as one line of JSON on stdout. */
void bench_print_json (JsonBuilder * builder);

/* An array member @name holding @n integers. */
void bench_add_int_array (JsonBuilder * builder, const gchar * name,
    const gint64 * values, guint n);

/* VmRSS of /proc/<pid>/status in KiB (pid 0 = self), -1 on error. */
gint64 bench_rss_kib (gint pid);

/* Raise RLIMIT_NOFILE's soft limit to the hard limit; returns the new one. */
guint64 bench_raise_nofile (void);

/* An SDP of about @target_payload base64 characters once wrapped as a KVS
 * messagePayload, carrying "a=x-bench-seq:@seq". */
gchar *bench_make_sdp (const gchar * type, guint seq, gsize target_payload);

/* "candidate:<seq> 1 udp 2122260223 127.0.0.1 <port> typ host ..." */
gchar *bench_make_candidate (guint seq);

/* The sequence number a bench candidate or SDP carries, -1 if none. */
gint64 bench_candidate_seq (const gchar * candidate);
gint64 bench_sdp_seq (const gchar * sdp);


G_END_DECLS
