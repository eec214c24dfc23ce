// Stored records that another program could have written, crafted through the
// storage protobufs: session states whose skipped keys are in libsignal's
// older form (the keys themselves rather than their seed), sender-key records
// that are malformed or of a foreign version, and a Kyber pre-key record
// whose two keys are of different KEMs. What decodes must decrypt what it
// should; what is refused must be refused as `storage`, the store byte for
// byte as it was. (A stored key met with an SPQR key is
// session_pq_ratchet_test.cpp's.)
#include <catch2/catch.hpp>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cliquet/cliquet.hpp"
#include "cliquet/sender_keys.hpp"
#include "protocol/ratchet/ratchet_keys.hpp"
#include "protocol/wire/proto_util.hpp"
#include "session_helpers.hpp"
#include "storage.pb.h"

using namespace cliquet;
using cliquet::testing::Device;
using cliquet::testing::error_of;

namespace {

std::string text_of(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

std::string string_of(const SecretBytes& bytes) { return std::string(bytes.data(), bytes.data() + bytes.size()); }

// Alice has a version 3 session with Bob (no SPQR, as the sessions that
// stored such keys were), which Bob has answered; she then sends three
// messages, and Bob reads only the last, so that he keeps the keys of the
// first two.
struct Skipped {
    Device alice{"alice", 1111};
    Device bob{"bob", 2222};
    std::vector<CiphertextMessage> sent;

    Skipped() {
        cliquet::testing::start_answered(alice, bob, 3);
        for (const char* text : {"m0", "m1", "m2"}) sent.push_back(alice.encrypt_to(bob, text));
        REQUIRE(bob.decrypt_from(alice, sent[2]) == "m2");
    }

    proto::storage::RecordStructure bob_record() const {
        proto::storage::RecordStructure structure;
        REQUIRE(structure.ParseFromString(string_of(bob.store->sessions().load_session(alice.address)->serialize())));
        return structure;
    }
    void store_at_bob(const std::string& bytes) {
        bob.store->sessions().store_session(alice.address, SessionRecord::deserialize(as_bytes(bytes)));
    }
};

// Replaces every skipped key's seed by the cipher key, MAC key and IV it
// derives (unsalted), as libsignal wrote them before it kept seeds; returns
// how many keys it rewrote.
int to_stored_keys(proto::storage::RecordStructure& structure) {
    int rewritten = 0;
    for (auto& chain : *structure.mutable_current_session()->mutable_receiver_chains()) {
        for (auto& key : *chain.mutable_message_keys()) {
            REQUIRE(key.seed().size() == 32);
            const protocol::Key32 seed(protocol::view_of(key.seed()).first<32>());
            const protocol::MessageKeys keys = protocol::MessageKeys::derive(seed, key.index());
            key.set_cipher_key(keys.cipher_key.data(), keys.cipher_key.size());
            key.set_mac_key(keys.mac_key.data(), keys.mac_key.size());
            key.set_iv(keys.iv.data(), keys.iv.size());
            key.clear_seed();
            ++rewritten;
        }
    }
    return rewritten;
}

// The receiving chain that holds skipped keys (Bob holds one).
proto::storage::SessionStructure::Chain& chain_with_keys(proto::storage::RecordStructure& structure) {
    for (auto& chain : *structure.mutable_current_session()->mutable_receiver_chains())
        if (chain.message_keys_size() > 0) return chain;
    FAIL("no receiving chain holds skipped keys");
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("skipped keys in libsignal's older form decrypt their messages, and stay in that form",
          "[session][record][foreign]") {
    Skipped pair;
    proto::storage::RecordStructure structure = pair.bob_record();
    REQUIRE(to_stored_keys(structure) == 2);
    const std::string crafted = structure.SerializeAsString();
    // Read and written again, the record is the same bytes: the keys are
    // kept as they came.
    CHECK(string_of(SessionRecord::deserialize(as_bytes(crafted)).serialize()) == crafted);

    pair.store_at_bob(crafted);
    CHECK(pair.bob.decrypt_from(pair.alice, pair.sent[1]) == "m1");
    CHECK(error_of([&] { (void)pair.bob.decrypt_from(pair.alice, pair.sent[1]); }) == ErrorCode::duplicate_message);
    // The key left is still the stored keys, not a seed.
    proto::storage::RecordStructure after = pair.bob_record();
    const auto& kept = chain_with_keys(after).message_keys();
    REQUIRE(kept.size() == 1);
    CHECK(kept[0].index() == 0);
    CHECK(kept[0].seed().empty());
    CHECK(kept[0].cipher_key().size() == 32);
    CHECK(pair.bob.decrypt_from(pair.alice, pair.sent[0]) == "m0");
    // The conversation goes on.
    CHECK(pair.alice.decrypt_from(pair.bob, pair.bob.encrypt_to(pair.alice, "on")) == "on");
}

TEST_CASE("a skipped key of the wrong length in either form is refused as storage", "[session][record][foreign]") {
    Skipped pair;
    const std::string genuine = pair.bob.snapshot();
    const auto refused = [&](const std::function<void(proto::storage::SessionStructure::Chain::MessageKey&)>& damage) {
        proto::storage::RecordStructure structure = pair.bob_record();
        REQUIRE(to_stored_keys(structure) == 2);
        damage(*chain_with_keys(structure).mutable_message_keys(0));
        CHECK(error_of([&] { (void)SessionRecord::deserialize(as_bytes(structure.SerializeAsString())); }) ==
              ErrorCode::storage);
    };
    refused([](auto& key) { key.set_iv(std::string(15, '\x01')); });
    refused([](auto& key) { key.set_mac_key(std::string(33, '\x01')); });
    refused([](auto& key) { key.clear_cipher_key(); });
    refused([](auto& key) { key.set_seed(std::string(31, '\x01')); });
    CHECK(pair.bob.snapshot() == genuine);
}

namespace {

const ProtocolAddress kAlice{"alice", 1};
const DistributionId kGroup = {0xd1, 0x5d, 0x1b, 0x07, 0x9f, 0x4c, 0x4a, 0x1e,
                               0x8b, 0x2a, 0x3c, 0x44, 0x55, 0x66, 0x77, 0x88};

// Bob holds Alice's sender key, with the key of one message he skipped.
struct GroupAtBob {
    MemorySenderKeyStore alice;
    MemorySenderKeyStore bob;
    Bytes skipped;
    Bytes next;

    GroupAtBob() {
        const auto distribution = create_sender_key_distribution_message(alice, kAlice, kGroup);
        process_sender_key_distribution_message(bob, kAlice, distribution);
        skipped = group_encrypt(alice, kAlice, kGroup, as_bytes("skipped")).serialize();
        REQUIRE(text_of(group_decrypt(bob, kAlice, group_encrypt(alice, kAlice, kGroup, as_bytes("read")).serialize())) ==
                "read");
        next = group_encrypt(alice, kAlice, kGroup, as_bytes("next")).serialize();
    }

    proto::storage::SenderKeyRecordStructure bob_record() const {
        proto::storage::SenderKeyRecordStructure structure;
        const auto stored = bob.load_sender_key(kAlice, kGroup);
        REQUIRE(stored);
        REQUIRE(structure.ParseFromArray(stored->data(), static_cast<int>(stored->size())));
        REQUIRE(structure.sender_key_states_size() == 1);
        REQUIRE(structure.sender_key_states(0).sender_message_keys_size() == 1);
        return structure;
    }
};

}  // namespace

TEST_CASE("sender-key records another program could write: refused as storage, or read as they mean",
          "[sender_keys][record][foreign]") {
    GroupAtBob group;
    using State = proto::storage::SenderKeyStateStructure;
    const auto refused = [&](const std::function<void(proto::storage::SenderKeyRecordStructure&)>& damage) {
        proto::storage::SenderKeyRecordStructure structure = group.bob_record();
        damage(structure);
        const std::string bytes = structure.SerializeAsString();
        CHECK(error_of([&] { (void)SenderKeyRecord::deserialize(as_bytes(bytes)); }) == ErrorCode::storage);
        // Stored at Bob, it fails his decryption the same way, and stays as it was.
        MemorySenderKeyStore bob = group.bob;
        bob.store_sender_key(kAlice, kGroup, as_bytes(bytes));
        const std::string before = store_snapshot(bob);
        CHECK(error_of([&] { (void)group_decrypt(bob, kAlice, group.next); }) == ErrorCode::storage);
        CHECK(store_snapshot(bob) == before);
    };
    const auto state = [](proto::storage::SenderKeyRecordStructure& s) -> State& {
        return *s.mutable_sender_key_states(0);
    };

    SECTION("a foreign message version") { refused([&](auto& s) { state(s).set_message_version(4); }); }
    SECTION("no chain key") { refused([&](auto& s) { state(s).clear_sender_chain_key(); }); }
    SECTION("no signing key") { refused([&](auto& s) { state(s).clear_sender_signing_key(); }); }
    SECTION("a chain key or a message key seed that is not 32 bytes") {
        refused([&](auto& s) { state(s).mutable_sender_chain_key()->set_seed(std::string(31, '\x02')); });
        refused([&](auto& s) { state(s).mutable_sender_message_keys(0)->set_seed(std::string(33, '\x02')); });
    }
    SECTION("an unusable signing key, public or private") {
        refused([&](auto& s) { state(s).mutable_sender_signing_key()->set_public_(std::string(33, '\x07')); });
        refused([&](auto& s) { state(s).mutable_sender_signing_key()->set_private_(std::string(31, '\x07')); });
    }
    SECTION("more kept message keys than a chain may keep") {
        refused([&](auto& s) {
            for (std::uint32_t i = 0; i < kMaxSenderMessageKeys; ++i) {
                auto* key = state(s).add_sender_message_keys();
                key->set_iteration(1000 + i);
                key->set_seed(std::string(32, '\x03'));
            }
        });
    }
    SECTION("more chains than a record may hold") {
        refused([&](auto& s) {
            for (std::size_t i = 0; i < kMaxSenderKeyStates; ++i) {
                State& copy = *s.add_sender_key_states();
                copy = s.sender_key_states(0);
                copy.set_chain_id(copy.chain_id() + 1 + static_cast<std::uint32_t>(i));
            }
        });
    }
    SECTION("message version 0, which old libsignal records hold, reads as the current one") {
        proto::storage::SenderKeyRecordStructure structure = group.bob_record();
        state(structure).set_message_version(0);
        MemorySenderKeyStore bob = group.bob;
        bob.store_sender_key(kAlice, kGroup, as_bytes(structure.SerializeAsString()));
        CHECK(text_of(group_decrypt(bob, kAlice, group.skipped)) == "skipped");
        CHECK(text_of(group_decrypt(bob, kAlice, group.next)) == "next");
        // Written again, the record carries the current version.
        const auto stored = bob.load_sender_key(kAlice, kGroup);
        REQUIRE(stored);
        proto::storage::SenderKeyRecordStructure written;
        REQUIRE(written.ParseFromArray(stored->data(), static_cast<int>(stored->size())));
        CHECK(written.sender_key_states(0).message_version() == kSenderKeyMessageVersion);
    }
}

TEST_CASE("a Kyber pre-key record whose two keys are of different KEMs is refused", "[pre_keys][record][foreign]") {
    const IdentityKeyPair identity = IdentityKeyPair::generate();
    const KyberPreKeyRecord kyber =
        KyberPreKeyRecord::generate(7, identity, cliquet::testing::kMadeAt, system_random(), KemType::kyber1024);
    const KyberPreKeyRecord mlkem =
        KyberPreKeyRecord::generate(7, identity, cliquet::testing::kMadeAt, system_random(), KemType::mlkem1024);
    proto::storage::SignedPreKeyRecordStructure structure;
    REQUIRE(structure.ParseFromString(string_of(kyber.serialize())));
    proto::storage::SignedPreKeyRecordStructure other;
    REQUIRE(other.ParseFromString(string_of(mlkem.serialize())));
    // Each record alone reads back as itself.
    CHECK(string_of(KyberPreKeyRecord::deserialize(as_bytes(structure.SerializeAsString())).serialize()) ==
          structure.SerializeAsString());
    structure.set_private_key(other.private_key());
    CHECK(error_of([&] { (void)KyberPreKeyRecord::deserialize(as_bytes(structure.SerializeAsString())); }) ==
          ErrorCode::storage);
}
