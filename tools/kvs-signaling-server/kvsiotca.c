/* kvs-signaling-server: the certificate authority of the IoT credentials
 * provider (GnuTLS's X.509 API).
 *
 * AWS IoT signs the device certificates it creates (CreateKeysAndCertificate)
 * with its own CA; the service does the same with a CA of its folder
 * (--iot-ca-dir): ca.pem and ca.key, created at the first start, loaded at
 * the next ones, so that the devices provisioned stay valid. Keys are
 * ECDSA P-256, certificates X.509 v3 signed with SHA-256, valid 10 years:
 * - the CA: CN "kvs-signaling-server IoT CA", CA:TRUE, keyCertSign;
 * - a device: CN = the thing name (what the IoT endpoint checks against
 *   x-amzn-iot-thingname), digitalSignature, clientAuth;
 * - the IoT port's server certificate: CN and subjectAltName the address
 *   (and localhost), serverAuth: clients trust ca.pem for both sides.
 * Private keys are PKCS#8 PEM, written 0600, never logged.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <gst/gst.h>
#include "kvsiotca.h"

GST_DEBUG_CATEGORY_STATIC (kvs_iot_ca_debug);
#define GST_CAT_DEFAULT kvs_iot_ca_debug

#define KVS_IOT_CA_CN "kvs-signaling-server IoT CA"
#define KVS_IOT_CA_DAYS (10 * 365)

struct _KvsIotCa
{
  GObject parent;

  gchar *dir;
  gchar *cert_file;
  gnutls_x509_crt_t crt;
  gnutls_x509_privkey_t key;
};

G_DEFINE_FINAL_TYPE (KvsIotCa, kvs_iot_ca, G_TYPE_OBJECT);

static void
kvs_iot_ca_finalize (GObject * object)
{
  KvsIotCa *self = KVS_IOT_CA (object);

  if (self->crt)
    gnutls_x509_crt_deinit (self->crt);
  if (self->key)
    gnutls_x509_privkey_deinit (self->key);
  g_free (self->dir);
  g_free (self->cert_file);
  G_OBJECT_CLASS (kvs_iot_ca_parent_class)->finalize (object);
}

static void
kvs_iot_ca_class_init (KvsIotCaClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = kvs_iot_ca_finalize;
  GST_DEBUG_CATEGORY_INIT (kvs_iot_ca_debug, "kvsserveriotca", 0,
      "kvs-signaling-server IoT certificate authority");
}

static void
kvs_iot_ca_init (KvsIotCa * self)
{
}

void
kvs_iot_device_certificate_free (KvsIotDeviceCertificate * c)
{
  if (c == NULL)
    return;
  g_free (c->certificate_id);
  g_free (c->certificate_pem);
  g_free (c->public_key_pem);
  if (c->private_key_pem) {
    memset (c->private_key_pem, 0, strlen (c->private_key_pem));
    g_free (c->private_key_pem);
  }
  g_free (c);
}

static gboolean
kvs_iot_ca_check (int ret, const gchar * what, GError ** error)
{
  if (ret >= 0)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", what,
      gnutls_strerror (ret));
  return FALSE;
}

#define CHECK(call, what) \
  if (!kvs_iot_ca_check ((call), (what), error)) \
    goto out

/* gnutls_datum_t export → a GLib string (NUL-terminated). */
static gchar *
kvs_iot_ca_datum_to_string (gnutls_datum_t * d)
{
  gchar *s = g_strndup ((const gchar *) d->data, d->size);

  if (d->data) {
    memset (d->data, 0, d->size);
    gnutls_free (d->data);
  }
  d->data = NULL;
  d->size = 0;
  return s;
}

static gnutls_x509_privkey_t
kvs_iot_ca_new_key (GError ** error)
{
  gnutls_x509_privkey_t key = NULL;

  if (!kvs_iot_ca_check (gnutls_x509_privkey_init (&key), "key", error))
    return NULL;
  if (!kvs_iot_ca_check (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
              GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0),
          "generating an ECDSA P-256 key", error)) {
    gnutls_x509_privkey_deinit (key);
    return NULL;
  }
  return key;
}

