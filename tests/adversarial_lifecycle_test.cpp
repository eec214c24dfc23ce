// Refusals on the paths of a key's and a session's life, as an attacker
// or a confused app would provoke them, on both stores: replays of pre-key
// messages (while the session is current, archived, and after it was
// deleted), a one-time Kyber key used twice, forged envelopes around a
// genuine message, stripped fields, unknown and reused ids, a stale session,
// a changed identity. Each must leave every byte of Bob's store as it was:
// the whole MemoryProtocolStore, or the SQLite file and its log.
#include <catch2/catch.hpp>

#include <memory>

#include "adversarial_helpers.hpp"
#include "cliquet/cliquet.hpp"
#include "session_helpers.hpp"
#include "sqlite_test_support.hpp"
#include "wire.pb.h"

using namespace cliquet;
using namespace cliquet::testing;
using namespace cliquet::testing::sqlite;
using adversarial::refusal;

namespace {

// Bob in memory or in a SQLite file, with the means to see every byte he holds.
class Bob {
public:
    explicit Bob(bool durable) : durable_(durable) {
        const IdentityKeyPair identity = IdentityKeyPair::generate();
        if (durable) {
            sqlite_ = SqliteStore::create(dir_.file("bob.db"), LocalDevice{address, identity, 2});
            store_ = sqlite_.get();
        } else {
            memory_ = std::make_unique<Device>("bob", 2);
            store_ = memory_->store.get();
        }
    }

    ProtocolStore& store() { return *store_; }
    const char* kind() const { return durable_ ? "SqliteStore" : "MemoryProtocolStore"; }

    // Everything Bob holds: the file and its write-ahead log (opened with
    // an exclusive lock, the store keeps no other file), or every map.
    std::string snapshot() {
        if (!memory_) {
            const std::string path = dir_.file("bob.db");
            return to_hex(read_file(path)) + "|" + to_hex(read_file(path + "-wal"));
        }
        return memory_->snapshot();
    }

    // Stores pre-keys under the ids and returns their bundle.
    PreKeyBundle bundle(std::optional<PreKeyId> pre_key_id, SignedPreKeyId signed_id, KyberPreKeyId kyber_id,
                        KyberPreKeyKind kind) {
        return publish_bundle(*store_, address.device_id, pre_key_id, signed_id, kyber_id, kind);
    }

    Bytes decrypt(const ProtocolAddress& from, ByteView pre_key_message) {
        return SessionCipher(*store_, address, from).decrypt(CiphertextType::pre_key, pre_key_message);
    }

    // Refused with `code`, and nothing Bob holds changed.
    void refuses(const ProtocolAddress& from, ByteView pre_key_message, ErrorCode code, const char* what) {
        INFO(what << ", " << kind());
        const std::string before = snapshot();
        CHECK(refusal([&] { (void)decrypt(from, pre_key_message); }) == code);
        CHECK(snapshot() == before);
    }

    const ProtocolAddress address{"bob", 1};

private:
    bool durable_;
    TempDir dir_;
    std::unique_ptr<SqliteStore> sqlite_;
    std::unique_ptr<Device> memory_;
    ProtocolStore* store_ = nullptr;
};

std::string text_of(ByteView bytes) { return std::string(bytes.begin(), bytes.end()); }

// Alice's first message to Bob on `bundle`.
Bytes first_message(Device& alice, const ProtocolAddress& bob, const PreKeyBundle& bundle, const char* text) {
    alice.start_session(bob, bundle);
    const CiphertextMessage message = SessionCipher(*alice.store, alice.address, bob).encrypt(as_bytes(text));
    REQUIRE(message.type == CiphertextType::pre_key);
    return message.bytes;
}

// The pre-key message `genuine` with its envelope rebuilt from `parts`,
// as anyone who sees it can.
Bytes rewrapped(ByteView genuine, const std::function<void(PreKeySignalMessage&, std::optional<KyberPayload>&,
                                                             PublicKey&, std::optional<std::uint32_t>&)>& edit) {
    PreKeySignalMessage message = PreKeySignalMessage::deserialize(genuine);
    std::optional<KyberPayload> kyber = message.kyber();
    PublicKey base_key = message.base_key();
    std::optional<std::uint32_t> pre_key_id = message.pre_key_id();
    edit(message, kyber, base_key, pre_key_id);
    return PreKeySignalMessage::create(message.message_version(), message.registration_id(), pre_key_id,
                                       message.signed_pre_key_id(), std::move(kyber), base_key, message.identity_key(),
                                       SignalMessage::deserialize(message.message().serialize()))
        .serialize();
}

}  // namespace

