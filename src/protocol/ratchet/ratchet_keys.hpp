// The Double Ratchet's key schedule as libsignal runs it: root keys step by
// HKDF over a Diffie-Hellman output ("WhisperRatchet"), chain keys step by
// HMAC (0x02), and each message key is expanded from HMAC(chain key, 0x01)
// ("WhisperMessageKeys": cipher key, MAC key, IV). In a version-4 session
// the message's SPQR key, when it has one, is that last HKDF's salt.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

#include "cliquet/bytes.hpp"
#include "cliquet/keys.hpp"

namespace cliquet::protocol {

using Key32 = SecretArray<32>;

struct MessageKeys {
    Key32 cipher_key;
    Key32 mac_key;
    SecretArray<16> iv;
    std::uint32_t counter = 0;

    // Expands the 32-byte seed a chain key yields for message `counter`,
    // salted with the message's SPQR key if it has one.
    static MessageKeys derive(const Key32& seed, std::uint32_t counter,
                              const std::optional<Key32>& pq_salt = std::nullopt);
};

// What a message's keys come from: the seed of its chain step (what a chain
// step yields, and what cliquet and libsignal keep for a skipped message),
// or, in records written by older libsignal versions, the derived keys
// themselves. Stored keys cannot take an SPQR salt any more.
class MessageKeySource {
public:
    static MessageKeySource from_seed(const Key32& seed, std::uint32_t counter) {
        MessageKeySource source(counter);
        source.seed_.emplace(seed);
        return source;
    }
    static MessageKeySource from_keys(const MessageKeys& keys) {
        MessageKeySource source(keys.counter);
        source.keys_.emplace(keys);
        return source;
    }

    std::uint32_t counter() const noexcept { return counter_; }
    // The seed the keys derive from, or (in records written by older
    // libsignal versions) the keys themselves: exactly one is set.
    const std::optional<Key32>& seed() const noexcept { return seed_; }
    const std::optional<MessageKeys>& stored_keys() const noexcept { return keys_; }
    // The message's keys, salted with `pq_salt` if set. Error(invalid_message)
    // for stored keys met with an SPQR key: libsignal refuses that too, since
    // only sessions from before SPQR stored derived keys.
    MessageKeys keys(const std::optional<Key32>& pq_salt) const;

private:
    explicit MessageKeySource(std::uint32_t counter) noexcept : counter_(counter) {}

    std::uint32_t counter_;
    std::optional<Key32> seed_;
    std::optional<MessageKeys> keys_;
};

class ChainKey {
public:
    ChainKey(const Key32& key, std::uint32_t index) noexcept : key_(key), index_(index) {}

    const Key32& key() const noexcept { return key_; }
    std::uint32_t index() const noexcept { return index_; }

    ChainKey next() const;
    // The seed of this index's message keys (what libsignal stores for a
    // skipped message).
    Key32 message_key_seed() const;
    // This index's key seed and the chain one step on, keying the HMAC with
    // the chain key once for both (what each message costs).
    std::pair<MessageKeySource, ChainKey> step() const;

private:
    Key32 key_;
    std::uint32_t index_;
};

class RootKey {
public:
    explicit RootKey(const Key32& key) noexcept : key_(key) {}
    const Key32& key() const noexcept { return key_; }

    // One DH ratchet step: the next root key and a fresh chain key.
    std::pair<RootKey, ChainKey> create_chain(const PublicKey& their_ratchet_key,
                                              const PrivateKey& our_ratchet_key) const;

private:
    Key32 key_;
};

// The keys a handshake's shared secret expands to; PQXDH also yields the
// session's SPQR auth key (the HKDF output's bytes 64..96).
struct InitialKeys {
    RootKey root_key;
    ChainKey chain_key;
    std::optional<Key32> pq_auth_key;
};

inline constexpr char kX3dhInfo[] = "WhisperText";
inline constexpr char kPqxdhInfo[] = "WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024";

InitialKeys derive_initial_keys(ByteView secret_input, bool pqxdh);

}  // namespace cliquet::protocol
