// What the x3dh, pqxdh and session categories share: devices described by
// their private inputs, randomness that can be recorded and replayed, and
// a look inside session records.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cliquet/memory_store.hpp"
#include "cliquet/session.hpp"
#include "registry.hpp"

namespace cliquet::vectors {

// Serves exactly the bytes it was given, in order; running dry is a
// Mismatch (the replayed code drew more than the recording holds).
class ReplayRandom final : public RandomSource {
public:
    explicit ReplayRandom(Bytes bytes) : bytes_(std::move(bytes)) {}
    void fill(std::span<std::uint8_t> out) override;
    bool exhausted() const noexcept { return offset_ == bytes_.size(); }

private:
    Bytes bytes_;
    std::size_t offset_ = 0;
};

// A fixed-seed stream that remembers everything it handed out.
class RecordingRandom final : public RandomSource {
public:
    explicit RecordingRandom(std::string_view label) : source_(fixed_seed_random(label)) {}
    void fill(std::span<std::uint8_t> out) override;
    const Bytes& drawn() const noexcept { return drawn_; }

private:
    DeterministicRandom source_;
    Bytes drawn_;
};

// One device, by its private inputs. The pre-key fields are those of the
// device that publishes a bundle; absent ids mean absent keys.
struct PartyKeys {
    std::string name;
    std::uint32_t registration_id = 0;
    Bytes identity_private;
    std::uint32_t signed_pre_key_id = 0;
    Bytes signed_pre_key_private;
    Bytes signed_pre_key_signature;
    std::optional<std::uint32_t> pre_key_id;
    Bytes pre_key_private;
    std::optional<std::uint32_t> kyber_pre_key_id;
    Bytes kyber_key_seed;  // 64 bytes d ‖ z, from which the Kyber1024 pair is generated
    Bytes kyber_pre_key_signature;

    static PartyKeys generate(std::string name, RandomSource& random, bool with_one_time, bool with_kyber);
    static PartyKeys from_json(const json& object);
    json to_json() const;

    ProtocolAddress address() const { return {name, 1}; }
    IdentityKeyPair identity() const;
    // A store holding the identity and every pre-key.
    std::unique_ptr<MemoryProtocolStore> make_store() const;
    PreKeyBundle bundle() const;
};

// The sessions of these categories were recorded under the interoperable
// policy, which accepts X3DH bundles and lets SPQR key messages only once the
// peer has shown it speaks it: the published bytes depend on it.
inline const SessionOptions kVectorSessionOptions{.pq_ratchet = PqRatchetPolicy::offer};

// Everything a store holds, serialized, for "the refusal changed nothing".
std::string snapshot(MemoryProtocolStore& store);

// The current state's keys, for comparison with published values.
struct StateKeys {
    Bytes root_key;
    Bytes sender_chain_key;
    std::optional<Bytes> first_receiver_chain_key;
};
StateKeys state_keys(const SessionRecord& record);

std::uint32_t u32_param(const json& object, std::string_view name);
std::optional<std::uint32_t> optional_u32_param(const json& object, std::string_view name);
std::string type_name(CiphertextType type);
CiphertextType type_param(const json& object, std::string_view name);
std::string text_of(ByteView bytes);

}  // namespace cliquet::vectors
