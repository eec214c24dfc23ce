// Sender keys (groups): sender_keys.hpp.
#include <cliquet/sender_keys.hpp>

#include <algorithm>

#include "capi/boundary.hpp"
#include "capi/handles.hpp"

using namespace cliquet;
using namespace cliquet::capi;

namespace {

DistributionId distribution_id_in(const uint8_t* data, size_t len) {
    const auto bytes = bytes_in(data, len, "distribution_id");
    if (bytes.size() != CLIQUET_DISTRIBUTION_ID_SIZE)
        throw Error(ErrorCode::invalid_argument, "a distribution id is 16 bytes");
    DistributionId id;
    std::copy(bytes.begin(), bytes.end(), id.begin());
    return id;
}

}  // namespace

extern "C" {

cliquet_status cliquet_sender_key_distribution_create(cliquet_store* store, const char* sender_name,
                                                      uint32_t sender_device_id, const uint8_t* distribution_id,
                                                      size_t distribution_id_len, cliquet_buffer* message) {
    return guarded([&] {
        buffer_out(message, "message");
        const auto sender = address_in(sender_name, sender_device_id, "sender_name");
        const auto id = distribution_id_in(distribution_id, distribution_id_len);
        ProtocolStore& protocol_store = store_in(store);
        std::optional<SenderKeyDistributionMessage> made;
        protocol_store.run_atomically(
            [&] { made.emplace(create_sender_key_distribution_message(protocol_store.sender_keys(), sender, id)); });
        fill(message, made->serialize().span());
    });
}

cliquet_status cliquet_sender_key_distribution_process(cliquet_store* store, const char* sender_name,
                                                       uint32_t sender_device_id, const uint8_t* message,
                                                       size_t message_len) {
    return guarded([&] {
        ProtocolStore& protocol_store = store_in(store);
        const auto sender = address_in(sender_name, sender_device_id, "sender_name");
        const auto parsed = SenderKeyDistributionMessage::deserialize(bytes_in(message, message_len, "message"));
        protocol_store.run_atomically(
            [&] { process_sender_key_distribution_message(protocol_store.sender_keys(), sender, parsed); });
    });
}

cliquet_status cliquet_group_encrypt(cliquet_store* store, const char* sender_name, uint32_t sender_device_id,
                                     const uint8_t* distribution_id, size_t distribution_id_len,
                                     const uint8_t* plaintext, size_t plaintext_len, cliquet_buffer* ciphertext) {
    return guarded([&] {
        buffer_out(ciphertext, "ciphertext");
        const auto sender = address_in(sender_name, sender_device_id, "sender_name");
        const auto id = distribution_id_in(distribution_id, distribution_id_len);
        const auto bytes = bytes_in(plaintext, plaintext_len, "plaintext");
        ProtocolStore& protocol_store = store_in(store);
        std::optional<SenderKeyMessage> message;
        protocol_store.run_atomically(
            [&] { message.emplace(group_encrypt(protocol_store.sender_keys(), sender, id, bytes)); });
        fill(ciphertext, message->serialize());
    });
}

cliquet_status cliquet_group_decrypt(cliquet_store* store, const char* sender_name, uint32_t sender_device_id,
                                     const uint8_t* ciphertext, size_t ciphertext_len, cliquet_buffer* plaintext) {
    return guarded([&] {
        buffer_out(plaintext, "plaintext");
        const auto sender = address_in(sender_name, sender_device_id, "sender_name");
        const auto bytes = bytes_in(ciphertext, ciphertext_len, "ciphertext");
        ProtocolStore& protocol_store = store_in(store);
        Bytes decrypted;
        protocol_store.run_atomically([&] { decrypted = group_decrypt(protocol_store.sender_keys(), sender, bytes); });
        fill_and_wipe(plaintext, decrypted);
    });
}

}  // extern "C"