/* A certificate for @key with subject CN @cn, valid from an hour ago for
 * KVS_IOT_CA_DAYS, a random serial and its subject key id. */
static gnutls_x509_crt_t
kvs_iot_ca_new_crt (gnutls_x509_privkey_t key, const gchar * cn,
    GError ** error)
{
  gnutls_x509_crt_t crt = NULL;
  guint8 serial[16];
  guint8 key_id[64];
  size_t key_id_size = sizeof (key_id);
  time_t now = time (NULL);

  CHECK (gnutls_x509_crt_init (&crt), "certificate");
  CHECK (gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof (serial)), "serial");
  serial[0] &= 0x7f;            /* a positive INTEGER */
  serial[0] |= 0x01;            /* of 16 bytes */
  CHECK (gnutls_x509_crt_set_version (crt, 3), "version");
  CHECK (gnutls_x509_crt_set_serial (crt, serial, sizeof (serial)), "serial");
  CHECK (gnutls_x509_crt_set_activation_time (crt, now - 3600), "validity");
  CHECK (gnutls_x509_crt_set_expiration_time (crt,
          now + (time_t) KVS_IOT_CA_DAYS * 86400), "validity");
  CHECK (gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0,
          cn, strlen (cn)), "subject");
  CHECK (gnutls_x509_crt_set_key (crt, key), "public key");
  CHECK (gnutls_x509_crt_get_key_id (crt, 0, key_id, &key_id_size),
      "subject key id");
  CHECK (gnutls_x509_crt_set_subject_key_id (crt, key_id, key_id_size),
      "subject key id");
  return crt;

out:
  if (crt)
    gnutls_x509_crt_deinit (crt);
  return NULL;
}

/* A certificate for an end entity (not a CA): @key, subject CN @cn, for
 * digital signatures, extended key usage @purpose (GNUTLS_KP_TLS_WWW_*). */
static gnutls_x509_crt_t
kvs_iot_ca_new_leaf (gnutls_x509_privkey_t key, const gchar * cn,
    const gchar * purpose, GError ** error)
{
  gnutls_x509_crt_t crt = kvs_iot_ca_new_crt (key, cn, error);

  if (crt == NULL)
    return NULL;
  CHECK (gnutls_x509_crt_set_basic_constraints (crt, 0, -1),
      "basic constraints");
  CHECK (gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE),
      "key usage");
  CHECK (gnutls_x509_crt_set_key_purpose_oid (crt, purpose, 0),
      "extended key usage");
  return crt;

out:
  gnutls_x509_crt_deinit (crt);
  return NULL;
}

/* Sign @crt with the CA: issuer, authority key id, SHA-256. */
static gboolean
kvs_iot_ca_sign (KvsIotCa * self, gnutls_x509_crt_t crt, GError ** error)
{
  guint8 key_id[64];
  size_t key_id_size = sizeof (key_id);

  CHECK (gnutls_x509_crt_get_subject_key_id (self->crt, key_id, &key_id_size,
          NULL), "the CA's key id");
  CHECK (gnutls_x509_crt_set_authority_key_id (crt, key_id, key_id_size),
      "authority key id");
  CHECK (gnutls_x509_crt_sign2 (crt, self->crt, self->key, GNUTLS_DIG_SHA256,
          0), "signing with the CA");
  return TRUE;
out:
  return FALSE;
}

static gchar *
kvs_iot_ca_crt_pem (gnutls_x509_crt_t crt, GError ** error)
{
  gnutls_datum_t d = { NULL, 0 };

  if (!kvs_iot_ca_check (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM,
              &d), "exporting a certificate", error))
    return NULL;
  return kvs_iot_ca_datum_to_string (&d);
}

static gchar *
kvs_iot_ca_key_pem (gnutls_x509_privkey_t key, GError ** error)
{
  gnutls_datum_t d = { NULL, 0 };

  if (!kvs_iot_ca_check (gnutls_x509_privkey_export2_pkcs8 (key,
              GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &d),
          "exporting a private key", error))
    return NULL;
  return kvs_iot_ca_datum_to_string (&d);
}

