// Data at rest: a database file truncated, or overwritten with random bytes,
// at 100 offsets drawn from a fixed seed. Opening it must refuse it with
// Error(storage), or reading it must report Error(storage), or what it reads
// must be exactly what the file held before: damage is never taken as valid
// state, and never crashes the process. With a storage key every value is
// authenticated and this holds whatever the damage; without one (documented
// in docs/storage.md) a damaged value that still parses cannot be told from
// a genuine one, so there the test only asks that nothing crashes and counts
// what was read.
#include <catch2/catch.hpp>

#include <iostream>
#include <random>
#include <string>

#include "cliquet/cliquet.hpp"
#include "cliquet/sqlite_store.hpp"
#include "sqlite_test_support.hpp"
#include "sqlite_write_paths.hpp"

using namespace cliquet;
using namespace cliquet::testing;
using namespace cliquet::testing::sqlite;

namespace {

// Everything a store holds about the fixture's contacts, through its public
// interfaces: equal dumps mean the same state.
std::string dump(SqliteStore& store) {
    std::string out = to_hex(store.identities().identity_key_pair().serialize().span()) + ";" +
                      std::to_string(store.identities().local_registration_id()) + ";" +
                      store.local_address().to_string() + ";";
    for (const PreKeyId id : store.pre_keys().pre_key_ids())
        out += "pre-key " + to_hex(store.pre_keys().load_pre_key(id).value().serialize().span()) + ";";
    for (const SignedPreKeyId id : store.signed_pre_keys().signed_pre_key_ids())
        out += "signed " + to_hex(store.signed_pre_keys().load_signed_pre_key(id).value().serialize().span()) + ";";
    for (const KyberPreKeyEntry& entry : store.kyber_pre_keys().kyber_pre_keys())
        out += "kyber " + std::to_string(static_cast<int>(entry.kind)) + " " +
               to_hex(store.kyber_pre_keys().load_kyber_pre_key(entry.id).value().serialize().span()) + ";";
    for (const std::string name : {"alice", "carol", "dave"}) {
        for (const std::uint32_t device : store.sessions().session_device_ids(name)) {
            const ProtocolAddress address{name, device};
            out += "session " + address.to_string() + " " +
                   to_hex(store.sessions().load_session(address).value().serialize().span()) + ";";
        }
        if (const auto key = store.identities().identity(ProtocolAddress{name, 1}))
            out += "identity " + name + " " + to_hex(key->serialize()) + ";";
    }
    for (const SenderKeyName& name : store.sender_keys().sender_key_names())
        out += "sender key " + name.sender.to_string() + " " + to_hex(name.distribution_id) + " " +
               to_hex(store.sender_keys().load_sender_key(name.sender, name.distribution_id).value().span()) + ";";
    if (const auto metadata = store.pre_key_metadata().load_pre_key_metadata())
        out += "metadata " + std::to_string(metadata->next_pre_key_id) + ";";
    return out;
}

}  // namespace

TEST_CASE("a database file truncated or damaged at 100 offsets is refused, reported, or read as it was",
          "[sqlite][robustness][damage]") {
    const bool sealed = GENERATE(true, false);
    WritePathFixture fixture(sealed);
    fixture.restore();
    const std::string original = dump(*fixture.open());
    const Bytes kept = fixture.kept_file;
    REQUIRE(kept.size() > 4096);

    std::mt19937_64 draw(sealed ? 20261206 : 20261207);
    std::size_t refused = 0, reported = 0, intact = 0, altered = 0;
    for (int i = 0; i < 100; ++i) {
        const std::size_t offset = draw() % kept.size();
        for (const bool truncate : {true, false}) {
            INFO((truncate ? "truncated at " : "overwritten at ") << offset);
            Bytes damaged = kept;
            if (truncate) {
                damaged.resize(offset);
            } else {
                // Eight random bytes, at least one of them changed.
                for (std::size_t at = offset; at < offset + 8 && at < damaged.size(); ++at)
                    damaged[at] = static_cast<std::uint8_t>(draw());
                if (std::equal(damaged.begin(), damaged.end(), kept.begin())) damaged[offset] ^= 0x80;
            }
            fixture.restore();
            write_file(fixture.path, damaged);
            std::unique_ptr<SqliteStore> store;
            try {
                store = fixture.open();
            } catch (const Error& e) {
                CHECK(e.code() == ErrorCode::storage);
                ++refused;
                continue;
            }
            try {
                const std::string read = dump(*store);
                if (read == original) {
                    ++intact;
                } else {
                    ++altered;
                    // With a storage key, damage is never read as state.
                    CHECK_FALSE(sealed);
                }
            } catch (const Error& e) {
                CHECK(e.code() == ErrorCode::storage);
                ++reported;
            }
        }
    }
    std::cout << "damage (" << (sealed ? "sealed" : "unsealed") << ", " << kept.size() << "-byte file, 200 cases): "
              << refused << " refused at open, " << reported << " reported on reading, " << intact
              << " read as before, " << altered << " read altered\n";
    CHECK(refused + reported + intact + altered == 200);
    CHECK(refused > 0);
}
