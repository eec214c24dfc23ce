// SPQR's erasure code against chunks libsignal 0.103 sent
// (tests/data/spqr_libsignal_chunks.json, captured by
// interop/spqr/capture-chunks.js): cliquet's encoder must produce every one
// of them, parity chunks included, and its decoder must rebuild each stream
// from any sufficient subset. Then round trips, bounds and refusals.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cliquet/bytes.hpp"
#include "cliquet/error.hpp"
#include "cliquet/random.hpp"
#include "cliquet_testing/deterministic_random.hpp"
#include "crypto/kem/kem.hpp"
#include "protocol/spqr/erasure.hpp"

using namespace cliquet;
using namespace cliquet::protocol::spqr;

namespace {

struct Stream {
    std::string sender;
    int epoch = 0;
    std::string type;
    std::size_t length = 0;
    std::vector<Chunk> chunks;  // in the order sent: index 0, 1, 2, ...
};

std::vector<Stream> captured_streams() {
    std::ifstream in(CLIQUET_SOURCE_DIR "/tests/data/spqr_libsignal_chunks.json");
    REQUIRE(in.good());
    const nlohmann::json file = nlohmann::json::parse(in);
    std::vector<Stream> streams;
    for (const auto& s : file.at("streams")) {
        Stream stream;
        stream.sender = s.at("sender").get<std::string>();
        stream.epoch = s.at("epoch").get<int>();
        stream.type = s.at("type").get<std::string>();
        stream.length = s.at("length").get<std::size_t>();
        for (const auto& c : s.at("chunks")) {
            Chunk chunk;
            chunk.index = c.at("index").get<std::uint16_t>();
            const Bytes data = from_hex(c.at("data").get<std::string>());
            REQUIRE(data.size() == kChunkDataSize);
            std::copy(data.begin(), data.end(), chunk.data.begin());
            stream.chunks.push_back(chunk);
        }
        streams.push_back(std::move(stream));
    }
    return streams;
}

// The bytes a stream carries: its systematic chunks, in order.
Bytes systematic_message(const Stream& stream) {
    REQUIRE(stream.length % kChunkDataSize == 0);
    const std::size_t count = stream.length / kChunkDataSize;
    REQUIRE(stream.chunks.size() > count);  // the capture went past them into parity
    Bytes message;
    for (std::size_t k = 0; k < count; ++k) {
        REQUIRE(stream.chunks[k].index == k);
        message.insert(message.end(), stream.chunks[k].data.begin(), stream.chunks[k].data.end());
    }
    return message;
}

const Stream& find_stream(const std::vector<Stream>& streams, const std::string& sender, int epoch,
                          const std::string& type) {
    for (const auto& s : streams) {
        if (s.sender == sender && s.epoch == epoch && s.type == type) return s;
    }
    FAIL("no captured stream " << sender << "/" << epoch << "/" << type);
    throw std::logic_error("unreachable");
}

Bytes random_bytes(RandomSource& random, std::size_t size) {
    Bytes out(size);
    random.fill(out);
    return out;
}

std::uint32_t random_u32(RandomSource& random) {
    std::array<std::uint8_t, 4> b{};
    random.fill(b);
    return static_cast<std::uint32_t>(b[0]) << 24 | static_cast<std::uint32_t>(b[1]) << 16 |
           static_cast<std::uint32_t>(b[2]) << 8 | b[3];
}

}  // namespace

TEST_CASE("the capture holds every stream one SPQR epoch exchanges", "[spqr][erasure]") {
    const auto streams = captured_streams();
    // Epoch 1: alice sends header and key vector, bob both ciphertext parts;
    // epoch 2 starts with bob's header. Sizes per docs/spqr.md 1.2.
    CHECK(find_stream(streams, "alice", 1, "hdr").length == 96);
    CHECK(find_stream(streams, "bob", 1, "ct1").length == 960);
    CHECK(find_stream(streams, "alice", 1, "ek_ct1_ack").length == 1152);
    CHECK(find_stream(streams, "bob", 1, "ct2").length == 160);
    CHECK(find_stream(streams, "bob", 2, "hdr").length == 96);
}

