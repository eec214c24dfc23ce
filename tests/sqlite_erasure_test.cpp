// Deleted and replaced key material leaves the disk (issue 22, defect 4): no
// file SQLite keeps (the database, its write-ahead log, its shared-memory
// index) holds it once the call that deleted or replaced it has returned. The
// files are scanned while the store is still open, as a copy of the disk or a
// process killed at that instant would leave them, and again once it closed.
// Erasure::deferred, the documented opt-out, leaves them in the log; opening
// finishes the erasure a process killed between a commit and its checkpoint
// left undone.
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "cliquet/cliquet.hpp"
#include "cliquet/sender_keys.hpp"
#include "cliquet/session.hpp"
#include "cliquet/sqlite_store.hpp"
#include "session_helpers.hpp"
#include "sqlite_test_support.hpp"
#include "storage.pb.h"

using namespace cliquet;
using namespace cliquet::testing::sqlite;
using cliquet::testing::Device;
using cliquet::testing::publish_bundle;

namespace {

constexpr DistributionId kGroup = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
// Scans look for every 16-byte slice (overlapping by half) of a secret.
constexpr std::size_t kWindow = 16;

// The database and every file SQLite may keep beside it, end to end.
Bytes files_of(const std::string& path) {
    Bytes all;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        if (!std::filesystem::exists(path + suffix)) continue;
        const Bytes bytes = read_file(path + suffix);
        all.insert(all.end(), bytes.begin(), bytes.end());
    }
    return all;
}

// The value column of the one row `select` finds, as the file holds it
// (sealed, with a storage key). Read from a copy of the database and its log:
// the store keeps the file itself locked.
Bytes stored_value(const TempDir& dir, const std::string& path, const std::string& select) {
    const std::string copy = dir.file("copy.db");
    const auto remove_copy = [&] {
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(copy + suffix);
    };
    remove_copy();
    std::filesystem::copy_file(path, copy);
    if (std::filesystem::exists(path + "-wal")) std::filesystem::copy_file(path + "-wal", copy + "-wal");
    const Bytes value = query_blob(copy, select);
    remove_copy();
    return value;
}

Bytes bytes_of(const std::string& field) { return Bytes(field.begin(), field.end()); }

// The chain key of the newest receiving chain of Bob's session with `peer`.
Bytes receiving_chain_key(SqliteStore& store, const ProtocolAddress& peer) {
    const SecretBytes serialized = store.sessions().load_session(peer)->serialize();
    proto::storage::RecordStructure record;
    REQUIRE(record.ParseFromArray(serialized.data(), static_cast<int>(serialized.size())));
    REQUIRE(record.current_session().receiver_chains_size() > 0);
    return bytes_of(record.current_session().receiver_chains(0).chain_key().key());
}

// The chain key (seed) of the newest chain of a sender-key record.
Bytes sender_chain_seed(SqliteStore& store, const ProtocolAddress& sender) {
    const SecretBytes serialized = *store.sender_keys().load_sender_key(sender, kGroup);
    proto::storage::SenderKeyRecordStructure record;
    REQUIRE(record.ParseFromArray(serialized.data(), static_cast<int>(serialized.size())));
    REQUIRE(record.sender_key_states_size() > 0);
    return bytes_of(record.sender_key_states(0).sender_chain_key().seed());
}

// What must leave the disk when a secret is deleted or replaced: its own
// bytes, and with a storage key also the sealed value of the row that held it
// (the storage key would open it later).
struct Traces {
    std::string what;
    std::vector<Bytes> needles;
};

// Bob's database file, with or without a storage key, and scans of it.
class BobFiles {
public:
    explicit BobFiles(bool sealed) : sealed_(sealed) {
        if (sealed) options_ = with_key(random_storage_key());
    }

    const std::string& path() const noexcept { return path_; }
    SqliteStoreOptions options(Erasure erasure = Erasure::on_commit) const {
        SqliteStoreOptions out = options_;
        out.erasure = erasure;
        return out;
    }

