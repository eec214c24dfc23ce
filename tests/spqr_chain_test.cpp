// SPQR's symmetric chain: its keys under SPQR's labels (known answers
// computed from docs/spqr.md 1.6 with Python's hmac module, independent of
// cliquet's HKDF), the two directions agreeing, late and skipped keys
// within the limits, and refusals that leave the chain as it was.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cliquet/bytes.hpp"
#include "cliquet/error.hpp"
#include "protocol/spqr/chain.hpp"
#include "spqr_test_helpers.hpp"

using namespace cliquet;
using namespace cliquet::protocol::spqr;
using namespace cliquet::spqr_test;

namespace {

Key32 counting_key() {
    std::array<std::uint8_t, 32> bytes{};
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i);
    return Key32(bytes);
}

std::string hex_of(const Key32& key) { return to_hex(key.span()); }

}  // namespace

TEST_CASE("SPQR chain keys: known answers for epoch 0 and an added epoch", "[spqr][chain]") {
    Chain alice(filled_key(41), Direction::a2b);
    Chain bob(filled_key(41), Direction::b2a);

    auto [i1, k1] = alice.send_key(0);
    auto [i2, k2] = alice.send_key(0);
    auto [i3, k3] = alice.send_key(0);
    CHECK(i1 == 1);
    CHECK(i2 == 2);
    CHECK(i3 == 3);
    CHECK(hex_of(k1) == "9bcdfae095d09aa8ab367dd231d1d271fe580b555bcc6f64ff079d53d9a9db5d");
    CHECK(hex_of(k2) == "6af868be8ea72f8ca3bb819c9623c0c9ffebd6f8503937d8f4fac142ac42a48e");
    CHECK(hex_of(k3) == "a404b6f9818a9df70c23a91e8ce97e4311dbe6038e247854646a38bd80598c0c");
    CHECK(hex_of(bob.send_key(0).second) == "8ede114ee798830a3d35a383e72e96d82a9adca0ac699c12fdf99069220e2da8");

    alice.add_epoch(1, counting_key());
    bob.add_epoch(1, counting_key());
    CHECK(alice.current_epoch() == 1);
    CHECK(hex_of(alice.send_key(1).second) == "00b6b87aaea1af6689aab8aef7310399b730b243aa29388edc79f83b6b1c33b3");
    CHECK(hex_of(bob.send_key(1).second) == "067786ed02e3cbb220c95ff7cb3cc509b8bd0fd228b041dcf6566c84b7d8cde7");
}

TEST_CASE("SPQR chain: each side receives what the other sends, in any order", "[spqr][chain]") {
    Chain alice(filled_key(7), Direction::a2b);
    Chain bob(filled_key(7), Direction::b2a);
    std::vector<Key32> sent;
    for (int i = 0; i < 10; ++i) sent.push_back(alice.send_key(0).second);
    // 10, then 1..9 backwards.
    CHECK(bob.recv_key(0, 10) == sent[9]);
    CHECK(bob.stored_keys(0) == 9);
    for (std::uint32_t index = 9; index >= 1; --index) CHECK(bob.recv_key(0, index) == sent[index - 1]);
    CHECK(bob.stored_keys(0) == 0);

    // Across an epoch: the old epoch's keys still arrive late.
    alice.add_epoch(1, filled_key(1));
    bob.add_epoch(1, filled_key(1));
    const Key32 old_late = alice.send_key(0).second;  // index 11 of epoch 0
    const auto [index, fresh] = alice.send_key(1);
    CHECK(index == 1);
    CHECK(bob.recv_key(1, 1) == fresh);
    CHECK(bob.recv_key(0, 11) == old_late);
    CHECK_FALSE(fresh == old_late);
}

TEST_CASE("SPQR chain: a key is handed out once", "[spqr][chain]") {
    Chain alice(filled_key(3), Direction::a2b);
    Chain bob(filled_key(3), Direction::b2a);
    for (int i = 0; i < 3; ++i) alice.send_key(0);
    bob.recv_key(0, 3);
    expect_refused(ErrorCode::duplicate_message, [&] { bob.recv_key(0, 3); });
    bob.recv_key(0, 1);
    expect_refused(ErrorCode::duplicate_message, [&] { bob.recv_key(0, 1); });
    // Key 2 is still there: the refusals changed nothing.
    CHECK(bob.stored_keys(0) == 1);
    bob.recv_key(0, 2);
    CHECK(bob.stored_keys(0) == 0);
}

