/* Runs the C API's tests: all, or those whose name contains argv[1]. */
#include <string.h>

#include "harness.h"
#include "tests.h"

typedef struct test_case {
    const char* name;
    void (*run)(void);
} test_case;

static const test_case tests[] = {
    {"statuses_and_buffers", test_statuses_and_buffers},
    {"error_message_per_thread", test_error_message_per_thread},
    {"identities", test_identities},
    {"fingerprints", test_fingerprints},
    {"pre_key_manager", test_pre_key_manager},
    {"pre_key_bundles", test_pre_key_bundles},
    {"session_version_4", test_session_version_4},
    {"session_version_3", test_session_version_3},
    {"session_refusals", test_session_refusals},
    {"session_lifecycle", test_session_lifecycle},
    {"identities_in_store", test_identities_in_store},
    {"sqlite_store", test_sqlite_store},
    {"callback_store", test_callback_store},
    {"damaged_records", test_damaged_records},
    {"certificates", test_certificates},
    {"sealed_sender_v1", test_sealed_sender_v1},
    {"sealed_sender_v2_group", test_sealed_sender_v2_group},
    {"sealed_retry_request", test_sealed_retry_request},
    {"sealed_sender_failure", test_sealed_sender_failure},
    {"group_messages", test_group_messages},
    {"retry_requests", test_retry_requests},
    {"null_arguments", test_null_arguments},
    {"callback_failures", test_callback_failures},
    {"callback_failures_without_transactions", test_callback_failures_without_transactions},
};

int main(int argc, char** argv) {
    size_t i, run = 0;
    for (i = 0; i < sizeof tests / sizeof tests[0]; ++i) {
        int failures_before = harness_failures;
        if (argc > 1 && strstr(tests[i].name, argv[1]) == NULL) continue;
        tests[i].run();
        ++run;
        printf("%-40s %s\n", tests[i].name, harness_failures == failures_before ? "ok" : "FAILED");
    }
    printf("%lu tests, %d checks, %d failed\n", (unsigned long)run, harness_checks, harness_failures);
    return harness_failures == 0 && run > 0 ? 0 : 1;
}
