// The Double Ratchet's key schedule as libsignal runs it: root keys step by
// HKDF over a Diffie-Hellman output ("WhisperRatchet"), chain keys step by
// HMAC (0x02), and each message key is expanded from HMAC(chain key, 0x01)
// ("WhisperMessageKeys": cipher key, MAC key, IV).
#pragma once

#include <cstdint>
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

    // Expands the 32-byte seed a chain key yields for message `counter`.
    static MessageKeys derive(const Key32& seed, std::uint32_t counter);
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
    MessageKeys message_keys() const { return MessageKeys::derive(message_key_seed(), index_); }
    // This index's message keys and the chain one step on, keying the HMAC
    // with the chain key once for both (what each message costs).
    std::pair<MessageKeys, ChainKey> step() const;

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

// The keys a handshake's shared secret expands to.
struct InitialKeys {
    RootKey root_key;
    ChainKey chain_key;
};

inline constexpr char kX3dhInfo[] = "WhisperText";
inline constexpr char kPqxdhInfo[] = "WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024";

InitialKeys derive_initial_keys(ByteView secret_input, bool pqxdh);

}  // namespace cliquet::protocol
