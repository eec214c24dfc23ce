// SignalMessage::deserialize reads the body as senders write it without
// protobuf (protocol/wire/signal_message_body.hpp) and hands everything else to
// protobuf. It must accept and refuse exactly what the protobuf parse alone
// did, with the same values and the same MAC-covered bytes: this compares
// the two on the fuzz seeds, on made messages with every field shape
// protobuf allows, and on many mutated and random inputs.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "cliquet/cliquet.hpp"
#include "protocol/wire/proto_util.hpp"
#include "protocol/wire/signal_message_body.hpp"
#include "wire.pb.h"

using namespace cliquet;

namespace {

struct Parsed {
    int version = 0;
    Bytes ratchet_key, ciphertext, pq_ratchet, serialized;
    std::uint32_t counter = 0, previous_counter = 0;
    bool operator==(const Parsed&) const = default;
};

// What deserialize returned, or the error it threw.
struct Outcome {
    std::optional<Parsed> parsed;
    std::string error;
};

Outcome through_deserialize(ByteView bytes) {
    try {
        const auto m = SignalMessage::deserialize(bytes);
        return {Parsed{m.message_version(), m.sender_ratchet_key().serialize(), m.ciphertext(), m.pq_ratchet(),
                       m.serialize(), m.counter(), m.previous_counter()},
                {}};
    } catch (const Error& e) {
        REQUIRE(e.code() == ErrorCode::invalid_message);
        return {std::nullopt, e.what()};
    }
}

// The parse as it was before the hand-written reader: protobuf-lite (with
// parse_proto's refusals of a field key past 32 bits and of a field under
// another wire type) and the same checks, in the same order, with the same
// messages.
Outcome through_protobuf(ByteView bytes) {
    auto refuse = [](std::string what) { return Outcome{std::nullopt, Error(ErrorCode::invalid_message, what).what()}; };
    if (bytes.empty()) return refuse("signal message is empty");
    const int version = bytes[0] >> 4;
    if (version < 3 || version > 4) return refuse("signal message has unsupported version " + std::to_string(version));
    if (bytes.size() < 1 + kMessageMacSize) return refuse("signal message is too short");
    if (bytes.size() > (1u << 22)) return refuse("signal message is too large");
    proto::wire::SignalMessage body;
    const ByteView body_bytes = bytes.subspan(1, bytes.size() - 1 - kMessageMacSize);
    if (!body.ParseFromArray(body_bytes.data(), static_cast<int>(body_bytes.size())))
        return refuse("signal message is not a valid protobuf");
    if (!protocol::walk_raw_fields(body_bytes, [](std::uint32_t, unsigned, ByteView) {}))
        return refuse("signal message holds a field key past 32 bits");
    if (protocol::has_misencoded_field(body)) return refuse("signal message holds a field under the wrong wire type");
    if (!body.has_ratchet_key() || !body.has_counter() || !body.has_ciphertext())
        return refuse("signal message lacks a required field");
    Bytes key(body.ratchet_key().begin(), body.ratchet_key().end());
    try {
        key = PublicKey::deserialize(key).serialize();
    } catch (const Error&) {
        return refuse("message has a malformed ratchet key");
    }
    return {Parsed{version, key, Bytes(body.ciphertext().begin(), body.ciphertext().end()),
                   Bytes(body.pq_ratchet().begin(), body.pq_ratchet().end()), Bytes(bytes.begin(), bytes.end()),
                   body.counter(), body.previous_counter()},
            {}};
}

// Counts inputs the hand-written reader took, so the test shows it ran.
std::size_t g_read_by_hand = 0;

void check_same(ByteView bytes) {
    const Outcome ours = through_deserialize(bytes);
    const Outcome reference = through_protobuf(bytes);
    INFO("input of " << bytes.size() << " bytes");
    REQUIRE(ours.parsed.has_value() == reference.parsed.has_value());
    if (ours.parsed) {
        REQUIRE(*ours.parsed == *reference.parsed);
    } else {
        REQUIRE(ours.error == reference.error);
    }
    // Whatever the reader takes, protobuf takes too, with the same values.
    if (bytes.size() >= 1 + kMessageMacSize) {
        const ByteView body_bytes = bytes.subspan(1, bytes.size() - 1 - kMessageMacSize);
        if (const auto body = protocol::read_canonical_signal_message_body(body_bytes)) {
            ++g_read_by_hand;
            proto::wire::SignalMessage proto_body;
            REQUIRE(proto_body.ParseFromArray(body_bytes.data(), static_cast<int>(body_bytes.size())));
            REQUIRE(proto_body.has_ratchet_key());
            REQUIRE(proto_body.has_counter());
            REQUIRE(proto_body.has_ciphertext());
            REQUIRE(!proto_body.has_addresses());
            REQUIRE(Bytes(body->ratchet_key.begin(), body->ratchet_key.end()) ==
                    Bytes(proto_body.ratchet_key().begin(), proto_body.ratchet_key().end()));
            REQUIRE(body->counter == proto_body.counter());
            REQUIRE(body->previous_counter == proto_body.previous_counter());
            REQUIRE(Bytes(body->ciphertext.begin(), body->ciphertext.end()) ==
                    Bytes(proto_body.ciphertext().begin(), proto_body.ciphertext().end()));
            REQUIRE(Bytes(body->pq_ratchet.begin(), body->pq_ratchet.end()) ==
                    Bytes(proto_body.pq_ratchet().begin(), proto_body.pq_ratchet().end()));
        }
    }
}

void append_varint(Bytes& out, std::uint64_t value, std::size_t extra_bytes = 0) {
    while (value >= 0x80 || extra_bytes > 0) {
        out.push_back(static_cast<std::uint8_t>(value | 0x80));
        if (value < 0x80) --extra_bytes;
        value >>= 7;
    }
    out.push_back(static_cast<std::uint8_t>(value));
}

std::vector<Bytes> seeds() {
    std::vector<Bytes> out;
    const std::filesystem::path dir = std::filesystem::path(CLIQUET_SOURCE_DIR) / "tests/fuzz/seeds/fuzz_signal_message";
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        std::ifstream in(entry.path(), std::ios::binary);
        out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return out;
}

}  // namespace

