#include <catch2/catch.hpp>

#include <functional>
#include <string>

#include "cliquet/certificates.hpp"
#include "cliquet/error.hpp"
#include "cliquet/sealed_fanout.hpp"
#include "cliquet/sealed_sender.hpp"
#include "cliquet_testing/deterministic_random.hpp"
#include "cliquet_testing/numbered_acis.hpp"
#include "sealed_sender.pb.h"

using namespace cliquet;
using namespace std::chrono_literals;

namespace {

constexpr Timestamp kExpiration = timestamp_from_unix_ms(1'700'000'000'000);

const ServiceId kAlice = *ServiceId::parse("9d0652a3-dcc3-4d11-975f-74d61598733f");
const ServiceId kBob = *ServiceId::parse("e1ee5ab1-6c1f-4e5e-8a36-2a4c0e4d1f0b");
const ServiceId kCarol = *ServiceId::parse("PNI:0a0b0c0d-1111-4222-8333-444455556666");
const ServiceId kDave = *ServiceId::parse("5f4b3a29-0000-4000-8000-00000000d0d0");

struct World {
    KeyPair trust_root = KeyPair::generate();
    KeyPair server_key = KeyPair::generate();
    ServerCertificate server = ServerCertificate::create(1, server_key.public_key, trust_root.private_key);
    IdentityKeyPair alice = IdentityKeyPair::generate();
    IdentityKeyPair bob = IdentityKeyPair::generate();
    IdentityKeyPair carol = IdentityKeyPair::generate();
    SenderCertificate alice_certificate = SenderCertificate::create(
        {kAlice.to_string(), std::nullopt, 2, alice.public_key()}, kExpiration, server, server_key.private_key);

    UnidentifiedSenderMessageContent content(CiphertextType type = CiphertextType::whisper,
                                             ContentHint hint = ContentHint::none,
                                             std::optional<Bytes> group_id = std::nullopt) const {
        return UnidentifiedSenderMessageContent(type, alice_certificate, Bytes{'h', 'e', 'l', 'l', 'o'}, hint,
                                                std::move(group_id));
    }
};

void require_code(const std::function<void()>& action, ErrorCode code) {
    try {
        action();
        FAIL("accepted what it should refuse");
    } catch (const Error& e) {
        CHECK(e.code() == code);
    }
}

void require_refused(ByteView ciphertext, const IdentityKeyPair& recipient) {
    require_code([&] { (void)unseal_unvalidated(ciphertext, recipient); }, ErrorCode::invalid_message);
}

// Yields exactly the bytes given, then fails: for known-answer sealing.
class FixedRandom final : public RandomSource {
public:
    explicit FixedRandom(Bytes bytes) : bytes_(std::move(bytes)) {}
    void fill(std::span<std::uint8_t> out) override {
        REQUIRE(out.size() <= bytes_.size() - used_);
        std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(used_), out.size(), out.begin());
        used_ += out.size();
    }

private:
    Bytes bytes_;
    std::size_t used_ = 0;
};

Bytes to_bytes(const std::string& text) { return Bytes(text.begin(), text.end()); }

}  // namespace

TEST_CASE("sealed content round-trips every type, hint and group id", "[sealed_sender]") {
    const World world;
    for (auto type : {CiphertextType::whisper, CiphertextType::pre_key, CiphertextType::sender_key,
                      CiphertextType::plaintext}) {
        for (auto hint : {ContentHint::none, ContentHint::resendable, ContentHint::implicit, ContentHint{77}, ContentHint{0x80000001}}) {
            for (const std::optional<Bytes>& group : {std::optional<Bytes>(), std::optional<Bytes>(Bytes{1, 2, 3})}) {
                const auto content = world.content(type, hint, group);
                const auto parsed = UnidentifiedSenderMessageContent::deserialize(content.serialize());
                CHECK(parsed.type() == type);
                CHECK(parsed.content_hint() == hint);
                CHECK(parsed.group_id() == group);
                CHECK(parsed.content() == content.content());
                CHECK(parsed.sender().serialize() == world.alice_certificate.serialize());
                CHECK(parsed.serialize() == content.serialize());
            }
        }
    }
    // An empty group id is no group id, and the default hint is not written.
    const auto empty_group = world.content(CiphertextType::whisper, ContentHint::none, Bytes{});
    CHECK_FALSE(empty_group.group_id().has_value());
    proto::sealed_sender::UnidentifiedSenderMessage::Message message;
    REQUIRE(message.ParseFromArray(empty_group.serialize().data(), static_cast<int>(empty_group.serialize().size())));
    CHECK_FALSE(message.has_group_id());
    CHECK_FALSE(message.has_content_hint());
    CHECK(message.type() == 2);
    CHECK(UnidentifiedSenderMessageContent::deserialize(world.content(CiphertextType::pre_key).serialize()).type() ==
          CiphertextType::pre_key);
}

