#include "session_common.hpp"

#include <algorithm>
#include <limits>

#include "protocol/ratchet/session_state.hpp"

namespace cliquet::vectors {
namespace {

Bytes secret_bytes(const PrivateKey& key) { return Bytes(key.secret().data(), key.secret().data() + 32); }

Signature signature_of(const Bytes& bytes, const char* what) {
    if (bytes.size() != kSignatureSize) throw Mismatch(std::string(what) + " is not 64 bytes");
    Signature signature{};
    std::copy(bytes.begin(), bytes.end(), signature.begin());
    return signature;
}

KemKeyPair kyber_pair(const Bytes& seed) {
    if (seed.size() != 64) throw Mismatch("kyberKeySeed is not 64 bytes");
    ReplayRandom random(seed);
    return KemKeyPair::generate(KemType::kyber1024, random);
}

json optional_id(const std::optional<std::uint32_t>& id) { return id ? json(*id) : json(nullptr); }

}  // namespace

void ReplayRandom::fill(std::span<std::uint8_t> out) {
    if (out.size() > bytes_.size() - offset_)
        throw Mismatch("the replay drew more random bytes than the vector records");
    std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(offset_), out.size(), out.begin());
    offset_ += out.size();
}

void RecordingRandom::fill(std::span<std::uint8_t> out) {
    source_.fill(out);
    drawn_.insert(drawn_.end(), out.begin(), out.end());
}

PartyKeys PartyKeys::generate(std::string name, RandomSource& random, bool with_one_time, bool with_kyber) {
    PartyKeys keys;
    keys.name = std::move(name);
    keys.registration_id = 1 + (static_cast<std::uint32_t>(random_bytes(random, 2)[0]) << 4);
    const IdentityKeyPair identity = IdentityKeyPair::generate(random);
    keys.identity_private = secret_bytes(identity.private_key());
    keys.signed_pre_key_id = 1 + random_bytes(random, 1)[0];
    const KeyPair signed_pre_key = KeyPair::generate(random);
    keys.signed_pre_key_private = secret_bytes(signed_pre_key.private_key);
    const Signature signature = identity.sign(signed_pre_key.public_key.serialize(), random);
    keys.signed_pre_key_signature.assign(signature.begin(), signature.end());
    if (with_one_time) {
        keys.pre_key_id = 100 + random_bytes(random, 1)[0];
        keys.pre_key_private = secret_bytes(PrivateKey::generate(random));
    }
    if (with_kyber) {
        keys.kyber_pre_key_id = 1000 + random_bytes(random, 1)[0];
        keys.kyber_key_seed = random_bytes(random, 64);
        const Signature kyber_signature = identity.sign(kyber_pair(keys.kyber_key_seed).public_key.serialize(), random);
        keys.kyber_pre_key_signature.assign(kyber_signature.begin(), kyber_signature.end());
    }
    return keys;
}

PartyKeys PartyKeys::from_json(const json& object) {
    if (!object.is_object()) throw Mismatch("a party is not an object");
    PartyKeys keys;
    keys.name = string_param(object, "name");
    keys.registration_id = u32_param(object, "registrationId");
    keys.identity_private = hex_param(object, "identityPrivate");
    if (object.contains("signedPreKeyId")) {
        keys.signed_pre_key_id = u32_param(object, "signedPreKeyId");
        keys.signed_pre_key_private = hex_param(object, "signedPreKeyPrivate");
        keys.signed_pre_key_signature = hex_param(object, "signedPreKeySignature");
    }
    keys.pre_key_id = optional_u32_param(object, "preKeyId");
    if (keys.pre_key_id) keys.pre_key_private = hex_param(object, "preKeyPrivate");
    keys.kyber_pre_key_id = optional_u32_param(object, "kyberPreKeyId");
    if (keys.kyber_pre_key_id) {
        keys.kyber_key_seed = hex_param(object, "kyberKeySeed");
        keys.kyber_pre_key_signature = hex_param(object, "kyberPreKeySignature");
    }
    return keys;
}

json PartyKeys::to_json() const {
    json out{{"name", name}, {"registrationId", registration_id}, {"identityPrivate", to_hex(identity_private)}};
    if (!signed_pre_key_private.empty()) {
        out["identityKey"] = to_hex(identity().public_key().serialize());
        out["signedPreKeyId"] = signed_pre_key_id;
        out["signedPreKeyPrivate"] = to_hex(signed_pre_key_private);
        out["signedPreKeySignature"] = to_hex(signed_pre_key_signature);
        out["preKeyId"] = optional_id(pre_key_id);
        out["preKeyPrivate"] = to_hex(pre_key_private);
        out["kyberPreKeyId"] = optional_id(kyber_pre_key_id);
        out["kyberKeySeed"] = to_hex(kyber_key_seed);
        out["kyberPreKeySignature"] = to_hex(kyber_pre_key_signature);
    }
    return out;
}

