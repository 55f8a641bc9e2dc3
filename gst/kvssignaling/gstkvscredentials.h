/* kvssignaling: AWS credentials and the standard credential chain.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>
#include "gstkvserror.h"

G_BEGIN_DECLS

#define GST_KVS_TYPE_CREDENTIALS (gst_kvs_credentials_get_type ())

/**
 * GstKvsCredentials:
 *
 * An immutable, reference-counted credential set. @source says where it came
 * from ("explicit", "environment", "profile default (~/.aws/credentials)")
 * and is safe to log; the secret key and token never are.
 */
typedef struct {
  gchar *access_key_id;
  gchar *secret_access_key;
  gchar *session_token;         /* NULL when none */
  gint64 expiration;            /* unix seconds, 0 = does not expire */
  gchar *source;
} GstKvsCredentials;

GType gst_kvs_credentials_get_type (void);
GstKvsCredentials *gst_kvs_credentials_new (const gchar * access_key_id,
    const gchar * secret_access_key, const gchar * session_token,
    const gchar * source);
/* As gst_kvs_credentials_new(), expiring at @expiration (unix seconds,
 * 0 = never). */
GstKvsCredentials *gst_kvs_credentials_new_full (const gchar * access_key_id,
    const gchar * secret_access_key, const gchar * session_token,
    gint64 expiration, const gchar * source);
GstKvsCredentials *gst_kvs_credentials_ref (GstKvsCredentials * creds);
void gst_kvs_credentials_unref (GstKvsCredentials * creds);

/* The AWS chain, in AWS's order: the explicit values (both key parts or
 * neither), then AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
 * AWS_SESSION_TOKEN, then the shared credentials file and the config file
 * for @profile (NULL: AWS_PROFILE, else "default"). Nothing found:
 * GST_KVS_ERROR_NO_CREDENTIALS naming every place looked at. */
GstKvsCredentials *gst_kvs_credentials_resolve (const gchar * access_key_id,
    const gchar * secret_access_key, const gchar * session_token,
    const gchar * profile, GError ** error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstKvsCredentials, gst_kvs_credentials_unref)

G_END_DECLS
