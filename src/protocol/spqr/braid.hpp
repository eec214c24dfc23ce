// SPQR's KEM braid: the state machine by which the two parties agree a
// fresh ML-KEM-768 secret per epoch, one 32-byte chunk per message.
//
// In each epoch one party sends an encapsulation key (the "ek sender": the
// session's initiator in epoch 1) and the other answers with a ciphertext
// (the "ct sender"); the roles swap every epoch. The key travels as its
// header (rho || H(ek), with a MAC) and then its vector; the ciphertext as
// ct1 (computable from the header alone, so the ct sender knows the epoch
// secret early) and then ct2 with a MAC over both. docs/spqr.md (section
// 1.5) has the eleven states and which payload each sends.
//
// Every state is a value: send() and recv() compute the next braid and
// leave this one as it was, so a refusal (a MAC that fails, a vector that
// does not match its header, an epoch ahead of ours) changes nothing.
// Refusals are Error(invalid_message). Randomness comes only from the
// RandomSource: 64 bytes (d || z) when the key pair is generated, 32 (m)
// at the first encapsulation step, so a transcript replays from a seed.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "cliquet/bytes.hpp"
#include "cliquet/random.hpp"
#include "crypto/kem/kem.hpp"
#include "protocol/spqr/authenticator.hpp"
#include "protocol/spqr/chain.hpp"
#include "protocol/spqr/erasure.hpp"
#include "protocol/spqr/message.hpp"

namespace cliquet::protocol::spqr {

namespace mlkem = crypto::kem::mlkem768;

inline constexpr std::size_t kMacSize = 32;
inline constexpr std::size_t kHeaderWithMacSize = mlkem::kHeaderSize + kMacSize;           // 96
inline constexpr std::size_t kCiphertext2WithMacSize = mlkem::kCiphertext2Size + kMacSize;  // 160
inline constexpr std::size_t kKeySeedSize = crypto::kem::kSeedSize;                       // d || z

struct EpochSecret {
    Epoch epoch;
    Key32 secret;
};

namespace braid {

using Header = std::array<std::uint8_t, mlkem::kHeaderSize>;

// ---- the ek sender's states -------------------------------------------------
// The decapsulation key is kept as its 64-byte seed and re-expanded when
// the ciphertext is complete.

struct KeysUnsampled {
    Epoch epoch;
    Authenticator auth;
};
struct KeysSampled {
    Epoch epoch;
    Authenticator auth;
    SecretArray<kKeySeedSize> key_seed;
    ErasureEncoder sending_header;  // header || MAC
};
struct HeaderSent {
    Epoch epoch;
    Authenticator auth;
    SecretArray<kKeySeedSize> key_seed;
    ErasureEncoder sending_key;       // the key vector
    ErasureDecoder receiving_ct1;
};
struct Ct1Received {
    Epoch epoch;
    Authenticator auth;
    SecretArray<kKeySeedSize> key_seed;
    Bytes ct1;
    ErasureEncoder sending_key;
};
struct EkSentCt1Received {
    Epoch epoch;
    Authenticator auth;
    SecretArray<kKeySeedSize> key_seed;
    Bytes ct1;
    ErasureDecoder receiving_ct2;  // ct2 || MAC
};

// ---- the ct sender's states -------------------------------------------------

struct NoHeaderReceived {
    Epoch epoch;
    Authenticator auth;
    ErasureDecoder receiving_header;
};
struct HeaderReceived {
    Epoch epoch;
    Authenticator auth;
    Header header;
    ErasureDecoder receiving_key;
};
struct Ct1Sampled {
    Epoch epoch;
    Authenticator auth;
    mlkem::EncapsulationState encapsulation;  // m and the header
    ErasureEncoder sending_ct1;               // its message is ct1
    ErasureDecoder receiving_key;
};
struct EkReceivedCt1Sampled {
    Epoch epoch;
    Authenticator auth;
    mlkem::EncapsulationState encapsulation;
    Bytes key_vector;  // checked against the header
    ErasureEncoder sending_ct1;
};
struct Ct1Acknowledged {
    Epoch epoch;
    Authenticator auth;
    mlkem::EncapsulationState encapsulation;
    Bytes ct1;
    ErasureDecoder receiving_key;
};
struct Ct2Sampled {
    Epoch epoch;
    Authenticator auth;
    ErasureEncoder sending_ct2;  // ct2 || MAC
};

using State = std::variant<KeysUnsampled, KeysSampled, HeaderSent, Ct1Received, EkSentCt1Received,
                           NoHeaderReceived, HeaderReceived, Ct1Sampled, EkReceivedCt1Sampled, Ct1Acknowledged,
                           Ct2Sampled>;

// The state's name as docs/spqr.md and the reference spell it.
std::string_view state_name(const State& state) noexcept;
Epoch state_epoch(const State& state) noexcept;

}  // namespace braid

class Braid {
public:
    // Epoch 1: the initiator (A2B) sends the first key, the responder waits
    // for its header.
    static Braid initial(const Key32& auth_key, Direction direction);
    explicit Braid(braid::State state) : state_(std::move(state)) {}

    struct Sent;
    // The next message's payload, and the state after it.
    Sent send(RandomSource& random) const;
    struct Received;
    // What a message does: the state after it. Error(invalid_message) for a
    // refusal.
    Received recv(const Message& message) const;

    Epoch epoch() const noexcept { return braid::state_epoch(state_); }
    std::string_view state_name() const noexcept { return braid::state_name(state_); }
    const braid::State& state() const noexcept { return state_; }

private:
    braid::State state_;
};

struct Braid::Sent {
    Message message;                    // index 0: the chain's key index is the caller's
    std::optional<EpochSecret> secret;  // the ct sender's, on its first ct1 chunk
    Braid next;
};

struct Braid::Received {
    std::optional<EpochSecret> secret;  // the ek sender's, once ct2 is complete and verified
    Braid next;
};

}  // namespace cliquet::protocol::spqr
