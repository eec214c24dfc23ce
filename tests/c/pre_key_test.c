/* Pre-keys through the C API: the manager's schedule, what it uploads, and
 * bundles made from parts. */
#include <string.h>

#include "fixtures.h"
#include "tests.h"

void test_pre_key_manager(void) {
    device bob;
    cliquet_pre_key_manager* manager = NULL;
    cliquet_pre_key_upload *upload = NULL, *nothing = NULL, *all = NULL;
    cliquet_buffer key = {NULL, 0}, signature = {NULL, 0};
    size_t ec = 0, kyber = 0, count = 0;
    uint32_t id = 0, signed_id = 0;
    int present = -1, empty = -1;
    device_init(&bob, "bob", 1);
    REQUIRE_OK(cliquet_pre_key_manager_new(bob.store, 3, 2, &manager));
    CHECK_OK(cliquet_pre_key_manager_unused_counts(manager, &ec, &kyber));
    CHECK(ec == 0 && kyber == 0);
    /* The first run makes everything. */
    REQUIRE_OK(cliquet_pre_key_manager_run_schedule(manager, &upload));
    CHECK_OK(cliquet_pre_key_upload_is_empty(upload, &empty));
    CHECK(empty == 0);
    CHECK_OK(cliquet_pre_key_upload_signed_pre_key(upload, &present, &signed_id, &key, &signature));
    CHECK(present == 1 && key.len == CLIQUET_PUBLIC_KEY_SIZE && signature.len == 64);
    cliquet_buffer_free(&key);
    cliquet_buffer_free(&signature);
    CHECK_OK(cliquet_pre_key_upload_last_resort_kyber_pre_key(upload, &present, &id, &key, &signature));
    CHECK(present == 1 && key.len == 1569 && key.data[0] == 0x08 && signature.len == 64);
    cliquet_buffer_free(&key);
    cliquet_buffer_free(&signature);
    CHECK_OK(cliquet_pre_key_upload_one_time_pre_key_count(upload, &count));
    CHECK(count == 3);
    CHECK_OK(cliquet_pre_key_upload_one_time_pre_key(upload, 2, &id, &key));
    CHECK(id != 0 && key.len == CLIQUET_PUBLIC_KEY_SIZE);
    cliquet_buffer_free(&key);
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT, cliquet_pre_key_upload_one_time_pre_key(upload, 3, &id, &key));
    CHECK_OK(cliquet_pre_key_upload_one_time_kyber_pre_key_count(upload, &count));
    CHECK(count == 3);
    CHECK_OK(cliquet_pre_key_upload_one_time_kyber_pre_key(upload, 0, &id, &key, &signature));
    CHECK(key.len == 1569 && signature.len == 64);
    cliquet_buffer_free(&key);
    cliquet_buffer_free(&signature);
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT,
                 cliquet_pre_key_upload_one_time_kyber_pre_key(upload, 3, &id, &key, &signature));
    CHECK_OK(cliquet_pre_key_manager_unused_counts(manager, &ec, &kyber));
    CHECK(ec == 3 && kyber == 3);
    /* Nothing due on the next run. */
    REQUIRE_OK(cliquet_pre_key_manager_run_schedule(manager, &nothing));
    CHECK_OK(cliquet_pre_key_upload_is_empty(nothing, &empty));
    CHECK(empty == 1);
    CHECK_OK(cliquet_pre_key_upload_signed_pre_key(nothing, &present, &id, &key, &signature));
    CHECK(present == 0 && key.data == NULL && signature.data == NULL);
    CHECK_OK(cliquet_pre_key_upload_last_resort_kyber_pre_key(nothing, &present, &id, &key, &signature));
    CHECK(present == 0);
    {
        /* An upload without a signed pre-key makes no bundle. */
        cliquet_pre_key_bundle* bundle = NULL;
        cliquet_buffer identity_key = device_identity_key(&bob);
        CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT,
                     cliquet_pre_key_upload_bundle(nothing, 1, 1, identity_key.data, identity_key.len, &bundle));
        CHECK(bundle == NULL);
        cliquet_buffer_free(&identity_key);
    }
    cliquet_pre_key_upload_free(nothing);
    /* On demand: more keys, and rotations. */
    REQUIRE_OK(cliquet_pre_key_manager_generate_one_time_pre_keys(manager, 2, &nothing));
    CHECK_OK(cliquet_pre_key_upload_one_time_pre_key_count(nothing, &count));
    CHECK(count == 2);
    cliquet_pre_key_upload_free(nothing);
    REQUIRE_OK(cliquet_pre_key_manager_generate_one_time_kyber_pre_keys(manager, 1, &nothing));
    CHECK_OK(cliquet_pre_key_upload_one_time_kyber_pre_key_count(nothing, &count));
    CHECK(count == 1);
    cliquet_pre_key_upload_free(nothing);
    REQUIRE_OK(cliquet_pre_key_manager_rotate_signed_pre_key(manager, &nothing));
    CHECK_OK(cliquet_pre_key_upload_signed_pre_key(nothing, &present, &id, &key, &signature));
    CHECK(present == 1 && id != signed_id);
    cliquet_buffer_free(&key);
    cliquet_buffer_free(&signature);
    cliquet_pre_key_upload_free(nothing);
    REQUIRE_OK(cliquet_pre_key_manager_rotate_last_resort_kyber_pre_key(manager, &nothing));
    CHECK_OK(cliquet_pre_key_upload_last_resort_kyber_pre_key(nothing, &present, &id, &key, &signature));
    CHECK(present == 1);
    cliquet_buffer_free(&key);
    cliquet_buffer_free(&signature);
    cliquet_pre_key_upload_free(nothing);
    CHECK_OK(cliquet_pre_key_manager_unused_counts(manager, &ec, &kyber));
    CHECK(ec == 5 && kyber == 4);
    REQUIRE_OK(cliquet_pre_key_manager_upload_set(manager, &all));
    CHECK_OK(cliquet_pre_key_upload_one_time_pre_key_count(all, &count));
    CHECK(count == 5);
    cliquet_pre_key_upload_free(all);
    cliquet_pre_key_upload_free(upload);
    cliquet_pre_key_manager_free(manager);
    /* A batch of no keys is refused; 0 and 0 are the defaults. */
    manager = NULL;
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT, cliquet_pre_key_manager_new(bob.store, 0, 5, &manager));
    CHECK(manager == NULL);
    CHECK_OK(cliquet_pre_key_manager_new(bob.store, 0, 0, &manager));
    cliquet_pre_key_manager_free(manager);
    device_free(&bob);
}

