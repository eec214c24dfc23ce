#include "cliquet/pre_key_manager.hpp"

#include <algorithm>
#include <set>
#include <string>

#include "cliquet/error.hpp"

namespace cliquet {
namespace {

using IdSet = std::set<std::uint32_t>;

template <typename Ids>
IdSet id_set(const Ids& ids) {
    IdSet out;
    for (const auto id : ids) out.insert(id);
    return out;
}

// A counter in 1 ..= kMaxManagedPreKeyId; anything else (an app's own
// value) is brought into that range.
std::uint32_t in_range(std::uint32_t id) {
    return id >= 1 && id <= kMaxManagedPreKeyId ? id : id % kMaxManagedPreKeyId + 1;
}

std::uint32_t random_start(RandomSource& random) {
    std::array<std::uint8_t, 4> bytes{};
    random.fill(bytes);
    const std::uint32_t value = (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
                                (std::uint32_t{bytes[2]} << 8) | bytes[3];
    return value % kMaxManagedPreKeyId + 1;
}

// The id at `next`, or the first after it that `taken` does not hold;
// advances `next` past it, wrapping within 24 bits, and marks it taken.
template <typename Id>
Id take_id(Id& next, IdSet& taken, const char* kind) {
    std::uint32_t candidate = in_range(next);
    for (std::uint32_t tries = 0; tries < kMaxManagedPreKeyId; ++tries) {
        const std::uint32_t id = candidate;
        candidate = id % kMaxManagedPreKeyId + 1;
        if (taken.insert(id).second) {
            next = candidate;
            return id;
        }
    }
    throw Error(ErrorCode::invalid_argument, std::string("every ") + kind + " id is in use");
}

PublicPreKey public_of(const PreKeyRecord& record) { return {record.id(), record.key_pair().public_key}; }
PublicSignedPreKey public_of(const SignedPreKeyRecord& record) {
    return {record.id(), record.key_pair().public_key, record.signature()};
}
PublicKyberPreKey public_of(const KyberPreKeyRecord& record) {
    return {record.id(), record.key_pair().public_key, record.signature()};
}

// The keys of one rotating kind held now, with their ages.
template <typename Id>
struct Dated {
    Timestamp made_at;
    Id id;
};

// Which of `keys` (none of them `current`) to delete at `now`: those
// replaced by a newer key at least `grace` ago. A key is replaced when the
// next newer one is made.
template <typename Id>
std::vector<Id> past_grace(std::vector<Dated<Id>> keys, std::optional<Id> current, Timestamp now,
                           std::chrono::milliseconds grace) {
    std::sort(keys.begin(), keys.end(), [](const Dated<Id>& a, const Dated<Id>& b) {
        return a.made_at != b.made_at ? a.made_at < b.made_at : a.id.value() < b.id.value();
    });
    std::vector<Id> expired;
    for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
        if (current && keys[i].id.value() == current->value()) continue;
        if (keys[i + 1].made_at + grace <= now) expired.push_back(keys[i].id);
    }
    return expired;
}

}  // namespace

// What one call will write, computed before anything is: new keys under
// ids taken from the counters, the metadata after them, keys to delete.
struct PreKeyManager::Plan {
    Plan(ProtocolStore& store, PreKeyMetadata start, RandomSource& random_source, Timestamp at)
        : metadata(start), identity(store.identities().identity_key_pair()), random(random_source), now(at) {
        pre_key_ids = id_set(store.pre_keys().pre_key_ids());
        signed_pre_key_ids = id_set(store.signed_pre_keys().signed_pre_key_ids());
        for (const KyberPreKeyEntry& entry : store.kyber_pre_keys().kyber_pre_keys())
            kyber_pre_key_ids.insert(entry.id);
    }

    void add_one_time_pre_keys(std::size_t count) {
        for (std::size_t i = 0; i < count; ++i)
            pre_keys.push_back(
                PreKeyRecord::generate(take_id(metadata.next_pre_key_id, pre_key_ids, "one-time pre-key"), random));
    }
    void add_one_time_kyber_pre_keys(std::size_t count) {
        for (std::size_t i = 0; i < count; ++i)
            one_time_kyber_pre_keys.push_back(KyberPreKeyRecord::generate(
                take_id(metadata.next_kyber_pre_key_id, kyber_pre_key_ids, "Kyber pre-key"), identity, now, random));
    }
    // A new current signed pre-key; returns its id.
    SignedPreKeyId add_signed_pre_key() {
        const SignedPreKeyId id = take_id(metadata.next_signed_pre_key_id, signed_pre_key_ids, "signed pre-key");
        signed_pre_key = SignedPreKeyRecord::generate(id, identity, now, random);
        metadata.current_signed_pre_key_id = id;
        return id;
    }
    // A new current last-resort Kyber pre-key; returns its id.
    KyberPreKeyId add_last_resort_kyber_pre_key() {
        const KyberPreKeyId id = take_id(metadata.next_kyber_pre_key_id, kyber_pre_key_ids, "Kyber pre-key");
        last_resort_kyber_pre_key = KyberPreKeyRecord::generate(id, identity, now, random);
        metadata.current_last_resort_kyber_pre_key_id = id;
        return id;
    }

