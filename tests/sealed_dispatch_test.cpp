// sealed_sender_decrypt opens an envelope once and hands its content to the
// right cipher; when the message inside fails, the error names the sender,
// the content hint and the group, and nothing changes. And version 2
// refuses an account whose devices are known with different identity keys.
#include <catch2/catch.hpp>

#include "cliquet/cliquet.hpp"
#include "cliquet/sealed_session_cipher.hpp"
#include "sealed_helpers.hpp"

using namespace cliquet;
using namespace std::chrono_literals;
using cliquet::testing::Device;
using cliquet::testing::error_of;
using cliquet::testing::kSealedNow;
using cliquet::testing::SealedPair;
using cliquet::testing::sealed_recipient;
using cliquet::testing::text_of;

namespace {

// The instant `ms` milliseconds after the Unix epoch.
constexpr Timestamp at_ms(std::uint64_t ms) { return timestamp_from_unix_ms(ms); }

const DistributionId kGroup = {0x7a, 0x1c, 0x55, 0x02, 0x9e, 0x41, 0x4b, 0x33,
                               0x8f, 0x10, 0x6d, 0x2a, 0xc4, 0x90, 0x0b, 0x5e};
const Bytes kGroupId{'t', 'h', 'e', ' ', 'g', 'r', 'o', 'u', 'p'};

SealedSenderDecryptionResult open(SealedPair& p, const Bytes& sealed) {
    return sealed_sender_decrypt(*p.bob.store, sealed, p.server.trust_root.public_key, kSealedNow, sealed_recipient(p.bob));
}

// The SealedSenderDecryptionError that opening `sealed` raises.
SealedSenderDecryptionError failure_of(SealedPair& p, const Bytes& sealed) {
    try {
        (void)open(p, sealed);
    } catch (const SealedSenderDecryptionError& e) {
        return e;
    }
    throw std::logic_error("expected a SealedSenderDecryptionError");
}

// Alice's message, sealed to Bob with a hint and a group id.
Bytes seal_to_bob(SealedPair& p, CiphertextType type, ByteView message, ContentHint hint = ContentHint::resendable,
                  std::optional<Bytes> group_id = kGroupId) {
    const UnidentifiedSenderMessageContent content(type, p.server.issue(p.alice), Bytes(message.begin(), message.end()),
                                                   hint, std::move(group_id));
    return seal_v1(content, p.alice.identity(), p.bob.identity().public_key());
}

}  // namespace

TEST_CASE("one call opens session, group and plaintext contents", "[sealed_dispatch]") {
    SealedPair p;
    const CiphertextMessage first = p.alice.encrypt_to(p.bob, "1:1");
    const auto session = open(p, seal_to_bob(p, first.type, first.bytes));
    CHECK(text_of(session.plaintext) == "1:1");
    CHECK(session.content_type == CiphertextType::pre_key);
    CHECK(session.content_hint == ContentHint::resendable);
    CHECK(session.group_id == kGroupId);
    CHECK(session.sender() == p.alice.address);
    CHECK_FALSE(session.retry_request);

    // A group message, with the sender key Alice gave Bob over the session.
    const auto distribution = create_sender_key_distribution_message(p.alice.store->sender_keys(), p.alice.address, kGroup);
    process_sender_key_distribution_message(p.bob.store->sender_keys(), p.alice.address, distribution);
    const auto group_message = group_encrypt(p.alice.store->sender_keys(), p.alice.address, kGroup, as_bytes("to all"));
    const auto group = open(p, seal_to_bob(p, CiphertextType::sender_key, group_message.serialize()));
    CHECK(text_of(group.plaintext) == "to all");
    CHECK(group.content_type == CiphertextType::sender_key);
    CHECK(group.group_id == kGroupId);
    // The chain moved: the same message again is a duplicate.
    CHECK(error_of([&] { (void)open(p, seal_to_bob(p, CiphertextType::sender_key, group_message.serialize())); }) ==
          ErrorCode::duplicate_message);

    // A retry request travels as plaintext content.
    const auto request = DecryptionErrorMessage::for_original(first.bytes, first.type, at_ms(1234), 1);
    const PlaintextContent content(request);
    const auto plaintext = open(p, seal_to_bob(p, CiphertextType::plaintext, content.serialize(), ContentHint::implicit,
                                               std::nullopt));
    CHECK(plaintext.content_type == CiphertextType::plaintext);
    CHECK(plaintext.content_hint == ContentHint::implicit);
    CHECK_FALSE(plaintext.group_id);
    REQUIRE(plaintext.retry_request);
    CHECK(plaintext.retry_request->serialize() == request.serialize());
    CHECK(plaintext.plaintext == Bytes(content.body().begin(), content.body().end()));
}