void test_pre_key_bundles(void) {
    device alice, bob;
    cliquet_pre_key_manager* manager = NULL;
    cliquet_pre_key_upload* upload = NULL;
    cliquet_pre_key_bundle* bundle = NULL;
    cliquet_buffer identity_key, signed_key = {NULL, 0}, signature = {NULL, 0};
    cliquet_buffer kyber_key = {NULL, 0}, kyber_signature = {NULL, 0};
    uint32_t signed_id = 0, kyber_id = 0;
    int present = 0;
    device_init(&alice, "alice", 1);
    device_init(&bob, "bob", 1);
    identity_key = device_identity_key(&bob);
    REQUIRE_OK(cliquet_pre_key_manager_new(bob.store, 1, 1, &manager));
    REQUIRE_OK(cliquet_pre_key_manager_run_schedule(manager, &upload));
    REQUIRE_OK(cliquet_pre_key_upload_signed_pre_key(upload, &present, &signed_id, &signed_key, &signature));
    REQUIRE_OK(
        cliquet_pre_key_upload_last_resort_kyber_pre_key(upload, &present, &kyber_id, &kyber_key, &kyber_signature));
    /* Malformed parts. */
    CHECK_STATUS(CLIQUET_ERR_INVALID_KEY,
                 cliquet_pre_key_bundle_new(1, 1, identity_key.data, identity_key.len, signed_id, signed_key.data, 32,
                                            signature.data, signature.len, 0, NULL, 0, 0, NULL, 0, NULL, 0, &bundle));
    CHECK_STATUS(
        CLIQUET_ERR_INVALID_ARGUMENT,
        cliquet_pre_key_bundle_new(1, 1, identity_key.data, identity_key.len, signed_id, signed_key.data,
                                   signed_key.len, signature.data, 63, 0, NULL, 0, 0, NULL, 0, NULL, 0, &bundle));
    CHECK_STATUS(CLIQUET_ERR_INVALID_KEY,
                 cliquet_pre_key_bundle_new(1, 1, identity_key.data, identity_key.len, signed_id, signed_key.data,
                                            signed_key.len, signature.data, signature.len, 0, NULL, 0, kyber_id,
                                            kyber_key.data, 100, kyber_signature.data, kyber_signature.len, &bundle));
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT,
                 cliquet_pre_key_bundle_new(1, 1, identity_key.data, identity_key.len, signed_id, signed_key.data,
                                            signed_key.len, signature.data, signature.len, 0, NULL, 0, kyber_id,
                                            kyber_key.data, kyber_key.len, NULL, 0, &bundle));
    CHECK(bundle == NULL);
    /* A forged signature is caught when a session starts from the bundle,
     * and starts nothing. */
    signature.data[10] ^= 1;
    REQUIRE_OK(cliquet_pre_key_bundle_new(1, 1, identity_key.data, identity_key.len, signed_id, signed_key.data,
                                          signed_key.len, signature.data, signature.len, 0, NULL, 0, kyber_id,
                                          kyber_key.data, kyber_key.len, kyber_signature.data, kyber_signature.len,
                                          &bundle));
    CHECK_STATUS(CLIQUET_ERR_INVALID_SIGNATURE,
                 cliquet_process_pre_key_bundle(alice.store, "bob", 1, bundle, CLIQUET_PQ_RATCHET_REQUIRE));
    cliquet_pre_key_bundle_free(bundle);
    bundle = NULL;
    signature.data[10] ^= 1;
    /* Without a one-time pre-key, on the last-resort Kyber key: a session. */
    REQUIRE_OK(cliquet_pre_key_bundle_new(1, 1, identity_key.data, identity_key.len, signed_id, signed_key.data,
                                          signed_key.len, signature.data, signature.len, 0, NULL, 0, kyber_id,
                                          kyber_key.data, kyber_key.len, kyber_signature.data, kyber_signature.len,
                                          &bundle));
    CHECK_OK(cliquet_process_pre_key_bundle(alice.store, "bob", 1, bundle, CLIQUET_PQ_RATCHET_REQUIRE));
    CHECK_OK(send_text(&alice, &bob, "on the last resort key"));
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT,
                 cliquet_process_pre_key_bundle(alice.store, "bob", 1, bundle, (cliquet_pq_ratchet_policy)7));
    cliquet_pre_key_bundle_free(bundle);
    cliquet_buffer_free(&identity_key);
    cliquet_buffer_free(&signed_key);
    cliquet_buffer_free(&signature);
    cliquet_buffer_free(&kyber_key);
    cliquet_buffer_free(&kyber_signature);
    cliquet_pre_key_upload_free(upload);
    cliquet_pre_key_manager_free(manager);
    device_free(&alice);
    device_free(&bob);
}
