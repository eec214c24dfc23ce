// Ops of version 1.1, "keys and sessions over time": archive_session,
// delete_session, session_usable. (pre_key_bundle's kyber_last_resort flag is
// in session_ops.cpp.)
#include <string>

#include "cliquet/error.hpp"
#include "cliquet/session_record.hpp"
#include "session_ops.hpp"

namespace cliquet::peer {
namespace {

// As an app resetting a session does: the current state goes to the archive.
json archive_session(PeerState& state, const json& request) {
    const ProtocolAddress peer = address_field(request, "peer");
    ProtocolStore& store = protocol_store(state);
    std::optional<SessionRecord> record = store.sessions().load_session(peer);
    if (record && record->has_current_state()) {
        record->archive_current_state();
        store.run_atomically([&] { store.sessions().store_session(peer, std::move(*record)); });
    }
    return json::object();
}

json delete_session(PeerState& state, const json& request) {
    const ProtocolAddress peer = address_field(request, "peer");
    ProtocolStore& store = protocol_store(state);
    store.run_atomically([&] { store.sessions().delete_session(peer); });
    return json::object();
}

SessionRequirements requirements_field(const json& request) {
    const json& names = field(request, "require");
    if (!names.is_array()) throw BadRequest("field 'require' must be a list");
    SessionRequirements requirements = SessionRequirements::none();
    for (const json& name : names) {
        if (name == "not_stale") {
            requirements.not_stale = true;
        } else if (name == "pqxdh") {
            requirements.pqxdh = true;
        } else if (name == "spqr") {
            requirements.spqr = true;
        } else {
            throw BadRequest("'require' takes \"not_stale\", \"pqxdh\" and \"spqr\", not " + name.dump());
        }
    }
    return requirements;
}

json session_usable(PeerState& state, const json& request) {
    const ProtocolAddress peer = address_field(request, "peer");
    const std::int64_t now = int_field(request, "now");
    if (now < 0) throw BadRequest("field 'now' must not be negative");
    const SessionRequirements requirements = requirements_field(request);
    const auto record = protocol_store(state).sessions().load_session(peer);
    const bool usable = record && record->has_usable_sender_chain(
                                     timestamp_from_unix_ms(static_cast<std::uint64_t>(now)), requirements);
    return json{{"usable", usable}};
}

const OpRegistration registrations[] = {
    {"archive_session", archive_session},
    {"delete_session", delete_session},
    {"session_usable", session_usable},
};

}  // namespace
}  // namespace cliquet::peer
