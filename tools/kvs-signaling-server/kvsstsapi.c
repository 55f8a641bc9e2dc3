/* kvs-signaling-server: the AWS STS query API, as AWS's clients call it:
 * POST / with an application/x-www-form-urlencoded body
 * Action=...&Version=2011-06-15&..., answered in XML.
 *
 * AssumeRole and GetCallerIdentity must be SigV4-signed (service "sts",
 * scoped to the service's region or us-east-1, the global endpoint's) by
 * the service's key or credentials it vended; AssumeRoleWithWebIdentity is
 * unsigned. Roles are arn:aws:iam::123456789012:role/NAME.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/gst.h>
#include "kvsstsapi.h"

GST_DEBUG_CATEGORY_STATIC (kvs_sts_api_debug);
#define GST_CAT_DEFAULT kvs_sts_api_debug

#define KVS_STS_XMLNS "https://sts.amazonaws.com/doc/2011-06-15/"
#define KVS_STS_VERSION "2011-06-15"
#define KVS_STS_ROLE_PREFIX "arn:aws:iam::" KVS_SERVER_ACCOUNT_ID ":role/"

struct _KvsStsApi
{
  GObject parent;

  KvsServer *server;            /* owns us */
};

G_DEFINE_FINAL_TYPE (KvsStsApi, kvs_sts_api, G_TYPE_OBJECT);

static void
kvs_sts_api_class_init (KvsStsApiClass * klass)
{
  GST_DEBUG_CATEGORY_INIT (kvs_sts_api_debug, "kvsserversts", 0,
      "kvs-signaling-server STS emulation");
}

static void
kvs_sts_api_init (KvsStsApi * self)
{
}

KvsStsApi *
kvs_sts_api_new (KvsServer * server)
{
  KvsStsApi *self;

  g_return_val_if_fail (KVS_IS_SERVER (server), NULL);

  self = g_object_new (KVS_TYPE_STS_API, NULL);
  self->server = server;
  return self;
}

static void
kvs_sts_reply_xml (SoupServerMessage * msg, guint status, GString * xml)
{
  gsize len = xml->len;

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/xml", SOUP_MEMORY_TAKE,
      g_string_free (xml, FALSE), len);
}

static const gchar *
kvs_sts_request_id (SoupServerMessage * msg)
{
  return soup_message_headers_get_one (soup_server_message_get_response_headers
      (msg), "x-amzn-RequestId");
}

/* <ErrorResponse> as STS answers errors; @type Sender or Receiver. */
static void
kvs_sts_reply_error (SoupServerMessage * msg, guint status,
    const gchar * type, const gchar * code, const gchar * message)
{
  g_autofree gchar *escaped = g_markup_escape_text (message, -1);
  GString *xml = g_string_new (NULL);

  GST_INFO ("STS error %u %s: %s", status, code, message);
  g_string_append_printf (xml, "<ErrorResponse xmlns=\"" KVS_STS_XMLNS "\">\n"
      "  <Error>\n    <Type>%s</Type>\n    <Code>%s</Code>\n"
      "    <Message>%s</Message>\n  </Error>\n"
      "  <RequestId>%s</RequestId>\n</ErrorResponse>\n", type, code,
      escaped, kvs_sts_request_id (msg));
  kvs_sts_reply_xml (msg, status, xml);
}

static void
kvs_sts_append_credentials (GString * xml, const KvsCredential * c)
{
  g_autofree gchar *expiration = kvs_credential_format_time (c->expiration);
  g_autofree gchar *token = g_markup_escape_text (c->session_token, -1);
  g_autofree gchar *secret = g_markup_escape_text (c->secret_access_key, -1);

  g_string_append_printf (xml, "    <Credentials>\n"
      "      <AccessKeyId>%s</AccessKeyId>\n"
      "      <SecretAccessKey>%s</SecretAccessKey>\n"
      "      <SessionToken>%s</SessionToken>\n"
      "      <Expiration>%s</Expiration>\n"
      "    </Credentials>\n", c->access_key_id, secret, token, expiration);
}

