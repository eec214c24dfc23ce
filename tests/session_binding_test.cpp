// The first messages of a session name their sender and recipient under the
// MAC (libsignal's `addresses`, SignalMessage field 6), so a message cannot
// be replayed to another device or passed off as another sender's; and a
// session with another device of one's own account may jump further ahead.
#include <catch2/catch.hpp>

#include "protocol/ratchet/session_state.hpp"
#include "session_helpers.hpp"

using namespace cliquet;
using cliquet::testing::Device;
using cliquet::testing::error_of;

namespace {

const std::string kAliceAci = "9d0652a3-dcc3-4d11-975f-74d61598733f";
const std::string kBobAci = "4fcfe887-a600-40cd-9ab7-fd2a695e9981";
const std::string kMalloryAci = "30a3c7b9-2b33-4f40-bd77-6e5c3b3bd5e1";

SignalMessage inner_message(const CiphertextMessage& message) {
    if (message.type == CiphertextType::pre_key) return PreKeySignalMessage::deserialize(message.bytes).message();
    return SignalMessage::deserialize(message.bytes);
}

// What libsignal writes, spelled out byte by byte from its layout rather
// than through message_addresses(): kind 0 (ACI), the UUID, the device id;
// sender first.
Bytes expected_addresses(const std::string& sender, std::uint8_t sender_device, const std::string& recipient,
                         std::uint8_t recipient_device) {
    Bytes out;
    for (const auto& [name, device] : {std::pair{sender, sender_device}, std::pair{recipient, recipient_device}}) {
        std::string hex_digits;
        for (char c : name)
            if (c != '-') hex_digits.push_back(c);
        out.push_back(0x00);
        const Bytes uuid = from_hex(hex_digits);
        out.insert(out.end(), uuid.begin(), uuid.end());
        out.push_back(device);
    }
    return out;
}

// Moves the current sending chain `steps` messages ahead, as if those
// messages had been sent and lost.
void skip_ahead(Device& sender, const ProtocolAddress& to, std::uint32_t steps) {
    SessionRecord record = *sender.store->sessions().load_session(to);
    protocol::SessionState state = *record.data().current;
    protocol::ChainKey chain = state.sender_chain_key();
    for (std::uint32_t i = 0; i < steps; ++i) chain = chain.next();
    state.set_sender_chain_key(chain);
    record.data().current = std::make_shared<const protocol::SessionState>(std::move(state));
    sender.store->sessions().store_session(to, record);
}

}  // namespace

TEST_CASE("message_addresses writes service ids and device ids, or nothing", "[session][binding]") {
    const auto both = message_addresses({kAliceAci, 1}, {kBobAci, 7});
    REQUIRE(both);
    CHECK(Bytes(both->begin(), both->end()) == expected_addresses(kAliceAci, 1, kBobAci, 7));
    const auto pni = message_addresses({"PNI:" + kAliceAci, 2}, {kBobAci, 1});
    REQUIRE(pni);
    CHECK((*pni)[0] == 0x01);
    CHECK_FALSE(message_addresses({"alice", 1}, {kBobAci, 1}));
    CHECK_FALSE(message_addresses({kAliceAci, 1}, {"bob", 1}));
    CHECK_FALSE(message_addresses({kAliceAci, 0}, {kBobAci, 1}));
    CHECK_FALSE(message_addresses({kAliceAci, 256}, {kBobAci, 1}));
    CHECK(message_addresses({kAliceAci, 255}, {kBobAci, 1}));
}

