/* Sealed sender through the C API: version 1 over a session, version 2 to
 * many devices with the server's fan-out, and the certificate chain. */
#include <string.h>

#include "fixtures.h"
#include "tests.h"

static const uint8_t group_distribution_id[CLIQUET_DISTRIBUTION_ID_SIZE] = {1, 2,  3,  4,  5,  6,  7,  8,
                                                                            9, 10, 11, 12, 13, 14, 15, 16};

void test_certificates(void) {
    service s;
    device alice;
    cliquet_buffer certificate, other_root = {NULL, 0}, other_private = {NULL, 0};
    service_init(&s);
    device_init(&alice, ALICE_UUID, 3);
    certificate = service_certificate(&s, &alice);
    CHECK_OK(cliquet_sender_certificate_validate(certificate.data, certificate.len, s.trust_root_public.data,
                                                 s.trust_root_public.len, TEST_NOW_MS));
    CHECK_OK(cliquet_sender_certificate_validate(certificate.data, certificate.len, s.trust_root_public.data,
                                                 s.trust_root_public.len, TEST_EXPIRATION_MS));
    CHECK_STATUS(CLIQUET_ERR_INVALID_CERTIFICATE,
                 cliquet_sender_certificate_validate(certificate.data, certificate.len, s.trust_root_public.data,
                                                     s.trust_root_public.len, TEST_EXPIRATION_MS + 1));
    REQUIRE_OK(cliquet_key_pair_generate(&other_root, &other_private));
    CHECK(other_root.len == CLIQUET_PUBLIC_KEY_SIZE && other_private.len == CLIQUET_PRIVATE_KEY_SIZE);
    CHECK_STATUS(CLIQUET_ERR_INVALID_CERTIFICATE,
                 cliquet_sender_certificate_validate(certificate.data, certificate.len, other_root.data, other_root.len,
                                                     TEST_NOW_MS));
    CHECK_STATUS(CLIQUET_ERR_INVALID_CERTIFICATE,
                 cliquet_sender_certificate_validate(certificate.data, certificate.len / 2, s.trust_root_public.data,
                                                     s.trust_root_public.len, TEST_NOW_MS));
    CHECK_STATUS(CLIQUET_ERR_INVALID_KEY,
                 cliquet_sender_certificate_validate(certificate.data, certificate.len, other_private.data,
                                                     other_private.len, TEST_NOW_MS));
    cliquet_buffer_free(&certificate);
    /* A device id out of range, and a server certificate that is not one. */
    {
        cliquet_buffer key = device_identity_key(&alice);
        CHECK_STATUS(
            CLIQUET_ERR_INVALID_ARGUMENT,
            cliquet_sender_certificate_create(ALICE_UUID, "+14155550100", 128, key.data, key.len, TEST_EXPIRATION_MS,
                                              s.server_certificate.data, s.server_certificate.len,
                                              s.server_private.data, s.server_private.len, &certificate));
        CHECK_STATUS(
            CLIQUET_ERR_INVALID_CERTIFICATE,
            cliquet_sender_certificate_create(ALICE_UUID, NULL, 1, key.data, key.len, TEST_EXPIRATION_MS, key.data,
                                              key.len, s.server_private.data, s.server_private.len, &certificate));
        CHECK(certificate.data == NULL);
        cliquet_buffer_free(&key);
    }
    cliquet_buffer_free(&other_root);
    cliquet_buffer_free(&other_private);
    device_free(&alice);
    service_free(&s);
}

