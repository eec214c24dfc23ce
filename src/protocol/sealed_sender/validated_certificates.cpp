#include "protocol/sealed_sender/validated_certificates.hpp"

#include <algorithm>

namespace cliquet::protocol {

static_assert(ValidatedCertificates::kSlots == 256, "slot_of takes one byte of the digest");

crypto::Sha256Digest ValidatedCertificates::key_of(ByteView serialized_certificate,
                                                   std::span<const PublicKey> trust_roots) {
    // Fixed-width parts after the one variable-length part: the encoding is
    // unambiguous.
    Bytes input(serialized_certificate.begin(), serialized_certificate.end());
    input.reserve(input.size() + trust_roots.size() * 32);
    for (const PublicKey& root : trust_roots)
        input.insert(input.end(), root.montgomery().begin(), root.montgomery().end());
    return crypto::sha256(input);
}

bool ValidatedCertificates::contains(const crypto::Sha256Digest& key) const {
    std::lock_guard lock(mutex_);
    const Slot& slot = slots_[slot_of(key)];
    return slot.filled && slot.key == key;
}

void ValidatedCertificates::insert(const crypto::Sha256Digest& key) {
    std::lock_guard lock(mutex_);
    Slot& slot = slots_[slot_of(key)];
    slot.key = key;
    slot.filled = true;
}

void ValidatedCertificates::clear() {
    std::lock_guard lock(mutex_);
    slots_.fill(Slot{});
}

ValidatedCertificates& ValidatedCertificates::shared() {
    static ValidatedCertificates table;
    return table;
}

}  // namespace cliquet::protocol