/* Write @text to @path, mode 0600 (atomically: never a partial file). */
static gboolean
kvs_iot_ca_write (const gchar * path, const gchar * text, GError ** error)
{
  if (!g_file_set_contents_full (path, text, -1,
          G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;
  /* an existing file keeps its mode with some file systems: make sure */
  if (g_chmod (path, 0600) != 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
        "%s: cannot make it private (0600): %s", path, g_strerror (errno));
    return FALSE;
  }
  return TRUE;
}

static gboolean
kvs_iot_ca_create (KvsIotCa * self, const gchar * key_file, GError ** error)
{
  g_autofree gchar *cert_pem = NULL;
  g_autofree gchar *key_pem = NULL;

  self->key = kvs_iot_ca_new_key (error);
  if (self->key == NULL)
    return FALSE;
  self->crt = kvs_iot_ca_new_crt (self->key, KVS_IOT_CA_CN, error);
  if (self->crt == NULL)
    return FALSE;
  CHECK (gnutls_x509_crt_set_basic_constraints (self->crt, 1, -1),
      "basic constraints");
  CHECK (gnutls_x509_crt_set_key_usage (self->crt, GNUTLS_KEY_KEY_CERT_SIGN |
          GNUTLS_KEY_CRL_SIGN | GNUTLS_KEY_DIGITAL_SIGNATURE), "key usage");
  CHECK (gnutls_x509_crt_sign2 (self->crt, self->crt, self->key,
          GNUTLS_DIG_SHA256, 0), "self-signing the CA");
  cert_pem = kvs_iot_ca_crt_pem (self->crt, error);
  key_pem = cert_pem ? kvs_iot_ca_key_pem (self->key, error) : NULL;
  if (key_pem == NULL)
    return FALSE;
  /* the key first: a ca.pem without its key would not be loadable */
  if (!kvs_iot_ca_write (key_file, key_pem, error) ||
      !kvs_iot_ca_write (self->cert_file, cert_pem, error)) {
    memset (key_pem, 0, strlen (key_pem));
    return FALSE;
  }
  memset (key_pem, 0, strlen (key_pem));
  return TRUE;
out:
  return FALSE;
}

static gboolean
kvs_iot_ca_load (KvsIotCa * self, const gchar * key_file, GError ** error)
{
  g_autofree gchar *cert_pem = NULL;
  g_autofree gchar *key_pem = NULL;
  gsize cert_len = 0, key_len = 0;
  gnutls_datum_t d;
  guint8 crt_id[64], key_id[64];
  size_t crt_id_size = sizeof (crt_id), key_id_size = sizeof (key_id);
  unsigned int ca = 0;
  int ret;

  if (!g_file_get_contents (self->cert_file, &cert_pem, &cert_len, error) ||
      !g_file_get_contents (key_file, &key_pem, &key_len, error))
    return FALSE;
  if (gnutls_x509_crt_init (&self->crt) < 0 ||
      gnutls_x509_privkey_init (&self->key) < 0) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "out of memory");
    goto wipe;
  }
  d.data = (unsigned char *) cert_pem;
  d.size = cert_len;
  ret = gnutls_x509_crt_import (self->crt, &d, GNUTLS_X509_FMT_PEM);
  if (ret < 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "%s: not a PEM certificate (%s)", self->cert_file,
        gnutls_strerror (ret));
    goto wipe;
  }
  if (gnutls_x509_crt_get_basic_constraints (self->crt, NULL, &ca, NULL) < 0
      || !ca) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "%s: not a CA certificate (no basicConstraints CA:TRUE)",
        self->cert_file);
    goto wipe;
  }
  d.data = (unsigned char *) key_pem;
  d.size = key_len;
  ret = gnutls_x509_privkey_import2 (self->key, &d, GNUTLS_X509_FMT_PEM, NULL,
      GNUTLS_PKCS_PLAIN);
  if (ret < 0) {
    /* never the key's text: only what is wrong with it */
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "%s: not an unencrypted PEM private key (%s)", key_file,
        gnutls_strerror (ret));
    goto wipe;
  }
  if (gnutls_x509_crt_get_key_id (self->crt, 0, crt_id, &crt_id_size) < 0 ||
      gnutls_x509_privkey_get_key_id (self->key, 0, key_id, &key_id_size) < 0
      || crt_id_size != key_id_size || memcmp (crt_id, key_id,
          key_id_size) != 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "%s is not the key of %s", key_file, self->cert_file);
    goto wipe;
  }
  memset (key_pem, 0, key_len);
  return TRUE;

