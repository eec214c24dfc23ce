// The responder's half of a handshake, shared by SessionCipher.
#pragma once

#include <optional>

#include "cliquet/messages.hpp"
#include "cliquet/session.hpp"
#include "cliquet/session_record.hpp"
#include "cliquet/store.hpp"
#include "protocol/spqr/pq_ratchet.hpp"

namespace cliquet::protocol {

// The pre-keys a new session used, to consume once its message decrypted.
struct PreKeysUsed {
    std::optional<PreKeyId> pre_key_id;
    std::optional<KyberPreKeyId> kyber_pre_key_id;
    SignedPreKeyId signed_pre_key_id;
};

// Makes the state a pre-key message belongs to current in `record`: an
// existing one with the same base key (a repeat of a handshake already run),
// or a new responder state. Only `record` changes; the caller consumes the
// returned pre-keys once the message has decrypted.
//   invalid_pre_key  a signed, one-time or Kyber pre-key we do not hold
PreKeysUsed process_pre_key_message(ProtocolStore& store, SessionRecord& record, const PreKeySignalMessage& message,
                                   const SessionOptions& options);

// The lowest SPQR version a new session accepts from its peer under `policy`.
spqr::Version pq_min_version(PqRatchetPolicy policy) noexcept;

}  // namespace cliquet::protocol
