/* kvssignaling: the plugin, registering kvssignalingsink and kvssignalingsrc.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvssignalingelements.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = FALSE;

  ret |= GST_ELEMENT_REGISTER (kvssignalingsink, plugin);
  ret |= GST_ELEMENT_REGISTER (kvssignalingsrc, plugin);
  ret |= GST_ELEMENT_REGISTER (kvswebrtcsrc, plugin);
  ret |= GST_ELEMENT_REGISTER (kvswebrtcsink, plugin);

  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, kvssignaling,
    "Amazon Kinesis Video Streams WebRTC signaling for webrtcbin",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
