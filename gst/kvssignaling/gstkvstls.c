/* kvssignaling: what a refused TLS certificate was refused for.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvstls.h"
#include "gstkvserror.h"

#define TLS_ERRORS_KEY "gst-kvs-tls-errors"

static gboolean
on_accept_certificate (SoupMessage * msg, GTlsCertificate * certificate,
    GTlsCertificateFlags errors, gpointer user_data)
{
  /* + 1: 0 stays "no refusal seen" */
  g_object_set_data (G_OBJECT (msg), TLS_ERRORS_KEY,
      GUINT_TO_POINTER ((guint) errors + 1));
  return FALSE;
}

void
gst_kvs_tls_watch (SoupMessage * msg)
{
  g_signal_connect (msg, "accept-certificate",
      G_CALLBACK (on_accept_certificate), NULL);
}

/* The problems of @flags in words, "; "-separated. */
static gchar *
describe_flags (GTlsCertificateFlags flags)
{
  static const struct
  {
    GTlsCertificateFlags flag;
    const gchar *text;
  } problems[] = {
    {G_TLS_CERTIFICATE_UNKNOWN_CA,
        "it is signed by an unknown certificate authority (self-signed, or "
          "a private CA)"},
    {G_TLS_CERTIFICATE_BAD_IDENTITY,
        "it was not issued for this host name or address"},
    {G_TLS_CERTIFICATE_NOT_ACTIVATED, "it is not valid yet (check the clock)"},
    {G_TLS_CERTIFICATE_EXPIRED, "it has expired"},
    {G_TLS_CERTIFICATE_REVOKED, "it has been revoked"},
    {G_TLS_CERTIFICATE_INSECURE, "its algorithm is considered insecure"},
    {G_TLS_CERTIFICATE_GENERIC_ERROR, "it could not be verified"},
  };
  GString *text = g_string_new (NULL);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (problems); i++) {
    if (!(flags & problems[i].flag))
      continue;
    if (text->len > 0)
      g_string_append (text, "; ");
    g_string_append (text, problems[i].text);
  }
  if (text->len == 0)
    g_string_append (text, "the TLS library refused it");
  return g_string_free (text, FALSE);
}

GError *
gst_kvs_tls_error_new (SoupMessage * msg, const GError * error,
    const gchar * what)
{
  guint stored = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (msg),
          TLS_ERRORS_KEY));
  GTlsCertificateFlags flags;
  g_autofree gchar *problems = NULL;
  GUri *uri = soup_message_get_uri (msg);
  const gchar *host = uri ? g_uri_get_host (uri) : NULL;
  const gchar *fix;

  if (stored == 0 && !g_error_matches (error, G_TLS_ERROR,
          G_TLS_ERROR_BAD_CERTIFICATE))
    return NULL;

  flags = stored ? (GTlsCertificateFlags) (stored - 1) :
      G_TLS_CERTIFICATE_GENERIC_ERROR;
  problems = describe_flags (flags);
  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    fix = "set ca-file to the PEM file of the certificate authority that "
        "signed it (for the local service: its --tls-cert file)";
  else if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    fix = "use the host name the certificate was issued for in the " "endpoint";
  else
    fix = "fix the service's certificate (TLS is always verified)";

  return g_error_new (GST_KVS_ERROR, GST_KVS_ERROR_TLS_CERTIFICATE,
      "%s failed: the TLS certificate of %s:%d was refused: %s; %s", what,
      host ? host : "the service", uri ? g_uri_get_port (uri) : -1,
      problems, fix);
}
