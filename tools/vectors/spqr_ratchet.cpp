// spqr category, SpqrRatchetTest: two PqRatchets (the initiator A2B, the
// responder B2A, both requiring version 1) driven from fixed randomness
// through a scripted conversation. Each step names the sender, whether the
// message reaches the peer, the SPQR message and key the sender must
// produce, and both braid states afterwards. An invalid test ends with a
// delivered message altered at `tamperOffset` (XOR `tamperMask`), or
// (`replay`) delivered a second time, which the receiver must refuse with
// `error`; no other step alters anything.
#include <string>
#include <vector>

#include "cliquet_testing/deterministic_random.hpp"
#include "protocol/spqr/pq_ratchet.hpp"
#include "spqr.hpp"

namespace cliquet::vectors::spqr {
namespace {

using namespace cliquet::protocol::spqr;

Key32 key32(const Bytes& bytes) {
    if (bytes.size() != 32) throw Mismatch("expected 32 bytes");
    return Key32(std::span<const std::uint8_t, 32>(bytes.data(), 32));
}

DeterministicRandom seeded(const Bytes& seed) {
    if (seed.size() != 32) throw Mismatch("a seed is 32 bytes");
    return DeterministicRandom(std::span<const std::uint8_t, 32>(seed.data(), 32));
}

struct Parties {
    PqRatchet alice, bob;
    DeterministicRandom alice_random, bob_random;
};

Parties parties_of(const json& test) {
    const Key32 auth_key = key32(hex_param(test, "authKey"));
    return Parties{PqRatchet::initial(auth_key, Direction::a2b, Version::v1),
                   PqRatchet::initial(auth_key, Direction::b2a, Version::v1), seeded(hex_param(test, "aliceSeed")),
                   seeded(hex_param(test, "bobSeed"))};
}

Bytes key_bytes(const std::optional<Key32>& key) {
    return key ? Bytes(key->span().begin(), key->span().end()) : Bytes();
}

}  // namespace

void check_ratchet_case(const json& test) {
    Parties p = parties_of(test);
    const json& steps = test.at("steps");
    if (!steps.is_array() || steps.empty()) throw Mismatch("no steps");
    const bool valid = is_valid(test);
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const json& step = steps[i];
        const bool altered_here = step.contains("tamperOffset") || step.contains("replay");
        if (altered_here && (valid || i + 1 != steps.size())) {
            throw Mismatch("only an invalid test's last step alters or replays its message");
        }
        const bool from_alice = string_param(step, "from") == "alice";
        PqRatchet& sender = from_alice ? p.alice : p.bob;
        PqRatchet& receiver = from_alice ? p.bob : p.alice;
        const auto sent = sender.send(from_alice ? p.alice_random : p.bob_random);
        const std::string where = "step " + std::to_string(i + 1) + " ";
        expect_equal(where + "message", hex_param(step, "msg"), sent.message);
        expect_equal(where + "key", hex_param(step, "key"), key_bytes(sent.key));
        const bool last = i + 1 == steps.size();
        if (!valid && last) {
            // The refused delivery: nothing of it may be taken.
            Bytes altered = sent.message;
            if (!step.contains("tamperOffset") && !step.contains("replay")) throw Mismatch("nothing to refuse");
            if (step.contains("tamperOffset")) {
                const std::uint64_t offset = uint_param(step, "tamperOffset");
                if (offset >= altered.size()) throw Mismatch("tamperOffset beyond the message");
                altered[offset] ^= static_cast<std::uint8_t>(uint_param(step, "tamperMask"));
            } else {
                receiver = receiver.recv(sent.message).next;  // the first delivery; the test is the second
            }
            expect_refused([&] { (void)receiver.recv(altered); }, error_param(test));
            return;
        }
        if (step.at("delivered").get<bool>()) {
            auto received = receiver.recv(sent.message);
            expect_equal(where + "received key", hex_param(step, "key"), key_bytes(received.key));
            receiver = std::move(received.next);
        }
        if (string_param(step, "aliceState") != p.alice.braid()->state_name() ||
            string_param(step, "bobState") != p.bob.braid()->state_name()) {
            throw Mismatch(where + "states differ: " + std::string(p.alice.braid()->state_name()) + ", " +
                           std::string(p.bob.braid()->state_name()));
        }
    }
    if (!valid) throw Mismatch("an invalid test must end in a refused delivery");
}

