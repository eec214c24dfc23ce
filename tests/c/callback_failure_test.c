/* A callback store whose callbacks fail: every library call that reaches the
 * failing callback reports its failure (storage, or no_memory for an
 * allocation), and with transactions leaves every record as it was. The
 * sweeps make each callback call of an operation fail in turn. */
#include <string.h>

#include "fixtures.h"
#include "tests.h"

/* What one swept operation needs: Bob's store is the application's. */
typedef struct sweep_world {
    app_store records;
    device alice;
    device bob;
    service s;
    cliquet_buffer message; /* the message an operation decrypts */
    cliquet_message_type type;
    int transactional; /* whether a failure must leave the records as they were */
    long rollbacks;    /* over every sweep */
} sweep_world;

typedef cliquet_status (*operation)(sweep_world* w);

static const uint8_t group[CLIQUET_DISTRIBUTION_ID_SIZE] = {0x42, 1};

/* Runs `op` once cleanly to count its callback calls, then again from the same
 * records with each call failing in turn, as storage and as no memory; then
 * once more cleanly, so that the world moves on. Returns how many calls
 * failed in turn. */
static long sweep(sweep_world* w, operation op, const char* name) {
    app_store before;
    long count, i;
    int kind;
    app_store_init(&before);
    app_store_copy(&before, &w->records);
    w->records.calls = 0;
    w->records.fail_at = 0;
    REQUIRE_OK(op(w));
    count = w->records.calls;
    for (i = 1; i <= count; ++i) {
        for (kind = 0; kind < 2; ++kind) {
            const cliquet_status injected = kind == 0 ? CLIQUET_ERR_STORAGE : CLIQUET_ERR_NO_MEMORY;
            cliquet_status status;
            app_store_free(&w->records);
            app_store_copy(&w->records, &before);
            w->records.fail_at = i;
            w->records.fail_status = injected;
            status = op(w);
            w->rollbacks += w->records.rollbacks;
            CHECK(status == injected);
            if (w->transactional) CHECK(app_store_equal(&w->records, &before));
            if (status != injected || (w->transactional && !app_store_equal(&w->records, &before)))
                fprintf(stderr, "  %s: callback call %ld of %ld failing as %s: %s\n", name, i, count,
                        cliquet_status_name(injected), cliquet_status_name(status));
        }
    }
    app_store_free(&w->records);
    app_store_copy(&w->records, &before);
    w->records.fail_at = 0;
    REQUIRE_OK(op(w));
    app_store_free(&before);
    return count;
}

/* Alice's session with Bob, and her first message, in w->message. */
static void alice_writes_first(sweep_world* w) {
    cliquet_session_cipher* cipher = NULL;
    cliquet_pre_key_manager* manager = NULL;
    cliquet_pre_key_upload* upload = NULL;
    cliquet_pre_key_bundle* bundle = NULL;
    cliquet_buffer key = device_identity_key(&w->bob);
    REQUIRE_OK(cliquet_pre_key_manager_new(w->bob.store, 2, 1, &manager));
    REQUIRE_OK(cliquet_pre_key_manager_upload_set(manager, &upload));
    REQUIRE_OK(cliquet_pre_key_upload_bundle(upload, 9, 1, key.data, key.len, &bundle));
    REQUIRE_OK(cliquet_process_pre_key_bundle(w->alice.store, w->bob.name, 1, bundle, CLIQUET_PQ_RATCHET_REQUIRE));
    REQUIRE_OK(cliquet_session_cipher_new(w->alice.store, w->alice.name, 1, w->bob.name, 1, CLIQUET_PQ_RATCHET_REQUIRE,
                                          &cipher));
    REQUIRE_OK(cliquet_session_cipher_encrypt(cipher, (const uint8_t*)"first", 5, &w->type, &w->message));
    cliquet_session_cipher_free(cipher);
    cliquet_pre_key_bundle_free(bundle);
    cliquet_pre_key_upload_free(upload);
    cliquet_pre_key_manager_free(manager);
    cliquet_buffer_free(&key);
}

static cliquet_status bob_decrypts(sweep_world* w) {
    cliquet_session_cipher* cipher = NULL;
    cliquet_buffer plaintext = {NULL, 0};
    cliquet_status status =
        cliquet_session_cipher_new(w->bob.store, w->bob.name, 1, w->alice.name, 1, CLIQUET_PQ_RATCHET_REQUIRE, &cipher);
    if (status == CLIQUET_OK)
        status = cliquet_session_cipher_decrypt(cipher, w->type, w->message.data, w->message.len, &plaintext);
    cliquet_buffer_free(&plaintext);
    cliquet_session_cipher_free(cipher);
    return status;
}