TEST_CASE("a message that fails inside an opened envelope names its sender, hint and group", "[sealed_dispatch][retry]") {
    SealedPair p;
    const CiphertextMessage first = p.alice.encrypt_to(p.bob, "first");
    CHECK(text_of(open(p, seal_to_bob(p, first.type, first.bytes)).plaintext) == "first");
    p.alice.decrypt_from(p.bob, p.bob.encrypt_to(p.alice, "answer"));
    const CiphertextMessage lost = p.alice.encrypt_to(p.bob, "lost");
    p.bob.store->sessions().store_session(p.alice.address, SessionRecord());  // Bob lost his session
    const std::string before = p.bob.snapshot();

    const SealedSenderDecryptionError error = failure_of(p, seal_to_bob(p, lost.type, lost.bytes));
    CHECK(error.code() == ErrorCode::no_session);
    CHECK(error.sender() == p.alice.address);
    REQUIRE(error.sender_service_id());
    CHECK(error.sender_service_id()->to_string() == p.alice.address.name);
    CHECK_FALSE(error.sender_e164());
    CHECK(error.sender_identity_key() == p.alice.identity().public_key());
    CHECK(error.content_type() == CiphertextType::whisper);
    CHECK(error.content() == lost.bytes);
    CHECK(error.content_hint() == ContentHint::resendable);
    CHECK(error.group_id() == kGroupId);
    CHECK(p.bob.snapshot() == before);

    const DecryptionErrorMessage request = error.retry_request(at_ms(1'700'000'000'123));
    CHECK(request.timestamp() == at_ms(1'700'000'000'123));
    CHECK(request.device_id() == p.alice.address.device_id);
    CHECK(request.ratchet_key() == SignalMessage::deserialize(lost.bytes).sender_ratchet_key());
    CHECK(process_retry_request(*p.alice.store, p.alice.address, p.bob.address, request) == RetryAction::session_archived);

    // A group message without the sender key, and damaged contents of each kind.
    const Bytes group_message = [&]() -> Bytes {
        MemorySenderKeyStore elsewhere;
        (void)create_sender_key_distribution_message(elsewhere, p.alice.address, kGroup);
        return group_encrypt(elsewhere, p.alice.address, kGroup, as_bytes("unseen")).serialize();
    }();
    const auto group_error = failure_of(p, seal_to_bob(p, CiphertextType::sender_key, group_message, ContentHint::none));
    CHECK(group_error.code() == ErrorCode::no_session);
    CHECK(group_error.content_hint() == ContentHint::none);
    CHECK(group_error.group_id() == kGroupId);
    CHECK_FALSE(group_error.retry_request(at_ms(5)).ratchet_key());

    Bytes damaged = lost.bytes;
    damaged[damaged.size() - 1] ^= 1;
    CHECK(failure_of(p, seal_to_bob(p, CiphertextType::whisper, Bytes{0x44})).code() == ErrorCode::invalid_message);
    CHECK(failure_of(p, seal_to_bob(p, CiphertextType::plaintext, Bytes{0xC0, 0x80})).code() == ErrorCode::invalid_message);
    CHECK(failure_of(p, seal_to_bob(p, CiphertextType::plaintext, lost.bytes)).code() == ErrorCode::invalid_message);
    CHECK(error_of([&] {
              (void)failure_of(p, seal_to_bob(p, CiphertextType::whisper, Bytes{0x44})).retry_request(at_ms(1));
          }) == ErrorCode::invalid_message);
    CHECK(p.bob.snapshot() == before);
}

