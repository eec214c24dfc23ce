/* A small assertion harness for the C API's tests, in plain C99. */
#ifndef CLIQUET_C_HARNESS_H
#define CLIQUET_C_HARNESS_H

#include <cliquet.h>

#include <stdio.h>
#include <stdlib.h>

extern int harness_checks;
extern int harness_failures;

/* Records a check; on failure prints where and what. */
#define CHECK(condition)                                                                  \
    do {                                                                                  \
        ++harness_checks;                                                                 \
        if (!(condition)) {                                                               \
            ++harness_failures;                                                           \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #condition); \
        }                                                                                 \
    } while (0)

/* A call that must return `expected`. */
#define CHECK_STATUS(expected, call)                                                                                  \
    do {                                                                                                              \
        cliquet_status check_status_ = (call);                                                                        \
        ++harness_checks;                                                                                             \
        if (check_status_ != (expected)) {                                                                            \
            ++harness_failures;                                                                                       \
            fprintf(stderr, "%s:%d: %s returned %s (%s), not %s\n", __FILE__, __LINE__, #call,                        \
                    cliquet_status_name(check_status_), cliquet_last_error_message(), cliquet_status_name(expected)); \
        }                                                                                                             \
    } while (0)

#define CHECK_OK(call) CHECK_STATUS(CLIQUET_OK, call)

/* A call the rest of the test depends on: on failure the test run stops. */
#define REQUIRE_OK(call)                                                                         \
    do {                                                                                         \
        cliquet_status require_status_ = (call);                                                 \
        if (require_status_ != CLIQUET_OK) {                                                     \
            fprintf(stderr, "%s:%d: %s returned %s (%s); stopping\n", __FILE__, __LINE__, #call, \
                    cliquet_status_name(require_status_), cliquet_last_error_message());         \
            exit(1);                                                                             \
        }                                                                                        \
    } while (0)

/* A buffer holds exactly `len` bytes equal to `bytes`. */
int buffer_equals(const cliquet_buffer* buffer, const void* bytes, size_t len);
/* A buffer holds the text `text`. */
int buffer_is_text(const cliquet_buffer* buffer, const char* text);

#endif