void test_sealed_sender_v1(void) {
    service s;
    device alice, bob;
    cliquet_buffer certificate, sealed = {NULL, 0}, field = {NULL, 0};
    cliquet_sealed_sender_result* result = NULL;
    cliquet_message_type type = CLIQUET_MESSAGE_PLAINTEXT;
    uint32_t device_id = 0, hint = 99;
    int present = -1;
    service_init(&s);
    device_init(&alice, ALICE_UUID, 1);
    device_init(&bob, BOB_UUID, 1);
    certificate = service_certificate(&s, &alice);
    /* No session yet. */
    CHECK_STATUS(CLIQUET_ERR_NO_SESSION,
                 cliquet_sealed_sender_encrypt(alice.store, bob.name, 1, certificate.data, certificate.len,
                                               (const uint8_t*)"x", 1, &sealed));
    establish_session(&alice, &bob);
    REQUIRE_OK(cliquet_sealed_sender_encrypt(alice.store, bob.name, 1, certificate.data, certificate.len,
                                             (const uint8_t*)"sealed hello", 12, &sealed));
    CHECK(sealed.len > 0 && sealed.data[0] == 0x11);
    /* The wrong trust root, or Alice's own device opening it, are refused
     * and change nothing: the message still opens afterwards. */
    CHECK_STATUS(
        CLIQUET_ERR_INVALID_CERTIFICATE,
        cliquet_sealed_sender_decrypt(bob.store, sealed.data, sealed.len, s.server_public.data, s.server_public.len,
                                      TEST_NOW_MS, bob.name, NULL, 1, CLIQUET_PQ_RATCHET_REQUIRE, &result));
    CHECK(result == NULL);
    CHECK_STATUS(CLIQUET_ERR_INVALID_MESSAGE,
                 cliquet_sealed_sender_decrypt(alice.store, sealed.data, sealed.len, s.trust_root_public.data,
                                               s.trust_root_public.len, TEST_NOW_MS, alice.name, NULL, 1,
                                               CLIQUET_PQ_RATCHET_REQUIRE, &result));
    REQUIRE_OK(cliquet_sealed_sender_decrypt(bob.store, sealed.data, sealed.len, s.trust_root_public.data,
                                             s.trust_root_public.len, TEST_NOW_MS, bob.name, NULL, 1,
                                             CLIQUET_PQ_RATCHET_REQUIRE, &result));
    CHECK_OK(cliquet_sealed_sender_result_plaintext(result, &field));
    CHECK(buffer_equals(&field, "sealed hello", 12));
    cliquet_buffer_free(&field);
    CHECK_OK(cliquet_sealed_sender_result_sender_uuid(result, &field));
    CHECK(buffer_is_text(&field, ALICE_UUID));
    cliquet_buffer_free(&field);
    CHECK_OK(cliquet_sealed_sender_result_sender_e164(result, &present, &field));
    CHECK(present == 0 && field.data == NULL);
    CHECK_OK(cliquet_sealed_sender_result_sender_device_id(result, &device_id));
    CHECK(device_id == 1);
    CHECK_OK(cliquet_sealed_sender_result_content_type(result, &type));
    CHECK(type == CLIQUET_MESSAGE_WHISPER);
    CHECK_OK(cliquet_sealed_sender_result_content_hint(result, &hint));
    CHECK(hint == CLIQUET_CONTENT_HINT_NONE);
    CHECK_OK(cliquet_sealed_sender_result_group_id(result, &present, &field));
    CHECK(present == 0);
    CHECK_OK(cliquet_sealed_sender_result_retry_request(result, &present, &field));
    CHECK(present == 0);
    cliquet_sealed_sender_result_free(result);
    result = NULL;
    /* Opened once: the same envelope again is a duplicate. */
    CHECK_STATUS(CLIQUET_ERR_DUPLICATE_MESSAGE,
                 cliquet_sealed_sender_decrypt(bob.store, sealed.data, sealed.len, s.trust_root_public.data,
                                               s.trust_root_public.len, TEST_NOW_MS, bob.name, NULL, 1,
                                               CLIQUET_PQ_RATCHET_REQUIRE, &result));
    /* A flipped byte anywhere in the envelope does not open. */
    sealed.data[sealed.len / 2] ^= 1;
    CHECK_STATUS(CLIQUET_ERR_INVALID_MESSAGE,
                 cliquet_sealed_sender_decrypt(bob.store, sealed.data, sealed.len, s.trust_root_public.data,
                                               s.trust_root_public.len, TEST_NOW_MS, bob.name, NULL, 1,
                                               CLIQUET_PQ_RATCHET_REQUIRE, &result));
    cliquet_buffer_free(&sealed);
    cliquet_buffer_free(&certificate);
    device_free(&alice);
    device_free(&bob);
    service_free(&s);
}

