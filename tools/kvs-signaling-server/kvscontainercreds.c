/* kvs-signaling-server: the container credentials endpoint, as the ECS
 * agent and the EKS Pod Identity agent serve it.
 *
 * GET /v2/credentials/<anything>   (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)
 * GET /v1/credentials              (EKS Pod Identity's FULL_URI path)
 * With --container-token the Authorization header must equal it: missing
 * → 401, different → 403 ({"message": ...}, as the Pod Identity agent).
 * Reply: {AccessKeyId, SecretAccessKey, Token, Expiration, RoleArn,
 * AccountId}.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/gst.h>
#include "kvscontainercreds.h"

GST_DEBUG_CATEGORY_STATIC (kvs_container_debug);
#define GST_CAT_DEFAULT kvs_container_debug

#define KVS_CONTAINER_ROLE "kvs-container-role"

struct _KvsContainerCredentials
{
  GObject parent;

  KvsServer *server;            /* owns us */
  SoupServer *soup;
};

G_DEFINE_FINAL_TYPE (KvsContainerCredentials, kvs_container_credentials,
    G_TYPE_OBJECT);

static void
kvs_container_credentials_dispose (GObject * object)
{
  KvsContainerCredentials *self = KVS_CONTAINER_CREDENTIALS (object);

  if (self->soup) {
    soup_server_remove_handler (self->soup, "/v2/credentials");
    soup_server_remove_handler (self->soup, "/v1/credentials");
    g_clear_object (&self->soup);
  }
  G_OBJECT_CLASS (kvs_container_credentials_parent_class)->dispose (object);
}

static void
kvs_container_credentials_class_init (KvsContainerCredentialsClass * klass)
{
  G_OBJECT_CLASS (klass)->dispose = kvs_container_credentials_dispose;
  GST_DEBUG_CATEGORY_INIT (kvs_container_debug, "kvsservercontainer", 0,
      "kvs-signaling-server container credentials emulation");
}

static void
kvs_container_credentials_init (KvsContainerCredentials * self)
{
}

/* Constant-time comparison of the Authorization header with the token. */
static gboolean
kvs_container_token_equal (const gchar * a, const gchar * b)
{
  gsize la = strlen (a), lb = strlen (b), i;
  guint8 diff = la != lb;

  for (i = 0; i < MIN (la, lb); i++)
    diff |= (guint8) a[i] ^ (guint8) b[i];
  return diff == 0;
}

static void
kvs_container_handle (SoupServer * soup, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  KvsContainerCredentials *self = user_data;
  const KvsServerConfig *config = kvs_server_get_config (self->server);
  const gchar *authz =
      soup_message_headers_get_one (soup_server_message_get_request_headers
      (msg), "Authorization");
  g_autoptr (JsonBuilder) b = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *expiration = NULL;
  const KvsCredential *c;
  gboolean eks = g_str_equal (path, "/v1/credentials");

  GST_DEBUG ("%s %s", soup_server_message_get_method (msg), path);
  if (!eks && !(g_str_has_prefix (path, "/v2/credentials/") &&
          path[strlen ("/v2/credentials/")] != '\0')) {
    kvs_server_reply_error (msg, SOUP_STATUS_NOT_FOUND, NULL,
        "Not found: the container credentials are at /v2/credentials/ID "
        "(ECS) and /v1/credentials (EKS Pod Identity)");
    return;
  }
  if (soup_server_message_get_method (msg) != SOUP_METHOD_GET) {
    kvs_server_reply_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL,
        "Method not allowed: GET only");
    return;
  }
  if (config->container_token) {
    if (authz == NULL || *authz == '\0') {
      GST_INFO ("GET %s without Authorization: 401", path);
      kvs_server_reply_error (msg, SOUP_STATUS_UNAUTHORIZED, NULL,
          "Missing Authorization header: the container authorization "
          "token is required");
      return;
    }
    if (!kvs_container_token_equal (authz, config->container_token)) {
      GST_INFO ("GET %s with a wrong Authorization: 403", path);
      kvs_server_reply_error (msg, SOUP_STATUS_FORBIDDEN, NULL,
          "The Authorization header is not the container authorization "
          "token");
      return;
    }
  }

  c = kvs_server_issue_credentials (self->server,
      eks ? "eks-pod-identity" : "ecs", KVS_CONTAINER_ROLE, NULL);
  expiration = kvs_credential_format_time (c->expiration);
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "AccessKeyId");
  json_builder_add_string_value (b, c->access_key_id);
  json_builder_set_member_name (b, "SecretAccessKey");
  json_builder_add_string_value (b, c->secret_access_key);
  json_builder_set_member_name (b, "Token");
  json_builder_add_string_value (b, c->session_token);
  json_builder_set_member_name (b, "Expiration");
  json_builder_add_string_value (b, expiration);
  json_builder_set_member_name (b, "RoleArn");
  json_builder_add_string_value (b, c->role_arn);
  json_builder_set_member_name (b, "AccountId");
  json_builder_add_string_value (b, KVS_SERVER_ACCOUNT_ID);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  GST_INFO ("%s credentials %s", c->source, c->access_key_id);
  kvs_server_reply (msg, SOUP_STATUS_OK, NULL, root);
}

KvsContainerCredentials *
kvs_container_credentials_new (KvsServer * server)
{
  KvsContainerCredentials *self;

  g_return_val_if_fail (KVS_IS_SERVER (server), NULL);

  self = g_object_new (KVS_TYPE_CONTAINER_CREDENTIALS, NULL);
  self->server = server;
  self->soup = g_object_ref (kvs_server_get_soup_server (server));
  soup_server_add_handler (self->soup, "/v2/credentials",
      kvs_container_handle, self, NULL);
  soup_server_add_handler (self->soup, "/v1/credentials",
      kvs_container_handle, self, NULL);
  return self;
}