TEST_CASE("malformed sealed content is refused", "[sealed_sender]") {
    const World world;
    using Message = proto::sealed_sender::UnidentifiedSenderMessage::Message;
    Message good;
    good.set_type(2);
    good.set_sender_certificate(std::string(world.alice_certificate.serialize().begin(), world.alice_certificate.serialize().end()));
    good.set_content("x");
    const auto parse = [](const Message& m) { (void)UnidentifiedSenderMessageContent::deserialize(to_bytes(m.SerializeAsString())); };
    CHECK_NOTHROW(parse(good));

    for (std::uint32_t type : {0u, 3u, 4u, 6u, 9u}) {
        Message bad = good;
        bad.set_type(type);
        require_code([&] { parse(bad); }, ErrorCode::invalid_message);
    }
    Message no_type = good;
    no_type.clear_type();
    require_code([&] { parse(no_type); }, ErrorCode::invalid_message);
    Message no_certificate = good;
    no_certificate.clear_sender_certificate();
    require_code([&] { parse(no_certificate); }, ErrorCode::invalid_message);
    Message no_content = good;
    no_content.clear_content();
    require_code([&] { parse(no_content); }, ErrorCode::invalid_message);
    Message bad_certificate = good;
    bad_certificate.set_sender_certificate("garbage");
    require_code([&] { parse(bad_certificate); }, ErrorCode::invalid_certificate);
    require_code([] { (void)UnidentifiedSenderMessageContent::deserialize(Bytes{0xff}); }, ErrorCode::invalid_message);
}

TEST_CASE("version 1 envelopes open for their recipient", "[sealed_sender][v1]") {
    const World world;
    const auto content = world.content(CiphertextType::sender_key, ContentHint::resendable, Bytes{9, 9});
    const Bytes envelope = seal_v1(content, world.alice, world.bob.public_key());
    REQUIRE(envelope[0] == kSealedSenderV1Version);

    const auto opened = unseal(envelope, world.bob, world.trust_root.public_key, kExpiration);
    CHECK(opened.version == 1);
    CHECK(opened.content.serialize() == content.serialize());
    CHECK(opened.content.sender().sender_uuid() == kAlice.to_string());
    CHECK(opened.content.sender().sender_device_id() == 2);

    // Fresh ephemeral keys: sealing twice gives different envelopes.
    CHECK(seal_v1(content, world.alice, world.bob.public_key()) != envelope);
}

