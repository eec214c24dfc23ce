// Pre-key bundles, uploads and cliquet_pre_key_manager: pre_keys.hpp and
// pre_key_manager.hpp.
#include <cliquet/pre_key_manager.hpp>
#include <cliquet/pre_keys.hpp>

#include <algorithm>

#include "capi/boundary.hpp"
#include "capi/handles.hpp"

using namespace cliquet;
using namespace cliquet::capi;

namespace {

Signature signature_in(const uint8_t* data, size_t len, const char* what) {
    const auto bytes = bytes_in(data, len, what);
    if (bytes.size() != kSignatureSize)
        throw Error(ErrorCode::invalid_argument, std::string(what) + " is not 64 bytes");
    Signature signature;
    std::copy(bytes.begin(), bytes.end(), signature.begin());
    return signature;
}

const PreKeyUpload& upload_in(const cliquet_pre_key_upload* upload) { return require(upload, "upload")->upload; }

// The parts of a public signed key (signed or Kyber pre-key) a caller asked for.
template <typename Key>
void fill_signed_key(const Key& key, uint32_t* id, cliquet_buffer* key_out, cliquet_buffer* signature) {
    const Bytes serialized = key.key.serialize();
    value_out(id, "id") = key.id.value();
    fill(key_out, serialized);
    try {
        fill(signature, key.signature);
    } catch (...) {
        cliquet_buffer_free(key_out);
        throw;
    }
}

// Clears the outputs of an accessor of an optional signed key.
void clear_signed_key_outputs(int* present, uint32_t* id, cliquet_buffer* key, cliquet_buffer* signature) {
    value_out(present, "present") = 0;
    value_out(id, "id") = 0;
    buffer_out(key, "key");
    buffer_out(signature, "signature");
}

cliquet_pre_key_upload* upload_handle(PreKeyUpload upload) {
    return make_handle<cliquet_pre_key_upload>(std::move(upload));
}

// A manager call whose result goes out as an upload: `make` fills it.
template <typename Make>
cliquet_status upload_from(cliquet_pre_key_manager* manager, cliquet_pre_key_upload** upload, Make&& make) {
    return guarded([&] {
        handle_out(upload, "upload");
        PreKeyManager& keys = require(manager, "manager")->manager;
        PreKeyUpload made;
        make(keys, made);
        *upload = upload_handle(std::move(made));
    });
}

}  // namespace

