// SessionCipher over a store with nothing but load and store (as an
// application's own may be) and over MemorySessionStore: messages flow, each
// success stores the record once, and a refused message or an untrusted
// identity stores nothing and leaves the stored record as it was.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "session_helpers.hpp"

using namespace cliquet;
using cliquet::testing::Device;
using cliquet::testing::error_of;

namespace {

// A session store with only load and store, as an application's own store
// may be. It keeps its records in a MemorySessionStore and counts the stores.
class CopyingSessionStore final : public SessionStore {
public:
    explicit CopyingSessionStore(MemorySessionStore& records) : records_(records) {}
    std::optional<SessionRecord> load_session(const ProtocolAddress& address) const override {
        return records_.load_session(address);
    }
    void store_session(const ProtocolAddress& address, SessionRecord record) override {
        ++stores;
        records_.store_session(address, std::move(record));
    }
    std::vector<std::uint32_t> session_device_ids(std::string_view name) const override {
        return records_.session_device_ids(name);
    }
    void delete_session(const ProtocolAddress& address) override { records_.delete_session(address); }
    std::size_t delete_all_sessions(std::string_view name) override { return records_.delete_all_sessions(name); }
    int stores = 0;

private:
    MemorySessionStore& records_;
};

// A device's MemoryProtocolStore seen through CopyingSessionStore.
class CopyingProtocolStore final : public ProtocolStore {
public:
    explicit CopyingProtocolStore(MemoryProtocolStore& inner) : inner_(inner), sessions_(inner.sessions()) {}
    IdentityKeyStore& identities() override { return inner_.identities(); }
    PreKeyStore& pre_keys() override { return inner_.pre_keys(); }
    SignedPreKeyStore& signed_pre_keys() override { return inner_.signed_pre_keys(); }
    KyberPreKeyStore& kyber_pre_keys() override { return inner_.kyber_pre_keys(); }
    CopyingSessionStore& sessions() override { return sessions_; }
    SenderKeyStore& sender_keys() override { return inner_.sender_keys(); }
    PreKeyMetadataStore& pre_key_metadata() override { return inner_.pre_key_metadata(); }

private:
    MemoryProtocolStore& inner_;
    CopyingSessionStore sessions_;
};

// Alice and Bob after Bob's answer: both send whisper messages.
struct Pair {
    Device alice{"alice", 11};
    Device bob{"bob", 22};
    Pair() {
        process_pre_key_bundle(*alice.store, bob.address, bob.bundle(5, 9, KyberPreKeyId{7}));
        REQUIRE(bob.decrypt_from(alice, alice.encrypt_to(bob, "hello")) == "hello");
        REQUIRE(alice.decrypt_from(bob, bob.encrypt_to(alice, "hi")) == "hi");
    }
};

std::string text_of(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

}  // namespace

TEST_CASE("SessionCipher through either store: messages flow, refusals change nothing", "[session][store]") {
    const bool in_place = GENERATE(true, false);
    INFO((in_place ? "MemorySessionStore" : "a store with only load and store"));
    Pair pair;
    Device& alice = pair.alice;
    Device& bob = pair.bob;
    CopyingProtocolStore copying(*bob.store);
    ProtocolStore& bob_store = in_place ? static_cast<ProtocolStore&>(*bob.store) : copying;
    SessionCipher bob_cipher(bob_store, bob.address, alice.address);

    const CiphertextMessage first = alice.encrypt_to(bob, "one");
    const CiphertextMessage second = alice.encrypt_to(bob, "two");
    CHECK(text_of(bob_cipher.decrypt(second.type, second.bytes)) == "two");
    const int stores_before = in_place ? 0 : 1;  // only the copying store counts
    CHECK(copying.sessions().stores == stores_before);

    // A bad MAC, a replay, and a message with no session: refused, nothing changed.
    std::string untouched = bob.snapshot();
    Bytes forged = first.bytes;
    forged.back() ^= 0x01;
    CHECK(error_of([&] { (void)bob_cipher.decrypt(first.type, forged); }) == ErrorCode::invalid_message);
    CHECK(error_of([&] { (void)bob_cipher.decrypt(second.type, second.bytes); }) == ErrorCode::duplicate_message);
    CHECK(error_of([&] {
              (void)SessionCipher(bob_store, bob.address, ProtocolAddress{"nobody", 1}).encrypt(as_bytes("x"));
          }) == ErrorCode::no_session);
    CHECK(error_of([&] {
              (void)SessionCipher(bob_store, bob.address, ProtocolAddress{"nobody", 1})
                  .decrypt(second.type, second.bytes);
          }) == ErrorCode::no_session);
    CHECK(bob.snapshot() == untouched);
    CHECK(copying.sessions().stores == stores_before);

    // Alice's identity is no longer the one Bob trusts: neither her message
    // nor Bob's encrypt may advance the session.
    const IdentityKey alice_identity = alice.identity().public_key();
    (void)bob.store->identities().save_identity(alice.address, IdentityKeyPair::generate().public_key());
    untouched = bob.snapshot();
    CHECK(error_of([&] { (void)bob_cipher.decrypt(first.type, first.bytes); }) == ErrorCode::untrusted_identity);
    CHECK(error_of([&] { (void)bob_cipher.encrypt(as_bytes("x")); }) == ErrorCode::untrusted_identity);
    CHECK(bob.snapshot() == untouched);
    CHECK(copying.sessions().stores == stores_before);

    // Trusted again: the skipped message still decrypts, and the session goes on both ways.
    (void)bob.store->identities().save_identity(alice.address, alice_identity);
    CHECK(text_of(bob_cipher.decrypt(first.type, first.bytes)) == "one");
    const CiphertextMessage reply = bob_cipher.encrypt(as_bytes("three"));
    CHECK(alice.decrypt_from(bob, reply) == "three");
    CHECK(copying.sessions().stores == (in_place ? 0 : 3));
}