/* Alice sends one group message, sealed once (version 2), to Bob's two
 * devices and Carol's one; the server fans it out. */
void test_sealed_sender_v2_group(void) {
    service s;
    device alice, bob1, bob2, carol;
    device* members[3];
    cliquet_address destinations[3];
    cliquet_buffer certificate, distribution = {NULL, 0}, group_message = {NULL, 0}, sent = {NULL, 0};
    cliquet_buffer field = {NULL, 0}, text = {NULL, 0}, received = {NULL, 0};
    cliquet_sealed_sender_sent* parsed = NULL;
    uint8_t excluded[CLIQUET_SERVICE_ID_SIZE];
    size_t count = 0, devices = 0, i;
    uint32_t device_id = 0, registration_id = 0;
    service_init(&s);
    device_init(&alice, ALICE_UUID, 1);
    device_init(&bob1, BOB_UUID, 1);
    device_init(&bob2, BOB_UUID, 2);
    device_init(&carol, CAROL_UUID, 1);
    /* Bob's devices share his account's identity. */
    cliquet_store_free(bob2.store);
    cliquet_identity_free(bob2.identity);
    {
        cliquet_buffer serialized = {NULL, 0};
        REQUIRE_OK(cliquet_identity_serialize(bob1.identity, &serialized));
        REQUIRE_OK(cliquet_identity_deserialize(serialized.data, serialized.len, 4242, &bob2.identity));
        REQUIRE_OK(cliquet_store_new_memory(bob2.identity, &bob2.store));
        cliquet_buffer_free(&serialized);
    }
    members[0] = &bob1;
    members[1] = &bob2;
    members[2] = &carol;
    certificate = service_certificate(&s, &alice);
    REQUIRE_OK(cliquet_sender_key_distribution_create(alice.store, alice.name, 1, group_distribution_id,
                                                      sizeof group_distribution_id, &distribution));
    for (i = 0; i < 3; ++i) {
        establish_session(&alice, members[i]);
        CHECK_OK(cliquet_sender_key_distribution_process(members[i]->store, alice.name, 1, distribution.data,
                                                         distribution.len));
        destinations[i].name = members[i]->name;
        destinations[i].device_id = members[i]->device_id;
    }
    REQUIRE_OK(cliquet_group_encrypt(alice.store, alice.name, 1, group_distribution_id, sizeof group_distribution_id,
                                     (const uint8_t*)"to the group", 12, &group_message));
    /* One account deliberately left out: an ACI of all 0x77. */
    memset(excluded, 0x77, sizeof excluded);
    excluded[0] = 0;
    REQUIRE_OK(cliquet_sealed_sender_multi_recipient_encrypt(
        alice.store, destinations, 3, excluded, 1, CLIQUET_MESSAGE_SENDER_KEY, group_message.data, group_message.len,
        certificate.data, certificate.len, CLIQUET_CONTENT_HINT_RESENDABLE, (const uint8_t*)"group-1", 7, &sent));

    /* The server. */
    REQUIRE_OK(cliquet_sealed_sender_sent_parse(sent.data, sent.len, &parsed));
    CHECK_OK(cliquet_sealed_sender_sent_recipient_count(parsed, &count));
    CHECK(count == 2);
    CHECK_OK(cliquet_sealed_sender_sent_excluded_count(parsed, &count));
    CHECK(count == 1);
    CHECK_OK(cliquet_sealed_sender_sent_excluded(parsed, 0, &field));
    CHECK(buffer_equals(&field, excluded, sizeof excluded));
    cliquet_buffer_free(&field);
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT, cliquet_sealed_sender_sent_excluded(parsed, 1, &field));
    CHECK_OK(cliquet_sealed_sender_sent_recipient(parsed, 0, &field, &text, &devices));
    CHECK(field.len == CLIQUET_SERVICE_ID_SIZE && field.data[0] == 0);
    CHECK(buffer_is_text(&text, BOB_UUID));
    CHECK(devices == 2);
    cliquet_buffer_free(&field);
    cliquet_buffer_free(&text);
    CHECK_OK(cliquet_sealed_sender_sent_recipient_device(parsed, 0, 1, &device_id, &registration_id));
    CHECK(device_id == 2 && registration_id == 4242);
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT,
                 cliquet_sealed_sender_sent_recipient_device(parsed, 0, 2, &device_id, &registration_id));
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT,
                 cliquet_sealed_sender_sent_recipient(parsed, 2, &field, &text, &devices));

    /* Each recipient device opens its account's received message. */
    for (i = 0; i < 3; ++i) {
        cliquet_sealed_sender_result* result = NULL;
        cliquet_message_type type = CLIQUET_MESSAGE_WHISPER;
        uint32_t hint = 0;
        int present = 0;
        REQUIRE_OK(cliquet_sealed_sender_sent_received_message(parsed, i < 2 ? 0 : 1, &received));
        REQUIRE_OK(cliquet_sealed_sender_decrypt(
            members[i]->store, received.data, received.len, s.trust_root_public.data, s.trust_root_public.len,
            TEST_NOW_MS, members[i]->name, NULL, members[i]->device_id, CLIQUET_PQ_RATCHET_REQUIRE, &result));
        CHECK_OK(cliquet_sealed_sender_result_plaintext(result, &field));
        CHECK(buffer_equals(&field, "to the group", 12));
        cliquet_buffer_free(&field);
        CHECK_OK(cliquet_sealed_sender_result_content_type(result, &type));
        CHECK(type == CLIQUET_MESSAGE_SENDER_KEY);
        CHECK_OK(cliquet_sealed_sender_result_content_hint(result, &hint));
        CHECK(hint == CLIQUET_CONTENT_HINT_RESENDABLE);
        CHECK_OK(cliquet_sealed_sender_result_group_id(result, &present, &field));
        CHECK(present == 1 && buffer_equals(&field, "group-1", 7));
        cliquet_buffer_free(&field);
        cliquet_sealed_sender_result_free(result);
        cliquet_buffer_free(&received);
    }
    /* The server refuses what is not a sent message. */
    cliquet_sealed_sender_sent_free(parsed);
    parsed = NULL;
    CHECK_STATUS(CLIQUET_ERR_INVALID_MESSAGE, cliquet_sealed_sender_sent_parse(sent.data, 2, &parsed));
    sent.data[0] = 0x77; /* a version no one knows */
    CHECK_STATUS(CLIQUET_ERR_INVALID_MESSAGE, cliquet_sealed_sender_sent_parse(sent.data, sent.len, &parsed));
    CHECK(parsed == NULL);
    /* An account both a destination and excluded. */
    {
        const uint8_t bob_service_id[CLIQUET_SERVICE_ID_SIZE] = {0,    0x79, 0x6a, 0xbe, 0xdb, 0xca, 0x4e, 0x4f, 0x18,
                                                                 0x88, 0x03, 0x1f, 0xde, 0x5b, 0x92, 0x1f, 0x9f};
        CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT,
                     cliquet_sealed_sender_multi_recipient_encrypt(alice.store, destinations, 1, bob_service_id, 1,
                                                                   CLIQUET_MESSAGE_SENDER_KEY, group_message.data,
                                                                   group_message.len, certificate.data, certificate.len,
                                                                   CLIQUET_CONTENT_HINT_NONE, NULL, 0, &field));
    }
    /* A destination without a session. */
    destinations[0].name = "bob";
    CHECK_STATUS(CLIQUET_ERR_NO_SESSION,
                 cliquet_sealed_sender_multi_recipient_encrypt(
                     alice.store, destinations, 1, NULL, 0, CLIQUET_MESSAGE_SENDER_KEY, group_message.data,
                     group_message.len, certificate.data, certificate.len, CLIQUET_CONTENT_HINT_NONE, NULL, 0, &field));
    cliquet_buffer_free(&sent);
    cliquet_buffer_free(&group_message);
    cliquet_buffer_free(&distribution);
    cliquet_buffer_free(&certificate);
    device_free(&alice);
    device_free(&bob1);
    device_free(&bob2);
    device_free(&carol);
    service_free(&s);
}