    // The traces of `secret`, which the row `select` finds holds now.
    Traces traces(std::string what, ByteView secret, const std::string& select) const {
        Traces out{std::move(what), {Bytes(secret.begin(), secret.end())}};
        if (sealed_) out.needles.push_back(stored_value(dir_, path_, select));
        return out;
    }
    // Whether any file holds any of them.
    bool on_disk(const Traces& trace) const {
        INFO(trace.what);
        const Bytes files = files_of(path_);
        for (const Bytes& needle : trace.needles)
            if (contains_any_slice(files, needle, kWindow)) return true;
        return false;
    }

private:
    TempDir dir_;
    std::string path_ = dir_.file("bob.db");
    bool sealed_;
    SqliteStoreOptions options_;
};

// Bob's store with Alice's session started against his bundle (one-time
// pre-key 1, signed pre-key 2, last-resort Kyber pre-key 3) and a pre-key 4
// never used.
struct Conversation {
    BobFiles& files;
    LocalDevice device = bob_device();
    std::unique_ptr<SqliteStore> bob;
    Device alice{"alice", 7};

    Conversation(BobFiles& bob_files, Erasure erasure) : files(bob_files) {
        bob = SqliteStore::create(files.path(), device, files.options(erasure));
        process_pre_key_bundle(*alice.store, device.address,
                              publish_bundle(*bob, 1, 1, 2, 3, KyberPreKeyKind::last_resort));
        bob->pre_keys().store_pre_key(PreKeyRecord::generate(4));
    }

    CiphertextMessage from_alice(std::string_view text) {
        return SessionCipher(*alice.store, alice.address, device.address).encrypt(as_bytes(text));
    }
    void alice_sends(std::string_view text) {
        const auto message = from_alice(text);
        SessionCipher cipher(*bob, device.address, alice.address);
        const Bytes plaintext = cipher.decrypt(message.type, message.bytes);
        REQUIRE(std::string(plaintext.begin(), plaintext.end()) == text);
    }
    Traces used_pre_key() const {
        return files.traces("the one-time pre-key Alice's first message uses",
                            bob->pre_keys().load_pre_key(1)->key_pair().private_key.secret().span(),
                            "SELECT record FROM pre_keys WHERE id = 1");
    }
};

}  // namespace

