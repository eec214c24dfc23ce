// Category sealed_sender_v1: version 1 sealed-sender envelopes.
//
// Groups:
//  - "SealV1Test": senderIdentityPrivate, recipientIdentityPrivate,
//    ephemeralRandom (the 32 bytes the ephemeral private key is made from),
//    content (a serialized UnidentifiedSenderMessageContent) and envelope.
//    Sealing content with that ephemeral key must give envelope, and the
//    recipient must open envelope to content.
//  - "OpenV1Test": recipientIdentityPrivate, envelope, and optionally
//    trustRoot and timestamp (then the certificate is validated too). Valid:
//    opens to content. Invalid: refused; flags Expired, ForeignTrustRoot and
//    MalformedCertificate mean invalid_certificate, others invalid_message.
#include "cliquet/certificates.hpp"
#include "cliquet/sealed_sender.hpp"
#include "protocol/sealed_sender/sealed_sender_internal.hpp"
#include "registry.hpp"
#include "sealed_common.hpp"
#include "sealed_sender.pb.h"

namespace cliquet::vectors {
namespace {

using namespace sealed;

void check_seal(const json& test) {
    if (!is_valid(test)) throw Mismatch("SealV1Test has no invalid cases");
    const IdentityKeyPair sender = identity_param(test, "senderIdentityPrivate");
    const IdentityKeyPair recipient = identity_param(test, "recipientIdentityPrivate");
    const Bytes content = hex_param(test, "content");
    FixedRandom ephemeral(hex_param(test, "ephemeralRandom"));
    const Bytes envelope = seal_v1(UnidentifiedSenderMessageContent::deserialize(content), sender,
                                   recipient.public_key(), ephemeral);
    expect_equal("envelope", hex_param(test, "envelope"), envelope);
    expect_equal("content", content, unseal_unvalidated(envelope, recipient).content.serialize());
}

void check_sealed_sender_v1_case(const json& group, const json& test) {
    const std::string type = string_param(group, "type");
    if (type == "SealV1Test") return check_seal(test);
    if (type == "OpenV1Test") return check_open(test, "envelope", 1);
    throw Mismatch("unknown group type " + type);
}

// ---- generation ---------------------------------------------------------------

constexpr Timestamp kExpiration = timestamp_from_unix_ms(1'800'000'000'000);

struct Generator {
    DeterministicRandom random = fixed_seed_random("cliquet-vectors sealed_sender_v1");
    KeyPair root = KeyPair::generate(random);
    KeyPair server_key = KeyPair::generate(random);
    ServerCertificate server = ServerCertificate::create(1, server_key.public_key, root.private_key, random);
    IdentityKeyPair sender = IdentityKeyPair::generate(random);
    IdentityKeyPair recipient = IdentityKeyPair::generate(random);
    SenderCertificate certificate = SenderCertificate::create(
        {"3e0a4b6c-1d2e-4f30-8a41-5b6c7d8e9f00", "+14155550100", 3, sender.public_key()}, kExpiration, server,
        server_key.private_key, random);
    json seal_tests = json::array();
    json open_tests = json::array();

    json open_case(const std::string& comment, bool valid, json flags, const Bytes& envelope,
                   const IdentityKeyPair& opener, bool validate = false) {
        json test = test_case(comment, valid, flags);
        test["recipientIdentityPrivate"] = to_hex(opener.private_key().secret().span());
        test["envelope"] = to_hex(envelope);
        if (validate) {
            test["trustRoot"] = to_hex(root.public_key.serialize());
            test["timestamp"] = unix_ms(kExpiration);
        }
        return test;
    }

    void seals() {
        const CiphertextType types[] = {CiphertextType::pre_key, CiphertextType::whisper, CiphertextType::sender_key,
                                        CiphertextType::plaintext};
        std::size_t n = 0;
        for (CiphertextType type : types) {
            for (int variant = 0; variant < 2; ++variant, ++n) {
                const ContentHint hint = variant == 0 ? ContentHint::none : ContentHint{static_cast<std::uint32_t>(n % 3)};
                std::optional<Bytes> group_id;
                if (variant == 1) group_id = random_bytes(random, 32);
                const UnidentifiedSenderMessageContent content(type, certificate, random_bytes(random, 1 + 37 * n),
                                                               hint, group_id);
                const Bytes ephemeral = random_bytes(random, 32);
                FixedRandom fixed(ephemeral);
                const Bytes envelope = seal_v1(content, sender, recipient.public_key(), fixed);
                json test = test_case(content_type_name(type) + (variant ? ", with hint and group id" : ""), true,
                                      {"Cliquet"});
                test["senderIdentityPrivate"] = to_hex(sender.private_key().secret().span());
                test["recipientIdentityPrivate"] = to_hex(recipient.private_key().secret().span());
                test["ephemeralRandom"] = to_hex(ephemeral);
                test["content"] = to_hex(content.serialize());
                test["envelope"] = to_hex(envelope);
                seal_tests.push_back(std::move(test));
            }
        }
    }

