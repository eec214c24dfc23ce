// Helpers shared by the sealed-sender vector categories (certificates,
// sealed_sender_v1, sealed_sender_v2).
#pragma once

#include <algorithm>
#include <string>
#include <utility>

#include "cliquet/certificates.hpp"
#include "cliquet/keys.hpp"
#include "cliquet/sealed_sender.hpp"
#include "registry.hpp"

namespace cliquet::vectors::sealed {

// Yields exactly the bytes a vector fixes (an ephemeral key, a message
// secret, signing randomness), so sealing and signing are known answers.
class FixedRandom final : public RandomSource {
public:
    explicit FixedRandom(Bytes bytes) : bytes_(std::move(bytes)) {}
    void fill(std::span<std::uint8_t> out) override {
        if (out.size() > bytes_.size() - used_) throw Mismatch("the vector fixes too few random bytes");
        std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(used_), out.size(), out.begin());
        used_ += out.size();
    }
    bool exhausted() const noexcept { return used_ == bytes_.size(); }

private:
    Bytes bytes_;
    std::size_t used_ = 0;
};

inline IdentityKeyPair identity_param(const json& test, std::string_view name) {
    return IdentityKeyPair(PrivateKey::deserialize(hex_param(test, name)));
}

inline PublicKey public_key_param(const json& test, std::string_view name) {
    return PublicKey::deserialize(hex_param(test, name));
}

// Invalid cases say how they must be refused through their flags: these name
// a certificate that fails; anything else is a bad envelope.
inline ErrorCode expected_refusal(const json& test) {
    for (const char* flag : {"Expired", "ForeignTrustRoot", "RevokedKeyId", "MalformedCertificate"})
        if (has_flag(test, flag)) return ErrorCode::invalid_certificate;
    return ErrorCode::invalid_message;
}

// Open checks shared by versions 1 and 2: the recipient opens `ciphertext`;
// a valid case gives `content` (and, with a trust root, validates).
inline void check_open(const json& test, std::string_view ciphertext_field, int version) {
    const IdentityKeyPair recipient = identity_param(test, "recipientIdentityPrivate");
    const Bytes ciphertext = hex_param(test, ciphertext_field);
    const bool validate = test.contains("trustRoot");
    const auto open = [&] {
        if (!validate) return unseal_unvalidated(ciphertext, recipient);
        return unseal(ciphertext, recipient, public_key_param(test, "trustRoot"),
                      timestamp_from_unix_ms(uint_param(test, "timestamp")));
    };
    if (!is_valid(test)) {
        expect_refused([&] { (void)open(); }, expected_refusal(test));
        return;
    }
    const UnsealedContent opened = open();
    if (opened.version != version) throw Mismatch("opened as version " + std::to_string(opened.version));
    expect_equal("content", hex_param(test, "content"), opened.content.serialize());
}

// The well-known names of content types in the vectors and the peer protocol.
inline std::string content_type_name(CiphertextType type) {
    switch (type) {
        case CiphertextType::pre_key: return "prekey";
        case CiphertextType::whisper: return "whisper";
        case CiphertextType::sender_key: return "sender_key";
        case CiphertextType::plaintext: return "plaintext";
    }
    return "unknown";
}

inline Bytes flipped(Bytes bytes, std::size_t index, std::uint8_t mask = 0x01) {
    bytes.at(index) ^= mask;
    return bytes;
}

}  // namespace cliquet::vectors::sealed
