// The SPQR message codec against every pq_ratchet field two libsignal 0.103
// devices sent (tests/data/spqr_libsignal_chunks.json): each decodes, and
// encodes back to the same bytes; the epochs, key indices and payload types
// follow the exchange docs/spqr.md describes. Then every malformed form is
// refused as an invalid message.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cliquet/bytes.hpp"
#include "cliquet/error.hpp"
#include "protocol/spqr/message.hpp"

using namespace cliquet;
using namespace cliquet::protocol::spqr;

namespace {

std::vector<std::pair<std::string, Bytes>> captured_messages() {
    std::ifstream in(CLIQUET_SOURCE_DIR "/tests/data/spqr_libsignal_chunks.json");
    REQUIRE(in.good());
    const nlohmann::json file = nlohmann::json::parse(in);
    std::vector<std::pair<std::string, Bytes>> out;
    for (const auto& m : file.at("messages")) {
        out.emplace_back(m.at("from").get<std::string>(), from_hex(m.at("pq_ratchet").get<std::string>()));
    }
    return out;
}

void expect_malformed(const std::string& hex) {
    INFO("message " << hex);
    try {
        decode_message(from_hex(hex));
        FAIL("accepted");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_message);
    }
}

}  // namespace

TEST_CASE("every SPQR message libsignal 0.103 sent decodes and encodes back to its bytes", "[spqr][message]") {
    const auto messages = captured_messages();
    REQUIRE(messages.size() == 113);
    // sender/epoch -> the types sent, and the key indices seen.
    std::map<std::string, std::map<PayloadType, int>> types;
    std::map<std::string, std::uint32_t> last_index;
    for (const auto& [from, bytes] : messages) {
        INFO(from << " " << to_hex(bytes));
        REQUIRE(message_version(bytes) == 1);
        const Message message = decode_message(bytes);
        CHECK(encode_message(message) == bytes);
        const std::string key = from + "/" + std::to_string(message.epoch);
        ++types[key][message.type];
        // Each side's keys count up from 1 within a chain epoch.
        CHECK(message.index == last_index[key] + 1);
        last_index[key] = message.index;
        if (carries_chunk(message.type)) CHECK(bytes.size() == 4 + (message.chunk.index < 128 ? 1 : 2) + 32);
    }
    using T = PayloadType;
    CHECK(types["alice/1"] == std::map<T, int>{{T::header, 8}, {T::key_and_ct1_ack, 45}});
    CHECK(types["bob/1"] == std::map<T, int>{{T::ciphertext1, 40}, {T::ciphertext2, 10}});
    CHECK(types["alice/2"] == std::map<T, int>{{T::none, 2}});
    CHECK(types["bob/2"] == std::map<T, int>{{T::header, 8}});
}

TEST_CASE("SPQR messages: encoding", "[spqr][message]") {
    Message ack;
    ack.epoch = 300;
    ack.index = 1;
    ack.type = PayloadType::ct1_ack;
    CHECK(to_hex(encode_message(ack)) == "01ac020104");

    Message chunked;
    chunked.epoch = 1;
    chunked.index = 0xFFFFFFFF;
    chunked.type = PayloadType::ciphertext2;
    chunked.chunk.index = 0xFFFF;
    chunked.chunk.data.fill(0xab);
    const Bytes bytes = encode_message(chunked);
    CHECK(to_hex(ByteView(bytes).first(11)) == "0101ffffffff0f06ffff03");
    const Message back = decode_message(bytes);
    CHECK(back.index == 0xFFFFFFFF);
    CHECK(back.chunk.index == 0xFFFF);
    CHECK(back.chunk.data == chunked.chunk.data);

    Message zero;
    zero.epoch = 0;
    try {
        encode_message(zero);
        FAIL("epoch 0 encoded");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_argument);
    }
    CHECK(message_version({}) == 0);
}

TEST_CASE("SPQR messages: what SPQR's reader takes, cliquet takes", "[spqr][message]") {
    // A non-minimal varint, and bytes after the message.
    const Message padded = decode_message(from_hex("01818000010400ff"));
    CHECK(padded.epoch == 1);
    CHECK(padded.index == 1);
    CHECK(padded.type == PayloadType::ct1_ack);
}

TEST_CASE("SPQR messages: malformed ones are refused", "[spqr][message]") {
    const std::string chunk(64, '0');
    expect_malformed("");                                  // version 0 is no message
    expect_malformed("020101" "00");                       // version 2
    expect_malformed("010001" "00");                       // epoch 0
    expect_malformed("0180");                              // truncated epoch
    expect_malformed("01" "8080808080808080808001" "0100");  // an 11-byte varint
    expect_malformed("0101" "8080808010" "00");            // index of 2^32
    expect_malformed("010101");                            // no payload type
    expect_malformed("01010107");                          // unknown type
    expect_malformed("0101010580800400" + chunk);          // chunk index 65536
    expect_malformed("0101010500" + chunk.substr(2));      // 31 chunk bytes
    expect_malformed("01010105");                          // no chunk at all
    // The same with everything in place is fine.
    CHECK(decode_message(from_hex("0101010500" + chunk)).type == PayloadType::ciphertext1);
}
