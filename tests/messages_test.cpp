#include <catch2/catch.hpp>

#include "cliquet/messages.hpp"
#include "cliquet/error.hpp"
#include "wire.pb.h"

using namespace cliquet;

namespace {

const std::array<std::uint8_t, 32> kMacKey = [] {
    std::array<std::uint8_t, 32> key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i);
    return key;
}();

ErrorCode code_of_signal(const Bytes& bytes) {
    try {
        (void)SignalMessage::deserialize(bytes);
    } catch (const Error& e) {
        return e.code();
    }
    return ErrorCode::invalid_argument;  // "accepted", which no caller expects
}

ErrorCode code_of_pre_key(const Bytes& bytes) {
    try {
        (void)PreKeySignalMessage::deserialize(bytes);
    } catch (const Error& e) {
        return e.code();
    }
    return ErrorCode::invalid_argument;
}

Bytes framed(std::uint8_t version_byte, const std::string& body, bool with_mac) {
    Bytes out{version_byte};
    out.insert(out.end(), body.begin(), body.end());
    if (with_mac) out.insert(out.end(), kMessageMacSize, 0xaa);
    return out;
}

}  // namespace

TEST_CASE("signal messages round-trip and carry a MAC over both identities", "[messages]") {
    const auto ratchet = KeyPair::generate().public_key;
    const auto sender = IdentityKeyPair::generate().public_key();
    const auto receiver = IdentityKeyPair::generate().public_key();
    const Bytes body = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    for (int version : {3, 4}) {
        const auto message = SignalMessage::create(version, ratchet, 7, 3, body, sender, receiver, kMacKey);
        CHECK(message.serialize()[0] == (version == 3 ? 0x33 : 0x44));
        const auto parsed = SignalMessage::deserialize(message.serialize());
        CHECK(parsed.message_version() == version);
        CHECK(parsed.sender_ratchet_key() == ratchet);
        CHECK(parsed.counter() == 7);
        CHECK(parsed.previous_counter() == 3);
        CHECK(parsed.ciphertext() == body);
        CHECK(parsed.verify_mac(sender, receiver, kMacKey));
        CHECK_FALSE(parsed.verify_mac(receiver, sender, kMacKey));
        auto other_key = kMacKey;
        other_key[0] ^= 1;
        CHECK_FALSE(parsed.verify_mac(sender, receiver, other_key));
    }
}

TEST_CASE("malformed signal messages are invalid_message", "[messages]") {
    const auto ratchet = KeyPair::generate().public_key.serialize();
    proto::wire::SignalMessage complete;
    complete.set_ratchet_key(ratchet.data(), ratchet.size());
    complete.set_counter(1);
    complete.set_ciphertext("0123456789abcdef");
    const std::string good = complete.SerializeAsString();
    REQUIRE(code_of_signal(framed(0x33, good, true)) == ErrorCode::invalid_argument);  // the control parses

    CHECK(code_of_signal({}) == ErrorCode::invalid_message);
    CHECK(code_of_signal(framed(0x33, "", false)) == ErrorCode::invalid_message);
    CHECK(code_of_signal(framed(0x33, good, false)) == ErrorCode::invalid_message);  // without its MAC the body is cut short
    for (int version : {0x00, 0x13, 0x23, 0x53, 0xf3})
        CHECK(code_of_signal(framed(static_cast<std::uint8_t>(version), good, true)) == ErrorCode::invalid_message);
    CHECK(code_of_signal(framed(0x33, "\xff\xff\xff", true)) == ErrorCode::invalid_message);

    for (int missing = 0; missing < 3; ++missing) {
        proto::wire::SignalMessage partial = complete;
        if (missing == 0) partial.clear_ratchet_key();
        if (missing == 1) partial.clear_counter();
        if (missing == 2) partial.clear_ciphertext();
        CHECK(code_of_signal(framed(0x33, partial.SerializeAsString(), true)) == ErrorCode::invalid_message);
    }
    proto::wire::SignalMessage bad_key = complete;
    bad_key.set_ratchet_key(std::string(33, '\x06'));
    CHECK(code_of_signal(framed(0x33, bad_key.SerializeAsString(), true)) == ErrorCode::invalid_message);
    CHECK(code_of_signal(Bytes(5u << 20, 0x33)) == ErrorCode::invalid_message);
}

