// Helpers shared by the SqliteStore tests: scratch directories, the bytes of
// a file, storage keys, a published bundle, and scans for secret bytes.
#pragma once

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

// Stores fresh pre-keys in `store` and returns their public bundle.
inline PreKeyBundle publish_bundle(ProtocolStore& store, std::uint32_t device_id, PreKeyId pre_key_id,
                                   SignedPreKeyId signed_id, KyberPreKeyId kyber_id) {
    const IdentityKeyPair& identity = store.identities().identity_key_pair();
    const auto signed_pre_key = SignedPreKeyRecord::generate(signed_id, identity, 1000);
    const auto pre_key = PreKeyRecord::generate(pre_key_id);
    const auto kyber = KyberPreKeyRecord::generate(kyber_id, identity, 1000);
    store.signed_pre_keys().store_signed_pre_key(signed_pre_key);
    store.pre_keys().store_pre_key(pre_key);
    store.kyber_pre_keys().store_kyber_pre_key(kyber);
    return PreKeyBundle{
        .registration_id = store.identities().local_registration_id(),
        .device_id = device_id,
        .pre_key_id = pre_key_id,
        .pre_key = pre_key.key_pair().public_key,
        .signed_pre_key_id = signed_id,
        .signed_pre_key = signed_pre_key.key_pair().public_key,
        .signed_pre_key_signature = signed_pre_key.signature(),
        .identity_key = identity.public_key(),
        .kyber_pre_key_id = kyber_id,
        .kyber_pre_key = kyber.key_pair().public_key,
        .kyber_pre_key_signature = kyber.signature(),
    };
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
