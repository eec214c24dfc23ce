// The inside of a SenderKeyRecord: one sender chain per state, the message
// keys kept for late messages, and the record's replacement rules.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "cliquet/keys.hpp"
#include "cliquet/sender_keys.hpp"
#include "cliquet/store.hpp"

namespace cliquet::protocol {

// The keys of one message: AES-256-CBC key and IV, from HKDF over its seed.
struct SenderMessageKeys {
    std::uint32_t iteration = 0;
    SecretArray<16> iv;
    SecretArray<32> cipher_key;
};

// A message key as a chain keeps it for later: the 32-byte seed only.
struct SenderMessageKeySeed {
    std::uint32_t iteration = 0;
    SecretArray<32> seed;

    SenderMessageKeys derive() const;
};

// Position `iteration` of a sender chain.
struct SenderChainKey {
    std::uint32_t iteration = 0;
    SecretArray<32> key;

    SenderMessageKeySeed message_key_seed() const;
    // The chain one step on. A chain already at iteration 2^32 - 1 has no
    // next step: nullopt.
    std::optional<SenderChainKey> next() const;
};

struct SenderKeyState {
    std::uint32_t chain_id = 0;
    SenderChainKey chain;
    PublicKey signing_key;
    std::optional<PrivateKey> signing_private;  // only on the sender's own chains
    std::deque<SenderMessageKeySeed> skipped;   // oldest first, at most kMaxSenderMessageKeys

    // Keeps a key for a message that has not arrived yet, dropping the
    // oldest beyond the bound.
    void keep_skipped(SenderMessageKeySeed seed);
    // Takes out the kept key for `iteration`, if there is one.
    std::optional<SenderMessageKeySeed> take_skipped(std::uint32_t iteration);
};

struct SenderKeyRecordAccess {
    static std::vector<SenderKeyState>& states(SenderKeyRecord& record) noexcept { return record.states_; }
};

// Adds a chain to a record as libsignal does: a chain already known under
// the same id and signing key is kept as it is (and becomes the newest);
// any other chain with that id is dropped; the oldest chains go beyond
// kMaxSenderKeyStates.
void add_sender_key_state(SenderKeyRecord& record, SenderKeyState state);

// The state for `chain_id`, or null.
SenderKeyState* find_sender_key_state(SenderKeyRecord& record, std::uint32_t chain_id) noexcept;

// A group message decrypted against the record read from the store, not
// yet written back: the plaintext and the record after the message.
struct GroupDecryption {
    Bytes plaintext;
    DistributionId distribution_id;
    SenderKeyRecord record;
};

// Reads the sender's record and decrypts; writes nothing.
GroupDecryption decrypt_group_message(const SenderKeyStore& store, const ProtocolAddress& sender, ByteView ciphertext);
// Writes a record back.
void store_sender_key_record(SenderKeyStore& store, const ProtocolAddress& sender,
                             const DistributionId& distribution_id, const SenderKeyRecord& record);

}  // namespace cliquet::protocol
