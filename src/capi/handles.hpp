// What the C API's opaque handles are. Each wraps the public C++ object it
// stands for; the C header names them as incomplete structs.
#pragma once

#include <cliquet.h>

#include <cliquet/fingerprint.hpp>
#include <cliquet/keys.hpp>
#include <cliquet/pre_key_manager.hpp>
#include <cliquet/pre_keys.hpp>
#include <cliquet/sealed_fanout.hpp>
#include <cliquet/sealed_session_cipher.hpp>
#include <cliquet/session.hpp>
#include <cliquet/store.hpp>

#include <memory>

struct cliquet_identity {
    cliquet::IdentityKeyPair key_pair;
    std::uint32_t registration_id;
};

struct cliquet_store {
    std::unique_ptr<cliquet::ProtocolStore> store;
};

struct cliquet_pre_key_bundle {
    cliquet::PreKeyBundle bundle;
};

struct cliquet_pre_key_upload {
    cliquet::PreKeyUpload upload;
};

struct cliquet_pre_key_manager {
    cliquet::PreKeyManager manager;
};

struct cliquet_session_cipher {
    cliquet::SessionCipher cipher;
};

struct cliquet_sealed_sender_result {
    cliquet::SealedSenderDecryptionResult result;
};

struct cliquet_sealed_sender_failure {
    cliquet::SealedSenderDecryptionError error;
};

struct cliquet_sealed_sender_sent {
    cliquet::SealedSenderV2SentMessage message;
};

struct cliquet_fingerprint {
    cliquet::Fingerprint fingerprint;
};

namespace cliquet::capi {

/// The policy of the C enum; anything else is Error(invalid_argument).
[[nodiscard]] SessionOptions session_options(cliquet_pq_ratchet_policy policy);

/// The C++ type of a message type; an unknown one is Error(invalid_argument).
[[nodiscard]] CiphertextType ciphertext_type_in(cliquet_message_type type);

/// The C++ store behind a handle that must not be NULL.
[[nodiscard]] inline ProtocolStore& store_in(cliquet_store* store) {
    if (store == nullptr) throw Error(ErrorCode::invalid_argument, "store is NULL");
    return *store->store;
}

}  // namespace cliquet::capi
