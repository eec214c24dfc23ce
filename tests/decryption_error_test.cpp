// Retry requests: DecryptionErrorMessage and PlaintextContent byte for byte
// as libsignal writes them, their refusals, and process_retry_request's
// decisions on the sender's session.
#include <catch2/catch.hpp>

#include "cliquet/cliquet.hpp"
#include "cliquet/decryption_error.hpp"
#include "session_helpers.hpp"

using namespace cliquet;
using cliquet::testing::Device;
using cliquet::testing::error_of;

namespace {

// The instant `ms` milliseconds after the Unix epoch.
constexpr Timestamp at_ms(std::uint64_t ms) { return timestamp_from_unix_ms(ms); }

// Two devices named by ACI, Alice with a version-4 session to Bob.
struct Pair {
    Device alice{"9d0652a3-dcc3-4d11-975f-74d61598733f", 1111};
    Device bob{"e1ee5ab1-6c1f-4e5e-8a36-2a4c0e4d1f0b", 2222};
    Pair() {
        alice.address.device_id = 3;
        alice.start_session(bob.address, bob.bundle(1, 2, 3));
    }
};

PublicKey ratchet_key_of(const CiphertextMessage& message) {
    if (message.type == CiphertextType::pre_key)
        return PreKeySignalMessage::deserialize(message.bytes).message().sender_ratchet_key();
    return SignalMessage::deserialize(message.bytes).sender_ratchet_key();
}

// A field of a protobuf, as its tag byte and bytes.
Bytes field(std::uint8_t tag, const Bytes& value) {
    Bytes out{tag, static_cast<std::uint8_t>(value.size())};
    out.insert(out.end(), value.begin(), value.end());
    return out;
}

Bytes plaintext_content_around(const Bytes& content) {
    Bytes out{0xC0};
    out.insert(out.end(), content.begin(), content.end());
    out.push_back(0x80);
    return out;
}

}  // namespace