TEST_CASE("SignalMessage::deserialize reads as protobuf did: seeds and made messages", "[unit][messages]") {
    g_read_by_hand = 0;
    std::size_t inputs = 0;
    for (const auto& seed : seeds()) {
        check_same(seed);
        ++inputs;
    }
    REQUIRE(inputs >= 2);
    REQUIRE(g_read_by_hand == inputs);  // real messages take the hand-written path

    const PublicKey ratchet = KeyPair::generate(system_random()).public_key;
    const IdentityKey sender = IdentityKeyPair::generate().public_key();
    const IdentityKey receiver = IdentityKeyPair::generate().public_key();
    const std::array<std::uint8_t, 32> mac_key{1};
    for (const std::uint32_t counter : {0u, 1u, 127u, 128u, 16384u, 2097151u, 268435456u, 4294967295u})
        for (const std::size_t size : {std::size_t{0}, std::size_t{16}, std::size_t{127}, std::size_t{128}, std::size_t{20000}})
            for (const std::size_t pq : {std::size_t{0}, std::size_t{3}, std::size_t{300}}) {
                const auto m = SignalMessage::create(3 + static_cast<int>(pq % 2), ratchet, counter, counter / 3,
                                                     Bytes(size, 0x5a), sender, receiver, mac_key, Bytes(pq, 0x11));
                g_read_by_hand = 0;
                check_same(m.serialize());
                REQUIRE(g_read_by_hand == 1);
            }
}

