/* Sender keys (groups) through the C API. */
#include <string.h>

#include "fixtures.h"
#include "tests.h"

static const uint8_t distribution_id[CLIQUET_DISTRIBUTION_ID_SIZE] = {0xd1, 0, 0, 0, 0, 0, 0, 0,
                                                                      0,    0, 0, 0, 0, 0, 0, 1};

void test_group_messages(void) {
    device alice, bob;
    cliquet_buffer distribution = {NULL, 0}, again = {NULL, 0}, first = {NULL, 0}, second = {NULL, 0};
    cliquet_buffer plaintext = {NULL, 0};
    device_init(&alice, "alice", 1);
    device_init(&bob, "bob", 1);
    /* No sender key yet. */
    CHECK_STATUS(CLIQUET_ERR_NO_SESSION, cliquet_group_encrypt(alice.store, alice.name, 1, distribution_id,
                                                               sizeof distribution_id, (const uint8_t*)"x", 1, &first));
    REQUIRE_OK(cliquet_sender_key_distribution_create(alice.store, alice.name, 1, distribution_id,
                                                      sizeof distribution_id, &distribution));
    /* Asked again, it describes the same chain. */
    REQUIRE_OK(cliquet_sender_key_distribution_create(alice.store, alice.name, 1, distribution_id,
                                                      sizeof distribution_id, &again));
    CHECK(buffer_equals(&again, distribution.data, distribution.len));
    cliquet_buffer_free(&again);
    REQUIRE_OK(cliquet_group_encrypt(alice.store, alice.name, 1, distribution_id, sizeof distribution_id,
                                     (const uint8_t*)"first", 5, &first));
    REQUIRE_OK(cliquet_group_encrypt(alice.store, alice.name, 1, distribution_id, sizeof distribution_id,
                                     (const uint8_t*)"second", 6, &second));
    /* Bob has no sender key of Alice's until he processes her distribution. */
    CHECK_STATUS(CLIQUET_ERR_NO_SESSION,
                 cliquet_group_decrypt(bob.store, alice.name, 1, first.data, first.len, &plaintext));
    CHECK_STATUS(CLIQUET_ERR_INVALID_MESSAGE,
                 cliquet_sender_key_distribution_process(bob.store, alice.name, 1, distribution.data, 3));
    CHECK_OK(cliquet_sender_key_distribution_process(bob.store, alice.name, 1, distribution.data, distribution.len));
    CHECK_OK(cliquet_group_decrypt(bob.store, alice.name, 1, second.data, second.len, &plaintext));
    CHECK(buffer_equals(&plaintext, "second", 6));
    cliquet_buffer_free(&plaintext);
    CHECK_OK(cliquet_group_decrypt(bob.store, alice.name, 1, first.data, first.len, &plaintext));
    CHECK(buffer_equals(&plaintext, "first", 5));
    cliquet_buffer_free(&plaintext);
    CHECK_STATUS(CLIQUET_ERR_DUPLICATE_MESSAGE,
                 cliquet_group_decrypt(bob.store, alice.name, 1, first.data, first.len, &plaintext));
    /* A forged signature, a truncated message, another sender's name. */
    second.data[second.len - 1] ^= 1;
    CHECK_STATUS(CLIQUET_ERR_INVALID_SIGNATURE,
                 cliquet_group_decrypt(bob.store, alice.name, 1, second.data, second.len, &plaintext));
    CHECK_STATUS(CLIQUET_ERR_INVALID_MESSAGE,
                 cliquet_group_decrypt(bob.store, alice.name, 1, second.data, 4, &plaintext));
    CHECK_STATUS(CLIQUET_ERR_NO_SESSION,
                 cliquet_group_decrypt(bob.store, "mallory", 1, first.data, first.len, &plaintext));
    /* A distribution id that is not 16 bytes. */
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT, cliquet_group_encrypt(alice.store, alice.name, 1, distribution_id, 15,
                                                                     (const uint8_t*)"x", 1, &plaintext));
    CHECK(plaintext.data == NULL);
    cliquet_buffer_free(&first);
    cliquet_buffer_free(&second);
    cliquet_buffer_free(&distribution);
    device_free(&alice);
    device_free(&bob);
}