TEST_CASE("an envelope that does not open, or a certificate that fails, names no one", "[sealed_dispatch]") {
    SealedPair p;
    const CiphertextMessage first = p.alice.encrypt_to(p.bob, "first");
    const Bytes sealed = seal_to_bob(p, first.type, first.bytes);
    const auto is_plain = [&](const std::function<void()>& action, ErrorCode code) {
        try {
            action();
        } catch (const SealedSenderDecryptionError&) {
            return false;
        } catch (const Error& e) {
            return e.code() == code;
        }
        return false;
    };
    Bytes tampered = sealed;
    tampered[tampered.size() / 2] ^= 1;
    CHECK(is_plain([&] { (void)open(p, tampered); }, ErrorCode::invalid_message));
    CHECK(is_plain(
        [&] {
            (void)sealed_sender_decrypt(*p.bob.store, sealed, p.server.trust_root.public_key, kSealedNow + 2s,
                                        sealed_recipient(p.bob));
        },
        ErrorCode::invalid_certificate));
    CHECK(is_plain([&] {
        (void)sealed_sender_decrypt(*p.bob.store, sealed, p.server.trust_root.public_key, kSealedNow,
                                    sealed_recipient(p.alice));
    }, ErrorCode::invalid_message));
}

TEST_CASE("version 2 refuses an account whose devices are known with different identity keys", "[sealed_dispatch]") {
    SealedPair p;
    // Bob's second device, linked to his account: it shares his identity key.
    Device bob2 = cliquet::testing::linked_device(p.bob, 2, 3333);
    process_pre_key_bundle(*p.alice.store, bob2.address, bob2.bundle(4, 5, 6));
    // A third "device" with an identity of its own.
    Device impostor{p.bob.address.name, 4444};
    impostor.address.device_id = 3;
    process_pre_key_bundle(*p.alice.store, impostor.address, impostor.bundle(7, 8, 9));

    const UnidentifiedSenderMessageContent content(CiphertextType::sender_key, p.server.issue(p.alice), Bytes{1});
    const std::vector<ProtocolAddress> linked = {p.bob.address, bob2.address};
    CHECK_NOTHROW(sealed_sender_multi_recipient_encrypt(*p.alice.store, linked, {}, content));

    for (const std::vector<ProtocolAddress>& destinations :
         {std::vector<ProtocolAddress>{p.bob.address, bob2.address, impostor.address},
          std::vector<ProtocolAddress>{impostor.address, p.bob.address}}) {
        try {
            (void)sealed_sender_multi_recipient_encrypt(*p.alice.store, destinations, {}, content);
            FAIL("sealed to an account with two identity keys");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::invalid_argument);
            CHECK(std::string(e.what()).find(p.bob.address.name) != std::string::npos);
        }
    }

    // A session made with one key while the identity store now records another.
    (void)p.alice.store->identities().save_identity(bob2.address, impostor.identity().public_key());
    CHECK(error_of([&] { (void)sealed_sender_multi_recipient_encrypt(*p.alice.store, linked, {}, content); }) ==
          ErrorCode::invalid_argument);
}

TEST_CASE("a group message that fails is recovered by sending the sender key again, then the message",
          "[sealed_dispatch][retry]") {
    SealedPair p;
    (void)create_sender_key_distribution_message(p.alice.store->sender_keys(), p.alice.address, kGroup);
    const auto lost = group_encrypt(p.alice.store->sender_keys(), p.alice.address, kGroup, as_bytes("lost"));
    const SealedSenderDecryptionError error = failure_of(p, seal_to_bob(p, CiphertextType::sender_key, lost.serialize()));
    CHECK(error.code() == ErrorCode::no_session);

    const PlaintextContent request(error.retry_request(at_ms(77)));
    const auto parsed = PlaintextContent::deserialize(request.serialize()).decryption_error();
    CHECK(process_retry_request(*p.alice.store, p.alice.address, p.bob.address, parsed) == RetryAction::resend_sender_key);

    // The distribution message describes the chain as it is now, past the
    // lost message: Alice sends it, then the message again, newly encrypted.
    const auto distribution = create_sender_key_distribution_message(p.alice.store->sender_keys(), p.alice.address, kGroup);
    process_sender_key_distribution_message(p.bob.store->sender_keys(), p.alice.address,
                                            SenderKeyDistributionMessage::deserialize(distribution.serialize().span()));
    const auto again = group_encrypt(p.alice.store->sender_keys(), p.alice.address, kGroup, as_bytes("lost"));
    CHECK(text_of(open(p, seal_to_bob(p, CiphertextType::sender_key, again.serialize())).plaintext) == "lost");
}
