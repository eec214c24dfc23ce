/// @file
/// 1:1 sessions: start one from a pre-key bundle, then encrypt to
/// and decrypt from an address, the way libsignal's SessionBuilder and
/// SessionCipher do.
///
/// @code
///   MemoryProtocolStore alice_store(alice_identity, alice_registration_id);
///   process_pre_key_bundle(alice_store, bob_address, bob_bundle);
///   SessionCipher to_bob(alice_store, alice_address, bob_address);
///   CiphertextMessage message = to_bob.encrypt(as_bytes("hello"));
///   ...
///   SessionCipher from_alice(bob_store, bob_address, alice_address);
///   Bytes plaintext = from_alice.decrypt(message.type, message.bytes);
/// @endcode
///
/// Versions: a bundle without a Kyber pre-key starts an X3DH session, which
/// speaks message version 3; with a Kyber1024 pre-key, a PQXDH session,
/// version 4. A version-4 session also runs Signal's post-quantum ratchet
/// (SPQR, version 1): every message carries an SPQR message in its
/// `pq_ratchet` field, and once SPQR has keys, each message's keys are salted
/// with one. SPQR agrees a fresh ML-KEM-768 secret every few dozen messages
/// each way, so the session recovers from a stolen state even against a
/// quantum attacker, as the Double Ratchet alone does only against a
/// classical one. How a session treats a peer without SPQR is
/// SessionOptions::pq_ratchet, fixed when the session starts (see
/// PqRatchetPolicy and docs/guide.md, "Versions and compatibility").
///
/// Every operation is all-or-nothing: it reads the stores, computes the new
/// state, and writes everything in one ProtocolStore::run_atomically call at
/// the end. A message that fails to decrypt for any reason (bad MAC,
/// truncation, unknown pre-key, duplicate, untrusted identity) changes nothing.
#pragma once

#include <cstdint>

#include "cliquet/address.hpp"
#include "cliquet/bytes.hpp"
#include "cliquet/export.hpp"
#include "cliquet/messages.hpp"
#include "cliquet/pre_keys.hpp"
#include "cliquet/random.hpp"
#include "cliquet/store.hpp"

namespace cliquet {

/// What a new session requires of the peer's post-quantum protection.
enum class PqRatchetPolicy : std::uint8_t {
    /// A deliberate opt-in for an application that must still talk to older
    /// peers (libsignal 0.72 to 0.91, libsignal-node): accept a bundle without
    /// a Kyber pre-key and a version-3 pre-key message, which start X3DH
    /// sessions with no post-quantum protection at all; and in a version-4
    /// session, offer SPQR from the first message but salt no message key
    /// with it until the peer's first message shows it speaks SPQR too. A
    /// peer whose first message carries none (libsignal 0.72 and 0.73)
    /// settles the session on the classic Double Ratchet for good, as
    /// libsignal 0.74 to 0.91 do. Such a session is post-quantum only in its
    /// PQXDH handshake (the field is under the message MAC, so no one in the
    /// middle can strip it: only the peer's own messages decide), and so are
    /// the messages sent before the peer's first one arrives. Beware that a
    /// server can strip the Kyber pre-key from a bundle it serves: under this
    /// policy that silently downgrades the session to X3DH.
    offer,
    /// The default, as libsignal 0.92 and later and today's Signal: every new
    /// session is PQXDH with SPQR. A bundle without a Kyber pre-key is refused
    /// (unsupported), and so is a version-3 pre-key message (invalid_message);
    /// SPQR salts message keys from the first message, and a message without
    /// SPQR is refused (invalid_message). Sessions that already exist keep
    /// working as they were set up.
    require,
};

/// How sessions are started and used.
struct CLIQUET_EXPORT SessionOptions {
    /// What the session requires of its post-quantum protection; fixed
    /// when the session starts.
    PqRatchetPolicy pq_ratchet = PqRatchetPolicy::require;
    /// What SessionCipher::encrypt requires of the session it sends on;
    /// one that falls short is no_session, as libsignal does, and the app
    /// fetches a new bundle. The default refuses only a stale session.
    SessionRequirements requirements{};
    /// Where operations read the time (staleness, and the times a session
    /// records). Empty: the system clock.
    Clock clock{};
};

/// Starts an outgoing session with `address` from its bundle; the messages
/// sent on it are pre-key messages until the peer answers. An existing
/// session is archived, not lost.
/// @code{.unparsed}
///   untrusted_identity  the address is known with a different identity key
///   invalid_signature   the signed or Kyber pre-key's signature is forged
///   invalid_key         a key in the bundle is unusable
///   invalid_argument    a pre-key without its id, or the reverse
///   unsupported         no Kyber pre-key, under PqRatchetPolicy::require
/// @endcode
/// The session records when it was made (`options.clock`), as libsignal
/// stamps the pending pre-key; `options` apply to the new session.
CLIQUET_EXPORT void process_pre_key_bundle(ProtocolStore& store, const ProtocolAddress& address, const PreKeyBundle& bundle,
                           RandomSource& random = system_random(), const SessionOptions& options = {});
/// process_pre_key_bundle made at `now`, whatever `options.clock` says.
CLIQUET_EXPORT void process_pre_key_bundle(ProtocolStore& store, const ProtocolAddress& address, const PreKeyBundle& bundle,
                           RandomSource& random, Timestamp now, const SessionOptions& options = {});

/// Encrypts to and decrypts from one remote address, through a store.
class CLIQUET_EXPORT SessionCipher {
public:
    /// `store` must outlive the cipher. `local` is this device's own address
    /// and `remote` the peer's. When both names are service ids, the first
    /// messages of a session name both ends under their MAC (libsignal's
    /// `addresses`), and a message that names another sender or recipient is
    /// refused, so a message cannot be replayed to another device or passed
    /// off as another sender's. With a remote identity key equal to this
    /// device's own and the same service id (another device of one's own
    /// account), the 25,000-message forward-jump limit is lifted, as in
    /// libsignal. Calls for one address must not overlap, even on a
    /// thread-safe store (docs/guide.md, Threads). `options` apply to a
    /// session that a pre-key message from `remote` starts.
    SessionCipher(ProtocolStore& store, ProtocolAddress local, ProtocolAddress remote, SessionOptions options = {})
        : store_(store), local_(std::move(local)), remote_(std::move(remote)), options_(options) {}

