// Retry requests: decryption_error.hpp.
#include <cliquet/decryption_error.hpp>

#include "capi/boundary.hpp"
#include "capi/handles.hpp"

using namespace cliquet;
using namespace cliquet::capi;

namespace {

cliquet_retry_action action_of(RetryAction action) {
    switch (action) {
        case RetryAction::not_for_this_device: return CLIQUET_RETRY_NOT_FOR_THIS_DEVICE;
        case RetryAction::session_archived: return CLIQUET_RETRY_SESSION_ARCHIVED;
        case RetryAction::resend: return CLIQUET_RETRY_RESEND;
        case RetryAction::no_session: return CLIQUET_RETRY_NO_SESSION;
        case RetryAction::resend_sender_key: return CLIQUET_RETRY_RESEND_SENDER_KEY;
    }
    throw Error(ErrorCode::invalid_argument, "an unknown retry action");
}

}  // namespace

extern "C" {

cliquet_status cliquet_retry_request_create(const uint8_t* original, size_t original_len, cliquet_message_type type,
                                            uint64_t timestamp_ms, uint32_t sender_device_id, cliquet_buffer* request) {
    return guarded([&] {
        buffer_out(request, "request");
        const auto message =
            DecryptionErrorMessage::for_original(bytes_in(original, original_len, "original"), ciphertext_type_in(type),
                                                 timestamp_from_unix_ms(timestamp_ms), sender_device_id);
        fill(request, PlaintextContent(message).serialize());
    });
}

cliquet_status cliquet_retry_request_parse(const uint8_t* request, size_t request_len, uint64_t* timestamp_ms,
                                           uint32_t* device_id, int* has_ratchet_key) {
    return guarded([&] {
        require(timestamp_ms, "timestamp_ms");
        require(device_id, "device_id");
        require(has_ratchet_key, "has_ratchet_key");
        const auto content = PlaintextContent::deserialize(bytes_in(request, request_len, "request"));
        const DecryptionErrorMessage& message = content.decryption_error();
        *timestamp_ms = unix_ms(message.timestamp());
        *device_id = message.device_id();
        *has_ratchet_key = message.ratchet_key() ? 1 : 0;
    });
}

cliquet_status cliquet_retry_request_process(cliquet_store* store, const char* local_name, uint32_t local_device_id,
                                             const char* requester_name, uint32_t requester_device_id,
                                             const uint8_t* request, size_t request_len, cliquet_retry_action* action) {
    return guarded([&] {
        require(action, "action");
        ProtocolStore& protocol_store = store_in(store);
        const auto local = address_in(local_name, local_device_id, "local_name");
        const auto requester = address_in(requester_name, requester_device_id, "requester_name");
        const auto content = PlaintextContent::deserialize(bytes_in(request, request_len, "request"));
        *action = action_of(process_retry_request(protocol_store, local, requester, content.decryption_error()));
    });
}

}  // extern "C"
