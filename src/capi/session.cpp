// Sessions: process_pre_key_bundle and SessionCipher (session.hpp), and the
// session records a store keeps (session_record.hpp).
#include <cliquet/session.hpp>
#include <cliquet/session_record.hpp>

#include "capi/boundary.hpp"
#include "capi/handles.hpp"

using namespace cliquet;
using namespace cliquet::capi;

namespace cliquet::capi {

SessionOptions session_options(cliquet_pq_ratchet_policy policy) {
    SessionOptions options;
    switch (policy) {
        case CLIQUET_PQ_RATCHET_REQUIRE: options.pq_ratchet = PqRatchetPolicy::require; return options;
        case CLIQUET_PQ_RATCHET_OFFER: options.pq_ratchet = PqRatchetPolicy::offer; return options;
    }
    throw Error(ErrorCode::invalid_argument, "an unknown post-quantum ratchet policy");
}

CiphertextType ciphertext_type_in(cliquet_message_type type) {
    switch (type) {
        case CLIQUET_MESSAGE_WHISPER: return CiphertextType::whisper;
        case CLIQUET_MESSAGE_PRE_KEY: return CiphertextType::pre_key;
        case CLIQUET_MESSAGE_SENDER_KEY: return CiphertextType::sender_key;
        case CLIQUET_MESSAGE_PLAINTEXT: return CiphertextType::plaintext;
    }
    throw Error(ErrorCode::invalid_argument, "an unknown message type");
}

}  // namespace cliquet::capi

namespace {

SessionCipher& cipher_in(cliquet_session_cipher* cipher) { return require(cipher, "cipher")->cipher; }

CiphertextType session_message_type(cliquet_message_type type) {
    if (type != CLIQUET_MESSAGE_PRE_KEY && type != CLIQUET_MESSAGE_WHISPER)
        throw Error(ErrorCode::invalid_argument, "a session decrypts pre-key and whisper messages only");
    return ciphertext_type_in(type);
}

}  // namespace

extern "C" {

cliquet_status cliquet_process_pre_key_bundle(cliquet_store* store, const char* name, uint32_t device_id,
                                              const cliquet_pre_key_bundle* bundle, cliquet_pq_ratchet_policy policy) {
    return guarded([&] {
        const auto address = address_in(name, device_id, "name");
        const PreKeyBundle& keys = require(bundle, "bundle")->bundle;
        process_pre_key_bundle(store_in(store), address, keys, system_random(), session_options(policy));
    });
}

cliquet_status cliquet_session_cipher_new(cliquet_store* store, const char* local_name, uint32_t local_device_id,
                                          const char* remote_name, uint32_t remote_device_id,
                                          cliquet_pq_ratchet_policy policy, cliquet_session_cipher** cipher) {
    return guarded([&] {
        handle_out(cipher, "cipher");
        auto local = address_in(local_name, local_device_id, "local_name");
        auto remote = address_in(remote_name, remote_device_id, "remote_name");
        *cipher = new cliquet_session_cipher{
            SessionCipher(store_in(store), std::move(local), std::move(remote), session_options(policy))};
    });
}

void cliquet_session_cipher_free(cliquet_session_cipher* cipher) { delete cipher; }

cliquet_status cliquet_session_cipher_encrypt(cliquet_session_cipher* cipher, const uint8_t* plaintext,
                                              size_t plaintext_len, cliquet_message_type* type,
                                              cliquet_buffer* ciphertext) {
    return guarded([&] {
        buffer_out(ciphertext, "ciphertext");
        require(type, "type");
        const auto bytes = bytes_in(plaintext, plaintext_len, "plaintext");
        const CiphertextMessage message = cipher_in(cipher).encrypt(bytes);
        fill(ciphertext, message.bytes);
        *type = static_cast<cliquet_message_type>(message.type);
    });
}

cliquet_status cliquet_session_cipher_decrypt(cliquet_session_cipher* cipher, cliquet_message_type type,
                                              const uint8_t* ciphertext, size_t ciphertext_len,
                                              cliquet_buffer* plaintext) {
    return guarded([&] {
        buffer_out(plaintext, "plaintext");
        const auto bytes = bytes_in(ciphertext, ciphertext_len, "ciphertext");
        Bytes decrypted = cipher_in(cipher).decrypt(session_message_type(type), bytes);
        fill_and_wipe(plaintext, decrypted);
    });
}

cliquet_status cliquet_session_cipher_decrypt_pre_key_message(cliquet_session_cipher* cipher, const uint8_t* ciphertext,
                                                              size_t ciphertext_len, cliquet_buffer* plaintext) {
    return cliquet_session_cipher_decrypt(cipher, CLIQUET_MESSAGE_PRE_KEY, ciphertext, ciphertext_len, plaintext);
}

cliquet_status cliquet_session_cipher_decrypt_whisper_message(cliquet_session_cipher* cipher, const uint8_t* ciphertext,
                                                              size_t ciphertext_len, cliquet_buffer* plaintext) {
    return cliquet_session_cipher_decrypt(cipher, CLIQUET_MESSAGE_WHISPER, ciphertext, ciphertext_len, plaintext);
}

cliquet_status cliquet_session_version(cliquet_store* store, const char* name, uint32_t device_id, int* version) {
    return guarded([&] {
        value_out(version, "version") = 0;
        const auto address = address_in(name, device_id, "name");
        const auto record = store_in(store).sessions().load_session(address);
        if (record) *version = record->session_version().value_or(0);
    });
}

cliquet_status cliquet_session_archive(cliquet_store* store, const char* name, uint32_t device_id) {
    return guarded([&] {
        const auto address = address_in(name, device_id, "name");
        ProtocolStore& protocol_store = store_in(store);
        auto record = protocol_store.sessions().load_session(address);
        if (!record || !record->has_current_state()) return;
        record->archive_current_state();
        protocol_store.run_atomically([&] { protocol_store.sessions().store_session(address, std::move(*record)); });
    });
}

cliquet_status cliquet_session_delete(cliquet_store* store, const char* name, uint32_t device_id) {
    return guarded([&] {
        const auto address = address_in(name, device_id, "name");
        ProtocolStore& protocol_store = store_in(store);
        protocol_store.run_atomically([&] { protocol_store.sessions().delete_session(address); });
    });
}

cliquet_status cliquet_session_delete_all(cliquet_store* store, const char* name, size_t* deleted) {
    return guarded([&] {
        if (deleted != nullptr) *deleted = 0;
        const std::string account = text_in(name, "name");
        ProtocolStore& protocol_store = store_in(store);
        std::size_t count = 0;
        protocol_store.run_atomically([&] { count = protocol_store.sessions().delete_all_sessions(account); });
        if (deleted != nullptr) *deleted = count;
    });
}

}  // extern "C"
