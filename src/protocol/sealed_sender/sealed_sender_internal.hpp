// Pieces shared by the sealed-sender implementation files.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "cliquet/bytes.hpp"
#include "cliquet/certificates.hpp"
#include "cliquet/error.hpp"
#include "cliquet/keys.hpp"
#include "cliquet/sealed_sender.hpp"

namespace cliquet::protocol {

// libsignal's well-known server certificates with the trust roots that
// signed them, for tests that hold the table to its roots.
std::vector<std::pair<PublicKey, ServerCertificate>> well_known_server_certificates();

// seal_v1 of content already serialized (test vectors seal malformed ones).
Bytes seal_v1_bytes(ByteView content, const IdentityKeyPair& sender, const IdentityKey& recipient,
                    RandomSource& random);

// The sender's agreement with a recipient's identity key (cached by
// MultiRecipientSealer).
using StaticAgreementSource = std::function<SecretArray<32>(const IdentityKey& recipient)>;

// MultiRecipientSealer::seal of content already serialized.
Bytes seal_v2_bytes(ByteView content, const IdentityKeyPair& sender, std::span<const SealedRecipient> recipients,
                    std::span<const ServiceId> excluded, RandomSource& random,
                    const StaticAgreementSource& static_agreement);

// Open one version's envelope; `envelope` still starts with its version byte.
UnidentifiedSenderMessageContent open_v1(ByteView envelope, const IdentityKeyPair& recipient);
UnidentifiedSenderMessageContent open_v2(ByteView received, const IdentityKeyPair& recipient);

[[noreturn]] inline void refuse_message(const std::string& why) { throw Error(ErrorCode::invalid_message, why); }

// Sealed envelopes and sent messages larger than this are refused unread.
inline constexpr std::size_t kMaxSealedMessageSize = 64u << 20;

}  // namespace cliquet::protocol
