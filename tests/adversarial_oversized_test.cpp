// Oversized input: a 100 MB message of every type, 100 MB keys and records,
// and small messages whose length fields claim gigabytes. Each is refused
// with its typed error, and refused before anything proportional to the
// claimed or actual size is allocated: the process's peak resident memory
// may not grow by more than 16 MiB while the parser runs (a parser that
// copied or reserved the input would add 100 MB).
#include <catch2/catch.hpp>

#include <string>

#include "adversarial_helpers.hpp"
#include "cliquet/fingerprint.hpp"

using namespace cliquet;
using adversarial::peak_growth;
using adversarial::refusal;

namespace {

constexpr std::size_t kHuge = 100u << 20;
constexpr std::uint64_t kAllowedGrowth = 16u << 20;

// A 100 MB buffer whose first byte is `first` (a version byte, say), then
// `fill`; every page touched, so that it is resident before measuring.
const Bytes& huge_input(std::uint8_t first, std::uint8_t fill = 0x41) {
    static Bytes buffer;
    buffer.assign(kHuge, fill);
    buffer[0] = first;
    return buffer;
}

// Runs `parse` on `input`, requires the refusal `code`, and requires the
// peak memory to stay within kAllowedGrowth.
void require_bounded_refusal(const std::string& what, ErrorCode code, const std::function<void()>& parse) {
    INFO(what);
    std::optional<ErrorCode> refused;
    const auto growth = peak_growth([&] { refused = refusal(parse); });
    CHECK(refused == code);
    if (growth) {
        INFO("peak grew by " << *growth << " bytes");
        CHECK(*growth <= kAllowedGrowth);
    } else {
        WARN("peak resident memory cannot be reset here (/proc/self/clear_refs); only the refusal was checked");
    }
}

// A protobuf varint.
void put_varint(Bytes& out, std::uint64_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<std::uint8_t>(value | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<std::uint8_t>(value));
}

}  // namespace

TEST_CASE("100 MB messages of every type are refused without unbounded allocation", "[adversarial][oversized]") {
    fuzzing::SessionWorld sessions;
    fuzzing::GroupWorld groups;
    const fuzzing::SealedWorld sealed;

    const Bytes& whisper = huge_input(0x44);
    require_bounded_refusal("SignalMessage::deserialize", ErrorCode::invalid_message,
                            [&] { (void)SignalMessage::deserialize(whisper); });
    require_bounded_refusal("decrypting a whisper message", ErrorCode::invalid_message, [&] {
        (void)SessionCipher(sessions.bob, sessions.bob_address, sessions.alice_address).decrypt(CiphertextType::whisper, whisper);
    });
    const Bytes& pre_key = huge_input(0x44);
    require_bounded_refusal("decrypting a pre-key message", ErrorCode::invalid_message, [&] {
        (void)SessionCipher(sessions.bob, sessions.bob_address, sessions.carol_address).decrypt(CiphertextType::pre_key, pre_key);
    });
    const Bytes& group = huge_input(0x33);
    require_bounded_refusal("group_decrypt", ErrorCode::invalid_message,
                            [&] { (void)group_decrypt(groups.bob, groups.alice_address, group); });
    const Bytes& distribution = huge_input(0x33);
    require_bounded_refusal("SenderKeyDistributionMessage::deserialize", ErrorCode::invalid_message,
                            [&] { (void)SenderKeyDistributionMessage::deserialize(distribution); });
    const Bytes& v1 = huge_input(0x11);
    require_bounded_refusal("unseal of a v1 envelope", ErrorCode::invalid_message,
                            [&] { (void)unseal_unvalidated(v1, sealed.bob); });
    const Bytes& v2 = huge_input(0x22);
    require_bounded_refusal("unseal of a v2 received message", ErrorCode::invalid_message,
                            [&] { (void)unseal_unvalidated(v2, sealed.bob); });
    const Bytes& sent = huge_input(0x23);
    require_bounded_refusal("the server parsing a v2 sent message", ErrorCode::invalid_message,
                            [&] { (void)SealedSenderV2SentMessage::parse(sent); });
    const Bytes& content = huge_input(0x08);
    require_bounded_refusal("UnidentifiedSenderMessageContent::deserialize", ErrorCode::invalid_message,
                            [&] { (void)UnidentifiedSenderMessageContent::deserialize(content); });
    const Bytes& certificate = huge_input(0x0a);
    require_bounded_refusal("SenderCertificate::deserialize", ErrorCode::invalid_certificate,
                            [&] { (void)SenderCertificate::deserialize(certificate); });
    require_bounded_refusal("ServerCertificate::deserialize", ErrorCode::invalid_certificate,
                            [&] { (void)ServerCertificate::deserialize(certificate); });
}