/* Alice opens Bob's sealed retry request for a message she sent on her
 * current session with him, and acts on it: the session is archived. */
static void alice_opens_retry_request(const service* s, device* alice, const char* alice_e164,
                                      const cliquet_buffer* sealed, const cliquet_buffer* request,
                                      cliquet_content_hint hint) {
    cliquet_sealed_sender_result* result = NULL;
    cliquet_buffer field = {NULL, 0};
    cliquet_message_type type = CLIQUET_MESSAGE_WHISPER;
    cliquet_retry_action action = CLIQUET_RETRY_RESEND;
    uint32_t sent_hint = 99;
    int present = 0;
    REQUIRE_OK(cliquet_sealed_sender_decrypt(alice->store, sealed->data, sealed->len, s->trust_root_public.data,
                                             s->trust_root_public.len, TEST_NOW_MS, alice->name, alice_e164, 1,
                                             CLIQUET_PQ_RATCHET_REQUIRE, &result));
    CHECK_OK(cliquet_sealed_sender_result_content_type(result, &type));
    CHECK(type == CLIQUET_MESSAGE_PLAINTEXT);
    CHECK_OK(cliquet_sealed_sender_result_content_hint(result, &sent_hint));
    CHECK(sent_hint == (uint32_t)hint);
    CHECK_OK(cliquet_sealed_sender_result_retry_request(result, &present, &field));
    CHECK(present == 1 && buffer_equals(&field, request->data, request->len));
    CHECK_OK(cliquet_retry_request_process(alice->store, alice->name, 1, BOB_UUID, 1, field.data, field.len, &action));
    CHECK(action == CLIQUET_RETRY_SESSION_ARCHIVED);
    cliquet_buffer_free(&field);
    cliquet_sealed_sender_result_free(result);
}

