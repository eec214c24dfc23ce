#include "protocol/spqr/chain.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "cliquet/error.hpp"
#include "crypto/hash.hpp"
#include "protocol/spqr/kdf.hpp"

namespace cliquet::protocol::spqr {
namespace {

constexpr std::string_view kStartInfo = "Signal PQ Ratchet V1 Chain  Start";  // two spaces, as SPQR has it
constexpr std::string_view kAddEpochInfo = "Signal PQ Ratchet V1 Chain Add Epoch";
constexpr std::string_view kNextInfo = "Signal PQ Ratchet V1 Chain Next";
// One epoch before the sending epoch stays, for late messages.
constexpr std::size_t kEpochsKeptBeforeSend = 1;

Key32 slice32(const SecretArray<96>& okm, std::size_t offset) {
    Key32 out;
    std::copy_n(okm.data() + offset, 32, out.data());
    return out;
}

// One step: counter + 1, and from the chain key the next chain key and the
// message key of the new counter.
Key32 step(Key32& chain_key, std::uint32_t& counter) {
    const std::uint32_t next_counter = counter + 1;
    std::array<std::uint8_t, 4 + kNextInfo.size()> info{};
    info[0] = static_cast<std::uint8_t>(next_counter >> 24);
    info[1] = static_cast<std::uint8_t>(next_counter >> 16);
    info[2] = static_cast<std::uint8_t>(next_counter >> 8);
    info[3] = static_cast<std::uint8_t>(next_counter);
    std::copy(kNextInfo.begin(), kNextInfo.end(), info.begin() + 4);
    SecretArray<64> okm;
    crypto::hkdf_sha256(okm.span(), chain_key.span(), kZeroSalt, info);
    Key32 message_key;
    std::copy_n(okm.data(), 32, chain_key.data());
    std::copy_n(okm.data() + 32, 32, message_key.data());
    counter = next_counter;
    return message_key;
}

[[noreturn]] void refuse(const std::string& what) { throw Error(ErrorCode::invalid_message, "SPQR chain: " + what); }
// libsignal's KeyAlreadyRequested: a replayed message.
[[noreturn]] void refuse_repeat(std::uint32_t index) {
    throw Error(ErrorCode::duplicate_message, "SPQR chain: key " + std::to_string(index) + " was already used");
}

}  // namespace

Chain::Chain(const Key32& auth_key, Direction direction, ChainParams params)
    : direction_(direction), params_(params) {
    if (params.max_jump == 0 || params.max_ooo_keys == 0) {
        throw Error(ErrorCode::invalid_argument, "SPQR chain: parameters must be non-zero");
    }
    SecretArray<96> okm;
    crypto::hkdf_sha256(okm.span(), auth_key.span(), kZeroSalt, as_bytes(kStartInfo));
    next_root_ = slice32(okm, 0);
    links_.push_back(make_link(okm));
}

Chain::Link Chain::make_link(const SecretArray<96>& okm) const {
    // Bytes 32..64 are the A2B chain, 64..96 the B2A chain.
    const std::size_t own = direction_ == Direction::a2b ? 32 : 64;
    const std::size_t peer = direction_ == Direction::a2b ? 64 : 32;
    Link link;
    link.send.next = slice32(okm, own);
    link.recv.next = slice32(okm, peer);
    return link;
}

void Chain::add_epoch(Epoch epoch, const Key32& secret) {
    if (current_epoch_ == UINT64_MAX || epoch != current_epoch_ + 1) {
        throw Error(ErrorCode::invalid_argument, "SPQR chain: epoch " + std::to_string(epoch) + " does not follow " +
                                                     std::to_string(current_epoch_));
    }
    SecretArray<96> okm;
    crypto::hkdf_sha256(okm.span(), secret.span(), next_root_.span(), as_bytes(kAddEpochInfo));
    Link link = make_link(okm);
    links_.push_back(std::move(link));
    next_root_ = slice32(okm, 0);
    current_epoch_ = epoch;
}

std::size_t Chain::link_index(Epoch epoch) const {
    if (epoch > current_epoch_ || current_epoch_ - epoch >= links_.size()) {
        refuse("epoch " + std::to_string(epoch) + " is not held");
    }
    return links_.size() - 1 - static_cast<std::size_t>(current_epoch_ - epoch);
}

std::pair<std::uint32_t, Key32> Chain::send_key(Epoch epoch) {
    if (epoch < send_epoch_) {
        throw Error(ErrorCode::invalid_argument, "SPQR chain: sending epoch went back from " +
                                                     std::to_string(send_epoch_) + " to " + std::to_string(epoch));
    }
    if (epoch > current_epoch_ || current_epoch_ - epoch >= links_.size()) {
        throw Error(ErrorCode::invalid_argument, "SPQR chain: no epoch " + std::to_string(epoch) + " to send in");
    }
    std::size_t index = link_index(epoch);
    HalfChain& chain = links_[index].send;
    if (!chain.next.has_value() || chain.counter == UINT32_MAX) {
        throw Error(ErrorCode::invalid_argument, "SPQR chain: sending chain of epoch " + std::to_string(epoch) +
                                                     " is used up");
    }
    if (epoch != send_epoch_) {
        send_epoch_ = epoch;
        while (index > kEpochsKeptBeforeSend) {
            links_.pop_front();
            --index;
        }
        for (std::size_t i = 0; i < index; ++i) links_[i].send.next.reset();
    }
    HalfChain& current = links_[index].send;
    Key32 key = step(*current.next, current.counter);
    return {current.counter, std::move(key)};
}

Key32 Chain::receive(HalfChain& chain, std::uint32_t index) const {
    const std::uint64_t counter = chain.counter;
    const std::uint64_t at = index;
    const std::uint64_t keep = params_.max_ooo_keys;
    if (at < counter) {
        if (at + keep < counter) refuse("key " + std::to_string(index) + " is too old");
        const auto found = std::find_if(chain.skipped.begin(), chain.skipped.end(),
                                        [&](const auto& entry) { return entry.first == index; });
        if (found == chain.skipped.end()) refuse_repeat(index);
        Key32 key = found->second;
        chain.skipped.erase(found);
        return key;
    }
    if (at == counter) refuse_repeat(index);
    if (at - counter > params_.max_jump) refuse("key " + std::to_string(index) + " is too far ahead");
    if (!chain.next.has_value()) refuse("receiving chain is erased");

    // Step to `index`, keeping the skipped keys a late message could still
    // ask for, and only those.
    if (at > counter + keep) chain.skipped.clear();
    while (chain.counter + 1 < index) {
        Key32 skipped = step(*chain.next, chain.counter);
        if (chain.counter + keep >= at) chain.skipped.emplace_back(chain.counter, std::move(skipped));
    }
    std::erase_if(chain.skipped, [&](const auto& entry) { return entry.first + keep < at; });
    return step(*chain.next, chain.counter);
}

Key32 Chain::recv_key(Epoch epoch, std::uint32_t index) {
    return receive(links_[link_index(epoch)].recv, index);
}

Chain Chain::restore(Direction direction, ChainParams params, Epoch current_epoch, Epoch send_epoch,
                     std::deque<Link> links, const Key32& next_root) {
    auto bad = [](const std::string& what) { throw Error(ErrorCode::storage, "SPQR chain record: " + what); };
    if (params.max_jump == 0 || params.max_ooo_keys == 0) bad("zero parameter");
    if (links.empty() || links.size() > kMaxHeldEpochs) bad("wrong number of epochs");
    if (current_epoch < links.size() - 1) bad("more epochs than exist");
    const Epoch oldest = current_epoch - (links.size() - 1);
    if (send_epoch > current_epoch || send_epoch < oldest) {
        bad("send epoch not held");
    }
    for (const Link& link : links) {
        if (!link.send.skipped.empty()) bad("skipped keys in a sending chain");
        if (!link.recv.next) bad("erased receiving chain");
        const HalfChain& recv = link.recv;
        if (recv.skipped.size() > params.max_ooo_keys) bad("too many skipped keys");
        std::uint64_t previous = 0;
        for (const auto& entry : recv.skipped) {
            const std::uint64_t index = entry.first;
            if (index <= previous || index >= recv.counter || index + params.max_ooo_keys < recv.counter) {
                bad("skipped key out of order or range");
            }
            previous = index;
        }
    }
    Chain chain;
    chain.direction_ = direction;
    chain.params_ = params;
    chain.current_epoch_ = current_epoch;
    chain.send_epoch_ = send_epoch;
    chain.links_ = std::move(links);
    chain.next_root_ = next_root;
    return chain;
}

std::size_t Chain::stored_keys(Epoch epoch) const { return links_[link_index(epoch)].recv.skipped.size(); }

}  // namespace cliquet::protocol::spqr
