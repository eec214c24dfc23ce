/// @file
/// Sealed-sender certificates, as libsignal makes and checks them.
///
/// The service holds a trust root key pair whose public half every client
/// ships with. The trust root signs a ServerCertificate for a server key; the
/// server key signs short-lived SenderCertificates, each binding an account
/// (UUID, optionally a phone number) and device to an identity key. A
/// recipient of a sealed message learns who sent it only from this chain.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "cliquet/bytes.hpp"
#include "cliquet/export.hpp"
#include "cliquet/keys.hpp"
#include "cliquet/random.hpp"
#include "cliquet/time.hpp"

namespace cliquet {

/// Server key ids libsignal refuses whatever their signature (0xDEADC357 is
/// its revocation test id).
[[nodiscard]] CLIQUET_EXPORT bool is_revoked_server_key_id(std::uint32_t key_id) noexcept;

/// A server key and its id, signed by the trust root.
class CLIQUET_EXPORT ServerCertificate {
public:
    /// Signs `server_key` under `key_id` with the trust root's private key.
    [[nodiscard]] static ServerCertificate create(std::uint32_t key_id, const PublicKey& server_key,
                                                  const PrivateKey& trust_root, RandomSource& random = system_random());
    /// Malformed bytes are Error(invalid_certificate).
    [[nodiscard]] static ServerCertificate deserialize(ByteView bytes);

    [[nodiscard]] std::uint32_t key_id() const noexcept { return key_id_; }  ///< The server key's id.
    const PublicKey& key() const noexcept { return key_; }      ///< The server key.
    const Bytes& serialize() const noexcept { return serialized_; }  ///< libsignal's ServerCertificate protobuf.
    const Bytes& certificate() const noexcept { return certificate_; }  ///< the signed bytes
    const Bytes& signature() const noexcept { return signature_; }  ///< The trust root's XEdDSA signature.

    /// Signed by `trust_root` and not revoked.
    [[nodiscard]] bool is_valid(const PublicKey& trust_root) const;

private:
    ServerCertificate(Bytes serialized, Bytes certificate, Bytes signature, std::uint32_t key_id, PublicKey key)
        : serialized_(std::move(serialized)), certificate_(std::move(certificate)), signature_(std::move(signature)),
          key_id_(key_id), key_(key) {}

    Bytes serialized_;
    Bytes certificate_;
    Bytes signature_;
    std::uint32_t key_id_;
    PublicKey key_;
};

/// Device ids are 1 to 127, as libsignal's DeviceId.
inline constexpr std::uint32_t kMaxDeviceId = 127;

/// A sender's account, device and identity key, signed by a server key, with
/// an expiration: what a sealed message carries to name its sender.
class CLIQUET_EXPORT SenderCertificate {
public:
    /// Whom a certificate names.
    struct Sender {
        std::string uuid;                 ///< the sender's ACI, as a string
        std::optional<std::string> e164;  ///< the sender's phone number, if disclosed
        std::uint32_t device_id = 0;      ///< 1 to 127
        PublicKey identity_key;           ///< the sender's identity key
    };

    /// Signs with the server key; a device id out of range is Error(invalid_argument).
    [[nodiscard]] static SenderCertificate create(const Sender& sender, Timestamp expiration,
                                                  const ServerCertificate& signer, const PrivateKey& signer_key,
                                                  RandomSource& random = system_random());
    /// Malformed bytes are Error(invalid_certificate). A certificate that names
    /// its signer by id (libsignal's well-known server certificates) parses even
    /// when the id is unknown; it just never validates.
    [[nodiscard]] static SenderCertificate deserialize(ByteView bytes);

    /// The sender the certificate names, whole or by part.
    ///@{
    const Sender& sender() const noexcept { return sender_; }
    const std::string& sender_uuid() const noexcept { return sender_.uuid; }
    const std::optional<std::string>& sender_e164() const noexcept { return sender_.e164; }
    [[nodiscard]] std::uint32_t sender_device_id() const noexcept { return sender_.device_id; }
    const PublicKey& identity_key() const noexcept { return sender_.identity_key; }
    ///@}
    [[nodiscard]] Timestamp expiration() const noexcept { return expiration_; }  ///< Not valid after this instant.
    const Bytes& serialize() const noexcept { return serialized_; }  ///< libsignal's SenderCertificate protobuf.
    const Bytes& certificate() const noexcept { return certificate_; }  ///< the signed bytes
    const Bytes& signature() const noexcept { return signature_; }  ///< The server key's XEdDSA signature.

    /// The server certificate that signed this one: embedded, or one of the
    /// well-known certificates named by id (Error(invalid_certificate) if unknown).
    const ServerCertificate& signer() const;

    /// Throws Error(invalid_certificate) saying why unless the signer is signed
    /// by one of `trust_roots` (all are tried, so timing does not tell which),
    /// is not revoked, signed this certificate, and `now` is not after the
    /// expiration.
    void validate(std::span<const PublicKey> trust_roots, Timestamp now) const;
    /// validate() against a single trust root.
    void validate(const PublicKey& trust_root, Timestamp now) const { validate({&trust_root, 1}, now); }
    /// validate() as a yes or no, for callers that do not need the reason
    /// (std::bad_alloc still propagates).
    [[nodiscard]] bool is_valid(const PublicKey& trust_root, Timestamp now) const;

private:
    SenderCertificate(Sender sender, Timestamp expiration, std::optional<ServerCertificate> embedded_signer,
                      std::uint32_t signer_id, Bytes serialized, Bytes certificate, Bytes signature)
        : sender_(std::move(sender)), expiration_(expiration), embedded_signer_(std::move(embedded_signer)),
          signer_id_(signer_id), serialized_(std::move(serialized)), certificate_(std::move(certificate)),
          signature_(std::move(signature)) {}

    Sender sender_;
    Timestamp expiration_;
    std::optional<ServerCertificate> embedded_signer_;
    std::uint32_t signer_id_;  ///< when not embedded
    Bytes serialized_;
    Bytes certificate_;
    Bytes signature_;
};

}  // namespace cliquet
