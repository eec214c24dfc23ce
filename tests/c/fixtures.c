/* Devices, certificates and an application's own store for the C API's tests. */
#include "fixtures.h"

#include <string.h>

int harness_checks = 0;
int harness_failures = 0;

int buffer_equals(const cliquet_buffer* buffer, const void* bytes, size_t len) {
    return buffer->len == len && (len == 0 || memcmp(buffer->data, bytes, len) == 0);
}

int buffer_is_text(const cliquet_buffer* buffer, const char* text) {
    return buffer_equals(buffer, text, strlen(text)) && buffer->data[buffer->len] == '\0';
}

void device_init(device* d, const char* name, uint32_t device_id) {
    cliquet_identity* identity = NULL;
    cliquet_store* store = NULL;
    REQUIRE_OK(cliquet_identity_generate(&identity));
    REQUIRE_OK(cliquet_store_new_memory(identity, &store));
    device_init_with_store(d, name, device_id, identity, store);
}

void device_init_with_store(device* d, const char* name, uint32_t device_id, cliquet_identity* identity,
                            cliquet_store* store) {
    d->name = name;
    d->device_id = device_id;
    d->identity = identity;
    d->store = store;
}

void device_free(device* d) {
    cliquet_store_free(d->store);
    cliquet_identity_free(d->identity);
    d->store = NULL;
    d->identity = NULL;
}

cliquet_buffer device_identity_key(const device* d) {
    cliquet_buffer key = {NULL, 0};
    REQUIRE_OK(cliquet_identity_public_key(d->identity, &key));
    return key;
}

cliquet_pre_key_bundle* device_bundle(device* d, int with_kyber) {
    cliquet_pre_key_manager* manager = NULL;
    cliquet_pre_key_upload* fresh = NULL;
    cliquet_pre_key_upload* published = NULL;
    cliquet_pre_key_bundle* bundle = NULL;
    cliquet_buffer identity_key = device_identity_key(d);
    uint32_t registration_id = 0;
    REQUIRE_OK(cliquet_identity_registration_id(d->identity, &registration_id));
    REQUIRE_OK(cliquet_pre_key_manager_new(d->store, 1, 1, &manager));
    REQUIRE_OK(cliquet_pre_key_manager_run_schedule(manager, &fresh));
    REQUIRE_OK(cliquet_pre_key_manager_upload_set(manager, &published));
    if (with_kyber) {
        REQUIRE_OK(cliquet_pre_key_upload_bundle(published, registration_id, d->device_id, identity_key.data,
                                                 identity_key.len, &bundle));
    } else {
        /* What an old server without Kyber pre-keys would serve. */
        int present = 0;
        uint32_t signed_id = 0, pre_key_id = 0;
        cliquet_buffer signed_key = {NULL, 0}, signature = {NULL, 0}, pre_key = {NULL, 0};
        REQUIRE_OK(cliquet_pre_key_upload_signed_pre_key(published, &present, &signed_id, &signed_key, &signature));
        REQUIRE_OK(cliquet_pre_key_upload_one_time_pre_key(published, 0, &pre_key_id, &pre_key));
        REQUIRE_OK(cliquet_pre_key_bundle_new(registration_id, d->device_id, identity_key.data, identity_key.len,
                                              signed_id, signed_key.data, signed_key.len, signature.data, signature.len,
                                              pre_key_id, pre_key.data, pre_key.len, 0, NULL, 0, NULL, 0, &bundle));
        cliquet_buffer_free(&signed_key);
        cliquet_buffer_free(&signature);
        cliquet_buffer_free(&pre_key);
    }
    cliquet_buffer_free(&identity_key);
    cliquet_pre_key_upload_free(published);
    cliquet_pre_key_upload_free(fresh);
    cliquet_pre_key_manager_free(manager);
    return bundle;
}

cliquet_status send_text(device* from, device* to, const char* text) {
    cliquet_session_cipher* sending = NULL;
    cliquet_session_cipher* receiving = NULL;
    cliquet_buffer ciphertext = {NULL, 0}, plaintext = {NULL, 0};
    cliquet_message_type type = CLIQUET_MESSAGE_PLAINTEXT;
    cliquet_status status;
    REQUIRE_OK(cliquet_session_cipher_new(from->store, from->name, from->device_id, to->name, to->device_id,
                                          CLIQUET_PQ_RATCHET_REQUIRE, &sending));
    REQUIRE_OK(cliquet_session_cipher_new(to->store, to->name, to->device_id, from->name, from->device_id,
                                          CLIQUET_PQ_RATCHET_REQUIRE, &receiving));
    status = cliquet_session_cipher_encrypt(sending, (const uint8_t*)text, strlen(text), &type, &ciphertext);
    if (status == CLIQUET_OK)
        status = cliquet_session_cipher_decrypt(receiving, type, ciphertext.data, ciphertext.len, &plaintext);
    if (status == CLIQUET_OK) CHECK(buffer_equals(&plaintext, text, strlen(text)));
    cliquet_buffer_free(&plaintext);
    cliquet_buffer_free(&ciphertext);
    cliquet_session_cipher_free(receiving);
    cliquet_session_cipher_free(sending);
    return status;
}

