// Where libsignal's parser (prost) refuses a message that protobuf-lite
// alone would take, cliquet refuses it too: a field under another wire type
// than its own (protobuf-lite sets it aside as unknown), a field key past 32
// bits (protobuf-lite cuts it down), a string field occurrence that is not
// UTF-8 though a later one replaces it (protobuf-lite keeps the last). Found
// by the differential fuzzer (interop/fuzz/differential.js); each case is
// one of its minimized finds. A field number the message does not know is
// still skipped, whatever its wire type.
#include <catch2/catch.hpp>

#include <string>

#include "cliquet/certificates.hpp"
#include "cliquet/decryption_error.hpp"
#include "cliquet/error.hpp"
#include "cliquet/messages.hpp"
#include "cliquet/sealed_sender.hpp"
#include "protocol/wire/proto_util.hpp"
#include "sealed_sender.pb.h"
#include "wire.pb.h"

using namespace cliquet;

namespace {

constexpr std::uint8_t kVarint = 0;
constexpr std::uint8_t kFixed64 = 1;
constexpr std::uint8_t kLengthDelimited = 2;
constexpr std::uint8_t kFixed32 = 5;

// One field: its tag (number, wire type) and a value of that wire type.
std::string field(std::uint32_t number, std::uint8_t wire_type) {
    std::string out;
    for (std::uint64_t tag = (std::uint64_t{number} << 3) | wire_type;; tag >>= 7) {
        out.push_back(static_cast<char>((tag & 0x7f) | (tag >= 0x80 ? 0x80 : 0)));
        if (tag < 0x80) break;
    }
    switch (wire_type) {
        case kVarint: return out + '\x05';
        case kFixed64: return out + std::string(8, '\x01');
        case kLengthDelimited: return out + '\x02' + "ab";
        default: return out + std::string(4, '\x01');
    }
}

Bytes framed(std::uint8_t version, const std::string& body, std::size_t suffix = 0) {
    Bytes out{version};
    out.insert(out.end(), body.begin(), body.end());
    out.insert(out.end(), suffix, 0xaa);
    return out;
}

template <typename Parse>
bool parses(Parse parse) {
    try {
        parse();
        return true;
    } catch (const Error& e) {
        CHECK((e.code() == ErrorCode::invalid_message || e.code() == ErrorCode::invalid_certificate));
        return false;
    }
}

std::string pre_key_message_body() {
    const auto identity = IdentityKeyPair::generate();
    const auto ratchet = KeyPair::generate().public_key;
    const std::array<std::uint8_t, 32> mac_key{};
    const auto inner = SignalMessage::create(4, ratchet, 0, 0, Bytes(16, 0x42), identity.public_key(),
                                             IdentityKeyPair::generate().public_key(), mac_key);
    const auto message = PreKeySignalMessage::create(4, 77, 5, 6, KyberPayload{9, Bytes(1569, 0x08)},
                                                     KeyPair::generate().public_key, identity.public_key(), inner);
    const Bytes bytes = message.serialize();
    return std::string(bytes.begin() + 1, bytes.end());
}

}  // namespace

TEST_CASE("a pre-key message field under another wire type is refused, an unknown field skipped", "[messages][wire]") {
    const std::string body = pre_key_message_body();
    const auto parse = [](const std::string& b) { return parses([&] { (void)PreKeySignalMessage::deserialize(framed(0x44, b)); }); };
    REQUIRE(parse(body));
    // The fuzzer's finds: signed_pre_key_id (6) as fixed32, message (4) as a
    // varint, pre_key_id (1) as fixed64, base_key (2) as a varint,
    // registration_id (5) as fixed32, kyber_ciphertext (8) as fixed64.
    for (const auto& [number, wire_type] : {std::pair{6u, kFixed32}, {4u, kVarint}, {1u, kFixed64}, {2u, kVarint},
                                            {5u, kFixed32}, {8u, kFixed64}, {7u, kLengthDelimited}}) {
        INFO("field " << number << " under wire type " << int{wire_type});
        CHECK_FALSE(parse(body + field(number, wire_type)));
        CHECK_FALSE(parse(field(number, wire_type) + body));
    }
    for (const std::uint8_t wire_type : {kVarint, kFixed64, kLengthDelimited, kFixed32}) {
        CHECK(parse(body + field(9, wire_type)));
        CHECK(parse(body + field(2047, wire_type)));
    }
}

TEST_CASE("a signal message field under another wire type is refused", "[messages][wire]") {
    proto::wire::SignalMessage message;
    const Bytes ratchet = KeyPair::generate().public_key.serialize();
    message.set_ratchet_key(ratchet.data(), ratchet.size());
    message.set_counter(1);
    message.set_ciphertext("0123456789abcdef");
    const std::string body = message.SerializeAsString();
    const auto parse = [](const std::string& b) { return parses([&] { (void)SignalMessage::deserialize(framed(0x44, b, 8)); }); };
    REQUIRE(parse(body));
    CHECK_FALSE(parse(body + field(2, kLengthDelimited)));  // counter
    CHECK_FALSE(parse(body + field(1, kFixed32)));          // ratchet_key
    CHECK_FALSE(parse(body + field(4, kVarint)));           // ciphertext
    CHECK(parse(body + field(12, kFixed32)));
}

