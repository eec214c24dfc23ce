#include "protocol/handshake/handshake.hpp"

#include <limits>

#include "cliquet/error.hpp"

namespace cliquet::protocol {
namespace {

// The secret input grows by 32 bytes per part; at most 32 × 6.
class SecretInput {
public:
    SecretInput() { append_fill(0xff); }
    void append(const SecretArray<32>& part) {
        std::copy_n(part.data(), 32, bytes_.data() + size_);
        size_ += 32;
    }
    ByteView view() const noexcept { return bytes_.span().first(size_); }

private:
    void append_fill(std::uint8_t value) {
        std::fill_n(bytes_.data() + size_, 32, value);
        size_ += 32;
    }
    SecretArray<32 * 6> bytes_;
    std::size_t size_ = 0;
};

// A PQXDH session's SPQR state; libsignal's chain parameters, with no limit
// on jumps ahead in a session with oneself.
spqr::PqRatchet initial_pq_ratchet(const InitialKeys& initial, spqr::Direction direction, spqr::Version min_version,
                                   const IdentityKey& ours, const IdentityKey& theirs) {
    spqr::ChainParams params{.max_jump = kMaxForwardJumps, .max_ooo_keys = static_cast<std::uint32_t>(kMaxMessageKeys)};
    if (ours == theirs) params.max_jump = std::numeric_limits<std::uint32_t>::max();
    return spqr::PqRatchet::initial(*initial.pq_auth_key, direction, min_version, params);
}

}  // namespace

SessionState initialize_alice(const AliceHandshake& h) {
    SecretInput secret;
    secret.append(h.our_identity.private_key().agree(h.their_signed_pre_key));
    secret.append(h.our_base_key.private_key.agree(h.their_identity));
    secret.append(h.our_base_key.private_key.agree(h.their_signed_pre_key));
    if (h.their_one_time_pre_key) secret.append(h.our_base_key.private_key.agree(*h.their_one_time_pre_key));
    if (h.kyber) secret.append(h.kyber->shared_secret);
    const bool pqxdh = h.kyber != nullptr;
    const InitialKeys initial = derive_initial_keys(secret.view(), pqxdh);

    // The signed pre-key doubles as Bob's first ratchet key.
    auto [root_key, sending_chain] =
        initial.root_key.create_chain(h.their_signed_pre_key, h.our_first_ratchet_key.private_key);
    SessionState state(pqxdh ? kPqxdhVersion : kX3dhVersion, h.our_identity.public_key(), h.their_identity, root_key,
                       h.our_base_key.public_key.serialize());
    state.add_receiver_chain(h.their_signed_pre_key, initial.chain_key);
    state.set_sender_chain(h.our_first_ratchet_key, sending_chain);
    if (pqxdh)
        state.set_pq_ratchet(initial_pq_ratchet(initial, spqr::Direction::a2b, h.pq_min_version,
                                                h.our_identity.public_key(), h.their_identity));
    return state;
}

SessionState initialize_bob(const BobHandshake& h) {
    SecretInput secret;
    secret.append(h.our_signed_pre_key.private_key.agree(h.their_identity));
    secret.append(h.our_identity.private_key().agree(h.their_base_key));
    secret.append(h.our_signed_pre_key.private_key.agree(h.their_base_key));
    if (h.our_one_time_pre_key) secret.append(h.our_one_time_pre_key->private_key.agree(h.their_base_key));
    const bool pqxdh = h.our_kyber_pre_key != nullptr;
    if (pqxdh) secret.append(h.our_kyber_pre_key->decapsulate(h.kyber_ciphertext));
    const InitialKeys initial = derive_initial_keys(secret.view(), pqxdh);

    SessionState state(pqxdh ? kPqxdhVersion : kX3dhVersion, h.our_identity.public_key(), h.their_identity,
                       initial.root_key, h.their_base_key.serialize());
    state.set_sender_chain(h.our_signed_pre_key, initial.chain_key);
    if (pqxdh)
        state.set_pq_ratchet(initial_pq_ratchet(initial, spqr::Direction::b2a, h.pq_min_version,
                                                h.our_identity.public_key(), h.their_identity));
    return state;
}

}  // namespace cliquet::protocol
