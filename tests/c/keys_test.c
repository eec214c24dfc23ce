/* Statuses, buffers, identities and safety numbers through the C API. */
#include <string.h>

#include "fixtures.h"
#include "tests.h"

void test_statuses_and_buffers(void) {
    cliquet_buffer buffer = {NULL, 0};
    const uint8_t bytes[3] = {1, 2, 3};
    CHECK(strcmp(cliquet_version(), "0.1.0") == 0);
    CHECK(strcmp(cliquet_status_name(CLIQUET_OK), "ok") == 0);
    CHECK(strcmp(cliquet_status_name(CLIQUET_ERR_INVALID_PRE_KEY), "invalid_pre_key") == 0);
    CHECK(strcmp(cliquet_status_name(CLIQUET_ERR_NO_MEMORY), "no_memory") == 0);
    CHECK(strcmp(cliquet_status_name(CLIQUET_ERR_INTERNAL), "internal") == 0);
    CHECK(strcmp(cliquet_status_name((cliquet_status)1000), "unknown") == 0);
    /* Every status has a name of its own. */
    {
        int a, b;
        for (a = CLIQUET_OK; a <= CLIQUET_ERR_INTERNAL; ++a)
            for (b = a + 1; b <= CLIQUET_ERR_INTERNAL; ++b)
                CHECK(strcmp(cliquet_status_name((cliquet_status)a), cliquet_status_name((cliquet_status)b)) != 0);
    }
    CHECK_OK(cliquet_buffer_set(&buffer, bytes, sizeof bytes));
    CHECK(buffer_equals(&buffer, bytes, sizeof bytes));
    /* Set again: the old bytes are freed first (valgrind checks). */
    CHECK_OK(cliquet_buffer_set(&buffer, bytes, 1));
    CHECK(buffer_equals(&buffer, bytes, 1));
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT, cliquet_buffer_set(&buffer, NULL, 2));
    CHECK(strstr(cliquet_last_error_message(), "data is NULL") != NULL);
    CHECK(buffer_equals(&buffer, bytes, 1)); /* a failed set leaves the buffer as it was */
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT, cliquet_buffer_set(NULL, bytes, 1));
    CHECK_OK(cliquet_buffer_set(&buffer, NULL, 0));
    CHECK(buffer.data == NULL && buffer.len == 0);
    cliquet_buffer_free(&buffer);
    cliquet_buffer_free(&buffer);
    cliquet_buffer_free(NULL);
}

void test_identities(void) {
    cliquet_identity *identity = NULL, *copy = NULL;
    cliquet_buffer serialized = {NULL, 0}, key = {NULL, 0}, copied_key = {NULL, 0};
    uint32_t registration_id = 0;
    REQUIRE_OK(cliquet_identity_generate(&identity));
    CHECK_OK(cliquet_identity_registration_id(identity, &registration_id));
    CHECK(registration_id >= 1 && registration_id <= 16380);
    CHECK_OK(cliquet_identity_public_key(identity, &key));
    CHECK(key.len == CLIQUET_PUBLIC_KEY_SIZE && key.data[0] == 0x05);
    CHECK_OK(cliquet_identity_serialize(identity, &serialized));
    CHECK_OK(cliquet_identity_deserialize(serialized.data, serialized.len, 77, &copy));
    CHECK_OK(cliquet_identity_public_key(copy, &copied_key));
    CHECK(buffer_equals(&copied_key, key.data, key.len));
    CHECK_OK(cliquet_identity_registration_id(copy, &registration_id));
    CHECK(registration_id == 77);
    cliquet_identity_free(copy);
    copy = NULL;
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT, cliquet_identity_deserialize(serialized.data, serialized.len, 0, &copy));
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT,
                 cliquet_identity_deserialize(serialized.data, serialized.len, 16381, &copy));
    CHECK_STATUS(CLIQUET_ERR_INVALID_KEY, cliquet_identity_deserialize(serialized.data, serialized.len - 1, 1, &copy));
    CHECK_STATUS(CLIQUET_ERR_INVALID_KEY, cliquet_identity_deserialize(key.data, key.len, 1, &copy));
    CHECK(copy == NULL);
    cliquet_buffer_free(&serialized);
    cliquet_buffer_free(&key);
    cliquet_buffer_free(&copied_key);
    cliquet_identity_free(identity);
    cliquet_identity_free(NULL);
}

