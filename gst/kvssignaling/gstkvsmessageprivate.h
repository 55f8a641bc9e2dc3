/* kvssignaling: what the message writers inside the project share beyond
 * the public GstKvsMessage (gstkvsmessage.c, gstkvsserviceframe.c).
 * Internal: not installed. Only the struct's layout and inline code: the
 * service's static library (gstkvsserviceframe.c) reads it without calling
 * into the shared library's hidden symbols.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvscodec.h"
#include "gstkvsmessage.h"

G_BEGIN_DECLS

/* The refcount lives in a wrapper the public struct is the first member of. */
typedef struct
{
  GstKvsMessage msg;
  gint refcount;
  /* msg.payload when it is known to be base64 (made by a constructor or
   * checked by a parser): to_client_frame() then only checks its length. */
  const gchar *checked_payload;
} GstKvsMessageImpl;

/* Appends ,"messagePayload":"@msg's payload"; a payload made or checked
 * by the library is base64, which JSON writes as it is. FALSE when an
 * unchecked payload is not UTF-8. */
static inline gboolean
gst_kvs_message_append_payload (GString * out, const GstKvsMessage * msg)
{
  if (msg->payload != ((const GstKvsMessageImpl *) msg)->checked_payload)
    return gst_kvs_json_append_member (out, "messagePayload", msg->payload);
  g_string_append (out, ",\"messagePayload\":\"");
  g_string_append (out, msg->payload);
  g_string_append_c (out, '"');
  return TRUE;
}

G_END_DECLS