TEST_CASE("version 1 refusals", "[sealed_sender][v1]") {
    const World world;
    const auto content = world.content();
    const Bytes envelope = seal_v1(content, world.alice, world.bob.public_key());

    SECTION("the wrong recipient") { require_refused(envelope, world.carol); }
    SECTION("every byte after the version, tampered") {
        for (std::size_t i = 1; i < envelope.size(); ++i) {
            Bytes tampered = envelope;
            tampered[i] ^= 0x20;
            require_refused(tampered, world.bob);
        }
    }
    SECTION("the version byte: high nibble 0 or 1 reads as version 1, others are refused") {
        for (unsigned v = 0; v < 256; ++v) {
            Bytes changed = envelope;
            changed[0] = static_cast<std::uint8_t>(v);
            if ((v >> 4) <= 1)
                CHECK(unseal_unvalidated(changed, world.bob).content.serialize() == content.serialize());
            else
                require_refused(changed, world.bob);
        }
    }
    SECTION("every truncation") {
        for (std::size_t size = 0; size < envelope.size(); ++size)
            require_refused(ByteView(envelope).first(size), world.bob);
    }
    SECTION("sealed by an identity the certificate does not name") {
        require_refused(seal_v1(content, world.carol, world.bob.public_key()), world.bob);
    }
    SECTION("an expired certificate or a foreign trust root") {
        require_code([&] { (void)unseal(envelope, world.bob, world.trust_root.public_key, kExpiration + 1ms); },
                     ErrorCode::invalid_certificate);
        require_code([&] { (void)unseal(envelope, world.bob, KeyPair::generate().public_key, kExpiration); },
                     ErrorCode::invalid_certificate);
    }
    SECTION("a small-order ephemeral key") {
        proto::sealed_sender::UnidentifiedSenderMessage parsed;
        REQUIRE(parsed.ParseFromArray(envelope.data() + 1, static_cast<int>(envelope.size() - 1)));
        parsed.set_ephemeral_public(std::string(1, '\x05') + std::string(32, '\0'));
        Bytes forged{kSealedSenderV1Version};
        const std::string body = parsed.SerializeAsString();
        forged.insert(forged.end(), body.begin(), body.end());
        require_refused(forged, world.bob);
    }
    SECTION("empty input and unknown versions") {
        require_refused(Bytes{}, world.bob);
        for (std::uint8_t version : Bytes{0x31, 0x33, 0x44, 0xff}) require_refused(Bytes{version, 0, 0, 0}, world.bob);
    }
}

TEST_CASE("sealing is deterministic given the randomness", "[sealed_sender]") {
    const World world;
    const auto content = world.content();
    std::array<std::uint8_t, 32> seed{};
    seed[0] = 1;
    DeterministicRandom first(seed), second(seed);
    CHECK(seal_v1(content, world.alice, world.bob.public_key(), first) ==
          seal_v1(content, world.alice, world.bob.public_key(), second));

    const SealedRecipient bob{kBob, world.bob.public_key(), {{1, 100}}};
    FixedRandom m1(Bytes(32, 0x42)), m2(Bytes(32, 0x42));
    CHECK(seal_v2(content, world.alice, {&bob, 1}, {}, m1) == seal_v2(content, world.alice, {&bob, 1}, {}, m2));
}

TEST_CASE("version 2: seal to many, fan out, each recipient opens its own", "[sealed_sender][v2]") {
    const World world;
    const auto content = world.content(CiphertextType::plaintext, ContentHint::implicit, Bytes{7});
    const std::vector<SealedRecipient> recipients = {
        {kBob, world.bob.public_key(), {{1, 0x1234}, {2, 0x3fff}, {127, 0}}},
        {kCarol, world.carol.public_key(), {{5, 1}}},
    };
    const std::vector<ServiceId> excluded = {kDave};
    MultiRecipientSealer sealer(world.alice);
    const Bytes sent = sealer.seal(content, recipients, excluded);
    REQUIRE(sent[0] == kSealedSenderV2ServiceIdVersion);

    const auto parsed = SealedSenderV2SentMessage::parse(sent);
    CHECK(parsed.version() == kSealedSenderV2ServiceIdVersion);
    REQUIRE(parsed.recipients().size() == 2);
    CHECK(parsed.excluded() == excluded);
    const auto& bob = parsed.recipients()[0];
    CHECK(bob.service_id == kBob);
    REQUIRE(bob.devices.size() == 3);
    CHECK((bob.devices[0].device_id == 1 && bob.devices[0].registration_id == 0x1234));
    CHECK((bob.devices[1].device_id == 2 && bob.devices[1].registration_id == 0x3fff));
    CHECK((bob.devices[2].device_id == 127 && bob.devices[2].registration_id == 0));
    const auto& carol = parsed.recipients()[1];
    CHECK(carol.service_id == kCarol);
    REQUIRE(carol.devices.size() == 1);

    const Bytes for_bob = parsed.received_message(bob);
    const Bytes for_carol = parsed.received_message(carol);
    CHECK(for_bob[0] == kSealedSenderV2UuidVersion);
    for (const auto& [message, identity] : {std::pair{for_bob, &world.bob}, std::pair{for_carol, &world.carol}}) {
        const auto opened = unseal(message, *identity, world.trust_root.public_key, kExpiration);
        CHECK(opened.version == 2);
        CHECK(opened.content.serialize() == content.serialize());
    }
    require_refused(for_bob, world.carol);
    require_refused(for_carol, world.bob);
    require_refused(for_bob, world.alice);

    // The sealer's cached static agreements give the same result as fresh ones.
    const Bytes again = sealer.seal(content, recipients, excluded);
    CHECK(unseal_unvalidated(SealedSenderV2SentMessage::parse(again).received_message(
                                 SealedSenderV2SentMessage::parse(again).recipients()[1]),
                             world.carol)
              .content.serialize() == content.serialize());
    sealer.clear_cache();
    CHECK_NOTHROW(sealer.seal(content, recipients, excluded));
}

