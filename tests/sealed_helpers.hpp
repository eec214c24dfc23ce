// Fixtures for the sealed-sender tests over sessions: a server that issues
// certificates, and devices named by ACI.
#pragma once

#include <string>

#include "cliquet/cliquet.hpp"
#include "session_helpers.hpp"

namespace cliquet::testing {

inline constexpr Timestamp kSealedNow = timestamp_from_unix_ms(1'700'000'000'000);

struct CertificateServer {
    KeyPair trust_root = KeyPair::generate();
    KeyPair key = KeyPair::generate();
    ServerCertificate certificate = ServerCertificate::create(9, key.public_key, trust_root.private_key);

    SenderCertificate issue(const Device& device, Timestamp expiration = kSealedNow + std::chrono::seconds{1}) const {
        return SenderCertificate::create({device.address.name, std::nullopt, device.address.device_id,
                                          device.identity().public_key()},
                                         expiration, certificate, key.private_key);
    }
};

inline SealedSenderRecipient sealed_recipient(const Device& device) {
    return SealedSenderRecipient{device.address.name, std::nullopt, device.address.device_id};
}

inline std::string text_of(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

// Alice has a session with Bob (from his bundle) and his identity key.
struct SealedPair {
    CertificateServer server;
    Device alice{"9d0652a3-dcc3-4d11-975f-74d61598733f", 1111};
    Device bob{"e1ee5ab1-6c1f-4e5e-8a36-2a4c0e4d1f0b", 2222};
    SealedPair() { process_pre_key_bundle(*alice.store, bob.address, bob.bundle(1, 2, 3)); }
};

}  // namespace cliquet::testing
