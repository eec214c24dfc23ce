/// @file
/// Sender keys: group messaging as libsignal does it.
///
/// Each member of a group sends with its own sender key: a hash chain that
/// yields one AES-256-CBC key per message, and a signing key pair whose public
/// half every recipient holds. The chain's starting point travels to each
/// member once, in a SenderKeyDistributionMessage sent over the 1:1 sessions;
/// after that one SenderKeyMessage, encrypted once, serves the whole group.
///
/// Every byte format here is libsignal's, and the functions behave as its
/// GroupCipher does, down to which failure is reported when.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "cliquet/address.hpp"
#include "cliquet/bytes.hpp"
#include "cliquet/export.hpp"
#include "cliquet/keys.hpp"
#include "cliquet/random.hpp"
#include "cliquet/store.hpp"

namespace cliquet {

/// The version nibble of every sender-key message; 0x33 is the first byte.
inline constexpr std::uint8_t kSenderKeyMessageVersion = 3;
/// libsignal's bounds: chains kept per (sender, distribution id), message
/// keys kept per chain for late messages, and how far ahead a message may be.
///@{
inline constexpr std::size_t kMaxSenderKeyStates = 5;
inline constexpr std::size_t kMaxSenderMessageKeys = 2000;
inline constexpr std::uint32_t kMaxSenderKeyForwardJump = 25'000;
///@}

/// A sender-key chain key.
using SenderChainKeyBytes = SecretArray<32>;

/// What a sender gives each member so that the member can read its messages.
/// It holds the chain key, so its bytes are a secret.
class CLIQUET_EXPORT SenderKeyDistributionMessage {
public:
    /// Anything but libsignal's version 3 layout with a 32-byte chain key and
    /// a 33-byte signing key is Error(invalid_message), or Error(invalid_key)
    /// for a signing key of an unknown type.
    [[nodiscard]] static SenderKeyDistributionMessage deserialize(ByteView bytes);
    /// Describes a chain at `iteration`, ready to send.
    SenderKeyDistributionMessage(const DistributionId& distribution_id, std::uint32_t chain_id,
                                 std::uint32_t iteration, const SenderChainKeyBytes& chain_key,
                                 const PublicKey& signing_key);

    /// The bytes to send (over a 1:1 session: they are a secret).
    const SecretBytes& serialize() const noexcept { return serialized_; }
    [[nodiscard]] std::uint8_t message_version() const noexcept { return message_version_; }  ///< Always 3.
    /// The group it belongs to.
    const DistributionId& distribution_id() const noexcept { return distribution_id_; }
    [[nodiscard]] std::uint32_t chain_id() const noexcept { return chain_id_; }  ///< Names the chain.
    [[nodiscard]] std::uint32_t iteration() const noexcept { return iteration_; }  ///< Where the chain key stands.
    /// The chain key at iteration().
    const SenderChainKeyBytes& chain_key() const noexcept { return chain_key_; }
    /// The key that signs the chain's messages.
    const PublicKey& signing_key() const noexcept { return signing_key_; }

private:
    SenderKeyDistributionMessage(ByteView serialized, const DistributionId& distribution_id,
                                 std::uint32_t chain_id, std::uint32_t iteration,
                                 const SenderChainKeyBytes& chain_key, const PublicKey& signing_key);

    std::uint8_t message_version_ = kSenderKeyMessageVersion;
    DistributionId distribution_id_;
    std::uint32_t chain_id_;
    std::uint32_t iteration_;
    SenderChainKeyBytes chain_key_;
    PublicKey signing_key_;
    SecretBytes serialized_;
};

/// One group message: version byte, protobuf body, then a 64-byte XEdDSA
/// signature by the sender's signing key over everything before it.
class CLIQUET_EXPORT SenderKeyMessage {
public:
    static constexpr std::size_t kSignatureSize = cliquet::kSignatureSize;  ///< The trailing signature's size.

    /// A message that is too short, of another version, or whose body is not
    /// a complete libsignal SenderKeyMessage is Error(invalid_message). The
    /// signature is not checked here: only the recipient knows the key.
    [[nodiscard]] static SenderKeyMessage deserialize(ByteView bytes);
    /// Assembles and signs a message around an already encrypted body.
    [[nodiscard]] static SenderKeyMessage create(const DistributionId& distribution_id, std::uint32_t chain_id,
                                                 std::uint32_t iteration, ByteView ciphertext,
                                                 const PrivateKey& signing_key, RandomSource& random = system_random());

