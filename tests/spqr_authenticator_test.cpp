// SPQR's authenticator: keys and MACs under SPQR's labels (known answers
// computed from docs/spqr.md 1.4 with Python's hmac module, independent of
// cliquet's HKDF), verification in both directions, refusals.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "cliquet/bytes.hpp"
#include "cliquet/error.hpp"
#include "protocol/spqr/authenticator.hpp"

using namespace cliquet;
using namespace cliquet::protocol::spqr;

namespace {

Bytes filled(std::size_t size, std::uint8_t value) { return Bytes(size, value); }

Bytes counting(std::size_t size) {
    Bytes out(size);
    for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(i);
    return out;
}

void expect_bad_mac(const std::function<void()>& action) {
    try {
        action();
        FAIL("a wrong MAC verified");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_message);
    }
}

}  // namespace

TEST_CASE("SPQR authenticator: known keys and MACs", "[spqr][authenticator]") {
    Authenticator auth(filled(32, 41), 1);
    CHECK(to_hex(auth.root_key().span()) == "486eb283e739a2b7baea016d6a70df801616dfbf3f022b77a27cfaa3360348a0");
    CHECK(to_hex(auth.mac_key().span()) == "5a368111ae4f8d5d407e4b9a369e67af9e01d9449cf2b5e50cede3f7ab525a1e");
    CHECK(to_hex(auth.header_mac(1, counting(64))) ==
          "66661f0392da7880ca1ab8c1b81599740cf445b7c0ba60c91c05ed2fe8ce7ffe");

    auth.update(1, filled(32, 7));
    CHECK(to_hex(auth.root_key().span()) == "142cfe99397c4ac405a25cb4784597212f9106e89b34ddbbb126bffe0598892b");
    CHECK(to_hex(auth.ciphertext_mac(1, filled(1088, 0x5c))) ==
          "a57adaff788a359fa1601a40d5393815f83fc59585ccbe1dcb7705b35d3ec753");
}

TEST_CASE("SPQR authenticator: the peer's MACs verify, altered ones do not", "[spqr][authenticator]") {
    Authenticator sender(filled(32, 3), 1);
    Authenticator receiver(sender.root_key(), sender.mac_key());
    const Bytes header = counting(64);
    const auto mac = sender.header_mac(1, header);
    receiver.verify_header(1, header, mac);

    Bytes other_header = header;
    other_header[10] ^= 1;
    expect_bad_mac([&] { receiver.verify_header(1, other_header, mac); });
    expect_bad_mac([&] { receiver.verify_header(2, header, mac); });  // another epoch
    auto flipped = mac;
    flipped[31] ^= 0x80;
    expect_bad_mac([&] { receiver.verify_header(1, header, flipped); });
    expect_bad_mac([&] { receiver.verify_header(1, header, ByteView(mac).first(31)); });
    // A header MAC is no ciphertext MAC.
    expect_bad_mac([&] { receiver.verify_ciphertext(1, header, mac); });

    // After both mix in the epoch secret they agree again; before, not.
    sender.update(1, filled(32, 9));
    const Bytes ciphertext = filled(1088, 0x21);
    const auto ct_mac = sender.ciphertext_mac(1, ciphertext);
    expect_bad_mac([&] { receiver.verify_ciphertext(1, ciphertext, ct_mac); });
    receiver.update(1, filled(32, 9));
    receiver.verify_ciphertext(1, ciphertext, ct_mac);
}