TEST_CASE("no deleted or replaced key material survives in the database, its log or its index",
          "[sqlite][erasure]") {
    const bool sealed = GENERATE(false, true);
    INFO((sealed ? "with" : "without") << " a storage key");
    BobFiles files(sealed);
    Conversation conversation(files, Erasure::on_commit);
    SqliteStore& bob = *conversation.bob;
    const LocalDevice& device = conversation.device;
    std::vector<Traces> gone;

    // Each trace is seen on disk before, so that the scan can fail.
    // A one-time pre-key, removed when Alice's first message uses it.
    gone.push_back(conversation.used_pre_key());
    REQUIRE(files.on_disk(gone.back()));
    conversation.alice_sends("first");
    REQUIRE_FALSE(bob.pre_keys().load_pre_key(1));
    CHECK_FALSE(files.on_disk(gone.back()));

    // The receiving chain key her first message left, replaced by the next.
    gone.push_back(files.traces("a replaced session's old chain key",
                                receiving_chain_key(bob, conversation.alice.address),
                                "SELECT record FROM sessions WHERE name = 'alice'"));
    REQUIRE(files.on_disk(gone.back()));
    conversation.alice_sends("second");
    CHECK_FALSE(files.on_disk(gone.back()));

    // Bob's own sender-key chain, advanced by his group message.
    (void)create_sender_key_distribution_message(bob.sender_keys(), device.address, kGroup);
    gone.push_back(files.traces("a replaced sender key's old chain key", sender_chain_seed(bob, device.address),
                                "SELECT record FROM sender_keys"));
    REQUIRE(files.on_disk(gone.back()));
    (void)group_encrypt(bob.sender_keys(), device.address, kGroup, as_bytes("to the group"));
    CHECK_FALSE(files.on_disk(gone.back()));

    // A signed and a Kyber pre-key removed and stored anew under their ids
    // (a store never replaces a pre-key in place).
    gone.push_back(files.traces("a replaced signed pre-key",
                                bob.signed_pre_keys().load_signed_pre_key(2)->key_pair().private_key.secret().span(),
                                "SELECT record FROM signed_pre_keys WHERE id = 2"));
    REQUIRE(files.on_disk(gone.back()));
    bob.run_atomically([&] {
        bob.signed_pre_keys().remove_signed_pre_key(2);
        bob.signed_pre_keys().store_signed_pre_key(
            SignedPreKeyRecord::generate(2, device.identity, timestamp_from_unix_ms(2000)));
    });
    CHECK_FALSE(files.on_disk(gone.back()));
    gone.push_back(files.traces("a replaced Kyber pre-key",
                                bob.kyber_pre_keys().load_kyber_pre_key(3)->key_pair().secret_key.serialize().span(),
                                "SELECT record FROM kyber_pre_keys WHERE id = 3"));
    REQUIRE(files.on_disk(gone.back()));
    bob.run_atomically([&] {
        bob.kyber_pre_keys().remove_kyber_pre_key(3);
        bob.kyber_pre_keys().store_kyber_pre_key(KyberPreKeyRecord::generate(3, device.identity, timestamp_from_unix_ms(2000)),
                                                 KyberPreKeyKind::last_resort);
    });
    CHECK_FALSE(files.on_disk(gone.back()));

    // A whole session and a whole sender key, deleted.
    gone.push_back(files.traces("a deleted session's chain key", receiving_chain_key(bob, conversation.alice.address),
                                "SELECT record FROM sessions WHERE name = 'alice'"));
    REQUIRE(files.on_disk(gone.back()));
    bob.sessions().delete_session(conversation.alice.address);
    CHECK_FALSE(files.on_disk(gone.back()));
    gone.push_back(files.traces("a deleted sender key's chain key", sender_chain_seed(bob, device.address),
                                "SELECT record FROM sender_keys"));
    REQUIRE(files.on_disk(gone.back()));
    bob.sender_keys().delete_sender_key(device.address, kGroup);
    CHECK_FALSE(files.on_disk(gone.back()));

    // What the store still holds is on disk.
    CHECK(files.on_disk(files.traces("a pre-key still held",
                                     bob.pre_keys().load_pre_key(4)->key_pair().private_key.secret().span(),
                                     "SELECT record FROM pre_keys WHERE id = 4")));

    // Nothing comes back when the store closes.
    conversation.bob.reset();
    for (const Traces& trace : gone) CHECK_FALSE(files.on_disk(trace));
}

TEST_CASE("with Erasure::deferred a used pre-key stays in the log until the store closes", "[sqlite][erasure]") {
    const bool sealed = GENERATE(false, true);
    INFO((sealed ? "with" : "without") << " a storage key");
    BobFiles files(sealed);
    Conversation conversation(files, Erasure::deferred);
    const Traces used = conversation.used_pre_key();
    conversation.alice_sends("first");
    REQUIRE_FALSE(conversation.bob->pre_keys().load_pre_key(1));
    CHECK(files.on_disk(used));
    conversation.bob.reset();  // closing checkpoints and removes the log
    CHECK_FALSE(files.on_disk(used));
}

TEST_CASE("opening finishes the checkpoint a process killed after its commit left undone", "[sqlite][erasure]") {
    const bool sealed = GENERATE(false, true);
    INFO((sealed ? "with" : "without") << " a storage key");
    BobFiles files(sealed);
    Conversation conversation(files, Erasure::on_commit);
    const Traces used = conversation.used_pre_key();
    const CiphertextMessage first = conversation.from_alice("first");
    conversation.bob.reset();

    // A child decrypts the message, which removes the pre-key, and dies
    // without closing the store: its commit is in the log and the database
    // still holds the pages it replaced, as after a kill between a commit and
    // its checkpoint.
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        int status = 1;
        try {
            auto bob = SqliteStore::open(files.path(), files.options(Erasure::deferred));
            SessionCipher cipher(*bob, conversation.device.address, conversation.alice.address);
            (void)cipher.decrypt(first.type, first.bytes);
            status = bob->pre_keys().load_pre_key(1) ? 2 : 0;
            ::_exit(status);  // no destructor: nothing is checkpointed
        } catch (...) {
        }
        ::_exit(3);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    REQUIRE(files.on_disk(used));

    auto bob = SqliteStore::open(files.path(), files.options());
    CHECK_FALSE(files.on_disk(used));
    CHECK_FALSE(bob->pre_keys().load_pre_key(1));
}
