// Category certificates: sealed-sender server and sender certificates.
//
// Groups:
//  - "ServerCertificateTest": trustRoot, certificate; valid cases also give
//    keyId and serverKey. Valid: it parses to those and is signed by the
//    trust root with a key id that is not revoked. Invalid: refused.
//  - "SenderCertificateTest": trustRoot, timestamp, certificate; valid cases
//    give senderUuid, senderE164 (or null), senderDeviceId,
//    senderIdentityKey, expiration. Valid: it parses to those and validates
//    at timestamp. Invalid: refused (invalid_certificate), when parsed or
//    when validated.
//  - "CertificateCreateTest": the inputs of both signatures, with the 64
//    random bytes each XEdDSA signature draws; creating both certificates
//    must give serverCertificate and certificate exactly.
#include "cliquet/certificates.hpp"
#include "cliquet/service_id.hpp"
#include "registry.hpp"
#include "sealed_common.hpp"
#include "sealed_sender.pb.h"

namespace cliquet::vectors {
namespace {

using namespace sealed;
namespace pb = proto::sealed_sender;

std::optional<std::string> optional_string(const json& test, std::string_view name) {
    const auto it = test.find(name);
    if (it == test.end() || it->is_null()) return std::nullopt;
    return string_param(test, name);
}

std::uint32_t u32_param(const json& test, std::string_view name) {
    const std::uint64_t value = uint_param(test, name);
    if (value > UINT32_MAX) throw Mismatch(std::string(name) + " does not fit in 32 bits");
    return static_cast<std::uint32_t>(value);
}

void check_server(const json& test) {
    const PublicKey root = public_key_param(test, "trustRoot");
    const Bytes bytes = hex_param(test, "certificate");
    if (!is_valid(test)) {
        // Refused when parsed (with the error) or when its signature or key id is checked.
        if (error_param(test) != ErrorCode::invalid_certificate)
            throw Mismatch("a server certificate is refused with invalid_certificate");
        bool refused = false;
        try {
            refused = !ServerCertificate::deserialize(bytes).is_valid(root);
        } catch (const Error& e) {
            if (e.code() != ErrorCode::invalid_certificate) throw;
            refused = true;
        }
        if (!refused) throw Mismatch("cliquet accepted the server certificate");
        return;
    }
    const auto certificate = ServerCertificate::deserialize(bytes);
    if (certificate.key_id() != u32_param(test, "keyId")) throw Mismatch("key_id differs");
    expect_equal("serverKey", hex_param(test, "serverKey"), certificate.key().serialize());
    if (!certificate.is_valid(root)) throw Mismatch("cliquet refused the server certificate");
}

void check_sender(const json& test) {
    const PublicKey root = public_key_param(test, "trustRoot");
    const Bytes bytes = hex_param(test, "certificate");
    const Timestamp now = timestamp_from_unix_ms(uint_param(test, "timestamp"));
    if (!is_valid(test)) {
        expect_refused([&] { SenderCertificate::deserialize(bytes).validate(root, now); }, ErrorCode::invalid_certificate);
        return;
    }
    const auto certificate = SenderCertificate::deserialize(bytes);
    if (certificate.sender_uuid() != string_param(test, "senderUuid")) throw Mismatch("sender_uuid differs");
    if (certificate.sender_e164() != optional_string(test, "senderE164")) throw Mismatch("sender_e164 differs");
    if (certificate.sender_device_id() != uint_param(test, "senderDeviceId")) throw Mismatch("sender_device_id differs");
    expect_equal("senderIdentityKey", hex_param(test, "senderIdentityKey"), certificate.identity_key().serialize());
    if (unix_ms(certificate.expiration()) != uint_param(test, "expiration")) throw Mismatch("expiration differs");
    certificate.validate(root, now);
}

void check_create(const json& test) {
    if (!is_valid(test)) throw Mismatch("CertificateCreateTest has no invalid cases");
    const PrivateKey root = PrivateKey::deserialize(hex_param(test, "trustRootPrivate"));
    const PrivateKey server_key = PrivateKey::deserialize(hex_param(test, "serverPrivate"));
    FixedRandom server_random(hex_param(test, "serverRandom"));
    const auto server = ServerCertificate::create(u32_param(test, "keyId"), server_key.public_key(), root, server_random);
    expect_equal("serverCertificate", hex_param(test, "serverCertificate"), server.serialize());

    const SenderCertificate::Sender sender{string_param(test, "senderUuid"), optional_string(test, "senderE164"),
                                           u32_param(test, "senderDeviceId"),
                                           public_key_param(test, "senderIdentityKey")};
    FixedRandom sender_random(hex_param(test, "senderRandom"));
    const auto certificate = SenderCertificate::create(sender, timestamp_from_unix_ms(uint_param(test, "expiration")),
                                                       server, server_key, sender_random);
    expect_equal("certificate", hex_param(test, "certificate"), certificate.serialize());
    if (!server_random.exhausted() || !sender_random.exhausted()) throw Mismatch("random bytes left over");
}

void check_certificates_case(const json& group, const json& test) {
    const std::string type = string_param(group, "type");
    if (type == "ServerCertificateTest") return check_server(test);
    if (type == "SenderCertificateTest") return check_sender(test);
    if (type == "CertificateCreateTest") return check_create(test);
    throw Mismatch("unknown group type " + type);
}

// ---- generation ---------------------------------------------------------------

constexpr Timestamp kExpiration = timestamp_from_unix_ms(1'800'000'000'000);

Bytes to_bytes(const std::string& text) { return Bytes(text.begin(), text.end()); }

Bytes sign_body(const pb::SenderCertificate::Certificate& body, const PrivateKey& key, RandomSource& random) {
    const Bytes certificate = to_bytes(body.SerializeAsString());
    const Signature signature = key.sign(certificate, random);
    pb::SenderCertificate outer;
    outer.set_certificate(certificate.data(), certificate.size());
    outer.set_signature(signature.data(), signature.size());
    return to_bytes(outer.SerializeAsString());
}

struct Generator {
    DeterministicRandom random = fixed_seed_random("cliquet-vectors certificates");
    KeyPair root = KeyPair::generate(random);
    KeyPair server_key = KeyPair::generate(random);
    ServerCertificate server = ServerCertificate::create(0x5e41ed, server_key.public_key, root.private_key, random);
    json server_tests = json::array();
    json sender_tests = json::array();
    json create_tests = json::array();

