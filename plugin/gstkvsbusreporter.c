/* kvssignaling: what a shared connection tells the application, posted on
 * the bus through the first element attached to it.
 *
 * A connection serves several elements, possibly in several pipelines: its
 * errors, warnings and element messages go out through the first element
 * still attached. The texts say what to fix; the library's errors become
 * GStreamer resource errors whose codes say which kind (settings, not
 * found, not authorized), and repeated identical connect failures are
 * summarised.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvsbusreporter.h"

GST_DEBUG_CATEGORY_STATIC (kvs_bus_reporter_debug);
#define GST_CAT_DEFAULT kvs_bus_reporter_debug

/* Identical failed attempts in a row are summarised: the first one is
 * posted, then every CONNECT_WARNING_EVERY-th with the count. */
#define CONNECT_WARNING_EVERY 10

struct _GstKvsBusReporter
{
  GObject parent;

  GstKvsSettings settings;

  GMutex lock;
  GList *elements;              /* GstElement *, not owned */
  /* Failed connection attempts reported as warnings. */
  gchar *last_failure;          /* step and reason, NULL: none since connected */
  guint same_failures;          /* attempts in a row that failed that way */
};

G_DEFINE_TYPE_WITH_CODE (GstKvsBusReporter, gst_kvs_bus_reporter,
    G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (kvs_bus_reporter_debug, "kvsbusreporter", 0,
        "KVS signaling: a shared connection's bus messages"));

GstKvsBusReporter *
gst_kvs_bus_reporter_new (const GstKvsSettings * settings)
{
  GstKvsBusReporter *self = g_object_new (GST_TYPE_KVS_BUS_REPORTER, NULL);

  gst_kvs_settings_copy_into (&self->settings, settings);
  return self;
}

void
gst_kvs_bus_reporter_add_element (GstKvsBusReporter * self,
    GstElement * element)
{
  g_mutex_lock (&self->lock);
  if (!g_list_find (self->elements, element))
    self->elements = g_list_append (self->elements, element);
  g_mutex_unlock (&self->lock);
}

void
gst_kvs_bus_reporter_remove_element (GstKvsBusReporter * self,
    GstElement * element)
{
  g_mutex_lock (&self->lock);
  self->elements = g_list_remove (self->elements, element);
  g_mutex_unlock (&self->lock);
}

static GstElement *
dup_poster (GstKvsBusReporter * self)
{
  GstElement *element = NULL;

  g_mutex_lock (&self->lock);
  if (self->elements)
    element = gst_object_ref (self->elements->data);
  g_mutex_unlock (&self->lock);
  return element;
}

void
gst_kvs_bus_reporter_problem (GstKvsBusReporter * self, GstMessageType type,
    GQuark domain, gint code, gchar * text, gchar * debug)
{
  GstElement *element = dup_poster (self);

  if (element == NULL) {
    GST_WARNING_OBJECT (self, "no element to post on: %s (%s)", text,
        GST_STR_NULL (debug));
    g_free (text);
    g_free (debug);
    return;
  }
  gst_element_message_full (element, type, domain, code, text, debug,
      __FILE__, GST_FUNCTION, __LINE__);
  gst_object_unref (element);
}

void
gst_kvs_bus_reporter_element_message (GstKvsBusReporter * self,
    GstStructure * s)
{
  GstElement *element = dup_poster (self);

  if (element == NULL) {
    gst_structure_free (s);
    return;
  }
  gst_element_post_message (element,
      gst_message_new_element (GST_OBJECT (element), s));
  gst_object_unref (element);
}

void
gst_kvs_bus_reporter_message_event (GstKvsBusReporter * self,
    const gchar * direction, const GstKvsMessage * msg, const gchar * peer)
{
  gst_kvs_bus_reporter_element_message (self,
      gst_structure_new ("kvssignaling-message", "direction", G_TYPE_STRING,
          direction, "type", G_TYPE_STRING,
          gst_kvs_message_type_to_string (msg->type), "peer", G_TYPE_STRING,
          peer, "correlation-id", G_TYPE_STRING, msg->correlation_id, NULL));
}

static const gchar *
channel_of (GstKvsBusReporter * self)
{
  return self->settings.channel_name ? self->settings.channel_name :
      self->settings.channel_arn;
}

/* "endpoint E, region R (where R came from)", for the debug part. */
static gchar *
describe_target (GstKvsBusReporter * self, GstKvsSignalingClient * client)
{
  g_autofree gchar *region = gst_kvs_signaling_client_dup_region (client);
  g_autofree gchar *source =
      gst_kvs_signaling_client_dup_region_source (client);

  return g_strdup_printf ("endpoint %s, region %s, from %s",
      self->settings.endpoint ? self->settings.endpoint :
      "(AWS environment or default)", GST_STR_NULL (region),
      GST_STR_NULL (source));
}

