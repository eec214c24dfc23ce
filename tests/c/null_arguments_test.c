/* Every entry point of the C API refuses a NULL where it needs a value, with
 * CLIQUET_ERR_INVALID_ARGUMENT, leaves its outputs empty, and says which
 * argument it was. */
#include <string.h>

#include "fixtures.h"
#include "tests.h"

/* The call returns invalid_argument and names the argument in its message. */
#define CHECK_NULL(argument, call)                                                \
    do {                                                                          \
        CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT, call);                         \
        CHECK(strstr(cliquet_last_error_message(), argument " is NULL") != NULL); \
    } while (0)

static const uint8_t group[CLIQUET_DISTRIBUTION_ID_SIZE] = {7};

static void check_null_keys_and_stores(device* bob) {
    cliquet_buffer out = {NULL, 0}, out2 = {NULL, 0};
    cliquet_identity* identity = NULL;
    cliquet_store* store = NULL;
    cliquet_store_callbacks callbacks;
    app_store records;
    uint32_t number = 0;
    int flag = 0;
    cliquet_identity_change change;
    const uint8_t key[CLIQUET_PUBLIC_KEY_SIZE] = {5};
    app_store_init(&records);
    callbacks = app_store_callbacks(&records, 0);
    CHECK_NULL("buffer", cliquet_buffer_set(NULL, key, 1));
    CHECK_NULL("data", cliquet_buffer_set(&out, NULL, 1));
    CHECK_NULL("public_key", cliquet_key_pair_generate(NULL, &out));
    CHECK_NULL("private_key", cliquet_key_pair_generate(&out, NULL));
    CHECK(out.data == NULL);
    CHECK_NULL("identity", cliquet_identity_generate(NULL));
    CHECK_NULL("data", cliquet_identity_deserialize(NULL, 10, 1, &identity));
    CHECK_NULL("identity", cliquet_identity_deserialize(key, 0, 1, NULL));
    CHECK_NULL("identity", cliquet_identity_serialize(NULL, &out));
    CHECK_NULL("out", cliquet_identity_serialize(bob->identity, NULL));
    CHECK_NULL("identity", cliquet_identity_public_key(NULL, &out));
    CHECK_NULL("out", cliquet_identity_public_key(bob->identity, NULL));
    CHECK_NULL("identity", cliquet_identity_registration_id(NULL, &number));
    CHECK_NULL("registration_id", cliquet_identity_registration_id(bob->identity, NULL));
    CHECK_NULL("identity", cliquet_store_new_memory(NULL, &store));
    CHECK_NULL("store", cliquet_store_new_memory(bob->identity, NULL));
    CHECK_NULL("path", cliquet_store_create_sqlite(NULL, "bob", 1, bob->identity, NULL, 0, &store));
    CHECK_NULL("local_name", cliquet_store_create_sqlite("/tmp/x", NULL, 1, bob->identity, NULL, 0, &store));
    CHECK_NULL("identity", cliquet_store_create_sqlite("/tmp/x", "bob", 1, NULL, NULL, 0, &store));
    CHECK_NULL("storage_key", cliquet_store_create_sqlite("/tmp/x", "bob", 1, bob->identity, NULL, 32, &store));
    CHECK_NULL("store", cliquet_store_create_sqlite("/tmp/x", "bob", 1, bob->identity, NULL, 0, NULL));
    CHECK_NULL("path", cliquet_store_open_sqlite(NULL, NULL, 0, &store));
    CHECK_NULL("store", cliquet_store_open_sqlite("/tmp/x", NULL, 0, NULL));
    CHECK_NULL("callbacks", cliquet_store_new_callbacks(NULL, bob->identity, &store));
    CHECK_NULL("identity", cliquet_store_new_callbacks(&callbacks, NULL, &store));
    CHECK_NULL("store", cliquet_store_new_callbacks(&callbacks, bob->identity, NULL));
    CHECK(store == NULL && identity == NULL);
    CHECK_NULL("list", cliquet_key_list_add(NULL, key, 1));
    CHECK_NULL("store", cliquet_store_local_identity(NULL, &identity));
    CHECK_NULL("identity", cliquet_store_local_identity(bob->store, NULL));
    CHECK_NULL("store", cliquet_store_get_identity(NULL, "a", 1, &out, &flag));
    CHECK_NULL("name", cliquet_store_get_identity(bob->store, NULL, 1, &out, &flag));
    CHECK_NULL("key", cliquet_store_get_identity(bob->store, "a", 1, NULL, &flag));
    CHECK_NULL("found", cliquet_store_get_identity(bob->store, "a", 1, &out, NULL));
    CHECK_NULL("store", cliquet_store_save_identity(NULL, "a", 1, key, sizeof key, &change));
    CHECK_NULL("name", cliquet_store_save_identity(bob->store, NULL, 1, key, sizeof key, &change));
    CHECK_NULL("key", cliquet_store_save_identity(bob->store, "a", 1, NULL, sizeof key, &change));
    CHECK(out.data == NULL && out2.data == NULL);
    app_store_free(&records);
}