TEST_CASE("a retry request is laid out byte for byte as libsignal's", "[retry]") {
    // libsignal 0.103's DecryptionErrorMessage.forOriginal of a sender-key
    // message with its own unit test's timestamp and device id, and the
    // PlaintextContent around it.
    const auto request =
        DecryptionErrorMessage::for_original({}, CiphertextType::sender_key, at_ms(0x2'0000'0001), 0x8086'2021);
    CHECK(to_hex(request.serialize()) == "10818080802018a1c0988408");
    CHECK(to_hex(PlaintextContent(request).serialize()) == "c0420c10818080802018a1c098840880");
    CHECK(to_hex(PlaintextContent(DecryptionErrorMessage::for_original({}, CiphertextType::sender_key, at_ms(12345), 7))
                     .serialize()) == "c0420510b960180780");

    // With a ratchet key: field 1 first, then the timestamp and device id.
    Pair p;
    const CiphertextMessage message = p.alice.encrypt_to(p.bob, "hello");
    const auto with_key = DecryptionErrorMessage::for_original(message.bytes, message.type, at_ms(5), 3);
    Bytes expected = field(0x0a, ratchet_key_of(message).serialize());
    expected.insert(expected.end(), {0x10, 0x05, 0x18, 0x03});
    CHECK(with_key.serialize() == expected);
    CHECK(PlaintextContent(with_key).serialize() == plaintext_content_around(field(0x42, expected)));
}

TEST_CASE("a retry request names the failed message's ratchet key, time and sender device", "[retry]") {
    Pair p;
    const CiphertextMessage first = p.alice.encrypt_to(p.bob, "first");
    REQUIRE(first.type == CiphertextType::pre_key);
    CHECK(p.bob.decrypt_from(p.alice, first) == "first");
    const CiphertextMessage answer = p.bob.encrypt_to(p.alice, "answer");
    REQUIRE(answer.type == CiphertextType::whisper);

    for (const CiphertextMessage* message : {&first, &answer}) {
        const auto request =
            DecryptionErrorMessage::for_original(message->bytes, message->type, at_ms(0x1'2345'6789), 42);
        CHECK(request.timestamp() == at_ms(0x1'2345'6789));
        CHECK(request.device_id() == 42);
        REQUIRE(request.ratchet_key());
        CHECK(*request.ratchet_key() == ratchet_key_of(*message));

        const auto parsed = PlaintextContent::deserialize(PlaintextContent(request).serialize()).decryption_error();
        CHECK(parsed.timestamp() == request.timestamp());
        CHECK(parsed.device_id() == request.device_id());
        CHECK(parsed.ratchet_key() == request.ratchet_key());
        CHECK(parsed.serialize() == request.serialize());
    }

    // A group message has no ratchet key, and its bytes are not read.
    const auto group =
        DecryptionErrorMessage::for_original(as_bytes("not a message"), CiphertextType::sender_key, at_ms(9), 1);
    CHECK_FALSE(group.ratchet_key());
    CHECK(DecryptionErrorMessage::deserialize(group.serialize()).device_id() == 1);

    // Plaintext was never encrypted; a damaged 1:1 message names no key.
    CHECK(error_of([&] {
              (void)DecryptionErrorMessage::for_original(answer.bytes, CiphertextType::plaintext, at_ms(1), 1);
          }) == ErrorCode::invalid_argument);
    CHECK(error_of([&] {
              (void)DecryptionErrorMessage::for_original(ByteView(answer.bytes).first(20), CiphertextType::whisper,
                                                         at_ms(1), 1);
          }) == ErrorCode::invalid_message);
    CHECK(error_of([&] {
              (void)DecryptionErrorMessage::for_original(answer.bytes, CiphertextType::pre_key, at_ms(1), 1);
          }) == ErrorCode::invalid_message);
}

TEST_CASE("malformed retry requests and plaintext contents are refused as invalid messages", "[retry][adversarial]") {
    Pair p;
    const CiphertextMessage message = p.alice.encrypt_to(p.bob, "x");
    const auto genuine = DecryptionErrorMessage::for_original(message.bytes, message.type, at_ms(77), 3);
    const Bytes key = ratchet_key_of(message).serialize();
    const Bytes timestamp{0x10, 77};
    const Bytes device{0x18, 3};
    const auto join = [](std::initializer_list<Bytes> parts) {
        Bytes out;
        for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
        return out;
    };

    SECTION("retry requests") {
        Bytes short_key = key;
        short_key.pop_back();
        Bytes foreign_key = key;
        foreign_key[0] = 0x06;
        const std::vector<Bytes> refused = {
            join({field(0x0a, key), device}),                        // no timestamp
            {},                                                      // nothing at all
            join({field(0x0a, short_key), timestamp, device}),       // a key one byte short
            join({field(0x0a, foreign_key), timestamp, device}),     // a key of an unknown type
            join({field(0x0a, {}), timestamp}),                      // an empty key
            Bytes(genuine.serialize().begin(), genuine.serialize().end() - 1),  // truncated
            {0x10},                                                  // a tag without its value
            {0x0a, 0x7f, 0x05},                                      // a length past the end
            {0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},  // an overlong varint
            Bytes(kMaxRetryRequestSize + 1, 0x00),                   // too large to be one
        };
        for (const Bytes& bytes : refused) {
            INFO(to_hex(bytes));
            CHECK(error_of([&] { (void)DecryptionErrorMessage::deserialize(bytes); }) == ErrorCode::invalid_message);
            CHECK(error_of([&] { (void)PlaintextContent::deserialize(plaintext_content_around(field(0x42, bytes))); }) ==
                  ErrorCode::invalid_message);
        }
        // What libsignal accepts: no device id (0), and fields it does not know.
        CHECK(DecryptionErrorMessage::deserialize(timestamp).device_id() == 0);
        CHECK(DecryptionErrorMessage::deserialize(join({genuine.serialize(), field(0x22, {1, 2})})).timestamp() ==
              at_ms(77));
    }

    SECTION("plaintext contents") {
        const Bytes content = field(0x42, genuine.serialize());
        const Bytes good = plaintext_content_around(content);
        REQUIRE(PlaintextContent::deserialize(good).decryption_error().serialize() == genuine.serialize());
        Bytes wrong_marker = good;
        wrong_marker[0] = 0xC1;
        Bytes padded = good;
        padded.push_back(0x00);  // zero padding after the boundary: libsignal refuses it too
        const std::vector<Bytes> refused = {
            {},
            {0xC0},
            {0xC0, 0x80},                                                      // a Content with nothing
            wrong_marker,                                                      // not a plaintext content
            Bytes(good.begin(), good.end() - 1),                               // no boundary byte
            padded,
            Bytes(good.begin() + 1, good.end()),                               // no marker byte
            plaintext_content_around(join({field(0x0a, {1}), content})),       // and a data message, in the clear
            plaintext_content_around(join({content, field(0x3a, {1, 2})})),    // and a sender key distribution
            plaintext_content_around({0x40, 0x05}),                            // field 8 as a varint
            plaintext_content_around({0x42, 0x20, 0x10}),                      // field 8 cut short
            plaintext_content_around(field(0x42, {})),                         // an empty retry request
            Bytes(kMaxRetryRequestSize + 1, 0xC0),
        };
        for (const Bytes& bytes : refused) {
            INFO(to_hex(bytes));
            CHECK(error_of([&] { (void)PlaintextContent::deserialize(bytes); }) == ErrorCode::invalid_message);
        }
    }
}

TEST_CASE("a session record says whether a ratchet key is its current one", "[retry]") {
    Pair p;
    const CiphertextMessage first = p.alice.encrypt_to(p.bob, "first");
    const PublicKey sent_with = ratchet_key_of(first);
    CHECK_FALSE(SessionRecord().current_ratchet_key_matches(sent_with));
    SessionRecord alice_record = *p.alice.store->sessions().load_session(p.bob.address);
    CHECK(alice_record.current_ratchet_key_matches(sent_with));
    CHECK_FALSE(alice_record.current_ratchet_key_matches(KeyPair::generate().public_key));
    // Bob's side holds Alice's key as a receiving chain, not as its own.
    p.bob.decrypt_from(p.alice, first);
    CHECK_FALSE(p.bob.store->sessions().load_session(p.alice.address)->current_ratchet_key_matches(sent_with));
    alice_record.archive_current_state();
    CHECK_FALSE(alice_record.current_ratchet_key_matches(sent_with));
}

TEST_CASE("a retry request for the current session archives it, and the resend starts a new one", "[retry]") {
    Pair p;
    const CiphertextMessage first = p.alice.encrypt_to(p.bob, "first");
    p.bob.decrypt_from(p.alice, first);
    p.alice.decrypt_from(p.bob, p.bob.encrypt_to(p.alice, "answer"));
    const CiphertextMessage lost = p.alice.encrypt_to(p.bob, "lost");

    // Bob's device loses its session (restored from a backup, which holds none).
    p.bob.store->sessions().store_session(p.alice.address, SessionRecord());
    CHECK(error_of([&] { p.bob.decrypt_from(p.alice, lost); }) == ErrorCode::no_session);
    const Bytes sent =
        PlaintextContent(DecryptionErrorMessage::for_original(lost.bytes, lost.type, at_ms(1000), 3)).serialize();

    const auto request = PlaintextContent::deserialize(sent).decryption_error();
    CHECK(process_retry_request(*p.alice.store, p.alice.address, p.bob.address, request) == RetryAction::session_archived);
    CHECK(error_of([&] { p.alice.encrypt_to(p.bob, "again"); }) == ErrorCode::no_session);
    // Asked twice: the archived state is no longer current.
    CHECK(process_retry_request(*p.alice.store, p.alice.address, p.bob.address, request) == RetryAction::no_session);

    p.alice.start_session(p.bob.address, p.bob.bundle(11, 12, 13));
    const CiphertextMessage resent = p.alice.encrypt_to(p.bob, "lost");
    CHECK(resent.type == CiphertextType::pre_key);
    CHECK(p.bob.decrypt_from(p.alice, resent) == "lost");
    CHECK(p.alice.decrypt_from(p.bob, p.bob.encrypt_to(p.alice, "got it")) == "got it");
}

TEST_CASE("a retry request that names no current session changes nothing", "[retry][adversarial]") {
    Pair p;
    const CiphertextMessage first = p.alice.encrypt_to(p.bob, "first");
    p.bob.decrypt_from(p.alice, first);
    const auto stale = DecryptionErrorMessage::for_original(first.bytes, first.type, at_ms(1), 3);
    // Bob answers: Alice's next messages carry a new ratchet key.
    p.alice.decrypt_from(p.bob, p.bob.encrypt_to(p.alice, "answer"));
    const CiphertextMessage current = p.alice.encrypt_to(p.bob, "now");
    const auto for_current = DecryptionErrorMessage::for_original(current.bytes, current.type, at_ms(2), 3);
    const Device mallory{"30a3c7b9-2b33-4f40-bd77-6e5c3b3bd5e1", 4444};
    const std::string before = p.alice.snapshot();

    // The session has moved on since the message it names.
    CHECK(process_retry_request(*p.alice.store, p.alice.address, p.bob.address, stale) == RetryAction::resend);
    // Someone else, repeating a request for Bob's session: Alice has no session with them.
    CHECK(process_retry_request(*p.alice.store, p.alice.address, mallory.address, for_current) == RetryAction::no_session);
    // For another device of Alice's account.
    const auto other_device = DecryptionErrorMessage::for_original(current.bytes, current.type, at_ms(2), 4);
    CHECK(process_retry_request(*p.alice.store, p.alice.address, p.bob.address, other_device) ==
          RetryAction::not_for_this_device);
    // A group message's: the session is not what failed.
    const auto group = DecryptionErrorMessage::for_original({}, CiphertextType::sender_key, at_ms(2), 3);
    CHECK(process_retry_request(*p.alice.store, p.alice.address, p.bob.address, group) == RetryAction::resend_sender_key);
    CHECK(p.alice.snapshot() == before);

    CHECK(process_retry_request(*p.alice.store, p.alice.address, p.bob.address, for_current) ==
          RetryAction::session_archived);
    CHECK(p.alice.snapshot() != before);
}
