/// @file
/// Errors that carry what an application acts on, beside their ErrorCode.
///
/// Each derives from cliquet::Error, so code that only looks at code()
/// keeps working; catch the derived type for the detail. The others with
/// detail are UntrustedIdentityError (store.hpp: the address and the key it
/// presented) and SealedSenderDecryptionError (sealed_session_cipher.hpp:
/// the sender, once the envelope has opened, and the inner failure).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cliquet/error.hpp"
#include "cliquet/keys.hpp"

namespace cliquet {

/// Error(duplicate_message) naming the message whose key was already used:
/// its chain and its counter on that chain. A session's chain is named by
/// the sender's ratchet key, a sender-key (group) chain by its chain id.
class CLIQUET_EXPORT DuplicateMessageError : public Error {
public:
    /// Message `counter` of the session chain under the sender's `ratchet_key`.
    DuplicateMessageError(const PublicKey& ratchet_key, std::uint32_t counter)
        : Error(ErrorCode::duplicate_message, "message " + std::to_string(counter) + " was already received"),
          ratchet_key_(ratchet_key),
          counter_(counter) {}
    /// Iteration `counter` of sender-key chain `chain_id`, which had reached `chain_iteration`.
    DuplicateMessageError(std::uint32_t chain_id, std::uint32_t counter, std::uint32_t chain_iteration)
        : Error(ErrorCode::duplicate_message, "sender key iteration " + std::to_string(counter) +
                                                  " was already used (chain is at " + std::to_string(chain_iteration) +
                                                  ")"),
          sender_key_chain_id_(chain_id),
          counter_(counter) {}

    /// The session chain: the sender's ratchet key (absent for a group message).
    [[nodiscard]] const std::optional<PublicKey>& ratchet_key() const noexcept { return ratchet_key_; }
    /// The sender-key chain id (absent for a session message).
    [[nodiscard]] const std::optional<std::uint32_t>& sender_key_chain_id() const noexcept { return sender_key_chain_id_; }
    /// The message's counter (a session message) or iteration (a group message).
    [[nodiscard]] std::uint32_t counter() const noexcept { return counter_; }

private:
    std::optional<PublicKey> ratchet_key_;
    std::optional<std::uint32_t> sender_key_chain_id_;
    std::uint32_t counter_;
};

}  // namespace cliquet
