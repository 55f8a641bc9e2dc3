/* kvs-signaling-server: the EC2 instance metadata service, IMDSv2 only.
 *
 * PUT /latest/api/token (X-aws-ec2-metadata-token-ttl-seconds: 1..21600)
 *   → a session token, text/plain
 * GET /latest/meta-data/iam/security-credentials/ → the role name
 * GET /latest/meta-data/iam/security-credentials/ROLE → JSON credentials
 *   (also under security-credentials-extended/, with AccountId)
 * Every GET needs a current X-aws-ec2-metadata-token (else 401: IMDSv1 is
 * refused, as with HttpTokens=required). Errors are plain text, as IMDS's.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/gst.h>
#include "kvsimds.h"
#include "kvsserverrequest.h"

GST_DEBUG_CATEGORY_STATIC (kvs_imds_debug);
#define GST_CAT_DEFAULT kvs_imds_debug

#define KVS_IMDS_MAX_TOKEN_TTL 21600
/* Tokens kept; beyond this the oldest are forgotten. */
#define KVS_IMDS_MAX_TOKENS 10000
#define KVS_IMDS_CREDS "/latest/meta-data/iam/security-credentials/"
#define KVS_IMDS_CREDS_EXT "/latest/meta-data/iam/security-credentials-extended/"

struct _KvsImds
{
  GObject parent;

  KvsServer *server;            /* owns us */
  SoupServer *soup;
  GHashTable *tokens;           /* token -> expiry (monotonic us, boxed) */
  GQueue order;                 /* tokens (borrowed), oldest first */
};

G_DEFINE_FINAL_TYPE (KvsImds, kvs_imds, G_TYPE_OBJECT);

static void
kvs_imds_dispose (GObject * object)
{
  KvsImds *self = KVS_IMDS (object);

  if (self->soup) {
    soup_server_remove_handler (self->soup, "/latest");
    g_clear_object (&self->soup);
  }
  G_OBJECT_CLASS (kvs_imds_parent_class)->dispose (object);
}

static void
kvs_imds_finalize (GObject * object)
{
  KvsImds *self = KVS_IMDS (object);

  g_queue_clear (&self->order);
  g_hash_table_unref (self->tokens);
  G_OBJECT_CLASS (kvs_imds_parent_class)->finalize (object);
}

static void
kvs_imds_class_init (KvsImdsClass * klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kvs_imds_dispose;
  object_class->finalize = kvs_imds_finalize;
  GST_DEBUG_CATEGORY_INIT (kvs_imds_debug, "kvsserverimds", 0,
      "kvs-signaling-server instance metadata emulation");
}

static void
kvs_imds_init (KvsImds * self)
{
  self->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  g_queue_init (&self->order);
}

static void
kvs_imds_reply (SoupServerMessage * msg, guint status,
    const gchar * content_type, const gchar * text)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY,
      text, strlen (text));
}

static void
kvs_imds_put_token (KvsImds * self, SoupServerMessage * msg)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  const gchar *ttl_text = soup_message_headers_get_one (req,
      "X-aws-ec2-metadata-token-ttl-seconds");
  g_autofree gchar *token = NULL;
  gint64 *expiry;
  guint64 ttl;

  if (soup_message_headers_get_one (req, "X-Forwarded-For")) {
    /* IMDS refuses tokens requested through a proxy. */
    kvs_imds_reply (msg, SOUP_STATUS_FORBIDDEN, "text/plain", "Forbidden");
    return;
  }
  if (ttl_text == NULL || !g_ascii_string_to_unsigned (ttl_text, 10, 1,
          KVS_IMDS_MAX_TOKEN_TTL, &ttl, NULL)) {
    kvs_imds_reply (msg, SOUP_STATUS_BAD_REQUEST, "text/plain",
        "Bad Request: X-aws-ec2-metadata-token-ttl-seconds must be 1..21600");
    return;
  }
  while (g_queue_get_length (&self->order) >= KVS_IMDS_MAX_TOKENS)
    g_hash_table_remove (self->tokens, g_queue_pop_head (&self->order));

  {
    g_autofree gchar *raw = g_uuid_string_random ();
    g_autofree gchar *b64 = g_base64_encode ((const guchar *) raw,
        strlen (raw));
    gchar *key;

    token = g_strconcat ("AQAEA", b64, NULL);
    key = g_strdup (token);
    expiry = g_new (gint64, 1);
    *expiry = g_get_monotonic_time () + (gint64) ttl *G_USEC_PER_SEC;
    g_hash_table_insert (self->tokens, key, expiry);
    g_queue_push_tail (&self->order, key);
  }
  GST_INFO ("IMDS session token for %" G_GUINT64_FORMAT " s", ttl);
  soup_message_headers_replace (soup_server_message_get_response_headers
      (msg), "X-aws-ec2-metadata-token-ttl-seconds", ttl_text);
  kvs_imds_reply (msg, SOUP_STATUS_OK, "text/plain", token);
}