wipe:
  memset (key_pem, 0, key_len);
  return FALSE;
}

KvsIotCa *
kvs_iot_ca_open (const gchar * dir, gboolean * created, GError ** error)
{
  g_autoptr (KvsIotCa) self = NULL;
  g_autofree gchar *key_file = NULL;
  gboolean have_cert, have_key;

  g_return_val_if_fail (dir != NULL, NULL);

  self = g_object_new (KVS_TYPE_IOT_CA, NULL);
  self->dir = g_canonicalize_filename (dir, NULL);
  self->cert_file = g_build_filename (self->dir, "ca.pem", NULL);
  key_file = g_build_filename (self->dir, "ca.key", NULL);
  if (g_mkdir_with_parents (self->dir, 0700) != 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
        "--iot-ca-dir %s: cannot create it: %s", self->dir, g_strerror (errno));
    return NULL;
  }
  have_cert = g_file_test (self->cert_file, G_FILE_TEST_EXISTS);
  have_key = g_file_test (key_file, G_FILE_TEST_EXISTS);
  if (have_cert != have_key) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "--iot-ca-dir %s: %s without %s: give both (the CA certificate and "
        "its private key) or neither (the service creates them)", self->dir,
        have_cert ? "ca.pem" : "ca.key", have_cert ? "ca.key" : "ca.pem");
    return NULL;
  }
  if (have_cert) {
    if (!kvs_iot_ca_load (self, key_file, error)) {
      g_prefix_error (error, "--iot-ca-dir: ");
      return NULL;
    }
    GST_INFO ("IoT CA loaded from %s", self->cert_file);
  } else {
    if (!kvs_iot_ca_create (self, key_file, error)) {
      g_prefix_error (error, "--iot-ca-dir %s: ", self->dir);
      return NULL;
    }
    GST_INFO ("IoT CA created in %s", self->cert_file);
  }
  if (created)
    *created = !have_cert;
  return g_steal_pointer (&self);
}

const gchar *
kvs_iot_ca_get_certificate_file (KvsIotCa * self)
{
  g_return_val_if_fail (KVS_IS_IOT_CA (self), NULL);
  return self->cert_file;
}

gboolean
kvs_iot_ca_thing_name_is_valid (const gchar * thing)
{
  gsize len = thing ? strlen (thing) : 0;

  if (len == 0 || len > 128)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (thing[i]) && !strchr (":_-", thing[i]))
      return FALSE;
  return TRUE;
}

KvsIotDeviceCertificate *
kvs_iot_ca_issue_device (KvsIotCa * self, const gchar * thing, GError ** error)
{
  g_autoptr (KvsIotDeviceCertificate) c = NULL;
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_pubkey_t pub = NULL;
  gnutls_datum_t d = { NULL, 0 };
  guint8 fingerprint[32];
  size_t fingerprint_size = sizeof (fingerprint);
  gboolean ok = FALSE;

  g_return_val_if_fail (KVS_IS_IOT_CA (self), NULL);
  if (!kvs_iot_ca_thing_name_is_valid (thing)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "'%s' is not a thing name: 1 to 128 letters, digits, ':', '_' or '-'",
        thing ? thing : "");
    return NULL;
  }
  key = kvs_iot_ca_new_key (error);
  if (key == NULL)
    return NULL;
  crt = kvs_iot_ca_new_leaf (key, thing, GNUTLS_KP_TLS_WWW_CLIENT, error);
  if (crt == NULL)
    goto out;
  if (!kvs_iot_ca_sign (self, crt, error))
    goto out;
  CHECK (gnutls_x509_crt_get_fingerprint (crt, GNUTLS_DIG_SHA256, fingerprint,
          &fingerprint_size), "fingerprint");
  CHECK (gnutls_pubkey_init (&pub), "public key");
  CHECK (gnutls_pubkey_import_x509 (pub, crt, 0), "public key");
  CHECK (gnutls_pubkey_export2 (pub, GNUTLS_X509_FMT_PEM, &d), "public key");

  c = g_new0 (KvsIotDeviceCertificate, 1);
  c->public_key_pem = kvs_iot_ca_datum_to_string (&d);
  c->certificate_id = g_malloc0 (2 * fingerprint_size + 1);
  for (gsize i = 0; i < fingerprint_size; i++)
    g_snprintf (c->certificate_id + 2 * i, 3, "%02x", fingerprint[i]);
  c->certificate_pem = kvs_iot_ca_crt_pem (crt, error);
  if (c->certificate_pem)
    c->private_key_pem = kvs_iot_ca_key_pem (key, error);
  ok = c->private_key_pem != NULL;
  if (ok)
    GST_INFO ("device certificate %s for thing %s", c->certificate_id, thing);

