/* cliquet from C: two devices start a session (version 4: PQXDH with SPQR),
 * exchange a message each way, then Alice sends Bob a sealed message and a
 * group message. Every call returns a status; every buffer and handle is
 * freed. */
#include <cliquet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALICE "9d0652a3-dcc3-4d11-975f-74d61598733f"
#define BOB "796abedb-ca4e-4f18-8803-1fde5b921f9f"

/* Stops at the first failure, saying which call and why. */
static void check(cliquet_status status, const char* what) {
    if (status == CLIQUET_OK) return;
    fprintf(stderr, "%s: %s (%s)\n", what, cliquet_status_name(status), cliquet_last_error_message());
    exit(1);
}

int main(void) {
    cliquet_identity *alice_identity = NULL, *bob_identity = NULL;
    cliquet_store *alice = NULL, *bob = NULL;
    cliquet_pre_key_manager* bob_keys = NULL;
    cliquet_pre_key_upload* bob_upload = NULL;
    cliquet_pre_key_bundle* bob_bundle = NULL;
    cliquet_session_cipher *to_bob = NULL, *to_alice = NULL;
    cliquet_buffer bob_identity_key = {NULL, 0}, message = {NULL, 0}, plaintext = {NULL, 0};
    cliquet_message_type type;
    uint32_t bob_registration_id = 0;
    int version = 0;

    /* Two devices, each with an identity and a store. */
    check(cliquet_identity_generate(&alice_identity), "alice's identity");
    check(cliquet_identity_generate(&bob_identity), "bob's identity");
    check(cliquet_store_new_memory(alice_identity, &alice), "alice's store");
    check(cliquet_store_new_memory(bob_identity, &bob), "bob's store");

    /* Bob publishes his pre-keys; the server hands Alice a bundle. */
    check(cliquet_pre_key_manager_new(bob, 0, 0, &bob_keys), "bob's pre-key manager");
    check(cliquet_pre_key_manager_run_schedule(bob_keys, &bob_upload), "bob's pre-keys");
    check(cliquet_identity_public_key(bob_identity, &bob_identity_key), "bob's identity key");
    check(cliquet_identity_registration_id(bob_identity, &bob_registration_id), "bob's registration id");
    check(cliquet_pre_key_upload_bundle(bob_upload, bob_registration_id, 1, bob_identity_key.data, bob_identity_key.len,
                                        &bob_bundle),
          "bob's bundle");

    /* Alice starts the session and says hello; Bob answers. */
    check(cliquet_process_pre_key_bundle(alice, BOB, 1, bob_bundle, CLIQUET_PQ_RATCHET_REQUIRE), "the session");
    check(cliquet_session_cipher_new(alice, ALICE, 1, BOB, 1, CLIQUET_PQ_RATCHET_REQUIRE, &to_bob), "alice's cipher");
    check(cliquet_session_cipher_new(bob, BOB, 1, ALICE, 1, CLIQUET_PQ_RATCHET_REQUIRE, &to_alice), "bob's cipher");
    check(cliquet_session_cipher_encrypt(to_bob, (const uint8_t*)"hello, Bob", 10, &type, &message), "encrypt");
    check(cliquet_session_cipher_decrypt(to_alice, type, message.data, message.len, &plaintext), "decrypt");
    check(cliquet_session_version(bob, ALICE, 1, &version), "the session's version");
    printf("Bob read:   %.*s (a %lu-byte pre-key message, version %d)\n", (int)plaintext.len,
           (const char*)plaintext.data, (unsigned long)message.len, version);
    cliquet_buffer_free(&message);
    cliquet_buffer_free(&plaintext);
    check(cliquet_session_cipher_encrypt(to_alice, (const uint8_t*)"hello, Alice", 12, &type, &message), "encrypt");
    check(cliquet_session_cipher_decrypt(to_bob, type, message.data, message.len, &plaintext), "decrypt");
    printf("Alice read: %.*s (a %lu-byte whisper message)\n", (int)plaintext.len, (const char*)plaintext.data,
           (unsigned long)message.len);
    cliquet_buffer_free(&message);
    cliquet_buffer_free(&plaintext);

    /* A sealed message: the server learns the recipient, not the sender. */
    {
        cliquet_buffer root = {NULL, 0}, root_private = {NULL, 0}, server = {NULL, 0}, server_private = {NULL, 0};
        cliquet_buffer server_certificate = {NULL, 0}, sender_certificate = {NULL, 0}, alice_identity_key = {NULL, 0};
        cliquet_buffer sender = {NULL, 0};
        cliquet_sealed_sender_result* opened = NULL;
        const uint64_t now_ms = 1700000000000ULL, expiration_ms = now_ms + 86400000ULL;
        check(cliquet_key_pair_generate(&root, &root_private), "the trust root");
        check(cliquet_key_pair_generate(&server, &server_private), "the server key");
        check(cliquet_server_certificate_create(1, server.data, server.len, root_private.data, root_private.len,
                                                &server_certificate),
              "the server certificate");
        check(cliquet_identity_public_key(alice_identity, &alice_identity_key), "alice's identity key");
        check(cliquet_sender_certificate_create(ALICE, NULL, 1, alice_identity_key.data, alice_identity_key.len,
                                                expiration_ms, server_certificate.data, server_certificate.len,
                                                server_private.data, server_private.len, &sender_certificate),
              "alice's sender certificate");
        check(cliquet_sealed_sender_encrypt(alice, BOB, 1, sender_certificate.data, sender_certificate.len,
                                            (const uint8_t*)"sealed, Bob", 11, &message),
              "seal");
        check(cliquet_sealed_sender_decrypt(bob, message.data, message.len, root.data, root.len, now_ms, BOB, NULL, 1,
                                            CLIQUET_PQ_RATCHET_REQUIRE, &opened),
              "open");
        check(cliquet_sealed_sender_result_plaintext(opened, &plaintext), "the sealed plaintext");
        check(cliquet_sealed_sender_result_sender_uuid(opened, &sender), "the sealed sender");
        printf("Bob read:   %.*s (sealed, from %s)\n", (int)plaintext.len, (const char*)plaintext.data,
               (const char*)sender.data);
        cliquet_buffer_free(&sender);
        cliquet_buffer_free(&plaintext);
        cliquet_buffer_free(&message);
        cliquet_sealed_sender_result_free(opened);
        cliquet_buffer_free(&alice_identity_key);
        cliquet_buffer_free(&sender_certificate);
        cliquet_buffer_free(&server_certificate);
        cliquet_buffer_free(&server_private);
        cliquet_buffer_free(&server);
        cliquet_buffer_free(&root_private);
        cliquet_buffer_free(&root);
    }

    /* A group: Alice's sender key reaches Bob over their session, then one
     * message serves the whole group. */
    {
        const uint8_t group[CLIQUET_DISTRIBUTION_ID_SIZE] = {0x1c, 0x9e, 0x55, 0x02, 0x8d, 0x3b, 0x4a, 0x71,
                                                             0x9f, 0x10, 0x62, 0xe4, 0x33, 0xa8, 0x05, 0xbd};
        cliquet_buffer distribution = {NULL, 0}, carried = {NULL, 0};
        check(cliquet_sender_key_distribution_create(alice, ALICE, 1, group, sizeof group, &distribution),
              "alice's sender key");
        check(cliquet_session_cipher_encrypt(to_bob, distribution.data, distribution.len, &type, &message),
              "encrypt the distribution");
        check(cliquet_session_cipher_decrypt(to_alice, type, message.data, message.len, &carried),
              "decrypt the distribution");
        check(cliquet_sender_key_distribution_process(bob, ALICE, 1, carried.data, carried.len),
              "bob records alice's sender key");
        cliquet_buffer_free(&message);
        check(cliquet_group_encrypt(alice, ALICE, 1, group, sizeof group, (const uint8_t*)"hello, group", 12, &message),
              "group encrypt");
        check(cliquet_group_decrypt(bob, ALICE, 1, message.data, message.len, &plaintext), "group decrypt");
        printf("Bob read:   %.*s (a %lu-byte group message)\n", (int)plaintext.len, (const char*)plaintext.data,
               (unsigned long)message.len);
        cliquet_buffer_free(&plaintext);
        cliquet_buffer_free(&message);
        cliquet_buffer_free(&carried);
        cliquet_buffer_free(&distribution);
    }

    cliquet_session_cipher_free(to_alice);
    cliquet_session_cipher_free(to_bob);
    cliquet_pre_key_bundle_free(bob_bundle);
    cliquet_pre_key_upload_free(bob_upload);
    cliquet_pre_key_manager_free(bob_keys);
    cliquet_buffer_free(&bob_identity_key);
    cliquet_store_free(bob);
    cliquet_store_free(alice);
    cliquet_identity_free(bob_identity);
    cliquet_identity_free(alice_identity);
    return 0;
}
