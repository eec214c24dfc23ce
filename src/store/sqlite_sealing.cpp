#include "store/sqlite_sealing.hpp"

#include <sodium.h>

#include "cliquet/error.hpp"
#include "cliquet/random.hpp"

namespace cliquet::store {
namespace {

// crypto_kdf's context: eight characters naming what the keys are for.
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "cliqSqlt";
constexpr std::uint64_t kSealingKeyId = 1;
constexpr std::uint64_t kCheckKeyId = 2;
constexpr std::uint64_t kLookupKeyId = 3;

constexpr std::size_t kNonceSize = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagSize = crypto_aead_xchacha20poly1305_ietf_ABYTES;

SecretArray<32> derive(std::span<const std::uint8_t, 32> storage_key, std::uint64_t id) {
    static_assert(crypto_kdf_KEYBYTES == 32);
    (void)system_random();  // makes sure libsodium is initialised
    SecretArray<32> subkey;
    crypto_kdf_derive_from_key(subkey.data(), subkey.size(), id, kKdfContext, storage_key.data());
    return subkey;
}

void append_u32(Bytes& out, std::uint64_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(value >> shift));
}

}  // namespace

RowPlace::RowPlace(const DatabaseId& database_id, std::int64_t schema_version, std::string_view table) {
    constexpr std::string_view kLabel = "cliquet sqlite row";
    bytes_.assign(kLabel.begin(), kLabel.end());
    append_u32(bytes_, static_cast<std::uint64_t>(schema_version));
    bytes_.insert(bytes_.end(), database_id.begin(), database_id.end());
    key(as_bytes(table));
}

// Each column is tagged with its kind and, for variable ones, its length,
// so that no two different keys encode to the same bytes.
RowPlace& RowPlace::key(std::int64_t column) {
    bytes_.push_back('i');
    const auto value = static_cast<std::uint64_t>(column);
    for (int shift = 56; shift >= 0; shift -= 8) bytes_.push_back(static_cast<std::uint8_t>(value >> shift));
    return *this;
}

RowPlace& RowPlace::key(std::string_view column) {
    bytes_.push_back('t');
    append_u32(bytes_, column.size());
    bytes_.insert(bytes_.end(), column.begin(), column.end());
    return *this;
}

RowPlace& RowPlace::key(ByteView column) {
    bytes_.push_back('b');
    append_u32(bytes_, column.size());
    bytes_.insert(bytes_.end(), column.begin(), column.end());
    return *this;
}

RowCodec::RowCodec(std::span<const std::uint8_t, 32> storage_key)
    : sealing_key_(derive(storage_key, kSealingKeyId)),
      check_key_(derive(storage_key, kCheckKeyId)),
      lookup_key_(derive(storage_key, kLookupKeyId)) {}

SecretArray<32> RowCodec::key_check_value(const DatabaseId& database_id) const {
    SecretArray<32> check;
    if (!check_key_) return check;
    constexpr std::string_view kLabel = "cliquet storage key check";
    crypto_generichash_state state;
    crypto_generichash_init(&state, check_key_->data(), check_key_->size(), check.size());
    crypto_generichash_update(&state, as_bytes(kLabel).data(), kLabel.size());
    crypto_generichash_update(&state, database_id.data(), database_id.size());
    crypto_generichash_final(&state, check.data(), check.size());
    secure_wipe(&state, sizeof state);
    return check;
}

Bytes RowCodec::lookup_value(ByteView value, const DatabaseId& database_id, std::string_view table) const {
    if (!lookup_key_) return Bytes(value.begin(), value.end());
    constexpr std::string_view kLabel = "cliquet lookup value";
    RowPlace where(database_id, 0, table);  // version 0: bound to no schema version
    where.key(value);
    Bytes hash(32);
    crypto_generichash_state state;
    crypto_generichash_init(&state, lookup_key_->data(), lookup_key_->size(), hash.size());
    crypto_generichash_update(&state, as_bytes(kLabel).data(), kLabel.size());
    crypto_generichash_update(&state, where.bytes().data(), where.bytes().size());
    crypto_generichash_final(&state, hash.data(), hash.size());
    secure_wipe(&state, sizeof state);
    return hash;
}

SecretBytes RowCodec::encode(ByteView plain, const RowPlace& place) const {
    if (!sealing_key_) return SecretBytes(plain);
    SecretBytes sealed(kNonceSize + plain.size() + kTagSize);
    system_random().fill(sealed.span().first(kNonceSize));
    const ByteView associated = place.bytes();
    unsigned long long sealed_size = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(sealed.data() + kNonceSize, &sealed_size, plain.data(), plain.size(),
                                               associated.data(), associated.size(), nullptr, sealed.data(),
                                               sealing_key_->data());
    return sealed;
}

SecretBytes RowCodec::decode(ByteView stored, const RowPlace& place) const {
    if (!sealing_key_) return SecretBytes(stored);
    if (stored.size() < kNonceSize + kTagSize)
        throw Error(ErrorCode::storage, "a sealed row is too short: the database file is damaged");
    SecretBytes plain(stored.size() - kNonceSize - kTagSize);
    const ByteView associated = place.bytes();
    unsigned long long plain_size = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &plain_size, nullptr, stored.data() + kNonceSize,
                                                   stored.size() - kNonceSize, associated.data(), associated.size(),
                                                   stored.data(), sealing_key_->data()) != 0)
        throw Error(ErrorCode::storage, "a sealed row does not open: the database file was damaged or altered");
    return plain;
}

}  // namespace cliquet::store
