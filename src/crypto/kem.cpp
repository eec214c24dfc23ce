// include/cliquet/kem.hpp over the internal KEMs: the typed keys (with
// libsignal's type byte) and the raw entry points.
#include <string>

#include "cliquet/error.hpp"
#include "cliquet/kem.hpp"
#include "crypto/kem/kem.hpp"

namespace cliquet {
namespace {

using crypto::kem::KemVariant;

KemVariant variant_of(KemType type) {
    return type == KemType::kyber1024 ? KemVariant::kyber1024 : KemVariant::mlkem1024;
}

// The type named by a serialized value's first byte, or `code` if it names
// none of the types libsignal knows.
KemType parse_type(ByteView serialized, ErrorCode code, const char* what) {
    if (serialized.empty()) throw Error(code, std::string("empty ") + what);
    switch (serialized[0]) {
        case static_cast<std::uint8_t>(KemType::kyber1024): return KemType::kyber1024;
        case static_cast<std::uint8_t>(KemType::mlkem1024): return KemType::mlkem1024;
        default: throw Error(code, std::string("unknown KEM type ") + std::to_string(serialized[0]) + " in " + what);
    }
}

void require_length(ByteView serialized, std::size_t raw_size, ErrorCode code, const char* what) {
    if (serialized.size() != raw_size + 1)
        throw Error(code, std::string(what) + " has " + std::to_string(serialized.size()) + " bytes, expected " +
                              std::to_string(raw_size + 1));
}

template <typename Raw>
Bytes with_type_byte(KemType type, const Raw& raw) {
    Bytes out;
    out.reserve(raw.size() + 1);
    out.push_back(static_cast<std::uint8_t>(type));
    out.insert(out.end(), raw.begin(), raw.end());
    return out;
}

}  // namespace

KemPublicKey KemPublicKey::deserialize(ByteView serialized) {
    const KemType type = parse_type(serialized, ErrorCode::invalid_key, "KEM public key");
    require_length(serialized, crypto::kem::public_key_size(variant_of(type)), ErrorCode::invalid_key,
                   "KEM public key");
    return {type, Bytes(serialized.begin() + 1, serialized.end())};
}

Bytes KemPublicKey::serialize() const { return with_type_byte(type_, raw_); }

KemEncapsulation KemPublicKey::encapsulate(RandomSource& random) const {
    auto result = crypto::kem::encapsulate(variant_of(type_), raw_, random);
    return {with_type_byte(type_, result.ciphertext), result.shared_secret};
}

bool operator==(const KemPublicKey& a, const KemPublicKey& b) noexcept {
    return a.type_ == b.type_ && a.raw_ == b.raw_;
}

KemSecretKey KemSecretKey::deserialize(ByteView serialized) {
    const KemType type = parse_type(serialized, ErrorCode::invalid_key, "KEM secret key");
    require_length(serialized, crypto::kem::secret_key_size(variant_of(type)), ErrorCode::invalid_key,
                   "KEM secret key");
    return {type, SecretBytes(serialized.subspan(1))};
}

SecretBytes KemSecretKey::serialize() const {
    Bytes buffer = with_type_byte(type_, raw_.span());
    SecretBytes out(buffer);
    secure_wipe(buffer.data(), buffer.size());
    return out;
}

SecretArray<32> KemSecretKey::decapsulate(ByteView serialized_ciphertext) const {
    const KemType type = parse_type(serialized_ciphertext, ErrorCode::invalid_message, "KEM ciphertext");
    if (type != type_) throw Error(ErrorCode::invalid_message, "KEM ciphertext is not of the key's type");
    require_length(serialized_ciphertext, crypto::kem::ciphertext_size(variant_of(type)), ErrorCode::invalid_message,
                   "KEM ciphertext");
    return crypto::kem::decapsulate(variant_of(type_), raw_.span(), serialized_ciphertext.subspan(1));
}

KemKeyPair KemKeyPair::generate(KemType type, RandomSource& random) {
    auto pair = crypto::kem::keygen(variant_of(type), random);
    return {KemPublicKey(type, std::move(pair.public_key)), KemSecretKey(type, std::move(pair.secret_key))};
}

namespace {

KemVariant variant_of(RawKem kem) {
    switch (kem) {
        case RawKem::kyber1024: return KemVariant::kyber1024;
        case RawKem::mlkem768: return KemVariant::mlkem768;
        case RawKem::mlkem1024: return KemVariant::mlkem1024;
    }
    throw Error(ErrorCode::invalid_argument, "unknown KEM");
}

}  // namespace

RawKemKeyPair raw_kem_keygen(RawKem kem, std::span<const std::uint8_t, 64> seed) {
    auto pair = crypto::kem::keygen(variant_of(kem), seed);
    return {std::move(pair.public_key), std::move(pair.secret_key)};
}

RawKemEncapsulation raw_kem_encapsulate(RawKem kem, ByteView public_key, std::span<const std::uint8_t, 32> message) {
    auto result = crypto::kem::encapsulate(variant_of(kem), public_key, message);
    return {std::move(result.ciphertext), result.shared_secret};
}

SecretArray<32> raw_kem_decapsulate(RawKem kem, ByteView secret_key, ByteView ciphertext) {
    return crypto::kem::decapsulate(variant_of(kem), secret_key, ciphertext);
}

}  // namespace cliquet
