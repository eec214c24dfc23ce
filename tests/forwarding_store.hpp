// A ProtocolStore that lends the stores of a MemoryProtocolStore and runs
// units as the default does, writing as it goes and undoing nothing: tests
// use it as a store that cannot roll back, or derive from it to make units
// (or one store) fail.
#pragma once

#include "cliquet/memory_store.hpp"
#include "cliquet/store.hpp"

namespace cliquet::testing {

class ForwardingStore : public ProtocolStore {
public:
    explicit ForwardingStore(MemoryProtocolStore& inner) : inner_(inner) {}
    IdentityKeyStore& identities() override { return inner_.identities(); }
    PreKeyStore& pre_keys() override { return inner_.pre_keys(); }
    SignedPreKeyStore& signed_pre_keys() override { return inner_.signed_pre_keys(); }
    KyberPreKeyStore& kyber_pre_keys() override { return inner_.kyber_pre_keys(); }
    SessionStore& sessions() override { return inner_.sessions(); }
    SenderKeyStore& sender_keys() override { return inner_.sender_keys(); }
    PreKeyMetadataStore& pre_key_metadata() override { return inner_.pre_key_metadata(); }

protected:
    MemoryProtocolStore& inner_;
};

}  // namespace cliquet::testing
