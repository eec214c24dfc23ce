// --db FILE: see storage.hpp.
#include "storage.hpp"

#include <filesystem>
#include <memory>
#include <system_error>

#include "cliquet/sqlite_store.hpp"

namespace cliquet::peer {
namespace {

bool holds_a_store(const std::string& path) {
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    return !error && size > 0;
}

}  // namespace

void restore_device(PeerState& state, const std::string& name, std::uint32_t device_id,
                    const std::optional<IdentityKeyPair>& identity) {
    if (!state.options.db_path || state.identity || !holds_a_store(*state.options.db_path)) return;
    // Errors here (a damaged or foreign file) are Error(storage): reported
    // to the driver, and the peer stays uninitialised.
    std::shared_ptr<SqliteStore> store = SqliteStore::open(*state.options.db_path);
    const IdentityKeyStore& identities = store->identities();
    if (store->local_address() != ProtocolAddress{name, device_id})
        throw BadRequest("the database belongs to device " + store->local_address().to_string());
    if (identity && identity->public_key() != identities.identity_key_pair().public_key())
        throw BadRequest("the database holds a different identity key for this device");
    state.name = name;
    state.device_id = device_id;
    state.registration_id = identities.local_registration_id();
    state.identity = identities.identity_key_pair();
    state.store = std::move(store);
}

void create_device_store(PeerState& state, const std::string& name, std::uint32_t device_id,
                         std::uint32_t registration_id, const IdentityKeyPair& identity) {
    if (!state.options.db_path || state.store) return;
    state.store = SqliteStore::create(*state.options.db_path,
                                      LocalDevice{ProtocolAddress{name, device_id}, identity, registration_id});
}

}  // namespace cliquet::peer
