#include "protocol/spqr/authenticator.hpp"

#include <algorithm>
#include <string_view>

#include "cliquet/error.hpp"
#include "crypto/hash.hpp"
#include "protocol/spqr/kdf.hpp"

namespace cliquet::protocol::spqr {
namespace {

constexpr std::string_view kUpdateInfo = "Signal_PQCKA_V1_MLKEM768:Authenticator Update";
constexpr std::string_view kHeaderLabel = "Signal_PQCKA_V1_MLKEM768:ekheader";
constexpr std::string_view kCiphertextLabel = "Signal_PQCKA_V1_MLKEM768:ciphertext";

std::array<std::uint8_t, 8> big_endian(std::uint64_t value) {
    std::array<std::uint8_t, 8> out{};
    for (std::size_t i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(value >> (56 - 8 * i));
    return out;
}

Authenticator::Mac mac_of(const SecretArray<32>& key, std::string_view label, std::uint64_t epoch, ByteView data) {
    const auto epoch_bytes = big_endian(epoch);
    return crypto::HmacSha256(key.span()).mac({as_bytes(label), epoch_bytes, data});
}

void verify(const Authenticator::Mac& expected, ByteView mac, const char* what) {
    if (!constant_time_equal(expected, mac)) {
        throw Error(ErrorCode::invalid_message, std::string("SPQR authenticator: bad ") + what + " MAC");
    }
}

}  // namespace

Authenticator::Authenticator(ByteView auth_key, std::uint64_t epoch) { update(epoch, auth_key); }

void Authenticator::update(std::uint64_t epoch, ByteView secret) {
    SecretBytes ikm(root_key_.size() + secret.size());
    std::copy_n(root_key_.data(), root_key_.size(), ikm.data());
    std::copy(secret.begin(), secret.end(), ikm.data() + root_key_.size());
    const auto epoch_bytes = big_endian(epoch);
    std::array<std::uint8_t, kUpdateInfo.size() + 8> info{};
    std::copy(kUpdateInfo.begin(), kUpdateInfo.end(), info.begin());
    std::copy(epoch_bytes.begin(), epoch_bytes.end(), info.begin() + kUpdateInfo.size());
    SecretArray<64> okm;
    crypto::hkdf_sha256(okm.span(), ikm.span(), kZeroSalt, info);
    std::copy_n(okm.data(), 32, root_key_.data());
    std::copy_n(okm.data() + 32, 32, mac_key_.data());
}

Authenticator::Mac Authenticator::header_mac(std::uint64_t epoch, ByteView header) const {
    return mac_of(mac_key_, kHeaderLabel, epoch, header);
}

Authenticator::Mac Authenticator::ciphertext_mac(std::uint64_t epoch, ByteView ciphertext) const {
    return mac_of(mac_key_, kCiphertextLabel, epoch, ciphertext);
}

void Authenticator::verify_header(std::uint64_t epoch, ByteView header, ByteView mac) const {
    verify(header_mac(epoch, header), mac, "header");
}

void Authenticator::verify_ciphertext(std::uint64_t epoch, ByteView ciphertext, ByteView mac) const {
    verify(ciphertext_mac(epoch, ciphertext), mac, "ciphertext");
}

}  // namespace cliquet::protocol::spqr
