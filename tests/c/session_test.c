/* Sessions through the C API: version 4 (PQXDH, SPQR) and version 3, and how
 * a session refuses what it must. */
#include <string.h>

#include "fixtures.h"
#include "tests.h"

void test_session_version_4(void) {
    device alice, bob;
    cliquet_session_cipher *to_bob = NULL, *from_alice = NULL;
    cliquet_pre_key_bundle* bundle;
    cliquet_buffer first = {NULL, 0}, second = {NULL, 0}, plaintext = {NULL, 0};
    cliquet_message_type type = CLIQUET_MESSAGE_PLAINTEXT;
    int version = -1;
    device_init(&alice, ALICE_UUID, 1);
    device_init(&bob, BOB_UUID, 1);
    bundle = device_bundle(&bob, 1);
    CHECK_OK(cliquet_process_pre_key_bundle(alice.store, bob.name, bob.device_id, bundle, CLIQUET_PQ_RATCHET_REQUIRE));
    CHECK_OK(cliquet_session_version(alice.store, bob.name, bob.device_id, &version));
    CHECK(version == 4);
    REQUIRE_OK(
        cliquet_session_cipher_new(alice.store, alice.name, 1, bob.name, 1, CLIQUET_PQ_RATCHET_REQUIRE, &to_bob));
    REQUIRE_OK(
        cliquet_session_cipher_new(bob.store, bob.name, 1, alice.name, 1, CLIQUET_PQ_RATCHET_REQUIRE, &from_alice));

    CHECK_OK(cliquet_session_cipher_encrypt(to_bob, (const uint8_t*)"one", 3, &type, &first));
    CHECK(type == CLIQUET_MESSAGE_PRE_KEY);
    CHECK(first.len > 0 && first.data[0] == 0x44);
    CHECK_OK(cliquet_session_cipher_encrypt(to_bob, (const uint8_t*)"two", 3, &type, &second));
    /* Out of order, and each once. */
    CHECK_OK(cliquet_session_cipher_decrypt_pre_key_message(from_alice, second.data, second.len, &plaintext));
    CHECK(buffer_equals(&plaintext, "two", 3));
    cliquet_buffer_free(&plaintext);
    CHECK_OK(cliquet_session_cipher_decrypt(from_alice, CLIQUET_MESSAGE_PRE_KEY, first.data, first.len, &plaintext));
    CHECK(buffer_equals(&plaintext, "one", 3));
    cliquet_buffer_free(&plaintext);
    CHECK_STATUS(CLIQUET_ERR_DUPLICATE_MESSAGE, cliquet_session_cipher_decrypt(from_alice, CLIQUET_MESSAGE_PRE_KEY,
                                                                               first.data, first.len, &plaintext));
    CHECK(plaintext.data == NULL && plaintext.len == 0);
    CHECK_OK(cliquet_session_version(bob.store, alice.name, alice.device_id, &version));
    CHECK(version == 4);
    cliquet_buffer_free(&first);
    cliquet_buffer_free(&second);

    /* Bob answers: a whisper message, and Alice's next ones are whispers too. */
    CHECK_OK(cliquet_session_cipher_encrypt(from_alice, (const uint8_t*)"reply", 5, &type, &first));
    CHECK(type == CLIQUET_MESSAGE_WHISPER);
    CHECK_OK(cliquet_session_cipher_decrypt_whisper_message(to_bob, first.data, first.len, &plaintext));
    CHECK(buffer_equals(&plaintext, "reply", 5));
    cliquet_buffer_free(&plaintext);
    cliquet_buffer_free(&first);
    CHECK_OK(cliquet_session_cipher_encrypt(to_bob, NULL, 0, &type, &first));
    CHECK(type == CLIQUET_MESSAGE_WHISPER);
    CHECK_OK(cliquet_session_cipher_decrypt(from_alice, type, first.data, first.len, &plaintext));
    CHECK(plaintext.len == 0 && plaintext.data == NULL);
    cliquet_buffer_free(&first);

    cliquet_session_cipher_free(from_alice);
    cliquet_session_cipher_free(to_bob);
    cliquet_pre_key_bundle_free(bundle);
    device_free(&alice);
    device_free(&bob);
}

