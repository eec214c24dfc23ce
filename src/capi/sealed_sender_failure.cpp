// cliquet_sealed_sender_failure: SealedSenderDecryptionError
// (sealed_session_cipher.hpp), what a recipient knows of a sealed message
// whose content did not decrypt.
#include <cliquet/decryption_error.hpp>
#include <cliquet/sealed_session_cipher.hpp>

#include "capi/boundary.hpp"
#include "capi/handles.hpp"

using namespace cliquet;
using namespace cliquet::capi;

namespace {

const SealedSenderDecryptionError& failure_in(const cliquet_sealed_sender_failure* failure) {
    return require(failure, "failure")->error;
}

}  // namespace

extern "C" {

cliquet_status cliquet_sealed_sender_failure_sender_uuid(const cliquet_sealed_sender_failure* failure,
                                                         cliquet_buffer* uuid) {
    return guarded([&] {
        buffer_out(uuid, "uuid");
        fill_text(uuid, failure_in(failure).sender().name);
    });
}

cliquet_status cliquet_sealed_sender_failure_sender_device_id(const cliquet_sealed_sender_failure* failure,
                                                              uint32_t* device_id) {
    return guarded([&] { value_out(device_id, "device_id") = failure_in(failure).sender().device_id; });
}

cliquet_status cliquet_sealed_sender_failure_sender_identity_key(const cliquet_sealed_sender_failure* failure,
                                                                 cliquet_buffer* identity_key) {
    return guarded([&] {
        buffer_out(identity_key, "identity_key");
        fill(identity_key, failure_in(failure).sender_identity_key().serialize());
    });
}

cliquet_status cliquet_sealed_sender_failure_content_type(const cliquet_sealed_sender_failure* failure,
                                                          cliquet_message_type* type) {
    return guarded(
        [&] { value_out(type, "type") = static_cast<cliquet_message_type>(failure_in(failure).content_type()); });
}

cliquet_status cliquet_sealed_sender_failure_content_hint(const cliquet_sealed_sender_failure* failure,
                                                          uint32_t* hint) {
    return guarded([&] { value_out(hint, "hint") = static_cast<uint32_t>(failure_in(failure).content_hint()); });
}

cliquet_status cliquet_sealed_sender_failure_group_id(const cliquet_sealed_sender_failure* failure, int* present,
                                                      cliquet_buffer* group_id) {
    return guarded([&] {
        fill_optional(failure_in(failure).group_id(), present, group_id, "group_id",
                      [&](const Bytes& id) { fill(group_id, id); });
    });
}

cliquet_status cliquet_sealed_sender_failure_retry_request(const cliquet_sealed_sender_failure* failure,
                                                           uint64_t sent_at_ms, cliquet_buffer* request) {
    return guarded([&] {
        buffer_out(request, "request");
        const DecryptionErrorMessage message = failure_in(failure).retry_request(timestamp_from_unix_ms(sent_at_ms));
        fill(request, PlaintextContent(message).serialize());
    });
}

void cliquet_sealed_sender_failure_free(cliquet_sealed_sender_failure* failure) { delete failure; }

}  // extern "C"
