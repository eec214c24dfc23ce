/// @file
/// Decrypting a backlog: the hundreds of messages from many senders that a
/// device finds queued when it comes back online, decrypted as the single
/// calls would decrypt them one by one, but committed together.
///
/// Each message still succeeds or fails alone: it runs in a nested
/// ProtocolStore::run_atomically unit of its own (a SqliteStore savepoint), so
/// a message that fails leaves no trace while the others stand. The whole
/// backlog is one outer unit: a SqliteStore commits it once, with one sync
/// under Durability::power_loss instead of one per message. decrypt_backlog
/// returns only after that commit, so every result it returns is on disk:
/// a crash at any instant loses no message whose plaintext the app has seen,
/// and the server keeps every message the app has not acknowledged.
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <span>
#include <vector>

#include "cliquet/address.hpp"
#include "cliquet/bytes.hpp"
#include "cliquet/error.hpp"
#include "cliquet/export.hpp"
#include "cliquet/keys.hpp"
#include "cliquet/messages.hpp"
#include "cliquet/random.hpp"
#include "cliquet/sealed_session_cipher.hpp"
#include "cliquet/session.hpp"
#include "cliquet/store.hpp"
#include "cliquet/time.hpp"

namespace cliquet {

/// One message as the server queued it: sealed (either version), whose
/// sender is learned by opening it, or sent with its sender named.
struct CLIQUET_EXPORT QueuedMessage {
    /// A sealed envelope, with the server's timestamp for it (the instant its
    /// sender certificate must still be valid at).
    [[nodiscard]] static QueuedMessage sealed(Bytes envelope, Timestamp server_timestamp) {
        return QueuedMessage{std::nullopt, CiphertextType::whisper, std::move(envelope), server_timestamp};
    }
    /// A pre-key or whisper message from `sender`.
    [[nodiscard]] static QueuedMessage identified(ProtocolAddress sender, CiphertextType type, Bytes message) {
        return QueuedMessage{std::move(sender), type, std::move(message), Timestamp{}};
    }

    std::optional<ProtocolAddress> sender;  ///< nullopt for a sealed message
    CiphertextType type;                    ///< for an identified message: pre_key or whisper
    Bytes bytes;                            ///< the envelope or the message
    Timestamp server_timestamp;  ///< for a sealed message
};

/// What became of one queued message.
struct CLIQUET_EXPORT BacklogOutcome {
    /// Decrypted, failed, or left queued.
    enum class Status : std::uint8_t {
        decrypted,      ///< decrypted, its state committed with the backlog
        failed,         ///< refused; it changed nothing (see `error`)
        not_attempted,  ///< at or after a failure of the store itself (the first such carries it in `error`); still queued
    };
    Status status = Status::not_attempted;  ///< what became of the message
    /// A decrypted identified message: its plaintext.
    Bytes plaintext;
    /// A decrypted sealed message: all that sealed_sender_decrypt returns,
    /// its plaintext included.
    std::optional<SealedSenderDecryptionResult> sealed;
    /// A failed message: what the single call would have thrown (an Error, a
    /// SealedSenderDecryptionError, an UntrustedIdentityError...), for
    /// std::rethrow_exception.
    std::exception_ptr error;

    /// The code of `error`; nullopt unless the message failed with an Error.
    [[nodiscard]] std::optional<ErrorCode> error_code() const noexcept;
};

/// Who is decrypting, and under which rules.
struct CLIQUET_EXPORT BacklogRecipient {
    SealedSenderRecipient local;  ///< this device: its address is {uuid, device_id}
    PublicKey trust_root;         ///< what sealed messages' certificates must chain to
    SessionOptions options = {};  ///< for sessions that pre-key messages start
};

/// Decrypts `messages` in order, each as SessionCipher::decrypt (identified)
/// or sealed_sender_decrypt (sealed) would, and returns one outcome per
/// message, in the same order, after committing them all at once.
///
/// A failure of the store itself (Error(storage)) or of memory
/// (std::bad_alloc) is not the message's fault: that message and the ones
/// after it are left not_attempted, and what came before is committed. If
/// that commit fails too, the error propagates and nothing of the backlog
/// is kept: every message is still to be fetched again.
[[nodiscard]] CLIQUET_EXPORT std::vector<BacklogOutcome> decrypt_backlog(ProtocolStore& store,
                                                                         std::span<const QueuedMessage> messages,
                                                                         const BacklogRecipient& recipient,
                                                                         RandomSource& random = system_random());

}  // namespace cliquet
