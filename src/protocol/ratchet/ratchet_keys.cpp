#include "protocol/ratchet/ratchet_keys.hpp"

#include <algorithm>
#include <string_view>

#include "cliquet/error.hpp"
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

MessageKeys MessageKeys::derive(const Key32& seed, std::uint32_t counter, const std::optional<Key32>& pq_salt) {
    SecretArray<80> okm;
    crypto::hkdf_sha256(okm.span(), seed.span(), pq_salt ? pq_salt->span() : ByteView(), as_bytes(kMessageKeysInfo));
    MessageKeys keys;
    std::copy_n(okm.data(), 32, keys.cipher_key.data());
    std::copy_n(okm.data() + 32, 32, keys.mac_key.data());
    std::copy_n(okm.data() + 64, 16, keys.iv.data());
    keys.counter = counter;
    return keys;
}

MessageKeys MessageKeySource::keys(const std::optional<Key32>& pq_salt) const {
    if (seed_) return MessageKeys::derive(*seed_, counter_, pq_salt);
    if (pq_salt) throw Error(ErrorCode::invalid_message, "a stored message key cannot take the message's SPQR key");
    return *keys_;
}

ChainKey ChainKey::next() const { return ChainKey(hmac_key(key_, kChainKeySeedByte), index_ + 1); }

Key32 ChainKey::message_key_seed() const { return hmac_key(key_, kMessageKeySeedByte); }

std::pair<MessageKeySource, ChainKey> ChainKey::step() const {
    const crypto::HmacSha256 keyed(key_.span());
    return {MessageKeySource::from_seed(hmac_key(keyed, kMessageKeySeedByte), index_),
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
    // PQXDH expands 96 bytes, the last 32 SPQR's auth key; X3DH 64.
    SecretArray<96> okm;
    const std::string_view info = pqxdh ? kPqxdhInfo : kX3dhInfo;
    const std::span<std::uint8_t> out = okm.span().first(pqxdh ? 96 : 64);
    crypto::hkdf_sha256(out, secret_input, {}, as_bytes(info));
    InitialKeys keys{RootKey(Key32(okm.span().first<32>())), ChainKey(Key32(okm.span().subspan<32, 32>()), 0), {}};
    if (pqxdh) keys.pq_auth_key.emplace(okm.span().last<32>());
    return keys;
}

}  // namespace cliquet::protocol
