// Sender chains, and SenderKeyRecord with its storage protobuf.
#include <algorithm>
#include <array>
#include <limits>
#include <string>

#include "cliquet/error.hpp"
#include "crypto/hash.hpp"
#include "protocol/wire/proto_util.hpp"
#include "protocol/groups/sender_key_state.hpp"
#include "storage.pb.h"

namespace cliquet {
namespace protocol {
namespace {

// The one-byte HMAC inputs that split a chain key into the message key seed
// and the next chain key.
constexpr std::array<std::uint8_t, 1> kMessageKeySeedLabel = {0x01};
constexpr std::array<std::uint8_t, 1> kChainKeyLabel = {0x02};
constexpr char kMessageKeyInfo[] = "WhisperGroup";

SecretArray<32> hmac_label(const SecretArray<32>& key, std::span<const std::uint8_t, 1> label) {
    auto digest = crypto::hmac_sha256(key.span(), label);
    SecretArray<32> out{std::span<const std::uint8_t, 32>(digest)};
    secure_wipe(digest.data(), digest.size());
    return out;
}

}  // namespace

SenderMessageKeys SenderMessageKeySeed::derive() const {
    SecretArray<48> derived;
    crypto::hkdf_sha256(derived.span(), seed.span(), {}, as_bytes(kMessageKeyInfo));
    SenderMessageKeys keys;
    keys.iteration = iteration;
    std::copy_n(derived.data(), 16, keys.iv.data());
    std::copy_n(derived.data() + 16, 32, keys.cipher_key.data());
    return keys;
}

SenderMessageKeySeed SenderChainKey::message_key_seed() const {
    return SenderMessageKeySeed{iteration, hmac_label(key, kMessageKeySeedLabel)};
}

std::optional<SenderChainKey> SenderChainKey::next() const {
    if (iteration == std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
    return SenderChainKey{iteration + 1, hmac_label(key, kChainKeyLabel)};
}

void SenderKeyState::keep_skipped(SenderMessageKeySeed seed) {
    skipped.push_back(std::move(seed));
    while (skipped.size() > kMaxSenderMessageKeys) skipped.pop_front();
}

std::optional<SenderMessageKeySeed> SenderKeyState::take_skipped(std::uint32_t iteration) {
    const auto it = std::find_if(skipped.begin(), skipped.end(),
                                 [iteration](const SenderMessageKeySeed& s) { return s.iteration == iteration; });
    if (it == skipped.end()) return std::nullopt;
    SenderMessageKeySeed found = *it;
    skipped.erase(it);
    return found;
}

void add_sender_key_state(SenderKeyRecord& record, SenderKeyState state) {
    auto& states = SenderKeyRecordAccess::states(record);
    const auto known = std::find_if(states.begin(), states.end(), [&](const SenderKeyState& s) {
        return s.chain_id == state.chain_id && s.signing_key == state.signing_key;
    });
    // A chain already known keeps its progress and its kept keys.
    if (known != states.end()) state = std::move(*known);
    std::erase_if(states, [&](const SenderKeyState& s) { return s.chain_id == state.chain_id; });
    // The newest first, then the others until the bound.
    std::vector<SenderKeyState> updated;
    updated.reserve(kMaxSenderKeyStates);
    updated.push_back(std::move(state));
    for (auto& older : states) {
        if (updated.size() == kMaxSenderKeyStates) break;
        updated.push_back(std::move(older));
    }
    states = std::move(updated);
}

SenderKeyState* find_sender_key_state(SenderKeyRecord& record, std::uint32_t chain_id) noexcept {
    auto& states = SenderKeyRecordAccess::states(record);
    const auto it = std::find_if(states.begin(), states.end(),
                                 [chain_id](const SenderKeyState& s) { return s.chain_id == chain_id; });
    return it == states.end() ? nullptr : &*it;
}

}  // namespace protocol

namespace {

using protocol::SenderKeyState;
using StateProto = proto::storage::SenderKeyStateStructure;
using RecordProto = proto::storage::SenderKeyRecordStructure;

// A record holds at most 5 chains of at most 2000 kept keys (about 40 bytes
// each): well under a megabyte. Anything larger is not ours.
constexpr std::size_t kMaxRecordSize = 1u << 20;

// libsignal wrote 0 for the first sender-key version in old records.
constexpr std::uint32_t kLegacyUnsetVersion = 0;

[[noreturn]] void foreign(const std::string& what) {
    throw Error(ErrorCode::storage, "sender key record " + what);
}

SecretArray<32> secret32(const std::string& field, const char* what) {
    if (field.size() != 32) foreign(std::string(what) + " is not 32 bytes");
    return SecretArray<32>(protocol::view_of(field).first<32>());
}

void wipe_secrets(RecordProto& record) noexcept {
    // Through wipe_field, which allocates nothing: this runs as the record
    // is destroyed.
    for (auto& state : *record.mutable_sender_key_states()) {
        if (state.has_sender_chain_key()) {
            auto& chain_key = *state.mutable_sender_chain_key();
            protocol::wipe_field(chain_key.seed(), [&] { return chain_key.mutable_seed(); });
        }
        if (state.has_sender_signing_key()) {
            auto& signing_key = *state.mutable_sender_signing_key();
            protocol::wipe_field(signing_key.private_(), [&] { return signing_key.mutable_private_(); });
        }
        for (auto& key : *state.mutable_sender_message_keys())
            protocol::wipe_field(key.seed(), [&] { return key.mutable_seed(); });
    }
}

// Wipes the protobuf's secrets however the scope is left.
struct RecordProtoWiper {
    RecordProto& record;
    ~RecordProtoWiper() { wipe_secrets(record); }
};

SenderKeyState state_from_proto(const StateProto& proto) {
    if (proto.message_version() != kLegacyUnsetVersion && proto.message_version() != kSenderKeyMessageVersion)
        foreign("has a state of message version " + std::to_string(proto.message_version()));
    if (!proto.has_sender_chain_key()) foreign("has a state without a chain key");
    if (!proto.has_sender_signing_key()) foreign("has a state without a signing key");
    if (static_cast<std::size_t>(proto.sender_message_keys_size()) > kMaxSenderMessageKeys)
        foreign("keeps more message keys than allowed");

    std::optional<PublicKey> signing_key;
    std::optional<PrivateKey> signing_private;
    try {
        signing_key = PublicKey::deserialize(protocol::view_of(proto.sender_signing_key().public_()));
        if (!proto.sender_signing_key().private_().empty())
            signing_private = PrivateKey::deserialize(protocol::view_of(proto.sender_signing_key().private_()));
    } catch (const Error& e) {
        foreign(std::string("has an unusable signing key: ") + e.what());
    }

    SenderKeyState state{proto.chain_id(),
                         {proto.sender_chain_key().iteration(), secret32(proto.sender_chain_key().seed(), "chain key")},
                         *signing_key,
                         std::move(signing_private),
                         {}};
    for (const auto& kept : proto.sender_message_keys())
        state.skipped.push_back({kept.iteration(), secret32(kept.seed(), "message key seed")});
    return state;
}

void state_to_proto(const SenderKeyState& state, StateProto& proto) {
    proto.set_message_version(kSenderKeyMessageVersion);
    proto.set_chain_id(state.chain_id);
    auto* chain = proto.mutable_sender_chain_key();
    chain->set_iteration(state.chain.iteration);
    chain->set_seed(state.chain.key.data(), state.chain.key.size());
    auto* signing = proto.mutable_sender_signing_key();
    const Bytes public_bytes = state.signing_key.serialize();
    signing->set_public_(public_bytes.data(), public_bytes.size());
    if (state.signing_private)
        signing->set_private_(state.signing_private->secret().data(), state.signing_private->secret().size());
    for (const auto& kept : state.skipped) {
        auto* key = proto.add_sender_message_keys();
        key->set_iteration(kept.iteration);
        key->set_seed(kept.seed.data(), kept.seed.size());
    }
}

}  // namespace

SenderKeyRecord::SenderKeyRecord() = default;
SenderKeyRecord::SenderKeyRecord(const SenderKeyRecord&) = default;
SenderKeyRecord::SenderKeyRecord(SenderKeyRecord&&) noexcept = default;
SenderKeyRecord& SenderKeyRecord::operator=(const SenderKeyRecord&) = default;
SenderKeyRecord& SenderKeyRecord::operator=(SenderKeyRecord&&) noexcept = default;
SenderKeyRecord::~SenderKeyRecord() = default;

SenderKeyRecord SenderKeyRecord::deserialize(ByteView bytes) {
    RecordProto proto;
    RecordProtoWiper wiper{proto};
    protocol::parse_proto(proto, bytes, ErrorCode::storage, "sender key record", kMaxRecordSize);
    if (static_cast<std::size_t>(proto.sender_key_states_size()) > kMaxSenderKeyStates)
        foreign("holds more chains than allowed");
    SenderKeyRecord record;
    for (const auto& state : proto.sender_key_states()) record.states_.push_back(state_from_proto(state));
    return record;
}

SecretBytes SenderKeyRecord::serialize() const {
    RecordProto proto;
    RecordProtoWiper wiper{proto};
    for (const auto& state : states_) state_to_proto(state, *proto.add_sender_key_states());
    std::string encoded = proto.SerializeAsString();
    SecretBytes out(as_bytes(encoded));
    protocol::wipe_string(encoded);
    return out;
}

bool SenderKeyRecord::empty() const noexcept { return states_.empty(); }
std::size_t SenderKeyRecord::state_count() const noexcept { return states_.size(); }

std::vector<std::uint32_t> SenderKeyRecord::chain_ids() const {
    std::vector<std::uint32_t> ids;
    ids.reserve(states_.size());
    for (const auto& state : states_) ids.push_back(state.chain_id);
    return ids;
}

}  // namespace cliquet
