/* The last error message is each thread's own. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <string.h>

#include "fixtures.h"
#include "tests.h"

static void* fail_on_another_thread(void* unused) {
    cliquet_buffer buffer = {NULL, 0};
    (void)unused;
    /* identity NULL: "identity is NULL" on this thread only. */
    if (cliquet_identity_public_key(NULL, &buffer) != CLIQUET_ERR_INVALID_ARGUMENT) return (void*)1;
    return strstr(cliquet_last_error_message(), "identity is NULL") != NULL ? NULL : (void*)1;
}

void test_error_message_per_thread(void) {
    pthread_t thread;
    void* failed = (void*)1;
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT, cliquet_buffer_set(NULL, NULL, 0));
    CHECK(strstr(cliquet_last_error_message(), "buffer is NULL") != NULL);
    REQUIRE_OK(pthread_create(&thread, NULL, fail_on_another_thread, NULL) == 0 ? CLIQUET_OK : CLIQUET_ERR_INTERNAL);
    CHECK(pthread_join(thread, &failed) == 0);
    CHECK(failed == NULL);
    /* This thread's message is still its own. */
    CHECK(strstr(cliquet_last_error_message(), "buffer is NULL") != NULL);
    /* A successful call leaves it alone: it is the last failure's. */
    CHECK_OK(cliquet_buffer_set(&(cliquet_buffer){NULL, 0}, NULL, 0));
    CHECK(strstr(cliquet_last_error_message(), "buffer is NULL") != NULL);
}