static void
kvs_sts_append_assumed_role_user (GString * xml, const KvsCredential * c)
{
  g_autofree gchar *id = g_markup_escape_text (c->user_id, -1);
  g_autofree gchar *arn = g_markup_escape_text (c->arn, -1);

  g_string_append_printf (xml, "    <AssumedRoleUser>\n"
      "      <AssumedRoleId>%s</AssumedRoleId>\n      <Arn>%s</Arn>\n"
      "    </AssumedRoleUser>\n", id, arn);
}

static void
kvs_sts_finish (SoupServerMessage * msg, GString * xml, const gchar * action)
{
  g_string_append_printf (xml, "  </%sResult>\n  <ResponseMetadata>\n"
      "    <RequestId>%s</RequestId>\n  </ResponseMetadata>\n</%sResponse>\n",
      action, kvs_sts_request_id (msg), action);
  kvs_sts_reply_xml (msg, SOUP_STATUS_OK, xml);
}

static GString *
kvs_sts_begin (const gchar * action)
{
  GString *xml = g_string_new (NULL);

  g_string_append_printf (xml, "<%sResponse xmlns=\"" KVS_STS_XMLNS "\">\n"
      "  <%sResult>\n", action, action);
  return xml;
}

/* RoleArn and RoleSessionName as AWS validates them: the role's name, or
 * NULL after replying with the error. */
static gchar *
kvs_sts_check_role (SoupServerMessage * msg, GHashTable * form,
    const gchar ** session)
{
  const gchar *arn = g_hash_table_lookup (form, "RoleArn");
  const gchar *p;

  *session = g_hash_table_lookup (form, "RoleSessionName");
  if (arn == NULL || *arn == '\0') {
    kvs_sts_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "Sender",
        "ValidationError", "1 validation error detected: Value null at "
        "'roleArn' failed to satisfy constraint: Member must not be null");
    return NULL;
  }
  if (*session == NULL || **session == '\0') {
    kvs_sts_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "Sender",
        "ValidationError", "1 validation error detected: Value null at "
        "'roleSessionName' failed to satisfy constraint: Member must not be "
        "null");
    return NULL;
  }
  for (p = *session; *p; p++) {
    if (!g_ascii_isalnum (*p) && !strchr ("=,.@_-", *p)) {
      kvs_sts_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "Sender",
          "ValidationError", "1 validation error detected: Value at "
          "'roleSessionName' failed to satisfy constraint: Member must "
          "satisfy regular expression pattern: [\\w+=,.@-]*");
      return NULL;
    }
  }
  if (strlen (*session) < 2 || strlen (*session) > 64) {
    kvs_sts_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "Sender",
        "ValidationError", "1 validation error detected: Value at "
        "'roleSessionName' failed to satisfy constraint: Member must have "
        "length between 2 and 64");
    return NULL;
  }
  if (!g_str_has_prefix (arn, KVS_STS_ROLE_PREFIX) ||
      arn[strlen (KVS_STS_ROLE_PREFIX)] == '\0') {
    g_autofree gchar *text = NULL;

    for (p = arn; *p; p++)
      if ((guchar) * p < 0x20 || (guchar) * p >= 0x7f)
        break;
    text = g_strdup_printf ("Not authorized to perform sts:AssumeRole on "
        "%s: the service knows only roles " KVS_STS_ROLE_PREFIX "NAME",
        *p ? "(a role ARN that is not printable ASCII)" : arn);
    kvs_sts_reply_error (msg, SOUP_STATUS_FORBIDDEN, "Sender", "AccessDenied",
        text);
    return NULL;
  }
  for (p = arn + strlen (KVS_STS_ROLE_PREFIX); *p; p++) {
    if (!g_ascii_isalnum (*p) && !strchr ("+=,.@_-/", *p)) {
      kvs_sts_reply_error (msg, SOUP_STATUS_FORBIDDEN, "Sender",
          "AccessDenied", "Not authorized to perform sts:AssumeRole: the "
          "role name has characters IAM does not allow");
      return NULL;
    }
  }
  /* a path (role/service-role/NAME): the name is the last part */
  p = strrchr (arn, '/');
  if (p[1] == '\0' || strlen (p + 1) > 64) {
    kvs_sts_reply_error (msg, SOUP_STATUS_FORBIDDEN, "Sender",
        "AccessDenied", "Not authorized to perform sts:AssumeRole: the "
        "role ARN names no role (1..64 characters after the last '/')");
    return NULL;
  }
  return g_strdup (p + 1);
}

