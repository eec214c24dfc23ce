// Ops: pre_key_bundle, process_bundle, trust, encrypt, decrypt.
#include "session_ops.hpp"


#include "cliquet/error.hpp"
#include "cliquet/memory_store.hpp"
#include "cliquet/messages.hpp"
#include "cliquet/session.hpp"

namespace cliquet::peer {

ProtocolStore& protocol_store(PeerState& state) {
    if (!state.store) state.store = std::make_shared<MemoryProtocolStore>(state.require_identity(), state.registration_id);
    return *state.store;
}

ProtocolAddress address_field(const json& request, std::string_view name) {
    const json& value = field(request, name);
    if (!value.is_object()) throw BadRequest("field '" + std::string(name) + "' must be an address object");
    return ProtocolAddress{string_field(value, "name"), u32_field(value, "device_id")};
}

namespace {

std::optional<std::uint32_t> optional_u32_field(const json& request, std::string_view name) {
    if (!optional_int_field(request, name)) return std::nullopt;
    return u32_field(request, name);
}

json optional_json(const auto& value, auto convert) { return value ? json(convert(*value)) : json(nullptr); }

Signature signature_field(const json& request, std::string_view name) {
    const Bytes bytes = hex_field(request, name);
    if (bytes.size() != kSignatureSize) throw Error(ErrorCode::invalid_signature, std::string(name) + " is not 64 bytes");
    Signature signature;
    std::copy(bytes.begin(), bytes.end(), signature.begin());
    return signature;
}

json pre_key_bundle(PeerState& state, const json& request) {
    const auto pre_key_id = optional_u32_field(request, "pre_key_id");
    const std::uint32_t signed_pre_key_id = u32_field(request, "signed_pre_key_id");
    const auto kyber_pre_key_id = optional_u32_field(request, "kyber_pre_key_id");
    // 1.1: a last-resort Kyber pre-key is kept after use; one-time is the default.
    const bool kyber_last_resort = request.contains("kyber_last_resort") && bool_field(request, "kyber_last_resort");

    ProtocolStore& store = protocol_store(state);
    const IdentityKeyPair& identity = state.require_identity();
    const Timestamp timestamp = current_time(state.options.session.clock);
    const auto signed_pre_key = SignedPreKeyRecord::generate(signed_pre_key_id, identity, timestamp);
    std::optional<PreKeyRecord> pre_key;
    if (pre_key_id) pre_key = PreKeyRecord::generate(*pre_key_id);
    std::optional<KyberPreKeyRecord> kyber;
    if (kyber_pre_key_id) kyber = KyberPreKeyRecord::generate(*kyber_pre_key_id, identity, timestamp);
    // Every id is checked before anything is written: a memory store cannot
    // roll back, and a refused request must change nothing.
    if (store.signed_pre_keys().load_signed_pre_key(signed_pre_key_id))
        throw pre_key_id_taken("signed pre-key", signed_pre_key_id);
    if (pre_key_id && store.pre_keys().load_pre_key(*pre_key_id)) throw pre_key_id_taken("one-time pre-key", *pre_key_id);
    if (kyber_pre_key_id && store.kyber_pre_keys().load_kyber_pre_key(*kyber_pre_key_id))
        throw pre_key_id_taken("Kyber pre-key", *kyber_pre_key_id);
    store.run_atomically([&] {
        store.signed_pre_keys().store_signed_pre_key(signed_pre_key);
        if (pre_key) store.pre_keys().store_pre_key(*pre_key);
        if (kyber)
            store.kyber_pre_keys().store_kyber_pre_key(
                *kyber, kyber_last_resort ? KyberPreKeyKind::last_resort : KyberPreKeyKind::one_time);
    });

    const auto public_hex = [](const PublicKey& key) { return hex(key.serialize()); };
    json bundle{
        {"registration_id", state.registration_id},
        {"device_id", state.device_id},
        {"identity_key", public_hex(identity.public_key())},
        {"pre_key_id", optional_json(pre_key_id, [](std::uint32_t id) { return id; })},
        {"pre_key", optional_json(pre_key, [&](const PreKeyRecord& r) { return public_hex(r.key_pair().public_key); })},
        {"signed_pre_key_id", signed_pre_key_id},
        {"signed_pre_key", public_hex(signed_pre_key.key_pair().public_key)},
        {"signed_pre_key_signature", hex(signed_pre_key.signature())},
        {"kyber_pre_key_id", optional_json(kyber_pre_key_id, [](std::uint32_t id) { return id; })},
        {"kyber_pre_key",
         optional_json(kyber, [](const KyberPreKeyRecord& r) { return hex(r.key_pair().public_key.serialize()); })},
        {"kyber_pre_key_signature", optional_json(kyber, [](const KyberPreKeyRecord& r) { return hex(r.signature()); })},
    };
    return json{{"bundle", bundle}};
}

PreKeyBundle bundle_from_json(const json& bundle) {
    if (!bundle.is_object()) throw BadRequest("field 'bundle' must be an object");
    PreKeyBundle out{
        .registration_id = u32_field(bundle, "registration_id"),
        .device_id = u32_field(bundle, "device_id"),
        .signed_pre_key_id = u32_field(bundle, "signed_pre_key_id"),
        .signed_pre_key = PublicKey::deserialize(hex_field(bundle, "signed_pre_key")),
        .signed_pre_key_signature = signature_field(bundle, "signed_pre_key_signature"),
        .identity_key = PublicKey::deserialize(hex_field(bundle, "identity_key")),
    };
    out.pre_key_id = optional_u32_field(bundle, "pre_key_id");
    if (auto pre_key = optional_hex_field(bundle, "pre_key")) out.pre_key = PublicKey::deserialize(*pre_key);
    out.kyber_pre_key_id = optional_u32_field(bundle, "kyber_pre_key_id");
    if (auto kyber = optional_hex_field(bundle, "kyber_pre_key")) out.kyber_pre_key = KemPublicKey::deserialize(*kyber);
    if (optional_hex_field(bundle, "kyber_pre_key_signature"))
        out.kyber_pre_key_signature = signature_field(bundle, "kyber_pre_key_signature");
    return out;
}

json process_bundle(PeerState& state, const json& request) {
    const ProtocolAddress peer = address_field(request, "peer");
    const PreKeyBundle bundle = bundle_from_json(field(request, "bundle"));
    try {
        process_pre_key_bundle(protocol_store(state), peer, bundle, system_random(), state.options.session);
    } catch (const Error& e) {
        // A bundle with half a pre-key is a malformed request, not a key problem.
        if (e.code() == ErrorCode::invalid_argument) throw BadRequest(e.what());
        throw;
    }
    return json::object();
}

json trust(PeerState& state, const json& request) {
    const ProtocolAddress peer = address_field(request, "peer");
    const IdentityKey key = PublicKey::deserialize(hex_field(request, "identity_key"));
    ProtocolStore& store = protocol_store(state);
    store.run_atomically([&] { store.identities().save_identity(peer, key); });
    return json::object();
}

json encrypt(PeerState& state, const json& request) {
    const ProtocolAddress peer = address_field(request, "peer");
    const Bytes plaintext = hex_field(request, "plaintext");
    const CiphertextMessage message = SessionCipher(protocol_store(state), state.local_address(), peer, state.options.session).encrypt(plaintext);
    return json{{"type", message.type == CiphertextType::pre_key ? "prekey" : "whisper"},
                {"ciphertext", hex(message.bytes)}};
}

json decrypt(PeerState& state, const json& request) {
    const ProtocolAddress peer = address_field(request, "peer");
    const std::string type = string_field(request, "type");
    const Bytes ciphertext = hex_field(request, "ciphertext");
    CiphertextType message_type;
    if (type == "prekey") {
        message_type = CiphertextType::pre_key;
    } else if (type == "whisper") {
        message_type = CiphertextType::whisper;
    } else {
        throw BadRequest("decrypt takes type 'prekey' or 'whisper'");
    }
    const Bytes plaintext = SessionCipher(protocol_store(state), state.local_address(), peer, state.options.session).decrypt(message_type, ciphertext);
    return json{{"plaintext", hex(plaintext)}};
}

const OpRegistration registrations[] = {
    {"prekey_bundle", pre_key_bundle}, {"process_bundle", process_bundle}, {"trust", trust},
    {"encrypt", encrypt},             {"decrypt", decrypt},
};

}  // namespace
}  // namespace cliquet::peer