    std::string root_hex() const { return to_hex(root.public_key.serialize()); }

    void server_case(const std::string& comment, bool valid, const json& flags, const ServerCertificate& certificate,
                     const std::string& trust_root) {
        json test = test_case(comment, valid, flags);
        test["trustRoot"] = trust_root;
        test["certificate"] = to_hex(certificate.serialize());
        if (valid) {
            test["keyId"] = certificate.key_id();
            test["serverKey"] = to_hex(certificate.key().serialize());
        }
        server_tests.push_back(std::move(test));
    }

    void sender_valid(const std::string& comment, const json& flags, const Bytes& bytes, std::uint64_t now,
                      const std::string& trust_root) {
        const auto certificate = SenderCertificate::deserialize(bytes);
        json test = test_case(comment, true, flags);
        test["trustRoot"] = trust_root;
        test["timestamp"] = now;
        test["certificate"] = to_hex(bytes);
        test["senderUuid"] = certificate.sender_uuid();
        test["senderE164"] = certificate.sender_e164() ? json(*certificate.sender_e164()) : json(nullptr);
        test["senderDeviceId"] = certificate.sender_device_id();
        test["senderIdentityKey"] = to_hex(certificate.identity_key().serialize());
        test["expiration"] = unix_ms(certificate.expiration());
        sender_tests.push_back(std::move(test));
    }

    void sender_invalid(const std::string& comment, const json& flags, const Bytes& bytes, std::uint64_t now,
                        const std::string& trust_root) {
        json test = test_case(comment, false, flags);
        test["trustRoot"] = trust_root;
        test["timestamp"] = now;
        test["certificate"] = to_hex(bytes);
        sender_tests.push_back(std::move(test));
    }

    pb::SenderCertificate::Certificate body(const PublicKey& identity) const {
        pb::SenderCertificate::Certificate b;
        b.set_uuid_string("a1b2c3d4-0000-4000-8000-00000000abcd");
        b.set_sender_device(4);
        b.set_expires(unix_ms(kExpiration));
        const Bytes key = identity.serialize();
        b.set_identity_key(key.data(), key.size());
        b.set_server_certificate(std::string(server.serialize().begin(), server.serialize().end()));
        return b;
    }

