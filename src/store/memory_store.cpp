#include "cliquet/memory_store.hpp"

#include <iterator>
#include <memory>
#include <type_traits>

namespace cliquet {
namespace {

template <typename Map, typename Key>
auto find_copy(const Map& map, const Key& key) -> std::optional<typename Map::mapped_type> {
    const auto it = map.find(key);
    if (it == map.end()) return std::nullopt;
    return it->second;
}

// Adds or replaces map[key]. In a unit, the undo step is made first, and
// the change is then one that cannot fail (an insertion that fails changes
// nothing).
template <typename Map, typename Value>
void put(MemoryUndoLog* undo, Map& map, const typename Map::key_type& key, Value&& value) {
    using Mapped = typename Map::mapped_type;
    static_assert(std::is_nothrow_swappable_v<Mapped>);
    const auto it = map.find(key);
    if (it == map.end()) {
        if (!undo) {
            map.emplace(key, std::forward<Value>(value));
            return;
        }
        std::function<void()> step = [&map, key] { map.erase(key); };
        undo->reserve();
        map.emplace(key, std::forward<Value>(value));
        undo->record(std::move(step));
        return;
    }
    // The new value, made aside; the old one is swapped out into the step.
    // The step holds one shared block (the entry's place and the value it
    // swaps back), small enough for std::function to keep without a second
    // allocation.
    struct Kept {
        typename Map::iterator place;
        Mapped value;
    };
    if (!undo) {
        Mapped replacement(std::forward<Value>(value));
        using std::swap;
        swap(it->second, replacement);
        return;
    }
    auto kept = std::make_shared<Kept>(Kept{it, Mapped(std::forward<Value>(value))});
    std::function<void()> step = [kept] {
        using std::swap;
        swap(kept->place->second, kept->value);
    };
    undo->reserve();
    using std::swap;
    swap(it->second, kept->value);
    undo->record(std::move(step));
}

// Adds a pre-key record under an id not yet held.
template <typename Map, typename Value>
void put_new(MemoryUndoLog* undo, Map& map, typename Map::key_type id, Value&& value, std::string_view kind) {
    if (map.contains(id)) throw pre_key_id_taken(kind, id);
    put(undo, map, id, std::forward<Value>(value));
}

// Removes what `it` points at. In a unit, the node is kept in the undo step,
// which puts it back without allocating.
template <typename Container>
void remove(MemoryUndoLog* undo, Container& container, typename Container::iterator it) {
    if (!undo) {
        container.erase(it);
        return;
    }
    auto node = std::make_shared<typename Container::node_type>();
    std::function<void()> step = [&container, node] { container.insert(std::move(*node)); };
    undo->reserve();
    *node = container.extract(it);
    undo->record(std::move(step));
}

template <typename Container, typename Key>
void remove_key(MemoryUndoLog* undo, Container& container, const Key& key) {
    if (const auto it = container.find(key); it != container.end()) remove(undo, container, it);
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

void MemoryUndoLog::undo_to(std::size_t mark) noexcept {
    while (steps_.size() > mark) {
        steps_.back()();
        steps_.pop_back();
    }
}

void MemoryProtocolStore::use_undo_log(MemoryUndoLog* log) noexcept {
    identities_.undo_ = log;
    pre_keys_.undo_ = log;
    signed_pre_keys_.undo_ = log;
    kyber_pre_keys_.undo_ = log;
    sessions_.undo_ = log;
    sender_keys_.undo_ = log;
    pre_key_metadata_.undo_ = log;
}

void MemoryProtocolStore::run_atomically(const std::function<void()>& writes) {
    // A unit inside another is undone alone if it fails, as a savepoint is.
    if (MemoryUndoLog* outer = identities_.undo_) {
        const std::size_t mark = outer->size();
        try {
            writes();
        } catch (...) {
            outer->undo_to(mark);
            throw;
        }
        return;
    }
    use_undo_log(&undo_log_);
    try {
        writes();
    } catch (...) {
        undo_log_.undo_to(0);
        use_undo_log(nullptr);
        throw;
    }
    use_undo_log(nullptr);
    undo_log_.forget();
}

std::optional<IdentityKey> MemoryIdentityKeyStore::identity(const ProtocolAddress& address) const {
    return find_copy(known_, address);
}

IdentityChange MemoryIdentityKeyStore::save_identity(const ProtocolAddress& address, const IdentityKey& key) {
    const auto it = known_.find(address);
    const IdentityChange change = it == known_.end() ? IdentityChange::new_identity
                                  : it->second == key ? IdentityChange::unchanged
                                                      : IdentityChange::replaced;
    if (change != IdentityChange::unchanged) put(undo_, known_, address, key);
    return change;
}

std::optional<PreKeyRecord> MemoryPreKeyStore::load_pre_key(PreKeyId id) const { return find_copy(records_, id); }
void MemoryPreKeyStore::store_pre_key(const PreKeyRecord& record) {
    put_new(undo_, records_, record.id(), record, "one-time pre-key");
}
void MemoryPreKeyStore::remove_pre_key(PreKeyId id) { remove_key(undo_, records_, id); }
std::vector<PreKeyId> MemoryPreKeyStore::pre_key_ids() const { return keys_of(records_); }

std::optional<SignedPreKeyRecord> MemorySignedPreKeyStore::load_signed_pre_key(SignedPreKeyId id) const {
    return find_copy(records_, id);
}
void MemorySignedPreKeyStore::store_signed_pre_key(const SignedPreKeyRecord& record) {
    put_new(undo_, records_, record.id(), record, "signed pre-key");
}
void MemorySignedPreKeyStore::remove_signed_pre_key(SignedPreKeyId id) { remove_key(undo_, records_, id); }
std::vector<SignedPreKeyId> MemorySignedPreKeyStore::signed_pre_key_ids() const { return keys_of(records_); }

std::optional<KyberPreKeyRecord> MemoryKyberPreKeyStore::load_kyber_pre_key(KyberPreKeyId id) const {
    const auto it = records_.find(id);
    if (it == records_.end()) return std::nullopt;
    return it->second.record;
}
void MemoryKyberPreKeyStore::store_kyber_pre_key(const KyberPreKeyRecord& record, KyberPreKeyKind kind) {
    put_new(undo_, records_, record.id(), Held{record, kind}, "Kyber pre-key");
}
void MemoryKyberPreKeyStore::mark_kyber_pre_key_used(KyberPreKeyId id, SignedPreKeyId signed_pre_key_id,
                                                     const PublicKey& base_key) {
    const auto it = records_.find(id);
    if (it == records_.end())
        throw Error(ErrorCode::invalid_pre_key, "no Kyber pre-key " + std::to_string(id) + " (unknown or already used)");
    if (it->second.kind == KyberPreKeyKind::one_time) {
        remove(undo_, records_, it);
        return;
    }
    Use use{id, signed_pre_key_id, base_key.serialize()};
    if (uses_.contains(use)) throw Error(ErrorCode::invalid_message, "reused base key");
    if (!undo_) {
        uses_.insert(std::move(use));
        return;
    }
    std::function<void()> step = [this, use] { uses_.erase(use); };
    undo_->reserve();
    uses_.insert(std::move(use));
    undo_->record(std::move(step));
}
void MemoryKyberPreKeyStore::remove_kyber_pre_key(KyberPreKeyId id) {
    remove_key(undo_, records_, id);
    for (auto it = uses_.lower_bound(Use{id, 0, Bytes{}}); it != uses_.end() && std::get<0>(*it) == id;) {
        const auto next = std::next(it);
        remove(undo_, uses_, it);
        it = next;
    }
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
    put(undo_, records_, address, std::move(record));
}
std::vector<std::uint32_t> MemorySessionStore::session_device_ids(std::string_view name) const {
    std::vector<std::uint32_t> ids;
    const auto [first, last] = sessions_of(records_, name);
    for (auto it = first; it != last; ++it) ids.push_back(it->first.device_id);
    return ids;
}
void MemorySessionStore::delete_session(const ProtocolAddress& address) { remove_key(undo_, records_, address); }
std::size_t MemorySessionStore::delete_all_sessions(std::string_view name) {
    auto [it, last] = sessions_of(records_, name);
    std::size_t count = 0;
    while (it != last) {
        const auto next = std::next(it);
        remove(undo_, records_, it);
        it = next;
        ++count;
    }
    return count;
}

std::optional<SecretBytes> MemorySenderKeyStore::load_sender_key(const ProtocolAddress& sender,
                                                                 const DistributionId& distribution_id) const {
    return find_copy(records_, std::make_pair(sender, distribution_id));
}
void MemorySenderKeyStore::store_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id,
                                            ByteView record) {
    put(undo_, records_, std::make_pair(sender, distribution_id), SecretBytes(record));
}
std::vector<SenderKeyName> MemorySenderKeyStore::sender_key_names() const {
    std::vector<SenderKeyName> names;
    names.reserve(records_.size());
    for (const auto& entry : records_) names.push_back({entry.first.first, entry.first.second});
    return names;
}
void MemorySenderKeyStore::delete_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id) {
    remove_key(undo_, records_, std::make_pair(sender, distribution_id));
}

void MemoryPreKeyMetadataStore::store_pre_key_metadata(const PreKeyMetadata& metadata) {
    if (undo_) {
        std::function<void()> step = [this, before = metadata_] { metadata_ = before; };
        undo_->reserve();
        undo_->record(std::move(step));
    }
    metadata_ = metadata;
}

}  // namespace cliquet
