/* kvssignaling: registration of the plugin's elements.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

void kvs_signaling_element_init (GstPlugin * plugin);

GST_ELEMENT_REGISTER_DECLARE (kvssignalingsink);
GST_ELEMENT_REGISTER_DECLARE (kvssignalingsrc);
GST_ELEMENT_REGISTER_DECLARE (kvswebrtcsrc);
GST_ELEMENT_REGISTER_DECLARE (kvswebrtcsink);

G_END_DECLS
