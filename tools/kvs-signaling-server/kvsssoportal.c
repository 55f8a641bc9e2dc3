/* kvs-signaling-server: the SSO portal's GetRoleCredentials, as
 * portal.sso.REGION.amazonaws.com serves it:
 * GET /federation/credentials?account_id=ACCOUNT&role_name=ROLE with the
 * access token in x-amz-sso_bearer_token →
 * {"roleCredentials": {accessKeyId, secretAccessKey, sessionToken,
 * expiration (ms since the epoch)}}.
 * Tokens accepted: --sso-token (repeatable); none given: any non-empty.
 * Errors: 401 UnauthorizedException (token), 400 InvalidRequestException
 * (parameters), 403 ForbiddenException (another account), in x-amzn-ErrorType
 * with {"message": ...}.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/gst.h>
#include "kvsssoportal.h"

GST_DEBUG_CATEGORY_STATIC (kvs_sso_portal_debug);
#define GST_CAT_DEFAULT kvs_sso_portal_debug

#define KVS_SSO_PATH "/federation/credentials"

struct _KvsSsoPortal
{
  GObject parent;

  KvsServer *server;            /* owns us */
  SoupServer *soup;
};

G_DEFINE_FINAL_TYPE (KvsSsoPortal, kvs_sso_portal, G_TYPE_OBJECT);

static void
kvs_sso_portal_dispose (GObject * object)
{
  KvsSsoPortal *self = KVS_SSO_PORTAL (object);

  if (self->soup) {
    soup_server_remove_handler (self->soup, KVS_SSO_PATH);
    g_clear_object (&self->soup);
  }
  G_OBJECT_CLASS (kvs_sso_portal_parent_class)->dispose (object);
}

static void
kvs_sso_portal_class_init (KvsSsoPortalClass * klass)
{
  G_OBJECT_CLASS (klass)->dispose = kvs_sso_portal_dispose;
  GST_DEBUG_CATEGORY_INIT (kvs_sso_portal_debug, "kvsserversso", 0,
      "kvs-signaling-server SSO portal emulation");
}

static void
kvs_sso_portal_init (KvsSsoPortal * self)
{
}

/* A role name as IAM allows it. */
static gboolean
kvs_sso_valid_role_name (const gchar * name)
{
  const gchar *p;

  if (*name == '\0' || strlen (name) > 64)
    return FALSE;
  for (p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && !strchr ("+=,.@_-", *p))
      return FALSE;
  return TRUE;
}

static void
kvs_sso_handle (SoupServer * soup, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  KvsSsoPortal *self = user_data;
  const KvsServerConfig *config = kvs_server_get_config (self->server);
  const gchar *token =
      soup_message_headers_get_one (soup_server_message_get_request_headers
      (msg), "x-amz-sso_bearer_token");
  const gchar *account = query ? g_hash_table_lookup (query, "account_id") :
      NULL;
  const gchar *role = query ? g_hash_table_lookup (query, "role_name") : NULL;
  g_autoptr (JsonBuilder) b = NULL;
  g_autoptr (JsonNode) root = NULL;
  const KvsCredential *c;

  GST_DEBUG ("%s %s", soup_server_message_get_method (msg), path);
  if (!g_str_equal (path, KVS_SSO_PATH) ||
      soup_server_message_get_method (msg) != SOUP_METHOD_GET) {
    kvs_server_reply_error (msg, SOUP_STATUS_NOT_FOUND,
        "UnknownOperationException", "Unknown operation: the SSO portal "
        "emulation has GET " KVS_SSO_PATH);
    return;
  }
  if (token == NULL || *token == '\0' || (config->sso_tokens &&
          config->sso_tokens[0] &&
          !g_strv_contains ((const gchar * const *) config->sso_tokens,
              token))) {
    GST_INFO ("GetRoleCredentials with %s token: 401",
        token && *token ? "an unknown" : "no");
    kvs_server_reply_error (msg, SOUP_STATUS_UNAUTHORIZED,
        "UnauthorizedException", "Session token not found or invalid");
    return;
  }
  if (account == NULL || role == NULL) {
    kvs_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST,
        "InvalidRequestException", account == NULL ?
        "account_id is required" : "role_name is required");
    return;
  }
  if (!kvs_sso_valid_role_name (role)) {
    kvs_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST,
        "InvalidRequestException", "role_name is not a valid IAM role name");
    return;
  }
  if (!g_str_equal (account, KVS_SERVER_ACCOUNT_ID)) {
    kvs_server_reply_error (msg, SOUP_STATUS_FORBIDDEN,
        "ForbiddenException", "No access: the service's only account is "
        KVS_SERVER_ACCOUNT_ID);
    return;
  }

  c = kvs_server_issue_credentials (self->server, "sso", role, "sso-user");
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "roleCredentials");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "accessKeyId");
  json_builder_add_string_value (b, c->access_key_id);
  json_builder_set_member_name (b, "secretAccessKey");
  json_builder_add_string_value (b, c->secret_access_key);
  json_builder_set_member_name (b, "sessionToken");
  json_builder_add_string_value (b, c->session_token);
  json_builder_set_member_name (b, "expiration");
  json_builder_add_int_value (b, c->expiration * 1000);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  GST_INFO ("SSO credentials %s for %s", c->access_key_id, c->role_arn);
  kvs_server_reply (msg, SOUP_STATUS_OK, NULL, root);
}

KvsSsoPortal *
kvs_sso_portal_new (KvsServer * server)
{
  KvsSsoPortal *self;

  g_return_val_if_fail (KVS_IS_SERVER (server), NULL);

  self = g_object_new (KVS_TYPE_SSO_PORTAL, NULL);
  self->server = server;
  self->soup = g_object_ref (kvs_server_get_soup_server (server));
  soup_server_add_handler (self->soup, KVS_SSO_PATH, kvs_sso_handle, self,
      NULL);
  return self;
}
