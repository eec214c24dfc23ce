// Allocation failures in 1:1 sessions: every allocation of starting a
// session, and of encrypting and decrypting pre-key and whisper messages
// (version 3, and version 4 with SPQR), fails in turn. Each failure must be
// reported, leave the store as it was, and let the same call succeed next.
#include <catch2/catch.hpp>

#include <array>
#include <string>

#include "alloc_sweep.hpp"
#include "cliquet/cliquet.hpp"
#include "cliquet/session.hpp"
#include "cliquet_testing/deterministic_random.hpp"
#include "failing_new.hpp"
#include "session_helpers.hpp"

using namespace cliquet;
using namespace cliquet::testing;
using namespace cliquet::testing::alloc;

namespace {

// Each attempt draws the same bytes, so that every run of a call makes the
// same allocations in the same order.
constexpr std::array<std::uint8_t, 32> kSeed = {7, 7, 7};

std::string text_of(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

// Alice and Bob, who speak message version `version`; Bob has published a
// bundle (with a Kyber pre-key for version 4).
struct Pair {
    Device alice{"alice", 1111};
    Device bob{"bob", 2222};
    PreKeyBundle bundle;

    explicit Pair(int version)
        : bundle(bob.bundle(1, 2, version == 4 ? std::optional<KyberPreKeyId>(3) : std::nullopt)) {
        alice.allow_version(version);
        bob.allow_version(version);
    }

    SessionCipher cipher(MemoryProtocolStore& store, const Device& self, const Device& peer) const {
        return SessionCipher(store, self.address, peer.address, self.options);
    }
    // Alice has started the session; Bob has not heard from her.
    void start() { alice.start_session(bob.address, bundle); }
    // Alice's message, decrypted by Bob.
    void deliver_to_bob(const CiphertextMessage& message) {
        REQUIRE(!cipher(*bob.store, bob, alice).decrypt(message.type, message.bytes).empty());
    }
    // Bob's message, decrypted by Alice.
    void deliver_to_alice(const CiphertextMessage& message) {
        REQUIRE(!cipher(*alice.store, alice, bob).decrypt(message.type, message.bytes).empty());
    }
    // The session has gone both ways: Alice's next message is a whisper
    // message on a chain Bob has not seen.
    void answer() {
        deliver_to_bob(alice.encrypt_to(bob, "hello"));
        deliver_to_alice(bob.encrypt_to(alice, "hi"));
    }
};

// `message` decrypts, on a copy of `receiver`'s store, to `text`.
void check_delivers(const Pair& pair, const Device& receiver, const Device& sender, const CiphertextMessage& message,
                    const std::string& text) {
    MemoryProtocolStore store = *receiver.store;
    CHECK(text_of(pair.cipher(store, receiver, sender).decrypt(message.type, message.bytes)) == text);
}

// Sweeps SessionCipher::encrypt on copies of Alice's store: whatever fails,
// her store is unchanged, and the message of the call that goes through
// decrypts at Bob.
void sweep_encrypt(const std::string& name, Pair& pair, CiphertextType expected) {
    sweep_allocations(name, [&](std::size_t n) {
        MemoryProtocolStore store = *pair.alice.store;
        const std::string before = store_snapshot(store);
        DeterministicRandom random(kSeed);
        CiphertextMessage message;
        const Outcome outcome = call_failing_at(n, [&] {
            message = pair.cipher(store, pair.alice, pair.bob).encrypt(as_bytes("sweep"), random);
        });
        if (outcome.failed()) {
            CHECK(store_snapshot(store) == before);
            DeterministicRandom again(kSeed);
            message = pair.cipher(store, pair.alice, pair.bob).encrypt(as_bytes("sweep"), again);
        }
        CHECK(message.type == expected);
        check_delivers(pair, pair.bob, pair.alice, message, "sweep");
        return outcome;
    });
}

// Sweeps SessionCipher::decrypt of `message` on copies of Bob's store:
// whatever fails, his store is unchanged and the same message then
// decrypts; and the reply he sends after it decrypts at Alice.
void sweep_decrypt(const std::string& name, Pair& pair, const CiphertextMessage& message) {
    sweep_allocations(name, [&](std::size_t n) {
        MemoryProtocolStore store = *pair.bob.store;
        const std::string before = store_snapshot(store);
        DeterministicRandom random(kSeed);
        Bytes plaintext;
        const Outcome outcome = call_failing_at(n, [&] {
            plaintext = pair.cipher(store, pair.bob, pair.alice).decrypt(message.type, message.bytes, random);
        });
        if (outcome.failed()) {
            CHECK(store_snapshot(store) == before);
            DeterministicRandom again(kSeed);
            plaintext = pair.cipher(store, pair.bob, pair.alice).decrypt(message.type, message.bytes, again);
        }
        CHECK(text_of(plaintext) == "swept");
        const CiphertextMessage reply = pair.cipher(store, pair.bob, pair.alice).encrypt(as_bytes("reply"));
        check_delivers(pair, pair.alice, pair.bob, reply, "reply");
        return outcome;
    });
}

}  // namespace

TEST_CASE("an allocation failure anywhere in process_pre_key_bundle changes nothing", "[alloc][session]") {
    const int version = GENERATE(3, 4);
    Pair pair(version);
    sweep_allocations("process_pre_key_bundle v" + std::to_string(version), [&](std::size_t n) {
        MemoryProtocolStore store = *pair.alice.store;
        const std::string before = store_snapshot(store);
        DeterministicRandom random(kSeed);
        const Outcome outcome = call_failing_at(n, [&] {
            process_pre_key_bundle(store, pair.bob.address, pair.bundle, random, pair.alice.options);
        });
        if (outcome.failed()) {
            CHECK(store_snapshot(store) == before);
            DeterministicRandom again(kSeed);
            process_pre_key_bundle(store, pair.bob.address, pair.bundle, again, pair.alice.options);
        }
        const CiphertextMessage first = pair.cipher(store, pair.alice, pair.bob).encrypt(as_bytes("first"));
        check_delivers(pair, pair.bob, pair.alice, first, "first");
        return outcome;
    });
}

TEST_CASE("an allocation failure anywhere in encrypting a pre-key message changes nothing", "[alloc][session]") {
    const int version = GENERATE(3, 4);
    Pair pair(version);
    pair.start();
    sweep_encrypt("encrypt pre-key message v" + std::to_string(version), pair, CiphertextType::pre_key);
}

TEST_CASE("an allocation failure anywhere in decrypting a pre-key message changes nothing", "[alloc][session]") {
    const int version = GENERATE(3, 4);
    Pair pair(version);
    pair.start();
    const CiphertextMessage message = pair.alice.encrypt_to(pair.bob, "swept");
    REQUIRE(message.type == CiphertextType::pre_key);
    sweep_decrypt("decrypt pre-key message v" + std::to_string(version), pair, message);
}

TEST_CASE("an allocation failure anywhere in encrypting a whisper message changes nothing", "[alloc][session]") {
    const int version = GENERATE(3, 4);
    Pair pair(version);
    pair.start();
    pair.answer();
    sweep_encrypt("encrypt whisper message v" + std::to_string(version), pair, CiphertextType::whisper);
}

TEST_CASE("an allocation failure anywhere in decrypting a whisper message changes nothing", "[alloc][session]") {
    const int version = GENERATE(3, 4);
    Pair pair(version);
    pair.start();
    pair.answer();
    // The first message of Alice's new chain: Bob's decrypt steps the
    // Double Ratchet (and, in version 4, SPQR) forward.
    const CiphertextMessage message = pair.alice.encrypt_to(pair.bob, "swept");
    REQUIRE(message.type == CiphertextType::whisper);
    sweep_decrypt("decrypt whisper message v" + std::to_string(version), pair, message);
}
