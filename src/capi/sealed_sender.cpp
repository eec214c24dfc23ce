// Sealed sender: the certificate chain (certificates.hpp) and sealing over
// sessions, versions 1 and 2 (sealed_session_cipher.hpp).
#include <cliquet/certificates.hpp>
#include <cliquet/decryption_error.hpp>
#include <cliquet/sealed_session_cipher.hpp>

#include <vector>

#include "capi/boundary.hpp"
#include "capi/handles.hpp"

using namespace cliquet;
using namespace cliquet::capi;

namespace {

PublicKey public_key_in(const uint8_t* data, size_t len, const char* what) {
    return PublicKey::deserialize(bytes_in(data, len, what));
}

PrivateKey private_key_in(const uint8_t* data, size_t len, const char* what) {
    return PrivateKey::deserialize(bytes_in(data, len, what));
}

const SealedSenderDecryptionResult& result_in(const cliquet_sealed_sender_result* result) {
    return require(result, "result")->result;
}

// The content of a sealed message, from the C API's parts.
UnidentifiedSenderMessageContent content_in(cliquet_message_type content_type, const uint8_t* content,
                                            size_t content_len, const uint8_t* sender_certificate,
                                            size_t sender_certificate_len, cliquet_content_hint hint,
                                            const uint8_t* group_id, size_t group_id_len) {
    const auto inner = bytes_in(content, content_len, "content");
    const auto group = bytes_in(group_id, group_id_len, "group_id");
    return UnidentifiedSenderMessageContent(
        ciphertext_type_in(content_type),
        SenderCertificate::deserialize(bytes_in(sender_certificate, sender_certificate_len, "sender_certificate")),
        Bytes(inner.begin(), inner.end()), static_cast<ContentHint>(hint),
        group_id == nullptr ? std::nullopt : std::optional<Bytes>(Bytes(group.begin(), group.end())));
}

// Opens a sealed message into `*result`; when the message inside fails and
// `failure` is given, describes that failure in `*failure` before the error
// goes on.
void open_sealed(cliquet_store* store, const uint8_t* sealed, size_t sealed_len, const uint8_t* trust_root,
                 size_t trust_root_len, uint64_t now_ms, const char* local_uuid, const char* local_e164,
                 uint32_t local_device_id, cliquet_pq_ratchet_policy policy, cliquet_sealed_sender_result** result,
                 cliquet_sealed_sender_failure** failure) {
    handle_out(result, "result");
    const auto envelope = bytes_in(sealed, sealed_len, "sealed");
    const auto root = public_key_in(trust_root, trust_root_len, "trust_root");
    SealedSenderRecipient local{text_in(local_uuid, "local_uuid"), std::nullopt, local_device_id};
    if (local_e164 != nullptr) local.e164 = std::string(local_e164);
    const SessionOptions options = session_options(policy);
    std::optional<SealedSenderDecryptionResult> opened;
    try {
        opened.emplace(sealed_sender_decrypt(store_in(store), envelope, root, timestamp_from_unix_ms(now_ms), local,
                                             system_random(), options));
    } catch (const SealedSenderDecryptionError& error) {
        if (failure != nullptr) *failure = new cliquet_sealed_sender_failure{error};
        throw;
    }
    try {
        *result = new cliquet_sealed_sender_result{std::move(*opened)};
    } catch (...) {
        secure_wipe(opened->plaintext.data(), opened->plaintext.size());
        throw;
    }
}

}  // namespace

