// Category spqr: Signal's Sparse Post-Quantum Ratchet, version 1, as
// libsignal 0.103 runs it (docs/spqr.md).
//
// Group types:
//   SpqrChunkTest    the erasure code: chunks of a message, and the message
//                    rebuilt from them (some captured from libsignal 0.103);
//   SpqrChainTest    the symmetric chain's keys, epochs and refusals;
//   SpqrMessageTest  the bytes of SignalMessage.pq_ratchet, decoded;
//   SpqrRatchetTest  two PqRatchets from fixed randomness (spqr_ratchet.cpp).
#include <string>
#include <vector>

#include "cliquet_testing/deterministic_random.hpp"
#include "protocol/spqr/chain.hpp"
#include "protocol/spqr/erasure.hpp"
#include "protocol/spqr/message.hpp"
#include "spqr.hpp"

namespace cliquet::vectors::spqr {
namespace {

using namespace cliquet::protocol::spqr;

// ---- SpqrChunkTest ----------------------------------------------------------
// `size`, `msg`, `chunks` [{index, data}]. Valid: each chunk is the encoder's
// chunk at its index, and a decoder fed the chunks in order rebuilds `msg`.
// Invalid: `TooFewChunks` (the decoder must not produce a message; error
// invalid_message) or `BadSize` (a decoder of that size is refused:
// invalid_argument).

void check_chunk_case(const json& test) {
    const std::uint64_t size = uint_param(test, "size");
    if (has_flag(test, "BadSize")) {
        if (is_valid(test)) throw Mismatch("a BadSize case is invalid");
        if (size > (1u << 20)) throw Mismatch("size beyond what the checker takes");
        expect_refused([&] { (void)ErasureDecoder(static_cast<std::size_t>(size)); }, ErrorCode::invalid_argument);
        return;
    }
    const Bytes message = hex_param(test, "msg");
    if (message.size() != size) throw Mismatch("msg is not size bytes");
    const ErasureEncoder encoder(message);
    ErasureDecoder decoder(message.size());
    for (const json& entry : test.at("chunks")) {
        Chunk chunk;
        const std::uint64_t index = uint_param(entry, "index");
        if (index > UINT16_MAX) throw Mismatch("chunk index beyond 65535");
        chunk.index = static_cast<std::uint16_t>(index);
        const Bytes data = hex_param(entry, "data");
        if (data.size() != kChunkDataSize) throw Mismatch("chunk data is not 32 bytes");
        std::copy(data.begin(), data.end(), chunk.data.begin());
        const Chunk expected = encoder.chunk_at(chunk.index);
        expect_equal("chunk " + std::to_string(index), data, expected.data);
        decoder.add_chunk(chunk);
    }
    const auto decoded = decoder.decoded();
    if (is_valid(test)) {
        if (!decoded) throw Mismatch("the chunks did not rebuild the message");
        expect_equal("decoded", message, *decoded);
    } else {
        // The decoder has no error to throw: it yields nothing. The file names
        // invalid_message, what a caller needing the message would report.
        if (error_param(test) != ErrorCode::invalid_message) throw Mismatch("too few chunks is invalid_message");
        if (decoded) throw Mismatch("too few chunks, yet a message was rebuilt");
    }
}

struct CapturedStream {
    const char* sender;
    int epoch;
    const char* type;
    std::size_t length;
    std::vector<const char*> chunks;  // chunk i is at index i
};

// Streams two libsignal 0.103 devices sent (tests/data/spqr_libsignal_chunks.json):
// the systematic chunks, then libsignal's own parity chunks.
const std::vector<CapturedStream>& captured_streams() {
    static const std::vector<CapturedStream> streams = {
        {"alice", 1, "hdr", 96, {
             "36d9b4de0e830c554da992906d97ffda8e463237a3a4f7162f163d54821aa7ae",
             "168287ea5c7f422e180d6780c321203d9b868ce699dd6a43a65d90784bb43193",
             "f92f580fa077d63d6500edd4498dc94b94ec86657993e82cd231afd0c19c6e2f",
             "d9746b3bf28b984630a418c4e73b16ac812c38b443ea75795b7a02fc0832f812",
             "a42877856f50a2fd336959b2905cd7be7fba1d699cc31f0e0ba65b16364fc37a",
             "847344b13dacec8666cdaca23eea08596a7aa3b8a6ba825b82edf63affe15547",
             "6bde9b54c1a478951bc026f6b446e12f6510a93b46f40034f681c99275c90afb",
             "4b85a860935836ee4e64d3e61af03ec870d017ea7c8d9d617fca64bebc679cc6"}},
        {"bob", 1, "ct2", 160, {
             "cc4b7bea9706a7173037669e660526d6b23f6c7f9b0e622e92865aa30bb9b2e6",
             "b4ace281337ecbecc4e9222ca9b8d56e8c316362052d5883eba047e69362b333",
             "b67654c9dba4bf8c1f275495374bd3c36c4ffcac924ca5f0ba0473d734d18cd0",
             "2183352241a4061e4d29ca72dffeb67428abed87fbf73e8c0caaa17b26758b83",
             "80c6808a33a7b6e0d10879dbf43206a59c666649389ec0197cad25692dc3d302",
             "ba5b2af712cf057bc32bc081e9bfb122ac1f2de0b7fb0e4f84adb84cb807c5c3",
             "f25a1b989cce650998bff9428d3703e4a55b072afd2d59684855136f017fd904",
             "27d5496583de03fb2c4c9a4db7b2226cefc852b585d036ef7fdd41a31ec4c943",
             "bdb9909535d4fef526dbefcb6ac3dd161fa892254f3208ffd87de30b8c35ac80",
             "50e817bb5c1aba2ac2ba358d41835673e3d9e73b7a7476f18be8d0612978eb1d"}},
        {"bob", 2, "hdr", 96, {
             "7cee2b48cc0a101cbdd1837f7c9832f90e9e7148afafa237b04ff93128c478a4",
             "63007f6005911485a2e6473c6f86b1e5b6dbf332f18efed37f6382a6bc88a8c3",
             "cec618a797abab76426e0f5b615306619a76afbb2d94040c4efceb15db961903",
             "d1284c8f5e30afef5d59cb18724d857d22332dc173b558e881d090824fdac964",
             "1f73027c29259fb565fdd998a8d2d165d6fcc488423681868ea9794cc172ce7f",
             "009d5654e0be9b2c7aca1ddbbbcc52796eb946f21c17dd62418502db553e1e18",
             "ad5b3193728424df9a4255bcb519e5fd42141a7bc00d27bd701a6b683220afd8",
             "b2b565bbbb1f2046857591ffa60766e1fa5198019e2c7b59bf3610ffa66c7fbf"}},
    };
    return streams;
}

json chunk_entry(const Chunk& chunk) { return {{"index", chunk.index}, {"data", to_hex(chunk.data)}}; }

json chunk_group() {
    DeterministicRandom random = fixed_seed_random("cliquet-vectors spqr chunks");
    json tests = json::array();
    for (const CapturedStream& stream : captured_streams()) {
        Bytes message;
        std::vector<Chunk> chunks;
        for (std::size_t i = 0; i < stream.chunks.size(); ++i) {
            Chunk chunk;
            chunk.index = static_cast<std::uint16_t>(i);
            const Bytes data = from_hex(stream.chunks[i]);
            std::copy(data.begin(), data.end(), chunk.data.begin());
            if (i * kChunkDataSize < stream.length) message.insert(message.end(), data.begin(), data.end());
            chunks.push_back(chunk);
        }
        // cliquet's encoder must give libsignal's parity chunks.
        const ErasureEncoder encoder(message);
        for (const Chunk& chunk : chunks) {
            if (encoder.chunk_at(chunk.index).data != chunk.data) throw std::runtime_error("capture disagrees");
        }
        const std::string what = std::string(stream.sender) + "'s " + stream.type + " of epoch " +
                                 std::to_string(stream.epoch) + ", libsignal 0.103";
        const std::size_t needed = stream.length / kChunkDataSize;
        // Every chunk libsignal sent, in order; then only its parity chunks.
        for (const bool parity_only : {false, true}) {
            json test = test_case(what + (parity_only ? ", parity chunks only" : ", all chunks sent"), true,
                                  {"Libsignal"});
            test["size"] = stream.length;
            test["msg"] = to_hex(message);
            json list = json::array();
            for (std::size_t i = parity_only ? needed : 0; i < chunks.size(); ++i) list.push_back(chunk_entry(chunks[i]));
            test["chunks"] = list;
            if (parity_only && chunks.size() - needed < needed) {
                test["result"] = "invalid";
                test["flags"] = {"Libsignal", "TooFewChunks"};
            }
            tests.push_back(std::move(test));
        }
    }
    // cliquet-made: SPQR's sizes (and an odd one), chunks from far along.
    for (const std::size_t size : {std::size_t{96}, std::size_t{160}, std::size_t{960}, std::size_t{1152},
                                   std::size_t{50}}) {
        const Bytes message = random_bytes(random, size);
        const ErasureEncoder encoder(message);
        const std::size_t needed = (size + kChunkDataSize - 1) / kChunkDataSize;
        json list = json::array();
        for (std::size_t i = 0; i < needed; ++i) {
            list.push_back(chunk_entry(encoder.chunk_at(static_cast<std::uint16_t>(1000 + 7 * i))));
        }
        json test = test_case(std::to_string(size) + " bytes from parity chunks 1000, 1007, ...", true, {"Cliquet"});
        test["size"] = size;
        test["msg"] = to_hex(message);
        test["chunks"] = list;
        tests.push_back(test);
        json short_test = test_case(std::to_string(size) + " bytes, one chunk short", false, {"Cliquet", "TooFewChunks"});
        short_test["size"] = size;
        short_test["msg"] = to_hex(message);
        list.erase(list.begin());
        short_test["chunks"] = list;
        tests.push_back(short_test);
    }
    for (const std::size_t size : {std::size_t{97}, std::size_t{2050}}) {
        json test = test_case("a message of " + std::to_string(size) + " bytes", false, {"BadSize"});
        test["size"] = size;
        tests.push_back(test);
    }
    return {{"type", "SpqrChunkTest"}, {"tests", std::move(tests)}};
}

// ---- SpqrChainTest ----------------------------------------------------------
// `authKey`, `direction`, `maxJump`, `maxOooKeys`, `ops`: in order,
// {op: "addEpoch", epoch, secret}, {op: "send", epoch, index, key} or
// {op: "recv", epoch, index, key}. Valid: every op succeeds as given.
// Invalid: all but the last succeed; the last is refused with `error`.

Key32 key32(const Bytes& bytes) {
    if (bytes.size() != 32) throw Mismatch("expected 32 bytes");
    return Key32(std::span<const std::uint8_t, 32>(bytes.data(), 32));
}

Direction direction_named(const std::string& name) {
    if (name == "a2b") return Direction::a2b;
    if (name == "b2a") return Direction::b2a;
    throw Mismatch("direction must be a2b or b2a");
}

void run_op(Chain& chain, const json& op) {
    const std::string kind = string_param(op, "op");
    const Epoch epoch = uint_param(op, "epoch");
    if (kind == "addEpoch") {
        chain.add_epoch(epoch, key32(hex_param(op, "secret")));
    } else if (kind == "send") {
        const auto [index, key] = chain.send_key(epoch);
        if (index != uint_param(op, "index")) throw Mismatch("send index differs");
        expect_equal("send key", hex_param(op, "key"), key.span());
    } else if (kind == "recv") {
        const std::uint64_t index = uint_param(op, "index");
        if (index > UINT32_MAX) throw Mismatch("index beyond u32");
        const Key32 key = chain.recv_key(epoch, static_cast<std::uint32_t>(index));
        if (op.contains("key")) expect_equal("recv key", hex_param(op, "key"), key.span());
    } else {
        throw Mismatch("unknown op " + kind);
    }
}

void check_chain_case(const json& test) {
    const ChainParams params{static_cast<std::uint32_t>(uint_param(test, "maxJump")),
                             static_cast<std::uint32_t>(uint_param(test, "maxOooKeys"))};
    Chain chain(key32(hex_param(test, "authKey")), direction_named(string_param(test, "direction")), params);
    const json& ops = test.at("ops");
    if (!ops.is_array() || ops.empty()) throw Mismatch("no ops");
    for (std::size_t i = 0; i + 1 < ops.size(); ++i) run_op(chain, ops[i]);
    if (is_valid(test)) {
        run_op(chain, ops.back());
        return;
    }
    expect_refused([&] { run_op(chain, ops.back()); }, error_param(test));
}

json chain_group() {
    DeterministicRandom random = fixed_seed_random("cliquet-vectors spqr chain");
    json tests = json::array();
    const ChainParams small{100, 10};
    const Bytes auth_key = random_bytes(random, 32);
    std::vector<Bytes> secrets;
    for (int i = 0; i < 3; ++i) secrets.push_back(random_bytes(random, 32));

    // A2B sends; B2A receives the same keys, some late.
    Chain sender(key32(auth_key), Direction::a2b, small);
    json send_ops = json::array();
    json recv_ops = json::array();
    std::vector<json> sent;
    for (Epoch e = 0; e <= secrets.size(); ++e) {
        if (e > 0) {
            sender.add_epoch(e, key32(secrets[e - 1]));
            const json add = {{"op", "addEpoch"}, {"epoch", e}, {"secret", to_hex(secrets[e - 1])}};
            send_ops.push_back(add);
            recv_ops.push_back(add);
        }
        std::vector<json> epoch_sent;
        for (int i = 0; i < 4; ++i) {
            const auto [index, key] = sender.send_key(e);
            epoch_sent.push_back({{"op", "send"}, {"epoch", e}, {"index", index}, {"key", to_hex(key.span())}});
            send_ops.push_back(epoch_sent.back());
        }
        // Received as 2, 4, 1, 3: skipped keys kept for late messages.
        for (const std::size_t i : {1, 3, 0, 2}) {
            json op = epoch_sent[i];
            op["op"] = "recv";
            recv_ops.push_back(op);
            sent.push_back(op);
        }
    }
    auto chain_test = [&](const std::string& comment, bool valid, const json& flags, const char* direction,
                          const json& ops) {
        json test = test_case(comment, valid, flags);
        test["authKey"] = to_hex(auth_key);
        test["direction"] = direction;
        test["maxJump"] = small.max_jump;
        test["maxOooKeys"] = small.max_ooo_keys;
        test["ops"] = ops;
        return test;
    };
    tests.push_back(chain_test("A2B sending through epochs 0..3", true, {"Cliquet"}, "a2b", send_ops));
    tests.push_back(chain_test("B2A receiving them out of order", true, {"Cliquet"}, "b2a", recv_ops));

    // Refusals on the receiving side, from epoch 0.
    auto recv_op = [](std::uint32_t index) { return json{{"op", "recv"}, {"epoch", 0}, {"index", index}}; };
    auto refused = [&](const std::string& comment, const char* flag, json ops, const char* error) {
        json test = chain_test(comment, false, {flag}, "b2a", ops);
        test["error"] = error;
        tests.push_back(std::move(test));
    };
    refused("a key taken twice", "Replay", json::array({recv_op(3), recv_op(3)}), "duplicate_message");
    refused("a skipped key taken twice", "Replay", json::array({recv_op(3), recv_op(1), recv_op(1)}),
            "duplicate_message");
    refused("a jump of max_jump + 1", "KeyJump", json::array({recv_op(101)}), "invalid_message");
    refused("a key older than max_ooo_keys", "KeyTrimmed", json::array({recv_op(100), recv_op(89)}),
            "invalid_message");
    refused("an epoch not yet added", "EpochNotHeld",
            json::array({json{{"op", "recv"}, {"epoch", 1}, {"index", 1}}}), "invalid_message");
    {
        json ok = chain_test("exactly max_jump ahead, then the oldest key kept", true, {"Cliquet"}, "b2a",
                             json::array({recv_op(100), recv_op(90)}));
        tests.push_back(ok);
    }
    return {{"type", "SpqrChainTest"}, {"tests", std::move(tests)}};
}

// ---- SpqrMessageTest --------------------------------------------------------
// `msg`. Valid: it decodes to `epoch`, `index`, `type` (0..6) and, for the
// types with a chunk, `chunkIndex` and `chunkData`; when `canonical`, encoding
// those gives `msg` back. Invalid: decoding is refused (invalid_message).

void check_message_case(const json& test) {
    const Bytes bytes = hex_param(test, "msg");
    if (!is_valid(test)) {
        expect_refused([&] { (void)decode_message(bytes); }, ErrorCode::invalid_message);
        return;
    }
    const Message message = decode_message(bytes);
    if (message.epoch != uint_param(test, "epoch") || message.index != uint_param(test, "index") ||
        static_cast<std::uint64_t>(message.type) != uint_param(test, "type")) {
        throw Mismatch("epoch, index or type differ");
    }
    if (carries_chunk(message.type)) {
        if (message.chunk.index != uint_param(test, "chunkIndex")) throw Mismatch("chunk index differs");
        expect_equal("chunk data", hex_param(test, "chunkData"), message.chunk.data);
    }
    if (test.at("canonical").get<bool>()) expect_equal("encoded", bytes, encode_message(message));
}

json message_group() {
    json tests = json::array();
    const std::string data(64, 'a');
    auto add = [&](const std::string& comment, bool valid, const json& flags, const std::string& hex,
                   const json& fields) {
        json test = test_case(comment, valid, flags);
        test["msg"] = hex;
        for (const auto& [key, value] : fields.items()) test[key] = value;
        tests.push_back(std::move(test));
    };
    auto fields = [&](std::uint64_t epoch, std::uint64_t index, int type, std::uint64_t chunk_index, bool canonical) {
        json out = {{"epoch", epoch}, {"index", index}, {"type", type}, {"canonical", canonical}};
        if (carries_chunk(static_cast<PayloadType>(type))) {
            out["chunkIndex"] = chunk_index;
            out["chunkData"] = data;
        }
        return out;
    };
    // libsignal 0.103's first message (Alice's first header chunk) and others of each type.
    add("libsignal 0.103: Alice's first header chunk", true, {"Libsignal"},
        "010101010036d9b4de0e830c554da992906d97ffda8e463237a3a4f7162f163d54821aa7ae",
        {{"epoch", 1}, {"index", 1}, {"type", 1}, {"chunkIndex", 0},
         {"chunkData", "36d9b4de0e830c554da992906d97ffda8e463237a3a4f7162f163d54821aa7ae"}, {"canonical", true}});
    add("None payload", true, {"Cliquet"}, "01020100", fields(2, 1, 0, 0, true));
    add("Ct1Ack payload", true, {"Cliquet"}, "01070004", fields(7, 0, 4, 0, true));
    for (int type : {2, 3, 5, 6}) {
        add("chunk payload of type " + std::to_string(type), true, {"Cliquet"},
            "0103e807" + std::string("0") + std::to_string(type) + "ffff03" + data, fields(3, 1000, type, 65535, true));
    }
    add("largest epoch and index", true, {"Cliquet"}, "01ffffffffffffffffff01ffffffff0f00",
        fields(UINT64_MAX, UINT32_MAX, 0, 0, true));
    add("non-minimal varints are read as SPQR reads them", true, {"NonMinimal"}, "0181808000820000",
        fields(1, 2, 0, 0, false));
    add("bytes after the message are ignored", true, {"TrailingBytes"}, "01010100deadbeef", fields(1, 1, 0, 0, false));
    add("empty (that is version 0, not a version-1 message)", false, {"WrongVersion"}, "", json::object());
    add("version 2", false, {"WrongVersion"}, "02010100", json::object());
    add("epoch 0", false, {"EpochZero"}, "01000100", json::object());
    add("index above u32", false, {"IndexTooLarge"}, "010180808080100000", json::object());
    add("unknown payload type 7", false, {"UnknownType"}, "01010107", json::object());
    add("no payload type", false, {"Truncated"}, "010101", json::object());
    add("varint cut short", false, {"Truncated"}, "0181", json::object());
    add("varint of 11 bytes", false, {"Truncated"}, "01ffffffffffffffffffff0100", json::object());
    add("chunk data cut short", false, {"Truncated"}, "0101010100" + data.substr(2), json::object());
    add("chunk index above 65535", false, {"ChunkIndexTooLarge"}, "0101010180800400" + data, json::object());
    return {{"type", "SpqrMessageTest"}, {"tests", std::move(tests)}};
}

void check_case(const json& group, const json& test) {
    const std::string type = string_param(group, "type");
    if (type == "SpqrChunkTest") return check_chunk_case(test);
    if (type == "SpqrChainTest") return check_chain_case(test);
    if (type == "SpqrMessageTest") return check_message_case(test);
    if (type == "SpqrRatchetTest") return check_ratchet_case(test);
    throw Mismatch("unknown group type " + type);
}

json generate() {
    json groups = json::array({chunk_group(), chain_group(), message_group(), ratchet_group()});
    return vector_file(
        "spqr", "SPQR-V1", {"Signal's Sparse Post-Quantum Ratchet, version 1, as libsignal 0.103 runs it; see test_vectors/README.md."},
        {{"Cliquet", "Computed by cliquet-vectors generate spqr from a fixed seed."},
         {"Libsignal", "Captured from two libsignal 0.103.0 devices (tests/data/spqr_libsignal_chunks.json)."},
         {"TooFewChunks", "The chunks given cannot rebuild the message: no message may come out."},
         {"BadSize", "A message size the erasure code does not take (odd, or above 2048 bytes)."},
         {"Replay", "A key asked for a second time: duplicate_message."},
         {"KeyJump", "A key more than maxJump ahead of the chain."},
         {"KeyTrimmed", "A key more than maxOooKeys behind the chain."},
         {"EpochNotHeld", "A key of an epoch the chain does not hold."},
         {"NonMinimal", "Varints with redundant continuation bytes, which SPQR's reader accepts."},
         {"TrailingBytes", "Bytes after the message, which SPQR's reader ignores."},
         {"WrongVersion", "Not a version-1 message."},
         {"EpochZero", "Epoch 0, which no message has."},
         {"IndexTooLarge", "A key index above 2^32 - 1."},
         {"UnknownType", "A payload type above 6."},
         {"Truncated", "The message ends early."},
         {"ChunkIndexTooLarge", "A chunk index above 65535."},
         {"ModifiedHeaderMac", "The chunk completing the KEM header was altered: its MAC fails."},
         {"ModifiedKeyVector", "The chunk completing the key vector was altered: it no longer matches the header."},
         {"ModifiedCiphertext", "The chunk completing ciphertext 2 was altered: the ciphertext MAC fails."},
         {"EpochAhead", "A message of an epoch the receiver has not reached."}},
        std::move(groups));
}

const CategoryRegistration registration{"spqr", check_case, generate,
                                        "SPQR v1: erasure-code chunks, chain keys, messages, ratchet transcripts"};

}  // namespace
}  // namespace cliquet::vectors::spqr