/* Bob cannot decrypt a sealed message: he sends Alice a retry request, sealed
 * (version 2, plaintext content), which she opens and acts on. And a message
 * sealed to Bob does not open for Carol. */
void test_sealed_retry_request(void) {
    service s;
    device alice, bob, carol;
    cliquet_buffer alice_certificate = {NULL, 0}, bob_certificate = {NULL, 0}, sealed = {NULL, 0};
    cliquet_buffer inner = {NULL, 0}, request = {NULL, 0}, field = {NULL, 0}, key;
    cliquet_sealed_sender_result* result = NULL;
    cliquet_address to_alice;
    cliquet_message_type type = CLIQUET_MESSAGE_WHISPER;
    int present = 0;
    service_init(&s);
    device_init(&alice, ALICE_UUID, 1);
    device_init(&bob, BOB_UUID, 1);
    device_init(&carol, CAROL_UUID, 1);
    key = device_identity_key(&alice);
    REQUIRE_OK(cliquet_sender_certificate_create(ALICE_UUID, "+14155550100", 1, key.data, key.len, TEST_EXPIRATION_MS,
                                                 s.server_certificate.data, s.server_certificate.len,
                                                 s.server_private.data, s.server_private.len, &alice_certificate));
    cliquet_buffer_free(&key);
    bob_certificate = service_certificate(&s, &bob);
    establish_session(&alice, &bob);
    REQUIRE_OK(cliquet_sealed_sender_encrypt(alice.store, bob.name, 1, alice_certificate.data, alice_certificate.len,
                                             (const uint8_t*)"lost", 4, &sealed));
    CHECK_STATUS(CLIQUET_ERR_INVALID_MESSAGE,
                 cliquet_sealed_sender_decrypt(carol.store, sealed.data, sealed.len, s.trust_root_public.data,
                                               s.trust_root_public.len, TEST_NOW_MS, carol.name, NULL, 1,
                                               CLIQUET_PQ_RATCHET_REQUIRE, &result));
    /* Bob loses his session: the message opens, its content does not decrypt. */
    REQUIRE_OK(cliquet_session_delete(bob.store, alice.name, 1));
    CHECK_STATUS(CLIQUET_ERR_NO_SESSION,
                 cliquet_sealed_sender_decrypt(bob.store, sealed.data, sealed.len, s.trust_root_public.data,
                                               s.trust_root_public.len, TEST_NOW_MS, bob.name, NULL, 1,
                                               CLIQUET_PQ_RATCHET_REQUIRE, &result));
    CHECK(result == NULL);
    /* What Bob's app knows of the message: Alice's last whisper, sent at 42. */
    {
        cliquet_session_cipher* cipher = NULL;
        REQUIRE_OK(
            cliquet_session_cipher_new(alice.store, alice.name, 1, bob.name, 1, CLIQUET_PQ_RATCHET_REQUIRE, &cipher));
        REQUIRE_OK(cliquet_session_cipher_encrypt(cipher, (const uint8_t*)"lost", 4, &type, &inner));
        cliquet_session_cipher_free(cipher);
    }
    REQUIRE_OK(cliquet_retry_request_create(inner.data, inner.len, type, 42, 1, &request));
    to_alice.name = alice.name;
    to_alice.device_id = 1;
    /* Bob has no session with Alice any more; sealing v2 needs one for her
     * registration id, so he starts one. */
    {
        cliquet_pre_key_bundle* bundle = device_bundle(&alice, 1);
        REQUIRE_OK(cliquet_process_pre_key_bundle(bob.store, alice.name, 1, bundle, CLIQUET_PQ_RATCHET_REQUIRE));
        cliquet_pre_key_bundle_free(bundle);
    }
    cliquet_buffer_free(&sealed);
    REQUIRE_OK(cliquet_sealed_sender_multi_recipient_encrypt(
        bob.store, &to_alice, 1, NULL, 0, CLIQUET_MESSAGE_PLAINTEXT, request.data, request.len, bob_certificate.data,
        bob_certificate.len, CLIQUET_CONTENT_HINT_IMPLICIT, NULL, 0, &sealed));
    {
        cliquet_sealed_sender_sent* sent = NULL;
        REQUIRE_OK(cliquet_sealed_sender_sent_parse(sealed.data, sealed.len, &sent));
        cliquet_buffer_free(&sealed);
        REQUIRE_OK(cliquet_sealed_sender_sent_received_message(sent, 0, &sealed));
        cliquet_sealed_sender_sent_free(sent);
    }
    alice_opens_retry_request(&s, &alice, "+14155550100", &sealed, &request, CLIQUET_CONTENT_HINT_IMPLICIT);
    /* And a sealed message naming a phone number says so. */
    cliquet_buffer_free(&sealed);
    establish_session(&alice, &bob);
    REQUIRE_OK(cliquet_sealed_sender_encrypt(alice.store, bob.name, 1, alice_certificate.data, alice_certificate.len,
                                             (const uint8_t*)"hi", 2, &sealed));
    REQUIRE_OK(cliquet_sealed_sender_decrypt(bob.store, sealed.data, sealed.len, s.trust_root_public.data,
                                             s.trust_root_public.len, TEST_NOW_MS, bob.name, NULL, 1,
                                             CLIQUET_PQ_RATCHET_REQUIRE, &result));
    CHECK_OK(cliquet_sealed_sender_result_sender_e164(result, &present, &field));
    CHECK(present == 1 && buffer_is_text(&field, "+14155550100"));
    cliquet_buffer_free(&field);
    cliquet_sealed_sender_result_free(result);
    cliquet_buffer_free(&sealed);
    cliquet_buffer_free(&inner);
    cliquet_buffer_free(&request);
    cliquet_buffer_free(&alice_certificate);
    cliquet_buffer_free(&bob_certificate);
    device_free(&alice);
    device_free(&bob);
    device_free(&carol);
    service_free(&s);
}