TEST_CASE("version 2 received-message refusals", "[sealed_sender][v2]") {
    const World world;
    const auto content = world.content();
    const SealedRecipient bob{kBob, world.bob.public_key(), {{1, 1}}};
    const auto parsed = SealedSenderV2SentMessage::parse(seal_v2(content, world.alice, {&bob, 1}));
    const Bytes received = parsed.received_message(parsed.recipients()[0]);
    REQUIRE_NOTHROW(unseal_unvalidated(received, world.bob));

    SECTION("every byte after the version, tampered") {
        for (std::size_t i = 1; i < received.size(); ++i) {
            Bytes tampered = received;
            tampered[i] ^= 0x04;
            require_refused(tampered, world.bob);
        }
    }
    SECTION("every truncation") {
        for (std::size_t size = 0; size < received.size(); ++size)
            require_refused(ByteView(received).first(size), world.bob);
    }
    SECTION("sealed by an identity the certificate does not name") {
        const auto forged = SealedSenderV2SentMessage::parse(seal_v2(content, world.carol, {&bob, 1}));
        require_refused(forged.received_message(forged.recipients()[0]), world.bob);
    }
    SECTION("a small-order ephemeral key") {
        Bytes forged = received;
        std::fill(forged.begin() + 49, forged.begin() + 81, 0);
        require_refused(forged, world.bob);
    }
    SECTION("an expired certificate") {
        require_code([&] { (void)unseal(received, world.bob, world.trust_root.public_key, kExpiration + 1ms); },
                     ErrorCode::invalid_certificate);
    }
}

TEST_CASE("version 2 sealing refuses what no receiver would accept", "[sealed_sender][v2]") {
    const World world;
    const auto content = world.content();
    const auto refused = [&](std::vector<SealedRecipient> recipients, std::vector<ServiceId> excluded = {}) {
        require_code([&] { (void)seal_v2(content, world.alice, recipients, excluded); }, ErrorCode::invalid_argument);
    };
    refused({{kBob, world.bob.public_key(), {}}});
    refused({{kBob, world.bob.public_key(), {{0, 1}}}});
    refused({{kBob, world.bob.public_key(), {{128, 1}}}});
    refused({{kBob, world.bob.public_key(), {{1, 0x4000}}}});
    refused({{kBob, world.bob.public_key(), {{1, 1}}}}, {kBob});
    refused({}, {kDave, kDave});
    // Only excluded accounts is a well-formed (if useless) message.
    const auto only_excluded = SealedSenderV2SentMessage::parse(seal_v2(content, world.alice, {}, std::vector{kDave}));
    CHECK(only_excluded.recipients().empty());
    CHECK(only_excluded.excluded() == std::vector{kDave});
}

