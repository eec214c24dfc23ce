/* Retry requests through the C API: a failed message, the request for it,
 * and what its sender does. */
#include <string.h>

#include "fixtures.h"
#include "tests.h"

void test_retry_requests(void) {
    device alice, bob;
    cliquet_session_cipher* to_bob = NULL;
    cliquet_buffer message = {NULL, 0}, request = {NULL, 0}, other = {NULL, 0};
    cliquet_message_type type = CLIQUET_MESSAGE_PLAINTEXT;
    cliquet_retry_action action = CLIQUET_RETRY_RESEND;
    uint64_t timestamp = 0;
    uint32_t device_id = 0;
    int has_ratchet_key = -1, version = -1;
    device_init(&alice, ALICE_UUID, 1);
    device_init(&bob, BOB_UUID, 1);
    establish_session(&alice, &bob);
    REQUIRE_OK(
        cliquet_session_cipher_new(alice.store, alice.name, 1, bob.name, 1, CLIQUET_PQ_RATCHET_REQUIRE, &to_bob));
    /* A message sent before Bob's last answer: the session has moved on. */
    REQUIRE_OK(cliquet_session_cipher_encrypt(to_bob, (const uint8_t*)"old", 3, &type, &message));
    REQUIRE_OK(send_text(&alice, &bob, "Bob ratchets"));
    REQUIRE_OK(send_text(&bob, &alice, "and so does Alice"));
    REQUIRE_OK(cliquet_retry_request_create(message.data, message.len, type, 1, 1, &request));
    CHECK_OK(
        cliquet_retry_request_process(alice.store, alice.name, 1, bob.name, 1, request.data, request.len, &action));
    CHECK(action == CLIQUET_RETRY_RESEND);
    cliquet_buffer_free(&request);
    cliquet_buffer_free(&message);
    /* A message on the current state. */
    REQUIRE_OK(cliquet_session_cipher_encrypt(to_bob, (const uint8_t*)"lost", 4, &type, &message));
    /* Bob could not decrypt it: he asks Alice's device 1 again. */
    REQUIRE_OK(cliquet_retry_request_create(message.data, message.len, type, 1234567, 1, &request));
    CHECK_OK(cliquet_retry_request_parse(request.data, request.len, &timestamp, &device_id, &has_ratchet_key));
    CHECK(timestamp == 1234567 && device_id == 1 && has_ratchet_key == 1);
    /* Meant for another device of Alice's account: nothing to do. */
    CHECK_OK(
        cliquet_retry_request_process(alice.store, alice.name, 2, bob.name, 1, request.data, request.len, &action));
    CHECK(action == CLIQUET_RETRY_NOT_FOR_THIS_DEVICE);
    CHECK_OK(
        cliquet_retry_request_process(alice.store, alice.name, 1, bob.name, 1, request.data, request.len, &action));
    CHECK(action == CLIQUET_RETRY_SESSION_ARCHIVED);
    CHECK_OK(cliquet_session_version(alice.store, bob.name, 1, &version));
    CHECK(version == 0);
    CHECK_STATUS(CLIQUET_ERR_NO_SESSION, cliquet_session_cipher_encrypt(to_bob, (const uint8_t*)"x", 1, &type, &other));
    /* No current session any more, and none at all with Carol. */
    CHECK_OK(
        cliquet_retry_request_process(alice.store, alice.name, 1, bob.name, 1, request.data, request.len, &action));
    CHECK(action == CLIQUET_RETRY_NO_SESSION);
    CHECK_OK(cliquet_retry_request_process(alice.store, alice.name, 1, "carol", 1, request.data, request.len, &action));
    CHECK(action == CLIQUET_RETRY_NO_SESSION);
    cliquet_buffer_free(&request);
    /* A group message carries no ratchet key. */
    REQUIRE_OK(cliquet_retry_request_create(message.data, 0, CLIQUET_MESSAGE_SENDER_KEY, 5, 1, &request));
    CHECK_OK(cliquet_retry_request_parse(request.data, request.len, &timestamp, &device_id, &has_ratchet_key));
    CHECK(timestamp == 5 && has_ratchet_key == 0);
    CHECK_OK(
        cliquet_retry_request_process(alice.store, alice.name, 1, bob.name, 1, request.data, request.len, &action));
    CHECK(action == CLIQUET_RETRY_RESEND_SENDER_KEY);
    /* Refusals: a plaintext original, a malformed one, a malformed request. */
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT,
                 cliquet_retry_request_create(message.data, message.len, CLIQUET_MESSAGE_PLAINTEXT, 1, 1, &other));
    CHECK(other.data == NULL);
    CHECK_STATUS(CLIQUET_ERR_INVALID_MESSAGE,
                 cliquet_retry_request_create(request.data, 2, CLIQUET_MESSAGE_WHISPER, 1, 1, &other));
    CHECK_STATUS(CLIQUET_ERR_INVALID_MESSAGE,
                 cliquet_retry_request_parse(request.data, request.len - 1, &timestamp, &device_id, &has_ratchet_key));
    CHECK_STATUS(CLIQUET_ERR_INVALID_MESSAGE,
                 cliquet_retry_request_process(alice.store, alice.name, 1, bob.name, 1, request.data + 1,
                                               request.len - 1, &action));
    cliquet_buffer_free(&request);
    cliquet_buffer_free(&message);
    cliquet_session_cipher_free(to_bob);
    device_free(&alice);
    device_free(&bob);
}