void establish_session(device* from, device* to) {
    cliquet_pre_key_bundle* bundle = device_bundle(to, 1);
    REQUIRE_OK(
        cliquet_process_pre_key_bundle(from->store, to->name, to->device_id, bundle, CLIQUET_PQ_RATCHET_REQUIRE));
    cliquet_pre_key_bundle_free(bundle);
    REQUIRE_OK(send_text(from, to, "hello"));
    REQUIRE_OK(send_text(to, from, "hello back"));
}

void service_init(service* s) {
    cliquet_buffer empty = {NULL, 0};
    s->trust_root_public = s->trust_root_private = s->server_public = s->server_private = s->server_certificate = empty;
    REQUIRE_OK(cliquet_key_pair_generate(&s->trust_root_public, &s->trust_root_private));
    REQUIRE_OK(cliquet_key_pair_generate(&s->server_public, &s->server_private));
    REQUIRE_OK(cliquet_server_certificate_create(1, s->server_public.data, s->server_public.len,
                                                 s->trust_root_private.data, s->trust_root_private.len,
                                                 &s->server_certificate));
}

void service_free(service* s) {
    cliquet_buffer_free(&s->trust_root_public);
    cliquet_buffer_free(&s->trust_root_private);
    cliquet_buffer_free(&s->server_public);
    cliquet_buffer_free(&s->server_private);
    cliquet_buffer_free(&s->server_certificate);
}

cliquet_buffer service_certificate(const service* s, const device* d) {
    cliquet_buffer certificate = {NULL, 0};
    cliquet_buffer identity_key = device_identity_key(d);
    REQUIRE_OK(cliquet_sender_certificate_create(d->name, NULL, d->device_id, identity_key.data, identity_key.len,
                                                 TEST_EXPIRATION_MS, s->server_certificate.data,
                                                 s->server_certificate.len, s->server_private.data,
                                                 s->server_private.len, &certificate));
    cliquet_buffer_free(&identity_key);
    return certificate;
}

/* ---- The application's store ---------------------------------------------- */

static unsigned char* copy_bytes(const unsigned char* bytes, size_t len) {
    unsigned char* copy = malloc(len ? len : 1);
    if (copy == NULL) {
        fprintf(stderr, "out of memory in the test store\n");
        exit(1);
    }
    if (len) memcpy(copy, bytes, len);
    return copy;
}

static void free_entries(app_entry* entries, size_t count) {
    size_t i;
    for (i = 0; i < count; ++i) {
        free(entries[i].key);
        free(entries[i].value);
    }
    free(entries);
}

static app_entry* copy_entries(const app_entry* entries, size_t count) {
    app_entry* copy = malloc((count ? count : 1) * sizeof *copy);
    size_t i;
    if (copy == NULL) exit(1);
    for (i = 0; i < count; ++i) {
        copy[i].kind = entries[i].kind;
        copy[i].key = copy_bytes(entries[i].key, entries[i].key_len);
        copy[i].key_len = entries[i].key_len;
        copy[i].value = copy_bytes(entries[i].value, entries[i].value_len);
        copy[i].value_len = entries[i].value_len;
    }
    return copy;
}

void app_store_init(app_store* s) { memset(s, 0, sizeof *s); }

void app_store_free(app_store* s) {
    free_entries(s->entries, s->count);
    free_entries(s->saved, s->saved_count);
    app_store_init(s);
}

void app_store_copy(app_store* to, const app_store* from) {
    to->entries = copy_entries(from->entries, from->count);
    to->count = from->count;
}

int app_store_equal(const app_store* a, const app_store* b) {
    size_t i;
    if (a->count != b->count) return 0;
    for (i = 0; i < a->count; ++i) {
        const app_entry* x = &a->entries[i];
        const app_entry* y = &b->entries[i];
        if (x->kind != y->kind || x->key_len != y->key_len || x->value_len != y->value_len) return 0;
        if (memcmp(x->key, y->key, x->key_len) != 0 || memcmp(x->value, y->value, x->value_len) != 0) return 0;
    }
    return 1;
}

/* Counts the call; returns the failure to inject, or CLIQUET_OK. */
static cliquet_status next_call(app_store* s) {
    ++s->calls;
    return s->calls == s->fail_at ? s->fail_status : CLIQUET_OK;
}