    // The public halves of every new key.
    PreKeyUpload upload() const {
        PreKeyUpload out;
        if (signed_pre_key) out.signed_pre_key = public_of(*signed_pre_key);
        if (last_resort_kyber_pre_key) out.last_resort_kyber_pre_key = public_of(*last_resort_kyber_pre_key);
        for (const PreKeyRecord& record : pre_keys) out.one_time_pre_keys.push_back(public_of(record));
        for (const KyberPreKeyRecord& record : one_time_kyber_pre_keys)
            out.one_time_kyber_pre_keys.push_back(public_of(record));
        return out;
    }

    PreKeyMetadata metadata;
    const IdentityKeyPair& identity;
    RandomSource& random;
    Timestamp now;
    IdSet pre_key_ids, signed_pre_key_ids, kyber_pre_key_ids;
    std::vector<PreKeyRecord> pre_keys;
    std::vector<KyberPreKeyRecord> one_time_kyber_pre_keys;
    std::optional<SignedPreKeyRecord> signed_pre_key;
    std::optional<KyberPreKeyRecord> last_resort_kyber_pre_key;
    std::vector<SignedPreKeyId> expired_signed_pre_keys;
    std::vector<KyberPreKeyId> expired_kyber_pre_keys;
};

PreKeyManager::PreKeyManager(ProtocolStore& store, PreKeySchedule schedule, RandomSource& random, Clock clock)
    : store_(store), schedule_(schedule), random_(random), clock_(std::move(clock)) {}

PreKeyMetadata PreKeyManager::load_metadata() const {
    if (auto stored = store_.pre_key_metadata().load_pre_key_metadata()) return *stored;
    PreKeyMetadata fresh;
    fresh.next_pre_key_id = random_start(random_);
    fresh.next_signed_pre_key_id = random_start(random_);
    fresh.next_kyber_pre_key_id = random_start(random_);
    return fresh;
}

UnusedPreKeyCounts PreKeyManager::unused_counts() const {
    UnusedPreKeyCounts counts;
    counts.one_time_pre_keys = store_.pre_keys().pre_key_ids().size();
    for (const KyberPreKeyEntry& entry : store_.kyber_pre_keys().kyber_pre_keys())
        if (entry.kind == KyberPreKeyKind::one_time) ++counts.one_time_kyber_pre_keys;
    return counts;
}

void PreKeyManager::commit(Plan& plan) {
    store_.run_atomically([&] {
        for (const PreKeyRecord& record : plan.pre_keys) store_.pre_keys().store_pre_key(record);
        for (const KyberPreKeyRecord& record : plan.one_time_kyber_pre_keys)
            store_.kyber_pre_keys().store_kyber_pre_key(record, KyberPreKeyKind::one_time);
        if (plan.signed_pre_key) store_.signed_pre_keys().store_signed_pre_key(*plan.signed_pre_key);
        if (plan.last_resort_kyber_pre_key)
            store_.kyber_pre_keys().store_kyber_pre_key(*plan.last_resort_kyber_pre_key, KyberPreKeyKind::last_resort);
        for (SignedPreKeyId id : plan.expired_signed_pre_keys) store_.signed_pre_keys().remove_signed_pre_key(id);
        for (KyberPreKeyId id : plan.expired_kyber_pre_keys) store_.kyber_pre_keys().remove_kyber_pre_key(id);
        store_.pre_key_metadata().store_pre_key_metadata(plan.metadata);
    });
}

std::vector<PublicPreKey> PreKeyManager::generate_one_time_pre_keys(std::size_t count) {
    Plan plan(store_, load_metadata(), random_, current_time(clock_));
    plan.add_one_time_pre_keys(count);
    commit(plan);
    return plan.upload().one_time_pre_keys;
}

std::vector<PublicKyberPreKey> PreKeyManager::generate_one_time_kyber_pre_keys(std::size_t count) {
    Plan plan(store_, load_metadata(), random_, current_time(clock_));
    plan.add_one_time_kyber_pre_keys(count);
    commit(plan);
    return plan.upload().one_time_kyber_pre_keys;
}

PublicSignedPreKey PreKeyManager::rotate_signed_pre_key() {
    Plan plan(store_, load_metadata(), random_, current_time(clock_));
    plan.add_signed_pre_key();
    commit(plan);
    return *plan.upload().signed_pre_key;
}

PublicKyberPreKey PreKeyManager::rotate_last_resort_kyber_pre_key() {
    Plan plan(store_, load_metadata(), random_, current_time(clock_));
    plan.add_last_resort_kyber_pre_key();
    commit(plan);
    return *plan.upload().last_resort_kyber_pre_key;
}

PreKeyUpload PreKeyManager::run_schedule() {
    const Timestamp now = current_time(clock_);
    Plan plan(store_, load_metadata(), random_, now);

    const UnusedPreKeyCounts unused = unused_counts();
    if (unused.one_time_pre_keys < schedule_.replenish_below) plan.add_one_time_pre_keys(schedule_.batch_size);
    if (unused.one_time_kyber_pre_keys < schedule_.replenish_below)
        plan.add_one_time_kyber_pre_keys(schedule_.batch_size);

    // The signed pre-key and the last-resort Kyber pre-key: each replaced
    // (by `add`) when `current` names none of `keys` or one that is due; the
    // ones it replaced go once their grace period is over. One-time Kyber
    // keys are not rotated.
    const auto rotate = [&](auto keys, const auto& current, auto add) {
        const auto found = std::find_if(keys.begin(), keys.end(), [&](const auto& key) {
            return current && key.id.value() == current->value();
        });
        if (found == keys.end() || found->made_at + schedule_.rotation_interval <= now) keys.push_back({now, add()});
        return past_grace(keys, current, now, schedule_.grace_period);
    };
    std::vector<Dated<SignedPreKeyId>> signed_keys;
    for (SignedPreKeyId id : store_.signed_pre_keys().signed_pre_key_ids())
        if (auto record = store_.signed_pre_keys().load_signed_pre_key(id)) signed_keys.push_back({record->timestamp(), id});
    plan.expired_signed_pre_keys =
        rotate(signed_keys, plan.metadata.current_signed_pre_key_id, [&] { return plan.add_signed_pre_key(); });
    std::vector<Dated<KyberPreKeyId>> last_resort_keys;
    for (const KyberPreKeyEntry& entry : store_.kyber_pre_keys().kyber_pre_keys())
        if (entry.kind == KyberPreKeyKind::last_resort)
            if (auto record = store_.kyber_pre_keys().load_kyber_pre_key(entry.id))
                last_resort_keys.push_back({record->timestamp(), entry.id});
    plan.expired_kyber_pre_keys = rotate(last_resort_keys, plan.metadata.current_last_resort_kyber_pre_key_id,
                                         [&] { return plan.add_last_resort_kyber_pre_key(); });

    commit(plan);
    return plan.upload();
}

PreKeyUpload PreKeyManager::upload_set() const {
    PreKeyUpload upload;
    const auto metadata = store_.pre_key_metadata().load_pre_key_metadata();
    if (metadata && metadata->current_signed_pre_key_id)
        if (auto record = store_.signed_pre_keys().load_signed_pre_key(*metadata->current_signed_pre_key_id))
            upload.signed_pre_key = public_of(*record);
    if (metadata && metadata->current_last_resort_kyber_pre_key_id)
        if (auto record = store_.kyber_pre_keys().load_kyber_pre_key(*metadata->current_last_resort_kyber_pre_key_id))
            upload.last_resort_kyber_pre_key = public_of(*record);
    for (PreKeyId id : store_.pre_keys().pre_key_ids())
        if (auto record = store_.pre_keys().load_pre_key(id)) upload.one_time_pre_keys.push_back(public_of(*record));
    for (const KyberPreKeyEntry& entry : store_.kyber_pre_keys().kyber_pre_keys())
        if (entry.kind == KyberPreKeyKind::one_time)
            if (auto record = store_.kyber_pre_keys().load_kyber_pre_key(entry.id))
                upload.one_time_kyber_pre_keys.push_back(public_of(*record));
    return upload;
}

}  // namespace cliquet