/* The region a header signature is scoped to, if it is one STS accepts
 * here: the service's or us-east-1 (the global endpoint's); else the
 * service's (the verifier then names the mismatch). */
static const gchar *
kvs_sts_signing_region (KvsStsApi * self, SoupServerMessage * msg)
{
  const gchar *region = kvs_server_get_config (self->server)->region;
  const gchar *authz =
      soup_message_headers_get_one (soup_server_message_get_request_headers
      (msg), "Authorization");
  const gchar *cred = authz ? strstr (authz, "Credential=") : NULL;
  g_auto (GStrv) parts = NULL;

  if (cred == NULL)
    return region;
  parts = g_strsplit (cred + strlen ("Credential="), "/", 4);
  if (g_strv_length (parts) >= 3 && g_str_equal (parts[2], "us-east-1"))
    return "us-east-1";
  return region;
}

/* The signature of @msg, or FALSE after replying with STS's error. */
static gboolean
kvs_sts_authenticate (KvsStsApi * self, SoupServerMessage * msg,
    GBytes * body, gchar ** access_key_id)
{
  g_autofree gchar *message = NULL;

  if (kvs_server_get_config (self->server)->no_auth) {
    *access_key_id = NULL;
    return TRUE;
  }
  switch (kvs_server_authenticate (self->server, msg, body,
          kvs_sts_signing_region (self, msg), "sts", access_key_id, &message)) {
    case KVS_AUTH_OK:
      return TRUE;
    case KVS_AUTH_MISSING:
      kvs_sts_reply_error (msg, SOUP_STATUS_FORBIDDEN, "Sender",
          "MissingAuthenticationToken", "Request is missing Authentication "
          "Token");
      return FALSE;
    case KVS_AUTH_UNKNOWN_KEY:
      kvs_sts_reply_error (msg, SOUP_STATUS_FORBIDDEN, "Sender",
          "InvalidClientTokenId", message);
      return FALSE;
    case KVS_AUTH_EXPIRED_TOKEN:
      kvs_sts_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "Sender",
          "ExpiredToken", message);
      return FALSE;
    default:
      kvs_sts_reply_error (msg, SOUP_STATUS_FORBIDDEN, "Sender",
          "SignatureDoesNotMatch", message);
      return FALSE;
  }
}

static void
kvs_sts_assume_role (KvsStsApi * self, SoupServerMessage * msg,
    GHashTable * form, GBytes * body)
{
  g_autofree gchar *key = NULL;
  g_autofree gchar *role = NULL;
  const gchar *session;
  const KvsCredential *c;
  GString *xml;

  if (!kvs_sts_authenticate (self, msg, body, &key))
    return;
  role = kvs_sts_check_role (msg, form, &session);
  if (role == NULL)
    return;

  c = kvs_server_issue_credentials (self->server, "sts", role, session);
  GST_INFO ("AssumeRole %s by %s: %s", c->role_arn, key ? key : "(no auth)",
      c->access_key_id);
  xml = kvs_sts_begin ("AssumeRole");
  kvs_sts_append_credentials (xml, c);
  kvs_sts_append_assumed_role_user (xml, c);
  g_string_append (xml, "    <PackedPolicySize>0</PackedPolicySize>\n");
  kvs_sts_finish (msg, xml, "AssumeRole");
}