TEST_CASE("SignalMessage::deserialize reads as protobuf did: every field shape", "[unit][messages]") {
    const Bytes key = KeyPair::generate(system_random()).public_key.serialize();
    // A body built field by field: tag, then a varint (with `pad` redundant
    // bytes) or a length and bytes.
    struct Field {
        std::uint64_t tag;
        std::uint64_t value;  // varint value, or length for wire type 2
        std::size_t pad = 0;
        Bytes bytes = {};
    };
    auto frame = [](const std::vector<Field>& fields, std::uint8_t version = 0x33) {
        Bytes out{version};
        for (const auto& f : fields) {
            append_varint(out, f.tag);
            append_varint(out, f.value, f.pad);
            out.insert(out.end(), f.bytes.begin(), f.bytes.end());
        }
        out.insert(out.end(), kMessageMacSize, 0xee);
        return out;
    };
    const Field k{0x0a, key.size(), 0, key};
    const Field c{0x10, 7};
    const Field p{0x18, 3};
    const Field ct{0x22, 16, 0, Bytes(16, 1)};
    const Field pq{0x2a, 2, 0, Bytes{9, 9}};
    const std::vector<std::vector<Field>> bodies = {
        {k, c, p, ct}, {k, c, p, ct, pq}, {k, c, ct}, {c, p, ct}, {k, p, ct}, {k, c, p},  // missing fields
        {c, k, p, ct}, {k, c, p, pq, ct}, {ct, p, c, k},                                  // other orders
        {k, c, p, ct, ct}, {k, k, c, p, ct}, {k, c, c, p, ct}, {k, c, p, ct, pq, pq},     // repeated fields
        {k, c, p, ct, {0x32, 1, 0, Bytes{1}}},                                            // addresses
        {k, c, p, ct, {0x38, 5}}, {k, c, p, ct, {0x0d, 0x01020304}}, {k, c, p, ct, {0x41, 0}},  // unknown fields
        {k, {0x10, 7, 1}, p, ct}, {k, c, {0x18, 3, 4}, ct}, {k, {0x10, 7, 5}, p, ct},     // redundant varint bytes
        {k, {0x10, 7, 9}, p, ct}, {k, {0x10, 7, 10}, p, ct},                              // 10 and 11 byte varints
        {k, {0x10, 0x100000000ull}, p, ct}, {k, {0x10, ~0ull}, p, ct},                    // beyond 32 bits
        {k, c, p, {0x22, 16, 1, Bytes(16, 1)}}, {{0x0a, key.size(), 2, key}, c, p, ct},  // redundant lengths
        {{0x8a, 1}, c, p, ct}, {k, {0x90, 1}, p, ct}, {k, c, p, {0xa2, 0}},               // redundant tag bytes
        {{0x0a, 32, 0, Bytes(key.begin(), key.begin() + 32)}, c, p, ct},                  // short key
        {{0x0a, 34, 0, key}, c, p, ct},                                                   // length past key
        {k, {0x12, 1, 0, Bytes{7}}, p, ct}, {k, c, {0x1d, 0}, ct}, {k, c, p, {0x20, 16}},  // wrong wire types
        {k, c, p, ct, {0x00, 0}}, {k, c, p, ct, {0x07, 0}}, {k, c, p, ct, {0x0e, 0}},     // field 0, wire types 7, 6
        {k, c, p, ct, {0x0b, 0x0c}}, {k, c, p, ct, {0x0c, 0}}, {k, c, p, ct, {0x0b, 0}},  // groups
        {k, c, p, {0x22, 17, 0, Bytes(16, 1)}}, {k, c, p, {0x22, 0xffffffff, 0, {}}},     // lengths past the end
    };
    for (const auto& body : bodies) {
        check_same(frame(body));
        check_same(frame(body, 0x44));
        check_same(frame(body, 0x24));
        Bytes truncated = frame(body);
        while (truncated.size() > 0) {
            truncated.pop_back();
            check_same(truncated);
        }
    }
    g_read_by_hand = 0;
    check_same(frame({k, {0x10, 0x7fffffff}, {0x18, 0xffffffff}, ct}));
    REQUIRE(g_read_by_hand == 1);
}

TEST_CASE("SignalMessage::deserialize reads as protobuf did: mutated and random inputs", "[unit][messages]") {
    std::mt19937_64 rng(20261129);
    std::vector<Bytes> bases = seeds();
    const PublicKey ratchet = KeyPair::generate(system_random()).public_key;
    const IdentityKey id = IdentityKeyPair::generate().public_key();
    const std::array<std::uint8_t, 32> mac_key{};
    bases.push_back(SignalMessage::create(4, ratchet, 300, 2, Bytes(48, 3), id, id, mac_key, Bytes(20, 4)).serialize());
    bases.push_back(SignalMessage::create(3, ratchet, 1u << 21, 0, Bytes(130, 3), id, id, mac_key).serialize());
    auto byte = [&] { return static_cast<std::uint8_t>(rng()); };
    std::size_t mutated = 0;
    for (int round = 0; round < 200000; ++round) {
        Bytes input = bases[rng() % bases.size()];
        const int edits = 1 + static_cast<int>(rng() % 3);
        for (int e = 0; e < edits && !input.empty(); ++e) {
            const std::size_t at = rng() % input.size();
            switch (rng() % 6) {
                case 0: input[at] = byte(); break;
                case 1: input[at] ^= static_cast<std::uint8_t>(1u << (rng() % 8)); break;
                case 2: input.erase(input.begin() + static_cast<std::ptrdiff_t>(at)); break;
                case 3: input.insert(input.begin() + static_cast<std::ptrdiff_t>(at), byte()); break;
                case 4: input.resize(at); break;
                default: {  // a copy of a run of the input elsewhere (repeats fields)
                    const std::size_t from = rng() % input.size();
                    const std::size_t length = std::min<std::size_t>(1 + rng() % 40, input.size() - from);
                    const Bytes run(input.begin() + static_cast<std::ptrdiff_t>(from),
                                    input.begin() + static_cast<std::ptrdiff_t>(from + length));
                    input.insert(input.begin() + static_cast<std::ptrdiff_t>(at), run.begin(), run.end());
                }
            }
        }
        check_same(input);
        ++mutated;
    }
    for (int round = 0; round < 20000; ++round) {
        Bytes input(rng() % 80);
        for (auto& b : input) b = byte();
        if (!input.empty()) input[0] = static_cast<std::uint8_t>(0x30 | (input[0] & 0x1f));
        check_same(input);
    }
    REQUIRE(mutated == 200000);
}