    void creation() {
        struct Variant {
            const char* comment;
            std::uint32_t key_id;
            std::optional<std::string> e164;
            std::uint32_t device_id;
        };
        const Variant variants[] = {
            {"no phone number, device 1", 1, std::nullopt, 1},
            {"a phone number, device 127", 0x7fffffff, "+14155550123", 127},
            {"key id 0, device 2", 0, "+442071838750", 2},
        };
        for (const Variant& v : variants) {
            const KeyPair trust_root = KeyPair::generate(random);
            const KeyPair signer = KeyPair::generate(random);
            const KeyPair identity = KeyPair::generate(random);
            const Bytes server_random = random_bytes(random, 64);
            const Bytes sender_random = random_bytes(random, 64);
            FixedRandom r1(server_random);
            const auto server_certificate = ServerCertificate::create(v.key_id, signer.public_key, trust_root.private_key, r1);
            FixedRandom r2(sender_random);
            const SenderCertificate::Sender sender{format_uuid(*parse_uuid("0a0b0c0d-1111-4222-8333-444455556666")),
                                                   v.e164, v.device_id, identity.public_key};
            const auto certificate =
                SenderCertificate::create(sender, kExpiration, server_certificate, signer.private_key, r2);
            json test = test_case(v.comment, true, {"Cliquet"});
            test["trustRootPrivate"] = to_hex(trust_root.private_key.secret().span());
            test["keyId"] = v.key_id;
            test["serverPrivate"] = to_hex(signer.private_key.secret().span());
            test["serverRandom"] = to_hex(server_random);
            test["serverCertificate"] = to_hex(server_certificate.serialize());
            test["senderUuid"] = sender.uuid;
            test["senderE164"] = v.e164 ? json(*v.e164) : json(nullptr);
            test["senderDeviceId"] = v.device_id;
            test["senderIdentityKey"] = to_hex(identity.public_key.serialize());
            test["expiration"] = unix_ms(kExpiration);
            test["senderRandom"] = to_hex(sender_random);
            test["certificate"] = to_hex(certificate.serialize());
            create_tests.push_back(std::move(test));
        }
    }

    void servers() {
        const std::string foreign = to_hex(KeyPair::generate(random).public_key.serialize());
        server_case("signed by the trust root", true, {"Cliquet"}, server, root_hex());
        server_case("another trust root", false, {"Cliquet", "ForeignTrustRoot"}, server, foreign);
        const auto revoked = ServerCertificate::create(0xDEADC357, server_key.public_key, root.private_key, random);
        server_case("revoked key id 0xDEADC357, correctly signed", false, {"Cliquet", "RevokedKeyId"}, revoked, root_hex());
        for (std::size_t i : {server.serialize().size() - 1, server.serialize().size() - 40, std::size_t{10}}) {
            json test = test_case("byte " + std::to_string(i) + " flipped", false, {"Cliquet", "BitFlip"});
            test["trustRoot"] = root_hex();
            test["certificate"] = to_hex(flipped(server.serialize(), i));
            server_tests.push_back(std::move(test));
        }
        pb::ServerCertificate outer;
        outer.set_certificate(std::string(server.certificate().begin(), server.certificate().end()));
        json test = test_case("no signature", false, {"Cliquet", "MalformedCertificate"});
        test["trustRoot"] = root_hex();
        test["certificate"] = to_hex(to_bytes(outer.SerializeAsString()));
        server_tests.push_back(std::move(test));
    }

