#include "cliquet_testing/store_snapshot.hpp"

namespace cliquet {

std::string store_snapshot(const MemorySenderKeyStore& store) {
    std::string out;
    for (const auto& [key, record] : store.all())
        out += "sk " + key.first.to_string() + " " + to_hex(key.second) + " " + to_hex(record.span()) + "\n";
    return out;
}

std::string store_snapshot(MemoryProtocolStore& store) {
    std::string out;
    for (const auto& [who, key] : store.identities().all())
        out += "id " + who.to_string() + " " + to_hex(key.serialize()) + "\n";
    for (const auto& [id, record] : store.pre_keys().all()) out += "pk " + to_hex(record.serialize().span()) + "\n";
    for (const auto& [id, record] : store.signed_pre_keys().all())
        out += "spk " + to_hex(record.serialize().span()) + "\n";
    for (const auto& [id, held] : store.kyber_pre_keys().all())
        out += std::string(held.kind == KyberPreKeyKind::last_resort ? "kpk last-resort " : "kpk one-time ") +
               to_hex(held.record.serialize().span()) + "\n";
    for (const auto& [kyber_id, signed_id, base_key] : store.kyber_pre_keys().uses())
        out += "used " + std::to_string(kyber_id) + " " + std::to_string(signed_id) + " " + to_hex(base_key) + "\n";
    for (const auto& [who, record] : store.sessions().all())
        out += "session " + who.to_string() + " " + to_hex(record.serialize().span()) + "\n";
    out += store_snapshot(store.sender_keys());
    if (const auto ids = store.pre_key_metadata().load_pre_key_metadata())
        out += "ids " + std::to_string(ids->next_pre_key_id) + " " + std::to_string(ids->next_signed_pre_key_id) +
               " " + std::to_string(ids->next_kyber_pre_key_id) + "\n";
    return out;
}

}  // namespace cliquet
