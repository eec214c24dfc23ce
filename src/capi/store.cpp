// cliquet_store: the in-memory, SQLite and callback stores (memory_store.hpp,
// sqlite_store.hpp, callback_store.hpp), and the identities they record.
#include <cliquet/memory_store.hpp>
#include <cliquet/sqlite_store.hpp>

#include <algorithm>

#include "capi/boundary.hpp"
#include "capi/callback_store.hpp"
#include "capi/handles.hpp"

using namespace cliquet;
using namespace cliquet::capi;

namespace {

SqliteStoreOptions sqlite_options(const uint8_t* storage_key, size_t storage_key_len) {
    SqliteStoreOptions options;
    const auto key = bytes_in(storage_key, storage_key_len, "storage_key");
    if (storage_key == nullptr) return options;
    if (key.size() != StorageKey::size()) throw Error(ErrorCode::invalid_argument, "a storage key is 32 bytes");
    options.storage_key.emplace(key.first<32>());
    return options;
}

cliquet_store* store_handle(std::unique_ptr<ProtocolStore> store) {
    return make_handle<cliquet_store>(std::move(store));
}

}  // namespace

extern "C" {

cliquet_status cliquet_store_new_memory(const cliquet_identity* identity, cliquet_store** store) {
    return guarded([&] {
        handle_out(store, "store");
        require(identity, "identity");
        *store = store_handle(std::make_unique<MemoryProtocolStore>(identity->key_pair, identity->registration_id));
    });
}

cliquet_status cliquet_store_create_sqlite(const char* path, const char* local_name, uint32_t local_device_id,
                                           const cliquet_identity* identity, const uint8_t* storage_key,
                                           size_t storage_key_len, cliquet_store** store) {
    return guarded([&] {
        handle_out(store, "store");
        const std::string file = text_in(path, "path");
        const LocalDevice device{address_in(local_name, local_device_id, "local_name"),
                                 require(identity, "identity")->key_pair, identity->registration_id};
        *store = store_handle(SqliteStore::create(file, device, sqlite_options(storage_key, storage_key_len)));
    });
}

cliquet_status cliquet_store_open_sqlite(const char* path, const uint8_t* storage_key, size_t storage_key_len,
                                         cliquet_store** store) {
    return guarded([&] {
        handle_out(store, "store");
        const std::string file = text_in(path, "path");
        *store = store_handle(SqliteStore::open(file, sqlite_options(storage_key, storage_key_len)));
    });
}

cliquet_status cliquet_store_new_callbacks(const cliquet_store_callbacks* callbacks, const cliquet_identity* identity,
                                           cliquet_store** store) {
    return guarded([&] {
        handle_out(store, "store");
        require(callbacks, "callbacks");
        require(identity, "identity");
        *store = store_handle(make_callback_store(*callbacks, identity->key_pair, identity->registration_id));
    });
}

void cliquet_store_free(cliquet_store* store) { delete store; }

cliquet_status cliquet_store_local_identity(cliquet_store* store, cliquet_identity** identity) {
    return guarded([&] {
        handle_out(identity, "identity");
        const IdentityKeyStore& identities = store_in(store).identities();
        *identity = make_handle<cliquet_identity>(identities.identity_key_pair(), identities.local_registration_id());
    });
}

cliquet_status cliquet_store_get_identity(cliquet_store* store, const char* name, uint32_t device_id,
                                          cliquet_buffer* key, int* found) {
    return guarded([&] {
        buffer_out(key, "key");
        value_out(found, "found") = 0;
        const auto address = address_in(name, device_id, "name");
        const auto known = store_in(store).identities().identity(address);
        if (!known) return;
        fill(key, known->serialize());
        *found = 1;
    });
}

cliquet_status cliquet_store_save_identity(cliquet_store* store, const char* name, uint32_t device_id,
                                           const uint8_t* key, size_t key_len, cliquet_identity_change* change) {
    return guarded([&] {
        const auto address = address_in(name, device_id, "name");
        const auto identity_key = PublicKey::deserialize(bytes_in(key, key_len, "key"));
        ProtocolStore& protocol_store = store_in(store);
        IdentityChange what = IdentityChange::unchanged;
        protocol_store.run_atomically([&] { what = protocol_store.identities().save_identity(address, identity_key); });
        if (change == nullptr) return;
        switch (what) {
            case IdentityChange::new_identity: *change = CLIQUET_IDENTITY_NEW; break;
            case IdentityChange::unchanged: *change = CLIQUET_IDENTITY_UNCHANGED; break;
            case IdentityChange::replaced: *change = CLIQUET_IDENTITY_REPLACED; break;
        }
    });
}

}  // extern "C"