static gboolean
kvs_imds_token_valid (KvsImds * self, SoupServerMessage * msg)
{
  const gchar *token =
      soup_message_headers_get_one (soup_server_message_get_request_headers
      (msg), "X-aws-ec2-metadata-token");
  gint64 *expiry = token ? g_hash_table_lookup (self->tokens, token) : NULL;

  return expiry && *expiry > g_get_monotonic_time ();
}

static void
kvs_imds_credentials (KvsImds * self, SoupServerMessage * msg,
    gboolean extended)
{
  const KvsServerConfig *config = kvs_server_get_config (self->server);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *now = NULL;
  g_autofree gchar *expiration = NULL;
  g_autofree gchar *text = NULL;
  const KvsCredential *c;

  c = kvs_server_issue_credentials (self->server, "imds",
      config->instance_role, "i-0123456789abcdef0");
  now = kvs_credential_format_time (g_get_real_time () / G_USEC_PER_SEC);
  expiration = kvs_credential_format_time (c->expiration);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Code");
  json_builder_add_string_value (b, "Success");
  json_builder_set_member_name (b, "LastUpdated");
  json_builder_add_string_value (b, now);
  json_builder_set_member_name (b, "Type");
  json_builder_add_string_value (b, "AWS-HMAC");
  json_builder_set_member_name (b, "AccessKeyId");
  json_builder_add_string_value (b, c->access_key_id);
  json_builder_set_member_name (b, "SecretAccessKey");
  json_builder_add_string_value (b, c->secret_access_key);
  json_builder_set_member_name (b, "Token");
  json_builder_add_string_value (b, c->session_token);
  json_builder_set_member_name (b, "Expiration");
  json_builder_add_string_value (b, expiration);
  if (extended) {
    json_builder_set_member_name (b, "AccountId");
    json_builder_add_string_value (b, KVS_SERVER_ACCOUNT_ID);
  }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = kvs_server_json_text (root, NULL);
  GST_INFO ("IMDS credentials %s for %s", c->access_key_id, c->role_arn);
  /* IMDS answers text/plain, JSON inside */
  kvs_imds_reply (msg, SOUP_STATUS_OK, "text/plain", text);
}

static void
kvs_imds_handle (SoupServer * soup, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  KvsImds *self = user_data;
  const gchar *method = soup_server_message_get_method (msg);
  const gchar *role = kvs_server_get_config (self->server)->instance_role;
  const gchar *rest = NULL;
  gboolean extended = FALSE;

  GST_DEBUG ("%s %s", method, path);
  if (g_str_equal (path, "/latest/api/token")) {
    if (method == SOUP_METHOD_PUT)
      kvs_imds_put_token (self, msg);
    else
      kvs_imds_reply (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "text/plain",
          "Method Not Allowed");
    return;
  }
  if (method != SOUP_METHOD_GET) {
    kvs_imds_reply (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "text/plain",
        "Method Not Allowed");
    return;
  }
  if (!kvs_imds_token_valid (self, msg)) {
    GST_INFO ("GET %s without a current token: 401", path);
    kvs_imds_reply (msg, SOUP_STATUS_UNAUTHORIZED, "text/plain",
        "Unauthorized");
    return;
  }
  if (g_str_has_prefix (path, KVS_IMDS_CREDS))
    rest = path + strlen (KVS_IMDS_CREDS);
  else if (g_str_has_prefix (path, KVS_IMDS_CREDS_EXT)) {
    rest = path + strlen (KVS_IMDS_CREDS_EXT);
    extended = TRUE;
  }
  if (rest && *rest == '\0') {
    kvs_imds_reply (msg, SOUP_STATUS_OK, "text/plain", role);
    return;
  }
  if (rest && g_str_equal (rest, role)) {
    kvs_imds_credentials (self, msg, extended);
    return;
  }
  if (g_str_equal (path, "/latest/meta-data/placement/region")) {
    kvs_imds_reply (msg, SOUP_STATUS_OK, "text/plain",
        kvs_server_get_config (self->server)->region);
    return;
  }
  kvs_imds_reply (msg, SOUP_STATUS_NOT_FOUND, "text/html",
      "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n"
      "<html><head><title>404 - Not Found</title></head>"
      "<body><h1>404 - Not Found</h1></body></html>\n");
}

KvsImds *
kvs_imds_new (KvsServer * server)
{
  KvsImds *self;

  g_return_val_if_fail (KVS_IS_SERVER (server), NULL);

  self = g_object_new (KVS_TYPE_IMDS, NULL);
  self->server = server;
  self->soup = g_object_ref (kvs_server_get_soup_server (server));
  soup_server_add_handler (self->soup, "/latest", kvs_imds_handle, self, NULL);
  return self;
}