    void opens() {
        const UnidentifiedSenderMessageContent content(CiphertextType::whisper, certificate, random_bytes(random, 48));
        const Bytes envelope = seal_v1(content, sender, recipient.public_key(), random);
        json valid = open_case("opens and validates", true, {"Cliquet"}, envelope, recipient, true);
        valid["content"] = to_hex(content.serialize());
        open_tests.push_back(valid);
        Bytes version_zero = envelope;
        version_zero[0] = 0x01;
        json zero = open_case("version byte 0x01: a high nibble of 0 reads as version 1", true,
                              {"Cliquet", "VersionNibbleZero"}, version_zero, recipient);
        zero["content"] = to_hex(content.serialize());
        open_tests.push_back(zero);

        open_tests.push_back(open_case("another recipient", false, {"Cliquet", "WrongRecipient"}, envelope,
                                       IdentityKeyPair::generate(random)));
        for (std::size_t i : {std::size_t{3}, std::size_t{20}, std::size_t{40}, std::size_t{60}, envelope.size() / 2,
                              envelope.size() - 11, envelope.size() - 1})
            open_tests.push_back(open_case("byte " + std::to_string(i) + " flipped", false, {"Cliquet", "BitFlip"},
                                           flipped(envelope, i), recipient));
        for (std::uint8_t version : Bytes{0x21, 0x31, 0xf1}) {
            Bytes changed = envelope;
            changed[0] = version;
            open_tests.push_back(open_case("version byte " + to_hex(Bytes{version}), false,
                                           {"Cliquet", "UnknownVersion"}, changed, recipient));
        }
        open_tests.push_back(open_case("truncated by one byte", false, {"Cliquet", "Truncated"},
                                       Bytes(envelope.begin(), envelope.end() - 1), recipient));
        open_tests.push_back(open_case("empty", false, {"Cliquet", "Truncated"}, Bytes{}, recipient));
        open_tests.push_back(open_case("sealed by an identity the certificate does not name", false,
                                       {"Cliquet", "SenderKeyMismatch"},
                                       seal_v1(content, IdentityKeyPair::generate(random), recipient.public_key(), random),
                                       recipient));
        json expired = open_case("certificate expired", false, {"Cliquet", "Expired"}, envelope, recipient, true);
        expired["timestamp"] = unix_ms(kExpiration) + 1;
        open_tests.push_back(expired);
        json foreign = open_case("another trust root", false, {"Cliquet", "ForeignTrustRoot"}, envelope, recipient, true);
        foreign["trustRoot"] = to_hex(KeyPair::generate(random).public_key.serialize());
        open_tests.push_back(foreign);

        // Well sealed, but what is inside is not valid content.
        proto::sealed_sender::UnidentifiedSenderMessage::Message message;
        message.set_type(2);
        message.set_sender_certificate("\x0a\x00");
        message.set_content("x");
        const std::string bad_certificate = message.SerializeAsString();
        open_tests.push_back(open_case("content whose certificate is malformed", false,
                                       {"Cliquet", "MalformedCertificate"},
                                       protocol::seal_v1_bytes(as_bytes(bad_certificate), sender, recipient.public_key(), random),
                                       recipient));
        message.set_sender_certificate(std::string(certificate.serialize().begin(), certificate.serialize().end()));
        message.set_type(3);  // 3 to 6 are reserved
        const std::string bad_type = message.SerializeAsString();
        open_tests.push_back(open_case("content of unknown type 3", false, {"Cliquet", "MalformedContent"},
                                       protocol::seal_v1_bytes(as_bytes(bad_type), sender, recipient.public_key(), random),
                                       recipient));
    }
};

json generate_sealed_sender_v1() {
    Generator g;
    g.seals();
    g.opens();
    json groups = json::array({
        {{"type", "SealV1Test"}, {"tests", std::move(g.seal_tests)}},
        {{"type", "OpenV1Test"}, {"tests", std::move(g.open_tests)}},
    });
    return vector_file(
        "sealed_sender_v1", "Signal sealed sender v1", {"Version 1 envelopes as libsignal's sealed_sender: 0x11 || UnidentifiedSenderMessage protobuf",
         "{ephemeral public, AES-256-CTR(sender identity key) || HMAC[:10], AES-256-CTR(content) || HMAC[:10]}.",
         "Keys: HKDF-SHA256(salt \"UnidentifiedDelivery\" || recipient || ephemeral, DH(e, R)) = chain || cipher || mac,",
         "then HKDF-SHA256(salt chain || encrypted static, DH(S, R)) = _ || cipher || mac. Private keys are 32 bytes."},
        {{"Cliquet", "Computed by cliquet-vectors generate sealed_sender_v1 from a fixed seed."},
         {"VersionNibbleZero", "the version byte's high nibble is 0, which libsignal reads as version 1"},
         {"WrongRecipient", "opened by a recipient it was not sealed to: invalid_message"},
         {"BitFlip", "one bit of a valid envelope flipped: invalid_message"},
         {"UnknownVersion", "a version byte whose high nibble is not 0 or 1: invalid_message"},
         {"Truncated", "bytes missing: invalid_message"},
         {"SenderKeyMismatch", "sealed by an identity other than the certificate's: invalid_message"},
         {"Expired", "the certificate is expired at timestamp: invalid_certificate"},
         {"ForeignTrustRoot", "the certificate does not chain to trustRoot: invalid_certificate"},
         {"MalformedCertificate", "the sealed content holds a certificate that does not parse: invalid_certificate"},
         {"MalformedContent", "the sealed content is not a valid UnidentifiedSenderMessageContent: invalid_message"}},
        std::move(groups));
}

const CategoryRegistration registration{"sealed_sender_v1", check_sealed_sender_v1_case, generate_sealed_sender_v1,
                                        "sealed sender version 1 envelopes"};

}  // namespace
}  // namespace cliquet::vectors