void
gst_kvs_bus_reporter_client_error (GstKvsBusReporter * self,
    GstKvsSignalingClient * client, const GError * err)
{
  gint code = GST_RESOURCE_ERROR_OPEN_READ_WRITE;
  const gchar *channel = channel_of (self);
  g_autofree gchar *target = describe_target (self, client);

  if (err->domain == GST_KVS_ERROR) {
    switch (err->code) {
      case GST_KVS_ERROR_RESOURCE_NOT_FOUND:
        code = GST_RESOURCE_ERROR_NOT_FOUND;
        break;
      case GST_KVS_ERROR_ACCESS_DENIED:
      case GST_KVS_ERROR_NOT_AUTHORIZED:
      case GST_KVS_ERROR_SIGNATURE:
      case GST_KVS_ERROR_SIGNATURE_EXPIRED:
      case GST_KVS_ERROR_NO_CREDENTIALS:
      case GST_KVS_ERROR_CREDENTIALS_SOURCE:
        code = GST_RESOURCE_ERROR_NOT_AUTHORIZED;
        break;
      case GST_KVS_ERROR_INVALID_ARGUMENT:
      case GST_KVS_ERROR_INVALID_CLIENT:
      case GST_KVS_ERROR_TLS_CERTIFICATE:
      case GST_KVS_ERROR_REGION_MISMATCH:
        code = GST_RESOURCE_ERROR_SETTINGS;
        break;
      default:
        break;
    }
  } else if (err->domain == GST_KVS_VALIDATION_ERROR) {
    code = GST_RESOURCE_ERROR_SETTINGS;
  }

  gst_kvs_bus_reporter_problem (self, GST_MESSAGE_ERROR, GST_RESOURCE_ERROR,
      code, g_strdup_printf ("Could not connect to the KVS signaling channel "
          "'%s': %s", GST_STR_NULL (channel), err->message),
      g_strdup_printf ("%s error %d; %s", g_quark_to_string (err->domain),
          err->code, target));
}

static const gchar *
state_nick (GstKvsSignalingState state)
{
  GEnumClass *klass = g_type_class_ref (GST_TYPE_KVS_SIGNALING_STATE);
  GEnumValue *v = g_enum_get_value (klass, state);
  const gchar *nick = v ? v->value_nick : "unknown";

  g_type_class_unref (klass);   /* static type: the nick stays valid */
  return nick;
}

/* Another master, or a viewer with our client id, took the channel. */
static void
warn_replaced (GstKvsBusReporter * self, GstKvsSignalingClient * client,
    const GError * err, guint retry_ms)
{
  guint wait_s = (retry_ms + 999) / 1000;
  gchar *text;

  if (self->settings.role == GST_KVS_ROLE_MASTER) {
    text = g_strdup_printf ("Another master connected to channel '%s'; "
        "waiting %u s before reconnecting. A channel has one master: is "
        "another pipeline the master of this channel (a viewer needs "
        "role=viewer)?", GST_STR_NULL (channel_of (self)), wait_s);
  } else {
    g_autofree gchar *id = gst_kvs_signaling_client_dup_client_id (client);

    text = g_strdup_printf ("Another viewer connected to channel '%s' with "
        "the same client id '%s'; waiting %u s before reconnecting. Give "
        "each viewer its own client-id.", GST_STR_NULL (channel_of (self)),
        GST_STR_NULL (id), wait_s);
  }
  gst_kvs_bus_reporter_problem (self, GST_MESSAGE_WARNING, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_BUSY, text, g_strdup (err->message));
}

/* Says why on the bus, so that a wrong or unreachable endpoint does not
 * look like a silent stall. */
void
gst_kvs_bus_reporter_connect_failure (GstKvsBusReporter * self,
    GstKvsSignalingClient * client, GstKvsSignalingState step,
    const GError * err, guint retry_ms, gboolean started)
{
  g_autofree gchar *key = NULL;
  guint count;
  gboolean due;
  GString *text;

  if (g_error_matches (err, GST_KVS_ERROR, GST_KVS_ERROR_REPLACED)) {
    warn_replaced (self, client, err, retry_ms);
    return;
  }
  /* A lost connection heals at once, or its next attempt fails here. */
  if (step == GST_KVS_SIGNALING_STATE_CONNECTED)
    return;

  key = g_strdup_printf ("%d %s", step, err->message);
  g_mutex_lock (&self->lock);
  if (g_strcmp0 (self->last_failure, key) == 0) {
    count = ++self->same_failures;
  } else {
    g_free (self->last_failure);
    self->last_failure = g_strdup (key);
    count = self->same_failures = 1;
  }
  due = started && (count == 1 || count % CONNECT_WARNING_EVERY == 0);
  g_mutex_unlock (&self->lock);
  if (!due)
    return;

  text = g_string_new (NULL);
  g_string_printf (text, "Could not connect to the KVS signaling channel "
      "'%s' (failed at step %s: %s); retrying in %.1f s",
      GST_STR_NULL (channel_of (self)), state_nick (step), err->message,
      retry_ms / 1000.0);
  if (count > 1)
    g_string_append_printf (text, " (the same failure %u times in a row)",
        count);
  gst_kvs_bus_reporter_problem (self, GST_MESSAGE_WARNING, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_OPEN_READ_WRITE, g_string_free (text, FALSE),
      describe_target (self, client));
}

void
gst_kvs_bus_reporter_connected (GstKvsBusReporter * self)
{
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->last_failure, g_free);
  self->same_failures = 0;
  g_mutex_unlock (&self->lock);
}

static void
gst_kvs_bus_reporter_finalize (GObject * object)
{
  GstKvsBusReporter *self = GST_KVS_BUS_REPORTER (object);

  gst_kvs_settings_clear (&self->settings);
  g_list_free (self->elements);
  g_free (self->last_failure);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (gst_kvs_bus_reporter_parent_class)->finalize (object);
}

static void
gst_kvs_bus_reporter_class_init (GstKvsBusReporterClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_kvs_bus_reporter_finalize;
}

static void
gst_kvs_bus_reporter_init (GstKvsBusReporter * self)
{
  g_mutex_init (&self->lock);
}
