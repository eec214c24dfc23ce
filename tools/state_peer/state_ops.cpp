// cliquet-state-peer: cliquet-peer's dispatcher and every op of the peer
// protocol, plus three ops that no peer-protocol driver may rely on and that
// cliquet-peer itself does not offer. They let the differential fuzzer
// (interop/fuzz) give cliquet exactly the state a libsignal device holds,
// records being libsignal's storage protobufs on both sides, and put it back
// after every input:
//
//   state_load    {state}  replaces the in-memory stores with `state` and
//                          keeps them, as now dumped, as the snapshot
//   state_dump             {state}: every store's records
//   state_restore          {changed}: whether the stores differ from the
//                          snapshot, which they are then reset to
//
// A state: {"identities": [{peer, identity_key}], "sessions": [{peer,
// record}], "pre_keys": [record], "signed_pre_keys": [record],
// "kyber_pre_keys": [{record, last_resort}], "kyber_uses":
// [{kyber_pre_key_id, signed_pre_key_id, base_key}], "sender_keys":
// [{sender, distribution_id, record}]}; bytes in hex, lists in each store's
// order, so that equal stores dump to equal states.
#include <memory>
#include <string>

#include "cliquet/memory_store.hpp"
#include "cliquet/service_id.hpp"
#include "peer.hpp"
#include "session_ops.hpp"

namespace cliquet::peer {
namespace {

json address_json(const ProtocolAddress& address) {
    return json{{"name", address.name}, {"device_id", address.device_id}};
}

const json& list_field(const json& state, std::string_view name) {
    const json& list = field(state, name);
    if (!list.is_array()) throw BadRequest("field '" + std::string(name) + "' must be a list");
    return list;
}

json dump(MemoryProtocolStore& store) {
    json identities = json::array();
    for (const auto& [address, key] : store.identities().all())
        identities.push_back({{"peer", address_json(address)}, {"identity_key", hex(key.serialize())}});
    json sessions = json::array();
    for (const auto& [address, record] : store.sessions().all())
        sessions.push_back({{"peer", address_json(address)}, {"record", hex(record.serialize().span())}});
    json pre_keys = json::array();
    for (const auto& [id, record] : store.pre_keys().all()) pre_keys.push_back(hex(record.serialize().span()));
    json signed_pre_keys = json::array();
    for (const auto& [id, record] : store.signed_pre_keys().all())
        signed_pre_keys.push_back(hex(record.serialize().span()));
    json kyber_pre_keys = json::array();
    for (const auto& [id, held] : store.kyber_pre_keys().all())
        kyber_pre_keys.push_back({{"record", hex(held.record.serialize().span())},
                                  {"last_resort", held.kind == KyberPreKeyKind::last_resort}});
    json kyber_uses = json::array();
    for (const auto& [kyber_id, signed_id, base_key] : store.kyber_pre_keys().uses())
        kyber_uses.push_back(
            {{"kyber_pre_key_id", kyber_id.value()}, {"signed_pre_key_id", signed_id.value()}, {"base_key", hex(base_key)}});
    json sender_keys = json::array();
    for (const auto& [name, record] : store.sender_keys().all())
        sender_keys.push_back({{"sender", address_json(name.first)},
                               {"distribution_id", format_uuid(name.second)},
                               {"record", hex(record.span())}});
    return json{{"identities", identities},         {"sessions", sessions},
                {"pre_keys", pre_keys},             {"signed_pre_keys", signed_pre_keys},
                {"kyber_pre_keys", kyber_pre_keys}, {"kyber_uses", kyber_uses},
                {"sender_keys", sender_keys}};
}

// Fresh stores for this device holding `state`; malformed records are
// Error(storage) or Error(invalid_key), reported before anything is installed.
std::shared_ptr<MemoryProtocolStore> stores_from(const PeerState& peer, const json& state) {
    auto store = std::make_shared<MemoryProtocolStore>(peer.require_identity(), peer.registration_id);
    for (const json& entry : list_field(state, "identities"))
        store->identities().save_identity(address_field(entry, "peer"),
                                          PublicKey::deserialize(hex_field(entry, "identity_key")));
    for (const json& entry : list_field(state, "sessions"))
        store->sessions().store_session(address_field(entry, "peer"),
                                        SessionRecord::deserialize(hex_field(entry, "record")));
    for (const json& entry : list_field(state, "pre_keys"))
        store->pre_keys().store_pre_key(PreKeyRecord::deserialize(from_hex(entry.get<std::string>())));
    for (const json& entry : list_field(state, "signed_pre_keys"))
        store->signed_pre_keys().store_signed_pre_key(
            SignedPreKeyRecord::deserialize(from_hex(entry.get<std::string>())));
    for (const json& entry : list_field(state, "kyber_pre_keys"))
        store->kyber_pre_keys().store_kyber_pre_key(
            KyberPreKeyRecord::deserialize(hex_field(entry, "record")),
            bool_field(entry, "last_resort") ? KyberPreKeyKind::last_resort : KyberPreKeyKind::one_time);
    for (const json& entry : list_field(state, "kyber_uses"))
        store->kyber_pre_keys().mark_kyber_pre_key_used(u32_field(entry, "kyber_pre_key_id"),
                                                        u32_field(entry, "signed_pre_key_id"),
                                                        PublicKey::deserialize(hex_field(entry, "base_key")));
    for (const json& entry : list_field(state, "sender_keys")) {
        const auto distribution_id = parse_uuid(string_field(entry, "distribution_id"));
        if (!distribution_id) throw BadRequest("field 'distribution_id' is not a UUID");
        store->sender_keys().store_sender_key(address_field(entry, "sender"), *distribution_id,
                                              hex_field(entry, "record"));
    }
    return store;
}

// The snapshot state_restore returns to, as dumped right after state_load.
struct Snapshot {
    json state;
};

Snapshot& snapshot() {
    static Snapshot held;
    return held;
}

MemoryProtocolStore& memory_store(PeerState& state) {
    auto* store = dynamic_cast<MemoryProtocolStore*>(&protocol_store(state));
    if (store == nullptr) throw BadRequest("the state ops work on in-memory stores only (no --db)");
    return *store;
}

json state_load(PeerState& state, const json& request) {
    memory_store(state);  // refuses --db before anything changes
    auto store = stores_from(state, field(request, "state"));
    snapshot().state = dump(*store);
    state.store = std::move(store);
    return json::object();
}

json state_dump(PeerState& state, const json&) { return json{{"state", dump(memory_store(state))}}; }

json state_restore(PeerState& state, const json&) {
    if (snapshot().state.is_null()) throw BadRequest("state_load must come first");
    const bool changed = dump(memory_store(state)) != snapshot().state;
    if (changed) state.store = stores_from(state, snapshot().state);
    return json{{"changed", changed}};
}

const OpRegistration registrations[] = {
    {"state_load", state_load},
    {"state_dump", state_dump},
    {"state_restore", state_restore},
};

}  // namespace
}  // namespace cliquet::peer
