// X3DH (session version 3) and PQXDH (version 4): the shared secret both
// sides compute from their keys, and the first ratchet state it seeds.
//
// secret = 32 × 0xFF ‖ DH(IK_A, SPK_B) ‖ DH(EK_A, IK_B) ‖ DH(EK_A, SPK_B)
//          [‖ DH(EK_A, OPK_B)] [‖ Kyber shared secret]
// expanded by HKDF-SHA256 (no salt) under "WhisperText" (X3DH) or the PQXDH
// label into the root key and first chain key, and for PQXDH the auth key
// of the session's post-quantum ratchet (SPQR). The initiator (Alice) then
// takes one DH ratchet step with a fresh key against the signed pre-key,
// which the responder (Bob) uses as his first ratchet key.
#pragma once

#include <optional>

#include "cliquet/kem.hpp"
#include "cliquet/keys.hpp"
#include "protocol/ratchet/session_state.hpp"

namespace cliquet::protocol {

struct AliceHandshake {
    const IdentityKeyPair& our_identity;
    const KeyPair& our_base_key;
    const KeyPair& our_first_ratchet_key;
    const IdentityKey& their_identity;
    const PublicKey& their_signed_pre_key;
    const std::optional<PublicKey>& their_one_time_pre_key;
    // PQXDH only: the encapsulation to the responder's Kyber pre-key.
    const KemEncapsulation* kyber = nullptr;
    // PQXDH only: the lowest SPQR version the session accepts from the peer.
    spqr::Version pq_min_version = spqr::Version::v0;
};

struct BobHandshake {
    const IdentityKeyPair& our_identity;
    const KeyPair& our_signed_pre_key;
    const KeyPair* our_one_time_pre_key = nullptr;
    const IdentityKey& their_identity;
    const PublicKey& their_base_key;
    // PQXDH only: our Kyber pre-key and the ciphertext the initiator sent.
    const KemSecretKey* our_kyber_pre_key = nullptr;
    ByteView kyber_ciphertext;
    spqr::Version pq_min_version = spqr::Version::v0;
};

// The state after the handshake, root key already stepped for Alice, with
// her sending chain and her receiving chain on Bob's signed pre-key.
SessionState initialize_alice(const AliceHandshake& handshake);
// Bob's state: the handshake root key and a sending chain on his signed
// pre-key. Error(invalid_message) when a PQXDH handshake lacks its ciphertext.
SessionState initialize_bob(const BobHandshake& handshake);

}  // namespace cliquet::protocol
