/* kvs-signaling-server: SendAlexaOfferToMaster (kinesis-video-signaling,
 * POST /v1/send-alexa-offer-to-master): the offer goes to the master as
 * viewer SenderClientId's (held like any viewer's while no master is
 * connected) and the request waits for the master's answer, at most the
 * channel's message hold time; then ResourceNotFoundException. A newer
 * offer of the same SenderClientId replaces a waiting one (which gets
 * ClientLimitExceededException): a client that gave up and retries is never
 * locked out.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/gst.h>
#include "gstkvserror.h"
#include "gstkvsvalidation.h"
#include "kvsrestapi.h"
#include "kvsserverrequest.h"

GST_DEBUG_CATEGORY_EXTERN (kvs_server_debug);
#define GST_CAT_DEFAULT kvs_server_debug

/* AWS's constraint on MessagePayload. */
#define KVS_ALEXA_PAYLOAD_MAX 10000

#define kvs_quote(value) gst_kvs_validation_quote_value ((value), -1)

/* One request waiting for the master's answer. */
typedef struct
{
  KvsServer *server;
  SoupServerMessage *msg;
  KvsChannel *channel;
  gchar *sender;
  guint timeout_id;
  gulong finished_id;
} KvsAlexaWait;

static void
kvs_alexa_wait_free (KvsAlexaWait * wait)
{
  g_clear_handle_id (&wait->timeout_id, g_source_remove);
  if (wait->finished_id)
    g_signal_handler_disconnect (wait->msg, wait->finished_id);
  g_object_unref (wait->msg);
  g_object_unref (wait->channel);
  g_object_unref (wait->server);
  g_free (wait->sender);
  g_free (wait);
}

/* Answer the paused request and let it go. */
static void
kvs_alexa_wait_reply (KvsAlexaWait * wait, guint status,
    const gchar * error_type, JsonNode * body, const gchar * message)
{
  if (wait->finished_id) {
    g_signal_handler_disconnect (wait->msg, wait->finished_id);
    wait->finished_id = 0;
  }
  if (error_type) {
    kvs_server_get_counters (wait->server)->rest_errors++;
    GST_INFO ("POST /v1/send-alexa-offer-to-master: %s: %s", error_type,
        message);
    kvs_server_reply_error (wait->msg, status, error_type, message);
  } else {
    kvs_server_reply (wait->msg, status, NULL, body);
  }
  soup_server_message_unpause (wait->msg);
  kvs_alexa_wait_free (wait);
}

static void
kvs_alexa_on_answer (KvsChannel * channel, const gchar * payload,
    const GError * error, gpointer user_data)
{
  KvsAlexaWait *wait = user_data;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *obj;

  if (payload == NULL) {
    gboolean replaced = g_error_matches (error, GST_KVS_ERROR,
        GST_KVS_ERROR_CLIENT_LIMIT_EXCEEDED);

    kvs_alexa_wait_reply (wait, replaced ? SOUP_STATUS_BAD_REQUEST :
        SOUP_STATUS_NOT_FOUND, replaced ? "ClientLimitExceededException" :
        "ResourceNotFoundException", NULL, error->message);
    return;
  }
  obj = json_object_new ();
  json_object_set_string_member (obj, "Answer", payload);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, obj);
  kvs_alexa_wait_reply (wait, SOUP_STATUS_OK, NULL, node, NULL);
}

static gboolean
kvs_alexa_on_timeout (gpointer user_data)
{
  KvsAlexaWait *wait = user_data;
  g_autofree gchar *text = g_strdup_printf ("No master answered the offer "
      "within the channel's message TTL (%u s).",
      kvs_channel_get_hold_time (wait->channel));

  wait->timeout_id = 0;
  kvs_channel_cancel_offer (wait->channel, wait->sender);
  kvs_alexa_wait_reply (wait, SOUP_STATUS_NOT_FOUND,
      "ResourceNotFoundException", NULL, text);
  return G_SOURCE_REMOVE;
}

/* The client went away (or the server stops) before the answer. */
static void
kvs_alexa_on_finished (SoupServerMessage * msg, KvsAlexaWait * wait)
{
  GST_INFO ("SendAlexaOfferToMaster of '%s': the request ended before the "
      "answer", wait->sender);
  g_signal_handler_disconnect (wait->msg, wait->finished_id);
  wait->finished_id = 0;
  kvs_channel_cancel_offer (wait->channel, wait->sender);
  kvs_alexa_wait_free (wait);
}

JsonNode *
kvs_rest_send_alexa_offer (KvsServer * self, KvsRestContext * ctx,
    JsonObject * req, GError ** error)
{
  const gchar *sender, *payload;
  g_autoptr (GError) verror = NULL;
  KvsChannel *channel;
  KvsAlexaWait *wait;
  gsize len;

  if (!kvs_rest_get_required_string (req, "SenderClientId", &sender, error) ||
      !kvs_rest_get_required_string (req, "MessagePayload", &payload, error))
    return NULL;
  if (!gst_kvs_validate_id ("SenderClientId", sender, &verror)) {
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        verror->message);
    return NULL;
  }
  len = strlen (payload);
  if (len < 1 || len > KVS_ALEXA_PAYLOAD_MAX ||
      strspn (payload, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
          "0123456789+/=") != len) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value at 'messagePayload' failed to "
        "satisfy constraint: Member must have length between 1 and %u and "
        "satisfy regular expression pattern: [a-zA-Z0-9+/=]+",
        KVS_ALEXA_PAYLOAD_MAX);
    return NULL;
  }
  channel = kvs_rest_find_channel (self, req, FALSE, error);
  if (channel == NULL)
    return NULL;

  if (ctx->msg == NULL) {
    /* no request to answer later (kvs_server_dispatch_rest(): the fuzz
     * target): nothing relayed, nothing changed */
    g_set_error_literal (error, GST_KVS_ERROR,
        GST_KVS_ERROR_RESOURCE_NOT_FOUND,
        "No master answered the offer (no request to wait on).");
    return NULL;
  }

  wait = g_new0 (KvsAlexaWait, 1);
  wait->server = g_object_ref (self);
  wait->channel = g_object_ref (channel);
  wait->sender = g_strdup (sender);
  wait->msg = g_object_ref (ctx->msg);
  if (!kvs_channel_relay_offer (channel, sender, payload,
          kvs_alexa_on_answer, wait, error)) {
    kvs_alexa_wait_free (wait);
    return NULL;
  }
  wait->timeout_id = g_timeout_add_seconds (kvs_channel_get_hold_time
      (channel), kvs_alexa_on_timeout, wait);
  wait->finished_id = g_signal_connect (wait->msg, "finished",
      G_CALLBACK (kvs_alexa_on_finished), wait);
  soup_server_message_pause (wait->msg);
  ctx->deferred = TRUE;
  return NULL;
}
