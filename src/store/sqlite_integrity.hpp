// Integrity of a SqliteStore's state as a whole, beyond each sealed value:
// which rows each table holds and in which version, authenticated under a
// key derived from the storage key, so that a row rolled back, deleted or
// added behind the store's back is refused when the file is opened. It also
// numbers the commits, for the rollback guard.
//
// Each row's version is the random nonce of its sealed value: new on every
// write, and bound to the value by the seal. A row contributes a term, a
// keyed PRF of its place (table and key), that nonce and its columns kept in
// clear; a table's sum is the XOR of its rows' terms, updated per write in
// constant time. Sums never leave memory: the file keeps, per table, the row
// count and a MAC of the sum, and a MAC over the commit number and every
// table's entry. Without a storage key none of this is authenticated, and
// only the commit number is kept, for the guard (docs/storage.md).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "cliquet/bytes.hpp"
#include "crypto/hash.hpp"
#include "store/sqlite_sealing.hpp"

namespace cliquet::store {

// The tables whose rows the state covers, in its order. The local_device row
// is bound by its seal's associated data instead, and meta's rows by the
// storage key check and the database id every seal names.
enum class Tracked : std::uint8_t {
    identities,
    pre_keys,
    signed_pre_keys,
    kyber_pre_keys,
    kyber_base_keys_used,
    pre_key_metadata,
    sessions,
    sender_keys,
};
inline constexpr std::size_t kTrackedTables = 8;

// A row's columns kept in clear, as its term covers them: each an integer
// or NULL, tagged, at most five.
class ClearColumns {
public:
    ClearColumns() = default;
    ClearColumns(std::initializer_list<std::optional<std::int64_t>> values) {
        for (const auto& value : values) add(value);
    }
    void add(std::optional<std::int64_t> value);
    ByteView bytes() const noexcept { return ByteView(bytes_.data(), size_); }

private:
    std::array<std::uint8_t, 5 * 9> bytes_{};
    std::size_t size_ = 0;
};

// One version of one row: its stored value, of which only the seal's nonce
// counts (nothing for tables with no sealed value), and its columns kept in
// clear.
struct RowVersion {
    ByteView stored;
    ByteView clear;
};

// A copy of a row's version that outlives the statement it was read with.
class KeptVersion {
public:
    explicit KeptVersion(ByteView stored, const ClearColumns& clear = {}) noexcept
        : size_(std::min(stored.size(), nonce_.size())), clear_(clear) {
        std::copy_n(stored.begin(), size_, nonce_.begin());
    }
    RowVersion view() const noexcept { return {ByteView(nonce_.data(), size_), clear_.bytes()}; }

private:
    std::array<std::uint8_t, 24> nonce_{};
    std::size_t size_;
    ClearColumns clear_;
};

struct TableState {
    std::uint64_t rows = 0;
    SecretArray<32> sum;        // XOR of the terms of the rows
    crypto::Sha256Digest tag{};  // MAC of rows and sum, kept up to date
};

struct StoreState {
    std::uint64_t commit = 0;
    std::array<TableState, kTrackedTables> tables{};
};

// What the open-time check found wrong, for the message.
enum class Tampering { none, row_deleted, row_added, row_replaced };

class Integrity {
public:
    // No storage key: nothing is authenticated; only commits are numbered.
    Integrity() = default;
    // Keys derived with HKDF-SHA256 from the storage key, salted with the
    // database id.
    Integrity(std::span<const std::uint8_t, 32> storage_key, const DatabaseId& id);

    bool authenticated() const noexcept { return keys_.has_value(); }

    // The term a row contributes; all zero when not authenticated.
    SecretArray<32> term(const RowPlace& place, const RowVersion& version) const;

    // A row of `table` at `place` went from `before` to `after`, either of
    // which may be absent. Call after the write succeeded.
    void replace(Tracked table, const RowPlace& place, const std::optional<KeptVersion>& before,
                 const std::optional<RowVersion>& after);

    // The state as of the last commit, and as the writes since have changed it.
    const StoreState& committed() const noexcept { return committed_; }
    bool changed() const noexcept { return changed_; }

    // Transactions: the state of a unit, and of each savepoint in it, is
    // undone with the unit.
    void savepoint() { savepoints_.push_back({pending_, changed_}); }
    void release_savepoint() { savepoints_.pop_back(); }
    void rollback_to_savepoint();
    void rollback();
    // The record of the pending state, numbered as the next commit, to be
    // written in the transaction that commits it; then committed() once the
    // commit has landed.
    Bytes next_record();
    void commit();
    // Numbers the next commit after `commit` (with the guard: a new store
    // starts after the number it holds, and a store recovered from a
    // rollback continues past it).
    void continue_after(std::uint64_t commit);

    // The record stored in the file: parsed, its MAC checked, and taken as
    // the committed state, whose sums are not known until adopt_scan.
    // Refuses a malformed or altered record with Error(storage).
    void load_record(ByteView record);
    // A state with the same keys and no rows, for the open-time scan to add
    // every row's term to.
    Integrity empty_like() const;
    // Takes the scanned state's rows as its own, keeping its commit number:
    // after a migration re-sealed every row.
    void adopt_rows(const Integrity& scanned);
    // After load_record: compares the scanned state with the record. When
    // they agree, adopts the scanned sums and returns none; otherwise says
    // what differs and sets `table` to the first table that does.
    Tampering adopt_scan(const Integrity& scanned, Tracked& table);

private:
    struct Keys {
        crypto::HmacSha256 rows;   // the terms
        crypto::HmacSha256 state;  // table tags and the record's MAC
    };
    crypto::Sha256Digest table_tag(std::size_t index, const TableState& table) const;
    crypto::Sha256Digest record_mac(ByteView body) const;

    std::optional<Keys> keys_;
    StoreState committed_;
    StoreState pending_;
    bool changed_ = false;
    // Tables whose tags are to be recomputed before the next record: all of
    // them until a record is loaded or made.
    std::array<bool, kTrackedTables> dirty_ = [] {
        std::array<bool, kTrackedTables> all{};
        all.fill(true);
        return all;
    }();
    struct Savepoint {
        StoreState state;
        bool changed;
    };
    std::vector<Savepoint> savepoints_;
};

}  // namespace cliquet::store