    void senders() {
        const KeyPair identity = KeyPair::generate(random);
        const std::string foreign = to_hex(KeyPair::generate(random).public_key.serialize());
        const auto issue = [&](const pb::SenderCertificate::Certificate& b) {
            return sign_body(b, server_key.private_key, random);
        };
        const Bytes good = issue(body(identity.public_key));
        sender_valid("valid until its expiration, inclusive", {"Cliquet"}, good, unix_ms(kExpiration), root_hex());
        sender_valid("valid long before its expiration", {"Cliquet"}, good, 0, root_hex());
        auto with_e164 = body(identity.public_key);
        with_e164.set_sender_e164("+14155550199");
        sender_valid("with a phone number", {"Cliquet"}, issue(with_e164), unix_ms(kExpiration) - 1, root_hex());
        auto uuid_bytes = body(identity.public_key);
        const Uuid raw = *parse_uuid(uuid_bytes.uuid_string());
        uuid_bytes.set_uuid_bytes(std::string(raw.begin(), raw.end()));
        sender_valid("the sender's UUID as 16 bytes", {"Cliquet", "UuidBytes"}, issue(uuid_bytes), 1, root_hex());

        // libsignal's test server certificate 0x7357C357: trust root the
        // all-zeros private key, server key the all-0xff one.
        const PrivateKey known_root = PrivateKey::deserialize(Bytes(32, 0x00));
        const PrivateKey known_server = PrivateKey::deserialize(Bytes(32, 0xff));
        auto by_id = body(identity.public_key);
        by_id.set_server_certificate_id(0x7357C357);
        const Bytes known = sign_body(by_id, known_server, random);
        sender_valid("names libsignal's test server certificate by id", {"Cliquet", "KnownSigner"}, known, 5,
                     to_hex(known_root.public_key().serialize()));
        sender_invalid("names libsignal's test server certificate, another trust root",
                       {"Cliquet", "KnownSigner", "ForeignTrustRoot"}, known, 5, root_hex());
        by_id.set_server_certificate_id(0x12345678);
        sender_invalid("names an unknown server certificate id", {"Cliquet", "UnknownSigner"},
                       sign_body(by_id, known_server, random), 5, to_hex(known_root.public_key().serialize()));

        sender_invalid("one millisecond after its expiration", {"Cliquet", "Expired"}, good, unix_ms(kExpiration) + 1,
                       root_hex());
        sender_invalid("another trust root", {"Cliquet", "ForeignTrustRoot"}, good, 0, foreign);
        const auto revoked = ServerCertificate::create(0xDEADC357, server_key.public_key, root.private_key, random);
        auto revoked_body = body(identity.public_key);
        revoked_body.set_server_certificate(std::string(revoked.serialize().begin(), revoked.serialize().end()));
        sender_invalid("server key id 0xDEADC357 is revoked", {"Cliquet", "RevokedKeyId"}, issue(revoked_body), 0,
                       root_hex());
        sender_invalid("signed by a key other than the server's", {"Cliquet", "BadSignature"},
                       sign_body(body(identity.public_key), KeyPair::generate(random).private_key, random), 0,
                       root_hex());
        for (std::size_t i : {std::size_t{3}, good.size() / 2, good.size() - 1})
            sender_invalid("byte " + std::to_string(i) + " flipped", {"Cliquet", "BitFlip"}, flipped(good, i), 0, root_hex());

        struct Breakage {
            const char* comment;
            void (*apply)(pb::SenderCertificate::Certificate&);
        };
        const Breakage breakages[] = {
            {"device id 0", [](auto& b) { b.set_sender_device(0); }},
            {"device id 128", [](auto& b) { b.set_sender_device(128); }},
            {"no device id", [](auto& b) { b.clear_sender_device(); }},
            {"no expiration", [](auto& b) { b.clear_expires(); }},
            {"no sender UUID", [](auto& b) { b.clear_uuid_string(); }},
            {"a 15-byte sender UUID", [](auto& b) { b.set_uuid_bytes(std::string(15, '\x11')); }},
            {"a sender UUID string that is not UTF-8", [](auto& b) { b.set_uuid_string("\xc3\x28"); }},
            {"no identity key", [](auto& b) { b.clear_identity_key(); }},
            {"an identity key of type 6", [](auto& b) { (*b.mutable_identity_key())[0] = '\x06'; }},
            {"no signer", [](auto& b) { b.clear_server_certificate(); }},
            {"a signer that is not a server certificate", [](auto& b) { b.set_server_certificate("\x0a\x01"); }},
        };
        for (const Breakage& breakage : breakages) {
            auto broken = body(identity.public_key);
            breakage.apply(broken);
            sender_invalid(breakage.comment, {"Cliquet", "MalformedCertificate"}, issue(broken), 0, root_hex());
        }
        sender_invalid("not a protobuf", {"Cliquet", "MalformedCertificate"}, Bytes{0xff, 0xff}, 0, root_hex());
    }
};

json generate_certificates() {
    Generator g;
    g.creation();
    g.servers();
    g.senders();
    json groups = json::array({
        {{"type", "CertificateCreateTest"}, {"tests", std::move(g.create_tests)}},
        {{"type", "ServerCertificateTest"}, {"tests", std::move(g.server_tests)}},
        {{"type", "SenderCertificateTest"}, {"tests", std::move(g.sender_tests)}},
    });
    return vector_file(
        "certificates", "Signal sealed-sender certificates", {"ServerCertificate and SenderCertificate as libsignal's sealed_sender.proto: a protobuf holding the",
         "signed certificate bytes and a 64-byte XEdDSA signature (trust root over the server certificate,",
         "server key over the sender certificate). Keys are 33 bytes (05 || u); times are milliseconds."},
        {{"Cliquet", "Computed by cliquet-vectors generate certificates from a fixed seed."},
         {"ForeignTrustRoot", "validated against another trust root: refused"},
         {"RevokedKeyId", "the server key id is 0xDEADC357, which libsignal revokes: refused"},
         {"Expired", "validated after its expiration: refused"},
         {"BadSignature", "the sender certificate is signed by a key other than its server's: refused"},
         {"BitFlip", "one bit of a valid certificate flipped: refused"},
         {"MalformedCertificate", "a field missing, out of range or unparsable: refused"},
         {"UuidBytes", "the sender UUID in its 16-byte form (field 7), read as the canonical string"},
         {"KnownSigner", "the signer named by id (field 8), one of libsignal's well-known server certificates"},
         {"UnknownSigner", "the signer named by an id no one knows: refused"}},
        std::move(groups));
}

const CategoryRegistration registration{"certificates", check_certificates_case, generate_certificates,
                                        "sealed-sender server and sender certificates"};

}  // namespace
}  // namespace cliquet::vectors
