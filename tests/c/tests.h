/* Every test of the C API's suite, run by main.c. */
#ifndef CLIQUET_C_TESTS_H
#define CLIQUET_C_TESTS_H

void test_statuses_and_buffers(void);
void test_error_message_per_thread(void);
void test_identities(void);
void test_fingerprints(void);
void test_pre_key_manager(void);
void test_pre_key_bundles(void);
void test_session_version_4(void);
void test_session_version_3(void);
void test_session_refusals(void);
void test_session_lifecycle(void);
void test_identities_in_store(void);
void test_sqlite_store(void);
void test_callback_store(void);
void test_damaged_records(void);
void test_certificates(void);
void test_sealed_sender_v1(void);
void test_sealed_sender_v2_group(void);
void test_sealed_retry_request(void);
void test_sealed_sender_failure(void);
void test_group_messages(void);
void test_retry_requests(void);
void test_null_arguments(void);
void test_callback_failures(void);
void test_callback_failures_without_transactions(void);

#endif