    /// A pre-key message until the peer has answered, a whisper message after.
    /// @code{.unparsed}
    ///   no_session          no session with the address, or one that fails
    ///                       options.requirements (by default: stale)
    ///   untrusted_identity  the session's identity is no longer trusted
    ///                       (an UntrustedIdentityError)
    /// @endcode
    /// The randomness is for the post-quantum ratchet of a version-4 session,
    /// which now and then draws a fresh ML-KEM key pair or encapsulation.
    [[nodiscard]] CiphertextMessage encrypt(ByteView plaintext, RandomSource& random = system_random());

    /// Decrypts a message of the given type (pre_key or whisper).
    /// @code{.unparsed}
    ///   invalid_message     malformed, wrong version, bad MAC or padding,
    ///                       a counter more than 25,000 ahead, bound to
    ///                       another sender or recipient; a pre-key message
    ///                       that its own session does not decrypt, whose
    ///                       identity key is not that of the session its
    ///                       base key names, or that is version 3 under
    ///                       PqRatchetPolicy::require
    ///   duplicate_message   a message already decrypted
    ///   invalid_pre_key      a pre-key message naming a pre-key we do not hold
    ///                       (a one-time Kyber pre-key is gone once used)
    ///   invalid_message     a new session on a last-resort Kyber pre-key
    ///                       with a base key it was already used with
    ///                       ("reused base key")
    ///   untrusted_identity  the sender's identity key is not the one we know
    ///                       (an UntrustedIdentityError, with that key)
    ///   no_session          a whisper message with no session at all
    /// @endcode
    /// The randomness is for the new ratchet key a reply needs.
    [[nodiscard]] Bytes decrypt(CiphertextType type, ByteView bytes, RandomSource& random = system_random());
    /// Decrypts an already parsed message, with the same errors.
    ///@{
    [[nodiscard]] Bytes decrypt(const PreKeySignalMessage& message, RandomSource& random = system_random());
    [[nodiscard]] Bytes decrypt(const SignalMessage& message, RandomSource& random = system_random());
    ///@}

    /// This device's own address.
    const ProtocolAddress& local_address() const noexcept { return local_; }
    /// The address this cipher talks to.
    const ProtocolAddress& remote_address() const noexcept { return remote_; }

private:
    ProtocolStore& store_;
    ProtocolAddress local_;
    ProtocolAddress remote_;
    SessionOptions options_;
};

}  // namespace cliquet
