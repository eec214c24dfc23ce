// SPQR's symmetric chain: per-epoch sending and receiving chains that yield
// the key each message's Double Ratchet keys are salted with.
//
// Epoch 0 comes from the session's SPQR auth key; each later epoch from the
// secret the KEM braid agrees for it, mixed with the previous epoch's root.
// Every epoch has one chain per direction (A2B: the session's initiator
// sends). docs/spqr.md (section 1.6) has the labels and limits.
//
// Refusals are Error(invalid_message) (libsignal reports every SPQR receive
// failure as an invalid message), except a key asked for twice, which is
// Error(duplicate_message) (a replay); all leave the chain as it was.
// Misuse by the caller is Error(invalid_argument).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include "cliquet/bytes.hpp"

namespace cliquet::protocol::spqr {

using Epoch = std::uint64_t;
using Key32 = SecretArray<32>;

enum class Direction : std::uint8_t { a2b = 0, b2a = 1 };

struct ChainParams {
    // The furthest ahead of the last received key a message may be.
    std::uint32_t max_jump = 25'000;
    // How far back skipped keys are kept for late messages.
    std::uint32_t max_ooo_keys = 2'000;
};

class Chain {
public:
    // Epoch 0, from the auth key. Error(invalid_argument) for a zero
    // parameter (the stored form writes defaults as zero; resolve first).
    Chain(const Key32& auth_key, Direction direction, ChainParams params = {});

    // Adds `epoch`, which must be current_epoch() + 1 (else
    // Error(invalid_argument)), from the braid's secret for it.
    void add_epoch(Epoch epoch, const Key32& secret);

    // The next sending key of `epoch` and its index (from 1). Moving to a
    // newer epoch drops all but one older epoch and the older epochs'
    // sending chains. Error(invalid_argument) for an epoch older than the
    // last one sent in, or one the chain does not hold.
    std::pair<std::uint32_t, Key32> send_key(Epoch epoch);

    // The peer's key `index` of `epoch`, each at most once
    // (Error(duplicate_message) the second time).
    Key32 recv_key(Epoch epoch, std::uint32_t index);

    Epoch current_epoch() const noexcept { return current_epoch_; }
    Epoch send_epoch() const noexcept { return send_epoch_; }
    Direction direction() const noexcept { return direction_; }
    const ChainParams& params() const noexcept { return params_; }
    // Epochs held, oldest first: current_epoch() - held_epochs() + 1 ..
    std::size_t held_epochs() const noexcept { return links_.size(); }
    // Skipped receiving keys held for `epoch` (for tests and limits).
    std::size_t stored_keys(Epoch epoch) const;

    // One direction of one epoch: its counter, the next chain key and the
    // skipped keys kept for late messages (receiving only), oldest first.
    struct HalfChain {
        std::uint32_t counter = 0;
        std::optional<Key32> next;  // absent once erased
        std::vector<std::pair<std::uint32_t, Key32>> skipped;
    };
    struct Link {
        HalfChain send;
        HalfChain recv;
    };
    // At most this many epochs are ever held: the one sent in, one before
    // it, and one added since by the braid.
    static constexpr std::size_t kMaxHeldEpochs = 3;

    // What storage keeps, oldest epoch first.
    const std::deque<Link>& links() const noexcept { return links_; }
    const Key32& next_root() const noexcept { return next_root_; }
    // A chain as stored. Error(storage) unless it is one this class could
    // have reached: non-zero parameters, 1..kMaxHeldEpochs links ending at
    // `current_epoch`, a send epoch among them, and per receiving chain at
    // most max_ooo_keys skipped keys, increasing, below its counter and
    // within max_ooo_keys of it; sending chains keep no skipped keys.
    static Chain restore(Direction direction, ChainParams params, Epoch current_epoch, Epoch send_epoch,
                         std::deque<Link> links, const Key32& next_root);

private:
    Chain() = default;

    Link make_link(const SecretArray<96>& okm) const;
    std::size_t link_index(Epoch epoch) const;  // Error(invalid_message) when not held
    Key32 receive(HalfChain& chain, std::uint32_t index) const;

    Direction direction_ = Direction::a2b;
    ChainParams params_;
    Epoch current_epoch_ = 0;
    Epoch send_epoch_ = 0;
    std::deque<Link> links_;  // epochs current_epoch_ - size + 1 .. current_epoch_
    Key32 next_root_;
};

}  // namespace cliquet::protocol::spqr
