/* kvssignaling: what both elements need once per process.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvssignalingelements.h"
#include "gstkvssignalingbase.h"
#include "gstkvswebrtcbase.h"

#include <gst/kvssignaling/kvssignaling.h>

void
kvs_signaling_element_init (GstPlugin * plugin)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    gst_type_mark_as_plugin_api (GST_TYPE_KVS_ROLE, 0);
    gst_type_mark_as_plugin_api (GST_TYPE_KVS_SIGNALING_STATE, 0);
    gst_type_mark_as_plugin_api (GST_TYPE_KVS_SIGNALING_BASE, 0);
    gst_type_mark_as_plugin_api (GST_TYPE_KVS_WEBRTC_BASE, 0);
    g_once_init_leave (&done, 1);
  }
}
