#include <catch2/catch.hpp>

#include "cliquet/cliquet.hpp"
#include "cliquet/sealed_fanout.hpp"
#include "cliquet/sealed_session_cipher.hpp"
#include "sealed_helpers.hpp"

using namespace cliquet;
using namespace std::chrono_literals;
using cliquet::testing::Device;
using cliquet::testing::error_of;

namespace {

using Pair = cliquet::testing::SealedPair;
using cliquet::testing::kSealedNow;
constexpr Timestamp kNow = kSealedNow;

SealedSenderRecipient local(const Device& device) { return cliquet::testing::sealed_recipient(device); }
std::string text(const Bytes& bytes) { return cliquet::testing::text_of(bytes); }

}  // namespace

TEST_CASE("sealed session messages flow both ways", "[sealed_session]") {
    Pair p;
    const Bytes first = sealed_sender_encrypt(*p.alice.store, p.bob.address, p.server.issue(p.alice), as_bytes("hi bob"));
    const auto opened = sealed_sender_decrypt(*p.bob.store, first, p.server.trust_root.public_key, kNow, local(p.bob));
    CHECK(opened.sender_uuid == p.alice.address.name);
    CHECK(opened.sender_device_id == 1);
    CHECK_FALSE(opened.sender_e164);
    CHECK(text(opened.plaintext) == "hi bob");

    // Bob now holds a session with Alice and her identity key, so he can answer.
    const Bytes reply = sealed_sender_encrypt(*p.bob.store, p.alice.address, p.server.issue(p.bob), as_bytes("hi alice"));
    CHECK(text(sealed_sender_decrypt(*p.alice.store, reply, p.server.trust_root.public_key, kNow, local(p.alice)).plaintext) ==
          "hi alice");
}

TEST_CASE("a refused sealed session message changes nothing", "[sealed_session]") {
    Pair p;
    const Bytes sealed = sealed_sender_encrypt(*p.alice.store, p.bob.address, p.server.issue(p.alice), as_bytes("hello"));
    const std::string before = p.bob.snapshot();
    const PublicKey root = p.server.trust_root.public_key;

    CHECK(error_of([&] { (void)sealed_sender_decrypt(*p.bob.store, sealed, root, kNow + 1001ms, local(p.bob)); }) ==
          ErrorCode::invalid_certificate);
    CHECK(error_of([&] {
              (void)sealed_sender_decrypt(*p.bob.store, sealed, KeyPair::generate().public_key, kNow, local(p.bob));
          }) == ErrorCode::invalid_certificate);
    Bytes tampered = sealed;
    tampered[tampered.size() / 2] ^= 1;
    CHECK(error_of([&] { (void)sealed_sender_decrypt(*p.bob.store, tampered, root, kNow, local(p.bob)); }) ==
          ErrorCode::invalid_message);
    // Bob believing he is Alice's device: the message is from himself.
    CHECK(error_of([&] { (void)sealed_sender_decrypt(*p.bob.store, sealed, root, kNow, local(p.alice)); }) ==
          ErrorCode::invalid_message);
    CHECK(p.bob.snapshot() == before);

    CHECK(text(sealed_sender_decrypt(*p.bob.store, sealed, root, kNow, local(p.bob)).plaintext) == "hello");
    // A replay is a duplicate, and still changes nothing.
    const std::string after = p.bob.snapshot();
    CHECK(error_of([&] { (void)sealed_sender_decrypt(*p.bob.store, sealed, root, kNow, local(p.bob)); }) ==
          ErrorCode::duplicate_message);
    CHECK(p.bob.snapshot() == after);
}

TEST_CASE("sealed content that its cipher does not read is refused", "[sealed_session]") {
    Pair p;
    const UnidentifiedSenderMessageContent content(CiphertextType::sender_key, p.server.issue(p.alice), Bytes{1, 2, 3});
    const Bytes sealed = seal_v1(content, p.alice.identity(), p.bob.identity().public_key());
    CHECK(error_of([&] {
              (void)sealed_sender_decrypt(*p.bob.store, sealed, p.server.trust_root.public_key, kNow, local(p.bob));
          }) == ErrorCode::invalid_message);
}

TEST_CASE("sealing needs the recipient's session and identity key", "[sealed_session]") {
    Pair p;
    const Device carol{"5f4b3a29-0000-4000-8000-00000000d0d0", 3};
    CHECK(error_of([&] {
              (void)sealed_sender_encrypt(*p.alice.store, carol.address, p.server.issue(p.alice), as_bytes("x"));
          }) == ErrorCode::no_session);
    const UnidentifiedSenderMessageContent content(CiphertextType::whisper, p.server.issue(p.alice), Bytes{1});
    const std::vector<ProtocolAddress> to_carol = {p.bob.address, carol.address};
    CHECK(error_of([&] { (void)sealed_sender_multi_recipient_encrypt(*p.alice.store, to_carol, {}, content); }) ==
          ErrorCode::no_session);
}

TEST_CASE("multi-recipient sealing takes registration ids from sessions", "[sealed_session]") {
    Pair p;
    Device bob2 = cliquet::testing::linked_device(p.bob, 2, 4444);
    process_pre_key_bundle(*p.alice.store, bob2.address, bob2.bundle(5, 6, 7));

    const UnidentifiedSenderMessageContent content(CiphertextType::whisper, p.server.issue(p.alice), Bytes{4, 5, 6});
    const std::vector<ProtocolAddress> destinations = {p.bob.address, bob2.address};
    const auto sent = SealedSenderV2SentMessage::parse(
        sealed_sender_multi_recipient_encrypt(*p.alice.store, destinations, {}, content));
    REQUIRE(sent.recipients().size() == 1);
    const auto& devices = sent.recipients()[0].devices;
    REQUIRE(devices.size() == 2);
    CHECK((devices[0].device_id == 1 && devices[0].registration_id == 2222));
    CHECK((devices[1].device_id == 2 && devices[1].registration_id == 4444));
    const Bytes received = sent.received_message(sent.recipients()[0]);
    CHECK(unseal(received, p.bob.identity(), p.server.trust_root.public_key, kNow).content.content() == Bytes{4, 5, 6});

    const std::vector<ProtocolAddress> not_a_service_id = {ProtocolAddress{"bob", 1}};
    process_pre_key_bundle(*p.alice.store, not_a_service_id[0], p.bob.bundle(8, 9, 10));
    CHECK(error_of([&] {
              (void)sealed_sender_multi_recipient_encrypt(*p.alice.store, not_a_service_id, {}, content);
          }) == ErrorCode::invalid_argument);
}
