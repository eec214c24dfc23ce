/* Stores through the C API: SQLite across a restart, the application's own
 * callbacks, the identities a store records, and the sessions it holds. */
/* mkdtemp and unlink are POSIX, beside C99. */
#define _POSIX_C_SOURCE 200809L

#include <string.h>
#include <unistd.h>

#include "fixtures.h"
#include "tests.h"

/* The scratch directory of the SQLite test, made on first use. */
static char directory[64] = "";

/* A fresh path in the scratch directory. */
static void scratch_path(char* path, size_t size, const char* file) {
    if (directory[0] == '\0') {
        strcpy(directory, "/tmp/cliquet-c-tests-XXXXXX");
        if (mkdtemp(directory) == NULL) {
            perror("mkdtemp");
            exit(1);
        }
    }
    snprintf(path, size, "%s/%s", directory, file);
    unlink(path);
}

void test_sqlite_store(void) {
    char path[128];
    uint8_t storage_key[32];
    device alice, bob;
    cliquet_identity* identity = NULL;
    cliquet_store *store = NULL, *again = NULL;
    cliquet_buffer key = {NULL, 0}, reopened_key = {NULL, 0};
    int version = 0;
    memset(storage_key, 0x5a, sizeof storage_key);
    scratch_path(path, sizeof path, "bob.db");
    device_init(&alice, "alice", 1);
    REQUIRE_OK(cliquet_identity_generate(&identity));
    REQUIRE_OK(cliquet_store_create_sqlite(path, "bob", 1, identity, storage_key, sizeof storage_key, &store));
    device_init_with_store(&bob, "bob", 1, identity, store);
    /* Creating never overwrites. */
    CHECK_STATUS(CLIQUET_ERR_STORAGE,
                 cliquet_store_create_sqlite(path, "bob", 1, identity, storage_key, sizeof storage_key, &again));
    CHECK(again == NULL);
    establish_session(&alice, &bob);
    /* Open elsewhere while open: refused. */
    CHECK_STATUS(CLIQUET_ERR_STORAGE, cliquet_store_open_sqlite(path, storage_key, sizeof storage_key, &again));
    /* Restart: close, reopen, and the session goes on. */
    cliquet_store_free(bob.store);
    bob.store = NULL;
    CHECK_STATUS(CLIQUET_ERR_STORAGE, cliquet_store_open_sqlite(path, NULL, 0, &again));
    storage_key[0] ^= 1;
    CHECK_STATUS(CLIQUET_ERR_STORAGE, cliquet_store_open_sqlite(path, storage_key, sizeof storage_key, &again));
    storage_key[0] ^= 1;
    CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT, cliquet_store_open_sqlite(path, storage_key, 31, &again));
    REQUIRE_OK(cliquet_store_open_sqlite(path, storage_key, sizeof storage_key, &bob.store));
    CHECK_OK(cliquet_session_version(bob.store, alice.name, 1, &version));
    CHECK(version == 4);
    CHECK_OK(send_text(&alice, &bob, "after the restart"));
    CHECK_OK(send_text(&bob, &alice, "welcome back"));
    /* The store knows whose it is. */
    {
        cliquet_identity* local = NULL;
        REQUIRE_OK(cliquet_store_local_identity(bob.store, &local));
        REQUIRE_OK(cliquet_identity_public_key(local, &reopened_key));
        REQUIRE_OK(cliquet_identity_public_key(identity, &key));
        CHECK(buffer_equals(&reopened_key, key.data, key.len));
        cliquet_identity_free(local);
    }
    CHECK_STATUS(CLIQUET_ERR_STORAGE, cliquet_store_open_sqlite("/nonexistent/dir/x.db", NULL, 0, &again));
    /* Without a storage key: created, closed, opened. */
    scratch_path(path, sizeof path, "plain.db");
    REQUIRE_OK(cliquet_store_create_sqlite(path, "plain", 7, identity, NULL, 0, &again));
    cliquet_store_free(again);
    again = NULL;
    CHECK_STATUS(CLIQUET_ERR_STORAGE, cliquet_store_open_sqlite(path, storage_key, sizeof storage_key, &again));
    CHECK_OK(cliquet_store_open_sqlite(path, NULL, 0, &again));
    cliquet_store_free(again);
    unlink(path);
    snprintf(path, sizeof path, "%s/bob.db", directory);
    cliquet_buffer_free(&key);
    cliquet_buffer_free(&reopened_key);
    device_free(&bob);
    device_free(&alice);
    unlink(path);
    CHECK(rmdir(directory) == 0);
}

void test_callback_store(void) {
    app_store records;
    cliquet_store_callbacks callbacks;
    device alice, bob;
    cliquet_identity* identity = NULL;
    cliquet_store* store = NULL;
    int version = 0;
    app_store_init(&records);
    callbacks = app_store_callbacks(&records, 1);
    device_init(&alice, ALICE_UUID, 1);
    REQUIRE_OK(cliquet_identity_generate(&identity));
    REQUIRE_OK(cliquet_store_new_callbacks(&callbacks, identity, &store));
    device_init_with_store(&bob, BOB_UUID, 1, identity, store);
    /* Bob's store is the application's: pre-keys, sessions and the
     * identities he has seen all live in its table. */
    establish_session(&alice, &bob);
    establish_session(&bob, &alice); /* a second session, which archives the first */
    CHECK(records.count > 0 && records.transactions > 0 && records.rollbacks == 0);
    CHECK_OK(cliquet_session_version(bob.store, alice.name, 1, &version));
    CHECK(version == 4);
    CHECK_OK(send_text(&alice, &bob, "through callbacks"));
    /* Incomplete callbacks are refused. */
    {
        cliquet_store* refused = NULL;
        cliquet_store_callbacks partial = callbacks;
        partial.commit = NULL;
        CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT, cliquet_store_new_callbacks(&partial, identity, &refused));
        partial = callbacks;
        partial.list = NULL;
        CHECK_STATUS(CLIQUET_ERR_INVALID_ARGUMENT, cliquet_store_new_callbacks(&partial, identity, &refused));
        CHECK(refused == NULL);
    }
    device_free(&bob);
    device_free(&alice);
    app_store_free(&records);
}

