/* kvs-signaling-server: the AWS IoT credentials provider, as
 * <prefix>.credentials.iot.REGION.amazonaws.com serves it:
 * mutual TLS, the client certificate chaining to the IoT CA (the service's
 * own, kvsiotca.c, created in --iot-ca-dir; or a given --iot-ca-cert);
 * GET /role-aliases/<alias>/credentials with x-amzn-iot-thingname →
 * {"credentials": {accessKeyId, secretAccessKey, sessionToken,
 * expiration ("2026-12-07T10:00:00Z")}}.
 * The alias must be one of --iot-role-alias; the thing name must equal the
 * certificate's subject CN (AWS checks the certificate is attached to the
 * thing). Errors: 400 (no thing name), 403 (certificate, thing), 404
 * (alias), body {"message": ...}.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/gst.h>
#include "kvsiotcreds.h"

GST_DEBUG_CATEGORY_STATIC (kvs_iot_debug);
#define GST_CAT_DEFAULT kvs_iot_debug

#define KVS_IOT_PREFIX "/role-aliases/"
#define KVS_IOT_SUFFIX "/credentials"

struct _KvsIotCredentials
{
  GObject parent;

  KvsServer *server;            /* owns us */
  SoupServer *soup;
  GTlsDatabase *ca;
  KvsIotCa *issuer;             /* NULL with --iot-ca-cert */
  gchar *base_url;
};

G_DEFINE_FINAL_TYPE (KvsIotCredentials, kvs_iot_credentials, G_TYPE_OBJECT);

static void
kvs_iot_credentials_dispose (GObject * object)
{
  KvsIotCredentials *self = KVS_IOT_CREDENTIALS (object);

  if (self->soup) {
    soup_server_disconnect (self->soup);
    g_clear_object (&self->soup);
  }
  g_clear_object (&self->ca);
  g_clear_object (&self->issuer);
  G_OBJECT_CLASS (kvs_iot_credentials_parent_class)->dispose (object);
}

static void
kvs_iot_credentials_finalize (GObject * object)
{
  KvsIotCredentials *self = KVS_IOT_CREDENTIALS (object);

  g_free (self->base_url);
  G_OBJECT_CLASS (kvs_iot_credentials_parent_class)->finalize (object);
}

static void
kvs_iot_credentials_class_init (KvsIotCredentialsClass * klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kvs_iot_credentials_dispose;
  object_class->finalize = kvs_iot_credentials_finalize;
  GST_DEBUG_CATEGORY_INIT (kvs_iot_debug, "kvsserveriot", 0,
      "kvs-signaling-server IoT credentials provider emulation");
}

static void
kvs_iot_credentials_init (KvsIotCredentials * self)
{
}

KvsIotCredentials *
kvs_iot_credentials_new (KvsServer * server)
{
  KvsIotCredentials *self;

  g_return_val_if_fail (KVS_IS_SERVER (server), NULL);

  self = g_object_new (KVS_TYPE_IOT_CREDENTIALS, NULL);
  self->server = server;
  return self;
}

static void
kvs_iot_reply_error (SoupServerMessage * msg, guint status,
    const gchar * message)
{
  GST_INFO ("IoT credentials refused: %u %s", status, message);
  kvs_server_reply_error (msg, status, NULL, message);
}

/* The CN of a subject DN "CN=thing,O=..." (RFC 4514 order or not). */
static gchar *
kvs_iot_subject_cn (GTlsCertificate * cert)
{
  g_autofree gchar *subject = g_tls_certificate_get_subject_name (cert);
  g_auto (GStrv) parts = NULL;
  guint i;

  if (subject == NULL)
    return NULL;
  parts = g_strsplit (subject, ",", -1);
  for (i = 0; parts[i]; i++) {
    const gchar *p = parts[i];

    while (*p == ' ')
      p++;
    if (g_str_has_prefix (p, "CN="))
      return g_strdup (p + 3);
  }
  return NULL;
}

/* The client's certificate, verified against the CA; NULL after replying
 * 403. */
static GTlsCertificate *
kvs_iot_client_certificate (KvsIotCredentials * self, SoupServerMessage * msg)
{
  GTlsCertificate *cert = soup_server_message_get_tls_peer_certificate (msg);
  g_autoptr (GError) error = NULL;
  GTlsCertificateFlags flags;

  if (cert == NULL) {
    kvs_iot_reply_error (msg, SOUP_STATUS_FORBIDDEN,
        "No client certificate: the IoT credentials provider needs the "
        "device certificate (mutual TLS)");
    return NULL;
  }
  flags = g_tls_database_verify_chain (self->ca, cert,
      G_TLS_DATABASE_PURPOSE_AUTHENTICATE_CLIENT, NULL, NULL,
      G_TLS_DATABASE_VERIFY_NONE, NULL, &error);
  if (error || flags != 0) {
    kvs_iot_reply_error (msg, SOUP_STATUS_FORBIDDEN,
        "The client certificate is not valid: it does not chain to the "
        "service's IoT CA, or it expired");
    return NULL;
  }
  return cert;
}