static void check_null_pre_keys(device* bob) {
    cliquet_pre_key_manager* manager = NULL;
    cliquet_pre_key_upload* upload = NULL;
    cliquet_pre_key_bundle* bundle = NULL;
    cliquet_buffer key = {NULL, 0}, signature = {NULL, 0}, identity_key = device_identity_key(bob);
    uint32_t id = 0;
    size_t count = 0;
    int flag = 0;
    REQUIRE_OK(cliquet_pre_key_manager_new(bob->store, 1, 1, &manager));
    REQUIRE_OK(cliquet_pre_key_manager_run_schedule(manager, &upload));
    cliquet_pre_key_manager_free(manager);
    CHECK_NULL("store", cliquet_pre_key_manager_new(NULL, 1, 1, &manager));
    CHECK(manager == NULL);
    REQUIRE_OK(cliquet_pre_key_manager_new(bob->store, 1, 1, &manager));
    CHECK_NULL("manager", cliquet_pre_key_manager_new(bob->store, 1, 1, NULL));
    {
        cliquet_pre_key_upload* none = NULL;
        CHECK_NULL("manager", cliquet_pre_key_manager_run_schedule(NULL, &none));
        CHECK_NULL("upload", cliquet_pre_key_manager_run_schedule(manager, NULL));
        CHECK_NULL("manager", cliquet_pre_key_manager_upload_set(NULL, &none));
        CHECK_NULL("upload", cliquet_pre_key_manager_upload_set(manager, NULL));
        CHECK_NULL("manager", cliquet_pre_key_manager_generate_one_time_pre_keys(NULL, 1, &none));
        CHECK_NULL("upload", cliquet_pre_key_manager_generate_one_time_pre_keys(manager, 1, NULL));
        CHECK_NULL("manager", cliquet_pre_key_manager_generate_one_time_kyber_pre_keys(NULL, 1, &none));
        CHECK_NULL("upload", cliquet_pre_key_manager_generate_one_time_kyber_pre_keys(manager, 1, NULL));
        CHECK_NULL("manager", cliquet_pre_key_manager_rotate_signed_pre_key(NULL, &none));
        CHECK_NULL("upload", cliquet_pre_key_manager_rotate_signed_pre_key(manager, NULL));
        CHECK_NULL("manager", cliquet_pre_key_manager_rotate_last_resort_kyber_pre_key(NULL, &none));
        CHECK_NULL("upload", cliquet_pre_key_manager_rotate_last_resort_kyber_pre_key(manager, NULL));
        CHECK(none == NULL);
    }
    CHECK_NULL("manager", cliquet_pre_key_manager_unused_counts(NULL, &count, &count));
    CHECK_NULL("one_time_pre_keys", cliquet_pre_key_manager_unused_counts(manager, NULL, &count));
    CHECK_NULL("one_time_kyber_pre_keys", cliquet_pre_key_manager_unused_counts(manager, &count, NULL));
    CHECK_NULL("upload", cliquet_pre_key_upload_is_empty(NULL, &flag));
    CHECK_NULL("empty", cliquet_pre_key_upload_is_empty(upload, NULL));
    CHECK_NULL("upload", cliquet_pre_key_upload_signed_pre_key(NULL, &flag, &id, &key, &signature));
    CHECK_NULL("present", cliquet_pre_key_upload_signed_pre_key(upload, NULL, &id, &key, &signature));
    CHECK_NULL("id", cliquet_pre_key_upload_signed_pre_key(upload, &flag, NULL, &key, &signature));
    CHECK_NULL("key", cliquet_pre_key_upload_signed_pre_key(upload, &flag, &id, NULL, &signature));
    CHECK_NULL("signature", cliquet_pre_key_upload_signed_pre_key(upload, &flag, &id, &key, NULL));
    CHECK_NULL("upload", cliquet_pre_key_upload_last_resort_kyber_pre_key(NULL, &flag, &id, &key, &signature));
    CHECK_NULL("signature", cliquet_pre_key_upload_last_resort_kyber_pre_key(upload, &flag, &id, &key, NULL));
    CHECK_NULL("upload", cliquet_pre_key_upload_one_time_pre_key_count(NULL, &count));
    CHECK_NULL("count", cliquet_pre_key_upload_one_time_pre_key_count(upload, NULL));
    CHECK_NULL("upload", cliquet_pre_key_upload_one_time_pre_key(NULL, 0, &id, &key));
    CHECK_NULL("id", cliquet_pre_key_upload_one_time_pre_key(upload, 0, NULL, &key));
    CHECK_NULL("key", cliquet_pre_key_upload_one_time_pre_key(upload, 0, &id, NULL));
    CHECK_NULL("upload", cliquet_pre_key_upload_one_time_kyber_pre_key_count(NULL, &count));
    CHECK_NULL("count", cliquet_pre_key_upload_one_time_kyber_pre_key_count(upload, NULL));
    CHECK_NULL("upload", cliquet_pre_key_upload_one_time_kyber_pre_key(NULL, 0, &id, &key, &signature));
    CHECK_NULL("key", cliquet_pre_key_upload_one_time_kyber_pre_key(upload, 0, &id, NULL, &signature));
    CHECK_NULL("upload", cliquet_pre_key_upload_bundle(NULL, 1, 1, identity_key.data, identity_key.len, &bundle));
    CHECK_NULL("identity_key", cliquet_pre_key_upload_bundle(upload, 1, 1, NULL, identity_key.len, &bundle));
    CHECK_NULL("bundle", cliquet_pre_key_upload_bundle(upload, 1, 1, identity_key.data, identity_key.len, NULL));
    CHECK(key.data == NULL && signature.data == NULL && bundle == NULL);
    CHECK_NULL("signed_pre_key", cliquet_pre_key_bundle_new(1, 1, identity_key.data, identity_key.len, 1, NULL, 33,
                                                            NULL, 0, 0, NULL, 0, 0, NULL, 0, NULL, 0, &bundle));
    CHECK_NULL("bundle", cliquet_pre_key_bundle_new(1, 1, identity_key.data, identity_key.len, 1, NULL, 0, NULL, 0, 0,
                                                    NULL, 0, 0, NULL, 0, NULL, 0, NULL));
    CHECK_NULL("bundle", cliquet_process_pre_key_bundle(bob->store, "alice", 1, NULL, CLIQUET_PQ_RATCHET_REQUIRE));
    cliquet_buffer_free(&identity_key);
    cliquet_pre_key_upload_free(upload);
    cliquet_pre_key_manager_free(manager);
}

