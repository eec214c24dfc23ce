#include "cliquet/memory_store.hpp"

namespace cliquet {
namespace {

template <typename Map, typename Key>
auto find_copy(const Map& map, const Key& key) -> std::optional<typename Map::mapped_type> {
    const auto it = map.find(key);
    if (it == map.end()) return std::nullopt;
    return it->second;
}

template <typename Map, typename Key, typename Value>
void put(Map& map, const Key& key, Value&& value) {
    const auto it = map.find(key);
    if (it == map.end()) {
        map.emplace(key, std::forward<Value>(value));
    } else {
        it->second = std::forward<Value>(value);
    }
}

// Adds a pre-key record under an id not yet held.
template <typename Map, typename Value>
void put_new(Map& map, typename Map::key_type id, Value&& value, std::string_view kind) {
    if (!map.try_emplace(id, std::forward<Value>(value)).second) throw pre_key_id_taken(kind, id);
}

template <typename Map>
auto keys_of(const Map& map) {
    std::vector<typename Map::key_type> keys;
    keys.reserve(map.size());
    for (const auto& entry : map) keys.push_back(entry.first);
    return keys;
}

// The sessions of account `name`: addresses order by name first.
template <typename Map>
auto sessions_of(Map& map, std::string_view name) {
    const auto first = map.lower_bound(ProtocolAddress{std::string(name), 0});
    auto last = first;
    while (last != map.end() && last->first.name == name) ++last;
    return std::make_pair(first, last);
}

}  // namespace

std::optional<IdentityKey> MemoryIdentityKeyStore::identity(const ProtocolAddress& address) const {
    return find_copy(known_, address);
}

IdentityChange MemoryIdentityKeyStore::save_identity(const ProtocolAddress& address, const IdentityKey& key) {
    const auto it = known_.find(address);
    if (it == known_.end()) {
        known_.emplace(address, key);
        return IdentityChange::new_identity;
    }
    if (it->second == key) return IdentityChange::unchanged;
    it->second = key;
    return IdentityChange::replaced;
}

std::optional<PreKeyRecord> MemoryPreKeyStore::load_pre_key(PreKeyId id) const { return find_copy(records_, id); }
void MemoryPreKeyStore::store_pre_key(const PreKeyRecord& record) {
    put_new(records_, record.id(), record, "one-time pre-key");
}
void MemoryPreKeyStore::remove_pre_key(PreKeyId id) { records_.erase(id); }
std::vector<PreKeyId> MemoryPreKeyStore::pre_key_ids() const { return keys_of(records_); }

std::optional<SignedPreKeyRecord> MemorySignedPreKeyStore::load_signed_pre_key(SignedPreKeyId id) const {
    return find_copy(records_, id);
}
void MemorySignedPreKeyStore::store_signed_pre_key(const SignedPreKeyRecord& record) {
    put_new(records_, record.id(), record, "signed pre-key");
}
void MemorySignedPreKeyStore::remove_signed_pre_key(SignedPreKeyId id) { records_.erase(id); }
std::vector<SignedPreKeyId> MemorySignedPreKeyStore::signed_pre_key_ids() const { return keys_of(records_); }

std::optional<KyberPreKeyRecord> MemoryKyberPreKeyStore::load_kyber_pre_key(KyberPreKeyId id) const {
    const auto it = records_.find(id);
    if (it == records_.end()) return std::nullopt;
    return it->second.record;
}
void MemoryKyberPreKeyStore::store_kyber_pre_key(const KyberPreKeyRecord& record, KyberPreKeyKind kind) {
    put_new(records_, record.id(), Held{record, kind}, "Kyber pre-key");
}
void MemoryKyberPreKeyStore::mark_kyber_pre_key_used(KyberPreKeyId id, SignedPreKeyId signed_pre_key_id,
                                                     const PublicKey& base_key) {
    const auto it = records_.find(id);
    if (it == records_.end())
        throw Error(ErrorCode::invalid_prekey, "no Kyber pre-key " + std::to_string(id) + " (unknown or already used)");
    if (it->second.kind == KyberPreKeyKind::one_time) {
        records_.erase(it);
        return;
    }
    if (!uses_.emplace(id, signed_pre_key_id, base_key.serialize()).second)
        throw Error(ErrorCode::invalid_message, "reused base key");
}
void MemoryKyberPreKeyStore::remove_kyber_pre_key(KyberPreKeyId id) {
    records_.erase(id);
    const auto first = uses_.lower_bound(Use{id, 0, Bytes{}});
    auto last = first;
    while (last != uses_.end() && std::get<0>(*last) == id) ++last;
    uses_.erase(first, last);
}
std::vector<KyberPreKeyEntry> MemoryKyberPreKeyStore::kyber_pre_keys() const {
    std::vector<KyberPreKeyEntry> entries;
    entries.reserve(records_.size());
    for (const auto& [id, held] : records_) entries.push_back({id, held.kind});
    return entries;
}

std::optional<SessionRecord> MemorySessionStore::load_session(const ProtocolAddress& address) const {
    return find_copy(records_, address);
}
void MemorySessionStore::store_session(const ProtocolAddress& address, SessionRecord record) {
    put(records_, address, std::move(record));
}
bool MemorySessionStore::update_session(const ProtocolAddress& address, FunctionRef<bool(SessionRecord&)> update) {
    const auto it = records_.find(address);
    if (it == records_.end()) return false;
    update(it->second);
    return true;
}
std::vector<std::uint32_t> MemorySessionStore::session_device_ids(std::string_view name) const {
    std::vector<std::uint32_t> ids;
    const auto [first, last] = sessions_of(records_, name);
    for (auto it = first; it != last; ++it) ids.push_back(it->first.device_id);
    return ids;
}
void MemorySessionStore::delete_session(const ProtocolAddress& address) { records_.erase(address); }
std::size_t MemorySessionStore::delete_all_sessions(std::string_view name) {
    const auto [first, last] = sessions_of(records_, name);
    const auto count = static_cast<std::size_t>(std::distance(first, last));
    records_.erase(first, last);
    return count;
}

std::optional<SecretBytes> MemorySenderKeyStore::load_sender_key(const ProtocolAddress& sender,
                                                                 const DistributionId& distribution_id) const {
    return find_copy(records_, std::make_pair(sender, distribution_id));
}
void MemorySenderKeyStore::store_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id,
                                            ByteView record) {
    put(records_, std::make_pair(sender, distribution_id), SecretBytes(record));
}
std::vector<SenderKeyName> MemorySenderKeyStore::sender_key_names() const {
    std::vector<SenderKeyName> names;
    names.reserve(records_.size());
    for (const auto& entry : records_) names.push_back({entry.first.first, entry.first.second});
    return names;
}
void MemorySenderKeyStore::delete_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id) {
    records_.erase(std::make_pair(sender, distribution_id));
}

}  // namespace cliquet
