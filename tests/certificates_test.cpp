#include <catch2/catch.hpp>

#include <string>

#include "cliquet/certificates.hpp"
#include "cliquet/error.hpp"
#include "cliquet/service_id.hpp"
#include "protocol/sealed_sender/sealed_sender_internal.hpp"
#include "protocol/sealed_sender/validated_certificates.hpp"
#include "sealed_sender.pb.h"

using namespace cliquet;
using namespace std::chrono_literals;

namespace {

namespace pb = proto::sealed_sender;

constexpr Timestamp kExpiration = timestamp_from_unix_ms(1'700'000'000'000);
const std::string kUuid = "9d0652a3-dcc3-4d11-975f-74d61598733f";

struct Authority {
    KeyPair trust_root = KeyPair::generate();
    KeyPair server_key = KeyPair::generate();
    std::uint32_t key_id = 7;
    ServerCertificate server = ServerCertificate::create(key_id, server_key.public_key, trust_root.private_key);

    SenderCertificate issue(const PublicKey& identity, std::uint32_t device_id = 1,
                            std::optional<std::string> e164 = "+14155550100") const {
        return SenderCertificate::create({kUuid, std::move(e164), device_id, identity}, kExpiration, server,
                                         server_key.private_key);
    }
};

Bytes to_bytes(const std::string& text) { return Bytes(text.begin(), text.end()); }

// Signs `body` with `signer` and wraps it, as a server would (or a forger).
Bytes sign_sender_body(const pb::SenderCertificate::Certificate& body, const PrivateKey& signer) {
    const Bytes certificate = to_bytes(body.SerializeAsString());
    const Signature signature = signer.sign(certificate);
    pb::SenderCertificate outer;
    outer.set_certificate(certificate.data(), certificate.size());
    outer.set_signature(signature.data(), signature.size());
    return to_bytes(outer.SerializeAsString());
}

// A well-formed sender certificate body that tests then break one way.
pb::SenderCertificate::Certificate good_body(const Authority& authority, const PublicKey& identity) {
    pb::SenderCertificate::Certificate body;
    body.set_uuid_string(kUuid);
    body.set_sender_device(3);
    body.set_expires(unix_ms(kExpiration));
    const Bytes key = identity.serialize();
    body.set_identity_key(key.data(), key.size());
    body.set_server_certificate(std::string(authority.server.serialize().begin(), authority.server.serialize().end()));
    return body;
}

void require_code(const std::function<void()>& action, ErrorCode code) {
    try {
        action();
        FAIL("accepted what it should refuse");
    } catch (const Error& e) {
        CHECK(e.code() == code);
    }
}

}  // namespace

TEST_CASE("server certificates round-trip and validate only against their trust root", "[certificates]") {
    const Authority authority;
    const auto parsed = ServerCertificate::deserialize(authority.server.serialize());
    CHECK(parsed.key_id() == authority.key_id);
    CHECK(parsed.key() == authority.server_key.public_key);
    CHECK(parsed.serialize() == authority.server.serialize());
    CHECK(parsed.is_valid(authority.trust_root.public_key));
    CHECK_FALSE(parsed.is_valid(KeyPair::generate().public_key));
}

TEST_CASE("a revoked server key id never validates", "[certificates]") {
    REQUIRE(is_revoked_server_key_id(0xDEADC357));
    CHECK_FALSE(is_revoked_server_key_id(0xDEADC358));
    const KeyPair root = KeyPair::generate();
    const KeyPair server_key = KeyPair::generate();
    const auto revoked = ServerCertificate::create(0xDEADC357, server_key.public_key, root.private_key);
    CHECK_FALSE(revoked.is_valid(root.public_key));

    const auto sender = SenderCertificate::create({kUuid, std::nullopt, 1, KeyPair::generate().public_key},
                                                  kExpiration, revoked, server_key.private_key);
    require_code([&] { sender.validate(root.public_key, kExpiration); }, ErrorCode::invalid_certificate);
}

TEST_CASE("sender certificates carry the sender and round-trip", "[certificates]") {
    const Authority authority;
    const KeyPair identity = KeyPair::generate();
    const auto certificate = authority.issue(identity.public_key, 42);
    const auto parsed = SenderCertificate::deserialize(certificate.serialize());
    CHECK(parsed.sender_uuid() == kUuid);
    CHECK(parsed.sender_e164() == std::optional<std::string>("+14155550100"));
    CHECK(parsed.sender_device_id() == 42);
    CHECK(parsed.identity_key() == identity.public_key);
    CHECK(parsed.expiration() == kExpiration);
    CHECK(parsed.signer().serialize() == authority.server.serialize());
    CHECK(parsed.serialize() == certificate.serialize());

    const auto without_e164 = SenderCertificate::deserialize(authority.issue(identity.public_key, 1, std::nullopt).serialize());
    CHECK_FALSE(without_e164.sender_e164().has_value());
}