TEST_CASE("cliquet's encoder reproduces every chunk libsignal 0.103 sent, parity included", "[spqr][erasure]") {
    for (const auto& stream : captured_streams()) {
        INFO(stream.sender << " epoch " << stream.epoch << " " << stream.type);
        const Bytes message = systematic_message(stream);
        ErasureEncoder encoder(message);
        for (const auto& expected : stream.chunks) {
            const Chunk chunk = encoder.next_chunk();
            INFO("chunk " << expected.index);
            CHECK(chunk.index == expected.index);
            CHECK(to_hex(chunk.data) == to_hex(expected.data));
        }
    }
}

TEST_CASE("cliquet's decoder rebuilds libsignal's streams from parity-heavy subsets", "[spqr][erasure]") {
    for (const auto& stream : captured_streams()) {
        INFO(stream.sender << " epoch " << stream.epoch << " " << stream.type);
        const Bytes message = systematic_message(stream);
        const std::size_t needed = stream.length / kChunkDataSize;

        // The last `needed` chunks sent: all the parity there is, and as few
        // of the message's own chunks as that allows (none at all for the
        // header and ciphertext-2 streams, captured with parity to spare).
        ErasureDecoder decoder(stream.length);
        std::size_t fed = 0;
        for (auto it = stream.chunks.rbegin(); it != stream.chunks.rend() && fed < needed; ++it, ++fed) {
            CHECK_FALSE(decoder.has_enough());
            CHECK_FALSE(decoder.decoded().has_value());
            decoder.add_chunk(*it);
        }
        REQUIRE(decoder.has_enough());
        const auto decoded = decoder.decoded();
        REQUIRE(decoded.has_value());
        CHECK(to_hex(*decoded) == to_hex(message));
    }
}

TEST_CASE("the decoded header and key vector make one ML-KEM-768 key", "[spqr][erasure]") {
    const auto streams = captured_streams();
    const Bytes header_and_mac = systematic_message(find_stream(streams, "alice", 1, "hdr"));
    const Bytes vector = systematic_message(find_stream(streams, "alice", 1, "ek_ct1_ack"));
    const ByteView header = ByteView(header_and_mac).first(crypto::kem::mlkem768::kHeaderSize);
    CHECK(crypto::kem::mlkem768::header_matches_vector(header, vector));
    // Bob's epoch-2 header belongs to some other key.
    const Bytes other = systematic_message(find_stream(streams, "bob", 2, "hdr"));
    CHECK_FALSE(crypto::kem::mlkem768::header_matches_vector(ByteView(other).first(64), vector));
}

TEST_CASE("the erasure code round-trips from any sufficient set of chunks", "[spqr][erasure]") {
    const std::array<std::uint8_t, 32> seed{0xe5};
    DeterministicRandom random(seed);
    for (std::size_t size : {0u, 2u, 10u, 30u, 32u, 34u, 62u, 96u, 160u, 500u, 960u, 1152u, 2048u}) {
        INFO("size " << size);
        const Bytes message = random_bytes(random, size);
        const ErasureEncoder encoder(message);
        const std::size_t count = (size + kChunkDataSize - 1) / kChunkDataSize;
        for (int round = 0; round < 4; ++round) {
            // Distinct indices anywhere in 0..65535, fed until the decoder
            // has enough; it must need no more than `count` of them.
            ErasureDecoder decoder(size);
            std::vector<std::uint16_t> used;
            while (!decoder.has_enough()) {
                REQUIRE(used.size() <= count);
                auto index = static_cast<std::uint16_t>(random_u32(random));
                if (round == 0) index = static_cast<std::uint16_t>(used.size());  // in order
                if (std::find(used.begin(), used.end(), index) != used.end()) continue;
                used.push_back(index);
                decoder.add_chunk(encoder.chunk_at(index));
            }
            const auto decoded = decoder.decoded();
            REQUIRE(decoded.has_value());
            CHECK(*decoded == message);
        }
    }
}