/* A sealed message whose content does not decrypt: the failure names the
 * sender, and the retry request goes back sealed (version 1, no session) to
 * the identity key it names. */
void test_sealed_sender_failure(void) {
    service s;
    device alice, bob;
    cliquet_buffer alice_certificate, bob_certificate, sealed = {NULL, 0}, field = {NULL, 0}, request = {NULL, 0};
    cliquet_buffer alice_key;
    cliquet_sealed_sender_result* result = NULL;
    cliquet_sealed_sender_failure* failure = NULL;
    cliquet_message_type type = CLIQUET_MESSAGE_PLAINTEXT;
    uint32_t number = 0;
    uint64_t timestamp = 0;
    int present = -1;
    service_init(&s);
    device_init(&alice, ALICE_UUID, 1);
    device_init(&bob, BOB_UUID, 1);
    alice_key = device_identity_key(&alice);
    alice_certificate = service_certificate(&s, &alice);
    bob_certificate = service_certificate(&s, &bob);
    establish_session(&alice, &bob);

    /* Decrypted: no failure. */
    REQUIRE_OK(cliquet_sealed_sender_encrypt(alice.store, bob.name, 1, alice_certificate.data, alice_certificate.len,
                                             (const uint8_t*)"fine", 4, &sealed));
    CHECK_OK(cliquet_sealed_sender_decrypt_with_failure(bob.store, sealed.data, sealed.len, s.trust_root_public.data,
                                                        s.trust_root_public.len, TEST_NOW_MS, bob.name, NULL, 1,
                                                        CLIQUET_PQ_RATCHET_REQUIRE, &result, &failure));
    CHECK(result != NULL && failure == NULL);
    cliquet_sealed_sender_result_free(result);
    result = NULL;
    /* A bad envelope fails before any sender is known: no failure either. */
    CHECK_STATUS(CLIQUET_ERR_INVALID_MESSAGE,
                 cliquet_sealed_sender_decrypt_with_failure(
                     bob.store, sealed.data, sealed.len - 1, s.trust_root_public.data, s.trust_root_public.len,
                     TEST_NOW_MS, bob.name, NULL, 1, CLIQUET_PQ_RATCHET_REQUIRE, &result, &failure));
    CHECK(result == NULL && failure == NULL);
    /* Already decrypted: the failure is the duplicate, from Alice. */
    CHECK_STATUS(CLIQUET_ERR_DUPLICATE_MESSAGE,
                 cliquet_sealed_sender_decrypt_with_failure(
                     bob.store, sealed.data, sealed.len, s.trust_root_public.data, s.trust_root_public.len, TEST_NOW_MS,
                     bob.name, NULL, 1, CLIQUET_PQ_RATCHET_REQUIRE, &result, &failure));
    CHECK(result == NULL && failure != NULL);
    CHECK_OK(cliquet_sealed_sender_failure_sender_uuid(failure, &field));
    CHECK(buffer_is_text(&field, ALICE_UUID));
    cliquet_buffer_free(&field);
    CHECK_OK(cliquet_sealed_sender_failure_sender_device_id(failure, &number));
    CHECK(number == 1);
    CHECK_OK(cliquet_sealed_sender_failure_sender_identity_key(failure, &field));
    CHECK(buffer_equals(&field, alice_key.data, alice_key.len));
    cliquet_buffer_free(&field);
    CHECK_OK(cliquet_sealed_sender_failure_content_type(failure, &type));
    CHECK(type == CLIQUET_MESSAGE_WHISPER);
    CHECK_OK(cliquet_sealed_sender_failure_content_hint(failure, &number));
    CHECK(number == CLIQUET_CONTENT_HINT_NONE);
    CHECK_OK(cliquet_sealed_sender_failure_group_id(failure, &present, &field));
    CHECK(present == 0 && field.data == NULL);
    CHECK_OK(cliquet_sealed_sender_failure_retry_request(failure, 4242, &request));
    CHECK_OK(cliquet_retry_request_parse(request.data, request.len, &timestamp, &number, &present));
    CHECK(timestamp == 4242 && number == 1 && present == 1);
    cliquet_sealed_sender_failure_free(failure);
    failure = NULL;

    /* Back to Alice, sealed to the identity key the failure named. */
    cliquet_buffer_free(&sealed);
    REQUIRE_OK(cliquet_sealed_sender_seal_v1(bob.store, alice_key.data, alice_key.len, CLIQUET_MESSAGE_PLAINTEXT,
                                             request.data, request.len, bob_certificate.data, bob_certificate.len,
                                             CLIQUET_CONTENT_HINT_IMPLICIT, NULL, 0, &sealed));
    CHECK(sealed.data[0] == 0x11);
    /* The failed message was on Alice's current ratchet key (Bob has not
     * answered since): she archives the session, to start a new one. */
    alice_opens_retry_request(&s, &alice, NULL, &sealed, &request, CLIQUET_CONTENT_HINT_IMPLICIT);

    /* Refusals: another device's certificate (the envelope then names an
     * identity that did not seal it), a malformed key, NULL arguments. */
    cliquet_buffer_free(&sealed);
    REQUIRE_OK(cliquet_sealed_sender_seal_v1(alice.store, alice_key.data, alice_key.len, CLIQUET_MESSAGE_PLAINTEXT,
                                             request.data, request.len, bob_certificate.data, bob_certificate.len,
                                             CLIQUET_CONTENT_HINT_NONE, NULL, 0, &sealed));
    CHECK_STATUS(CLIQUET_ERR_INVALID_MESSAGE,
                 cliquet_sealed_sender_decrypt(alice.store, sealed.data, sealed.len, s.trust_root_public.data,
                                               s.trust_root_public.len, TEST_NOW_MS, alice.name, NULL, 1,
                                               CLIQUET_PQ_RATCHET_REQUIRE, &result));
    CHECK_STATUS(CLIQUET_ERR_INVALID_KEY,
                 cliquet_sealed_sender_seal_v1(bob.store, alice_key.data, 32, CLIQUET_MESSAGE_PLAINTEXT, request.data,
                                               request.len, bob_certificate.data, bob_certificate.len,
                                               CLIQUET_CONTENT_HINT_NONE, NULL, 0, &field));
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT,
                 cliquet_sealed_sender_seal_v1(NULL, alice_key.data, alice_key.len, CLIQUET_MESSAGE_PLAINTEXT,
                                               request.data, request.len, bob_certificate.data, bob_certificate.len,
                                               CLIQUET_CONTENT_HINT_NONE, NULL, 0, &field));
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT,
                 cliquet_sealed_sender_seal_v1(bob.store, alice_key.data, alice_key.len, CLIQUET_MESSAGE_PLAINTEXT,
                                               request.data, request.len, bob_certificate.data, bob_certificate.len,
                                               CLIQUET_CONTENT_HINT_NONE, NULL, 0, NULL));
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT,
                 cliquet_sealed_sender_decrypt_with_failure(
                     bob.store, sealed.data, sealed.len, s.trust_root_public.data, s.trust_root_public.len, TEST_NOW_MS,
                     bob.name, NULL, 1, CLIQUET_PQ_RATCHET_REQUIRE, &result, NULL));
    CHECK(strstr(cliquet_last_error_message(), "failure is NULL") != NULL);
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT, cliquet_sealed_sender_failure_sender_uuid(NULL, &field));
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT, cliquet_sealed_sender_failure_sender_device_id(NULL, &number));
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT, cliquet_sealed_sender_failure_sender_identity_key(NULL, &field));
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT, cliquet_sealed_sender_failure_content_type(NULL, &type));
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT, cliquet_sealed_sender_failure_content_hint(NULL, &number));
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT, cliquet_sealed_sender_failure_group_id(NULL, &present, &field));
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT, cliquet_sealed_sender_failure_retry_request(NULL, 1, &field));
    CHECK(field.data == NULL && result == NULL);
    cliquet_sealed_sender_failure_free(NULL);

    cliquet_buffer_free(&sealed);
    cliquet_buffer_free(&request);
    cliquet_buffer_free(&alice_key);
    cliquet_buffer_free(&alice_certificate);
    cliquet_buffer_free(&bob_certificate);
    device_free(&alice);
    device_free(&bob);
    service_free(&s);
}