TEST_CASE("a replayed pre-key message is refused in every life of its session, and changes nothing",
          "[adversarial][lifecycle]") {
    Bob bob(GENERATE(false, true));
    Device alice("alice", 1);
    // A last-resort Kyber key and no one-time EC key: the replay rule that
    // remains once the session is gone is the Kyber store's.
    const PreKeyBundle last_resort = bob.bundle(std::nullopt, 1, 1, KyberPreKeyKind::last_resort);
    const Bytes hello = first_message(alice, bob.address, last_resort, "hello");
    CHECK(text_of(bob.decrypt(alice.address, hello)) == "hello");

    bob.refuses(alice.address, hello, ErrorCode::duplicate_message, "while its session is current");
    SessionRecord record = bob.store().sessions().load_session(alice.address).value();
    record.archive_current_state();
    bob.store().run_atomically([&] { bob.store().sessions().store_session(alice.address, std::move(record)); });
    bob.refuses(alice.address, hello, ErrorCode::duplicate_message, "while its session is archived");
    bob.store().run_atomically([&] { bob.store().sessions().delete_session(alice.address); });
    bob.refuses(alice.address, hello, ErrorCode::invalid_message, "after its session was deleted");
    try {
        (void)bob.decrypt(alice.address, hello);
    } catch (const Error& e) {
        CHECK(std::string(e.what()) == "reused base key");
    }

    // A fresh base key in the envelope dodges the rule only to fail: the
    // inner message was not made with it. Nothing is recorded for it, so
    // the genuine replay is still refused as reused.
    const Bytes fresh_base_key = rewrapped(hello, [](auto&, auto&, PublicKey& base_key, auto&) {
        base_key = KeyPair::generate().public_key;
    });
    bob.refuses(alice.address, fresh_base_key, ErrorCode::invalid_message, "the same message under a new base key");
    bob.refuses(alice.address, hello, ErrorCode::invalid_message, "the genuine replay after the forgery");

    // The last-resort key still serves a new sender.
    Device carol("carol", 3);
    const Bytes from_carol = first_message(carol, bob.address, last_resort, "hi");
    CHECK(text_of(bob.decrypt(carol.address, from_carol)) == "hi");
}

TEST_CASE("a one-time Kyber pre-key serves one sender only", "[adversarial][lifecycle]") {
    Bob bob(GENERATE(false, true));
    Device alice("alice", 1), carol("carol", 3);
    const PreKeyBundle bundle = bob.bundle(std::nullopt, 1, 5, KyberPreKeyKind::one_time);
    const Bytes from_alice = first_message(alice, bob.address, bundle, "alice");
    const Bytes from_carol = first_message(carol, bob.address, bundle, "carol");
    CHECK(text_of(bob.decrypt(alice.address, from_alice)) == "alice");
    CHECK_FALSE(bob.store().kyber_pre_keys().load_kyber_pre_key(5));
    bob.refuses(carol.address, from_carol, ErrorCode::invalid_pre_key, "a second sender on the one-time Kyber key");
    // Alice's own replay after her session is gone: the key is gone too.
    bob.store().run_atomically([&] { bob.store().sessions().delete_session(alice.address); });
    bob.refuses(alice.address, from_alice, ErrorCode::invalid_pre_key, "a replay once the one-time key is gone");
}

TEST_CASE("pre-key messages naming keys Bob does not hold, or stripped of one, change nothing",
          "[adversarial][lifecycle]") {
    Bob bob(GENERATE(false, true));
    Device alice("alice", 1);
    const Bytes hello =
        first_message(alice, bob.address, bob.bundle(4, 1, 1, KyberPreKeyKind::last_resort), "hello");

    bob.refuses(alice.address, rewrapped(hello, [](auto&, std::optional<KyberPayload>& kyber, auto&, auto&) {
                    kyber->pre_key_id = 99;
                }),
                ErrorCode::invalid_pre_key, "an unknown Kyber pre-key id");
    bob.refuses(alice.address, rewrapped(hello, [](auto&, auto&, auto&, std::optional<std::uint32_t>& id) { id = 99; }),
                ErrorCode::invalid_pre_key, "an unknown one-time pre-key id");
    bob.refuses(alice.address, rewrapped(hello, [](auto&, auto&, auto&, std::optional<std::uint32_t>& id) {
                    id.reset();
                }),
                ErrorCode::invalid_message, "the one-time pre-key id stripped");
    // Without its Kyber part a version-4 message is not a message at all.
    proto::wire::PreKeySignalMessage body;
    REQUIRE(body.ParseFromArray(hello.data() + 1, static_cast<int>(hello.size() - 1)));
    body.clear_kyber_pre_key_id();
    body.clear_kyber_ciphertext();
    Bytes stripped{hello[0]};
    const std::string encoded = body.SerializeAsString();
    stripped.insert(stripped.end(), encoded.begin(), encoded.end());
    bob.refuses(alice.address, stripped, ErrorCode::invalid_message, "the Kyber part stripped");
    CHECK(text_of(bob.decrypt(alice.address, hello)) == "hello");
}