out:
  if (pub)
    gnutls_pubkey_deinit (pub);
  if (crt)
    gnutls_x509_crt_deinit (crt);
  gnutls_x509_privkey_deinit (key);
  return ok ? g_steal_pointer (&c) : NULL;
}

gboolean
kvs_iot_ca_write_device (KvsIotCa * self, const gchar * thing,
    gchar ** cert_file, GError ** error)
{
  g_autoptr (KvsIotDeviceCertificate) c = NULL;
  g_autofree gchar *cert_name = NULL, *key_name = NULL;
  g_autofree gchar *cert_path = NULL, *key_path = NULL;

  g_return_val_if_fail (KVS_IS_IOT_CA (self), FALSE);
  c = kvs_iot_ca_issue_device (self, thing, error);
  if (c == NULL)
    return FALSE;
  cert_name = g_strdup_printf ("%s.cert.pem", thing);
  key_name = g_strdup_printf ("%s.private.key", thing);
  cert_path = g_build_filename (self->dir, cert_name, NULL);
  key_path = g_build_filename (self->dir, key_name, NULL);
  if (!kvs_iot_ca_write (key_path, c->private_key_pem, error) ||
      !kvs_iot_ca_write (cert_path, c->certificate_pem, error))
    return FALSE;
  if (cert_file)
    *cert_file = g_steal_pointer (&cert_path);
  return TRUE;
}

GTlsCertificate *
kvs_iot_ca_issue_server (KvsIotCa * self, const gchar * host, GError ** error)
{
  g_autoptr (GInetAddress) addr = NULL;
  g_autofree gchar *cert_pem = NULL;
  g_autofree gchar *key_pem = NULL;
  g_autofree gchar *pem = NULL;
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t crt = NULL;
  GTlsCertificate *cert = NULL;

  g_return_val_if_fail (KVS_IS_IOT_CA (self), NULL);
  addr = g_inet_address_new_from_string (host);
  key = kvs_iot_ca_new_key (error);
  if (key == NULL)
    return NULL;
  crt = kvs_iot_ca_new_leaf (key, host, GNUTLS_KP_TLS_WWW_SERVER, error);
  if (crt == NULL)
    goto out;
  if (addr) {
    CHECK (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS,
            g_inet_address_to_bytes (addr),
            g_inet_address_get_native_size (addr), GNUTLS_FSAN_APPEND),
        "subjectAltName");
  } else {
    CHECK (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME,
            host, strlen (host), GNUTLS_FSAN_APPEND), "subjectAltName");
  }
  CHECK (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME,
          "localhost", strlen ("localhost"), GNUTLS_FSAN_APPEND),
      "subjectAltName");
  if (!kvs_iot_ca_sign (self, crt, error))
    goto out;
  cert_pem = kvs_iot_ca_crt_pem (crt, error);
  key_pem = cert_pem ? kvs_iot_ca_key_pem (key, error) : NULL;
  if (key_pem == NULL)
    goto out;
  pem = g_strconcat (cert_pem, key_pem, NULL);
  cert = g_tls_certificate_new_from_pem (pem, -1, error);
  memset (key_pem, 0, strlen (key_pem));
  memset (pem, 0, strlen (pem));

out:
  if (crt)
    gnutls_x509_crt_deinit (crt);
  gnutls_x509_privkey_deinit (key);
  return cert;
}
