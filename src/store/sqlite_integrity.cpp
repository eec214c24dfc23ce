#include "store/sqlite_integrity.hpp"

#include <algorithm>
#include <stdexcept>

#include "cliquet/error.hpp"

namespace cliquet::store {
namespace {

// Record formats: commit number only (no storage key), or authenticated.
constexpr std::uint8_t kCountedFormat = 0;
constexpr std::uint8_t kAuthenticatedFormat = 1;
constexpr std::size_t kNonceSize = 24;
constexpr std::size_t kTableEntrySize = 8 + 32;
constexpr std::size_t kCountedSize = 1 + 8;
constexpr std::size_t kAuthenticatedSize = 1 + 8 + 1 + kTrackedTables * kTableEntrySize + 32;

void put_u64(Bytes& out, std::uint64_t value) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(value >> shift));
}

std::array<std::uint8_t, 8> u64_bytes(std::uint64_t value) {
    std::array<std::uint8_t, 8> out{};
    for (std::size_t i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(value >> (56 - 8 * i));
    return out;
}

std::uint64_t get_u64(ByteView in) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < 8; ++i) value = value << 8 | in[i];
    return value;
}

void xor_into(SecretArray<32>& sum, const SecretArray<32>& term) noexcept {
    for (std::size_t i = 0; i < sum.size(); ++i) sum.data()[i] ^= term.data()[i];
}

SecretArray<32> derive(std::span<const std::uint8_t, 32> storage_key, const DatabaseId& id, std::string_view info) {
    SecretArray<32> key;
    crypto::hkdf_sha256(key.span(), storage_key, id, as_bytes(info));
    return key;
}

[[noreturn]] void malformed() {
    throw Error(ErrorCode::storage, "integrity check failed: the integrity record is malformed (the file was altered)");
}

}  // namespace

void ClearColumns::add(std::optional<std::int64_t> value) {
    if (size_ + 9 > bytes_.size()) throw std::logic_error("more clear columns than a row has");
    bytes_[size_++] = value ? 1 : 0;
    if (!value) return;
    const auto bytes = u64_bytes(static_cast<std::uint64_t>(*value));
    std::copy(bytes.begin(), bytes.end(), bytes_.begin() + static_cast<std::ptrdiff_t>(size_));
    size_ += bytes.size();
}

Integrity::Integrity(std::span<const std::uint8_t, 32> storage_key, const DatabaseId& id)
    : keys_(Keys{crypto::HmacSha256(derive(storage_key, id, "cliquet sqlite integrity: rows").span()),
                 crypto::HmacSha256(derive(storage_key, id, "cliquet sqlite integrity: state").span())}) {}

SecretArray<32> Integrity::term(const RowPlace& place, const RowVersion& version) const {
    SecretArray<32> term;
    if (!keys_) return term;
    // The seal's nonce; a damaged value shorter than one counts as it is
    // (and fails to open when read).
    const ByteView nonce = version.stored.first(std::min(version.stored.size(), kNonceSize));
    const std::array<std::uint8_t, 1> nonce_size{static_cast<std::uint8_t>(nonce.size())};
    keys_->rows.mac_into(term.span(), {place.bytes(), nonce_size, nonce, version.clear});
    return term;
}

void Integrity::replace(Tracked table, const RowPlace& place, const std::optional<KeptVersion>& before,
                        const std::optional<RowVersion>& after) {
    changed_ = true;
    if (!keys_) return;
    const auto index = static_cast<std::size_t>(table);
    TableState& state = pending_.tables[index];
    if (before) {
        xor_into(state.sum, term(place, before->view()));
        --state.rows;
    }
    if (after) {
        xor_into(state.sum, term(place, *after));
        ++state.rows;
    }
    dirty_[index] = true;
}

void Integrity::rollback_to_savepoint() {
    pending_ = savepoints_.back().state;
    changed_ = savepoints_.back().changed;
}

