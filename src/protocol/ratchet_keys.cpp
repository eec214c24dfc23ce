#include "protocol/ratchet_keys.hpp"

#include <algorithm>
#include <string_view>

#include "crypto/hash.hpp"

namespace cliquet::protocol {
namespace {

constexpr std::uint8_t kMessageKeySeedByte = 0x01;
constexpr std::uint8_t kChainKeySeedByte = 0x02;
constexpr std::string_view kRatchetInfo = "WhisperRatchet";
constexpr std::string_view kMessageKeysInfo = "WhisperMessageKeys";

Key32 hmac_key(const crypto::HmacSha256& keyed, std::uint8_t byte) {
    const std::uint8_t input[1] = {byte};
    Key32 out;
    keyed.mac_into(out.span(), {input});
    return out;
}

Key32 hmac_key(const Key32& key, std::uint8_t byte) { return hmac_key(crypto::HmacSha256(key.span()), byte); }

}  // namespace

MessageKeys MessageKeys::derive(const Key32& seed, std::uint32_t counter) {
    SecretArray<80> okm;
    crypto::hkdf_sha256(okm.span(), seed.span(), {}, as_bytes(kMessageKeysInfo));
    MessageKeys keys;
    std::copy_n(okm.data(), 32, keys.cipher_key.data());
    std::copy_n(okm.data() + 32, 32, keys.mac_key.data());
    std::copy_n(okm.data() + 64, 16, keys.iv.data());
    keys.counter = counter;
    return keys;
}

ChainKey ChainKey::next() const { return ChainKey(hmac_key(key_, kChainKeySeedByte), index_ + 1); }

Key32 ChainKey::message_key_seed() const { return hmac_key(key_, kMessageKeySeedByte); }

std::pair<MessageKeys, ChainKey> ChainKey::step() const {
    const crypto::HmacSha256 keyed(key_.span());
    return {MessageKeys::derive(hmac_key(keyed, kMessageKeySeedByte), index_),
            ChainKey(hmac_key(keyed, kChainKeySeedByte), index_ + 1)};
}

std::pair<RootKey, ChainKey> RootKey::create_chain(const PublicKey& their_ratchet_key,
                                                   const PrivateKey& our_ratchet_key) const {
    const Key32 shared = our_ratchet_key.agree(their_ratchet_key);
    SecretArray<64> okm;
    crypto::hkdf_sha256(okm.span(), shared.span(), key_.span(), as_bytes(kRatchetInfo));
    return {RootKey(Key32(okm.span().first<32>())), ChainKey(Key32(okm.span().last<32>()), 0)};
}

InitialKeys derive_initial_keys(ByteView secret_input, bool pqxdh) {
    // libsignal 0.90 expands 96 bytes under the PQXDH label, the last 32 for
    // SPQR; HKDF's output is prefix-stable, so the first 64 are the same.
    SecretArray<64> okm;
    const std::string_view info = pqxdh ? kPqxdhInfo : kX3dhInfo;
    crypto::hkdf_sha256(okm.span(), secret_input, {}, as_bytes(info));
    return {RootKey(Key32(okm.span().first<32>())), ChainKey(Key32(okm.span().last<32>()), 0)};
}

}  // namespace cliquet::protocol