TEST_CASE("100 MB keys, bundle fields and stored records are refused without unbounded allocation",
          "[adversarial][oversized]") {
    // A bundle's fields reach cliquet as serialized keys: a hostile server
    // can make any of them huge.
    const Bytes& key = huge_input(0x05);
    require_bounded_refusal("PublicKey::deserialize (identity, signed and one-time pre-keys)", ErrorCode::invalid_key,
                            [&] { (void)PublicKey::deserialize(key); });
    const Bytes& kem_key = huge_input(0x08);
    require_bounded_refusal("KemPublicKey::deserialize (the Kyber pre-key)", ErrorCode::invalid_key,
                            [&] { (void)KemPublicKey::deserialize(kem_key); });

    const Bytes& record = huge_input(0x0a);
    require_bounded_refusal("SessionRecord::deserialize", ErrorCode::storage,
                            [&] { (void)SessionRecord::deserialize(record); });
    require_bounded_refusal("SenderKeyRecord::deserialize", ErrorCode::storage,
                            [&] { (void)SenderKeyRecord::deserialize(record); });
    require_bounded_refusal("PreKeyRecord::deserialize", ErrorCode::storage,
                            [&] { (void)PreKeyRecord::deserialize(record); });
    require_bounded_refusal("KyberPreKeyRecord::deserialize", ErrorCode::storage,
                            [&] { (void)KyberPreKeyRecord::deserialize(record); });
}

TEST_CASE("length fields claiming gigabytes are refused without allocating them", "[adversarial][oversized]") {
    // Version byte, then field 4 (ciphertext) declared 2^31 - 1 bytes long
    // with a few bytes present, then an 8-byte MAC.
    Bytes whisper{0x44, 0x22};
    put_varint(whisper, 0x7fffffff);
    whisper.insert(whisper.end(), 24, 0x00);
    require_bounded_refusal("SignalMessage with a 2 GB ciphertext field", ErrorCode::invalid_message,
                            [&] { (void)SignalMessage::deserialize(whisper); });

    // A pre-key message whose Kyber ciphertext (field 8) claims 4 GB.
    Bytes pre_key{0x44, 0x42};
    put_varint(pre_key, 0xffffffff);
    pre_key.insert(pre_key.end(), 64, 0x00);
    require_bounded_refusal("PreKeySignalMessage with a 4 GB Kyber ciphertext field", ErrorCode::invalid_message,
                            [&] { (void)PreKeySignalMessage::deserialize(pre_key); });

    // A sealed v2 sent message claiming 2^32 - 1 recipients (the count is a
    // varint after the version byte).
    Bytes sent{0x23};
    put_varint(sent, 0xffffffff);
    sent.insert(sent.end(), 64, 0x00);
    require_bounded_refusal("v2 sent message claiming 4 billion recipients", ErrorCode::invalid_message,
                            [&] { (void)SealedSenderV2SentMessage::parse(sent); });

    // A session record whose repeated field holds a million empty archived
    // states (2 MB): refused for holding more than 40, and the parser's
    // per-entry overhead must not turn 2 MB into more than 16 MiB.
    Bytes many_states;
    many_states.reserve(2u << 20);
    while (many_states.size() + 2 <= (2u << 20)) {
        many_states.push_back(0x12);  // RecordStructure.previous_sessions, length-delimited
        many_states.push_back(0x00);
    }
    require_bounded_refusal("SessionRecord with a million empty archived states", ErrorCode::storage,
                            [&] { (void)SessionRecord::deserialize(many_states); });
}
