// Category sender_keys: group messages with sender keys.
//
// Groups of type "SenderKeyEncryptTest": a sender chain (distributionId,
// chainId, iteration, chainKey, signingPrivate) encrypting `plaintext` gives
// a message whose unsigned part is `body` (XEdDSA signatures are randomized,
// so only the signature's validity is checked). When `message` is given (a
// whole message from the vector's producer), it must decrypt to `plaintext`.
//
// Groups of type "SenderKeyDecryptTest": a member that processed
// `distributionMessage` (none when empty) and decrypted `priorMessages` in
// order decrypts `ciphertext` to `plaintext`, or refuses it with `error` (a
// peer-protocol error code) and keeps its state exactly as it was.
//
// Groups of type "DistributionMessageTest": `distributionMessage` parses to
// the given fields, or is refused with `error`.
//
// Groups of type "SenderKeyRecordTest": `record`, a serialized
// SenderKeyRecordStructure, reads and writes back byte for byte, or is
// refused (storage).
#include <limits>
#include <string>

#include "cliquet/memory_store.hpp"
#include "cliquet/sender_keys.hpp"
#include "cliquet/service_id.hpp"
#include "crypto/aes.hpp"
#include "protocol/groups/sender_key_state.hpp"
#include "registry.hpp"

namespace cliquet::vectors {
namespace {

const ProtocolAddress kSender{"sender", 1};

std::uint32_t u32_param(const json& object, std::string_view name) {
    const std::uint64_t value = uint_param(object, name);
    if (value > std::numeric_limits<std::uint32_t>::max()) throw Mismatch(std::string(name) + " is out of range");
    return static_cast<std::uint32_t>(value);
}

template <std::size_t N>
std::array<std::uint8_t, N> fixed_param(const json& object, std::string_view name) {
    const Bytes bytes = hex_param(object, name);
    if (bytes.size() != N) throw Mismatch(std::string(name) + " is not " + std::to_string(N) + " bytes");
    std::array<std::uint8_t, N> out{};
    std::copy(bytes.begin(), bytes.end(), out.begin());
    return out;
}

Bytes snapshot(const MemorySenderKeyStore& store) {
    Bytes all;
    for (const auto& [key, record] : store.all()) all.insert(all.end(), record.span().begin(), record.span().end());
    return all;
}

// A sender's own chain at a chosen point, as the encrypt tests describe it.
void install_sender_chain(SenderKeyStore& store, const DistributionId& distribution_id, std::uint32_t chain_id,
                          std::uint32_t iteration, const SecretArray<32>& chain_key, const PrivateKey& signing) {
    SenderKeyRecord record;
    protocol::add_sender_key_state(record, protocol::SenderKeyState{chain_id,
                                                                    {iteration, chain_key},
                                                                    signing.public_key(),
                                                                    signing,
                                                                    {}});
    store.store_sender_key(kSender, distribution_id, record.serialize().span());
}

void check_encrypt_test(const json& test) {
    const DistributionId distribution_id = uuid_param(test, "distributionId");
    const std::uint32_t chain_id = u32_param(test, "chainId");
    const std::uint32_t iteration = u32_param(test, "iteration");
    const SecretArray<32> chain_key(fixed_param<32>(test, "chainKey"));
    const PrivateKey signing = PrivateKey::deserialize(hex_param(test, "signingPrivate"));
    const Bytes plaintext = hex_param(test, "plaintext");
    if (!is_valid(test)) throw Mismatch("encrypt tests are all valid");

    MemorySenderKeyStore sender;
    install_sender_chain(sender, distribution_id, chain_id, iteration, chain_key, signing);
    const auto ours = group_encrypt(sender, kSender, distribution_id, plaintext);
    const ByteView serialized(ours.serialize());
    expect_equal("body", hex_param(test, "body"),
                 serialized.first(serialized.size() - SenderKeyMessage::kSignatureSize));
    if (!ours.verify_signature(signing.public_key())) throw Mismatch("cliquet's signature does not verify");

    if (const auto theirs = optional_hex_param(test, "message")) {
        MemorySenderKeyStore member;
        process_sender_key_distribution_message(
            member, kSender,
            SenderKeyDistributionMessage(distribution_id, chain_id, iteration, chain_key, signing.public_key()));
        expect_equal("plaintext of message", plaintext, group_decrypt(member, kSender, *theirs));
    }
}

void check_decrypt_test(const json& test) {
    MemorySenderKeyStore member;
    const Bytes distribution = hex_param(test, "distributionMessage");
    if (!distribution.empty())
        process_sender_key_distribution_message(member, kSender,
                                                SenderKeyDistributionMessage::deserialize(distribution));
    const auto prior = test.find("priorMessages");
    if (prior != test.end()) {
        if (!prior->is_array()) throw Mismatch("priorMessages is not an array");
        for (const json& message : *prior) {
            if (!message.is_string()) throw Mismatch("priorMessages holds a non-string");
            (void)group_decrypt(member, kSender, from_hex(message.get<std::string>()));
        }
    }
    const Bytes ciphertext = hex_param(test, "ciphertext");
    if (is_valid(test)) {
        expect_equal("plaintext", hex_param(test, "plaintext"), group_decrypt(member, kSender, ciphertext));
        return;
    }
    const Bytes before = snapshot(member);
    expect_refused([&] { (void)group_decrypt(member, kSender, ciphertext); }, error_param(test));
    if (snapshot(member) != before) throw Mismatch("the refusal changed the member's sender keys");
}

void check_distribution_test(const json& test) {
    const Bytes bytes = hex_param(test, "distributionMessage");
    if (!is_valid(test)) {
        expect_refused([&] { (void)SenderKeyDistributionMessage::deserialize(bytes); }, error_param(test));
        return;
    }
    const auto message = SenderKeyDistributionMessage::deserialize(bytes);
    expect_equal("distributionId", uuid_param(test, "distributionId"), message.distribution_id());
    if (message.chain_id() != u32_param(test, "chainId")) throw Mismatch("chainId differs");
    if (message.iteration() != u32_param(test, "iteration")) throw Mismatch("iteration differs");
    expect_equal("chainKey", hex_param(test, "chainKey"), message.chain_key().span());
    expect_equal("signingKey", hex_param(test, "signingKey"), message.signing_key().serialize());
    expect_equal("re-encoding", bytes, message.serialize().span());
}

void check_record_test(const json& test) {
    const Bytes bytes = hex_param(test, "record");
    if (!is_valid(test)) {
        expect_refused([&] { (void)SenderKeyRecord::deserialize(bytes); }, ErrorCode::storage);
        return;
    }
    expect_equal("record", bytes, SenderKeyRecord::deserialize(bytes).serialize().span());
}

void check_sender_keys_case(const json& group, const json& test) {
    const std::string type = string_param(group, "type");
    if (type == "SenderKeyEncryptTest") return check_encrypt_test(test);
    if (type == "SenderKeyDecryptTest") return check_decrypt_test(test);
    if (type == "DistributionMessageTest") return check_distribution_test(test);
    if (type == "SenderKeyRecordTest") return check_record_test(test);
    throw Mismatch("unknown group type " + type);
}

// ---- generation -------------------------------------------------------------

DistributionId random_distribution_id(RandomSource& random) {
    DistributionId id{};
    random.fill(id);
    return id;
}

// The sender's own chain, read back from its store.
protocol::SenderKeyState own_state(const MemorySenderKeyStore& store, const DistributionId& distribution_id) {
    auto record = SenderKeyRecord::deserialize(store.load_sender_key(kSender, distribution_id)->span());
    return protocol::SenderKeyRecordAccess::states(record).front();
}

// A message at any iteration of the sender's chain, without sending every
// message before it.
Bytes message_at(const protocol::SenderKeyState& state, const DistributionId& distribution_id,
                 std::uint32_t iteration, ByteView plaintext, RandomSource& random) {
    protocol::SenderChainKey chain = state.chain;
    while (chain.iteration < iteration) chain = *chain.next();
    const auto keys = chain.message_key_seed().derive();
    const Bytes ciphertext = crypto::aes256_cbc_encrypt(keys.cipher_key.span(), keys.iv.span(), plaintext);
    return SenderKeyMessage::create(distribution_id, state.chain_id, iteration, ciphertext, *state.signing_private,
                                    random)
        .serialize();
}

json generate_encrypt_tests(RandomSource& random) {
    json tests = json::array();
    // (iteration, plaintext size): the chain's first and last usable steps,
    // and sizes around the AES block.
    const std::pair<std::uint32_t, std::size_t> cases[] = {{0, 0},  {0, 1},     {1, 15},
                                                           {7, 16}, {1000, 17}, {0xfffffffe, 100}};
    for (const auto& [iteration, size] : cases) {
        const DistributionId distribution_id = random_distribution_id(random);
        SecretArray<32> chain_key;
        random.fill(chain_key.span());
        const PrivateKey signing = PrivateKey::generate(random);
        std::array<std::uint8_t, 4> id_bytes{};
        random.fill(id_bytes);
        const std::uint32_t chain_id = (std::uint32_t{id_bytes[0]} << 24 | std::uint32_t{id_bytes[1]} << 16 |
                                        std::uint32_t{id_bytes[2]} << 8 | id_bytes[3]) >> 1;
        const Bytes plaintext = random_bytes(random, size);

        MemorySenderKeyStore sender;
        install_sender_chain(sender, distribution_id, chain_id, iteration, chain_key, signing);
        const auto message = group_encrypt(sender, kSender, distribution_id, plaintext, random);
        const ByteView serialized(message.serialize());

        json test = test_case("iteration " + std::to_string(iteration) + ", " + std::to_string(size) + " bytes", true,
                              {"Cliquet"});
        test["distributionId"] = format_uuid(distribution_id);
        test["chainId"] = chain_id;
        test["iteration"] = iteration;
        test["chainKey"] = to_hex(chain_key.span());
        test["signingPrivate"] = to_hex(signing.secret().span());
        test["plaintext"] = to_hex(plaintext);
        test["body"] = to_hex(serialized.first(serialized.size() - SenderKeyMessage::kSignatureSize));
        test["message"] = to_hex(serialized);
        tests.push_back(std::move(test));
    }
    return tests;
}

json decrypt_case(std::string_view comment, std::string_view flag, const Bytes& distribution,
                  const std::vector<Bytes>& prior, const Bytes& ciphertext, const Bytes* plaintext,
                  std::string_view error = {}) {
    json test = test_case(comment, plaintext != nullptr, {"Cliquet", flag});
    test["distributionMessage"] = to_hex(distribution);
    json prior_hex = json::array();
    for (const Bytes& message : prior) prior_hex.push_back(to_hex(message));
    test["priorMessages"] = std::move(prior_hex);
    test["ciphertext"] = to_hex(ciphertext);
    if (plaintext) test["plaintext"] = to_hex(*plaintext);
    else test["error"] = error;
    return test;
}

json generate_decrypt_tests(RandomSource& random) {
    MemorySenderKeyStore sender;
    const DistributionId distribution_id = random_distribution_id(random);
    const auto distribution = create_sender_key_distribution_message(sender, kSender, distribution_id, random);
    const Bytes skdm(distribution.serialize().span().begin(), distribution.serialize().span().end());
    std::vector<Bytes> plaintexts;
    std::vector<Bytes> messages;
    for (std::size_t i = 0; i < 4; ++i) {
        plaintexts.push_back(random_bytes(random, 10 * i + 5));
        messages.push_back(group_encrypt(sender, kSender, distribution_id, plaintexts.back(), random).serialize());
    }
    const auto state = own_state(sender, distribution_id);
    const Bytes far_plaintext = random_bytes(random, 20);
    const Bytes at_limit = message_at(state, distribution_id, kMaxSenderKeyForwardJump, far_plaintext, random);
    const Bytes beyond = message_at(state, distribution_id, kMaxSenderKeyForwardJump + 1, far_plaintext, random);
    const auto just_past_kept = static_cast<std::uint32_t>(kMaxSenderMessageKeys + 1);
    const Bytes after_bound = message_at(state, distribution_id, just_past_kept, far_plaintext, random);

    MemorySenderKeyStore other_sender;
    const auto other = create_sender_key_distribution_message(other_sender, kSender, distribution_id, random);
    const Bytes other_skdm(other.serialize().span().begin(), other.serialize().span().end());

    auto tampered = [](Bytes bytes, std::size_t index, std::uint8_t mask) {
        bytes[index] ^= mask;
        return bytes;
    };
    const Bytes& m0 = messages[0];
    return json::array({
        decrypt_case("the first message", "InOrder", skdm, {}, m0, &plaintexts[0]),
        decrypt_case("messages in order", "InOrder", skdm, {m0, messages[1], messages[2]}, messages[3], &plaintexts[3]),
        decrypt_case("a late message", "OutOfOrder", skdm, {messages[3]}, messages[1], &plaintexts[1]),
        decrypt_case("the largest jump ahead", "OutOfOrder", skdm, {}, at_limit, &far_plaintext),
        decrypt_case("a replay", "Duplicate", skdm, {m0}, m0, nullptr, "duplicate_message"),
        decrypt_case("a replay of a late message", "Duplicate", skdm, {messages[3], messages[1]}, messages[1], nullptr,
                     "duplicate_message"),
        decrypt_case("a message whose kept key was dropped", "Duplicate", skdm, {after_bound}, m0, nullptr,
                     "duplicate_message"),
        decrypt_case("one more than the largest jump", "FutureIteration", skdm, {}, beyond, nullptr,
                     "invalid_message"),
        decrypt_case("no distribution message", "NoDistribution", {}, {}, m0, nullptr, "no_session"),
        decrypt_case("another chain of the same sender", "UnknownChain", other_skdm, {}, m0, nullptr, "no_session"),
        decrypt_case("a flipped signature bit", "BadSignature", skdm, {}, tampered(m0, m0.size() - 1, 0x01), nullptr,
                     "invalid_signature"),
        decrypt_case("a flipped ciphertext bit", "BadSignature", skdm, {}, tampered(m0, m0.size() - 70, 0x01),
                     nullptr, "invalid_signature"),
        decrypt_case("version 2", "WrongVersion", skdm, {}, tampered(m0, 0, 0x10), nullptr, "invalid_message"),
        decrypt_case("version 4", "WrongVersion", skdm, {}, tampered(m0, 0, 0x70), nullptr, "invalid_message"),
        decrypt_case("truncated to 64 bytes", "Malformed", skdm, {}, Bytes(m0.begin(), m0.begin() + 64), nullptr,
                     "invalid_message"),
    });
}

json distribution_case(std::string_view comment, std::string_view flag, const Bytes& bytes,
                       const SenderKeyDistributionMessage* parsed, std::string_view error = {}) {
    json test = test_case(comment, parsed != nullptr, {"Cliquet", flag});
    test["distributionMessage"] = to_hex(bytes);
    if (parsed) {
        test["distributionId"] = format_uuid(parsed->distribution_id());
        test["chainId"] = parsed->chain_id();
        test["iteration"] = parsed->iteration();
        test["chainKey"] = to_hex(parsed->chain_key().span());
        test["signingKey"] = to_hex(parsed->signing_key().serialize());
    } else {
        test["error"] = error;
    }
    return test;
}

json generate_distribution_tests(RandomSource& random) {
    SecretArray<32> chain_key;
    random.fill(chain_key.span());
    const SenderKeyDistributionMessage message(random_distribution_id(random), 0x12345678, 42, chain_key,
                                               PrivateKey::generate(random).public_key());
    const Bytes good(message.serialize().span().begin(), message.serialize().span().end());
    if (good.size() < 1 + 32 + kPublicKeySize) throw Mismatch("cliquet wrote a short distribution message");
    // The signing key is the last field: tag, length 33, then the key.
    Bytes wrong_key_type = good;
    wrong_key_type[good.size() - 33] = 0x06;
    Bytes legacy = good;
    legacy[0] = 0x23;
    Bytes future = good;
    future[0] = 0x43;
    return json::array({
        distribution_case("a distribution message", "Parse", good, &message),
        distribution_case("version 2", "WrongVersion", legacy, nullptr, "invalid_message"),
        distribution_case("version 4", "WrongVersion", future, nullptr, "invalid_message"),
        distribution_case("too short", "Malformed", Bytes(good.begin(), good.begin() + 64), nullptr,
                          "invalid_message"),
        distribution_case("a signing key of type 6", "BadKey", wrong_key_type, nullptr, "invalid_key"),
    });
}

json record_case(std::string_view comment, std::string_view flag, ByteView bytes, bool valid) {
    json test = test_case(comment, valid, {"Cliquet", flag});
    test["record"] = to_hex(bytes);
    return test;
}

Bytes stored_record(const MemorySenderKeyStore& store, const DistributionId& distribution_id) {
    const auto bytes = store.load_sender_key(kSender, distribution_id);
    return Bytes(bytes->span().begin(), bytes->span().end());
}

json generate_record_tests(RandomSource& random) {
    const DistributionId distribution_id = random_distribution_id(random);
    MemorySenderKeyStore sender;
    MemorySenderKeyStore member;
    const auto distribution = create_sender_key_distribution_message(sender, kSender, distribution_id, random);
    const Bytes fresh_sender = stored_record(sender, distribution_id);
    process_sender_key_distribution_message(member, kSender, distribution);
    std::vector<Bytes> messages;
    for (int i = 0; i < 4; ++i)
        messages.push_back(group_encrypt(sender, kSender, distribution_id, Bytes{0x01}, random).serialize());
    (void)group_decrypt(member, kSender, messages[3]);
    const Bytes with_skipped = stored_record(member, distribution_id);
    MemorySenderKeyStore other;
    process_sender_key_distribution_message(
        member, kSender, create_sender_key_distribution_message(other, kSender, distribution_id, random));
    const Bytes two_chains = stored_record(member, distribution_id);
    return json::array({
        record_case("a sender's new chain", "Record", fresh_sender, true),
        record_case("a sender's chain after four messages", "Record", stored_record(sender, distribution_id), true),
        record_case("a member's chain keeping three skipped keys", "Record", with_skipped, true),
        record_case("a member's record with two chains", "Record", two_chains, true),
        record_case("not a protobuf", "Malformed", Bytes{0xff}, false),
        record_case("a truncated record", "Malformed", ByteView(two_chains).first(two_chains.size() - 1), false),
    });
}

json generate_sender_keys() {
    DeterministicRandom random = fixed_seed_random("cliquet-vectors sender_keys");
    json groups = json::array({
        {{"type", "SenderKeyEncryptTest"}, {"tests", generate_encrypt_tests(random)}},
        {{"type", "SenderKeyDecryptTest"}, {"tests", generate_decrypt_tests(random)}},
        {{"type", "DistributionMessageTest"}, {"tests", generate_distribution_tests(random)}},
        {{"type", "SenderKeyRecordTest"}, {"tests", generate_record_tests(random)}},
    });
    return vector_file(
        "sender_keys", "Signal sender keys", {"Group messages with sender keys, as libsignal's GroupCipher: version 3 SenderKeyMessage",
         "(0x33, protobuf, 64-byte XEdDSA signature) and SenderKeyDistributionMessage. Chain step:",
         "seed = HMAC-SHA256(chain key, 01), next chain key = HMAC-SHA256(chain key, 02); message keys =",
         "HKDF-SHA256(seed, no salt, \"WhisperGroup\", 48) = iv 16 || AES-256-CBC key 32. Bytes are hex."},
        {{"Cliquet", "Computed by cliquet-vectors generate sender_keys."},
         {"Parse", "a well-formed distribution message"},
         {"InOrder", "messages decrypted in the order they were sent"},
         {"OutOfOrder", "a message decrypted after later ones, or after a jump ahead of at most 25000"},
         {"Duplicate", "an iteration already decrypted, or whose kept key was dropped (2000 kept): duplicate_message"},
         {"FutureIteration", "more than 25000 iterations ahead of the chain: invalid_message"},
         {"NoDistribution", "the member never processed a distribution message: no_session"},
         {"UnknownChain", "the member knows the sender only under another chain id: no_session"},
         {"BadSignature", "a bit flipped under the signature: invalid_signature"},
         {"WrongVersion", "a version nibble other than 3: invalid_message"},
         {"Malformed", "bytes too short to hold a message (invalid_message), or not a record (storage)"},
         {"Record", "a SenderKeyRecordStructure as a store holds it"},
         {"BadKey", "a signing key of an unknown type: invalid_key"}},
        std::move(groups));
}

const CategoryRegistration registration{"sender_keys", check_sender_keys_case, generate_sender_keys,
                                        "sender-key group messages: encryption, decryption transcripts, refusals"};

}  // namespace
}  // namespace cliquet::vectors
