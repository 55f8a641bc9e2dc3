/* kvssignaling: error domains and the mapping to and from AWS error names.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstkvserror.h"

GQuark
gst_kvs_error_quark (void)
{
  return g_quark_from_static_string ("gst-kvs-error-quark");
}

GQuark
gst_kvs_validation_error_quark (void)
{
  return g_quark_from_static_string ("gst-kvs-validation-error-quark");
}

typedef struct
{
  const gchar *name;
  GstKvsError code;
} AwsName;

/* The first entry for a code is its canonical spelling. */
static const AwsName aws_names[] = {
  {"InvalidArgumentException", GST_KVS_ERROR_INVALID_ARGUMENT},
  {"ClientLimitExceededException", GST_KVS_ERROR_CLIENT_LIMIT_EXCEEDED},
  {"ResourceInUseException", GST_KVS_ERROR_RESOURCE_IN_USE},
  {"AccountChannelLimitExceededException",
      GST_KVS_ERROR_ACCOUNT_CHANNEL_LIMIT_EXCEEDED},
  {"InvalidClientException", GST_KVS_ERROR_INVALID_CLIENT},
  {"SessionExpiredException", GST_KVS_ERROR_SESSION_EXPIRED},
  {"AccessDeniedException", GST_KVS_ERROR_ACCESS_DENIED},
  {"NotAuthorizedException", GST_KVS_ERROR_NOT_AUTHORIZED},
  {"InvalidSignatureException", GST_KVS_ERROR_SIGNATURE},
  {"ResourceNotFoundException", GST_KVS_ERROR_RESOURCE_NOT_FOUND},
  /* Names of the generic AWS front end, accepted on input only. */
  {"ExpiredTokenException", GST_KVS_ERROR_SIGNATURE_EXPIRED},
  {"UnrecognizedClientException", GST_KVS_ERROR_SIGNATURE},
  {"SignatureDoesNotMatch", GST_KVS_ERROR_SIGNATURE},
  {"IncompleteSignatureException", GST_KVS_ERROR_SIGNATURE},
  {"ThrottlingException", GST_KVS_ERROR_CLIENT_LIMIT_EXCEEDED},
};

const gchar *
gst_kvs_error_to_aws_name (GstKvsError code)
{
  guint i;

  /* An expired signature is reported by AWS as a bad signature whose
   * message says "Signature expired". */
  if (code == GST_KVS_ERROR_SIGNATURE_EXPIRED)
    code = GST_KVS_ERROR_SIGNATURE;

  for (i = 0; i < G_N_ELEMENTS (aws_names); i++) {
    if (aws_names[i].code == code)
      return aws_names[i].name;
  }
  return NULL;
}

static gboolean
mentions_clock_skew (const gchar * message)
{
  if (message == NULL)
    return FALSE;
  return strstr (message, "Signature expired") != NULL ||
      strstr (message, "not yet current") != NULL;
}

/* "ResourceNotFoundException:http://internal.amazon.com/..." and
 * "aws.protocol#ResourceNotFoundException" both name ResourceNotFoundException. */
static gchar *
strip_aws_name (const gchar * aws_name)
{
  const gchar *start = aws_name;
  const gchar *hash = strchr (aws_name, '#');
  const gchar *colon;

  if (hash != NULL)
    start = hash + 1;
  colon = strchr (start, ':');
  if (colon != NULL)
    return g_strstrip (g_strndup (start, colon - start));
  return g_strstrip (g_strdup (start));
}

GstKvsError
gst_kvs_error_from_aws (const gchar * aws_name, guint http_status,
    const gchar * message)
{
  gboolean skew = mentions_clock_skew (message);

  if (aws_name != NULL && *aws_name != '\0') {
    g_autofree gchar *name = strip_aws_name (aws_name);
    guint i;

    for (i = 0; i < G_N_ELEMENTS (aws_names); i++) {
      if (strcmp (aws_names[i].name, name) == 0) {
        GstKvsError code = aws_names[i].code;

        if (code == GST_KVS_ERROR_SIGNATURE && skew)
          code = GST_KVS_ERROR_SIGNATURE_EXPIRED;
        return code;
      }
    }
  }

  switch (http_status) {
    case 400:
      return GST_KVS_ERROR_INVALID_ARGUMENT;
    case 401:
      return GST_KVS_ERROR_NOT_AUTHORIZED;
    case 403:
      return skew ? GST_KVS_ERROR_SIGNATURE_EXPIRED : GST_KVS_ERROR_SIGNATURE;
    case 404:
      return GST_KVS_ERROR_RESOURCE_NOT_FOUND;
    case 429:
      return GST_KVS_ERROR_CLIENT_LIMIT_EXCEEDED;
    default:
      return GST_KVS_ERROR_SERVICE;
  }
}
