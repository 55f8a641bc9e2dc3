/* kvssignaling: what a shared connection tells the application, posted on
 * the bus through the first element attached to it.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>
#include <gst/kvssignaling/kvssignaling.h>

G_BEGIN_DECLS

#define GST_TYPE_KVS_BUS_REPORTER (gst_kvs_bus_reporter_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsBusReporter, gst_kvs_bus_reporter,
    GST, KVS_BUS_REPORTER, GObject)

/* Every function may be called from any thread (the client's, webrtcbin's,
 * the application's); nothing is called out with the reporter's lock held.
 * @settings: the connection's (the role, the channel and the endpoint name
 * it in the text). */
GstKvsBusReporter *gst_kvs_bus_reporter_new (const GstKvsSettings *
    settings);

/* The elements that may post; the first one does (not referenced: an
 * element detaches itself before it goes). */
void gst_kvs_bus_reporter_add_element (GstKvsBusReporter * self,
    GstElement * element);
void gst_kvs_bus_reporter_remove_element (GstKvsBusReporter * self,
    GstElement * element);

/* An error or warning (@type) on the bus; takes @text and @debug. Without
 * an element only logged. */
void gst_kvs_bus_reporter_problem (GstKvsBusReporter * self,
    GstMessageType type, GQuark domain, gint code, gchar * text, gchar * debug);
/* An element message; takes @s. */
void gst_kvs_bus_reporter_element_message (GstKvsBusReporter * self,
    GstStructure * s);
/* "kvssignaling-message": @msg went out to, or came from, @peer. */
void gst_kvs_bus_reporter_message_event (GstKvsBusReporter * self,
    const gchar * direction, const GstKvsMessage * msg, const gchar * peer);

/* The client gave up (its "error"): a bus error whose code says what to
 * fix; the debug part names the endpoint and the region @client used. */
void gst_kvs_bus_reporter_client_error (GstKvsBusReporter * self,
    GstKvsSignalingClient * client, const GError * err);
/* The client retries after failing at @step (its "connect-failed"): a
 * warning, unless the same failure was just posted (the first one, then
 * every tenth, is); a replaced connection says who took the channel.
 * @started: an element still uses the connection. */
void gst_kvs_bus_reporter_connect_failure (GstKvsBusReporter * self,
    GstKvsSignalingClient * client, GstKvsSignalingState step,
    const GError * err, guint retry_ms, gboolean started);
/* Connected: the next failure is posted again. */
void gst_kvs_bus_reporter_connected (GstKvsBusReporter * self);

G_END_DECLS
