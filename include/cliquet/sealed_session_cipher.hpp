/// @file
/// Sealed sender over sessions: encrypt to an address with its
/// session and seal the result; open, validate the sender certificate, and
/// decrypt the inner message with the sender's session. As libsignal's
/// sealed_sender_encrypt, sealed_sender_multi_recipient_encrypt and
/// sealed_sender_decrypt.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "cliquet/address.hpp"
#include "cliquet/bytes.hpp"
#include "cliquet/certificates.hpp"
#include "cliquet/random.hpp"
#include "cliquet/sealed_sender.hpp"
#include "cliquet/service_id.hpp"
#include "cliquet/session.hpp"
#include "cliquet/store.hpp"

namespace cliquet {

/// Encrypts `plaintext` with the session to `destination`, then seals it
/// (version 1) to the identity key the store holds for it.
/// @code{.unparsed}
///   no_session          no session, or no identity key, for the address
///   untrusted_identity  the session's identity is no longer trusted
/// @endcode
Bytes sealed_sender_encrypt(ProtocolStore& store, const ProtocolAddress& destination,
                            const SenderCertificate& sender, ByteView plaintext, RandomSource& random = system_random());

/// Seals `content` (version 2) to every device in `destinations`, which are
/// addresses named by service id. Identity keys come from the identity store,
/// registration ids from the sessions; devices of one account should be
/// listed together (they are grouped in order of first appearance).
/// @code{.unparsed}
///   no_session        no session or identity key for an address
///   invalid_argument  a name that is not a service id, a registration id
///                     over 14 bits, a device id out of range, an account
///                     both a destination and excluded
/// @endcode
Bytes sealed_sender_multi_recipient_encrypt(ProtocolStore& store, std::span<const ProtocolAddress> destinations,
                                            std::span<const ServiceId> excluded,
                                            const UnidentifiedSenderMessageContent& content,
                                            RandomSource& random = system_random());

/// What sealed_sender_decrypt learned: the validated sender and the plaintext.
struct SealedSenderDecryptionResult {
    std::string sender_uuid;                 ///< the sender's ACI, as a string
    std::optional<std::string> sender_e164;  ///< the sender's phone number, if its certificate disclosed it
    std::uint32_t sender_device_id;          ///< the sender's device
    Bytes plaintext;                         ///< the decrypted message
};

/// This device, the recipient: a message that claims to come from it is refused.
struct SealedSenderRecipient {
    std::string uuid;                 ///< this account's ACI, as a string
    std::optional<std::string> e164;  ///< this account's phone number, if known
    std::uint32_t device_id;          ///< this device's id
};

/// Opens a sealed message (either version), validates its certificate against
/// `trust_root` at `now`, and decrypts the pre-key or whisper message inside
/// with the sender's session. A message that fails anywhere changes nothing.
/// @code{.unparsed}
///   invalid_message      a bad envelope, a message from this very device, or
///                        content that is not a pre-key or whisper message
///   invalid_certificate  the certificate is malformed, expired, revoked or
///                        not from `trust_root`
/// @endcode
///   and whatever SessionCipher::decrypt refuses.
/// `options` apply to a session that a sealed pre-key message starts, as
/// SessionCipher's do.
SealedSenderDecryptionResult sealed_sender_decrypt(ProtocolStore& store, ByteView ciphertext,
                                                   const PublicKey& trust_root, TimestampMs now,
                                                   const SealedSenderRecipient& local, RandomSource& random = system_random(),
                                                   const SessionOptions& options = {});

}  // namespace cliquet
