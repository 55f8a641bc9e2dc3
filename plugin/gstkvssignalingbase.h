/* kvssignaling: the properties and life cycle both elements share.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>
#include "gstkvsconnection.h"

G_BEGIN_DECLS

#define GST_TYPE_KVS_SIGNALING_BASE (gst_kvs_signaling_base_get_type ())
G_DECLARE_DERIVABLE_TYPE (GstKvsSignalingBase, gst_kvs_signaling_base,
    GST, KVS_SIGNALING_BASE, GstElement)

/**
 * GstKvsSignalingBaseClass:
 * @attach: the element joined @connection (NULL→READY): connect to its
 *   signals.
 * @detach: the element leaves @connection (READY→NULL): disconnect.
 * @can_serve_without_webrtcbin: a master may start with no webrtcbin when
 *   the application hands one out per viewer (request-webrtcbin).
 */
struct _GstKvsSignalingBaseClass
{
  GstElementClass parent_class;

  void (*attach) (GstKvsSignalingBase * self, GstKvsConnection * connection);
  void (*detach) (GstKvsSignalingBase * self, GstKvsConnection * connection);
  gboolean (*can_serve_without_webrtcbin) (GstKvsSignalingBase * self);
};

/* The connection while READY or above (a new reference), else NULL. */
GstKvsConnection *gst_kvs_signaling_base_dup_connection (
    GstKvsSignalingBase * self);

gboolean gst_kvs_signaling_base_get_auto_negotiate (GstKvsSignalingBase *
    self);
/* The recipient-client-id property (master: the default viewer). */
gchar *gst_kvs_signaling_base_dup_recipient (GstKvsSignalingBase * self);

/* For bins that own their webrtcbin and replace it when its session dies
 * (kvswebrtcsrc). Release: stop driving the current webrtcbin (the
 * connection closes its session) and forget it. Use: drive @webrtcbin from
 * now on: prepared as at NULL→READY (local addresses, recv-caps), and
 * handed to the connection at once when the element has one (a viewer
 * then offers), else at READY→PAUSED. Both elements of a pair drive the
 * same webrtcbin: release it from both before using the next one. FALSE
 * after posting an error. */
void gst_kvs_signaling_base_release_webrtcbin (GstKvsSignalingBase * self);
gboolean gst_kvs_signaling_base_use_webrtcbin (GstKvsSignalingBase * self,
    GstElement * webrtcbin);

G_END_DECLS