namespace {

// A sent message built by hand: version, count, entries, then E ‖ payload.
Bytes sent_message(std::uint8_t version, std::initializer_list<Bytes> entries, std::size_t count) {
    Bytes out{version, static_cast<std::uint8_t>(count)};
    for (const Bytes& entry : entries) out.insert(out.end(), entry.begin(), entry.end());
    out.insert(out.end(), 32 + 20, 0xee);
    return out;
}

Bytes entry(const ServiceId& id, std::initializer_list<std::uint8_t> devices_and_words) {
    const auto fixed = id.fixed_width();
    Bytes out(fixed.begin(), fixed.end());
    out.insert(out.end(), devices_and_words);
    if (devices_and_words.size() > 1) out.insert(out.end(), 48, 0xcc);
    return out;
}

void require_unparsable(const Bytes& sent) {
    require_code([&] { (void)SealedSenderV2SentMessage::parse(sent); }, ErrorCode::invalid_message);
}

}  // namespace

TEST_CASE("fan-out parses hand-built sent messages and refuses malformed ones", "[sealed_sender][fanout]") {
    const Bytes bob = entry(kBob, {1, 0x80, 0x05, 2, 0x40, 0x06});  // the unused bit is ignored
    const Bytes carol_excluded = entry(kCarol, {0});
    const auto parsed = SealedSenderV2SentMessage::parse(sent_message(0x23, {bob, carol_excluded}, 2));
    REQUIRE(parsed.recipients().size() == 1);
    CHECK(parsed.recipients()[0].devices.size() == 2);
    CHECK(parsed.recipients()[0].devices[1].registration_id == 6);
    CHECK(parsed.excluded() == std::vector{kCarol});
    const Bytes received = parsed.received_message(parsed.recipients()[0]);
    CHECK(received.size() == 1 + 48 + 32 + 20);

    // The same account twice with devices: one recipient, all devices.
    const auto merged = SealedSenderV2SentMessage::parse(sent_message(0x23, {bob, entry(kBob, {3, 0, 7})}, 2));
    REQUIRE(merged.recipients().size() == 1);
    CHECK(merged.recipients()[0].devices.size() == 3);

    SECTION("the first version names ACIs by bare UUID") {
        Bytes legacy{0x22, 1};
        legacy.insert(legacy.end(), kBob.uuid().begin(), kBob.uuid().end());
        legacy.insert(legacy.end(), {1, 0, 5});
        legacy.insert(legacy.end(), 48 + 32, 0xdd);
        const auto old = SealedSenderV2SentMessage::parse(legacy);
        REQUIRE(old.recipients().size() == 1);
        CHECK(old.recipients()[0].service_id == kBob);
    }
    SECTION("refusals") {
        require_unparsable({});
        for (std::uint8_t version : Bytes{0x11, 0x21, 0x24, 0x33}) require_unparsable(sent_message(version, {bob}, 1));
        require_unparsable(sent_message(0x23, {bob}, 2));                                // count past the entries
        require_unparsable(sent_message(0x23, {entry(kBob, {128, 0, 1})}, 1));           // device id out of range
        require_unparsable(sent_message(0x23, {entry(kBob, {1, 0x80, 1, 0})}, 1));       // device 0 inside a list
        require_unparsable(sent_message(0x23, {carol_excluded, carol_excluded}, 2));    // excluded twice
        require_unparsable(sent_message(0x23, {bob, entry(kBob, {0})}, 2));             // both
        require_unparsable(sent_message(0x23, {carol_excluded, entry(kCarol, {1, 0, 1})}, 2));
        Bytes unknown_kind = bob;
        unknown_kind[0] = 2;
        require_unparsable(sent_message(0x23, {unknown_kind}, 1));
        const Bytes good = sent_message(0x23, {bob, carol_excluded}, 2);
        const std::size_t header = good.size() - 52;
        for (std::size_t size = 0; size < header + 32; ++size) require_unparsable(Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(size)));
        // Counts too large for the message, and varints past 32 bits or 10 bytes.
        require_unparsable(Bytes{0x23, 0xff, 0xff, 0xff, 0xff, 0x0f});
        require_unparsable(Bytes{0x23, 0xff, 0xff, 0xff, 0xff, 0x1f});
        require_unparsable(Bytes{0x23, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02});
        require_unparsable(Bytes{0x23, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00});
    }
}