namespace {

// The scripted conversation: Alice and Bob alternate, with one-sided runs,
// and every fifth of Alice's and every seventh of Bob's messages lost.
std::vector<bool> script(std::size_t length) {
    std::vector<bool> from_alice;
    for (std::size_t i = 0; i < length; ++i) from_alice.push_back(i % 11 < 3 || (i % 11 >= 6 && i % 2 == 0));
    return from_alice;
}

struct Transcript {
    json steps = json::array();
    // For each step: the states after it, and the receiver's state before.
    std::vector<std::string> receiver_before, receiver_after;
};

json make_test(const std::string& comment, bool valid, const json& flags, const Bytes& auth_key,
               const Bytes& alice_seed, const Bytes& bob_seed, json steps) {
    json test = test_case(comment, valid, flags);
    test["authKey"] = to_hex(auth_key);
    test["aliceSeed"] = to_hex(alice_seed);
    test["bobSeed"] = to_hex(bob_seed);
    test["steps"] = std::move(steps);
    return test;
}

Transcript run(const Bytes& auth_key, const Bytes& alice_seed, const Bytes& bob_seed, std::size_t length) {
    json seeds = {{"authKey", to_hex(auth_key)}, {"aliceSeed", to_hex(alice_seed)}, {"bobSeed", to_hex(bob_seed)}};
    Parties p = parties_of(seeds);
    Transcript out;
    std::size_t alice_count = 0, bob_count = 0;
    for (const bool from_alice : script(length)) {
        PqRatchet& sender = from_alice ? p.alice : p.bob;
        PqRatchet& receiver = from_alice ? p.bob : p.alice;
        const auto sent = sender.send(from_alice ? p.alice_random : p.bob_random);
        const bool delivered = from_alice ? ++alice_count % 5 != 0 : ++bob_count % 7 != 0;
        out.receiver_before.emplace_back(receiver.braid()->state_name());
        if (delivered) receiver = receiver.recv(sent.message).next;
        out.receiver_after.emplace_back(receiver.braid()->state_name());
        out.steps.push_back({{"from", from_alice ? "alice" : "bob"},
                             {"delivered", delivered},
                             {"msg", to_hex(sent.message)},
                             {"key", to_hex(key_bytes(sent.key))},
                             {"aliceState", std::string(p.alice.braid()->state_name())},
                             {"bobState", std::string(p.bob.braid()->state_name())}});
    }
    return out;
}

}  // namespace

json ratchet_group() {
    DeterministicRandom random = fixed_seed_random("cliquet-vectors spqr ratchet");
    json tests = json::array();
    const Bytes auth_key = random_bytes(random, 32);
    const Bytes alice_seed = random_bytes(random, 32);
    const Bytes bob_seed = random_bytes(random, 32);
    const Transcript full = run(auth_key, alice_seed, bob_seed, 400);
    tests.push_back(make_test("400 messages, some lost, through several epochs", true, {"Cliquet"}, auth_key,
                              alice_seed, bob_seed, full.steps));

    // Refusals, each at the first delivered message that completes what is checked.
    struct Refusal {
        const char* comment;
        const char* flag;
        const char* before;
        const char* after;
        const char* error;
        bool repeat;
    };
    const Refusal refusals[] = {
        {"header MAC altered", "ModifiedHeaderMac", "NoHeaderReceived", "HeaderReceived", "invalid_message", false},
        {"key vector altered", "ModifiedKeyVector", "Ct1Acknowledged", "Ct2Sampled", "invalid_message", false},
        {"ciphertext 2 altered", "ModifiedCiphertext", "EkSentCt1Received", "NoHeaderReceived", "invalid_message",
         false},
        {"a message delivered twice", "Replay", "HeaderSent", "HeaderSent", "duplicate_message", true},
    };
    for (const Refusal& refusal : refusals) {
        std::size_t at = 0;
        while (at < full.steps.size() &&
               !(full.steps[at].at("delivered").get<bool>() && full.receiver_before[at] == refusal.before &&
                 full.receiver_after[at] == refusal.after)) {
            ++at;
        }
        if (at == full.steps.size()) throw std::runtime_error(std::string("no step for ") + refusal.comment);
        json steps(full.steps.begin(), full.steps.begin() + static_cast<std::ptrdiff_t>(at + 1));
        json& last = steps.back();
        const std::size_t size = hex_param(last, "msg").size();
        if (refusal.repeat) {
            last["replay"] = true;
        } else {
            last["tamperOffset"] = size - 1;  // the last byte of the chunk
            last["tamperMask"] = 1;
        }
        json test = make_test(refusal.comment, false, {refusal.flag}, auth_key, alice_seed, bob_seed, steps);
        test["error"] = refusal.error;
        tests.push_back(std::move(test));
    }
    // A message of an epoch the receiver has not reached.
    {
        json steps = json::array({full.steps[0]});
        steps[0]["tamperOffset"] = 1;  // the epoch varint: 1 becomes 3
        steps[0]["tamperMask"] = 2;
        json test = make_test("epoch ahead of the receiver", false, {"EpochAhead"}, auth_key, alice_seed, bob_seed,
                              steps);
        test["error"] = "invalid_message";
        tests.push_back(std::move(test));
    }
    return {{"type", "SpqrRatchetTest"}, {"tests", std::move(tests)}};
}

}  // namespace cliquet::vectors::spqr