static void
kvs_iot_handle (SoupServer * soup, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  KvsIotCredentials *self = user_data;
  const KvsServerConfig *config = kvs_server_get_config (self->server);
  const gchar *thing =
      soup_message_headers_get_one (soup_server_message_get_request_headers
      (msg), "x-amzn-iot-thingname");
  g_autofree gchar *alias = NULL;
  g_autofree gchar *cn = NULL;
  g_autofree gchar *expiration = NULL;
  g_autoptr (JsonBuilder) b = NULL;
  g_autoptr (JsonNode) root = NULL;
  GTlsCertificate *cert;
  const KvsCredential *c;
  gsize len = strlen (path);

  GST_DEBUG ("%s %s", soup_server_message_get_method (msg), path);
  if (!g_str_has_prefix (path, KVS_IOT_PREFIX) ||
      !g_str_has_suffix (path, KVS_IOT_SUFFIX) ||
      len <= strlen (KVS_IOT_PREFIX) + strlen (KVS_IOT_SUFFIX)) {
    kvs_iot_reply_error (msg, SOUP_STATUS_NOT_FOUND, "Not found: the "
        "credentials are at GET /role-aliases/ALIAS/credentials");
    return;
  }
  if (soup_server_message_get_method (msg) != SOUP_METHOD_GET) {
    kvs_iot_reply_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
        "Method not allowed: GET only");
    return;
  }
  cert = kvs_iot_client_certificate (self, msg);
  if (cert == NULL)
    return;
  alias = g_uri_unescape_segment (path + strlen (KVS_IOT_PREFIX),
      path + len - strlen (KVS_IOT_SUFFIX), NULL);
  if (alias == NULL || strchr (alias, '/') || !config->iot_role_aliases ||
      !g_strv_contains ((const gchar * const *) config->iot_role_aliases,
          alias)) {
    kvs_iot_reply_error (msg, SOUP_STATUS_NOT_FOUND,
        "Role alias does not exist");
    return;
  }
  if (thing == NULL || *thing == '\0') {
    kvs_iot_reply_error (msg, SOUP_STATUS_BAD_REQUEST,
        "Missing header x-amzn-iot-thingname");
    return;
  }
  cn = kvs_iot_subject_cn (cert);
  if (cn == NULL || !g_str_equal (cn, thing)) {
    kvs_iot_reply_error (msg, SOUP_STATUS_FORBIDDEN, "Access Denied: the "
        "certificate is not attached to the thing named in "
        "x-amzn-iot-thingname (its subject CN is the thing it belongs to)");
    return;
  }

  c = kvs_server_issue_credentials (self->server, "iot", alias, NULL);
  expiration = kvs_credential_format_time (c->expiration);
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "credentials");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "accessKeyId");
  json_builder_add_string_value (b, c->access_key_id);
  json_builder_set_member_name (b, "secretAccessKey");
  json_builder_add_string_value (b, c->secret_access_key);
  json_builder_set_member_name (b, "sessionToken");
  json_builder_add_string_value (b, c->session_token);
  json_builder_set_member_name (b, "expiration");
  json_builder_add_string_value (b, expiration);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  GST_INFO ("IoT credentials %s for thing %s, alias %s", c->access_key_id,
      thing, alias);
  kvs_server_reply (msg, SOUP_STATUS_OK, NULL, root);
}

/* The TLS handshake's check of the client certificate: against the IoT CA
 * only (a certificate that does not chain to it fails the handshake). */
static gboolean
kvs_iot_on_accept_certificate (SoupServerMessage * msg,
    GTlsCertificate * cert, GTlsCertificateFlags errors,
    KvsIotCredentials * self)
{
  g_autoptr (GError) error = NULL;
  GTlsCertificateFlags flags;

  flags = g_tls_database_verify_chain (self->ca, cert,
      G_TLS_DATABASE_PURPOSE_AUTHENTICATE_CLIENT, NULL, NULL,
      G_TLS_DATABASE_VERIFY_NONE, NULL, &error);
  GST_DEBUG ("client certificate: handshake flags 0x%x, IoT CA flags 0x%x",
      errors, flags);
  if (error || flags != 0) {
    GST_INFO ("client certificate refused at the handshake: %s",
        error ? error->message : "it does not chain to the IoT CA");
    return FALSE;
  }
  return TRUE;
}

