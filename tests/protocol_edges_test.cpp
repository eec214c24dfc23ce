// Refusals at the edges of the protocol types: a sender certificate's names
// must be UTF-8 (every form of ill-formed UTF-8, and the well-formed ones of
// each length), an identity key pair's halves must match, and a message is
// framed for version 3 or 4 only.
#include <catch2/catch.hpp>

#include <string>

#include "cliquet/cliquet.hpp"
#include "sealed_helpers.hpp"

using namespace cliquet;
using cliquet::testing::error_of;
using cliquet::testing::kSealedNow;

namespace {

SenderCertificate certificate_for(const cliquet::testing::CertificateServer& server, const std::string& uuid,
                                  const std::optional<std::string>& e164 = std::nullopt) {
    return SenderCertificate::create({uuid, e164, 1, IdentityKeyPair::generate().public_key()},
                                     kSealedNow + std::chrono::seconds{1}, server.certificate, server.key.private_key);
}

}  // namespace

TEST_CASE("a sender certificate's names are UTF-8: every well-formed length taken, every ill-formed kind refused",
          "[certificates]") {
    const cliquet::testing::CertificateServer server;
    // One, two, three and four bytes a code point, the largest of each.
    for (const std::string& uuid : {std::string("a\x7f"), std::string("\xc3\xa9\xdf\xbf"), std::string("\xe2\x82\xac\xef\xbf\xbf"),
                                   std::string("\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf")}) {
        const SenderCertificate certificate = certificate_for(server, uuid);
        CHECK(certificate.sender_uuid() == uuid);
        CHECK(SenderCertificate::deserialize(certificate.serialize()).sender_uuid() == uuid);
    }
    const std::string ill_formed[] = {
        "\x80",              // a continuation byte first
        "\xc0\xaf",          // a lead byte no code point uses
        "\xf5\x80\x80\x80",  // past the last lead byte
        "\xe2\x82",          // cut short
        "\xe2\x28\xa1",      // a second byte that does not continue
        "\xe0\x80\xaf",      // overlong, three bytes
        "\xf0\x80\x80\xaf",  // overlong, four bytes
        "\xed\xa0\x80",      // a UTF-16 surrogate
        "\xf4\x90\x80\x80",  // past U+10FFFF
    };
    for (const std::string& bad : ill_formed) {
        CHECK(error_of([&] { (void)certificate_for(server, bad); }) == ErrorCode::invalid_argument);
        CHECK(error_of([&] { (void)certificate_for(server, "uuid", "+1" + bad); }) == ErrorCode::invalid_argument);
    }
}

TEST_CASE("an identity key pair whose halves do not match is refused", "[keys]") {
    const IdentityKeyPair one = IdentityKeyPair::generate();
    const IdentityKeyPair other = IdentityKeyPair::generate();
    CHECK(error_of([&] { (void)IdentityKeyPair(other.public_key(), one.private_key()); }) == ErrorCode::invalid_key);
    CHECK(IdentityKeyPair(one.public_key(), one.private_key()).public_key() == one.public_key());
}

TEST_CASE("a signal message is framed for version 3 or 4 only", "[messages]") {
    const IdentityKey alice = IdentityKeyPair::generate().public_key();
    const IdentityKey bob = IdentityKeyPair::generate().public_key();
    const PublicKey ratchet = KeyPair::generate().public_key;
    const std::array<std::uint8_t, 32> mac_key{};
    const Bytes ciphertext(16, 1);
    for (const int version : {2, 5}) {
        CHECK(error_of([&] { (void)SignalMessage::create(version, ratchet, 0, 0, ciphertext, alice, bob, mac_key); }) ==
              ErrorCode::invalid_argument);
    }
    CHECK(SignalMessage::create(3, ratchet, 0, 0, ciphertext, alice, bob, mac_key).message_version() == 3);
}
