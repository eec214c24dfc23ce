// The group cipher: creating and processing distribution messages, and
// encrypting and decrypting group messages with sender keys.
#include <array>
#include <optional>
#include <string>

#include "cliquet/error.hpp"
#include "cliquet/protocol_errors.hpp"
#include "cliquet/sender_keys.hpp"
#include "crypto/aes.hpp"
#include "protocol/groups/sender_key_state.hpp"

namespace cliquet {
namespace {

using protocol::SenderChainKey;
using protocol::SenderKeyRecordAccess;
using protocol::SenderKeyState;
using protocol::SenderMessageKeySeed;

std::optional<SenderKeyRecord> load_record(const SenderKeyStore& store, const ProtocolAddress& sender,
                                           const DistributionId& distribution_id) {
    const auto bytes = store.load_sender_key(sender, distribution_id);
    if (!bytes) return std::nullopt;
    return SenderKeyRecord::deserialize(bytes->span());
}

void save_record(SenderKeyStore& store, const ProtocolAddress& sender, const DistributionId& distribution_id,
                 const SenderKeyRecord& record) {
    const SecretBytes bytes = record.serialize();
    store.store_sender_key(sender, distribution_id, bytes.span());
}

// The key for message `iteration` of `state`'s chain, moving the chain past
// it and keeping the keys of the messages it skips. The caller stores the
// state only if the message then decrypts.
SenderMessageKeySeed message_key_for(SenderKeyState& state, std::uint32_t iteration) {
    const std::uint32_t current = state.chain.iteration;
    if (iteration < current) {
        if (auto kept = state.take_skipped(iteration)) return std::move(*kept);
        throw DuplicateMessageError(state.chain_id, iteration, current);
    }
    if (iteration - current > kMaxSenderKeyForwardJump)
        throw Error(ErrorCode::invalid_message, "sender key message is " + std::to_string(iteration - current) +
                                                    " iterations ahead of its chain, more than allowed");
    const auto exhausted = [] { return Error(ErrorCode::invalid_message, "sender key chain is exhausted"); };
    SenderChainKey chain = state.chain;
    while (chain.iteration < iteration) {
        state.keep_skipped(chain.message_key_seed());
        // Below `iteration`, so below the last: there is a next step.
        chain = *chain.next();
    }
    auto next = chain.next();
    if (!next) throw exhausted();
    state.chain = std::move(*next);
    return chain.message_key_seed();
}

}  // namespace

SenderKeyDistributionMessage create_sender_key_distribution_message(SenderKeyStore& store,
                                                                    const ProtocolAddress& sender,
                                                                    const DistributionId& distribution_id,
                                                                    RandomSource& random) {
    std::optional<SenderKeyRecord> record = load_record(store, sender, distribution_id);
    if (!record) {
        // Chain ids are 31 bits: libsignal-protocol-java keeps them in signed ints.
        std::array<std::uint8_t, 4> id_bytes{};
        random.fill(id_bytes);
        const std::uint32_t chain_id =
            (std::uint32_t{id_bytes[0]} | std::uint32_t{id_bytes[1]} << 8 | std::uint32_t{id_bytes[2]} << 16 |
             std::uint32_t{id_bytes[3]} << 24) >> 1;
        SecretArray<32> chain_key;
        random.fill(chain_key.span());
        KeyPair signing = KeyPair::generate(random);
        record.emplace();
        protocol::add_sender_key_state(
            *record, SenderKeyState{chain_id, {0, chain_key}, signing.public_key, std::move(signing.private_key), {}});
        save_record(store, sender, distribution_id, *record);
    }
    const auto& states = SenderKeyRecordAccess::states(*record);
    if (states.empty()) throw Error(ErrorCode::no_session, "sender key record for " + sender.to_string() + " is empty");
    const SenderKeyState& state = states.front();
    return SenderKeyDistributionMessage(distribution_id, state.chain_id, state.chain.iteration, state.chain.key,
                                        state.signing_key);
}

void process_sender_key_distribution_message(SenderKeyStore& store, const ProtocolAddress& sender,
                                             const SenderKeyDistributionMessage& message) {
    SenderKeyRecord record =
        load_record(store, sender, message.distribution_id()).value_or(SenderKeyRecord());
    protocol::add_sender_key_state(record, SenderKeyState{message.chain_id(),
                                                          {message.iteration(), message.chain_key()},
                                                          message.signing_key(),
                                                          std::nullopt,
                                                          {}});
    save_record(store, sender, message.distribution_id(), record);
}

SenderKeyMessage group_encrypt(SenderKeyStore& store, const ProtocolAddress& sender,
                               const DistributionId& distribution_id, ByteView plaintext, RandomSource& random) {
    std::optional<SenderKeyRecord> record = load_record(store, sender, distribution_id);
    if (!record)
        throw Error(ErrorCode::no_session, "no sender key for " + sender.to_string() + " in this distribution");
    auto& states = SenderKeyRecordAccess::states(*record);
    if (states.empty()) throw Error(ErrorCode::no_session, "sender key record for " + sender.to_string() + " is empty");
    SenderKeyState& state = states.front();
    if (!state.signing_private)
        throw Error(ErrorCode::no_session,
                    "the newest sender key of " + sender.to_string() + " is not ours to send with");

    const auto keys = state.chain.message_key_seed().derive();
    const Bytes ciphertext = crypto::aes256_cbc_encrypt(keys.cipher_key.span(), keys.iv.span(), plaintext);
    SenderKeyMessage message = SenderKeyMessage::create(distribution_id, state.chain_id, keys.iteration, ciphertext,
                                                        *state.signing_private, random);
    auto next = state.chain.next();
    if (!next) throw Error(ErrorCode::no_session, "sender key chain is exhausted");
    state.chain = std::move(*next);
    save_record(store, sender, distribution_id, *record);
    return message;
}

namespace protocol {

GroupDecryption decrypt_group_message(const SenderKeyStore& store, const ProtocolAddress& sender, ByteView ciphertext) {
    const SenderKeyMessage message = SenderKeyMessage::deserialize(ciphertext);
    std::optional<SenderKeyRecord> record = load_record(store, sender, message.distribution_id());
    if (!record)
        throw Error(ErrorCode::no_session, "no sender key from " + sender.to_string() + " for this distribution");
    SenderKeyState* state = find_sender_key_state(*record, message.chain_id());
    if (state == nullptr)
        throw Error(ErrorCode::no_session, "no sender key from " + sender.to_string() + " with chain id " +
                                               std::to_string(message.chain_id()));
    if (!message.verify_signature(state->signing_key))
        throw Error(ErrorCode::invalid_signature, "sender key message signature does not verify");

    const auto keys = message_key_for(*state, message.iteration()).derive();
    Bytes plaintext = crypto::aes256_cbc_decrypt(keys.cipher_key.span(), keys.iv.span(), message.ciphertext());
    return {std::move(plaintext), message.distribution_id(), std::move(*record)};
}

void store_sender_key_record(SenderKeyStore& store, const ProtocolAddress& sender,
                             const DistributionId& distribution_id, const SenderKeyRecord& record) {
    save_record(store, sender, distribution_id, record);
}

}  // namespace protocol

// Computes first, then writes the one record: a message that fails
// changes nothing.
Bytes group_decrypt(SenderKeyStore& store, const ProtocolAddress& sender, ByteView ciphertext) {
    protocol::GroupDecryption decrypted = protocol::decrypt_group_message(store, sender, ciphertext);
    protocol::store_sender_key_record(store, sender, decrypted.distribution_id, decrypted.record);
    return std::move(decrypted.plaintext);
}

}  // namespace cliquet