static void
kvs_iot_on_request_started (SoupServer * soup, SoupServerMessage * msg,
    KvsIotCredentials * self)
{
  /* One request per connection: libsoup 3.2 gives the client certificate
   * to the first request of a connection only (the one whose handshake
   * verified it); a second request kept alive on it would find none. */
  soup_message_headers_replace (soup_server_message_get_response_headers
      (msg), "Connection", "close");
  g_signal_connect (msg, "accept-certificate",
  /* One request per connection: libsoup 3.2 gives the client certificate
   * to the first request of a connection only (the one whose handshake
   * verified it); a second request kept alive on it would find none. */
      G_CALLBACK (kvs_iot_on_accept_certificate), self);
}

gboolean
kvs_iot_credentials_start (KvsIotCredentials * self, GError ** error)
{
  const KvsServerConfig *config;
  g_autoptr (GTlsCertificate) cert = NULL;
  g_autoptr (GInetAddress) addr = NULL;
  g_autoptr (GSocketAddress) sa = NULL;
  g_autofree gchar *host = NULL;
  const gchar *cert_file, *key_file, *ca_file;
  GSList *listeners;
  guint port;

  g_return_val_if_fail (KVS_IS_IOT_CREDENTIALS (self), FALSE);
  config = kvs_server_get_config (self->server);

  cert_file = config->iot_tls_cert ? config->iot_tls_cert : config->tls_cert;
  key_file = config->iot_tls_cert ? config->iot_tls_key : config->tls_key;
  if (config->iot_ca_cert == NULL && config->iot_ca_dir == NULL) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "--iot-listen needs --iot-ca-dir or --iot-ca-cert");
    return FALSE;
  }
  if (cert_file == NULL && config->iot_ca_cert) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "--iot-ca-cert needs a server certificate (--iot-tls-cert or "
        "--tls-cert): the service has no key to issue one");
    return FALSE;
  }

  if (g_ascii_strcasecmp (config->iot_listen_host, "localhost") == 0)
    addr = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    addr = g_inet_address_new_from_string (config->iot_listen_host);
  if (addr == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "--iot-listen: '%s' is not an IP address", config->iot_listen_host);
    return FALSE;
  }
  host = g_inet_address_to_string (addr);

  if (config->iot_ca_cert) {
    ca_file = config->iot_ca_cert;
  } else {
    self->issuer = kvs_iot_ca_open (config->iot_ca_dir, NULL, error);
    if (self->issuer == NULL)
      return FALSE;
    ca_file = kvs_iot_ca_get_certificate_file (self->issuer);
    for (guint i = 0; config->iot_things && config->iot_things[i]; i++) {
      if (!kvs_iot_ca_write_device (self->issuer, config->iot_things[i], NULL,
              error)) {
        g_prefix_error (error, "--iot-thing %s: ", config->iot_things[i]);
        return FALSE;
      }
    }
  }
  if (cert_file)
    cert = g_tls_certificate_new_from_files (cert_file,
        key_file ? key_file : cert_file, error);
  else
    cert = kvs_iot_ca_issue_server (self->issuer, host, error);
  if (cert == NULL)
    return FALSE;
  self->ca = g_tls_file_database_new (ca_file, error);
  if (self->ca == NULL)
    return FALSE;

  self->soup = soup_server_new ("server-header", "kvs-signaling-server",
      "tls-certificate", cert, "tls-database", self->ca,
      "tls-auth-mode", G_TLS_AUTHENTICATION_REQUIRED, NULL);
  g_signal_connect (self->soup, "request-started",
      G_CALLBACK (kvs_iot_on_request_started), self);
  soup_server_add_handler (self->soup, NULL, kvs_iot_handle, self, NULL);
  sa = g_inet_socket_address_new (addr, config->iot_listen_port);
  if (!soup_server_listen (self->soup, sa, SOUP_SERVER_LISTEN_HTTPS, error))
    return FALSE;

  port = config->iot_listen_port;
  listeners = soup_server_get_listeners (self->soup);
  if (listeners) {
    g_autoptr (GSocketAddress) local =
        g_socket_get_local_address (listeners->data, NULL);

    if (G_IS_INET_SOCKET_ADDRESS (local))
      port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  }
  g_slist_free (listeners);
  self->base_url = g_strdup_printf (strchr (host, ':') ? "https://[%s]:%u" :
      "https://%s:%u", host, port);
  GST_INFO ("IoT credentials provider on %s", self->base_url);
  return TRUE;
}

KvsIotCa *
kvs_iot_credentials_get_ca (KvsIotCredentials * self)
{
  g_return_val_if_fail (KVS_IS_IOT_CREDENTIALS (self), NULL);
  return self->issuer;
}

const gchar *
kvs_iot_credentials_get_base_url (KvsIotCredentials * self)
{
  g_return_val_if_fail (KVS_IS_IOT_CREDENTIALS (self), NULL);
  return self->base_url;
}
