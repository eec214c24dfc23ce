// Decrypting a backlog in one unit (see cliquet/backlog.hpp).
#include "cliquet/backlog.hpp"

#include <new>

namespace cliquet {
namespace {

// Whether a failure belongs to the store or the process rather than to the
// message: such a failure would strike any message, so the backlog stops.
bool is_failure_of_the_store(const std::exception_ptr& error) noexcept {
    try {
        std::rethrow_exception(error);
    } catch (const Error& e) {
        return e.code() == ErrorCode::storage;
    } catch (...) {
        return true;  // std::bad_alloc, or whatever an application's store throws
    }
}

void decrypt_one(ProtocolStore& store, const QueuedMessage& message, const BacklogRecipient& recipient,
                 const ProtocolAddress& local, RandomSource& random, BacklogOutcome& outcome) {
    if (message.sender) {
        outcome.plaintext =
            SessionCipher(store, local, *message.sender, recipient.options).decrypt(message.type, message.bytes, random);
    } else {
        outcome.sealed = sealed_sender_decrypt(store, message.bytes, recipient.trust_root, message.server_timestamp,
                                               recipient.local, random, recipient.options);
    }
}

}  // namespace

std::optional<ErrorCode> BacklogOutcome::error_code() const noexcept {
    if (!error) return std::nullopt;
    try {
        std::rethrow_exception(error);
    } catch (const Error& e) {
        return e.code();
    } catch (...) {
        return std::nullopt;
    }
}

std::vector<BacklogOutcome> decrypt_backlog(ProtocolStore& store, std::span<const QueuedMessage> messages,
                                            const BacklogRecipient& recipient, RandomSource& random) {
    std::vector<BacklogOutcome> outcomes(messages.size());
    const ProtocolAddress local{recipient.local.uuid, recipient.local.device_id};
    store.run_atomically([&] {
        for (std::size_t i = 0; i < messages.size(); ++i) {
            BacklogOutcome& outcome = outcomes[i];
            try {
                // A unit of its own: whatever a failing message wrote is undone
                // (a SqliteStore rolls back to its savepoint) and the rest stands.
                store.run_atomically([&] { decrypt_one(store, messages[i], recipient, local, random, outcome); });
                outcome.status = BacklogOutcome::Status::decrypted;
            } catch (...) {
                outcome = BacklogOutcome{};
                outcome.error = std::current_exception();
                if (is_failure_of_the_store(outcome.error)) return;  // it and the rest: not_attempted
                outcome.status = BacklogOutcome::Status::failed;
            }
        }
    });
    return outcomes;
}

}  // namespace cliquet
