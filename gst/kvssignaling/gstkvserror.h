/* kvssignaling: error domains.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * GST_KVS_ERROR:
 *
 * Errors from the service (REST replies, WebSocket handshake, STATUS_RESPONSE)
 * and from the connection. gst_kvs_error_to_aws_name() gives the AWS name.
 */
#define GST_KVS_ERROR (gst_kvs_error_quark ())
GQuark gst_kvs_error_quark (void);

typedef enum {
  GST_KVS_ERROR_INVALID_ARGUMENT,        /* InvalidArgumentException, 400 */
  GST_KVS_ERROR_CLIENT_LIMIT_EXCEEDED,   /* ClientLimitExceededException, 400 */
  GST_KVS_ERROR_RESOURCE_IN_USE,         /* ResourceInUseException, 400 */
  GST_KVS_ERROR_ACCOUNT_CHANNEL_LIMIT_EXCEEDED, /* 400 */
  GST_KVS_ERROR_INVALID_CLIENT,          /* InvalidClientException, 400 */
  GST_KVS_ERROR_SESSION_EXPIRED,         /* SessionExpiredException, 400 */
  GST_KVS_ERROR_ACCESS_DENIED,           /* AccessDeniedException, 401 */
  GST_KVS_ERROR_NOT_AUTHORIZED,          /* NotAuthorizedException, 401 */
  GST_KVS_ERROR_SIGNATURE,               /* 403: bad signature */
  GST_KVS_ERROR_SIGNATURE_EXPIRED,       /* 403: expired / not yet current (clock skew) */
  GST_KVS_ERROR_RESOURCE_NOT_FOUND,      /* ResourceNotFoundException, 404 */
  GST_KVS_ERROR_SERVICE,                 /* 5xx or an unknown error name */
  GST_KVS_ERROR_PROTOCOL,                /* malformed or unexpected reply */
  GST_KVS_ERROR_NO_CREDENTIALS,          /* the credential chain found nothing */
  GST_KVS_ERROR_CONNECTION,              /* network, TLS or WebSocket failure */
  GST_KVS_ERROR_NOT_CONNECTED,           /* send while not connected / stopped */
  GST_KVS_ERROR_TLS_CERTIFICATE,         /* the service's TLS certificate was refused */
  GST_KVS_ERROR_REPLACED,                /* the service closed the connection: a newer
                                          * one (another master, or a viewer with the
                                          * same client id) took its place */
  GST_KVS_ERROR_REGION_MISMATCH,         /* the service expects another region in the
                                          * signature's credential scope */
  GST_KVS_ERROR_CREDENTIALS_SOURCE,      /* a configured credential source failed:
                                          * unreadable file, malformed process output,
                                          * STS refusal, expired SSO token, ... */
} GstKvsError;

/* AWS spelling of an error ("ResourceNotFoundException"), or NULL when the
 * code has no AWS name (PROTOCOL, CONNECTION, ...). */
const gchar *gst_kvs_error_to_aws_name (GstKvsError code);

/* Map an AWS error name (as in x-amzn-ErrorType, which may carry a ":url"
 * suffix) and HTTP status to a code. NULL name: decided by status alone. */
GstKvsError gst_kvs_error_from_aws (const gchar * aws_name, guint http_status,
    const gchar * message);

/**
 * GST_KVS_VALIDATION_ERROR:
 *
 * A value broke one of the service's rules; raised locally before anything
 * is sent. One code per rule.
 */
#define GST_KVS_VALIDATION_ERROR (gst_kvs_validation_error_quark ())
GQuark gst_kvs_validation_error_quark (void);

typedef enum {
  GST_KVS_VALIDATION_ERROR_INVALID_ACTION,      /* not SDP_OFFER/SDP_ANSWER/ICE_CANDIDATE */
  GST_KVS_VALIDATION_ERROR_ID_EMPTY,            /* client/correlation id of length 0 */
  GST_KVS_VALIDATION_ERROR_ID_TOO_LONG,         /* longer than 256 */
  GST_KVS_VALIDATION_ERROR_ID_CHARACTERS,       /* outside [a-zA-Z0-9_.-] */
  GST_KVS_VALIDATION_ERROR_CLIENT_ID_RESERVED,  /* viewer id starting with AWS_ */
  GST_KVS_VALIDATION_ERROR_MISSING_RECIPIENT,   /* master message without recipient */
  GST_KVS_VALIDATION_ERROR_PAYLOAD_EMPTY,       /* 0 base64 characters */
  GST_KVS_VALIDATION_ERROR_PAYLOAD_TOO_LARGE,   /* more than the payload limit */
  GST_KVS_VALIDATION_ERROR_PAYLOAD_ENCODING,    /* not base64 / not the JSON expected */
  GST_KVS_VALIDATION_ERROR_MISSING_FIELD,       /* sdp, candidate, ... absent or wrong type */
  GST_KVS_VALIDATION_ERROR_CHANNEL_NAME,        /* channel name rule */
  GST_KVS_VALIDATION_ERROR_MALFORMED,           /* not JSON / not an object */
} GstKvsValidationError;

G_END_DECLS