void test_session_version_3(void) {
    device alice, bob;
    cliquet_pre_key_bundle* bundle;
    cliquet_session_cipher *to_bob = NULL, *from_alice = NULL;
    cliquet_buffer message = {NULL, 0}, plaintext = {NULL, 0};
    cliquet_message_type type = CLIQUET_MESSAGE_PLAINTEXT;
    int version = -1;
    device_init(&alice, "alice", 1);
    device_init(&bob, "bob", 2);
    bundle = device_bundle(&bob, 0);
    /* Today's policy refuses a bundle without a Kyber pre-key... */
    CHECK_STATUS(CLIQUET_ERR_UNSUPPORTED, cliquet_process_pre_key_bundle(alice.store, bob.name, bob.device_id, bundle,
                                                                         CLIQUET_PQ_RATCHET_REQUIRE));
    CHECK_OK(cliquet_session_version(alice.store, bob.name, bob.device_id, &version));
    CHECK(version == 0);
    /* ...which the policy for older peers accepts, as X3DH. */
    CHECK_OK(cliquet_process_pre_key_bundle(alice.store, bob.name, bob.device_id, bundle, CLIQUET_PQ_RATCHET_OFFER));
    CHECK_OK(cliquet_session_version(alice.store, bob.name, bob.device_id, &version));
    CHECK(version == 3);
    REQUIRE_OK(cliquet_session_cipher_new(alice.store, alice.name, 1, bob.name, 2, CLIQUET_PQ_RATCHET_OFFER, &to_bob));
    CHECK_OK(cliquet_session_cipher_encrypt(to_bob, (const uint8_t*)"v3", 2, &type, &message));
    CHECK(type == CLIQUET_MESSAGE_PRE_KEY && message.data[0] >> 4 == 3);
    /* Bob, under today's policy, refuses the version-3 pre-key message. */
    REQUIRE_OK(
        cliquet_session_cipher_new(bob.store, bob.name, 2, alice.name, 1, CLIQUET_PQ_RATCHET_REQUIRE, &from_alice));
    CHECK_STATUS(CLIQUET_ERR_INVALID_MESSAGE,
                 cliquet_session_cipher_decrypt(from_alice, type, message.data, message.len, &plaintext));
    cliquet_session_cipher_free(from_alice);
    REQUIRE_OK(
        cliquet_session_cipher_new(bob.store, bob.name, 2, alice.name, 1, CLIQUET_PQ_RATCHET_OFFER, &from_alice));
    CHECK_OK(cliquet_session_cipher_decrypt(from_alice, type, message.data, message.len, &plaintext));
    CHECK(buffer_equals(&plaintext, "v3", 2));
    cliquet_buffer_free(&plaintext);
    cliquet_buffer_free(&message);
    cliquet_session_cipher_free(from_alice);
    cliquet_session_cipher_free(to_bob);
    cliquet_pre_key_bundle_free(bundle);
    device_free(&alice);
    device_free(&bob);
}

/* What a session refuses, each refusal changing nothing: the message still
 * decrypts afterwards where it should. */
void test_session_refusals(void) {
    device alice, bob, stranger;
    cliquet_pre_key_bundle* bundle;
    cliquet_session_cipher *to_bob = NULL, *at_bob = NULL, *at_stranger = NULL;
    cliquet_buffer message = {NULL, 0}, plaintext = {NULL, 0};
    cliquet_message_type type = CLIQUET_MESSAGE_PLAINTEXT;
    device_init(&alice, ALICE_UUID, 1);
    device_init(&bob, BOB_UUID, 1);
    device_init(&stranger, BOB_UUID, 1); /* Bob's address, none of his keys */
    bundle = device_bundle(&bob, 1);
    REQUIRE_OK(cliquet_process_pre_key_bundle(alice.store, bob.name, 1, bundle, CLIQUET_PQ_RATCHET_REQUIRE));
    REQUIRE_OK(
        cliquet_session_cipher_new(alice.store, alice.name, 1, bob.name, 1, CLIQUET_PQ_RATCHET_REQUIRE, &to_bob));
    REQUIRE_OK(cliquet_session_cipher_new(bob.store, bob.name, 1, alice.name, 1, CLIQUET_PQ_RATCHET_REQUIRE, &at_bob));
    REQUIRE_OK(cliquet_session_cipher_new(stranger.store, bob.name, 1, alice.name, 1, CLIQUET_PQ_RATCHET_REQUIRE,
                                          &at_stranger));
    REQUIRE_OK(cliquet_session_cipher_encrypt(to_bob, (const uint8_t*)"for Bob", 7, &type, &message));
    /* Pre-keys the device does not hold. */
    CHECK_STATUS(CLIQUET_ERR_INVALID_PRE_KEY,
                 cliquet_session_cipher_decrypt(at_stranger, type, message.data, message.len, &plaintext));
    /* Truncated, as a whisper message, with a flipped byte. */
    CHECK_STATUS(CLIQUET_ERR_INVALID_MESSAGE,
                 cliquet_session_cipher_decrypt(at_bob, type, message.data, message.len / 2, &plaintext));
    CHECK_STATUS(CLIQUET_ERR_INVALID_MESSAGE,
                 cliquet_session_cipher_decrypt_whisper_message(at_bob, message.data, message.len, &plaintext));
    message.data[message.len - 3] ^= 0x20;
    CHECK_STATUS(CLIQUET_ERR_INVALID_MESSAGE,
                 cliquet_session_cipher_decrypt(at_bob, type, message.data, message.len, &plaintext));
    message.data[message.len - 3] ^= 0x20;
    CHECK(plaintext.data == NULL);
    /* None of it changed Bob's store. */
    CHECK_OK(cliquet_session_cipher_decrypt(at_bob, type, message.data, message.len, &plaintext));
    CHECK(buffer_equals(&plaintext, "for Bob", 7));
    cliquet_buffer_free(&plaintext);
    CHECK_STATUS(CLIQUET_ERR_DUPLICATE_MESSAGE,
                 cliquet_session_cipher_decrypt(at_bob, type, message.data, message.len, &plaintext));
    /* An empty message, and no session with the sender at all. */
    CHECK_STATUS(CLIQUET_ERR_INVALID_MESSAGE, cliquet_session_cipher_decrypt(at_bob, type, NULL, 0, &plaintext));
    CHECK_STATUS(CLIQUET_ERR_NO_SESSION,
                 cliquet_session_cipher_encrypt(at_stranger, (const uint8_t*)"x", 1, &type, &plaintext));
    cliquet_buffer_free(&message);
    cliquet_session_cipher_free(at_stranger);
    cliquet_session_cipher_free(at_bob);
    cliquet_session_cipher_free(to_bob);
    cliquet_pre_key_bundle_free(bundle);
    device_free(&alice);
    device_free(&bob);
    device_free(&stranger);
}
