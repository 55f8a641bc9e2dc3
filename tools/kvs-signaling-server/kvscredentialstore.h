/* kvs-signaling-server: the temporary credentials the service vends (STS,
 * instance metadata, container, SSO, IoT), each with a session token and an
 * expiry, as the SigV4 check looks them up.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define KVS_CREDENTIAL_MIN_TTL 15
#define KVS_CREDENTIAL_MAX_TTL 43200
#define KVS_CREDENTIAL_DEFAULT_TTL 3600

/**
 * KvsCredential:
 *
 * One vended credential set. Owned by the store, valid while it lives.
 */
typedef struct
{
  gchar *access_key_id;         /* "ASIA" + 16 characters */
  gchar *secret_access_key;
  gchar *session_token;
  gint64 expiration;            /* seconds since the epoch */
  gchar *source;                /* "sts", "imds", "container", "sso", "iot" */
  gchar *role_arn;              /* arn:aws:iam::123456789012:role/NAME */
  gchar *arn;                   /* the caller: ...:assumed-role/NAME/SESSION */
  gchar *user_id;               /* GetCallerIdentity's UserId */
} KvsCredential;

/* What the check of a request's session token found. */
typedef enum
{
  KVS_CREDENTIAL_OK,
  KVS_CREDENTIAL_NOT_VENDED,    /* the key is not one the store vended */
  KVS_CREDENTIAL_INVALID_TOKEN, /* no token, or not the key's */
  KVS_CREDENTIAL_EXPIRED,
} KvsCredentialCheck;

#define KVS_TYPE_CREDENTIAL_STORE (kvs_credential_store_get_type ())
G_DECLARE_FINAL_TYPE (KvsCredentialStore, kvs_credential_store, KVS,
    CREDENTIAL_STORE, GObject)

/* Credentials vended by the store live @ttl seconds. */
KvsCredentialStore *kvs_credential_store_new (guint ttl);
guint kvs_credential_store_get_ttl (KvsCredentialStore * self);

/* A new credential set of @source for the role @role_name (session
 * @session_name, NULL = @source). */
const KvsCredential *kvs_credential_store_issue (KvsCredentialStore * self,
    const gchar * source, const gchar * role_name,
    const gchar * session_name);

/* The vended set of @access_key_id (expired or not), or NULL. */
const KvsCredential *kvs_credential_store_lookup (KvsCredentialStore * self,
    const gchar * access_key_id);

/* Whether a request signed by @access_key_id with the session token @token
 * (NULL: none) may pass at @now (seconds since the epoch). */
KvsCredentialCheck kvs_credential_store_check (KvsCredentialStore * self,
    const gchar * access_key_id, const gchar * token, gint64 now);

/* Let every set vended so far expire now (the test control API). Returns
 * how many were still valid. */
guint kvs_credential_store_expire_all (KvsCredentialStore * self);

/* "2026-12-07T10:00:00Z" */
gchar *kvs_credential_format_time (gint64 seconds);

G_END_DECLS
