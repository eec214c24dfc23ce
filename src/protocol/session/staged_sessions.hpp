// A ProtocolStore over another that holds back the session writes of one
// operation: an operation with work left after its session step (sealing the
// message it encrypted) runs the step here, and writes it to the real store
// only once nothing else can fail.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "cliquet/address.hpp"
#include "cliquet/session_record.hpp"
#include "cliquet/store.hpp"

namespace cliquet::protocol {

// Reads go through to the real store, the staged session writes included;
// session writes and deletions wait for commit(). The other stores are the
// real ones: meant for operations whose only writes are sessions (as
// SessionCipher::encrypt's are). It serves one operation: if a unit throws,
// the operation fails and its staged writes are dropped with this object.
class StagedSessions final : public ProtocolStore, private SessionStore {
public:
    explicit StagedSessions(ProtocolStore& store) noexcept : store_(store) {}

    IdentityKeyStore& identities() override { return store_.identities(); }
    PreKeyStore& pre_keys() override { return store_.pre_keys(); }
    SignedPreKeyStore& signed_pre_keys() override { return store_.signed_pre_keys(); }
    KyberPreKeyStore& kyber_pre_keys() override { return store_.kyber_pre_keys(); }
    SessionStore& sessions() override { return *this; }
    SenderKeyStore& sender_keys() override { return store_.sender_keys(); }
    PreKeyMetadataStore& pre_key_metadata() override { return store_.pre_key_metadata(); }
    // The session writes stay here until commit(): nothing to undo yet.
    void run_atomically(const std::function<void()>& writes) override { writes(); }

    // Writes what was staged to the real store in one unit of its own. Once.
    void commit();

private:
    std::optional<SessionRecord> load_session(const ProtocolAddress& address) const override;
    void store_session(const ProtocolAddress& address, SessionRecord record) override;
    std::vector<std::uint32_t> session_device_ids(std::string_view name) const override;
    void delete_session(const ProtocolAddress& address) override;
    std::size_t delete_all_sessions(std::string_view name) override;

    ProtocolStore& store_;
    // By address: the record to store, or nullopt for one to delete.
    std::map<ProtocolAddress, std::optional<SessionRecord>> staged_;
};

}  // namespace cliquet::protocol
