// Every write path of SqliteStore, each as a call to make on a store opened
// from one kept file and a check of its effect: what the allocation-failure
// sweep (tests/alloc) and the storage-failure tests fail in turn. Each write
// can be made again on a fresh copy of the file, and changes something.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cliquet/cliquet.hpp"
#include "cliquet/sender_keys.hpp"
#include "cliquet/session.hpp"
#include "cliquet/sqlite_store.hpp"
#include "session_helpers.hpp"
#include "sqlite_test_support.hpp"

namespace cliquet::testing::sqlite {

// The application's trusted commit counter, in memory.
class MemoryGuard final : public RollbackGuard {
public:
    std::uint64_t last_commit() override { return value; }
    void record_commit(std::uint64_t commit) noexcept override { value = commit; }
    std::uint64_t value = 0;
};

// One write: `write` makes it (and may throw only what the store or the
// protocol throws), `check` that its effect is in the store.
struct WritePath {
    std::string name;
    std::function<void(SqliteStore&)> write;
    std::function<void(SqliteStore&)> check;
};

inline std::string text_of_bytes(ByteView bytes) { return std::string(bytes.begin(), bytes.end()); }

// Bob's store (sealed unless asked), with a rollback guard, kept as a
// closed file: a session
// with Alice that has gone both ways, one-time pre-key 2, signed pre-key 1,
// last-resort Kyber pre-key 1, and Alice's sender key. Alice's next whisper
// message, Carol's first (pre-key) message and Alice's next group message
// wait to be decrypted.
struct WritePathFixture {
    static constexpr DistributionId kGroup = {0x5e, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

    TempDir dir;
    std::string path = dir.file("bob.db");
    std::shared_ptr<MemoryGuard> guard = std::make_shared<MemoryGuard>();
    SqliteStoreOptions options = with_key(random_storage_key());
    LocalDevice bob = bob_device();
    Device alice{"alice", 7};
    Device carol{"carol", 8};
    CiphertextMessage whisper_from_alice;
    CiphertextMessage pre_key_message_from_carol;
    Bytes group_message_from_alice;  // serialized
    MemorySenderKeyStore alice_sender_keys;
    std::optional<CiphertextMessage> sent_to_alice;  // by the encrypt path
    // Records made once: Kyber key generation is slow.
    PreKeyRecord pre_key_10 = PreKeyRecord::generate(10);
    std::optional<SignedPreKeyRecord> signed_pre_key_2;
    std::optional<KyberPreKeyRecord> kyber_pre_key_2;
    PublicKey unused_base_key = IdentityKeyPair::generate().public_key();
    IdentityKey carol_new_identity = IdentityKeyPair::generate().public_key();

    Bytes kept_file;
    std::uint64_t kept_guard = 0;

    // `sealed`: with a storage key (the default), or without.
    explicit WritePathFixture(bool sealed = true) {
        if (!sealed) options.storage_key.reset();
        options.rollback_guard = guard;
        {
            auto store = SqliteStore::create(path, bob, options);
            const auto bundle = publish_bundle(*store, 1, 1, 1, 1, KyberPreKeyKind::last_resort);
            process_pre_key_bundle(*alice.store, bob.address, bundle);
            store->pre_keys().store_pre_key(PreKeyRecord::generate(2));
            const auto hello = alice_to_bob("hello");
            REQUIRE(text_of_bytes(cipher(*store, alice.address).decrypt(hello.type, hello.bytes)) == "hello");
            const auto reply = cipher(*store, alice.address).encrypt(as_bytes("hi"));
            REQUIRE(text_of_bytes(SessionCipher(*alice.store, alice.address, bob.address).decrypt(reply.type, reply.bytes)) ==
                    "hi");
            const IdentityKeyPair& identity = store->identities().identity_key_pair();
            signed_pre_key_2 = SignedPreKeyRecord::generate(2, identity, kMadeAt);
            kyber_pre_key_2 = KyberPreKeyRecord::generate(2, identity, kMadeAt);
            // Carol uses one-time pre-key 2 with the last-resort Kyber pre-key.
            auto carol_bundle = bundle;
            const auto pre_key_2 = store->pre_keys().load_pre_key(2);
            carol_bundle.pre_key_id = 2;
            carol_bundle.pre_key = pre_key_2->key_pair().public_key;
            process_pre_key_bundle(*carol.store, bob.address, carol_bundle);
            pre_key_message_from_carol = SessionCipher(*carol.store, carol.address, bob.address).encrypt(as_bytes("carol"));
            whisper_from_alice = alice_to_bob("whisper");
            // Alice's sender key, a message on it, and Bob holding it.
            const auto distribution = create_sender_key_distribution_message(alice_sender_keys, alice.address, kGroup);
            process_sender_key_distribution_message(store->sender_keys(), alice.address, distribution);
            group_message_from_alice =
                group_encrypt(alice_sender_keys, alice.address, kGroup, as_bytes("group")).serialize();
        }
        kept_file = read_file(path);
        kept_guard = guard->value;
    }

    // Bob's cipher to `peer`.
    SessionCipher cipher(SqliteStore& store, const ProtocolAddress& peer) const {
        return SessionCipher(store, bob.address, peer);
    }
    CiphertextMessage alice_to_bob(std::string_view text) {
        return SessionCipher(*alice.store, alice.address, bob.address).encrypt(as_bytes(text));
    }

    // Puts the kept file back, with its guard, as if no write had happened.
    void restore() {
        std::error_code ignored;
        std::filesystem::remove(path + "-wal", ignored);
        std::filesystem::remove(path + "-shm", ignored);
        write_file(path, kept_file);
        guard->value = kept_guard;
    }
    std::unique_ptr<SqliteStore> open() { return SqliteStore::open(path, options); }

    // Every write path of the store: the protocol's atomic units first, then
    // each store interface's writes.
    std::vector<WritePath> write_paths() {
        const ProtocolAddress dave{"dave", 1};
        std::vector<WritePath> paths;
        paths.push_back({"decrypt a whisper message",
                         [this](SqliteStore& s) {
                             (void)cipher(s, alice.address).decrypt(whisper_from_alice.type, whisper_from_alice.bytes);
                         },
                         [this](SqliteStore& s) {
                             CHECK(error_of([&] {
                                       (void)cipher(s, alice.address).decrypt(whisper_from_alice.type, whisper_from_alice.bytes);
                                   }) == ErrorCode::duplicate_message);
                         }});
        paths.push_back({"decrypt a pre-key message",
                         [this](SqliteStore& s) {
                             (void)cipher(s, carol.address)
                                 .decrypt(pre_key_message_from_carol.type, pre_key_message_from_carol.bytes);
                         },
                         [this](SqliteStore& s) {
                             CHECK_FALSE(s.pre_keys().load_pre_key(2));
                             CHECK(s.identities().identity(carol.address) == carol.identity().public_key());
                             CHECK(s.sessions().load_session(carol.address));
                         }});
        paths.push_back({"encrypt",
                         [this](SqliteStore& s) { sent_to_alice = cipher(s, alice.address).encrypt(as_bytes("sent")); },
                         [this](SqliteStore&) {
                             REQUIRE(sent_to_alice);
                             MemoryProtocolStore copy = *alice.store;
                             CHECK(text_of_bytes(SessionCipher(copy, alice.address, bob.address)
                                                     .decrypt(sent_to_alice->type, sent_to_alice->bytes)) == "sent");
                         }});
        paths.push_back({"group decrypt",
                         [this](SqliteStore& s) {
                             (void)group_decrypt(s.sender_keys(), alice.address, group_message_from_alice);
                         },
                         [this](SqliteStore& s) {
                             CHECK(error_of([&] {
                                       (void)group_decrypt(s.sender_keys(), alice.address, group_message_from_alice);
                                   }) == ErrorCode::duplicate_message);
                         }});
        paths.push_back({"an atomic unit of several writes",
                         [this](SqliteStore& s) {
                             s.run_atomically([&] {
                                 s.pre_keys().store_pre_key(pre_key_10);
                                 s.identities().save_identity(carol.address, carol_new_identity);
                                 s.sender_keys().store_sender_key(carol.address, kGroup, as_bytes("chain"));
                             });
                         },
                         [this](SqliteStore& s) {
                             CHECK(s.pre_keys().load_pre_key(10));
                             CHECK(s.identities().identity(carol.address) == carol_new_identity);
                             CHECK(s.sender_keys().load_sender_key(carol.address, kGroup));
                         }});
        paths.push_back({"store_pre_key", [this](SqliteStore& s) { s.pre_keys().store_pre_key(pre_key_10); },
                         [](SqliteStore& s) { CHECK(s.pre_keys().load_pre_key(10)); }});
        paths.push_back({"remove_pre_key", [](SqliteStore& s) { s.pre_keys().remove_pre_key(2); },
                         [](SqliteStore& s) { CHECK_FALSE(s.pre_keys().load_pre_key(2)); }});
        paths.push_back({"store_signed_pre_key",
                         [this](SqliteStore& s) { s.signed_pre_keys().store_signed_pre_key(*signed_pre_key_2); },
                         [](SqliteStore& s) { CHECK(s.signed_pre_keys().load_signed_pre_key(2)); }});
        paths.push_back({"remove_signed_pre_key", [](SqliteStore& s) { s.signed_pre_keys().remove_signed_pre_key(1); },
                         [](SqliteStore& s) { CHECK_FALSE(s.signed_pre_keys().load_signed_pre_key(1)); }});
        paths.push_back({"store_kyber_pre_key",
                         [this](SqliteStore& s) {
                             s.kyber_pre_keys().store_kyber_pre_key(*kyber_pre_key_2, KyberPreKeyKind::one_time);
                         },
                         [](SqliteStore& s) { CHECK(s.kyber_pre_keys().load_kyber_pre_key(2)); }});
        paths.push_back({"mark_kyber_pre_key_used",
                         [this](SqliteStore& s) { s.kyber_pre_keys().mark_kyber_pre_key_used(1, 1, unused_base_key); },
                         [this](SqliteStore& s) {
                             CHECK(error_of([&] { s.kyber_pre_keys().mark_kyber_pre_key_used(1, 1, unused_base_key); }) ==
                                   ErrorCode::invalid_message);
                         }});
        paths.push_back({"remove_kyber_pre_key", [](SqliteStore& s) { s.kyber_pre_keys().remove_kyber_pre_key(1); },
                         [](SqliteStore& s) { CHECK_FALSE(s.kyber_pre_keys().load_kyber_pre_key(1)); }});
        paths.push_back({"save_identity",
                         [this](SqliteStore& s) { s.identities().save_identity(carol.address, carol_new_identity); },
                         [this](SqliteStore& s) { CHECK(s.identities().identity(carol.address) == carol_new_identity); }});
        paths.push_back({"store_session", [dave](SqliteStore& s) { s.sessions().store_session(dave, SessionRecord()); },
                         [](SqliteStore& s) { CHECK(s.sessions().session_device_ids("dave").size() == 1); }});
        paths.push_back({"delete_session", [this](SqliteStore& s) { s.sessions().delete_session(alice.address); },
                         [this](SqliteStore& s) { CHECK_FALSE(s.sessions().load_session(alice.address)); }});
        paths.push_back({"delete_all_sessions", [](SqliteStore& s) { (void)s.sessions().delete_all_sessions("alice"); },
                         [](SqliteStore& s) { CHECK(s.sessions().session_device_ids("alice").empty()); }});
        paths.push_back({"store_sender_key",
                         [this](SqliteStore& s) {
                             s.sender_keys().store_sender_key(carol.address, kGroup, as_bytes("chain"));
                         },
                         [this](SqliteStore& s) { CHECK(s.sender_keys().load_sender_key(carol.address, kGroup)); }});
        paths.push_back({"delete_sender_key",
                         [this](SqliteStore& s) { s.sender_keys().delete_sender_key(alice.address, kGroup); },
                         [this](SqliteStore& s) { CHECK_FALSE(s.sender_keys().load_sender_key(alice.address, kGroup)); }});
        paths.push_back({"store_pre_key_metadata",
                         [](SqliteStore& s) {
                             s.pre_key_metadata().store_pre_key_metadata({.next_pre_key_id = 12,
                                                                          .next_signed_pre_key_id = 3,
                                                                          .next_kyber_pre_key_id = 4,
                                                                          .current_signed_pre_key_id = 2,
                                                                          .current_last_resort_kyber_pre_key_id = 1});
                         },
                         [](SqliteStore& s) {
                             const auto metadata = s.pre_key_metadata().load_pre_key_metadata();
                             REQUIRE(metadata);
                             CHECK(metadata->next_pre_key_id == 12);
                         }});
        return paths;
    }
};

}  // namespace cliquet::testing::sqlite
