// SignalMessage::create writes the protobuf body by hand: it must produce
// the very bytes protobuf writes for the same fields, at every varint
// length boundary.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <string>

#include "cliquet/cliquet.hpp"
#include "wire.pb.h"

using namespace cliquet;

TEST_CASE("SignalMessage::create frames the body as protobuf does", "[messages]") {
    const PublicKey ratchet = KeyPair::generate(system_random()).public_key;
    const IdentityKey sender = IdentityKeyPair::generate().public_key();
    const IdentityKey receiver = IdentityKeyPair::generate().public_key();
    std::array<std::uint8_t, 32> mac_key{};
    mac_key[0] = 7;

    const std::uint32_t counter = GENERATE(0u, 1u, 127u, 128u, 16383u, 16384u, 4294967295u);
    const std::size_t ciphertext_size = GENERATE(std::size_t{0}, std::size_t{16}, std::size_t{112}, std::size_t{128},
                                                 std::size_t{16384});
    const std::uint32_t previous_counter = counter / 2;
    const Bytes ciphertext(ciphertext_size, 0xa5);
    const int version = GENERATE(3, 4);
    // SPQR's message rides in field 5 when there is one.
    const Bytes pq_ratchet(GENERATE(std::size_t{0}, std::size_t{40}, std::size_t{200}), 0x3c);

    const SignalMessage message = SignalMessage::create(version, ratchet, counter, previous_counter, ciphertext, sender,
                                                        receiver, mac_key, pq_ratchet);

    proto::wire::SignalMessage body;
    const Bytes ratchet_bytes = ratchet.serialize();
    body.set_ratchet_key(ratchet_bytes.data(), ratchet_bytes.size());
    body.set_counter(counter);
    body.set_previous_counter(previous_counter);
    body.set_ciphertext(ciphertext.data(), ciphertext.size());
    if (!pq_ratchet.empty()) body.set_pq_ratchet(pq_ratchet.data(), pq_ratchet.size());
    const std::string expected = body.SerializeAsString();

    const Bytes& frame = message.serialize();
    REQUIRE(frame.size() == 1 + expected.size() + kMessageMacSize);
    CHECK(frame[0] == (version == 3 ? 0x33 : 0x44));
    CHECK(std::string(frame.begin() + 1, frame.end() - kMessageMacSize) == expected);

    const SignalMessage parsed = SignalMessage::deserialize(frame);
    CHECK(parsed.counter() == counter);
    CHECK(parsed.previous_counter() == previous_counter);
    CHECK(parsed.ciphertext() == ciphertext);
    CHECK(parsed.sender_ratchet_key() == ratchet);
    CHECK(parsed.pq_ratchet() == pq_ratchet);
    CHECK(parsed.verify_mac(sender, receiver, mac_key));
}