TEST_CASE("storing a pre-key under an id already held is refused and changes nothing", "[adversarial][lifecycle]") {
    Bob bob(GENERATE(false, true));
    (void)bob.bundle(3, 3, 3, KyberPreKeyKind::one_time);
    const IdentityKeyPair& identity = bob.store().identities().identity_key_pair();
    const std::string before = bob.snapshot();
    INFO(bob.kind());
    CHECK(refusal([&] { bob.store().pre_keys().store_pre_key(PreKeyRecord::generate(3)); }) ==
          ErrorCode::invalid_argument);
    CHECK(refusal([&] {
              bob.store().signed_pre_keys().store_signed_pre_key(SignedPreKeyRecord::generate(3, identity, kMadeAt));
          }) == ErrorCode::invalid_argument);
    CHECK(refusal([&] {
              bob.store().kyber_pre_keys().store_kyber_pre_key(KyberPreKeyRecord::generate(3, identity, kMadeAt),
                                                               KyberPreKeyKind::last_resort);
          }) == ErrorCode::invalid_argument);
    // Inside an atomic unit too, after a write that succeeded: the unit is
    // undone (a SqliteStore rolls back; the library never orders a memory
    // store's writes this way, so only the durable store is held to it).
    if (std::string(bob.kind()) == "SqliteStore")
        CHECK(refusal([&] {
                  bob.store().run_atomically([&] {
                      bob.store().pre_keys().store_pre_key(PreKeyRecord::generate(4));
                      bob.store().pre_keys().store_pre_key(PreKeyRecord::generate(3));
                  });
              }) == ErrorCode::invalid_argument);
    CHECK(bob.snapshot() == before);
}

TEST_CASE("a stale session does not encrypt, and refusing changes nothing", "[adversarial][lifecycle]") {
    Bob bob(GENERATE(false, true));
    Timestamp now = kMadeAt;
    SessionOptions options;
    options.clock = [&] { return now; };
    // Bob starts a session with Alice, who never answers.
    Device alice("alice", 1);
    process_pre_key_bundle(bob.store(), alice.address, alice.bundle(1, 1, KyberPreKeyId{1}), system_random(), options);
    SessionCipher to_alice(bob.store(), bob.address, alice.address, options);
    now += std::chrono::days{30};
    CHECK(to_alice.encrypt(as_bytes("still fresh")).type == CiphertextType::pre_key);
    now += std::chrono::milliseconds{1};
    const std::string before = bob.snapshot();
    CHECK(refusal([&] { (void)to_alice.encrypt(as_bytes("stale")); }) == ErrorCode::no_session);
    CHECK(bob.snapshot() == before);
}

TEST_CASE("a changed identity is refused with the key it presented, and changes nothing", "[adversarial][lifecycle]") {
    Bob bob(GENERATE(false, true));
    Device alice("alice", 1);
    PreKeyBundle bundle = bob.bundle(1, 1, 1, KyberPreKeyKind::last_resort);
    const Bytes hello = first_message(alice, bob.address, bundle, "hi");
    CHECK(text_of(bob.decrypt(alice.address, hello)) == "hi");

    // Alice reinstalls: a new identity, a new session on the last-resort keys.
    Device reinstalled("alice", 7);
    bundle.pre_key_id.reset();
    bundle.pre_key.reset();
    const Bytes again = first_message(reinstalled, bob.address, bundle, "it's me");
    bob.refuses(reinstalled.address, again, ErrorCode::untrusted_identity, "a new identity for a known address");
    try {
        (void)bob.decrypt(reinstalled.address, again);
        FAIL("accepted");
    } catch (const UntrustedIdentityError& e) {
        CHECK(e.address() == reinstalled.address);
        CHECK(e.identity_key() == reinstalled.identity().public_key());
    }
    // The user accepts the new safety number: the app saves the key it was shown.
    CHECK(bob.store().identities().save_identity(reinstalled.address, reinstalled.identity().public_key()) ==
          IdentityChange::replaced);
    CHECK(text_of(bob.decrypt(reinstalled.address, again)) == "it's me");
}