static void check_null_sessions(device* alice, device* bob) {
    cliquet_session_cipher* cipher = NULL;
    cliquet_pre_key_bundle* bundle = device_bundle(bob, 1);
    cliquet_buffer out = {NULL, 0};
    cliquet_message_type type;
    size_t count = 0;
    int version = 0;
    CHECK_NULL("store", cliquet_process_pre_key_bundle(NULL, "bob", 1, bundle, CLIQUET_PQ_RATCHET_REQUIRE));
    CHECK_NULL("name", cliquet_process_pre_key_bundle(alice->store, NULL, 1, bundle, CLIQUET_PQ_RATCHET_REQUIRE));
    CHECK_NULL("store", cliquet_session_cipher_new(NULL, "a", 1, "b", 1, CLIQUET_PQ_RATCHET_REQUIRE, &cipher));
    CHECK_NULL("local_name",
               cliquet_session_cipher_new(alice->store, NULL, 1, "b", 1, CLIQUET_PQ_RATCHET_REQUIRE, &cipher));
    CHECK_NULL("remote_name",
               cliquet_session_cipher_new(alice->store, "a", 1, NULL, 1, CLIQUET_PQ_RATCHET_REQUIRE, &cipher));
    CHECK_NULL("cipher", cliquet_session_cipher_new(alice->store, "a", 1, "b", 1, CLIQUET_PQ_RATCHET_REQUIRE, NULL));
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT,
                 cliquet_session_cipher_new(alice->store, "a", 1, "b", 1, (cliquet_pq_ratchet_policy)2, &cipher));
    CHECK(cipher == NULL);
    REQUIRE_OK(cliquet_process_pre_key_bundle(alice->store, bob->name, 1, bundle, CLIQUET_PQ_RATCHET_REQUIRE));
    REQUIRE_OK(
        cliquet_session_cipher_new(alice->store, alice->name, 1, bob->name, 1, CLIQUET_PQ_RATCHET_REQUIRE, &cipher));
    CHECK_NULL("cipher", cliquet_session_cipher_encrypt(NULL, (const uint8_t*)"x", 1, &type, &out));
    CHECK_NULL("plaintext", cliquet_session_cipher_encrypt(cipher, NULL, 1, &type, &out));
    CHECK_NULL("type", cliquet_session_cipher_encrypt(cipher, (const uint8_t*)"x", 1, NULL, &out));
    CHECK_NULL("ciphertext", cliquet_session_cipher_encrypt(cipher, (const uint8_t*)"x", 1, &type, NULL));
    CHECK_NULL("cipher", cliquet_session_cipher_decrypt(NULL, CLIQUET_MESSAGE_WHISPER, (const uint8_t*)"x", 1, &out));
    CHECK_NULL("ciphertext", cliquet_session_cipher_decrypt(cipher, CLIQUET_MESSAGE_WHISPER, NULL, 1, &out));
    CHECK_NULL("plaintext",
               cliquet_session_cipher_decrypt(cipher, CLIQUET_MESSAGE_WHISPER, (const uint8_t*)"x", 1, NULL));
    CHECK_NULL("cipher", cliquet_session_cipher_decrypt_pre_key_message(NULL, (const uint8_t*)"x", 1, &out));
    CHECK_NULL("plaintext", cliquet_session_cipher_decrypt_whisper_message(cipher, (const uint8_t*)"x", 1, NULL));
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT,
                 cliquet_session_cipher_decrypt(cipher, CLIQUET_MESSAGE_SENDER_KEY, (const uint8_t*)"x", 1, &out));
    CHECK_NULL("store", cliquet_session_version(NULL, "b", 1, &version));
    CHECK_NULL("name", cliquet_session_version(alice->store, NULL, 1, &version));
    CHECK_NULL("version", cliquet_session_version(alice->store, "b", 1, NULL));
    CHECK_NULL("store", cliquet_session_archive(NULL, "b", 1));
    CHECK_NULL("name", cliquet_session_archive(alice->store, NULL, 1));
    CHECK_NULL("store", cliquet_session_delete(NULL, "b", 1));
    CHECK_NULL("name", cliquet_session_delete(alice->store, NULL, 1));
    CHECK_NULL("store", cliquet_session_delete_all(NULL, "b", &count));
    CHECK_NULL("name", cliquet_session_delete_all(alice->store, NULL, &count));
    CHECK(out.data == NULL);
    cliquet_session_cipher_free(cipher);
    cliquet_pre_key_bundle_free(bundle);
}