void test_fingerprints(void) {
    cliquet_identity *ours = NULL, *theirs = NULL;
    cliquet_buffer our_key = {NULL, 0}, their_key = {NULL, 0};
    cliquet_fingerprint *mine = NULL, *yours = NULL, *other = NULL;
    cliquet_buffer my_digits = {NULL, 0}, your_digits = {NULL, 0}, my_code = {NULL, 0}, your_code = {NULL, 0};
    const uint8_t alice_aci[16] = {0x9d, 0x06, 0x52, 0xa3, 0xdc, 0xc3, 0x4d, 0x11,
                                   0x97, 0x5f, 0x74, 0xd6, 0x15, 0x98, 0x73, 0x3f};
    const uint8_t bob_aci[16] = {0x79, 0x6a, 0xbe, 0xdb, 0xca, 0x4e, 0x4f, 0x18,
                                 0x88, 0x03, 0x1f, 0xde, 0x5b, 0x92, 0x1f, 0x9f};
    int matches = -1;
    size_t i;
    REQUIRE_OK(cliquet_identity_generate(&ours));
    REQUIRE_OK(cliquet_identity_generate(&theirs));
    REQUIRE_OK(cliquet_identity_public_key(ours, &our_key));
    REQUIRE_OK(cliquet_identity_public_key(theirs, &their_key));
    REQUIRE_OK(cliquet_fingerprint_new(2, 5200, alice_aci, 16, our_key.data, our_key.len, bob_aci, 16, their_key.data,
                                       their_key.len, &mine));
    REQUIRE_OK(cliquet_fingerprint_new(2, 5200, bob_aci, 16, their_key.data, their_key.len, alice_aci, 16, our_key.data,
                                       our_key.len, &yours));
    CHECK_OK(cliquet_fingerprint_displayable(mine, &my_digits));
    CHECK_OK(cliquet_fingerprint_displayable(yours, &your_digits));
    CHECK(my_digits.len == 60 && my_digits.data[60] == '\0');
    for (i = 0; i < my_digits.len; ++i) CHECK(my_digits.data[i] >= '0' && my_digits.data[i] <= '9');
    CHECK(buffer_equals(&my_digits, your_digits.data, your_digits.len));
    CHECK_OK(cliquet_fingerprint_scannable(mine, &my_code));
    CHECK_OK(cliquet_fingerprint_scannable(yours, &your_code));
    CHECK_OK(cliquet_fingerprint_compare(mine, your_code.data, your_code.len, &matches));
    CHECK(matches == 1);
    /* Our own code is not theirs. */
    CHECK_OK(cliquet_fingerprint_compare(mine, my_code.data, my_code.len, &matches));
    CHECK(matches == 0);
    CHECK_STATUS(CLIQUET_ERR_INVALID_MESSAGE, cliquet_fingerprint_compare(mine, your_code.data, 5, &matches));
    /* Another version's code cannot be compared. */
    REQUIRE_OK(cliquet_fingerprint_new(1, 5200, bob_aci, 16, their_key.data, their_key.len, alice_aci, 16, our_key.data,
                                       our_key.len, &other));
    cliquet_buffer_free(&your_code);
    CHECK_OK(cliquet_fingerprint_scannable(other, &your_code));
    CHECK_STATUS(CLIQUET_ERR_INVALID_MESSAGE,
                 cliquet_fingerprint_compare(mine, your_code.data, your_code.len, &matches));
    cliquet_fingerprint_free(other);
    other = NULL;
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT,
                 cliquet_fingerprint_new(2, 1, alice_aci, 16, our_key.data, our_key.len, bob_aci, 16, their_key.data,
                                         their_key.len, &other));
    CHECK_STATUS(CLIQUET_ERR_INVALID_KEY, cliquet_fingerprint_new(2, 2, alice_aci, 16, our_key.data, 32, bob_aci, 16,
                                                                  their_key.data, their_key.len, &other));
    CHECK(other == NULL);
    cliquet_buffer_free(&my_digits);
    cliquet_buffer_free(&your_digits);
    cliquet_buffer_free(&my_code);
    cliquet_buffer_free(&your_code);
    cliquet_fingerprint_free(mine);
    cliquet_fingerprint_free(yours);
    cliquet_buffer_free(&our_key);
    cliquet_buffer_free(&their_key);
    cliquet_identity_free(ours);
    cliquet_identity_free(theirs);
}