TEST_CASE("sender certificates expire after their expiration, not at it", "[certificates]") {
    const Authority authority;
    const auto certificate = authority.issue(KeyPair::generate().public_key);
    CHECK_NOTHROW(certificate.validate(authority.trust_root.public_key, Timestamp{}));
    CHECK_NOTHROW(certificate.validate(authority.trust_root.public_key, kExpiration));
    CHECK(certificate.is_valid(authority.trust_root.public_key, kExpiration));
    require_code([&] { certificate.validate(authority.trust_root.public_key, kExpiration + 1ms); },
                 ErrorCode::invalid_certificate);
    CHECK_FALSE(certificate.is_valid(authority.trust_root.public_key, kExpiration + 1ms));
}

TEST_CASE("a foreign trust root is refused, any of several roots will do", "[certificates]") {
    const Authority authority;
    const auto certificate = authority.issue(KeyPair::generate().public_key);
    const KeyPair foreign = KeyPair::generate();
    require_code([&] { certificate.validate(foreign.public_key, Timestamp{}); }, ErrorCode::invalid_certificate);

    const std::vector<PublicKey> roots = {foreign.public_key, authority.trust_root.public_key};
    CHECK_NOTHROW(certificate.validate(roots, Timestamp{}));
    const std::vector<PublicKey> wrong_roots = {foreign.public_key, KeyPair::generate().public_key};
    require_code([&] { certificate.validate(wrong_roots, Timestamp{}); }, ErrorCode::invalid_certificate);
    require_code([&] { certificate.validate(std::span<const PublicKey>{}, Timestamp{}); },
                 ErrorCode::invalid_certificate);
}

// A sender's messages skip the signature checks once its certificate has
// passed them (issue 19); nothing else is ever taken from that memory.
TEST_CASE("a certificate validated before is still refused once expired or under another root", "[certificates]") {
    using protocol::ValidatedCertificates;
    const Authority authority;
    const auto certificate = authority.issue(KeyPair::generate().public_key);
    const PublicKey& root = authority.trust_root.public_key;
    const auto remembered = ValidatedCertificates::key_of(certificate.serialize(), {&root, 1});
    ValidatedCertificates::shared().clear();

    CHECK_NOTHROW(certificate.validate(root, Timestamp{}));
    REQUIRE(ValidatedCertificates::shared().contains(remembered));
    CHECK_NOTHROW(certificate.validate(root, kExpiration));
    require_code([&] { certificate.validate(root, kExpiration + 1ms); }, ErrorCode::invalid_certificate);
    require_code([&] { certificate.validate(KeyPair::generate().public_key, Timestamp{}); },
                 ErrorCode::invalid_certificate);

    // The same bytes parsed again are the same certificate; a copy with any
    // byte changed is another, checked in full.
    CHECK_NOTHROW(SenderCertificate::deserialize(certificate.serialize()).validate(root, Timestamp{}));
    Bytes altered = certificate.serialize();
    altered.back() ^= 0x01;
    try {
        const auto parsed = SenderCertificate::deserialize(altered);
        require_code([&] { parsed.validate(root, Timestamp{}); }, ErrorCode::invalid_certificate);
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_certificate);
    }
}

TEST_CASE("refused certificates are not remembered, a forgotten one is checked again", "[certificates]") {
    using protocol::ValidatedCertificates;
    const Authority authority;
    const PublicKey& root = authority.trust_root.public_key;
    ValidatedCertificates::shared().clear();

    // Signed by a revoked server key: refused every time, remembered never.
    const KeyPair server_key = KeyPair::generate();
    const auto revoked = ServerCertificate::create(0xDEADC357, server_key.public_key, authority.trust_root.private_key);
    const auto by_revoked = SenderCertificate::create({kUuid, std::nullopt, 1, KeyPair::generate().public_key},
                                                      kExpiration, revoked, server_key.private_key);
    for (int attempt = 0; attempt < 2; ++attempt)
        require_code([&] { by_revoked.validate(root, Timestamp{}); }, ErrorCode::invalid_certificate);
    CHECK_FALSE(ValidatedCertificates::shared().contains(
        ValidatedCertificates::key_of(by_revoked.serialize(), {&root, 1})));

    // Signed by another key than its server's: likewise.
    const Bytes forged =
        sign_sender_body(good_body(authority, KeyPair::generate().public_key), KeyPair::generate().private_key);
    const auto parsed = SenderCertificate::deserialize(forged);
    for (int attempt = 0; attempt < 2; ++attempt)
        require_code([&] { parsed.validate(root, Timestamp{}); }, ErrorCode::invalid_certificate);
    CHECK_FALSE(ValidatedCertificates::shared().contains(ValidatedCertificates::key_of(forged, {&root, 1})));

    // A genuine certificate whose entry another took is verified again.
    const auto genuine = authority.issue(KeyPair::generate().public_key);
    const auto key = ValidatedCertificates::key_of(genuine.serialize(), {&root, 1});
    CHECK_NOTHROW(genuine.validate(root, Timestamp{}));
    auto rival = key;
    rival[31] ^= 0x01;  // the same slot, another certificate
    ValidatedCertificates::shared().insert(rival);
    CHECK_FALSE(ValidatedCertificates::shared().contains(key));
    CHECK_NOTHROW(genuine.validate(root, Timestamp{}));
    CHECK(ValidatedCertificates::shared().contains(key));
}

