/// @file
/// Errors.
///
/// Every failure the library reports is a cliquet::Error carrying one code from
/// a closed set: the library's own taxonomy of what went wrong. Where an
/// application acts on more than the kind, a derived class carries typed
/// detail: UntrustedIdentityError (store.hpp), DuplicateMessageError
/// (protocol_errors.hpp), SealedSenderDecryptionError
/// (sealed_session_cipher.hpp). Wire protocols map the codes to their own
/// vocabulary; cliquet-peer's mapping to the peer protocol's error codes is
/// in tools/peer/dispatch.cpp.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "cliquet/export.hpp"

namespace cliquet {

/// What kind of failure an Error is.
enum class ErrorCode {
    invalid_key,          ///< a key of the wrong type, length or form
    invalid_signature,    ///< a signature that does not verify
    invalid_message,      ///< failed MAC, bad padding, malformed bytes, wrong version
    duplicate_message,    ///< a message key that was already used
    untrusted_identity,   ///< a known address presented a different identity key
    no_session,           ///< no session (or no usable state) with that address
    invalid_certificate,  ///< bad signature, wrong trust root, expired, revoked key id
    invalid_pre_key,       ///< unknown or already-consumed pre-key id
    invalid_argument,     ///< the caller passed something the API cannot accept
    storage,              ///< the persistent store failed or holds foreign data
    unsupported,          ///< a known feature or version this build does not offer
};

/// The code's name, spelled as its enumerator (for logs and messages; a
/// wire protocol maps codes itself).
[[nodiscard]] CLIQUET_EXPORT std::string_view to_string(ErrorCode code) noexcept;

/// The exception every failing cliquet call throws: a code, and a message
/// for people.
class CLIQUET_EXPORT Error : public std::runtime_error {
public:
    /// `message` says what failed, for logs; programs branch on `code`.
    Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
    [[nodiscard]] ErrorCode code() const noexcept { return code_; }  ///< What kind of failure this is.

private:
    ErrorCode code_;
};

}  // namespace cliquet