TEST_CASE("SPQR chain: jumps beyond max_jump and keys older than max_ooo_keys are refused", "[spqr][chain]") {
    const ChainParams params{/*max_jump=*/100, /*max_ooo_keys=*/10};
    Chain alice(filled_key(9), Direction::a2b, params);
    Chain bob(filled_key(9), Direction::b2a, params);
    std::vector<Key32> sent;
    for (int i = 0; i < 130; ++i) sent.push_back(alice.send_key(0).second);

    expect_refused(ErrorCode::invalid_message, [&] { bob.recv_key(0, 101); });
    CHECK(bob.stored_keys(0) == 0);
    CHECK(bob.recv_key(0, 100) == sent[99]);  // exactly max_jump ahead
    // Only keys 90..99 were kept: 89 is older than max_ooo_keys.
    CHECK(bob.stored_keys(0) == 10);
    expect_refused(ErrorCode::invalid_message, [&] { bob.recv_key(0, 89); });
    CHECK(bob.recv_key(0, 90) == sent[89]);
    // Moving on 20 drops what fell behind and keeps at most max_ooo_keys.
    CHECK(bob.recv_key(0, 120) == sent[119]);
    CHECK(bob.stored_keys(0) == 10);
    expect_refused(ErrorCode::invalid_message, [&] { bob.recv_key(0, 109); });
    CHECK(bob.recv_key(0, 110) == sent[109]);
}

TEST_CASE("SPQR chain: epochs must follow and exist", "[spqr][chain]") {
    Chain alice(filled_key(5), Direction::a2b);
    expect_refused(ErrorCode::invalid_argument, [&] { alice.add_epoch(2, filled_key(1)); });
    expect_refused(ErrorCode::invalid_argument, [&] { alice.add_epoch(0, filled_key(1)); });
    expect_refused(ErrorCode::invalid_message, [&] { alice.recv_key(1, 1); });
    expect_refused(ErrorCode::invalid_argument, [&] { alice.send_key(1); });
    CHECK(alice.current_epoch() == 0);
    expect_refused(ErrorCode::invalid_argument, [] { Chain(filled_key(5), Direction::a2b, ChainParams{0, 1}); });
    expect_refused(ErrorCode::invalid_argument, [] { Chain(filled_key(5), Direction::a2b, ChainParams{1, 0}); });
}

TEST_CASE("SPQR chain: sending in a newer epoch drops older epochs and their sending chains", "[spqr][chain]") {
    Chain alice(filled_key(6), Direction::a2b);
    Chain bob(filled_key(6), Direction::b2a);
    for (Epoch e = 1; e <= 3; ++e) {
        alice.add_epoch(e, filled_key(static_cast<std::uint8_t>(e)));
        bob.add_epoch(e, filled_key(static_cast<std::uint8_t>(e)));
    }
    bob.send_key(1);
    CHECK(alice.held_epochs() == 4);
    alice.send_key(3);
    CHECK(alice.send_epoch() == 3);
    // Epoch 2 stays for late messages; 0 and 1 are gone (Bob's epoch-1 key
    // cannot be taken any more).
    CHECK(alice.held_epochs() == 2);
    expect_refused(ErrorCode::invalid_message, [&] { alice.recv_key(1, 1); });
    expect_refused(ErrorCode::invalid_argument, [&] { alice.send_key(2); });
    CHECK(alice.send_key(3).first == 2);
    // Bob, sending in epoch 1, keeps epoch 0 before it for late messages.
    CHECK(bob.held_epochs() == 4);
    // Alice still takes epoch 2 from him.
    const Key32 from_bob_epoch2 = bob.send_key(2).second;
    CHECK(alice.recv_key(2, 1) == from_bob_epoch2);
    CHECK(bob.held_epochs() == 3);
}
