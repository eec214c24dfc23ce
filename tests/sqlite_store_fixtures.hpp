// Fixtures of the SqliteStore attack tests, beside sqlite_test_support.hpp:
// raw reads of a file as an attacker has them, a store's refusal to open a
// file, checked as those tests want it, and the kept version-1 files.
#pragma once

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "cliquet/cliquet.hpp"
#include "cliquet/sqlite_store.hpp"
#include "session_helpers.hpp"
#include "sqlite_test_support.hpp"

namespace cliquet::testing::sqlite {

// `bytes` as an SQL blob literal, for tamper().
inline std::string blob_literal(ByteView bytes) { return "X'" + to_hex(bytes) + "'"; }

// Opens `path`, which must be refused with Error(storage) and left as it
// was; returns the message.
inline std::string refusal_of(const std::string& path, const SqliteStoreOptions& options) {
    const Bytes before = read_file(path);
    std::string message = "opened";
    try {
        (void)SqliteStore::open(path, options);
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::storage);
        message = e.what();
    }
    CHECK(read_file(path) == before);
    return message;
}

// The application's trusted counter, in memory. `frozen` makes it miss
// records, as a guard that records only now and then does.
class CounterGuard final : public RollbackGuard {
public:
    std::uint64_t last_commit() override { return value; }
    void record_commit(std::uint64_t commit) noexcept override {
        recorded.push_back(commit);
        if (!frozen) value = commit;
    }

    std::uint64_t value = 0;
    bool frozen = false;
    std::vector<std::uint64_t> recorded;
};

// The kept files of schema version 1 (tests/data/make_v1_stores.cpp), and
// the storage key of the sealed one.
inline std::string kept_file(const std::string& name) { return CLIQUET_SOURCE_DIR "/tests/data/" + name; }

inline StorageKey kept_bob_key() {
    StorageKey key;
    for (std::size_t i = 0; i < key.size(); ++i) key.data()[i] = static_cast<std::uint8_t>(i + 1);
    return key;
}

}  // namespace cliquet::testing::sqlite
