// SPQR at the top: what a session calls once per message sent and once per
// message received. It joins the KEM braid (fresh epoch secrets) to the
// symmetric chain (one key per message) and negotiates the version with the
// peer, as libsignal's spqr::send / spqr::recv do (docs/spqr.md, 1.8).
//
// A PqRatchet is a value. send() changes it only when it returns; recv()
// never changes it and returns the state to adopt once the message's MAC
// has verified, so a message that fails leaves the session as it was.
#pragma once

#include <cstdint>
#include <optional>

#include "cliquet/bytes.hpp"
#include "cliquet/random.hpp"
#include "protocol/spqr/braid.hpp"
#include "protocol/spqr/chain.hpp"

namespace cliquet::protocol::spqr {

enum class Version : std::uint8_t { v0 = 0, v1 = 1 };

class PqRatchet {
public:
    // Version 0: no SPQR (X3DH sessions, or a session negotiated down). send() gives an empty message and no key;
    // recv() of an empty message gives no key.
    PqRatchet() = default;
    // A version-4 session's SPQR state at creation, from the PQXDH auth key (bytes 64..96 of the PQXDH
    // derivation). The initiator (Alice) is Direction::a2b, the responder b2a. min_version v1 is libsignal 0.103's
    // choice (a peer that sends no pq_ratchet is refused); v0 is 0.90's (negotiates down when the peer sends none).
    static PqRatchet initial(const SecretArray<32>& auth_key, Direction direction, Version min_version,
                             ChainParams params = {});

    struct Sent {
        Bytes message;
        std::optional<SecretArray<32>> key;
    };
    // The pq_ratchet bytes for the next outgoing message and the key its Double Ratchet keys are salted with.
    // Strong guarantee: unchanged if it throws.
    Sent send(RandomSource& random);

    struct Received;
    // What a received pq_ratchet field (maybe empty) yields, without changing *this: the caller adopts `next`
    // only once the message's MAC verifies. Error(invalid_message) for a refusal (libsignal's InvalidMessage),
    // Error(duplicate_message) for a key already used.
    Received recv(ByteView message) const;

    Version version() const noexcept { return braid_ ? Version::v1 : Version::v0; }
    // Storage: empty for version 0 (libsignal's convention); otherwise cliquet's own versioned encoding
    // (proto/spqr.proto, with a format version so later changes are detectable). parse: Error(storage) for
    // anything it does not understand, with every size bounded before allocation.
    SecretBytes serialize() const;
    static PqRatchet parse(ByteView stored);

    // What negotiation still allows, until the peer's first message arrives.
    struct Negotiation {
        Key32 auth_key;
        Direction direction;
        Version min_version;
        ChainParams params;
    };
    const std::optional<Negotiation>& negotiation() const noexcept { return negotiation_; }
    const std::optional<Chain>& chain() const noexcept { return chain_; }
    const std::optional<Braid>& braid() const noexcept { return braid_; }

private:
    PqRatchet(std::optional<Negotiation> negotiation, std::optional<Chain> chain, std::optional<Braid> braid)
        : negotiation_(std::move(negotiation)), chain_(std::move(chain)), braid_(std::move(braid)) {}

    std::optional<Negotiation> negotiation_;  // absent once the peer has spoken
    std::optional<Chain> chain_;              // absent until first needed (sending needs min_version v1)
    std::optional<Braid> braid_;              // present for version 1
};

struct PqRatchet::Received {
    std::optional<SecretArray<32>> key;
    PqRatchet next;
};

}  // namespace cliquet::protocol::spqr
