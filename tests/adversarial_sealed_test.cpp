// Adversarial tests of sealed sender: every single-bit flip, truncation and
// extension of a version 1 envelope, a version 2 received message and a
// version 2 sent message (the server's input) is refused, or changes only
// what the format leaves unauthenticated and opens to the very same content.
// Opening holds no state, so "no change of state" is "nothing returned".
#include <catch2/catch.hpp>

#include "adversarial_helpers.hpp"

using namespace cliquet;
using namespace std::chrono_literals;
using adversarial::flipped;
using adversarial::refusal;
using fuzzing::SealedWorld;

namespace {

// Opens `bytes` as Bob. Returns the content's bytes, or nullopt if refused
// (with the code checked to be one a sealed message may be refused with).
std::optional<Bytes> open_as_bob(const SealedWorld& world, ByteView bytes) {
    try {
        const auto opened = unseal(bytes, world.bob, world.trust_root.public_key, SealedWorld::kNow);
        return opened.content.serialize();
    } catch (const Error& e) {
        CHECK((e.code() == ErrorCode::invalid_message || e.code() == ErrorCode::invalid_certificate));
        return std::nullopt;
    }
}

// Every single-bit flip of `message`: refused, except that a flip of the
// version byte's ignored bits may open — to exactly the genuine content.
void require_flips_refused(const SealedWorld& world, ByteView message) {
    for (std::size_t i = 0; i < message.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            const Bytes bad = flipped(message, i, static_cast<std::uint8_t>(1u << bit));
            const auto opened = open_as_bob(world, bad);
            if (!opened) continue;
            INFO("flip of byte " << i << " bit " << bit << " opened");
            CHECK(i == 0);
            CHECK(*opened == world.content.serialize());
        }
    }
}

void require_truncations_and_extensions_refused(const SealedWorld& world, ByteView message) {
    for (std::size_t length = 0; length < message.size(); ++length) {
        INFO("first " << length << " bytes");
        CHECK_FALSE(open_as_bob(world, message.first(length)));
    }
    for (const std::size_t extra : {std::size_t{1}, std::size_t{16}, std::size_t{4096}}) {
        Bytes longer(message.begin(), message.end());
        longer.insert(longer.end(), extra, 0);
        CHECK_FALSE(open_as_bob(world, longer));
    }
}

}  // namespace

TEST_CASE("flipped, truncated and extended sealed sender v1 envelopes are refused", "[adversarial][sealed]") {
    const SealedWorld world;
    REQUIRE(open_as_bob(world, world.v1) == world.content.serialize());
    require_flips_refused(world, world.v1);
    require_truncations_and_extensions_refused(world, world.v1);
}

TEST_CASE("flipped, truncated and extended sealed sender v2 received messages are refused",
          "[adversarial][sealed]") {
    const SealedWorld world;
    REQUIRE(open_as_bob(world, world.v2_received_by_bob) == world.content.serialize());
    require_flips_refused(world, world.v2_received_by_bob);
    require_truncations_and_extensions_refused(world, world.v2_received_by_bob);
}

TEST_CASE("a flipped v2 sent message never yields a different message Bob accepts", "[adversarial][sealed]") {
    // The server cannot authenticate the recipient list, so a flip may still
    // parse (another device id, another registration id). Whatever Bob then
    // receives must be refused or be the genuine content.
    const SealedWorld world;
    int parsed = 0;
    for (std::size_t i = 0; i < world.v2_sent.size(); ++i) {
        const Bytes bad = flipped(world.v2_sent, i, 0x01);
        std::optional<SealedSenderV2SentMessage> sent;
        if (refusal([&] { sent.emplace(SealedSenderV2SentMessage::parse(bad)); })) continue;
        ++parsed;
        for (const auto& recipient : sent->recipients()) {
            if (recipient.service_id != world.bob_id) continue;
            const auto opened = open_as_bob(world, sent->received_message(recipient));
            INFO("flip of byte " << i);
            if (opened) CHECK(*opened == world.content.serialize());
        }
    }
    CHECK(parsed < static_cast<int>(world.v2_sent.size()));
    // A cut inside the recipient list or the shared key is refused by the
    // server; a cut inside the payload, which only recipients can check,
    // is refused by Bob.
    for (std::size_t length = 0; length < world.v2_sent.size(); ++length) {
        INFO("first " << length << " bytes");
        std::optional<SealedSenderV2SentMessage> sent;
        if (refusal([&] { sent.emplace(SealedSenderV2SentMessage::parse(ByteView(world.v2_sent).first(length))); }))
            continue;
        for (const auto& recipient : sent->recipients())
            if (recipient.service_id == world.bob_id) CHECK_FALSE(open_as_bob(world, sent->received_message(recipient)));
    }
}

TEST_CASE("a sealed message for Bob does not open for Carol, nor with another trust root", "[adversarial][sealed]") {
    const SealedWorld world;
    CHECK(refusal([&] { (void)unseal_unvalidated(world.v1, world.carol); }) == ErrorCode::invalid_message);
    CHECK(refusal([&] { (void)unseal_unvalidated(world.v2_received_by_bob, world.carol); }) ==
          ErrorCode::invalid_message);
    const PublicKey other_root = world.server_key.public_key;
    CHECK(refusal([&] { (void)unseal(world.v1, world.bob, other_root, SealedWorld::kNow); }) ==
          ErrorCode::invalid_certificate);
    CHECK(refusal([&] {
              (void)unseal(world.v1, world.bob, world.trust_root.public_key, SealedWorld::kExpiration + 1ms);
          }) == ErrorCode::invalid_certificate);
}