namespace {

void append_varint(Bytes& out, std::size_t value) {
    for (; value >= 0x80; value >>= 7) out.push_back(static_cast<std::uint8_t>(value | 0x80));
    out.push_back(static_cast<std::uint8_t>(value));
}

// A version 0x22 sent message: `head` (entries already in the 0x22 form),
// then each of `excluded` as its bare UUID and 0x00, then `tail` (E ‖ payload).
Bytes uuid_sent_message(std::size_t head_count, ByteView head, const std::vector<ServiceId>& excluded, ByteView tail) {
    Bytes out{kSealedSenderV2UuidVersion};
    append_varint(out, head_count + excluded.size());
    out.insert(out.end(), head.begin(), head.end());
    for (const ServiceId& id : excluded) {
        out.insert(out.end(), id.uuid().begin(), id.uuid().end());
        out.push_back(0);
    }
    out.insert(out.end(), tail.begin(), tail.end());
    return out;
}

}  // namespace

// Issue 22, defect 8: the recipient count was bounded with the 18-byte
// smallest entry of 0x23 messages, so a 0x22 message made mostly of
// excluded accounts (17 bytes each) was refused although libsignal reads it.
TEST_CASE("fan-out reads version 0x22 messages whose entries are 17 bytes", "[sealed_sender][fanout]") {
    SECTION("40 excluded accounts and nothing after the ephemeral key") {
        const auto excluded = numbered_acis(40);
        for (std::size_t payload = 0; payload < 8; ++payload) {
            const Bytes sent = uuid_sent_message(0, {}, excluded, Bytes(32 + payload, 0xee));
            const auto parsed = SealedSenderV2SentMessage::parse(sent);
            CHECK(parsed.recipients().empty());
            CHECK(parsed.excluded() == excluded);
            // One entry more than the bytes hold is still refused.
            Bytes overcounted = sent;
            overcounted[1] = 41;
            require_unparsable(overcounted);
        }
        // The same accounts in a 0x23 message take 18 bytes each.
        Bytes service_ids{kSealedSenderV2ServiceIdVersion, 40};
        for (const ServiceId& id : excluded) {
            const Bytes one = entry(id, {0});
            service_ids.insert(service_ids.end(), one.begin(), one.end());
        }
        service_ids.insert(service_ids.end(), 32, 0xee);
        CHECK(SealedSenderV2SentMessage::parse(service_ids).excluded() == excluded);
        service_ids.pop_back();
        require_unparsable(service_ids);
    }
    SECTION("a message sealed to Bob among more excluded accounts than 18-byte entries would fit") {
        const World world;
        const auto content = world.content();
        const SealedRecipient to_bob{kBob, world.bob.public_key(), {{1, 0x1234}}};
        const Bytes sealed = seal_v2(content, world.alice, {&to_bob, 1}, {});
        // 0x23 ‖ count ‖ Bob (17) ‖ device (3) ‖ C ‖ AT, then E ‖ payload.
        constexpr std::size_t kBobEnd = 2 + 17 + 3 + 48;
        const ByteView bob_entry = ByteView(sealed).subspan(3, kBobEnd - 3);  // without the kind byte
        const ByteView tail = ByteView(sealed).subspan(kBobEnd);
        const auto excluded = numbered_acis(100 + tail.size());
        const Bytes sent = uuid_sent_message(1, bob_entry, excluded, tail);
        // Past the old bound: more entries than 18-byte ones would fit.
        const std::size_t count_size = 2;
        REQUIRE((1 + excluded.size()) * 18 > sent.size() - 1 - count_size);

        const auto parsed = SealedSenderV2SentMessage::parse(sent);
        REQUIRE(parsed.recipients().size() == 1);
        CHECK(parsed.recipients()[0].service_id == kBob);
        CHECK(parsed.excluded() == excluded);
        const Bytes received = parsed.received_message(parsed.recipients()[0]);
        const auto original = SealedSenderV2SentMessage::parse(sealed);
        CHECK(received == original.received_message(original.recipients()[0]));
        CHECK(unseal(received, world.bob, world.trust_root.public_key, kExpiration).content.serialize() ==
              content.serialize());
    }
}