static void
kvs_sts_assume_role_with_web_identity (KvsStsApi * self,
    SoupServerMessage * msg, GHashTable * form)
{
  const KvsServerConfig *config = kvs_server_get_config (self->server);
  const gchar *token = g_hash_table_lookup (form, "WebIdentityToken");
  g_autofree gchar *role = NULL;
  const gchar *session;
  const KvsCredential *c;
  GString *xml;

  if (token == NULL || *token == '\0') {
    kvs_sts_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "Sender",
        "ValidationError", "1 validation error detected: Value null at "
        "'webIdentityToken' failed to satisfy constraint: Member must not "
        "be null");
    return;
  }
  role = kvs_sts_check_role (msg, form, &session);
  if (role == NULL)
    return;
  if (config->web_identity_tokens && config->web_identity_tokens[0] &&
      !g_strv_contains ((const gchar * const *) config->web_identity_tokens,
          token)) {
    kvs_sts_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "Sender",
        "InvalidIdentityToken", "The ID Token provided is not a valid "
        "token: not one of the service's --web-identity-token values");
    return;
  }

  c = kvs_server_issue_credentials (self->server, "sts-web-identity", role,
      session);
  GST_INFO ("AssumeRoleWithWebIdentity %s: %s", c->role_arn, c->access_key_id);
  xml = kvs_sts_begin ("AssumeRoleWithWebIdentity");
  kvs_sts_append_credentials (xml, c);
  g_string_append (xml, "    <SubjectFromWebIdentityToken>"
      "system:serviceaccount:default:kvs</SubjectFromWebIdentityToken>\n"
      "    <Audience>sts.amazonaws.com</Audience>\n"
      "    <Provider>kvs-signaling-server</Provider>\n");
  kvs_sts_append_assumed_role_user (xml, c);
  kvs_sts_finish (msg, xml, "AssumeRoleWithWebIdentity");
}

static void
kvs_sts_get_caller_identity (KvsStsApi * self, SoupServerMessage * msg,
    GBytes * body)
{
  g_autofree gchar *key = NULL;
  g_autofree gchar *arn = NULL;
  g_autofree gchar *user_id = NULL;
  const KvsCredential *c;
  GString *xml;

  if (!kvs_sts_authenticate (self, msg, body, &key))
    return;
  c = kvs_credential_store_lookup (kvs_server_get_credential_store
      (self->server), key);
  if (c) {
    arn = g_markup_escape_text (c->arn, -1);
    user_id = g_markup_escape_text (c->user_id, -1);
  } else {
    arn = g_strdup ("arn:aws:iam::" KVS_SERVER_ACCOUNT_ID
        ":user/kvs-signaling-server");
    user_id = g_markup_escape_text (key ? key : "AIDAKVSSIGNALINGSERVER", -1);
  }
  xml = kvs_sts_begin ("GetCallerIdentity");
  g_string_append_printf (xml, "    <Arn>%s</Arn>\n    <UserId>%s</UserId>\n"
      "    <Account>" KVS_SERVER_ACCOUNT_ID "</Account>\n", arn, user_id);
  kvs_sts_finish (msg, xml, "GetCallerIdentity");
}

void
kvs_sts_api_handle (KvsStsApi * self, SoupServerMessage * msg)
{
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GHashTable) form = NULL;
  g_autofree gchar *text = NULL;
  const gchar *action, *version, *data;
  gsize len;

  g_return_if_fail (KVS_IS_STS_API (self));

  if (soup_server_message_get_method (msg) != SOUP_METHOD_POST) {
    kvs_sts_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "Sender",
        "InvalidAction", "The STS emulation takes POST / with a form body");
    return;
  }
  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  data = g_bytes_get_data (body, &len);
  text = g_strndup (data, len);
  form = strlen (text) == len ? soup_form_decode (text) : NULL;
  if (form == NULL) {
    kvs_sts_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "Sender",
        "MalformedQueryString", "The request body is not a form "
        "(application/x-www-form-urlencoded)");
    return;
  }
  action = g_hash_table_lookup (form, "Action");
  version = g_hash_table_lookup (form, "Version");
  if (action == NULL) {
    kvs_sts_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "Sender",
        "MissingAction", "Missing Action");
    return;
  }
  if (g_strcmp0 (version, KVS_STS_VERSION) != 0) {
    kvs_sts_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "Sender",
        "InvalidParameterValue", "Version must be " KVS_STS_VERSION);
    return;
  }
  GST_DEBUG ("STS %s", action);
  if (g_str_equal (action, "AssumeRole"))
    kvs_sts_assume_role (self, msg, form, body);
  else if (g_str_equal (action, "AssumeRoleWithWebIdentity"))
    kvs_sts_assume_role_with_web_identity (self, msg, form);
  else if (g_str_equal (action, "GetCallerIdentity"))
    kvs_sts_get_caller_identity (self, msg, body);
  else
    kvs_sts_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "Sender",
        "InvalidAction", "Could not find operation for this action; the "
        "emulation has AssumeRole, AssumeRoleWithWebIdentity and "
        "GetCallerIdentity");
}
