// Session writes held back until an operation has finished (see
// protocol/session/staged_sessions.hpp).
#include "protocol/session/staged_sessions.hpp"

#include <algorithm>
#include <utility>

namespace cliquet::protocol {

void StagedSessions::commit() {
    store_.run_atomically([&] {
        SessionStore& sessions = store_.sessions();
        for (auto& [address, record] : staged_) {
            if (record)
                sessions.store_session(address, std::move(*record));
            else
                sessions.delete_session(address);
        }
    });
}

std::optional<SessionRecord> StagedSessions::load_session(const ProtocolAddress& address) const {
    const auto staged = staged_.find(address);
    if (staged != staged_.end()) return staged->second;
    return store_.sessions().load_session(address);
}

void StagedSessions::store_session(const ProtocolAddress& address, SessionRecord record) {
    staged_.insert_or_assign(address, std::optional<SessionRecord>(std::move(record)));
}

std::vector<std::uint32_t> StagedSessions::session_device_ids(std::string_view name) const {
    std::vector<std::uint32_t> ids = store_.sessions().session_device_ids(name);
    for (const auto& [address, record] : staged_) {
        if (address.name != name) continue;
        const auto at = std::lower_bound(ids.begin(), ids.end(), address.device_id);
        const bool held = at != ids.end() && *at == address.device_id;
        if (record && !held) ids.insert(at, address.device_id);
        if (!record && held) ids.erase(at);
    }
    return ids;
}

void StagedSessions::delete_session(const ProtocolAddress& address) {
    staged_.insert_or_assign(address, std::nullopt);
}

std::size_t StagedSessions::delete_all_sessions(std::string_view name) {
    const std::vector<std::uint32_t> ids = session_device_ids(name);
    for (const std::uint32_t id : ids) delete_session(ProtocolAddress{std::string(name), id});
    return ids.size();
}

}  // namespace cliquet::protocol
