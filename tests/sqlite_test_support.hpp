// Helpers shared by the SqliteStore tests: scratch directories, the bytes of
// a file, storage keys, scans for secret bytes, and SQL run on a file
// directly, as someone tampering with it would. (A published bundle is
// session_helpers.hpp's publish_bundle.)
#pragma once

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "cliquet/cliquet.hpp"
#include "cliquet/sqlite_store.hpp"

namespace cliquet::testing::sqlite {

// A directory of its own for each test, removed with everything in it.
class TempDir {
public:
    TempDir() {
        std::array<std::uint8_t, 8> name{};
        system_random().fill(name);
        path_ = std::filesystem::temp_directory_path() / ("cliquet-sqlite-" + to_hex(name));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

inline Bytes read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const std::string& path, ByteView bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Runs SQL on a file directly, as someone tampering with it would.
inline void tamper(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    char* message = nullptr;
    const int result = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
    const std::string error = message ? message : "";
    sqlite3_free(message);
    sqlite3_close(db);
    INFO(error);
    REQUIRE(result == SQLITE_OK);
}

inline std::int64_t query_integer(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
    const std::int64_t value = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return value;
}

// The one blob a statement returns, read directly from the file.
inline Bytes query_blob(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
    const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(statement, 0));
    Bytes value(data, data + sqlite3_column_bytes(statement, 0));
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return value;
}

// Every row of the file's `query`, one line each, columns separated by
// spaces: integers in decimal, text as it is, blobs in hex, NULL as "null".
inline std::string query_rows(const std::string& path, const std::string& query) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, query.c_str(), -1, &statement, nullptr) == SQLITE_OK);
    std::string rows;
    while (sqlite3_step(statement) == SQLITE_ROW) {
        for (int column = 0; column < sqlite3_column_count(statement); ++column) {
            if (column > 0) rows += ' ';
            switch (sqlite3_column_type(statement, column)) {
                case SQLITE_INTEGER: rows += std::to_string(sqlite3_column_int64(statement, column)); break;
                case SQLITE_BLOB: {
                    const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(statement, column));
                    rows += to_hex(ByteView(data, static_cast<std::size_t>(sqlite3_column_bytes(statement, column))));
                    break;
                }
                case SQLITE_NULL: rows += "null"; break;
                default: rows += reinterpret_cast<const char*>(sqlite3_column_text(statement, column)); break;
            }
        }
        rows += '\n';
    }
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return rows;
}

inline LocalDevice bob_device() { return LocalDevice{{"bob", 1}, IdentityKeyPair::generate(), 4242}; }

inline SqliteStoreOptions with_key(const StorageKey& key) {
    SqliteStoreOptions options;
    options.storage_key = key;
    return options;
}

inline StorageKey random_storage_key() {
    StorageKey key;
    system_random().fill(key.span());
    return key;
}

// Whether any `window`-byte slice of `needle` occurs in `haystack`.
inline bool contains_any_slice(const Bytes& haystack, ByteView needle, std::size_t window) {
    if (needle.size() < window) return false;
    for (std::size_t at = 0; at + window <= needle.size(); at += window / 2) {
        const auto slice = needle.subspan(at, window);
        if (std::search(haystack.begin(), haystack.end(), slice.begin(), slice.end()) != haystack.end()) return true;
    }
    return false;
}

}  // namespace cliquet::testing::sqlite
