/* kvs-signaling-server: what the REST operations share: the request's
 * context, the readers of request fields, the channel lookup; and the
 * operations kept in their own files (kvsrestchannel.c: update and tags;
 * kvsalexaoffer.c: SendAlexaOfferToMaster; kvsreststorage.c: streams,
 * media storage, JoinStorageSession).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include "kvsserver.h"

G_BEGIN_DECLS

/* One REST request: what the operation needs besides its body, and an
 * error it replies itself (not a GError: VersionMismatchException,
 * TagsPerResourceExceededLimitException). @msg: the HTTP request, NULL when
 * the operation runs without one (the fuzz target). An operation that
 * answers later sets @deferred and returns NULL without error. */
typedef struct
{
  const gchar *host;            /* the Host header, or NULL */
  guint status;
  const gchar *error_type;
  const gchar *message;
  SoupServerMessage *msg;
  gboolean deferred;
} KvsRestContext;

typedef JsonNode *(*KvsRestOperation) (KvsServer * self,
    KvsRestContext * ctx, JsonObject * req, GError ** error);

/* Request members: absent (or null) gives NULL / @def and TRUE; another
 * type is an InvalidArgumentException. */
gboolean kvs_rest_get_string (JsonObject * obj, const gchar * name,
    const gchar ** value, GError ** error);
gboolean kvs_rest_get_required_string (JsonObject * obj, const gchar * name,
    const gchar ** value, GError ** error);
gboolean kvs_rest_get_int (JsonObject * obj, const gchar * name, gint64 def,
    gint64 * value, GError ** error);
gboolean kvs_rest_get_object (JsonObject * obj, const gchar * name,
    JsonObject ** value, GError ** error);
void kvs_rest_not_found (GError ** error);
/* The channel named by ChannelARN (required) or, when @allow_name, by
 * ChannelName. */
KvsChannel *kvs_rest_find_channel (KvsServer * self, JsonObject * req,
    gboolean allow_name, GError ** error);
/* {} */
JsonNode *kvs_rest_empty_reply (void);

/* kvsrestchannel.c */
JsonNode *kvs_rest_update (KvsServer * self, KvsRestContext * ctx,
    JsonObject * req, GError ** error);
JsonNode *kvs_rest_tag (KvsServer * self, KvsRestContext * ctx,
    JsonObject * req, GError ** error);
JsonNode *kvs_rest_untag (KvsServer * self, KvsRestContext * ctx,
    JsonObject * req, GError ** error);
JsonNode *kvs_rest_list_tags (KvsServer * self, KvsRestContext * ctx,
    JsonObject * req, GError ** error);
/* The Tags member of @req (a list of {Key, Value}, @member: "tags" in
 * error texts), checked as AWS does; NULL member gives an empty table. */
GHashTable *kvs_rest_parse_tags (JsonObject * req, GError ** error);
/* Add @tags to @channel: FALSE, with the error set in @ctx, when the
 * channel would have more than 50. */
gboolean kvs_rest_apply_tags (KvsServer * self, KvsRestContext * ctx,
    KvsChannel * channel, GHashTable * tags);

/* kvsalexaoffer.c */
JsonNode *kvs_rest_send_alexa_offer (KvsServer * self, KvsRestContext * ctx,
    JsonObject * req, GError ** error);

/* kvsreststorage.c */
JsonNode *kvs_rest_create_stream (KvsServer * self,
    KvsRestContext * ctx, JsonObject * req, GError ** error);
JsonNode *kvs_rest_describe_stream (KvsServer * self,
    KvsRestContext * ctx, JsonObject * req, GError ** error);
JsonNode *kvs_rest_list_streams (KvsServer * self,
    KvsRestContext * ctx, JsonObject * req, GError ** error);
JsonNode *kvs_rest_delete_stream (KvsServer * self,
    KvsRestContext * ctx, JsonObject * req, GError ** error);
JsonNode *kvs_rest_update_media_storage (KvsServer * self,
    KvsRestContext * ctx, JsonObject * req, GError ** error);
JsonNode *kvs_rest_describe_media_storage (KvsServer * self,
    KvsRestContext * ctx, JsonObject * req, GError ** error);
JsonNode *kvs_rest_join_storage_session (KvsServer * self,
    KvsRestContext * ctx, JsonObject * req, GError ** error);
JsonNode *kvs_rest_join_storage_session_as_viewer (KvsServer * self,
    KvsRestContext * ctx, JsonObject * req, GError ** error);

G_END_DECLS