void test_identities_in_store(void) {
    device alice, bob, mallory;
    cliquet_buffer key = {NULL, 0}, bob_key, mallory_key;
    cliquet_identity_change change = CLIQUET_IDENTITY_REPLACED;
    cliquet_pre_key_bundle* bundle;
    int found = -1;
    device_init(&alice, "alice", 1);
    device_init(&bob, "bob", 1);
    device_init(&mallory, "bob", 1); /* another identity under Bob's address */
    bob_key = device_identity_key(&bob);
    mallory_key = device_identity_key(&mallory);
    CHECK_OK(cliquet_store_get_identity(alice.store, "bob", 1, &key, &found));
    CHECK(found == 0 && key.data == NULL);
    establish_session(&alice, &bob);
    CHECK_OK(cliquet_store_get_identity(alice.store, "bob", 1, &key, &found));
    CHECK(found == 1 && buffer_equals(&key, bob_key.data, bob_key.len));
    cliquet_buffer_free(&key);
    /* A bundle under Bob's address with another identity is refused... */
    bundle = device_bundle(&mallory, 1);
    CHECK_STATUS(CLIQUET_ERR_UNTRUSTED_IDENTITY,
                 cliquet_process_pre_key_bundle(alice.store, "bob", 1, bundle, CLIQUET_PQ_RATCHET_REQUIRE));
    /* ...and so is a message from it. */
    {
        cliquet_pre_key_bundle* alice_bundle = device_bundle(&alice, 1);
        REQUIRE_OK(cliquet_process_pre_key_bundle(mallory.store, "alice", 1, alice_bundle, CLIQUET_PQ_RATCHET_REQUIRE));
        cliquet_pre_key_bundle_free(alice_bundle);
    }
    CHECK_STATUS(CLIQUET_ERR_UNTRUSTED_IDENTITY, send_text(&mallory, &alice, "it is me, Bob"));
    /* Until the user accepts the new key. */
    CHECK_OK(cliquet_store_save_identity(alice.store, "bob", 1, mallory_key.data, mallory_key.len, &change));
    CHECK(change == CLIQUET_IDENTITY_REPLACED);
    CHECK_OK(cliquet_store_save_identity(alice.store, "bob", 1, mallory_key.data, mallory_key.len, &change));
    CHECK(change == CLIQUET_IDENTITY_UNCHANGED);
    CHECK_OK(cliquet_store_save_identity(alice.store, "bob", 2, mallory_key.data, mallory_key.len, NULL));
    CHECK_OK(cliquet_store_save_identity(alice.store, "bob", 3, mallory_key.data, mallory_key.len, &change));
    CHECK(change == CLIQUET_IDENTITY_NEW);
    CHECK_OK(cliquet_process_pre_key_bundle(alice.store, "bob", 1, bundle, CLIQUET_PQ_RATCHET_REQUIRE));
    CHECK_STATUS(CLIQUET_ERR_INVALID_KEY,
                 cliquet_store_save_identity(alice.store, "bob", 1, mallory_key.data, 32, &change));
    cliquet_pre_key_bundle_free(bundle);
    cliquet_buffer_free(&bob_key);
    cliquet_buffer_free(&mallory_key);
    device_free(&alice);
    device_free(&bob);
    device_free(&mallory);
}

void test_session_lifecycle(void) {
    device alice, bob, bob2;
    size_t deleted = 99;
    int version = -1;
    device_init(&alice, "alice", 1);
    device_init(&bob, "bob", 1);
    device_init(&bob2, "bob", 2);
    establish_session(&alice, &bob);
    establish_session(&alice, &bob2);
    /* Archived: no current session, yet a late message of the archived
     * state still decrypts. */
    CHECK_OK(cliquet_session_archive(alice.store, "bob", 1));
    CHECK_OK(cliquet_session_version(alice.store, "bob", 1, &version));
    CHECK(version == 0);
    CHECK_STATUS(CLIQUET_ERR_NO_SESSION, send_text(&alice, &bob, "x"));
    CHECK_OK(send_text(&bob, &alice, "late but fine"));
    CHECK_OK(cliquet_session_archive(alice.store, "nobody", 1));
    CHECK_OK(cliquet_session_delete(alice.store, "bob", 1));
    CHECK_OK(cliquet_session_delete(alice.store, "bob", 1));
    CHECK_STATUS(CLIQUET_ERR_NO_SESSION, send_text(&bob, &alice, "gone"));
    CHECK_OK(cliquet_session_delete_all(alice.store, "bob", &deleted));
    CHECK(deleted == 1);
    CHECK_OK(cliquet_session_delete_all(alice.store, "bob", NULL));
    CHECK_OK(cliquet_session_version(alice.store, "bob", 2, &version));
    CHECK(version == 0);
    device_free(&alice);
    device_free(&bob);
    device_free(&bob2);
}
