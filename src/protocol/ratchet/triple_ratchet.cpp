#include "protocol/ratchet/triple_ratchet.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "cliquet/error.hpp"
#include "cliquet/protocol_errors.hpp"
#include "crypto/aes.hpp"

namespace cliquet::protocol::ratchet {
namespace {

// The Double Ratchet's DH step, for a message under a ratchet key not seen
// before: a receiving chain for it, and a new sending chain under a fresh
// key pair of ours.
void ratchet_step(SessionState& next, const PublicKey& their_ratchet_key, RandomSource& random) {
    auto [root_key, receiving] = next.root_key().create_chain(their_ratchet_key, next.sender_ratchet_private_key());
    KeyPair our_new_ratchet_key = KeyPair::generate(random);
    auto [next_root_key, sending] = root_key.create_chain(their_ratchet_key, our_new_ratchet_key.private_key);
    const std::uint32_t sent_on_old_chain = next.sender_chain_key().index();
    next.set_root_key(next_root_key);
    next.add_receiver_chain(their_ratchet_key, receiving);
    next.set_previous_counter(sent_on_old_chain > 0 ? sent_on_old_chain - 1 : 0);
    next.set_sender_chain(our_new_ratchet_key, sending);
}

// The keys of message `counter` on `chain`, which is left as it is after
// that message: a skipped key taken out, or the chain advanced past it with
// the seeds of the messages it skips kept.
MessageKeySource take_message_keys(ReceiverChain& chain, std::uint32_t counter, std::uint32_t max_forward_jumps) {
    const std::uint32_t index = chain.chain_key.index();
    if (index > counter) {
        const auto found = std::find_if(chain.skipped.begin(), chain.skipped.end(),
                                        [&](const MessageKeySource& key) { return key.counter() == counter; });
        if (found == chain.skipped.end())
            throw DuplicateMessageError(chain.ratchet_key, counter);
        MessageKeySource source = *found;
        chain.skipped.erase(found);
        return source;
    }
    // Refused before any derivation: a hostile counter costs nothing.
    if (counter - index > max_forward_jumps)
        throw Error(ErrorCode::invalid_message,
                    "message counter jumps more than " + std::to_string(max_forward_jumps) + " ahead");
    // Only the newest kMaxMessageKeys skipped keys are kept.
    const std::uint32_t first_kept =
        counter - index > kMaxMessageKeys ? counter - static_cast<std::uint32_t>(kMaxMessageKeys) : index;
    ChainKey current = chain.chain_key;
    while (current.index() < counter) {
        if (current.index() >= first_kept)
            chain.skipped.push_back(MessageKeySource::from_seed(current.message_key_seed(), current.index()));
        current = current.next();
    }
    if (chain.skipped.size() > kMaxMessageKeys)
        chain.skipped.erase(chain.skipped.begin(),
                            chain.skipped.begin() + static_cast<std::ptrdiff_t>(chain.skipped.size() - kMaxMessageKeys));
    auto [keys, next_chain_key] = current.step();
    chain.chain_key = next_chain_key;
    return keys;
}

// What the message's SPQR field yields against the state's SPQR: its key, if
// any, and the SPQR state after it. Every SPQR refusal is an invalid
// message, as libsignal reports it: a replay was already caught as a
// duplicate by the Double Ratchet's counter check.
spqr::PqRatchet::Received receive_pq_ratchet(const SessionState& state, const SignalMessage& message) {
    try {
        return state.pq_ratchet().recv(message.pq_ratchet());
    } catch (const Error& e) {
        if (e.code() != ErrorCode::duplicate_message) throw;
        throw Error(ErrorCode::invalid_message, std::string("post-quantum ratchet: ") + e.what());
    }
}

// A message that names its sender and recipient (libsignal's `addresses`,
// under the MAC) must name this conversation's; older senders name none.
void check_binding(const SignalMessage& message, const ReceiveContext& context) {
    if (!message.addresses()) return;
    const Bytes& received = *message.addresses();
    if (!context.binding || received.size() != context.binding->size() ||
        !constant_time_equal(*context.binding, received))
        throw Error(ErrorCode::invalid_message, "the message is bound to another sender or recipient");
}

}  // namespace

Encrypted encrypt(const SessionState& state, ByteView plaintext, const std::optional<MessageAddresses>& binding,
                  RandomSource& random) {
    if (!state.has_sender_chain()) throw Error(ErrorCode::no_session, "the session state has no sending chain");
    SessionState next = state;
    // SPQR first: its key, if it has one yet, salts the message keys. A
    // version-0 ratchet sends nothing and stays as it is.
    spqr::PqRatchet::Sent pq_sent;
    if (state.pq_ratchet().version() != spqr::Version::v0) {
        spqr::PqRatchet pq_ratchet = state.pq_ratchet();
        pq_sent = pq_ratchet.send(random);
        next.set_pq_ratchet(std::move(pq_ratchet));
    }
    const ChainKey& chain = state.sender_chain_key();
    const auto [key_source, next_chain] = chain.step();
    const MessageKeys keys = key_source.keys(pq_sent.key);
    const Bytes ciphertext = crypto::aes256_cbc_encrypt(keys.cipher_key.span(), keys.iv.span(), plaintext);
    const std::optional<PendingPreKey>& pending = state.pending_pre_key();
    // Until the peer answers, messages name both ends, as libsignal's do.
    SignalMessage message = SignalMessage::create(
        state.version(), state.sender_ratchet_key(), chain.index(), state.previous_counter(), ciphertext,
        state.local_identity(), state.remote_identity(), keys.mac_key.span(), pq_sent.message,
        pending ? binding : std::nullopt);

    CiphertextMessage out;
    if (pending) {
        std::optional<KyberPayload> kyber;
        if (pending->kyber_pre_key_id) kyber = KyberPayload{*pending->kyber_pre_key_id, pending->kyber_ciphertext};
        const PublicKey base_key = PublicKey::deserialize(pending->base_key);
        auto pre_key_message = PreKeySignalMessage::create(state.version(), state.local_registration_id(),
                                                          pending->pre_key_id, pending->signed_pre_key_id,
                                                          std::move(kyber), base_key, state.local_identity(),
                                                          std::move(message));
        out = {CiphertextType::pre_key, pre_key_message.serialize()};
    } else {
        out = {CiphertextType::whisper, std::move(message).take_serialized()};
    }
    next.set_sender_chain_key(next_chain);
    return {std::move(out), std::move(next)};
}

Decrypted decrypt(const SessionState& state, const SignalMessage& message, const ReceiveContext& context,
                  RandomSource& random) {
    if (!state.has_sender_chain()) throw Error(ErrorCode::invalid_message, "state has no chains");
    if (message.message_version() != state.version())
        throw Error(ErrorCode::invalid_message, "message version " + std::to_string(message.message_version()) +
                                                    " does not match session version " +
                                                    std::to_string(state.version()));
    const bool self_session = state.local_identity() == state.remote_identity() && context.same_account();
    const std::uint32_t max_forward_jumps =
        self_session ? std::numeric_limits<std::uint32_t>::max() : kMaxForwardJumps;

    // The Double Ratchet first, so that a replay is reported as a duplicate.
    SessionState next = state;
    const PublicKey& their_ratchet_key = message.sender_ratchet_key();
    ReceiverChain* chain = next.find_receiver_chain(their_ratchet_key);
    if (!chain) {
        ratchet_step(next, their_ratchet_key, random);
        chain = next.find_receiver_chain(their_ratchet_key);
    }
    const MessageKeySource key_source = take_message_keys(*chain, message.counter(), max_forward_jumps);

    auto pq_received = receive_pq_ratchet(state, message);
    const MessageKeys keys = key_source.keys(pq_received.key);
    if (!message.verify_mac(state.remote_identity(), state.local_identity(), keys.mac_key.span()))
        throw Error(ErrorCode::invalid_message, "message MAC does not verify");
    check_binding(message, context);
    Bytes plaintext = crypto::aes256_cbc_decrypt(keys.cipher_key.span(), keys.iv.span(), message.ciphertext());

    next.set_pq_ratchet(std::move(pq_received.next));
    // The peer has answered: stop sending pre-key messages.
    next.clear_pending_pre_key();
    return {std::move(plaintext), std::move(next)};
}

}  // namespace cliquet::protocol::ratchet
