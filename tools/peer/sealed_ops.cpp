// Ops: server_certificate, sender_certificate, validate_sender_certificate
// (the server's role, which any peer can play), seal, seal_multi, fanout and
// unseal (sealed sender versions 1 and 2).

#include "cliquet/certificates.hpp"
#include "cliquet/error.hpp"
#include "cliquet/sealed_fanout.hpp"
#include "cliquet/sealed_sender.hpp"
#include "cliquet/sealed_session_cipher.hpp"
#include "cliquet/service_id.hpp"
#include "peer.hpp"
#include "session_ops.hpp"

namespace cliquet::peer {
namespace {

// A recipient's identity key: recorded by `trust` or by starting a session
// (which records the bundle's identity), or else the one its session holds.
std::optional<IdentityKey> recipient_identity(PeerState& state, const ProtocolAddress& address) {
    ProtocolStore& store = protocol_store(state);
    if (auto known = store.identities().identity(address)) return known;
    if (const auto session = store.sessions().load_session(address)) return session->remote_identity_key();
    return std::nullopt;
}

PublicKey public_key_field(const json& request, std::string_view name) {
    return PublicKey::deserialize(hex_field(request, name));
}

PrivateKey private_key_field(const json& request, std::string_view name) {
    return PrivateKey::deserialize(hex_field(request, name));
}

std::optional<std::string> optional_string_field(const json& request, std::string_view name) {
    const auto it = request.find(name);
    if (it == request.end() || it->is_null()) return std::nullopt;
    return string_field(request, name);
}

ProtocolAddress address_of(const json& value) {
    if (!value.is_object()) throw BadRequest("entries of 'recipients' must be address objects");
    return ProtocolAddress{string_field(value, "name"), u32_field(value, "device_id")};
}

ServiceId service_id_of(const std::string& text) {
    const auto id = ServiceId::parse(text);
    if (!id) throw BadRequest("'" + text + "' is not a service id");
    return *id;
}

UnidentifiedSenderMessageContent content_fields(const json& request) {
    const auto certificate = SenderCertificate::deserialize(hex_field(request, "sender_certificate"));
    const std::uint32_t hint = u32_field(request, "content_hint");
    return UnidentifiedSenderMessageContent(message_type_field(request, "content_type"), certificate, hex_field(request, "content"),
                                            static_cast<ContentHint>(hint), optional_hex_field(request, "group_id"));
}

json certificate_fields(const SenderCertificate& certificate) {
    return json{{"sender_uuid", certificate.sender_uuid()},
                {"sender_e164", certificate.sender_e164() ? json(*certificate.sender_e164()) : json(nullptr)},
                {"sender_device_id", certificate.sender_device_id()},
                {"sender_identity_key", hex(certificate.identity_key().serialize())},
                {"expiration", unix_ms(certificate.expiration())}};
}

// ---- the server's role ----------------------------------------------------

json server_certificate(PeerState&, const json& request) {
    const auto certificate = ServerCertificate::create(u32_field(request, "key_id"),
                                                       public_key_field(request, "server_key"),
                                                       private_key_field(request, "trust_root_private"));
    return json{{"certificate", hex(certificate.serialize())}};
}

json sender_certificate(PeerState&, const json& request) {
    const SenderCertificate::Sender sender{string_field(request, "sender_uuid"),
                                           optional_string_field(request, "sender_e164"),
                                           u32_field(request, "sender_device_id"),
                                           public_key_field(request, "sender_identity_key")};
    const auto signer = ServerCertificate::deserialize(hex_field(request, "server_certificate"));
    const auto certificate = SenderCertificate::create(sender, timestamp_field(request, "expiration"), signer,
                                                       private_key_field(request, "server_private"));
    return json{{"certificate", hex(certificate.serialize())}};
}

json validate_sender_certificate(PeerState&, const json& request) {
    const auto certificate = SenderCertificate::deserialize(hex_field(request, "certificate"));
    const PublicKey trust_root = public_key_field(request, "trust_root");
    json result = certificate_fields(certificate);
    result["valid"] = certificate.is_valid(trust_root, timestamp_field(request, "timestamp"));
    return result;
}

// ---- sealing and opening ----------------------------------------------------

json seal(PeerState& state, const json& request) {
    const ProtocolAddress recipient = address_field(request, "peer");
    const auto content = content_fields(request);
    const auto identity = recipient_identity(state, recipient);
    if (!identity) throw Error(ErrorCode::no_session, "no identity key known for " + recipient.to_string());
    return json{{"ciphertext", hex(seal_v1(content, state.require_identity(), *identity))}};
}

json seal_multi(PeerState& state, const json& request) {
    const auto content = content_fields(request);
    const json& recipient_list = field(request, "recipients");
    if (!recipient_list.is_array()) throw BadRequest("field 'recipients' must be a list of addresses");
    std::vector<ProtocolAddress> recipients;
    for (const json& entry : recipient_list) recipients.push_back(address_of(entry));

    const json& excluded_list = field(request, "excluded");
    if (!excluded_list.is_array()) throw BadRequest("field 'excluded' must be a list of service ids");
    std::vector<ServiceId> excluded;
    for (const json& entry : excluded_list) {
        if (!entry.is_string()) throw BadRequest("entries of 'excluded' must be service id strings");
        excluded.push_back(service_id_of(entry.get<std::string>()));
    }
    return json{{"ciphertext", hex(sealed_sender_multi_recipient_encrypt(protocol_store(state), recipients, excluded,
                                                                           content))}};
}

json fanout(PeerState&, const json& request) {
    const auto sent = SealedSenderV2SentMessage::parse(hex_field(request, "ciphertext"));
    json recipients = json::array();
    for (const auto& recipient : sent.recipients()) {
        json device_ids = json::array();
        json registration_ids = json::array();
        for (const auto& device : recipient.devices) {
            device_ids.push_back(device.device_id);
            registration_ids.push_back(device.registration_id);
        }
        recipients.push_back(json{{"service_id", recipient.service_id.to_string()},
                                  {"device_ids", device_ids},
                                  {"registration_ids", registration_ids},
                                  {"message", hex(sent.received_message(recipient))}});
    }
    json excluded = json::array();
    for (const auto& id : sent.excluded()) excluded.push_back(id.to_string());
    return json{{"recipients", recipients}, {"excluded", excluded}};
}

json unseal_op(PeerState& state, const json& request) {
    const Bytes ciphertext = hex_field(request, "ciphertext");
    const PublicKey trust_root = public_key_field(request, "trust_root");
    const auto opened = unseal(ciphertext, state.require_identity(), trust_root, timestamp_field(request, "timestamp"));
    const auto& content = opened.content;
    const auto& sender = content.sender();
    return json{{"sender_uuid", sender.sender_uuid()},
                {"sender_e164", sender.sender_e164() ? json(*sender.sender_e164()) : json(nullptr)},
                {"sender_device_id", sender.sender_device_id()},
                {"content_type", message_type_name(content.type())},
                {"content", hex(content.content())},
                {"content_hint", static_cast<std::uint32_t>(content.content_hint())},
                {"group_id", content.group_id() ? json(hex(*content.group_id())) : json(nullptr)},
                {"version", opened.version}};
}

const OpRegistration registrations[] = {
    {"server_certificate", server_certificate, /*requires_init=*/false},
    {"sender_certificate", sender_certificate, /*requires_init=*/false},
    {"validate_sender_certificate", validate_sender_certificate, /*requires_init=*/false},
    {"seal", seal},
    {"seal_multi", seal_multi},
    {"fanout", fanout, /*requires_init=*/false},
    {"unseal", unseal_op},
};

}  // namespace
}  // namespace cliquet::peer
