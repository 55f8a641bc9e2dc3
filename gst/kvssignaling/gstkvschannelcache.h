/* kvssignaling: the on-disk cache of channels' ARNs and endpoints.
 * Internal to the library (not installed).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>
#include "gstkvstypes.h"
#include "gstkvscontrolplane.h"

G_BEGIN_DECLS
#define GST_KVS_TYPE_CHANNEL_CACHE (gst_kvs_channel_cache_get_type ())
    G_GNUC_INTERNAL
G_DECLARE_FINAL_TYPE (GstKvsChannelCache, gst_kvs_channel_cache,
    GST_KVS, CHANNEL_CACHE, GObject)
/* Entries live this long unless KVS_SIGNALING_CACHE_TTL says otherwise. */
#define GST_KVS_CHANNEL_CACHE_DEFAULT_TTL_S 3600
/* A cache of the files in @dir whose entries live @ttl_s seconds. */
     G_GNUC_INTERNAL GstKvsChannelCache *gst_kvs_channel_cache_new (const gchar
    * dir, guint ttl_s);
/* The cache the environment asks for: KVS_SIGNALING_CACHE_DIR (a folder;
 * "none" turns the cache off), else $XDG_CACHE_HOME/kvssignaling (else
 * ~/.cache/kvssignaling); KVS_SIGNALING_CACHE_TTL seconds (0 turns it off).
 * NULL when off. */
     G_GNUC_INTERNAL GstKvsChannelCache
         *gst_kvs_channel_cache_new_from_env (void);

/* What an entry is for: the role, the channel (its ARN when the user gave
 * one, else its name), the region and the control-plane endpoint. */
G_GNUC_INTERNAL
    gchar * gst_kvs_channel_cache_make_key (GstKvsRole role, const gchar * name,
    const gchar * arn, const gchar * region, const gchar * endpoint);

/* A fresh entry of @key: TRUE with the ARN and the endpoints (transfer
 * full); FALSE when there is none, it expired or the file is not one of
 * ours (a debug message says which). */
G_GNUC_INTERNAL
    gboolean gst_kvs_channel_cache_lookup (GstKvsChannelCache * self,
    const gchar * key, gchar ** arn, GstKvsEndpoints ** endpoints);
/* Writes the entry of @key (a temporary file renamed over the old one,
 * mode 0600). Failures are logged, never fatal. */
     G_GNUC_INTERNAL void
     gst_kvs_channel_cache_store (GstKvsChannelCache * self,
    const gchar * key, const gchar * arn, const GstKvsEndpoints * endpoints);
/* Drops the entry of @key, if any. */
     G_GNUC_INTERNAL void
     gst_kvs_channel_cache_remove (GstKvsChannelCache * self,
    const gchar * key);
/* The file of @key (for tests and messages). */
G_GNUC_INTERNAL
    gchar * gst_kvs_channel_cache_get_path (GstKvsChannelCache * self,
    const gchar * key);

G_END_DECLS