IdentityKeyPair PartyKeys::identity() const { return IdentityKeyPair(PrivateKey::deserialize(identity_private)); }

std::unique_ptr<MemoryProtocolStore> PartyKeys::make_store() const {
    const IdentityKeyPair self = identity();
    auto store = std::make_unique<MemoryProtocolStore>(self, registration_id);
    if (!signed_pre_key_private.empty()) {
        store->signed_pre_keys().store_signed_pre_key(
            SignedPreKeyRecord(signed_pre_key_id, Timestamp{}, KeyPair::from_private(PrivateKey::deserialize(signed_pre_key_private)),
                               signature_of(signed_pre_key_signature, "signedPreKeySignature")));
    }
    if (pre_key_id)
        store->pre_keys().store_pre_key(
            PreKeyRecord(*pre_key_id, KeyPair::from_private(PrivateKey::deserialize(pre_key_private))));
    if (kyber_pre_key_id)
        store->kyber_pre_keys().store_kyber_pre_key(
            KyberPreKeyRecord(*kyber_pre_key_id, Timestamp{}, kyber_pair(kyber_key_seed),
                              signature_of(kyber_pre_key_signature, "kyberPreKeySignature")),
            KyberPreKeyKind::one_time);
    return store;
}

PreKeyBundle PartyKeys::bundle() const {
    PreKeyBundle bundle{
        .registration_id = registration_id,
        .device_id = 1,
        .signed_pre_key_id = signed_pre_key_id,
        .signed_pre_key = PrivateKey::deserialize(signed_pre_key_private).public_key(),
        .signed_pre_key_signature = signature_of(signed_pre_key_signature, "signedPreKeySignature"),
        .identity_key = identity().public_key(),
    };
    if (pre_key_id) {
        bundle.pre_key_id = pre_key_id;
        bundle.pre_key = PrivateKey::deserialize(pre_key_private).public_key();
    }
    if (kyber_pre_key_id) {
        bundle.kyber_pre_key_id = kyber_pre_key_id;
        bundle.kyber_pre_key = kyber_pair(kyber_key_seed).public_key;
        bundle.kyber_pre_key_signature = signature_of(kyber_pre_key_signature, "kyberPreKeySignature");
    }
    return bundle;
}

std::string snapshot(MemoryProtocolStore& store) {
    std::string out;
    const auto add = [&out](ByteView bytes) { out += to_hex(bytes) + ";"; };
    for (const auto& [who, key] : store.identities().all()) {
        out += who.to_string();
        add(key.serialize());
    }
    for (const auto& [id, record] : store.pre_keys().all()) add(record.serialize().span());
    for (const auto& [id, record] : store.signed_pre_keys().all()) add(record.serialize().span());
    for (const auto& [id, held] : store.kyber_pre_keys().all()) add(held.record.serialize().span());
    for (const auto& [kyber_id, signed_id, base_key] : store.kyber_pre_keys().uses())
        out += "used " + std::to_string(kyber_id) + " " + std::to_string(signed_id) + " " + to_hex(base_key) + ";";
    for (const auto& [who, record] : store.sessions().all()) {
        out += who.to_string();
        add(record.serialize().span());
    }
    return out;
}

StateKeys state_keys(const SessionRecord& record) {
    const auto& current = record.data().current;
    if (!current) throw Mismatch("the record has no current state");
    const auto bytes = [](std::span<const std::uint8_t, 32> key) { return Bytes(key.begin(), key.end()); };
    StateKeys keys{bytes(current->root_key().key().span()), bytes(current->sender_chain_key().key().span()),
                   std::nullopt};
    if (!current->receiver_chains().empty())
        keys.first_receiver_chain_key = bytes(current->receiver_chains().front().chain_key.key().span());
    return keys;
}

std::uint32_t u32_param(const json& object, std::string_view name) {
    const std::uint64_t value = uint_param(object, name);
    if (value > std::numeric_limits<std::uint32_t>::max()) throw Mismatch(std::string(name) + " is out of range");
    return static_cast<std::uint32_t>(value);
}

std::optional<std::uint32_t> optional_u32_param(const json& object, std::string_view name) {
    const auto it = object.find(name);
    if (it == object.end() || it->is_null()) return std::nullopt;
    return u32_param(object, name);
}

std::string type_name(CiphertextType type) { return type == CiphertextType::pre_key ? "prekey" : "whisper"; }

CiphertextType type_param(const json& object, std::string_view name) {
    const std::string type = string_param(object, name);
    if (type == "prekey") return CiphertextType::pre_key;
    if (type == "whisper") return CiphertextType::whisper;
    throw Mismatch("unknown message type " + type);
}

std::string text_of(ByteView bytes) { return std::string(bytes.begin(), bytes.end()); }

}  // namespace cliquet::vectors
