// The triple ratchet: the Double Ratchet and SPQR composed over one typed
// SessionState, as pure functions. They know no store, no address and no
// trust: the session layer (session/session.cpp) loads a state, runs these on
// it, judges the identity and stores what they return.
//
// Neither touches the state it is given. Each builds the next state aside
// and returns it; the caller commits it with a move that cannot throw, so a
// message that fails, anywhere, leaves the state as it was by construction.
#pragma once

#include <cstdint>
#include <optional>
#include <type_traits>

#include "cliquet/bytes.hpp"
#include "cliquet/function_ref.hpp"
#include "cliquet/messages.hpp"
#include "cliquet/random.hpp"
#include "protocol/ratchet/session_state.hpp"

namespace cliquet::protocol::ratchet {

static_assert(std::is_nothrow_move_constructible_v<SessionState> && std::is_nothrow_move_assignable_v<SessionState>,
              "committing a next state must not throw");

struct Encrypted {
    CiphertextMessage message;  // a pre-key message until the peer answers, then a whisper message
    SessionState next;
};

// Encrypts with the state's sending chain; SPQR's key, once it has one,
// salts the message keys. `binding` is the `addresses` field the message
// carries while the state still waits for the peer's answer.
// Error(no_session) when the state has no sending chain.
Encrypted encrypt(const SessionState& state, ByteView plaintext, const std::optional<MessageAddresses>& binding,
                  RandomSource& random);

// What the session layer knows of the conversation that decrypting needs.
struct ReceiveContext {
    // Whether both ends are devices of one account: for a state whose two
    // identity keys are also one, libsignal lifts the forward-jump limit (a
    // linked device long offline may be far behind). Asked only then.
    FunctionRef<bool()> same_account;
    // The `addresses` field a bound message must carry (sender first), or
    // nullopt when this conversation's cannot be written.
    std::optional<MessageAddresses> binding;
};

struct Decrypted {
    Bytes plaintext;
    SessionState next;
};

// Decrypts a message with one state. Error(invalid_message) for a message
// the state cannot open; DuplicateMessageError for a message key already
// used, checked before SPQR so that a replay is reported as one.
Decrypted decrypt(const SessionState& state, const SignalMessage& message, const ReceiveContext& context,
                  RandomSource& random);

}  // namespace cliquet::protocol::ratchet