static void check_null_sealed_sender(device* alice, device* bob) {
    service s;
    cliquet_buffer certificate, sealed = {NULL, 0}, out = {NULL, 0}, out2 = {NULL, 0};
    cliquet_buffer identity_key = device_identity_key(alice);
    cliquet_sealed_sender_result* result = NULL;
    cliquet_sealed_sender_sent* sent = NULL;
    cliquet_address destination;
    cliquet_message_type type;
    uint32_t number = 0;
    size_t count = 0;
    int flag = 0;
    destination.name = bob->name;
    destination.device_id = 1;
    service_init(&s);
    certificate = service_certificate(&s, alice);
    establish_session(alice, bob);
    CHECK_NULL("server_key", cliquet_server_certificate_create(1, NULL, 33, s.trust_root_private.data, 32, &out));
    CHECK_NULL("trust_root_private", cliquet_server_certificate_create(1, s.server_public.data, 33, NULL, 32, &out));
    CHECK_NULL("certificate",
               cliquet_server_certificate_create(1, s.server_public.data, 33, s.trust_root_private.data, 32, NULL));
    CHECK_NULL("uuid", cliquet_sender_certificate_create(NULL, NULL, 1, identity_key.data, identity_key.len, 1,
                                                         s.server_certificate.data, s.server_certificate.len,
                                                         s.server_private.data, s.server_private.len, &out));
    CHECK_NULL("identity_key", cliquet_sender_certificate_create(ALICE_UUID, NULL, 1, NULL, 33, 1,
                                                                 s.server_certificate.data, s.server_certificate.len,
                                                                 s.server_private.data, s.server_private.len, &out));
    CHECK_NULL("server_certificate",
               cliquet_sender_certificate_create(ALICE_UUID, NULL, 1, identity_key.data, identity_key.len, 1, NULL, 9,
                                                 s.server_private.data, s.server_private.len, &out));
    CHECK_NULL("server_private_key",
               cliquet_sender_certificate_create(ALICE_UUID, NULL, 1, identity_key.data, identity_key.len, 1,
                                                 s.server_certificate.data, s.server_certificate.len, NULL, 32, &out));
    CHECK_NULL("certificate",
               cliquet_sender_certificate_create(ALICE_UUID, NULL, 1, identity_key.data, identity_key.len, 1,
                                                 s.server_certificate.data, s.server_certificate.len,
                                                 s.server_private.data, s.server_private.len, NULL));
    CHECK_NULL("certificate", cliquet_sender_certificate_validate(NULL, 5, s.trust_root_public.data, 33, 1));
    CHECK_NULL("trust_root", cliquet_sender_certificate_validate(certificate.data, certificate.len, NULL, 33, 1));
    CHECK_NULL("store", cliquet_sealed_sender_encrypt(NULL, bob->name, 1, certificate.data, certificate.len,
                                                      (const uint8_t*)"x", 1, &sealed));
    CHECK_NULL("name", cliquet_sealed_sender_encrypt(alice->store, NULL, 1, certificate.data, certificate.len,
                                                     (const uint8_t*)"x", 1, &sealed));
    CHECK_NULL("sender_certificate",
               cliquet_sealed_sender_encrypt(alice->store, bob->name, 1, NULL, 3, (const uint8_t*)"x", 1, &sealed));
    CHECK_NULL("plaintext", cliquet_sealed_sender_encrypt(alice->store, bob->name, 1, certificate.data, certificate.len,
                                                          NULL, 1, &sealed));
    CHECK_NULL("sealed", cliquet_sealed_sender_encrypt(alice->store, bob->name, 1, certificate.data, certificate.len,
                                                       (const uint8_t*)"x", 1, NULL));
    CHECK_NULL("destinations", cliquet_sealed_sender_multi_recipient_encrypt(
                                   alice->store, NULL, 1, NULL, 0, CLIQUET_MESSAGE_WHISPER, (const uint8_t*)"x", 1,
                                   certificate.data, certificate.len, CLIQUET_CONTENT_HINT_NONE, NULL, 0, &sealed));
    destination.name = NULL;
    CHECK_NULL("a destination's name",
               cliquet_sealed_sender_multi_recipient_encrypt(
                   alice->store, &destination, 1, NULL, 0, CLIQUET_MESSAGE_WHISPER, (const uint8_t*)"x", 1,
                   certificate.data, certificate.len, CLIQUET_CONTENT_HINT_NONE, NULL, 0, &sealed));
    destination.name = bob->name;
    CHECK_NULL("excluded", cliquet_sealed_sender_multi_recipient_encrypt(
                               alice->store, &destination, 1, NULL, 1, CLIQUET_MESSAGE_WHISPER, (const uint8_t*)"x", 1,
                               certificate.data, certificate.len, CLIQUET_CONTENT_HINT_NONE, NULL, 0, &sealed));
    CHECK_NULL("content", cliquet_sealed_sender_multi_recipient_encrypt(
                              alice->store, &destination, 1, NULL, 0, CLIQUET_MESSAGE_WHISPER, NULL, 1,
                              certificate.data, certificate.len, CLIQUET_CONTENT_HINT_NONE, NULL, 0, &sealed));
    CHECK_NULL("group_id", cliquet_sealed_sender_multi_recipient_encrypt(
                               alice->store, &destination, 1, NULL, 0, CLIQUET_MESSAGE_WHISPER, (const uint8_t*)"x", 1,
                               certificate.data, certificate.len, CLIQUET_CONTENT_HINT_NONE, NULL, 4, &sealed));
    CHECK_NULL("sealed", cliquet_sealed_sender_multi_recipient_encrypt(
                             alice->store, &destination, 1, NULL, 0, CLIQUET_MESSAGE_WHISPER, (const uint8_t*)"x", 1,
                             certificate.data, certificate.len, CLIQUET_CONTENT_HINT_NONE, NULL, 0, NULL));
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT,
                 cliquet_sealed_sender_multi_recipient_encrypt(
                     alice->store, &destination, 1, NULL, 0, (cliquet_message_type)5, (const uint8_t*)"x", 1,
                     certificate.data, certificate.len, CLIQUET_CONTENT_HINT_NONE, NULL, 0, &sealed));
    REQUIRE_OK(cliquet_sealed_sender_encrypt(alice->store, bob->name, 1, certificate.data, certificate.len,
                                             (const uint8_t*)"x", 1, &sealed));
    CHECK_NULL("store", cliquet_sealed_sender_decrypt(NULL, sealed.data, sealed.len, s.trust_root_public.data, 33, 1,
                                                      bob->name, NULL, 1, CLIQUET_PQ_RATCHET_REQUIRE, &result));
    CHECK_NULL("sealed", cliquet_sealed_sender_decrypt(bob->store, NULL, 4, s.trust_root_public.data, 33, 1, bob->name,
                                                       NULL, 1, CLIQUET_PQ_RATCHET_REQUIRE, &result));
    CHECK_NULL("trust_root", cliquet_sealed_sender_decrypt(bob->store, sealed.data, sealed.len, NULL, 33, 1, bob->name,
                                                           NULL, 1, CLIQUET_PQ_RATCHET_REQUIRE, &result));
    CHECK_NULL("local_uuid",
               cliquet_sealed_sender_decrypt(bob->store, sealed.data, sealed.len, s.trust_root_public.data, 33, 1, NULL,
                                             NULL, 1, CLIQUET_PQ_RATCHET_REQUIRE, &result));
    CHECK_NULL("result", cliquet_sealed_sender_decrypt(bob->store, sealed.data, sealed.len, s.trust_root_public.data,
                                                       33, 1, bob->name, NULL, 1, CLIQUET_PQ_RATCHET_REQUIRE, NULL));
    CHECK(result == NULL);
    REQUIRE_OK(cliquet_sealed_sender_decrypt(bob->store, sealed.data, sealed.len, s.trust_root_public.data, 33,
                                             TEST_NOW_MS, bob->name, NULL, 1, CLIQUET_PQ_RATCHET_REQUIRE, &result));
    CHECK_NULL("result", cliquet_sealed_sender_result_sender_uuid(NULL, &out));
    CHECK_NULL("uuid", cliquet_sealed_sender_result_sender_uuid(result, NULL));
    CHECK_NULL("result", cliquet_sealed_sender_result_sender_e164(NULL, &flag, &out));
    CHECK_NULL("present", cliquet_sealed_sender_result_sender_e164(result, NULL, &out));
    CHECK_NULL("e164", cliquet_sealed_sender_result_sender_e164(result, &flag, NULL));
    CHECK_NULL("result", cliquet_sealed_sender_result_sender_device_id(NULL, &number));
    CHECK_NULL("device_id", cliquet_sealed_sender_result_sender_device_id(result, NULL));
    CHECK_NULL("result", cliquet_sealed_sender_result_plaintext(NULL, &out));
    CHECK_NULL("plaintext", cliquet_sealed_sender_result_plaintext(result, NULL));
    CHECK_NULL("result", cliquet_sealed_sender_result_content_type(NULL, &type));
    CHECK_NULL("type", cliquet_sealed_sender_result_content_type(result, NULL));
    CHECK_NULL("result", cliquet_sealed_sender_result_content_hint(NULL, &number));
    CHECK_NULL("hint", cliquet_sealed_sender_result_content_hint(result, NULL));
    CHECK_NULL("result", cliquet_sealed_sender_result_group_id(NULL, &flag, &out));
    CHECK_NULL("present", cliquet_sealed_sender_result_group_id(result, NULL, &out));
    CHECK_NULL("result", cliquet_sealed_sender_result_retry_request(NULL, &flag, &out));
    CHECK_NULL("request", cliquet_sealed_sender_result_retry_request(result, &flag, NULL));
    cliquet_sealed_sender_result_free(result);
    cliquet_buffer_free(&sealed);
    /* The server's side. */
    REQUIRE_OK(cliquet_sealed_sender_multi_recipient_encrypt(
        alice->store, &destination, 1, NULL, 0, CLIQUET_MESSAGE_SENDER_KEY, (const uint8_t*)"x", 1, certificate.data,
        certificate.len, CLIQUET_CONTENT_HINT_NONE, NULL, 0, &sealed));
    CHECK_NULL("sent", cliquet_sealed_sender_sent_parse(NULL, 5, &sent));
    CHECK_NULL("message", cliquet_sealed_sender_sent_parse(sealed.data, sealed.len, NULL));
    REQUIRE_OK(cliquet_sealed_sender_sent_parse(sealed.data, sealed.len, &sent));
    CHECK_NULL("message", cliquet_sealed_sender_sent_recipient_count(NULL, &count));
    CHECK_NULL("count", cliquet_sealed_sender_sent_recipient_count(sent, NULL));
    CHECK_NULL("message", cliquet_sealed_sender_sent_recipient(NULL, 0, &out, &out2, &count));
    CHECK_NULL("service_id", cliquet_sealed_sender_sent_recipient(sent, 0, NULL, &out2, &count));
    CHECK_NULL("service_id_text", cliquet_sealed_sender_sent_recipient(sent, 0, &out, NULL, &count));
    CHECK_NULL("device_count", cliquet_sealed_sender_sent_recipient(sent, 0, &out, &out2, NULL));
    CHECK_NULL("message", cliquet_sealed_sender_sent_recipient_device(NULL, 0, 0, &number, &number));
    CHECK_NULL("device_id", cliquet_sealed_sender_sent_recipient_device(sent, 0, 0, NULL, &number));
    CHECK_NULL("registration_id", cliquet_sealed_sender_sent_recipient_device(sent, 0, 0, &number, NULL));
    CHECK_NULL("message", cliquet_sealed_sender_sent_received_message(NULL, 0, &out));
    CHECK_NULL("received", cliquet_sealed_sender_sent_received_message(sent, 0, NULL));
    CHECK_NULL("message", cliquet_sealed_sender_sent_excluded_count(NULL, &count));
    CHECK_NULL("count", cliquet_sealed_sender_sent_excluded_count(sent, NULL));
    CHECK_NULL("message", cliquet_sealed_sender_sent_excluded(NULL, 0, &out));
    CHECK_NULL("service_id", cliquet_sealed_sender_sent_excluded(sent, 0, NULL));
    CHECK(out.data == NULL && out2.data == NULL);
    cliquet_sealed_sender_sent_free(sent);
    cliquet_buffer_free(&sealed);
    cliquet_buffer_free(&identity_key);
    cliquet_buffer_free(&certificate);
    service_free(&s);
}

