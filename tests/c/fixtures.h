/* Devices, certificates and an application's own store, shared by the C
 * API's tests. */
#ifndef CLIQUET_C_FIXTURES_H
#define CLIQUET_C_FIXTURES_H

#include <cliquet.h>

#include "harness.h"

/* Service ids (ACIs), as sealed sender names accounts. */
#define ALICE_UUID "9d0652a3-dcc3-4d11-975f-74d61598733f"
#define BOB_UUID "796abedb-ca4e-4f18-8803-1fde5b921f9f"
#define CAROL_UUID "e80f7bbe-5b94-471e-bd8c-2173654ea3d1"

/* One device: its address, identity and store. */
typedef struct device {
    const char* name;
    uint32_t device_id;
    cliquet_identity* identity;
    cliquet_store* store;
} device;

/* A device with an in-memory store. */
void device_init(device* d, const char* name, uint32_t device_id);
/* A device over a store already made (which it then owns). */
void device_init_with_store(device* d, const char* name, uint32_t device_id, cliquet_identity* identity,
                            cliquet_store* store);
void device_free(device* d);
/* The device's public identity key, in a buffer the caller frees. */
cliquet_buffer device_identity_key(const device* d);
/* A bundle of the device as its server would serve it: its pre-key manager's
 * current keys (one-time keys made in batches of one). Without Kyber when
 * `with_kyber` is 0. */
cliquet_pre_key_bundle* device_bundle(device* d, int with_kyber);

/* `from` starts a session with `to` from `to`'s bundle, sends one message
 * and `to` answers it: a session both sides have used. */
void establish_session(device* from, device* to);
/* Encrypts `text` from `from` to `to` and decrypts it there, checking it
 * arrives whole; returns the status of the encryption if it failed, else
 * that of the decryption. */
cliquet_status send_text(device* from, device* to, const char* text);

/* The sealed sender chain of a test service: trust root, server key, the
 * server certificate, and a sender certificate per device on demand. */
typedef struct service {
    cliquet_buffer trust_root_public;
    cliquet_buffer trust_root_private;
    cliquet_buffer server_public;
    cliquet_buffer server_private;
    cliquet_buffer server_certificate;
} service;

/* Milliseconds since the epoch at which the tests' certificates are checked,
 * and when they expire. */
#define TEST_NOW_MS ((uint64_t)1700000000000ULL)
#define TEST_EXPIRATION_MS ((uint64_t)1800000000000ULL)

void service_init(service* s);
void service_free(service* s);
/* A sender certificate for `d` (its name must be a UUID). */
cliquet_buffer service_certificate(const service* s, const device* d);

/* ---- An application's own store, as cliquet_store_callbacks -------------- */

/* A table of (kind, key, value) entries with transactions, which fails on
 * demand: the call numbered `fail_at` (counting every callback from 1)
 * returns `fail_status`. */
typedef struct app_entry {
    int kind;
    unsigned char* key;
    size_t key_len;
    unsigned char* value;
    size_t value_len;
} app_entry;

typedef struct app_store {
    app_entry* entries;
    size_t count;
    app_entry* saved; /* the table at begin */
    size_t saved_count;
    int in_transaction;
    long calls;
    long fail_at;
    cliquet_status fail_status;
    long transactions; /* begun */
    long rollbacks;
} app_store;

void app_store_init(app_store* s);
void app_store_free(app_store* s);
/* The callbacks over `s`, with or without transactions. */
cliquet_store_callbacks app_store_callbacks(app_store* s, int transactional);
/* Whether two tables hold the same entries in the same order. */
int app_store_equal(const app_store* a, const app_store* b);
/* A deep copy of `from`'s table into `to` (initialised). */
void app_store_copy(app_store* to, const app_store* from);

#endif