TEST_CASE("systematic chunks are the message's own bytes", "[spqr][erasure]") {
    const Bytes message = from_hex(
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
        "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f");
    ErasureEncoder encoder(message);
    CHECK(encoder.counter() == 0);
    const Chunk first = encoder.next_chunk();
    const Chunk second = encoder.next_chunk();
    CHECK(encoder.counter() == 2);
    CHECK(first.index == 0);
    CHECK(second.index == 1);
    CHECK(to_hex(first.data) == to_hex(ByteView(message).first(32)));
    CHECK(to_hex(second.data) == to_hex(ByteView(message).subspan(32)));
    // Two points per polynomial: each parity value is the line through them,
    // f(x) = y0 + x * (y1 - y0), so at x = 2 it is y0 + 2 * (y0 + y1).
    const Chunk third = encoder.next_chunk();
    CHECK(third.index == 2);
    CHECK(to_hex(ByteView(third.data).first(2)) == "4041");  // 0x0001 + 2 * (0x0001 + 0x2021)
}

// SPQR copies its state on every message, and copies of an encoder share
// what they hold: each copy must still move on alone.
TEST_CASE("a copied encoder and its original move on independently", "[spqr][erasure]") {
    const std::array<std::uint8_t, 32> seed{0xc0};
    DeterministicRandom random(seed);
    const Bytes message = random_bytes(random, 96);  // 3 chunks of its own
    const ErasureEncoder reference(message);
    ErasureEncoder original(message);
    ErasureEncoder copy = original;
    // The copy goes into parity (and interpolates); the original has not.
    for (std::uint16_t i = 0; i < 6; ++i) CHECK(to_hex(copy.next_chunk().data) == to_hex(reference.chunk_at(i).data));
    CHECK(copy.counter() == 6);
    CHECK(original.counter() == 0);
    ErasureEncoder later = copy;  // a copy made after the interpolation
    for (std::uint16_t i = 0; i < 8; ++i) CHECK(to_hex(original.next_chunk().data) == to_hex(reference.chunk_at(i).data));
    CHECK(to_hex(later.next_chunk().data) == to_hex(reference.chunk_at(6).data));
    CHECK(to_hex(copy.next_chunk().data) == to_hex(reference.chunk_at(6).data));
    CHECK(later.message() == message);
    CHECK(original.message() == message);
}

TEST_CASE("the decoder keeps a bounded number of points whatever it is fed", "[spqr][erasure]") {
    const std::array<std::uint8_t, 32> seed{0xb0};
    DeterministicRandom random(seed);
    ErasureDecoder decoder(1152);
    Chunk chunk;
    for (std::uint32_t index = 65535; index >= 100; --index) {
        chunk.index = static_cast<std::uint16_t>(index);
        random.fill(chunk.data);
        decoder.add_chunk(chunk);
    }
    for (std::size_t p = 0; p < kCodePolynomials; ++p) {
        CHECK(decoder.points(p).size() == points_in_polynomial(1152, p));
    }
    // Then the message's own indices still find room.
    for (std::uint16_t index = 0; index < 36; ++index) {
        chunk.index = index;
        decoder.add_chunk(chunk);
    }
    for (std::size_t p = 0; p < kCodePolynomials; ++p) {
        CHECK(decoder.points(p).size() == 2 * points_in_polynomial(1152, p));
        const auto points = decoder.points(p);
        CHECK(std::is_sorted(points.begin(), points.end(),
                             [](const auto& a, const auto& b) { return a.x < b.x; }));
    }
}