TEST_CASE("a sealed sender v1 envelope field under another wire type is refused", "[sealed][wire]") {
    // The fuzzer's finds: encrypted_static (2) as a varint or fixed64,
    // encrypted_message (3) as fixed64 or fixed32. The envelope is checked
    // as it is parsed, before any key is used.
    proto::sealed_sender::UnidentifiedSenderMessage envelope;
    envelope.set_ephemeral_public(std::string(33, '\x05'));
    envelope.set_encrypted_static("static");
    envelope.set_encrypted_message("message");
    for (const auto& [number, wire_type] : {std::pair{2u, kVarint}, {2u, kFixed64}, {3u, kFixed64}, {3u, kFixed32}}) {
        proto::sealed_sender::UnidentifiedSenderMessage parsed;
        const std::string bytes = envelope.SerializeAsString() + field(number, wire_type);
        REQUIRE(parsed.ParseFromString(bytes));  // protobuf-lite alone takes it
        CHECK(protocol::has_misencoded_field(parsed));
    }
    proto::sealed_sender::UnidentifiedSenderMessage unknown;
    REQUIRE(unknown.ParseFromString(envelope.SerializeAsString() + field(9, kFixed64)));
    CHECK_FALSE(protocol::has_misencoded_field(unknown));
}

TEST_CASE("a sender certificate field under another wire type is refused", "[certificates][wire]") {
    const KeyPair trust_root = KeyPair::generate();
    const KeyPair server_key = KeyPair::generate();
    const auto server = ServerCertificate::create(7, server_key.public_key, trust_root.private_key);
    const auto certificate = SenderCertificate::create(
        {"9d0652a3-dcc3-4d11-975f-74d61598733f", std::nullopt, 1, IdentityKeyPair::generate().public_key()},
        timestamp_from_unix_ms(1'700'000'000'000), server, server_key.private_key);
    const Bytes& serialized = certificate.serialize();
    const std::string outer(serialized.begin(), serialized.end());
    const auto parse = [](const std::string& b) {
        return parses([&] { (void)SenderCertificate::deserialize(Bytes(b.begin(), b.end())); });
    };
    REQUIRE(parse(outer));
    // The fuzzer's finds: signature (2) as fixed32 or fixed64.
    CHECK_FALSE(parse(outer + field(2, kFixed32)));
    CHECK_FALSE(parse(outer + field(2, kFixed64)));
    CHECK(parse(outer + field(3, kFixed32)));
}

TEST_CASE("a field key past 32 bits is refused", "[messages][wire]") {
    // The fuzzer's find: a retry request whose timestamp became an over-long
    // zero, the next bytes read as a five-byte key worth 0x184000000.
    const Bytes found = {0xc0, 0x42, 0x09, 0x10, 0x88, 0x00, 0x80, 0x80, 0x80, 0xa0, 0x18, 0x7e, 0x80};
    CHECK_FALSE(parses([&] { (void)PlaintextContent::deserialize(found); }));
    const Bytes request = {0x10, 0x88, 0x00, 0x80, 0x80, 0x80, 0xa0, 0x18, 0x7e};
    CHECK_FALSE(parses([&] { (void)DecryptionErrorMessage::deserialize(request); }));
    // A key within 32 bits (0x80000000: field 0x10000000, a varint) is an unknown field, skipped.
    const Bytes within = {0x10, 0x88, 0x00, 0x80, 0x80, 0x80, 0x80, 0x08, 0x7e};
    CHECK(parses([&] { (void)DecryptionErrorMessage::deserialize(within); }));

    proto::wire::SignalMessage message;
    const Bytes ratchet = KeyPair::generate().public_key.serialize();
    message.set_ratchet_key(ratchet.data(), ratchet.size());
    message.set_counter(1);
    message.set_ciphertext("0123456789abcdef");
    const std::string far_key = "\x80\x80\x80\x80\x10\x01";  // 2^32: field 2^29, a varint, one bit too far
    CHECK_FALSE(parses([&] { (void)SignalMessage::deserialize(framed(0x44, message.SerializeAsString() + far_key, 8)); }));
}

TEST_CASE("a sender certificate string that is not UTF-8 is refused even when replaced", "[certificates][wire]") {
    // The fuzzer's find: a uuid_string (6) of random bytes before the
    // genuine one, the body signed again by the server.
    const KeyPair trust_root = KeyPair::generate();
    const KeyPair server_key = KeyPair::generate();
    const auto server = ServerCertificate::create(7, server_key.public_key, trust_root.private_key);
    const auto genuine = SenderCertificate::create(
        {"9d0652a3-dcc3-4d11-975f-74d61598733f", "+14155550100", 1, IdentityKeyPair::generate().public_key()},
        timestamp_from_unix_ms(1'700'000'000'000), server, server_key.private_key);
    proto::sealed_sender::SenderCertificate outer;
    REQUIRE(outer.ParseFromArray(genuine.serialize().data(), static_cast<int>(genuine.serialize().size())));
    const auto resigned = [&](const std::string& before) {
        const std::string body = before + outer.certificate();
        const Signature signature = server_key.private_key.sign(Bytes(body.begin(), body.end()));
        proto::sealed_sender::SenderCertificate changed;
        changed.set_certificate(body);
        changed.set_signature(signature.data(), signature.size());
        const std::string bytes = changed.SerializeAsString();
        return Bytes(bytes.begin(), bytes.end());
    };
    REQUIRE(parses([&] { (void)SenderCertificate::deserialize(resigned("")); }));
    const std::string not_utf8 = "\xed\xbf\x41\x51";
    for (const std::uint32_t number : {6u, 1u}) {
        INFO("field " << number);
        const std::string earlier = field(number, kLengthDelimited).substr(0, 1) + char(not_utf8.size()) + not_utf8;
        CHECK_FALSE(parses([&] { (void)SenderCertificate::deserialize(resigned(earlier)); }));
        const std::string fine = field(number, kLengthDelimited).substr(0, 1) + "\x04" + "abcd";
        CHECK(parses([&] { (void)SenderCertificate::deserialize(resigned(fine)); }));
    }
}
