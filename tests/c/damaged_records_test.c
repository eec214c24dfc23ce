/* A callback store handing back what the library never wrote (a truncated
 * session, a malformed identity key, foreign metadata, keys of the wrong
 * shape) is refused as CLIQUET_ERR_STORAGE, never misread. */
#include <string.h>

#include "fixtures.h"
#include "tests.h"

static const uint8_t group[CLIQUET_DISTRIBUTION_ID_SIZE] = {0xda, 0x3a};

/* The first entry of `kind`, which must exist. */
static app_entry* first_of(app_store* s, cliquet_record_kind kind) {
    size_t i;
    for (i = 0; i < s->count; ++i)
        if (s->entries[i].kind == (int)kind) return &s->entries[i];
    fprintf(stderr, "no record of kind %d\n", (int)kind);
    exit(1);
}

/* Replaces the value of the first entry of `kind` by `len` bytes of `bytes`,
 * keeping the old one in `saved` for restore(). Entries are found anew each
 * time: a rolled-back transaction replaces the whole table. */
static void damage(app_store* s, cliquet_record_kind kind, const void* bytes, size_t len, app_entry* saved) {
    app_entry* entry = first_of(s, kind);
    *saved = *entry;
    entry->value = malloc(len ? len : 1);
    if (entry->value == NULL) exit(1);
    if (len) memcpy(entry->value, bytes, len);
    entry->value_len = len;
}

static void restore(app_store* s, cliquet_record_kind kind, const app_entry* saved) {
    app_entry* entry = first_of(s, kind);
    free(entry->value);
    entry->value = saved->value;
    entry->value_len = saved->value_len;
}

/* Adds an entry of `kind` under a key of `len` bytes, which the library
 * never makes; drop_last() takes it away. */
static void add_stray(app_store* s, cliquet_record_kind kind, size_t len) {
    app_entry* grown = realloc(s->entries, (s->count + 1) * sizeof *grown);
    if (grown == NULL) exit(1);
    s->entries = grown;
    grown[s->count].kind = (int)kind;
    grown[s->count].key = calloc(len ? len : 1, 1);
    grown[s->count].key_len = len;
    grown[s->count].value = calloc(1, 1);
    grown[s->count].value_len = 0;
    if (grown[s->count].key == NULL || grown[s->count].value == NULL) exit(1);
    ++s->count;
}

static void drop_last(app_store* s) {
    --s->count;
    free(s->entries[s->count].key);
    free(s->entries[s->count].value);
}

static cliquet_status count_unused(device* d) {
    cliquet_pre_key_manager* manager = NULL;
    size_t ec = 0, kyber = 0;
    cliquet_status status = cliquet_pre_key_manager_new(d->store, 1, 1, &manager);
    if (status == CLIQUET_OK) status = cliquet_pre_key_manager_unused_counts(manager, &ec, &kyber);
    cliquet_pre_key_manager_free(manager);
    return status;
}

static cliquet_status run_schedule(device* d) {
    cliquet_pre_key_manager* manager = NULL;
    cliquet_pre_key_upload* upload = NULL;
    cliquet_status status = cliquet_pre_key_manager_new(d->store, 1, 1, &manager);
    if (status == CLIQUET_OK) status = cliquet_pre_key_manager_run_schedule(manager, &upload);
    cliquet_pre_key_upload_free(upload);
    cliquet_pre_key_manager_free(manager);
    return status;
}

void test_damaged_records(void) {
    app_store records;
    cliquet_store_callbacks callbacks;
    cliquet_identity* identity = NULL;
    cliquet_store* store = NULL;
    device alice, bob;
    app_entry saved;
    cliquet_buffer out = {NULL, 0};
    int found = 0;
    const uint8_t garbage[5] = {0xff, 0x00, 0x13, 0x37, 0x42};
    app_store_init(&records);
    callbacks = app_store_callbacks(&records, 1);
    device_init(&alice, "alice", 1);
    REQUIRE_OK(cliquet_identity_generate(&identity));
    REQUIRE_OK(cliquet_store_new_callbacks(&callbacks, identity, &store));
    device_init_with_store(&bob, "bob", 1, identity, store);
    establish_session(&alice, &bob);
    REQUIRE_OK(run_schedule(&bob)); /* a one-time pre-key again, for the one used */
    REQUIRE_OK(cliquet_sender_key_distribution_create(bob.store, "bob", 1, group, sizeof group, &out));
    cliquet_buffer_free(&out);

    /* A session cut short. */
    damage(&records, CLIQUET_RECORD_SESSION, first_of(&records, CLIQUET_RECORD_SESSION)->value, 3, &saved);
    CHECK_STATUS(CLIQUET_ERR_STORAGE, send_text(&bob, &alice, "x"));
    restore(&records, CLIQUET_RECORD_SESSION, &saved);
    CHECK_OK(send_text(&bob, &alice, "whole again"));

    /* An identity key that is not one. */
    damage(&records, CLIQUET_RECORD_IDENTITY, garbage, sizeof garbage, &saved);
    CHECK_STATUS(CLIQUET_ERR_STORAGE, cliquet_store_get_identity(bob.store, "alice", 1, &out, &found));
    CHECK_STATUS(CLIQUET_ERR_STORAGE, send_text(&alice, &bob, "x"));
    restore(&records, CLIQUET_RECORD_IDENTITY, &saved);

    /* Pre-key metadata of another format, a Kyber pre-key of no known kind,
     * a pre-key under a key of three bytes. */
    damage(&records, CLIQUET_RECORD_PRE_KEY_METADATA, garbage, sizeof garbage, &saved);
    CHECK_STATUS(CLIQUET_ERR_STORAGE, run_schedule(&bob));
    restore(&records, CLIQUET_RECORD_PRE_KEY_METADATA, &saved);
    damage(&records, CLIQUET_RECORD_KYBER_PRE_KEY, garbage, sizeof garbage, &saved);
    CHECK_STATUS(CLIQUET_ERR_STORAGE, count_unused(&bob));
    restore(&records, CLIQUET_RECORD_KYBER_PRE_KEY, &saved);
    add_stray(&records, CLIQUET_RECORD_PRE_KEY, 3);
    CHECK_STATUS(CLIQUET_ERR_STORAGE, count_unused(&bob));
    drop_last(&records);
    CHECK_OK(count_unused(&bob));

    /* A session under a key too short to name an address; a sender key that
     * is not one. */
    add_stray(&records, CLIQUET_RECORD_SESSION, 2);
    CHECK_STATUS(CLIQUET_ERR_STORAGE, cliquet_session_delete_all(bob.store, "alice", NULL));
    drop_last(&records);
    damage(&records, CLIQUET_RECORD_SENDER_KEY, garbage, sizeof garbage, &saved);
    CHECK_STATUS(CLIQUET_ERR_STORAGE,
                 cliquet_group_encrypt(bob.store, "bob", 1, group, sizeof group, (const uint8_t*)"x", 1, &out));
    restore(&records, CLIQUET_RECORD_SENDER_KEY, &saved);
    CHECK_OK(cliquet_group_encrypt(bob.store, "bob", 1, group, sizeof group, (const uint8_t*)"x", 1, &out));
    cliquet_buffer_free(&out);
    CHECK_OK(send_text(&alice, &bob, "all is well"));

    device_free(&bob);
    device_free(&alice);
    app_store_free(&records);
}