extern "C" {

cliquet_status cliquet_pre_key_bundle_new(uint32_t registration_id, uint32_t device_id, const uint8_t* identity_key,
                                          size_t identity_key_len, uint32_t signed_pre_key_id,
                                          const uint8_t* signed_pre_key, size_t signed_pre_key_len,
                                          const uint8_t* signed_pre_key_signature, size_t signed_pre_key_signature_len,
                                          uint32_t pre_key_id, const uint8_t* pre_key, size_t pre_key_len,
                                          uint32_t kyber_pre_key_id, const uint8_t* kyber_pre_key,
                                          size_t kyber_pre_key_len, const uint8_t* kyber_pre_key_signature,
                                          size_t kyber_pre_key_signature_len, cliquet_pre_key_bundle** bundle) {
    return guarded([&] {
        handle_out(bundle, "bundle");
        PreKeyBundle made{
            .registration_id = registration_id,
            .device_id = device_id,
            .signed_pre_key_id = signed_pre_key_id,
            .signed_pre_key = PublicKey::deserialize(bytes_in(signed_pre_key, signed_pre_key_len, "signed_pre_key")),
            .signed_pre_key_signature =
                signature_in(signed_pre_key_signature, signed_pre_key_signature_len, "signed_pre_key_signature"),
            .identity_key = PublicKey::deserialize(bytes_in(identity_key, identity_key_len, "identity_key")),
        };
        if (pre_key != nullptr) {
            made.pre_key_id = pre_key_id;
            made.pre_key = PublicKey::deserialize(bytes_in(pre_key, pre_key_len, "pre_key"));
        }
        if (kyber_pre_key != nullptr) {
            made.kyber_pre_key_id = kyber_pre_key_id;
            made.kyber_pre_key = KemPublicKey::deserialize(bytes_in(kyber_pre_key, kyber_pre_key_len, "kyber_pre_key"));
            made.kyber_pre_key_signature =
                signature_in(kyber_pre_key_signature, kyber_pre_key_signature_len, "kyber_pre_key_signature");
        }
        *bundle = make_handle<cliquet_pre_key_bundle>(std::move(made));
    });
}

void cliquet_pre_key_bundle_free(cliquet_pre_key_bundle* bundle) { delete bundle; }

cliquet_status cliquet_pre_key_upload_is_empty(const cliquet_pre_key_upload* upload, int* empty) {
    return guarded([&] { value_out(empty, "empty") = upload_in(upload).empty() ? 1 : 0; });
}

cliquet_status cliquet_pre_key_upload_signed_pre_key(const cliquet_pre_key_upload* upload, int* present, uint32_t* id,
                                                     cliquet_buffer* key, cliquet_buffer* signature) {
    return guarded([&] {
        clear_signed_key_outputs(present, id, key, signature);
        const auto& signed_pre_key = upload_in(upload).signed_pre_key;
        if (!signed_pre_key) return;
        fill_signed_key(*signed_pre_key, id, key, signature);
        *present = 1;
    });
}

cliquet_status cliquet_pre_key_upload_last_resort_kyber_pre_key(const cliquet_pre_key_upload* upload, int* present,
                                                                uint32_t* id, cliquet_buffer* key,
                                                                cliquet_buffer* signature) {
    return guarded([&] {
        clear_signed_key_outputs(present, id, key, signature);
        const auto& last_resort = upload_in(upload).last_resort_kyber_pre_key;
        if (!last_resort) return;
        fill_signed_key(*last_resort, id, key, signature);
        *present = 1;
    });
}

cliquet_status cliquet_pre_key_upload_one_time_pre_key_count(const cliquet_pre_key_upload* upload, size_t* count) {
    return guarded([&] { value_out(count, "count") = upload_in(upload).one_time_pre_keys.size(); });
}

cliquet_status cliquet_pre_key_upload_one_time_pre_key(const cliquet_pre_key_upload* upload, size_t index, uint32_t* id,
                                                       cliquet_buffer* key) {
    return guarded([&] {
        buffer_out(key, "key");
        value_out(id, "id") = 0;
        const PublicPreKey& pre_key = element_at(upload_in(upload).one_time_pre_keys, index);
        fill(key, pre_key.key.serialize());
        *id = pre_key.id.value();
    });
}

cliquet_status cliquet_pre_key_upload_one_time_kyber_pre_key_count(const cliquet_pre_key_upload* upload,
                                                                   size_t* count) {
    return guarded([&] { value_out(count, "count") = upload_in(upload).one_time_kyber_pre_keys.size(); });
}

cliquet_status cliquet_pre_key_upload_one_time_kyber_pre_key(const cliquet_pre_key_upload* upload, size_t index,
                                                             uint32_t* id, cliquet_buffer* key,
                                                             cliquet_buffer* signature) {
    return guarded([&] {
        int present = 0;
        clear_signed_key_outputs(&present, id, key, signature);
        fill_signed_key(element_at(upload_in(upload).one_time_kyber_pre_keys, index), id, key, signature);
    });
}

cliquet_status cliquet_pre_key_upload_bundle(const cliquet_pre_key_upload* upload, uint32_t registration_id,
                                             uint32_t device_id, const uint8_t* identity_key, size_t identity_key_len,
                                             cliquet_pre_key_bundle** bundle) {
    return guarded([&] {
        handle_out(bundle, "bundle");
        const PreKeyUpload& keys = upload_in(upload);
        const auto identity = PublicKey::deserialize(bytes_in(identity_key, identity_key_len, "identity_key"));
        if (!keys.signed_pre_key) throw Error(ErrorCode::invalid_argument, "the upload holds no signed pre-key");
        PreKeyBundle made{
            .registration_id = registration_id,
            .device_id = device_id,
            .signed_pre_key_id = keys.signed_pre_key->id,
            .signed_pre_key = keys.signed_pre_key->key,
            .signed_pre_key_signature = keys.signed_pre_key->signature,
            .identity_key = identity,
        };
        if (!keys.one_time_pre_keys.empty()) {
            made.pre_key_id = keys.one_time_pre_keys.front().id;
            made.pre_key = keys.one_time_pre_keys.front().key;
        }
        const PublicKyberPreKey* kyber = nullptr;
        if (!keys.one_time_kyber_pre_keys.empty())
            kyber = &keys.one_time_kyber_pre_keys.front();
        else if (keys.last_resort_kyber_pre_key)
            kyber = &*keys.last_resort_kyber_pre_key;
        if (kyber != nullptr) {
            made.kyber_pre_key_id = kyber->id;
            made.kyber_pre_key = kyber->key;
            made.kyber_pre_key_signature = kyber->signature;
        }
        *bundle = make_handle<cliquet_pre_key_bundle>(std::move(made));
    });
}

void cliquet_pre_key_upload_free(cliquet_pre_key_upload* upload) { delete upload; }

cliquet_status cliquet_pre_key_manager_new(cliquet_store* store, size_t batch_size, size_t replenish_below,
                                           cliquet_pre_key_manager** manager) {
    return guarded([&] {
        handle_out(manager, "manager");
        PreKeySchedule schedule;
        if (batch_size != 0 || replenish_below != 0) {
            if (batch_size == 0) throw Error(ErrorCode::invalid_argument, "a batch of no keys");
            schedule.batch_size = batch_size;
            schedule.replenish_below = replenish_below;
        }
        *manager = new cliquet_pre_key_manager{PreKeyManager(store_in(store), schedule)};
    });
}

void cliquet_pre_key_manager_free(cliquet_pre_key_manager* manager) { delete manager; }

cliquet_status cliquet_pre_key_manager_run_schedule(cliquet_pre_key_manager* manager, cliquet_pre_key_upload** upload) {
    return upload_from(manager, upload, [](PreKeyManager& keys, PreKeyUpload& made) { made = keys.run_schedule(); });
}

cliquet_status cliquet_pre_key_manager_upload_set(cliquet_pre_key_manager* manager, cliquet_pre_key_upload** upload) {
    return upload_from(manager, upload, [](PreKeyManager& keys, PreKeyUpload& made) { made = keys.upload_set(); });
}

cliquet_status cliquet_pre_key_manager_generate_one_time_pre_keys(cliquet_pre_key_manager* manager, size_t count,
                                                                  cliquet_pre_key_upload** upload) {
    return upload_from(manager, upload, [count](PreKeyManager& keys, PreKeyUpload& made) {
        made.one_time_pre_keys = keys.generate_one_time_pre_keys(count);
    });
}

cliquet_status cliquet_pre_key_manager_generate_one_time_kyber_pre_keys(cliquet_pre_key_manager* manager, size_t count,
                                                                        cliquet_pre_key_upload** upload) {
    return upload_from(manager, upload, [count](PreKeyManager& keys, PreKeyUpload& made) {
        made.one_time_kyber_pre_keys = keys.generate_one_time_kyber_pre_keys(count);
    });
}

cliquet_status cliquet_pre_key_manager_rotate_signed_pre_key(cliquet_pre_key_manager* manager,
                                                             cliquet_pre_key_upload** upload) {
    return upload_from(manager, upload, [](PreKeyManager& keys, PreKeyUpload& made) {
        made.signed_pre_key = keys.rotate_signed_pre_key();
    });
}

cliquet_status cliquet_pre_key_manager_rotate_last_resort_kyber_pre_key(cliquet_pre_key_manager* manager,
                                                                        cliquet_pre_key_upload** upload) {
    return upload_from(manager, upload, [](PreKeyManager& keys, PreKeyUpload& made) {
        made.last_resort_kyber_pre_key = keys.rotate_last_resort_kyber_pre_key();
    });
}

cliquet_status cliquet_pre_key_manager_unused_counts(const cliquet_pre_key_manager* manager, size_t* one_time_pre_keys,
                                                     size_t* one_time_kyber_pre_keys) {
    return guarded([&] {
        require(one_time_pre_keys, "one_time_pre_keys");
        require(one_time_kyber_pre_keys, "one_time_kyber_pre_keys");
        const UnusedPreKeyCounts counts = require(manager, "manager")->manager.unused_counts();
        *one_time_pre_keys = counts.one_time_pre_keys;
        *one_time_kyber_pre_keys = counts.one_time_kyber_pre_keys;
    });
}

}  // extern "C"