TEST_CASE("a sender certificate signed by another key than its server's is refused", "[certificates]") {
    const Authority authority;
    const KeyPair identity = KeyPair::generate();
    const Bytes forged = sign_sender_body(good_body(authority, identity.public_key), KeyPair::generate().private_key);
    const auto parsed = SenderCertificate::deserialize(forged);
    require_code([&] { parsed.validate(authority.trust_root.public_key, Timestamp{}); },
                 ErrorCode::invalid_certificate);

    // The genuine signature verifies, which shows the forgery failed for its signature alone.
    const Bytes genuine = sign_sender_body(good_body(authority, identity.public_key), authority.server_key.private_key);
    CHECK_NOTHROW(SenderCertificate::deserialize(genuine).validate(authority.trust_root.public_key, Timestamp{}));
}

TEST_CASE("every bit flipped in a sender certificate is refused", "[certificates]") {
    const Authority authority;
    const Bytes good = authority.issue(KeyPair::generate().public_key).serialize();
    for (std::size_t i = 0; i < good.size(); ++i) {
        Bytes tampered = good;
        tampered[i] ^= 0x01;
        try {
            const auto parsed = SenderCertificate::deserialize(tampered);
            parsed.validate(authority.trust_root.public_key, Timestamp{});
            FAIL("accepted a certificate with byte " << i << " flipped");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::invalid_certificate);
        }
    }
}

TEST_CASE("malformed sender certificates are refused", "[certificates]") {
    const Authority authority;
    const PublicKey identity = KeyPair::generate().public_key;
    const auto refused = [&](const pb::SenderCertificate::Certificate& body) {
        require_code([&] { (void)SenderCertificate::deserialize(sign_sender_body(body, authority.server_key.private_key)); },
                     ErrorCode::invalid_certificate);
    };

    require_code([] { (void)SenderCertificate::deserialize(Bytes{}); }, ErrorCode::invalid_certificate);
    require_code([] { (void)SenderCertificate::deserialize(Bytes{0xff, 0xff, 0xff}); }, ErrorCode::invalid_certificate);
    {
        pb::SenderCertificate outer;  // a body but no signature
        outer.set_certificate(good_body(authority, identity).SerializeAsString());
        require_code([&] { (void)SenderCertificate::deserialize(to_bytes(outer.SerializeAsString())); },
                     ErrorCode::invalid_certificate);
    }
    auto body = good_body(authority, identity);
    body.clear_sender_device();
    refused(body);
    for (std::uint32_t device : {0u, 128u, 1000u}) {
        body = good_body(authority, identity);
        body.set_sender_device(device);
        refused(body);
    }
    body = good_body(authority, identity);
    body.clear_expires();
    refused(body);
    body = good_body(authority, identity);
    body.clear_uuid_string();
    refused(body);
    body = good_body(authority, identity);
    body.set_uuid_bytes(std::string(15, 'x'));
    refused(body);
    body = good_body(authority, identity);
    body.set_uuid_string("\xff\xfe");
    refused(body);
    body = good_body(authority, identity);
    body.set_sender_e164("\xc0\x80");  // an overlong encoding
    refused(body);
    body = good_body(authority, identity);
    body.clear_identity_key();
    refused(body);
    body = good_body(authority, identity);
    body.set_identity_key(std::string(33, '\x06'));
    refused(body);
    body = good_body(authority, identity);
    body.clear_server_certificate();
    refused(body);
    body = good_body(authority, identity);
    body.set_server_certificate("not a certificate");
    refused(body);
}

TEST_CASE("malformed server certificates are refused", "[certificates]") {
    require_code([] { (void)ServerCertificate::deserialize(Bytes{}); }, ErrorCode::invalid_certificate);
    const auto refused = [](const pb::ServerCertificate::Certificate& body, bool with_signature = true) {
        pb::ServerCertificate outer;
        outer.set_certificate(body.SerializeAsString());
        if (with_signature) outer.set_signature(std::string(64, '\0'));
        require_code([&] { (void)ServerCertificate::deserialize(to_bytes(outer.SerializeAsString())); },
                     ErrorCode::invalid_certificate);
    };
    pb::ServerCertificate::Certificate body;
    body.set_id(1);
    const Bytes key = KeyPair::generate().public_key.serialize();
    body.set_key(key.data(), key.size());
    refused(body, /*with_signature=*/false);
    auto no_id = body;
    no_id.clear_id();
    refused(no_id);
    auto no_key = body;
    no_key.clear_key();
    refused(no_key);
    auto bad_key = body;
    bad_key.set_key(std::string(32, '\x05'));
    refused(bad_key);
}

