/* kvssignaling: JoinStorageSession for a master (WebRTC ingestion), off the
 * signaling and streaming threads.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>
#include <gst/kvssignaling/kvssignaling.h>

G_BEGIN_DECLS

#define GST_TYPE_KVS_STORAGE_JOINER (gst_kvs_storage_joiner_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsStorageJoiner, gst_kvs_storage_joiner,
    GST, KVS_STORAGE_JOINER, GObject)

/* A join ended: @error NULL when the service accepted it (the storage
 * peer's offer then comes over signaling). Called from the joiner's thread
 * (never for a join cancelled or replaced). */
typedef void (*GstKvsStorageJoinerDone) (GstKvsStorageJoiner * joiner,
    guint attempt, const GError * error, gpointer user_data);

/* A joiner with its own thread and GMainContext (its SoupSession, its
 * credentials chain from @settings: explicit keys, profile, IoT, ...;
 * @settings' endpoint and ca-file). @done is called with @user_data, which
 * must outlive gst_kvs_storage_joiner_stop(). */
GstKvsStorageJoiner *gst_kvs_storage_joiner_new (const GstKvsSettings *
    settings, GstKvsStorageJoinerDone done, gpointer user_data);

/* Any thread: GetSignalingChannelEndpoint (WEBRTC) and JoinStorageSession
 * for channel @arn in @region, after @delay_ms; replaces the join scheduled
 * or under way. Returns the attempt's number (given to @done). */
guint gst_kvs_storage_joiner_join (GstKvsStorageJoiner * self,
    const gchar * arn, const gchar * region, guint delay_ms);

/* Any thread: the join scheduled or under way is dropped. */
void gst_kvs_storage_joiner_cancel (GstKvsStorageJoiner * self);

/* Any thread but the joiner's: cancels, ends and joins the thread; no
 * @done after it. Idempotent. */
void gst_kvs_storage_joiner_stop (GstKvsStorageJoiner * self);

G_END_DECLS