static cliquet_status bob_encrypts(sweep_world* w) {
    cliquet_session_cipher* cipher = NULL;
    cliquet_status status =
        cliquet_session_cipher_new(w->bob.store, w->bob.name, 1, w->alice.name, 1, CLIQUET_PQ_RATCHET_REQUIRE, &cipher);
    cliquet_buffer_free(&w->message);
    if (status == CLIQUET_OK)
        status = cliquet_session_cipher_encrypt(cipher, (const uint8_t*)"reply", 5, &w->type, &w->message);
    cliquet_session_cipher_free(cipher);
    return status;
}

static cliquet_status bob_seals(sweep_world* w) {
    cliquet_buffer certificate = service_certificate(&w->s, &w->bob);
    cliquet_status status;
    cliquet_buffer_free(&w->message);
    status = cliquet_sealed_sender_encrypt(w->bob.store, w->alice.name, 1, certificate.data, certificate.len,
                                           (const uint8_t*)"sealed", 6, &w->message);
    cliquet_buffer_free(&certificate);
    return status;
}

static cliquet_status bob_opens(sweep_world* w) {
    cliquet_sealed_sender_result* result = NULL;
    cliquet_status status = cliquet_sealed_sender_decrypt(
        w->bob.store, w->message.data, w->message.len, w->s.trust_root_public.data, w->s.trust_root_public.len,
        TEST_NOW_MS, w->bob.name, NULL, 1, CLIQUET_PQ_RATCHET_REQUIRE, &result);
    cliquet_sealed_sender_result_free(result);
    return status;
}

static cliquet_status bob_makes_sender_key(sweep_world* w) {
    cliquet_buffer distribution = {NULL, 0};
    cliquet_status status =
        cliquet_sender_key_distribution_create(w->bob.store, w->bob.name, 1, group, sizeof group, &distribution);
    cliquet_buffer_free(&distribution);
    return status;
}

static cliquet_status bob_group_encrypts(sweep_world* w) {
    cliquet_buffer_free(&w->message);
    return cliquet_group_encrypt(w->bob.store, w->bob.name, 1, group, sizeof group, (const uint8_t*)"all", 3,
                                 &w->message);
}

static cliquet_status bob_processes_alices_sender_key(sweep_world* w) {
    return cliquet_sender_key_distribution_process(w->bob.store, w->alice.name, 1, w->message.data, w->message.len);
}

static cliquet_status bob_group_decrypts(sweep_world* w) {
    cliquet_buffer plaintext = {NULL, 0};
    cliquet_status status =
        cliquet_group_decrypt(w->bob.store, w->alice.name, 1, w->message.data, w->message.len, &plaintext);
    cliquet_buffer_free(&plaintext);
    return status;
}

static cliquet_status bob_saves_identity(sweep_world* w) {
    cliquet_buffer key = device_identity_key(&w->bob);
    cliquet_status status = cliquet_store_save_identity(w->bob.store, "carol", 1, key.data, key.len, NULL);
    cliquet_buffer_free(&key);
    return status;
}

static cliquet_status bob_archives(sweep_world* w) { return cliquet_session_archive(w->bob.store, w->alice.name, 1); }

static cliquet_status bob_deletes_all(sweep_world* w) {
    return cliquet_session_delete_all(w->bob.store, w->alice.name, NULL);
}

/* Runs one call of Bob's pre-key manager. */
static cliquet_status with_manager(sweep_world* w,
                                   cliquet_status (*call)(cliquet_pre_key_manager*, cliquet_pre_key_upload**)) {
    cliquet_pre_key_manager* manager = NULL;
    cliquet_pre_key_upload* upload = NULL;
    cliquet_status status = cliquet_pre_key_manager_new(w->bob.store, 2, 1, &manager);
    if (status == CLIQUET_OK) status = call(manager, &upload);
    cliquet_pre_key_upload_free(upload);
    cliquet_pre_key_manager_free(manager);
    return status;
}

static cliquet_status bob_publishes(sweep_world* w) { return with_manager(w, cliquet_pre_key_manager_run_schedule); }

static cliquet_status bob_rotates_signed_pre_key(sweep_world* w) {
    return with_manager(w, cliquet_pre_key_manager_rotate_signed_pre_key);
}

static cliquet_status bob_rotates_last_resort_key(sweep_world* w) {
    return with_manager(w, cliquet_pre_key_manager_rotate_last_resort_kyber_pre_key);
}

static cliquet_status generate_one(cliquet_pre_key_manager* manager, cliquet_pre_key_upload** upload) {
    return cliquet_pre_key_manager_generate_one_time_pre_keys(manager, 1, upload);
}

static cliquet_status generate_one_kyber(cliquet_pre_key_manager* manager, cliquet_pre_key_upload** upload) {
    return cliquet_pre_key_manager_generate_one_time_kyber_pre_keys(manager, 1, upload);
}

