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

}  // namespace

std::optional<IdentityKey> MemoryIdentityKeyStore::identity(const ProtocolAddress& address) const {
    return find_copy(known_, address);
}

bool MemoryIdentityKeyStore::save_identity(const ProtocolAddress& address, const IdentityKey& key) {
    const auto it = known_.find(address);
    if (it == known_.end()) {
        known_.emplace(address, key);
        return false;
    }
    const bool replaced = it->second != key;
    it->second = key;
    return replaced;
}

std::optional<PreKeyRecord> MemoryPreKeyStore::load_pre_key(PreKeyId id) const { return find_copy(records_, id); }
void MemoryPreKeyStore::store_pre_key(const PreKeyRecord& record) { put(records_, record.id(), record); }
void MemoryPreKeyStore::remove_pre_key(PreKeyId id) { records_.erase(id); }

std::optional<SignedPreKeyRecord> MemorySignedPreKeyStore::load_signed_pre_key(SignedPreKeyId id) const {
    return find_copy(records_, id);
}
void MemorySignedPreKeyStore::store_signed_pre_key(const SignedPreKeyRecord& record) {
    put(records_, record.id(), record);
}

std::optional<KyberPreKeyRecord> MemoryKyberPreKeyStore::load_kyber_pre_key(KyberPreKeyId id) const {
    return find_copy(records_, id);
}
void MemoryKyberPreKeyStore::store_kyber_pre_key(const KyberPreKeyRecord& record) {
    put(records_, record.id(), record);
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

std::optional<SecretBytes> MemorySenderKeyStore::load_sender_key(const ProtocolAddress& sender,
                                                                 const DistributionId& distribution_id) const {
    return find_copy(records_, std::make_pair(sender, distribution_id));
}
void MemorySenderKeyStore::store_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id,
                                            ByteView record) {
    put(records_, std::make_pair(sender, distribution_id), SecretBytes(record));
}

}  // namespace cliquet