TEST_CASE("pre-key messages name both ends, and only the named recipient accepts them", "[session][binding]") {
    Device alice(kAliceAci, 1), bob(kBobAci, 2);
    alice.start_session(bob.address, bob.bundle(1, 1, 1));
    const CiphertextMessage first = alice.encrypt_to(bob, "for bob, device 1");
    REQUIRE(first.type == CiphertextType::pre_key);
    const SignalMessage inner = inner_message(first);
    REQUIRE(inner.addresses());
    CHECK(*inner.addresses() == expected_addresses(kAliceAci, 1, kBobAci, 1));

    const std::string untouched = bob.snapshot();
    SECTION("replayed to another device of the recipient's account") {
        // The same keys under another device id: only the binding refuses it.
        const CiphertextMessage elsewhere = first;
        const auto refused = error_of([&] {
            (void)SessionCipher(*bob.store, ProtocolAddress{kBobAci, 2}, alice.address).decrypt(first.type, elsewhere.bytes);
        });
        CHECK(refused == ErrorCode::invalid_message);
    }
    SECTION("replayed to a recipient whose name is not a service id") {
        CHECK(error_of([&] {
                  (void)SessionCipher(*bob.store, ProtocolAddress{"bob", 1}, alice.address).decrypt(first.type, first.bytes);
              }) == ErrorCode::invalid_message);
    }
    SECTION("passed off as another sender's") {
        // Mallory is unknown to Bob, so trust on first use would accept
        // Alice's identity key for her; the binding names Alice.
        CHECK(error_of([&] {
                  (void)SessionCipher(*bob.store, bob.address, ProtocolAddress{kMalloryAci, 1})
                      .decrypt(first.type, first.bytes);
              }) == ErrorCode::invalid_message);
    }
    CHECK(bob.snapshot() == untouched);
    CHECK(bob.decrypt_from(alice, first) == "for bob, device 1");

    // Once Bob has answered, messages carry no addresses, as libsignal's.
    const CiphertextMessage reply = bob.encrypt_to(alice, "answered");
    CHECK(reply.type == CiphertextType::whisper);
    CHECK_FALSE(inner_message(reply).addresses());
    CHECK(alice.decrypt_from(bob, reply) == "answered");
    const CiphertextMessage next = alice.encrypt_to(bob, "whisper");
    CHECK_FALSE(inner_message(next).addresses());
    CHECK(bob.decrypt_from(alice, next) == "whisper");
}

TEST_CASE("names that are not service ids bind nothing, and unbound messages are accepted", "[session][binding]") {
    Device alice("alice", 1), bob("bob", 2);
    alice.start_session(bob.address, bob.bundle(1, 1, 1));
    const CiphertextMessage first = alice.encrypt_to(bob, "as older senders send");
    CHECK_FALSE(inner_message(first).addresses());
    CHECK(bob.decrypt_from(alice, first) == "as older senders send");
}

TEST_CASE("a session with another device of one's own account may jump beyond 25,000", "[session][binding]") {
    const std::uint32_t jump = protocol::kMaxForwardJumps + 100;
    SECTION("own account: the limit is lifted") {
        Device phone(kAliceAci, 1), laptop(kAliceAci, 1);
        laptop.address.device_id = 2;
        laptop.store = std::make_unique<MemoryProtocolStore>(phone.identity(), 77);
        laptop.start_session(phone.address, phone.bundle(1, 1, 1));
        REQUIRE(phone.decrypt_from(laptop, laptop.encrypt_to(phone, "linked")) == "linked");
        skip_ahead(laptop, phone.address, jump);
        CHECK(phone.decrypt_from(laptop, laptop.encrypt_to(phone, "after a long time offline")) ==
              "after a long time offline");
    }
    SECTION("same identity key under another account: the limit holds") {
        Device phone(kAliceAci, 1), other(kBobAci, 1);
        other.store = std::make_unique<MemoryProtocolStore>(phone.identity(), 77);
        other.start_session(phone.address, phone.bundle(1, 1, 1));
        REQUIRE(phone.decrypt_from(other, other.encrypt_to(phone, "hi")) == "hi");
        skip_ahead(other, phone.address, jump);
        const std::string untouched = phone.snapshot();
        CHECK_THROWS_WITH(phone.decrypt_from(other, other.encrypt_to(phone, "far")), Catch::Contains("jumps"));
        CHECK(phone.snapshot() == untouched);
    }
    SECTION("another identity key: the limit holds") {
        Device phone(kAliceAci, 1), bob(kBobAci, 1);
        bob.start_session(phone.address, phone.bundle(1, 1, 1));
        REQUIRE(phone.decrypt_from(bob, bob.encrypt_to(phone, "hi")) == "hi");
        skip_ahead(bob, phone.address, jump);
        CHECK_THROWS_WITH(phone.decrypt_from(bob, bob.encrypt_to(phone, "far")), Catch::Contains("jumps"));
    }
}
