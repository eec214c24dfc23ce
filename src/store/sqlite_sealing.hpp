// Encryption at rest for SqliteStore: rows sealed with XChaCha20-Poly1305,
// bound by their associated data to the place they were written to.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "cliquet/bytes.hpp"

namespace cliquet::store {

inline constexpr std::size_t kDatabaseIdSize = 16;
using DatabaseId = std::array<std::uint8_t, kDatabaseIdSize>;

// Where a row lives: the database (its random id and schema version), the
// table and the row's primary key. Its bytes are the associated data of the
// row's seal, so a sealed value copied to another row, table or database,
// or read under another schema version, fails to open.
class RowPlace {
public:
    RowPlace(const DatabaseId& database_id, std::int64_t schema_version, std::string_view table);
    RowPlace& key(std::int64_t column);
    RowPlace& key(std::string_view column);
    RowPlace& key(ByteView column);

    ByteView bytes() const noexcept { return bytes_; }

private:
    Bytes bytes_;
};

// Turns the secret bytes of a row into what is stored, and back. Without a
// storage key the bytes are stored as they are.
class RowCodec {
public:
    // No encryption at rest.
    RowCodec() = default;
    // Encryption at rest under keys derived from `storage_key`.
    explicit RowCodec(std::span<const std::uint8_t, 32> storage_key);

    bool sealing() const noexcept { return sealing_key_.has_value(); }

    // What the database records to recognise the storage key without holding
    // anything that helps to find it: a keyed hash of the database id.
    SecretArray<32> key_check_value(const DatabaseId& database_id) const;

    // nonce (24 random bytes) || ciphertext || tag (16 bytes); or `plain`.
    SecretBytes encode(ByteView plain, const RowPlace& place) const;
    // A stored value that does not open under this key at this place is
    // Error(storage): the file was damaged, or the row was moved.
    SecretBytes decode(ByteView stored, const RowPlace& place) const;

    // What a key column that must be found by equality holds for `value`:
    // the value itself, or with a storage key a keyed BLAKE2b-256 of the
    // database id, the table and the value, so equal values still match and
    // the file does not show them. It names no schema version: a migration
    // keeps it as it is (and could not recompute it).
    Bytes lookup_value(ByteView value, const DatabaseId& database_id, std::string_view table) const;

private:
    std::optional<SecretArray<32>> sealing_key_;
    std::optional<SecretArray<32>> check_key_;
    std::optional<SecretArray<32>> lookup_key_;
};

}  // namespace cliquet::store
