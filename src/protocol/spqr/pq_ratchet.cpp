#include "protocol/spqr/pq_ratchet.hpp"

#include <string>

#include "cliquet/error.hpp"
#include "protocol/spqr/message.hpp"

namespace cliquet::protocol::spqr {
namespace {

[[noreturn]] void refuse(const std::string& what) { throw Error(ErrorCode::invalid_message, "SPQR: " + what); }

Chain chain_from(const PqRatchet::Negotiation& negotiation) {
    return Chain(negotiation.auth_key, negotiation.direction, negotiation.params);
}

}  // namespace

PqRatchet PqRatchet::initial(const SecretArray<32>& auth_key, Direction direction, Version min_version,
                             ChainParams params) {
    if (params.max_jump == 0 || params.max_ooo_keys == 0) {
        throw Error(ErrorCode::invalid_argument, "SPQR: chain parameters must be non-zero");
    }
    return PqRatchet(Negotiation{auth_key, direction, min_version, params}, std::nullopt,
                     Braid::initial(auth_key, direction));
}

PqRatchet::Sent PqRatchet::send(RandomSource& random) {
    if (!braid_) return Sent{};
    Braid::Sent sent = braid_->send(random);

    // The chain exists once the peer has spoken, or from the start when
    // version 1 is required; before that a message carries no key.
    std::optional<Chain> chain = chain_;
    if (!chain && negotiation_ && negotiation_->min_version > Version::v0) chain = chain_from(*negotiation_);
    if (!chain && !negotiation_) throw Error(ErrorCode::storage, "SPQR: no chain and no negotiation");

    std::optional<Key32> key;
    Message message = sent.message;
    if (chain) {
        if (sent.secret) chain->add_epoch(sent.secret->epoch, sent.secret->secret);
        auto [index, message_key] = chain->send_key(message.epoch - 1);
        message.index = index;
        key = std::move(message_key);
    } else if (sent.secret) {
        throw Error(ErrorCode::storage, "SPQR: an epoch secret without a chain");
    }
    Bytes bytes = encode_message(message);

    // Commit.
    braid_ = std::move(sent.next);
    chain_ = std::move(chain);
    return Sent{std::move(bytes), std::move(key)};
}

PqRatchet::Received PqRatchet::recv(ByteView bytes) const {
    const std::uint8_t theirs = message_version(bytes);
    // A version above any we know: the peer will have to come down to ours.
    if (theirs > static_cast<std::uint8_t>(Version::v1)) return Received{std::nullopt, *this};
    if (theirs < static_cast<std::uint8_t>(version())) {
        // Only version 0 is below ours (1). Coming down is allowed once, while
        // negotiating, and not below our minimum. Version 0 has no state.
        if (!negotiation_) refuse("the peer went back to version " + std::to_string(theirs));
        if (theirs < static_cast<std::uint8_t>(negotiation_->min_version)) {
            refuse("the peer speaks version " + std::to_string(theirs) + ", below the minimum");
        }
        return Received{std::nullopt, PqRatchet()};
    }
    // Our version 0 takes any message as version 0.
    if (!braid_) return Received{std::nullopt, PqRatchet()};

    const Message message = decode_message(bytes);
    Braid::Received received = braid_->recv(message);

    std::optional<Chain> chain = chain_;
    if (!chain) {
        if (!negotiation_) throw Error(ErrorCode::storage, "SPQR: no chain and no negotiation");
        chain = chain_from(*negotiation_);
    }
    if (received.secret) chain->add_epoch(received.secret->epoch, received.secret->secret);
    std::optional<Key32> key;
    const Epoch key_epoch = message.epoch - 1;
    if (key_epoch != 0 || message.index != 0) key = chain->recv_key(key_epoch, message.index);

    // Receiving ends negotiation.
    return Received{std::move(key), PqRatchet(std::nullopt, std::move(chain), std::move(received.next))};
}

}  // namespace cliquet::protocol::spqr