TEST_CASE("pre-key messages round-trip and refuse mismatched Kyber fields", "[messages]") {
    const auto identity = IdentityKeyPair::generate();
    const auto receiver = IdentityKeyPair::generate().public_key();
    const auto base = KeyPair::generate().public_key;
    const auto ratchet = KeyPair::generate().public_key;
    const Bytes body(16, 0x42);

    const auto inner3 = SignalMessage::create(3, ratchet, 0, 0, body, identity.public_key(), receiver, kMacKey);
    const auto v3 = PreKeySignalMessage::create(3, 1234, 5, 6, std::nullopt, base, identity.public_key(), inner3);
    const auto parsed3 = PreKeySignalMessage::deserialize(v3.serialize());
    CHECK(v3.serialize()[0] == 0x33);
    CHECK(parsed3.registration_id() == 1234);
    CHECK(parsed3.pre_key_id() == 5u);
    CHECK(parsed3.signed_pre_key_id() == 6);
    CHECK_FALSE(parsed3.kyber().has_value());
    CHECK(parsed3.base_key() == base);
    CHECK(parsed3.identity_key() == identity.public_key());
    CHECK(parsed3.message().serialize() == inner3.serialize());

    const auto inner4 = SignalMessage::create(4, ratchet, 0, 0, body, identity.public_key(), receiver, kMacKey);
    const KyberPayload kyber{9, Bytes(1569, 0x08)};
    const auto v4 = PreKeySignalMessage::create(4, 1, std::nullopt, 6, kyber, base, identity.public_key(), inner4);
    const auto parsed4 = PreKeySignalMessage::deserialize(v4.serialize());
    CHECK(v4.serialize()[0] == 0x44);
    CHECK_FALSE(parsed4.pre_key_id().has_value());
    REQUIRE(parsed4.kyber().has_value());
    CHECK(parsed4.kyber()->pre_key_id == 9);
    CHECK(parsed4.kyber()->ciphertext == kyber.ciphertext);

    // Structure checks on the raw protobuf.
    proto::wire::PreKeySignalMessage raw;
    REQUIRE(raw.ParseFromArray(v4.serialize().data() + 1, static_cast<int>(v4.serialize().size() - 1)));
    auto refuse = [&](auto mutate, std::uint8_t version_byte = 0x44) {
        proto::wire::PreKeySignalMessage changed = raw;
        mutate(changed);
        CHECK(code_of_pre_key(framed(version_byte, changed.SerializeAsString(), false)) == ErrorCode::invalid_message);
    };
    refuse([](auto& m) { m.clear_kyber_ciphertext(); });
    refuse([](auto& m) { m.clear_kyber_pre_key_id(); });
    refuse([](auto& m) { m.clear_kyber_pre_key_id(); m.clear_kyber_ciphertext(); });  // v4 without Kyber
    refuse([](auto&) {}, 0x34);                                                     // v3 with Kyber
    refuse([](auto& m) { m.clear_signed_pre_key_id(); });
    refuse([](auto& m) { m.clear_base_key(); });
    refuse([](auto& m) { m.clear_identity_key(); });
    refuse([](auto& m) { m.clear_message(); });
    refuse([](auto& m) { m.set_base_key("short"); });
    refuse([&](auto& m) { m.set_message(std::string(inner3.serialize().begin(), inner3.serialize().end())); });
    CHECK(code_of_pre_key({}) == ErrorCode::invalid_message);
    CHECK(code_of_pre_key({0x24, 0x08, 0x01}) == ErrorCode::invalid_message);
    CHECK(code_of_pre_key({0x44, 0xff, 0xff}) == ErrorCode::invalid_message);
    CHECK_THROWS_AS(PreKeySignalMessage::create(4, 1, std::nullopt, 6, std::nullopt, base, identity.public_key(), inner4),
                    Error);
}