static app_entry* find(app_store* s, int kind, const uint8_t* key, size_t key_len) {
    size_t i;
    for (i = 0; i < s->count; ++i)
        if (s->entries[i].kind == kind && s->entries[i].key_len == key_len &&
            memcmp(s->entries[i].key, key, key_len) == 0)
            return &s->entries[i];
    return NULL;
}

static cliquet_status app_get(void* context, cliquet_record_kind kind, const uint8_t* key, size_t key_len,
                              cliquet_buffer* value, int* found) {
    app_store* s = context;
    const app_entry* entry;
    cliquet_status status = next_call(s);
    if (status != CLIQUET_OK) return status;
    entry = find(s, (int)kind, key, key_len);
    *found = entry != NULL;
    return entry ? cliquet_buffer_set(value, entry->value, entry->value_len) : CLIQUET_OK;
}

static cliquet_status app_put(void* context, cliquet_record_kind kind, const uint8_t* key, size_t key_len,
                              const uint8_t* value, size_t value_len) {
    app_store* s = context;
    app_entry* entry;
    cliquet_status status = next_call(s);
    if (status != CLIQUET_OK) return status;
    entry = find(s, (int)kind, key, key_len);
    if (entry == NULL) {
        app_entry* grown = realloc(s->entries, (s->count + 1) * sizeof *grown);
        if (grown == NULL) return CLIQUET_ERR_NO_MEMORY;
        s->entries = grown;
        entry = &s->entries[s->count++];
        entry->kind = (int)kind;
        entry->key = copy_bytes(key, key_len);
        entry->key_len = key_len;
    } else {
        free(entry->value);
    }
    entry->value = copy_bytes(value, value_len);
    entry->value_len = value_len;
    return CLIQUET_OK;
}

static cliquet_status app_remove(void* context, cliquet_record_kind kind, const uint8_t* key, size_t key_len) {
    app_store* s = context;
    app_entry* entry;
    cliquet_status status = next_call(s);
    if (status != CLIQUET_OK) return status;
    entry = find(s, (int)kind, key, key_len);
    if (entry != NULL) {
        size_t index = (size_t)(entry - s->entries);
        free(entry->key);
        free(entry->value);
        memmove(entry, entry + 1, (s->count - index - 1) * sizeof *entry);
        --s->count;
    }
    return CLIQUET_OK;
}

static cliquet_status app_list(void* context, cliquet_record_kind kind, cliquet_key_list* keys) {
    app_store* s = context;
    size_t i;
    cliquet_status status = next_call(s);
    if (status != CLIQUET_OK) return status;
    for (i = 0; i < s->count; ++i) {
        if (s->entries[i].kind != (int)kind) continue;
        status = cliquet_key_list_add(keys, s->entries[i].key, s->entries[i].key_len);
        if (status != CLIQUET_OK) return status;
    }
    return CLIQUET_OK;
}

static cliquet_status app_begin(void* context) {
    app_store* s = context;
    cliquet_status status = next_call(s);
    if (status != CLIQUET_OK) return status;
    if (s->in_transaction) return CLIQUET_ERR_STORAGE; /* transactions do not nest */
    s->saved = copy_entries(s->entries, s->count);
    s->saved_count = s->count;
    s->in_transaction = 1;
    ++s->transactions;
    return CLIQUET_OK;
}

static cliquet_status app_commit(void* context) {
    app_store* s = context;
    cliquet_status status = next_call(s);
    if (status != CLIQUET_OK) return status;
    if (!s->in_transaction) return CLIQUET_ERR_STORAGE;
    free_entries(s->saved, s->saved_count);
    s->saved = NULL;
    s->saved_count = 0;
    s->in_transaction = 0;
    return CLIQUET_OK;
}

static cliquet_status app_rollback(void* context) {
    app_store* s = context;
    ++s->calls; /* a rollback must work: it is not made to fail */
    ++s->rollbacks;
    if (!s->in_transaction) return CLIQUET_ERR_STORAGE;
    free_entries(s->entries, s->count);
    s->entries = s->saved;
    s->count = s->saved_count;
    s->saved = NULL;
    s->saved_count = 0;
    s->in_transaction = 0;
    return CLIQUET_OK;
}

cliquet_store_callbacks app_store_callbacks(app_store* s, int transactional) {
    cliquet_store_callbacks callbacks;
    memset(&callbacks, 0, sizeof callbacks);
    callbacks.context = s;
    callbacks.get = app_get;
    callbacks.put = app_put;
    callbacks.remove = app_remove;
    callbacks.list = app_list;
    if (transactional) {
        callbacks.begin = app_begin;
        callbacks.commit = app_commit;
        callbacks.rollback = app_rollback;
    }
    return callbacks;
}
