// Sender certificates whose signatures have been checked, remembered so that
// a sender's next messages skip the two XEdDSA verifications (issue 19).
//
// Only the signatures' verdict is remembered, and only a positive one, keyed
// by the SHA-256 of everything those verifications covered: the certificate's
// serialized bytes (which embed or name its server certificate) and the trust
// roots it was checked against. Revocation and expiry are checked again on
// every use, so neither an expired certificate nor one whose server key is
// revoked is ever accepted from here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>

#include "cliquet/keys.hpp"
#include "crypto/hash.hpp"

namespace cliquet::protocol {

class ValidatedCertificates {
public:
    // Bounded: a fixed table, no allocation after construction. Digests are of
    // public data, so their bytes may choose a slot.
    static constexpr std::size_t kSlots = 256;

    static crypto::Sha256Digest key_of(ByteView serialized_certificate, std::span<const PublicKey> trust_roots);

    bool contains(const crypto::Sha256Digest& key) const;
    void insert(const crypto::Sha256Digest& key);
    void clear();

    // The one table the library's certificate checks share.
    static ValidatedCertificates& shared();

private:
    static std::size_t slot_of(const crypto::Sha256Digest& key) noexcept { return key[0]; }

    struct Slot {
        crypto::Sha256Digest key{};
        bool filled = false;
    };
    mutable std::mutex mutex_;
    std::array<Slot, kSlots> slots_{};
};

}  // namespace cliquet::protocol