void Integrity::rollback() {
    pending_ = committed_;
    changed_ = false;
    savepoints_.clear();
}

crypto::Sha256Digest Integrity::table_tag(std::size_t index, const TableState& table) const {
    const std::array<std::uint8_t, 1> which{static_cast<std::uint8_t>(index)};
    const auto rows = u64_bytes(table.rows);
    return keys_->state.mac({as_bytes("table"), which, rows, table.sum.span()});
}

crypto::Sha256Digest Integrity::record_mac(ByteView body) const {
    return keys_->state.mac({as_bytes("record"), body});
}

Bytes Integrity::next_record() {
    pending_.commit = committed_.commit + 1;
    Bytes record;
    if (!keys_) {
        record.push_back(kCountedFormat);
        put_u64(record, pending_.commit);
        return record;
    }
    record.reserve(kAuthenticatedSize);
    record.push_back(kAuthenticatedFormat);
    put_u64(record, pending_.commit);
    record.push_back(static_cast<std::uint8_t>(kTrackedTables));
    for (std::size_t i = 0; i < kTrackedTables; ++i) {
        TableState& table = pending_.tables[i];
        if (dirty_[i]) table.tag = table_tag(i, table);
        put_u64(record, table.rows);
        record.insert(record.end(), table.tag.begin(), table.tag.end());
    }
    dirty_ = {};
    const auto mac = record_mac(record);
    record.insert(record.end(), mac.begin(), mac.end());
    return record;
}

void Integrity::commit() {
    committed_ = pending_;
    changed_ = false;
    savepoints_.clear();
}

void Integrity::continue_after(std::uint64_t commit) {
    committed_.commit = commit;
    pending_.commit = commit;
    changed_ = true;
}

void Integrity::load_record(ByteView record) {
    if (!keys_) {
        if (record.size() != kCountedSize || record[0] != kCountedFormat) malformed();
        committed_.commit = get_u64(record.subspan(1));
        pending_ = committed_;
        return;
    }
    if (record.size() != kAuthenticatedSize || record[0] != kAuthenticatedFormat || record[9] != kTrackedTables)
        malformed();
    const ByteView body = record.first(kAuthenticatedSize - 32);
    if (!constant_time_equal(record_mac(body), record.last(32)))
        throw Error(ErrorCode::storage,
                    "integrity check failed: the integrity record was altered or forged (the file was tampered with)");
    StoreState state;
    state.commit = get_u64(record.subspan(1));
    for (std::size_t i = 0; i < kTrackedTables; ++i) {
        const ByteView entry = record.subspan(10 + i * kTableEntrySize, kTableEntrySize);
        state.tables[i].rows = get_u64(entry);
        std::copy(entry.begin() + 8, entry.end(), state.tables[i].tag.begin());
    }
    committed_ = state;
    pending_ = state;
    dirty_ = {};
}

Integrity Integrity::empty_like() const {
    Integrity fresh;
    if (keys_) fresh.keys_.emplace(*keys_);
    return fresh;
}

void Integrity::adopt_rows(const Integrity& scanned) {
    pending_.tables = scanned.pending_.tables;
    dirty_.fill(true);
    changed_ = true;
}

Tampering Integrity::adopt_scan(const Integrity& scanned, Tracked& table) {
    if (!keys_) return Tampering::none;
    for (std::size_t i = 0; i < kTrackedTables; ++i) {
        const TableState& found = scanned.pending_.tables[i];
        const TableState& recorded = committed_.tables[i];
        table = static_cast<Tracked>(i);
        if (found.rows < recorded.rows) return Tampering::row_deleted;
        if (found.rows > recorded.rows) return Tampering::row_added;
        if (!constant_time_equal(table_tag(i, found), recorded.tag)) return Tampering::row_replaced;
    }
    for (std::size_t i = 0; i < kTrackedTables; ++i) committed_.tables[i].sum = scanned.pending_.tables[i].sum;
    pending_ = committed_;
    return Tampering::none;
}

}  // namespace cliquet::store