TEST_CASE("a sender uuid sent as 16 bytes reads as its canonical string", "[certificates]") {
    const Authority authority;
    const KeyPair identity = KeyPair::generate();
    auto body = good_body(authority, identity.public_key);
    const Uuid uuid = *parse_uuid(kUuid);
    body.set_uuid_bytes(std::string(uuid.begin(), uuid.end()));
    const auto parsed = SenderCertificate::deserialize(sign_sender_body(body, authority.server_key.private_key));
    CHECK(parsed.sender_uuid() == kUuid);
    CHECK_NOTHROW(parsed.validate(authority.trust_root.public_key, kExpiration));
}

TEST_CASE("libsignal's well-known server certificates are signed by their trust roots", "[certificates]") {
    const auto known = protocol::well_known_server_certificates();
    REQUIRE(known.size() == 3);
    for (const auto& [root, certificate] : known) CHECK(certificate.is_valid(root));
    CHECK(known[0].second.key_id() == 2);
    CHECK(known[1].second.key_id() == 3);
    CHECK(known[2].second.key_id() == 0x7357C357);
}

TEST_CASE("a sender certificate may name a well-known signer by id", "[certificates]") {
    // The 0x7357C357 test certificate is signed by the all-zeros trust root
    // for the all-0xff server key.
    const PrivateKey root = PrivateKey::deserialize(Bytes(32, 0x00));
    const PrivateKey server = PrivateKey::deserialize(Bytes(32, 0xff));
    const Authority unrelated;
    auto body = good_body(unrelated, KeyPair::generate().public_key);
    body.set_server_certificate_id(0x7357C357);
    const auto parsed = SenderCertificate::deserialize(sign_sender_body(body, server));
    CHECK(parsed.signer().key_id() == 0x7357C357);
    CHECK(parsed.signer().key() == server.public_key());
    CHECK_NOTHROW(parsed.validate(root.public_key(), kExpiration));
    require_code([&] { parsed.validate(unrelated.trust_root.public_key, kExpiration); }, ErrorCode::invalid_certificate);

    body.set_server_certificate_id(12345);  // parses, never validates
    const auto unknown = SenderCertificate::deserialize(sign_sender_body(body, server));
    require_code([&] { (void)unknown.signer(); }, ErrorCode::invalid_certificate);
    require_code([&] { unknown.validate(root.public_key(), kExpiration); }, ErrorCode::invalid_certificate);
}

TEST_CASE("sender certificates refuse device ids libsignal refuses", "[certificates]") {
    const Authority authority;
    for (std::uint32_t device : {0u, 128u}) {
        require_code([&] { (void)authority.issue(KeyPair::generate().public_key, device); }, ErrorCode::invalid_argument);
    }
    CHECK_NOTHROW(authority.issue(KeyPair::generate().public_key, 127));
}

TEST_CASE("service ids parse and print as libsignal's", "[certificates][service_id]") {
    const auto aci = ServiceId::parse(kUuid);
    REQUIRE(aci);
    CHECK(aci->kind() == ServiceIdKind::aci);
    CHECK(aci->to_string() == kUuid);
    CHECK(to_hex(aci->fixed_width()) == "00" "9d0652a3dcc34d11975f74d61598733f");

    const auto pni = ServiceId::parse("PNI:9D0652A3-DCC3-4D11-975F-74D61598733F");
    REQUIRE(pni);
    CHECK(pni->kind() == ServiceIdKind::pni);
    CHECK(pni->to_string() == "PNI:" + kUuid);
    CHECK(pni->fixed_width()[0] == 0x01);
    CHECK(ServiceId::from_fixed_width(pni->fixed_width()) == pni);

    for (const char* bad : {"", "9d0652a3dcc34d11975f74d61598733f", "9d0652a3-dcc3-4d11-975f-74d61598733", "ACI:" "9d0652a3-dcc3-4d11-975f-74d61598733f",
                            "9d0652a3-dcc3-4d11-975f_74d61598733f", "9d0652a3-dcc3-4d11-975f-74d61598733g", "pni:9d0652a3-dcc3-4d11-975f-74d61598733f"})
        CHECK_FALSE(ServiceId::parse(bad));
    auto unknown_kind = aci->fixed_width();
    unknown_kind[0] = 2;
    CHECK_FALSE(ServiceId::from_fixed_width(unknown_kind));
}