    const Bytes& serialize() const noexcept { return serialized_; }  ///< The whole message, signature included.
    [[nodiscard]] std::uint8_t message_version() const noexcept { return message_version_; }  ///< Always 3.
    /// The group it belongs to.
    const DistributionId& distribution_id() const noexcept { return distribution_id_; }
    [[nodiscard]] std::uint32_t chain_id() const noexcept { return chain_id_; }  ///< The chain it was sent on.
    [[nodiscard]] std::uint32_t iteration() const noexcept { return iteration_; }  ///< Its index in that chain.
    [[nodiscard]] ByteView ciphertext() const noexcept { return ciphertext_; }  ///< The AES-256-CBC ciphertext.

    /// Whether the trailing signature is `signing_key`'s.
    [[nodiscard]] bool verify_signature(const PublicKey& signing_key) const;

private:
    SenderKeyMessage() = default;

    std::uint8_t message_version_ = kSenderKeyMessageVersion;
    DistributionId distribution_id_{};
    std::uint32_t chain_id_ = 0;
    std::uint32_t iteration_ = 0;
    Bytes ciphertext_;
    Bytes serialized_;
};

namespace protocol {
struct SenderKeyState;
struct SenderKeyRecordAccess;
}  // namespace protocol

/// Everything known about one (sender, distribution id): up to
/// kMaxSenderKeyStates chains, newest first. Serialized as libsignal's
/// SenderKeyRecordStructure; the bytes hold chain and signing keys.
class CLIQUET_EXPORT SenderKeyRecord {
public:
    SenderKeyRecord();  ///< A record with no chain.
    /// Copies are deep: a copy changes independently of its original.
    ///@{
    SenderKeyRecord(const SenderKeyRecord&);
    SenderKeyRecord(SenderKeyRecord&&) noexcept;
    SenderKeyRecord& operator=(const SenderKeyRecord&);
    SenderKeyRecord& operator=(SenderKeyRecord&&) noexcept;
    ///@}
    ~SenderKeyRecord();

    /// Bytes a store handed back that are not a record this library could
    /// have written are Error(storage).
    [[nodiscard]] static SenderKeyRecord deserialize(ByteView bytes);
    [[nodiscard]] SecretBytes serialize() const;  ///< The bytes to store; chain and signing keys inside.

    [[nodiscard]] bool empty() const noexcept;  ///< No chain at all.
    [[nodiscard]] std::size_t state_count() const noexcept;  ///< How many chains it holds.
    /// Newest first.
    [[nodiscard]] std::vector<std::uint32_t> chain_ids() const;

private:
    friend struct protocol::SenderKeyRecordAccess;
    std::vector<protocol::SenderKeyState> states_;
};

/// @name The group cipher
/// Each call reads the record of (sender, distribution id)
/// from `store`, works on a copy, and writes it back only when it succeeded:
/// a refused message leaves the store exactly as it was.
///@{

/// The message `sender` (this device) sends to every member before its first
/// group message. Creates the sender key on first use; later calls describe
/// the current chain, at its current iteration.
[[nodiscard]] CLIQUET_EXPORT SenderKeyDistributionMessage
create_sender_key_distribution_message(SenderKeyStore& store, const ProtocolAddress& sender,
                                       const DistributionId& distribution_id, RandomSource& random = system_random());

/// Records a member's sender key. The same chain processed twice keeps its
/// progress (a replayed distribution message cannot rewind it); a chain id
/// seen with a different signing key replaces the old chain.
CLIQUET_EXPORT void process_sender_key_distribution_message(SenderKeyStore& store, const ProtocolAddress& sender,
                                             const SenderKeyDistributionMessage& message);

/// Encrypts with this device's newest chain for `distribution_id` and
/// advances it. Without a sender key of our own for it: Error(no_session).
[[nodiscard]] CLIQUET_EXPORT SenderKeyMessage group_encrypt(SenderKeyStore& store, const ProtocolAddress& sender,
                                                            const DistributionId& distribution_id, ByteView plaintext,
                                                            RandomSource& random = system_random());

/// Decrypts a message from `sender`. Refusals, in the order they are checked:
/// @code{.unparsed}
///   malformed bytes, wrong version, bad padding        Error(invalid_message)
///   no record, or no chain with the message's chain id Error(no_session)
///   a signature that does not verify                   Error(invalid_signature)
///   an iteration already decrypted (or whose key was
///   dropped to keep within kMaxSenderMessageKeys)      Error(duplicate_message)
///   an iteration more than kMaxSenderKeyForwardJump
///   ahead of the chain                                 Error(invalid_message)
/// @endcode
[[nodiscard]] CLIQUET_EXPORT Bytes group_decrypt(SenderKeyStore& store, const ProtocolAddress& sender,
                                                 ByteView ciphertext);
///@}

}  // namespace cliquet