extern "C" {

cliquet_status cliquet_server_certificate_create(uint32_t key_id, const uint8_t* server_key, size_t server_key_len,
                                                 const uint8_t* trust_root_private, size_t trust_root_private_len,
                                                 cliquet_buffer* certificate) {
    return guarded([&] {
        buffer_out(certificate, "certificate");
        const auto key = public_key_in(server_key, server_key_len, "server_key");
        const auto root = private_key_in(trust_root_private, trust_root_private_len, "trust_root_private");
        fill(certificate, ServerCertificate::create(key_id, key, root).serialize());
    });
}

cliquet_status cliquet_sender_certificate_create(const char* uuid, const char* e164, uint32_t device_id,
                                                 const uint8_t* identity_key, size_t identity_key_len,
                                                 uint64_t expiration_ms, const uint8_t* server_certificate,
                                                 size_t server_certificate_len, const uint8_t* server_private_key,
                                                 size_t server_private_key_len, cliquet_buffer* certificate) {
    return guarded([&] {
        buffer_out(certificate, "certificate");
        SenderCertificate::Sender sender{text_in(uuid, "uuid"), std::nullopt, device_id,
                                         public_key_in(identity_key, identity_key_len, "identity_key")};
        if (e164 != nullptr) sender.e164 = std::string(e164);
        const auto signer =
            ServerCertificate::deserialize(bytes_in(server_certificate, server_certificate_len, "server_certificate"));
        const auto signer_key = private_key_in(server_private_key, server_private_key_len, "server_private_key");
        fill(certificate,
             SenderCertificate::create(sender, timestamp_from_unix_ms(expiration_ms), signer, signer_key).serialize());
    });
}

cliquet_status cliquet_sender_certificate_validate(const uint8_t* certificate, size_t certificate_len,
                                                   const uint8_t* trust_root, size_t trust_root_len, uint64_t now_ms) {
    return guarded([&] {
        const auto sender = SenderCertificate::deserialize(bytes_in(certificate, certificate_len, "certificate"));
        sender.validate(public_key_in(trust_root, trust_root_len, "trust_root"), timestamp_from_unix_ms(now_ms));
    });
}

cliquet_status cliquet_sealed_sender_encrypt(cliquet_store* store, const char* name, uint32_t device_id,
                                             const uint8_t* sender_certificate, size_t sender_certificate_len,
                                             const uint8_t* plaintext, size_t plaintext_len, cliquet_buffer* sealed) {
    return guarded([&] {
        buffer_out(sealed, "sealed");
        const auto destination = address_in(name, device_id, "name");
        const auto sender =
            SenderCertificate::deserialize(bytes_in(sender_certificate, sender_certificate_len, "sender_certificate"));
        const auto bytes = bytes_in(plaintext, plaintext_len, "plaintext");
        fill(sealed, sealed_sender_encrypt(store_in(store), destination, sender, bytes));
    });
}

cliquet_status cliquet_sealed_sender_multi_recipient_encrypt(
    cliquet_store* store, const cliquet_address* destinations, size_t destination_count, const uint8_t* excluded,
    size_t excluded_count, cliquet_message_type content_type, const uint8_t* content, size_t content_len,
    const uint8_t* sender_certificate, size_t sender_certificate_len, cliquet_content_hint hint,
    const uint8_t* group_id, size_t group_id_len, cliquet_buffer* sealed) {
    return guarded([&] {
        buffer_out(sealed, "sealed");
        if (destinations == nullptr && destination_count != 0) throw_null("destinations");
        std::vector<ProtocolAddress> addresses;
        addresses.reserve(destination_count);
        for (size_t i = 0; i < destination_count; ++i)
            addresses.push_back(address_in(destinations[i].name, destinations[i].device_id, "a destination's name"));
        if (excluded_count > SIZE_MAX / CLIQUET_SERVICE_ID_SIZE)
            throw Error(ErrorCode::invalid_argument, "too many excluded service ids");
        const auto excluded_bytes = bytes_in(excluded, excluded_count * CLIQUET_SERVICE_ID_SIZE, "excluded");
        std::vector<ServiceId> left_out;
        for (size_t i = 0; i < excluded_count; ++i) {
            const auto id = ServiceId::from_fixed_width(
                excluded_bytes.subspan(i * CLIQUET_SERVICE_ID_SIZE).first<CLIQUET_SERVICE_ID_SIZE>());
            if (!id) throw Error(ErrorCode::invalid_argument, "an excluded service id of an unknown kind");
            left_out.push_back(*id);
        }
        const auto message = content_in(content_type, content, content_len, sender_certificate, sender_certificate_len,
                                        hint, group_id, group_id_len);
        fill(sealed, sealed_sender_multi_recipient_encrypt(store_in(store), addresses, left_out, message));
    });
}

cliquet_status cliquet_sealed_sender_decrypt(cliquet_store* store, const uint8_t* sealed, size_t sealed_len,
                                             const uint8_t* trust_root, size_t trust_root_len, uint64_t now_ms,
                                             const char* local_uuid, const char* local_e164, uint32_t local_device_id,
                                             cliquet_pq_ratchet_policy policy, cliquet_sealed_sender_result** result) {
    return guarded([&] {
        open_sealed(store, sealed, sealed_len, trust_root, trust_root_len, now_ms, local_uuid, local_e164,
                    local_device_id, policy, result, nullptr);
    });
}

cliquet_status cliquet_sealed_sender_decrypt_with_failure(
    cliquet_store* store, const uint8_t* sealed, size_t sealed_len, const uint8_t* trust_root, size_t trust_root_len,
    uint64_t now_ms, const char* local_uuid, const char* local_e164, uint32_t local_device_id,
    cliquet_pq_ratchet_policy policy, cliquet_sealed_sender_result** result, cliquet_sealed_sender_failure** failure) {
    return guarded([&] {
        handle_out(failure, "failure");
        open_sealed(store, sealed, sealed_len, trust_root, trust_root_len, now_ms, local_uuid, local_e164,
                    local_device_id, policy, result, failure);
    });
}

cliquet_status cliquet_sealed_sender_seal_v1(cliquet_store* store, const uint8_t* recipient_identity_key,
                                             size_t recipient_identity_key_len, cliquet_message_type content_type,
                                             const uint8_t* content, size_t content_len,
                                             const uint8_t* sender_certificate, size_t sender_certificate_len,
                                             cliquet_content_hint hint, const uint8_t* group_id, size_t group_id_len,
                                             cliquet_buffer* sealed) {
    return guarded([&] {
        buffer_out(sealed, "sealed");
        ProtocolStore& protocol_store = store_in(store);
        const auto recipient =
            public_key_in(recipient_identity_key, recipient_identity_key_len, "recipient_identity_key");
        const auto message = content_in(content_type, content, content_len, sender_certificate, sender_certificate_len,
                                        hint, group_id, group_id_len);
        fill(sealed, seal_v1(message, protocol_store.identities().identity_key_pair(), recipient));
    });
}

cliquet_status cliquet_sealed_sender_result_sender_uuid(const cliquet_sealed_sender_result* result,
                                                        cliquet_buffer* uuid) {
    return guarded([&] {
        buffer_out(uuid, "uuid");
        fill_text(uuid, result_in(result).sender_uuid);
    });
}

cliquet_status cliquet_sealed_sender_result_sender_e164(const cliquet_sealed_sender_result* result, int* present,
                                                        cliquet_buffer* e164) {
    return guarded([&] {
        fill_optional(result_in(result).sender_e164, present, e164, "e164",
                      [&](const std::string& number) { fill_text(e164, number); });
    });
}

cliquet_status cliquet_sealed_sender_result_sender_device_id(const cliquet_sealed_sender_result* result,
                                                             uint32_t* device_id) {
    return guarded([&] { value_out(device_id, "device_id") = result_in(result).sender_device_id; });
}

cliquet_status cliquet_sealed_sender_result_plaintext(const cliquet_sealed_sender_result* result,
                                                      cliquet_buffer* plaintext) {
    return guarded([&] {
        buffer_out(plaintext, "plaintext");
        fill(plaintext, result_in(result).plaintext);
    });
}

cliquet_status cliquet_sealed_sender_result_content_type(const cliquet_sealed_sender_result* result,
                                                         cliquet_message_type* type) {
    return guarded(
        [&] { value_out(type, "type") = static_cast<cliquet_message_type>(result_in(result).content_type); });
}

cliquet_status cliquet_sealed_sender_result_content_hint(const cliquet_sealed_sender_result* result, uint32_t* hint) {
    return guarded([&] { value_out(hint, "hint") = static_cast<uint32_t>(result_in(result).content_hint); });
}

cliquet_status cliquet_sealed_sender_result_group_id(const cliquet_sealed_sender_result* result, int* present,
                                                     cliquet_buffer* group_id) {
    return guarded([&] {
        fill_optional(result_in(result).group_id, present, group_id, "group_id",
                      [&](const Bytes& id) { fill(group_id, id); });
    });
}

cliquet_status cliquet_sealed_sender_result_retry_request(const cliquet_sealed_sender_result* result, int* present,
                                                          cliquet_buffer* request) {
    return guarded([&] {
        fill_optional(
            result_in(result).retry_request, present, request, "request",
            [&](const DecryptionErrorMessage& message) { fill(request, PlaintextContent(message).serialize()); });
    });
}

void cliquet_sealed_sender_result_free(cliquet_sealed_sender_result* result) {
    if (result == nullptr) return;
    secure_wipe(result->result.plaintext.data(), result->result.plaintext.size());
    delete result;
}

}  // extern "C"
