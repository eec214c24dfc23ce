// Errors that carry what an application acts on: the duplicate names its
// chain and counter (a session's by the sender's ratchet key, a group's by
// its chain id), and a failure inside an opened sealed envelope names the
// sender and keeps the inner error, detail and all.
#include <catch2/catch.hpp>

#include <exception>
#include <stdexcept>

#include "cliquet/cliquet.hpp"
#include "sealed_helpers.hpp"

using namespace cliquet;
using cliquet::testing::Device;
using cliquet::testing::kSealedNow;
using cliquet::testing::SealedPair;
using cliquet::testing::sealed_recipient;

namespace {

const DistributionId kGroup = {0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
                               0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};

template <class Thrown, class Action>
Thrown thrown_by(Action action) {
    try {
        action();
    } catch (const Thrown& e) {
        return e;
    }
    throw std::logic_error("the action did not throw the expected type");
}

}  // namespace

TEST_CASE("a replayed session message names its chain and counter", "[unit][errors]") {
    Device alice("alice", 1);
    Device bob("bob", 2);
    alice.start_session(bob.address, bob.bundle(PreKeyId{1}, SignedPreKeyId{1}, KyberPreKeyId{1}));
    bob.decrypt_from(alice, alice.encrypt_to(bob, "hello"));
    alice.decrypt_from(bob, bob.encrypt_to(alice, "answer"));
    (void)alice.encrypt_to(bob, "skipped");
    const CiphertextMessage message = alice.encrypt_to(bob, "twice");
    CHECK(bob.decrypt_from(alice, message) == "twice");
    const std::string before = bob.snapshot();

    const auto error = thrown_by<DuplicateMessageError>([&] { (void)bob.decrypt_from(alice, message); });
    const SignalMessage sent = SignalMessage::deserialize(message.bytes);
    CHECK(error.code() == ErrorCode::duplicate_message);
    REQUIRE(error.ratchet_key());
    CHECK(*error.ratchet_key() == sent.sender_ratchet_key());
    CHECK(error.counter() == sent.counter());
    CHECK_FALSE(error.sender_key_chain_id());
    CHECK(bob.snapshot() == before);
}

TEST_CASE("a replayed group message names its chain id and iteration", "[unit][errors]") {
    Device alice("alice", 1);
    Device bob("bob", 2);
    const auto distribution =
        create_sender_key_distribution_message(alice.store->sender_keys(), alice.address, kGroup);
    process_sender_key_distribution_message(bob.store->sender_keys(), alice.address, distribution);
    const auto first = group_encrypt(alice.store->sender_keys(), alice.address, kGroup, as_bytes("one"));
    const auto second = group_encrypt(alice.store->sender_keys(), alice.address, kGroup, as_bytes("two"));
    (void)group_decrypt(bob.store->sender_keys(), alice.address, second.serialize());
    (void)group_decrypt(bob.store->sender_keys(), alice.address, first.serialize());

    const auto error = thrown_by<DuplicateMessageError>(
        [&] { (void)group_decrypt(bob.store->sender_keys(), alice.address, first.serialize()); });
    CHECK(error.code() == ErrorCode::duplicate_message);
    REQUIRE(error.sender_key_chain_id());
    CHECK(*error.sender_key_chain_id() == distribution.chain_id());
    CHECK(error.counter() == first.iteration());
    CHECK_FALSE(error.ratchet_key());
}

TEST_CASE("a failure inside an opened sealed envelope keeps the inner error's detail", "[unit][errors][sealed]") {
    SealedPair p;
    const SenderCertificate certificate = p.server.issue(p.alice);
    const auto open = [&](const Bytes& sealed) {
        (void)sealed_sender_decrypt(*p.bob.store, sealed, p.server.trust_root.public_key, kSealedNow,
                                    sealed_recipient(p.bob));
    };
    const CiphertextMessage first = p.alice.encrypt_to(p.bob, "first");
    const Bytes sealed = seal_v1(UnidentifiedSenderMessageContent(first.type, certificate, first.bytes),
                                 p.alice.identity(), p.bob.identity().public_key());
    open(sealed);

    // The same envelope again: the inner message is a duplicate.
    const auto error = thrown_by<SealedSenderDecryptionError>([&] { open(sealed); });
    CHECK(error.code() == ErrorCode::duplicate_message);
    CHECK(error.sender() == p.alice.address);
    REQUIRE(error.cause());
    const auto inner = thrown_by<DuplicateMessageError>([&] { std::rethrow_exception(error.cause()); });
    CHECK(inner.counter() == PreKeySignalMessage::deserialize(first.bytes).message().counter());

    // Bob now trusts another key for Alice: the inner error is the
    // untrusted identity, with the address and the key Alice presented.
    const IdentityKey other = IdentityKeyPair::generate().public_key();
    p.bob.store->identities().save_identity(p.alice.address, other);
    const CiphertextMessage next = p.alice.encrypt_to(p.bob, "next");
    const auto refused = thrown_by<SealedSenderDecryptionError>([&] {
        open(seal_v1(UnidentifiedSenderMessageContent(next.type, certificate, next.bytes), p.alice.identity(),
                     p.bob.identity().public_key()));
    });
    CHECK(refused.code() == ErrorCode::untrusted_identity);
    const auto untrusted = thrown_by<UntrustedIdentityError>([&] { std::rethrow_exception(refused.cause()); });
    CHECK(untrusted.address() == p.alice.address);
    CHECK(untrusted.identity_key() == p.alice.identity().public_key());
}