TEST_CASE("a repeated chunk index keeps the first value", "[spqr][erasure]") {
    const Bytes message(64, 0x11);
    const ErasureEncoder encoder(message);
    ErasureDecoder decoder(64);
    Chunk forged = encoder.chunk_at(0);
    forged.data.fill(0xee);
    decoder.add_chunk(encoder.chunk_at(0));
    decoder.add_chunk(forged);
    CHECK_FALSE(decoder.has_enough());
    decoder.add_chunk(encoder.chunk_at(1));
    const auto decoded = decoder.decoded();
    REQUIRE(decoded.has_value());
    CHECK(*decoded == message);
}

TEST_CASE("the erasure code refuses sizes it cannot carry", "[spqr][erasure]") {
    for (std::size_t size : {1u, 33u, 1151u, 2049u, 2050u, 4096u}) {
        INFO("size " << size);
        const Bytes message(size, 0);
        try {
            ErasureEncoder encoder(message);
            FAIL("encoder accepted " << size << " bytes");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::invalid_argument);
        }
        try {
            ErasureDecoder decoder(size);
            FAIL("decoder accepted " << size << " bytes");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::invalid_argument);
        }
    }
    // An empty message needs nothing.
    const ErasureDecoder empty(0);
    CHECK(empty.has_enough());
    CHECK(empty.decoded() == Bytes{});
}

TEST_CASE("encoders and decoders carry on from what storage keeps", "[spqr][erasure]") {
    const std::array<std::uint8_t, 32> seed{0x77};
    DeterministicRandom random(seed);
    const Bytes message = random_bytes(random, 1152);
    ErasureEncoder encoder(message);
    CHECK(encoder.message() == message);
    for (int i = 0; i < 40; ++i) encoder.next_chunk();

    ErasureEncoder restored_encoder(encoder.message(), encoder.counter());
    CHECK(restored_encoder.counter() == 40);
    const Chunk next = restored_encoder.next_chunk();
    CHECK(next.index == 40);
    CHECK(next.data == encoder.chunk_at(40).data);
    // A fresh encoder interpolates only for parity: a const one on each call,
    // the sending one once; both give the same chunk.
    const ErasureEncoder untouched(message);
    CHECK(untouched.chunk_at(40).data == next.data);
    CHECK(untouched.chunk_at(3).data == encoder.chunk_at(3).data);

    ErasureDecoder decoder(1152);
    for (std::uint16_t index = 10; index < 40; ++index) decoder.add_chunk(encoder.chunk_at(index));
    std::array<std::vector<ErasureDecoder::Point>, kCodePolynomials> kept;
    for (std::size_t p = 0; p < kCodePolynomials; ++p) {
        kept[p].assign(decoder.points(p).begin(), decoder.points(p).end());
    }
    ErasureDecoder restored = ErasureDecoder::restore(decoder.message_size(), kept);
    CHECK_FALSE(restored.has_enough());
    for (std::uint16_t index = 40; index < 46; ++index) restored.add_chunk(encoder.chunk_at(index));
    REQUIRE(restored.decoded().has_value());
    CHECK(*restored.decoded() == message);
}

TEST_CASE("a stored decoder that add_chunk could not have produced is refused", "[spqr][erasure]") {
    using Points = std::array<std::vector<ErasureDecoder::Point>, kCodePolynomials>;
    auto expect_refused = [](std::size_t size, const Points& points) {
        try {
            ErasureDecoder::restore(size, points);
            FAIL("restored");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::storage);
        }
    };
    expect_refused(95, Points{});
    expect_refused(4096, Points{});
    Points unsorted;
    unsorted[0] = {{3, 1}, {2, 1}};
    expect_refused(96, unsorted);
    Points repeated;
    repeated[0] = {{2, 1}, {2, 1}};
    expect_refused(96, repeated);
    Points too_many;  // 96 bytes: 3 points per polynomial, at most 6 kept
    for (std::uint16_t x = 0; x < 7; ++x) too_many[5].push_back({x, 0});
    expect_refused(96, too_many);
    Points fine;
    for (std::uint16_t x = 0; x < 6; ++x) fine[5].push_back({static_cast<std::uint16_t>(x * 7), 0});
    CHECK(ErasureDecoder::restore(96, fine).points(5).size() == 6);
}