static cliquet_status bob_generates_pre_key(sweep_world* w) { return with_manager(w, generate_one); }

static cliquet_status bob_generates_kyber_pre_key(sweep_world* w) { return with_manager(w, generate_one_kyber); }

/* The world of a sweep: Alice in memory, Bob over the application's
 * callbacks. */
static void sweep_world_init(sweep_world* w, int transactional) {
    cliquet_store_callbacks callbacks;
    cliquet_identity* identity = NULL;
    cliquet_store* store = NULL;
    memset(w, 0, sizeof *w);
    w->transactional = transactional;
    app_store_init(&w->records);
    service_init(&w->s);
    device_init(&w->alice, ALICE_UUID, 1);
    callbacks = app_store_callbacks(&w->records, transactional);
    REQUIRE_OK(cliquet_identity_generate(&identity));
    REQUIRE_OK(cliquet_store_new_callbacks(&callbacks, identity, &store));
    device_init_with_store(&w->bob, BOB_UUID, 1, identity, store);
}

static void sweep_world_free(sweep_world* w) {
    cliquet_buffer_free(&w->message);
    device_free(&w->bob);
    device_free(&w->alice);
    service_free(&w->s);
    app_store_free(&w->records);
}

void test_callback_failures(void) {
    sweep_world w;
    long calls = 0;
    sweep_world_init(&w, 1);

    calls += sweep(&w, bob_publishes, "publish pre-keys");
    alice_writes_first(&w);
    calls += sweep(&w, bob_decrypts, "decrypt a pre-key message");
    calls += sweep(&w, bob_encrypts, "encrypt");
    calls += sweep(&w, bob_seals, "seal");
    {
        /* Alice answers, sealed, and Bob opens it. */
        cliquet_buffer certificate = service_certificate(&w.s, &w.alice);
        cliquet_sealed_sender_result* result = NULL;
        REQUIRE_OK(cliquet_sealed_sender_decrypt(w.alice.store, w.message.data, w.message.len,
                                                 w.s.trust_root_public.data, w.s.trust_root_public.len, TEST_NOW_MS,
                                                 w.alice.name, NULL, 1, CLIQUET_PQ_RATCHET_REQUIRE, &result));
        cliquet_sealed_sender_result_free(result);
        cliquet_buffer_free(&w.message);
        REQUIRE_OK(cliquet_sealed_sender_encrypt(w.alice.store, w.bob.name, 1, certificate.data, certificate.len,
                                                 (const uint8_t*)"answer", 6, &w.message));
        cliquet_buffer_free(&certificate);
    }
    calls += sweep(&w, bob_opens, "open a sealed message");
    calls += sweep(&w, bob_makes_sender_key, "create a sender key");
    calls += sweep(&w, bob_group_encrypts, "group encrypt");
    cliquet_buffer_free(&w.message);
    REQUIRE_OK(cliquet_sender_key_distribution_create(w.alice.store, w.alice.name, 1, group, sizeof group, &w.message));
    calls += sweep(&w, bob_processes_alices_sender_key, "process a sender key");
    cliquet_buffer_free(&w.message);
    REQUIRE_OK(
        cliquet_group_encrypt(w.alice.store, w.alice.name, 1, group, sizeof group, (const uint8_t*)"g", 1, &w.message));
    calls += sweep(&w, bob_group_decrypts, "group decrypt");
    calls += sweep(&w, bob_saves_identity, "save an identity");
    calls += sweep(&w, bob_rotates_signed_pre_key, "rotate the signed pre-key");
    calls += sweep(&w, bob_rotates_last_resort_key, "rotate the last-resort Kyber pre-key");
    calls += sweep(&w, bob_generates_pre_key, "generate a one-time pre-key");
    calls += sweep(&w, bob_generates_kyber_pre_key, "generate a one-time Kyber pre-key");
    calls += sweep(&w, bob_archives, "archive a session");
    calls += sweep(&w, bob_deletes_all, "delete sessions");
    CHECK(calls > 50);
    CHECK(w.rollbacks > 0);
    sweep_world_free(&w);
}

/* Without transactions a failure may leave writes behind, but it is still
 * reported as what the callback returned. */
void test_callback_failures_without_transactions(void) {
    sweep_world w;
    long calls = 0;
    sweep_world_init(&w, 0);
    calls += sweep(&w, bob_publishes, "publish pre-keys");
    alice_writes_first(&w);
    calls += sweep(&w, bob_decrypts, "decrypt a pre-key message");
    calls += sweep(&w, bob_encrypts, "encrypt");
    CHECK(calls > 10);
    CHECK(w.records.transactions == 0 && w.rollbacks == 0);
    sweep_world_free(&w);
}
