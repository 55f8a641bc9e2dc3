/* Shared by the gst-check programs that run webrtcbin.
 *
 * gst-check runs each test in a forked child that then exits. At exit,
 * OpenSSL's own atexit handler (registered when the test first used DTLS,
 * hence run before gst-check's gst_deinit()) tears OpenSSL down while
 * threads that ran DTLS are still alive: GStreamer's system clock thread
 * (DTLS retransmission timers run there) and streaming threads, joined only
 * in gst_deinit(). Their OpenSSL thread-local destructors then crash the
 * child after the test has passed (SIGSEGV in libcrypto, or glibc's
 * "double free or corruption" when the thread frees its cache): about 1 run
 * in 400 of the session test here.
 *
 * kvs_test_keep_openssl_at_exit(), as the setup of a checked fixture, asks
 * OpenSSL not to clean up at exit (OPENSSL_INIT_NO_ATEXIT, effective on
 * OpenSSL's first initialisation in the child, before the test loads DTLS):
 * the process's memory goes back to the system as it exits anyway.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#ifdef KVS_TEST_HAVE_LIBCRYPTO
#include <openssl/crypto.h>
#endif

static inline void
kvs_test_keep_openssl_at_exit (void)
{
#ifdef KVS_TEST_HAVE_LIBCRYPTO
  OPENSSL_init_crypto (OPENSSL_INIT_NO_ATEXIT, NULL);
#endif
}