static void check_null_groups_fingerprints_retries(device* alice) {
    cliquet_buffer out = {NULL, 0}, key = device_identity_key(alice);
    cliquet_fingerprint* fingerprint = NULL;
    cliquet_retry_action action;
    uint64_t timestamp = 0;
    uint32_t number = 0;
    int flag = 0;
    CHECK_NULL("store", cliquet_sender_key_distribution_create(NULL, "a", 1, group, sizeof group, &out));
    CHECK_NULL("sender_name", cliquet_sender_key_distribution_create(alice->store, NULL, 1, group, sizeof group, &out));
    CHECK_NULL("distribution_id", cliquet_sender_key_distribution_create(alice->store, "a", 1, NULL, 16, &out));
    CHECK_NULL("message", cliquet_sender_key_distribution_create(alice->store, "a", 1, group, sizeof group, NULL));
    CHECK_NULL("store", cliquet_sender_key_distribution_process(NULL, "a", 1, (const uint8_t*)"x", 1));
    CHECK_NULL("sender_name", cliquet_sender_key_distribution_process(alice->store, NULL, 1, (const uint8_t*)"x", 1));
    CHECK_NULL("message", cliquet_sender_key_distribution_process(alice->store, "a", 1, NULL, 1));
    CHECK_NULL("store", cliquet_group_encrypt(NULL, "a", 1, group, 16, (const uint8_t*)"x", 1, &out));
    CHECK_NULL("sender_name", cliquet_group_encrypt(alice->store, NULL, 1, group, 16, (const uint8_t*)"x", 1, &out));
    CHECK_NULL("distribution_id", cliquet_group_encrypt(alice->store, "a", 1, NULL, 16, (const uint8_t*)"x", 1, &out));
    CHECK_NULL("plaintext", cliquet_group_encrypt(alice->store, "a", 1, group, 16, NULL, 1, &out));
    CHECK_NULL("ciphertext", cliquet_group_encrypt(alice->store, "a", 1, group, 16, (const uint8_t*)"x", 1, NULL));
    CHECK_NULL("store", cliquet_group_decrypt(NULL, "a", 1, (const uint8_t*)"x", 1, &out));
    CHECK_NULL("sender_name", cliquet_group_decrypt(alice->store, NULL, 1, (const uint8_t*)"x", 1, &out));
    CHECK_NULL("ciphertext", cliquet_group_decrypt(alice->store, "a", 1, NULL, 1, &out));
    CHECK_NULL("plaintext", cliquet_group_decrypt(alice->store, "a", 1, (const uint8_t*)"x", 1, NULL));
    CHECK_NULL("local_key", cliquet_fingerprint_new(2, 5200, (const uint8_t*)"a", 1, NULL, 33, (const uint8_t*)"b", 1,
                                                    key.data, key.len, &fingerprint));
    CHECK_NULL("local_id", cliquet_fingerprint_new(2, 5200, NULL, 1, key.data, key.len, (const uint8_t*)"b", 1,
                                                   key.data, key.len, &fingerprint));
    CHECK_NULL("fingerprint", cliquet_fingerprint_new(2, 5200, (const uint8_t*)"a", 1, key.data, key.len,
                                                      (const uint8_t*)"b", 1, key.data, key.len, NULL));
    CHECK(fingerprint == NULL);
    REQUIRE_OK(cliquet_fingerprint_new(2, 5200, (const uint8_t*)"a", 1, key.data, key.len, (const uint8_t*)"b", 1,
                                       key.data, key.len, &fingerprint));
    CHECK_NULL("fingerprint", cliquet_fingerprint_displayable(NULL, &out));
    CHECK_NULL("digits", cliquet_fingerprint_displayable(fingerprint, NULL));
    CHECK_NULL("fingerprint", cliquet_fingerprint_scannable(NULL, &out));
    CHECK_NULL("code", cliquet_fingerprint_scannable(fingerprint, NULL));
    CHECK_NULL("fingerprint", cliquet_fingerprint_compare(NULL, (const uint8_t*)"x", 1, &flag));
    CHECK_NULL("their_code", cliquet_fingerprint_compare(fingerprint, NULL, 1, &flag));
    CHECK_NULL("matches", cliquet_fingerprint_compare(fingerprint, (const uint8_t*)"x", 1, NULL));
    cliquet_fingerprint_free(fingerprint);
    CHECK_NULL("original", cliquet_retry_request_create(NULL, 5, CLIQUET_MESSAGE_WHISPER, 1, 1, &out));
    CHECK_NULL("request", cliquet_retry_request_create((const uint8_t*)"x", 0, CLIQUET_MESSAGE_SENDER_KEY, 1, 1, NULL));
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT,
                 cliquet_retry_request_create((const uint8_t*)"x", 1, (cliquet_message_type)1, 1, 1, &out));
    CHECK_NULL("request", cliquet_retry_request_parse(NULL, 4, &timestamp, &number, &flag));
    CHECK_NULL("timestamp_ms", cliquet_retry_request_parse((const uint8_t*)"x", 1, NULL, &number, &flag));
    CHECK_NULL("device_id", cliquet_retry_request_parse((const uint8_t*)"x", 1, &timestamp, NULL, &flag));
    CHECK_NULL("has_ratchet_key", cliquet_retry_request_parse((const uint8_t*)"x", 1, &timestamp, &number, NULL));
    CHECK_NULL("store", cliquet_retry_request_process(NULL, "a", 1, "b", 1, (const uint8_t*)"x", 1, &action));
    CHECK_NULL("local_name",
               cliquet_retry_request_process(alice->store, NULL, 1, "b", 1, (const uint8_t*)"x", 1, &action));
    CHECK_NULL("requester_name",
               cliquet_retry_request_process(alice->store, "a", 1, NULL, 1, (const uint8_t*)"x", 1, &action));
    CHECK_NULL("request", cliquet_retry_request_process(alice->store, "a", 1, "b", 1, NULL, 1, &action));
    CHECK_NULL("action", cliquet_retry_request_process(alice->store, "a", 1, "b", 1, (const uint8_t*)"x", 1, NULL));
    CHECK(out.data == NULL);
    cliquet_buffer_free(&key);
}

void test_null_arguments(void) {
    device alice, bob;
    device_init(&alice, ALICE_UUID, 1);
    device_init(&bob, BOB_UUID, 1);
    check_null_keys_and_stores(&bob);
    check_null_pre_keys(&bob);
    check_null_sessions(&alice, &bob);
    check_null_sealed_sender(&alice, &bob);
    check_null_groups_fingerprints_retries(&alice);
    /* Every free accepts NULL. */
    cliquet_identity_free(NULL);
    cliquet_store_free(NULL);
    cliquet_pre_key_bundle_free(NULL);
    cliquet_pre_key_upload_free(NULL);
    cliquet_pre_key_manager_free(NULL);
    cliquet_session_cipher_free(NULL);
    cliquet_sealed_sender_result_free(NULL);
    cliquet_sealed_sender_sent_free(NULL);
    cliquet_fingerprint_free(NULL);
    cliquet_buffer_free(NULL);
    device_free(&alice);
    device_free(&bob);
}
