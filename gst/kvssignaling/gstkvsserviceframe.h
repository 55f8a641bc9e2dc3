/* kvssignaling: the frames the service writes. Not installed: a static
 * library shared by the local service (tools/kvs-signaling-server) and the
 * library's tests.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvsmessage.h"

G_BEGIN_DECLS

/* Server side: the frame delivered to a recipient
 * {"messageType","messagePayload","senderClientId"?}. */
gchar *gst_kvs_message_to_service_frame (const GstKvsMessage * msg,
    const gchar * sender_client_id);

/* Server side: a STATUS_RESPONSE frame. */
gchar *gst_kvs_message_status_response_frame (const gchar * correlation_id,
    const gchar * error_type, guint status_code, const gchar * description);

G_END_DECLS
