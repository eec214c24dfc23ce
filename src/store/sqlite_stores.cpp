// The statements of a SqliteStore, and the store interfaces over them.
#include "store/sqlite_stores.hpp"

#include <limits>
#include <string>

#include "cliquet/error.hpp"
#include "store/sqlite_integrity.hpp"
#include "store/sqlite_schema.hpp"

namespace cliquet::store {

Database::Database(Connection opened, RowCodec row_codec, const DatabaseId& id, Integrity state,
                   std::shared_ptr<RollbackGuard> rollback_guard)
    : connection(std::move(opened)),
      codec(std::move(row_codec)),
      database_id(id),
      integrity(std::move(state)),
      guard(std::move(rollback_guard)),
      begin(connection.handle(), "BEGIN IMMEDIATE"),
      commit(connection.handle(), "COMMIT"),
      rollback(connection.handle(), "ROLLBACK"),
      savepoint(connection.handle(), "SAVEPOINT nested"),
      release_savepoint(connection.handle(), "RELEASE nested"),
      rollback_to_savepoint(connection.handle(), "ROLLBACK TO nested"),
      update_state(connection.handle(), kUpdateState),
      upsert_state(connection.handle(), kUpsertState),
      select_identity(connection.handle(), "SELECT identity_key FROM identities WHERE name = ?1 AND device_id = ?2"),
      upsert_identity(connection.handle(),
                      "INSERT INTO identities (name, device_id, identity_key) VALUES (?1, ?2, ?3) "
                      "ON CONFLICT (name, device_id) DO UPDATE SET identity_key = excluded.identity_key"),
      // Pre-keys are only ever added: an id already held is left alone and
      // the store sees that no row changed.
      select_pre_key(connection.handle(), "SELECT record FROM pre_keys WHERE id = ?1"),
      insert_pre_key(connection.handle(), "INSERT INTO pre_keys (id, record) VALUES (?1, ?2) ON CONFLICT DO NOTHING"),
      delete_pre_key(connection.handle(), "DELETE FROM pre_keys WHERE id = ?1 RETURNING substr(record, 1, 24)"),
      list_pre_keys(connection.handle(), "SELECT id FROM pre_keys ORDER BY id"),
      select_signed_pre_key(connection.handle(), "SELECT record FROM signed_pre_keys WHERE id = ?1"),
      insert_signed_pre_key(connection.handle(),
                            "INSERT INTO signed_pre_keys (id, record) VALUES (?1, ?2) ON CONFLICT DO NOTHING"),
      delete_signed_pre_key(connection.handle(),
                            "DELETE FROM signed_pre_keys WHERE id = ?1 RETURNING substr(record, 1, 24)"),
      list_signed_pre_keys(connection.handle(), "SELECT id FROM signed_pre_keys ORDER BY id"),
      select_kyber_pre_key(connection.handle(), "SELECT record FROM kyber_pre_keys WHERE id = ?1"),
      insert_kyber_pre_key(connection.handle(),
                           "INSERT INTO kyber_pre_keys (id, record, last_resort) VALUES (?1, ?2, ?3) "
                           "ON CONFLICT DO NOTHING"),
      select_kyber_pre_key_kind(connection.handle(), "SELECT last_resort FROM kyber_pre_keys WHERE id = ?1"),
      delete_kyber_pre_key(connection.handle(),
                           "DELETE FROM kyber_pre_keys WHERE id = ?1 RETURNING substr(record, 1, 24), last_resort"),
      insert_kyber_base_key(connection.handle(),
                            "INSERT INTO kyber_base_keys_used (kyber_pre_key_id, signed_pre_key_id, base_key) "
                            "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING"),
      delete_kyber_base_keys(connection.handle(),
                             "DELETE FROM kyber_base_keys_used WHERE kyber_pre_key_id = ?1 "
                             "RETURNING signed_pre_key_id, base_key"),
      list_kyber_pre_keys(connection.handle(), "SELECT id, last_resort FROM kyber_pre_keys ORDER BY id"),
      select_session(connection.handle(), "SELECT record FROM sessions WHERE name = ?1 AND device_id = ?2"),
      update_session(connection.handle(), "UPDATE sessions SET record = ?3 WHERE name = ?1 AND device_id = ?2"),
      insert_session(connection.handle(), "INSERT INTO sessions (name, device_id, record) VALUES (?1, ?2, ?3)"),
      list_session_devices(connection.handle(), "SELECT device_id FROM sessions WHERE name = ?1 ORDER BY device_id"),
      delete_session(connection.handle(),
                     "DELETE FROM sessions WHERE name = ?1 AND device_id = ?2 RETURNING substr(record, 1, 24)"),
      delete_sessions_of(connection.handle(),
                         "DELETE FROM sessions WHERE name = ?1 RETURNING device_id, substr(record, 1, 24)"),
      select_sender_key(connection.handle(),
                        "SELECT record FROM sender_keys WHERE name = ?1 AND device_id = ?2 AND distribution_id = ?3"),
      upsert_sender_key(connection.handle(),
                        "INSERT INTO sender_keys (name, device_id, distribution_id, record) VALUES (?1, ?2, ?3, ?4) "
                        "ON CONFLICT (name, device_id, distribution_id) DO UPDATE SET record = excluded.record"),
      list_sender_keys(connection.handle(),
                       "SELECT name, device_id, distribution_id FROM sender_keys ORDER BY name, device_id, "
                       "distribution_id"),
      delete_sender_key(connection.handle(),
                        "DELETE FROM sender_keys WHERE name = ?1 AND device_id = ?2 AND distribution_id = ?3 "
                        "RETURNING substr(record, 1, 24)"),
      select_pre_key_metadata(connection.handle(),
                              "SELECT next_pre_key_id, next_signed_pre_key_id, next_kyber_pre_key_id, "
                              "current_signed_pre_key_id, current_last_resort_kyber_pre_key_id "
                              "FROM pre_key_metadata WHERE singleton = 1"),
      upsert_pre_key_metadata(connection.handle(),
                              "INSERT OR REPLACE INTO pre_key_metadata (singleton, next_pre_key_id, "
                              "next_signed_pre_key_id, next_kyber_pre_key_id, current_signed_pre_key_id, "
                              "current_last_resort_kyber_pre_key_id) VALUES (1, ?1, ?2, ?3, ?4, ?5)"),
      select_session_version(connection.handle(),
                             "SELECT substr(record, 1, 24) FROM sessions WHERE name = ?1 AND device_id = ?2"),
      select_sender_key_version(connection.handle(),
                                "SELECT substr(record, 1, 24) FROM sender_keys "
                                "WHERE name = ?1 AND device_id = ?2 AND distribution_id = ?3") {}

std::uint32_t stored_u32(std::int64_t value, const char* what) {
    if (value < 0 || value > std::numeric_limits<std::uint32_t>::max())
        throw Error(ErrorCode::storage, std::string("database file is corrupt: ") + what + " out of range");
    return static_cast<std::uint32_t>(value);
}

namespace {

using Lock = std::lock_guard<std::recursive_mutex>;

// The stored value of the one row `select` finds (its key already bound),
// opened at `place`; nothing when there is no such row. `version`, if given,
// receives the row's version for its integrity term.
std::optional<SecretBytes> load_row(Database& db, Statement::Use& select, const RowPlace& place,
                                    std::optional<KeptVersion>* version = nullptr) {
    if (!select.step()) return std::nullopt;
    if (version) *version = db.version_before(select, /*stepped=*/true);
    return db.codec.decode(select.blob(0), place);
}



void require_stored_id(std::uint32_t stored, std::uint32_t requested, const char* what) {
    if (stored != requested)
        throw Error(ErrorCode::storage, std::string(what) + " stored under id " + std::to_string(requested) +
                                            " holds id " + std::to_string(stored));
}

RowPlace id_place(const Database& db, std::string_view table, std::uint32_t id) {
    RowPlace where = db.place(table);
    where.key(id);
    return where;
}

// A pre-key record of type Record from the row `select` names by `id`.
template <typename Record>
std::optional<Record> load_pre_key_row(Database& db, Statement& select, std::string_view table, std::uint32_t id,
                                       const char* what) {
    Lock lock(db.mutex);
    Statement::Use use(select);
    use.bind(1, id);
    const auto stored = load_row(db, use, id_place(db, table, id));
    if (!stored) return std::nullopt;
    Record record = Record::deserialize(stored->span());
    require_stored_id(record.id(), id, what);
    return record;
}

// Adds a pre-key row through `insert` (?1 id, ?2 record, then `extra` as
// ?3 if given, a column kept in clear); an id already held changes nothing
// and is refused.
template <typename Record>
void insert_pre_key_row(Database& db, Tracked tracked, Statement& insert, std::string_view table,
                        const Record& record, std::string_view kind, std::optional<std::int64_t> extra = std::nullopt) {
    const RowPlace where = id_place(db, table, record.id());
    const SecretBytes stored = db.codec.encode(record.serialize().span(), where);
    Lock lock(db.mutex);
    db.write([&] {
        Statement::Use use(insert);
        use.bind(1, record.id()).bind(2, stored.span());
        if (extra) use.bind(3, *extra);
        use.run();
        if (db.changes() == 0) throw pre_key_id_taken(kind, record.id());
        const ClearColumns clear = extra ? ClearColumns{*extra} : ClearColumns{};
        db.integrity.replace(tracked, where, std::nullopt, RowVersion{stored.span(), clear.bytes()});
    });
}

// Removes the row `remove` (a DELETE ... RETURNING the stored value's first
// bytes, then the clear column if `clear_column`) finds by `id`.
void remove_pre_key_row(Database& db, Tracked tracked, Statement& remove, std::string_view table,
                        std::uint32_t id, bool clear_column = false) {
    Lock lock(db.mutex);
    db.write([&] {
        Statement::Use use(remove);
        use.bind(1, id);
        if (!use.step()) return;  // absent: nothing changed
        const ClearColumns clear = clear_column ? ClearColumns{use.integer(1)} : ClearColumns{};
        const std::optional<KeptVersion> before = db.version_before(use, /*stepped=*/true, clear);
        use.run();
        db.integrity.replace(tracked, id_place(db, table, id), before, std::nullopt);
    });
}

// Where a remembered (Kyber pre-key, signed pre-key, base key) lives, for
// its integrity term; `base_key` as the table holds it.
RowPlace base_key_place(const Database& db, std::uint32_t kyber_id, std::int64_t signed_id, ByteView base_key) {
    RowPlace where = db.place(kKyberBaseKeysUsedTable);
    where.key(kyber_id).key(signed_id).key(base_key);
    return where;
}

RowPlace metadata_place(const Database& db) {
    RowPlace where = db.place(kPreKeyMetadataTable);
    where.key(1);
    return where;
}

template <typename Id>
std::vector<Id> list_ids(Database& db, Statement& list, const char* what) {
    Lock lock(db.mutex);
    Statement::Use use(list);
    std::vector<Id> ids;
    while (use.step()) ids.emplace_back(stored_u32(use.integer(0), what));
    return ids;
}

}  // namespace

// ---- identities ---------------------------------------------------------------

RowPlace Identities::place(const ProtocolAddress& address) const {
    RowPlace where = db_.place(kIdentitiesTable);
    where.key(address.name).key(address.device_id);
    return where;
}

std::optional<IdentityKey> Identities::identity(const ProtocolAddress& address) const {
    Lock lock(db_.mutex);
    std::optional<KeptVersion> version;
    return load(address, version);
}

std::optional<IdentityKey> Identities::load(const ProtocolAddress& address, std::optional<KeptVersion>& version) const {
    // A decrypt checks the sender's identity, then saves it: one read.
    if (const IdentityRead* read = db_.identity_read.find(address)) {
        version = read->version;
        return read->key;
    }
    Statement::Use select(db_.select_identity);
    select.bind(1, address.name).bind(2, address.device_id);
    const auto stored = load_row(db_, select, place(address), &version);
    if (!stored) return std::nullopt;
    IdentityKey key = parse_stored([&] { return IdentityKey::deserialize(stored->span()); }, "stored identity key");
    db_.identity_read.remember(address, IdentityRead{key, version});
    return key;
}

IdentityChange Identities::save_identity(const ProtocolAddress& address, const IdentityKey& key) {
    const RowPlace where = place(address);
    Lock lock(db_.mutex);
    IdentityChange change = IdentityChange::unchanged;
    db_.write([&] {
        std::optional<KeptVersion> before;
        const auto known = load(address, before);
        // Every decrypt saves the sender's identity: an unchanged key is not
        // written again (a new seal, one more page to commit).
        if (known && *known == key) return;
        const SecretBytes stored = db_.codec.encode(key.serialize(), where);
        Statement::Use upsert(db_.upsert_identity);
        upsert.bind(1, address.name).bind(2, address.device_id).bind(3, stored.span()).run();
        db_.integrity.replace(Tracked::identities, where, before, RowVersion{stored.span(), {}});
        change = known ? IdentityChange::replaced : IdentityChange::new_identity;
    });
    return change;
}

// ---- one-time and signed pre-keys --------------------------------------------

std::optional<PreKeyRecord> PreKeys::load_pre_key(PreKeyId id) const {
    return load_pre_key_row<PreKeyRecord>(db_, db_.select_pre_key, kPreKeysTable, id, "pre-key record");
}
void PreKeys::store_pre_key(const PreKeyRecord& record) {
    insert_pre_key_row(db_, Tracked::pre_keys, db_.insert_pre_key, kPreKeysTable, record, "one-time pre-key");
}
void PreKeys::remove_pre_key(PreKeyId id) {
    remove_pre_key_row(db_, Tracked::pre_keys, db_.delete_pre_key, kPreKeysTable, id);
}
std::vector<PreKeyId> PreKeys::pre_key_ids() const {
    return list_ids<PreKeyId>(db_, db_.list_pre_keys, "pre-key id");
}

std::optional<SignedPreKeyRecord> SignedPreKeys::load_signed_pre_key(SignedPreKeyId id) const {
    return load_pre_key_row<SignedPreKeyRecord>(db_, db_.select_signed_pre_key, kSignedPreKeysTable, id,
                                                "signed pre-key record");
}
void SignedPreKeys::store_signed_pre_key(const SignedPreKeyRecord& record) {
    insert_pre_key_row(db_, Tracked::signed_pre_keys, db_.insert_signed_pre_key, kSignedPreKeysTable, record,
                       "signed pre-key");
}
void SignedPreKeys::remove_signed_pre_key(SignedPreKeyId id) {
    remove_pre_key_row(db_, Tracked::signed_pre_keys, db_.delete_signed_pre_key, kSignedPreKeysTable, id);
}
std::vector<SignedPreKeyId> SignedPreKeys::signed_pre_key_ids() const {
    return list_ids<SignedPreKeyId>(db_, db_.list_signed_pre_keys, "signed pre-key id");
}

// ---- Kyber pre-keys ----------------------------------------------------------

std::optional<KyberPreKeyRecord> KyberPreKeys::load_kyber_pre_key(KyberPreKeyId id) const {
    return load_pre_key_row<KyberPreKeyRecord>(db_, db_.select_kyber_pre_key, kKyberPreKeysTable, id,
                                               "Kyber pre-key record");
}

void KyberPreKeys::store_kyber_pre_key(const KyberPreKeyRecord& record, KyberPreKeyKind kind) {
    insert_pre_key_row(db_, Tracked::kyber_pre_keys, db_.insert_kyber_pre_key, kKyberPreKeysTable, record,
                       "Kyber pre-key", kind == KyberPreKeyKind::last_resort ? 1 : 0);
}

void KyberPreKeys::mark_kyber_pre_key_used(KyberPreKeyId id, SignedPreKeyId signed_pre_key_id,
                                           const PublicKey& base_key) {
    Lock lock(db_.mutex);
    bool last_resort = false;
    {
        Statement::Use select(db_.select_kyber_pre_key_kind);
        if (!select.bind(1, id).step())
            throw Error(ErrorCode::invalid_pre_key,
                        "no Kyber pre-key " + std::to_string(id) + " (unknown or already used)");
        last_resort = select.integer(0) != 0;
    }
    if (!last_resort) {
        remove_pre_key_row(db_, Tracked::kyber_pre_keys, db_.delete_kyber_pre_key, kKyberPreKeysTable, id,
                           /*clear_column=*/true);
        return;
    }
    const Bytes lookup = db_.codec.lookup_value(base_key.serialize(), db_.database_id, kKyberBaseKeysUsedTable);
    db_.write([&] {
        Statement::Use insert(db_.insert_kyber_base_key);
        insert.bind(1, id).bind(2, signed_pre_key_id).bind(3, ByteView(lookup)).run();
        if (db_.changes() == 0) throw Error(ErrorCode::invalid_message, "reused base key");
        db_.integrity.replace(Tracked::kyber_base_keys_used, base_key_place(db_, id, signed_pre_key_id, lookup),
                              std::nullopt, RowVersion{});
    });
}

void KyberPreKeys::remove_kyber_pre_key(KyberPreKeyId id) {
    Lock lock(db_.mutex);
    db_.write([&] {
        {
            Statement::Use remove(db_.delete_kyber_base_keys);
            remove.bind(1, id);
            while (remove.step())
                db_.integrity.replace(Tracked::kyber_base_keys_used,
                                      base_key_place(db_, id, remove.integer(0), remove.blob(1)), KeptVersion(ByteView()),
                                      std::nullopt);
        }
        remove_pre_key_row(db_, Tracked::kyber_pre_keys, db_.delete_kyber_pre_key, kKyberPreKeysTable, id,
                           /*clear_column=*/true);
    });
}

std::vector<KyberPreKeyEntry> KyberPreKeys::kyber_pre_keys() const {
    Lock lock(db_.mutex);
    Statement::Use use(db_.list_kyber_pre_keys);
    std::vector<KyberPreKeyEntry> entries;
    while (use.step()) {
        const std::uint32_t id = stored_u32(use.integer(0), "Kyber pre-key id");
        entries.push_back({id, use.integer(1) != 0 ? KyberPreKeyKind::last_resort : KyberPreKeyKind::one_time});
    }
    return entries;
}

// ---- sessions ----------------------------------------------------------------

RowPlace Sessions::place(const ProtocolAddress& address) const {
    RowPlace where = db_.place(kSessionsTable);
    where.key(address.name).key(address.device_id);
    return where;
}

std::optional<SessionRecord> Sessions::load_session(const ProtocolAddress& address) const {
    Lock lock(db_.mutex);
    Statement::Use select(db_.select_session);
    select.bind(1, address.name).bind(2, address.device_id);
    std::optional<KeptVersion> version;
    const auto stored = load_row(db_, select, place(address), &version);
    if (!stored) return std::nullopt;
    if (version) db_.session_read.remember(address, *version);
    return SessionRecord::deserialize(stored->span());
}

void Sessions::store_session(const ProtocolAddress& address, SessionRecord record) {
    const RowPlace where = place(address);
    const SecretBytes stored = db_.codec.encode(record.serialize().span(), where);
    Lock lock(db_.mutex);
    db_.write([&] {
        // A decrypt or encrypt has just loaded the row; only a store that
        // did not read it first reads its version here.
        std::optional<KeptVersion> before;
        if (const KeptVersion* read = db_.session_read.find(address)) {
            before = *read;
        } else {
            Statement::Use select(db_.select_session_version);
            select.bind(1, address.name).bind(2, address.device_id);
            before = db_.version_before(select);
        }
        replace(address, where, before, stored);
    });
}

void Sessions::replace(const ProtocolAddress& address, const RowPlace& where,
                       const std::optional<KeptVersion>& before, const SecretBytes& stored) {
    // Most writes replace a session; an UPDATE costs SQLite less than an
    // upsert.
    Statement::Use update(db_.update_session);
    update.bind(1, address.name).bind(2, address.device_id).bind(3, stored.span()).run();
    if (db_.changes() == 0) {
        Statement::Use insert(db_.insert_session);
        insert.bind(1, address.name).bind(2, address.device_id).bind(3, stored.span()).run();
    }
    db_.integrity.replace(Tracked::sessions, where, before, RowVersion{stored.span(), {}});
}

std::vector<std::uint32_t> Sessions::session_device_ids(std::string_view name) const {
    Lock lock(db_.mutex);
    Statement::Use use(db_.list_session_devices);
    use.bind(1, name);
    std::vector<std::uint32_t> ids;
    while (use.step()) ids.push_back(stored_u32(use.integer(0), "device id"));
    return ids;
}

void Sessions::delete_session(const ProtocolAddress& address) {
    Lock lock(db_.mutex);
    db_.write([&] {
        Statement::Use use(db_.delete_session);
        use.bind(1, address.name).bind(2, address.device_id);
        if (!use.step()) return;
        const std::optional<KeptVersion> before = db_.version_before(use, /*stepped=*/true);
        use.run();
        db_.integrity.replace(Tracked::sessions, place(address), before, std::nullopt);
    });
}

std::size_t Sessions::delete_all_sessions(std::string_view name) {
    Lock lock(db_.mutex);
    std::size_t deleted = 0;
    db_.write([&] {
        Statement::Use use(db_.delete_sessions_of);
        use.bind(1, name);
        while (use.step()) {
            const ProtocolAddress address{std::string(name), stored_u32(use.integer(0), "device id")};
            std::optional<KeptVersion> before;
            if (db_.integrity.authenticated()) before.emplace(use.blob(1));
            db_.integrity.replace(Tracked::sessions, place(address), before, std::nullopt);
            ++deleted;
        }
    });
    return deleted;
}

// ---- sender keys -------------------------------------------------------------

RowPlace SenderKeys::place(const ProtocolAddress& sender, const DistributionId& distribution_id) const {
    RowPlace where = db_.place(kSenderKeysTable);
    where.key(sender.name).key(sender.device_id).key(ByteView(distribution_id));
    return where;
}

std::optional<SecretBytes> SenderKeys::load_sender_key(const ProtocolAddress& sender,
                                                       const DistributionId& distribution_id) const {
    Lock lock(db_.mutex);
    Statement::Use select(db_.select_sender_key);
    select.bind(1, sender.name).bind(2, sender.device_id).bind(3, ByteView(distribution_id));
    return load_row(db_, select, place(sender, distribution_id));
}

void SenderKeys::store_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id,
                                  ByteView record) {
    const RowPlace where = place(sender, distribution_id);
    const SecretBytes stored = db_.codec.encode(record, where);
    Lock lock(db_.mutex);
    db_.write([&] {
        std::optional<KeptVersion> before;
        {
            Statement::Use select(db_.select_sender_key_version);
            select.bind(1, sender.name).bind(2, sender.device_id).bind(3, ByteView(distribution_id));
            before = db_.version_before(select);
        }
        Statement::Use upsert(db_.upsert_sender_key);
        upsert.bind(1, sender.name).bind(2, sender.device_id).bind(3, ByteView(distribution_id));
        upsert.bind(4, stored.span()).run();
        db_.integrity.replace(Tracked::sender_keys, where, before, RowVersion{stored.span(), {}});
    });
}

std::vector<SenderKeyName> SenderKeys::sender_key_names() const {
    Lock lock(db_.mutex);
    Statement::Use use(db_.list_sender_keys);
    std::vector<SenderKeyName> names;
    while (use.step()) {
        const ByteView id = use.blob(2);
        if (id.size() != DistributionId{}.size())
            throw Error(ErrorCode::storage, "database file is corrupt: a distribution id is not 16 bytes");
        SenderKeyName& name = names.emplace_back();
        name.sender = ProtocolAddress{use.text(0), stored_u32(use.integer(1), "device id")};
        std::copy(id.begin(), id.end(), name.distribution_id.begin());
    }
    return names;
}

void SenderKeys::delete_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id) {
    Lock lock(db_.mutex);
    db_.write([&] {
        Statement::Use use(db_.delete_sender_key);
        use.bind(1, sender.name).bind(2, sender.device_id).bind(3, ByteView(distribution_id));
        if (!use.step()) return;
        const std::optional<KeptVersion> before = db_.version_before(use, /*stepped=*/true);
        use.run();
        db_.integrity.replace(Tracked::sender_keys, place(sender, distribution_id), before, std::nullopt);
    });
}

// ---- pre-key metadata --------------------------------------------------------

namespace {

// The metadata's columns as its integrity term covers them.
ClearColumns metadata_columns(const PreKeyMetadata& metadata) {
    const auto optional_id = [](const std::optional<std::uint32_t>& id) {
        return id ? std::optional<std::int64_t>(*id) : std::nullopt;
    };
    return ClearColumns{metadata.next_pre_key_id, metadata.next_signed_pre_key_id, metadata.next_kyber_pre_key_id,
                        optional_id(metadata.current_signed_pre_key_id),
                        optional_id(metadata.current_last_resort_kyber_pre_key_id)};
}

}  // namespace

std::optional<PreKeyMetadata> PreKeyMetadataRow::load_pre_key_metadata() const {
    Lock lock(db_.mutex);
    Statement::Use use(db_.select_pre_key_metadata);
    if (!use.step()) return std::nullopt;
    const auto optional_id = [&](int column, const char* what) -> std::optional<std::uint32_t> {
        if (use.is_null(column)) return std::nullopt;
        return stored_u32(use.integer(column), what);
    };
    PreKeyMetadata metadata;
    metadata.next_pre_key_id = stored_u32(use.integer(0), "next pre-key id");
    metadata.next_signed_pre_key_id = stored_u32(use.integer(1), "next signed pre-key id");
    metadata.next_kyber_pre_key_id = stored_u32(use.integer(2), "next Kyber pre-key id");
    if (auto id = optional_id(3, "current signed pre-key id")) metadata.current_signed_pre_key_id = *id;
    if (auto id = optional_id(4, "current last-resort Kyber pre-key id"))
        metadata.current_last_resort_kyber_pre_key_id = *id;
    return metadata;
}

void PreKeyMetadataRow::store_pre_key_metadata(const PreKeyMetadata& metadata) {
    Lock lock(db_.mutex);
    db_.write([&] {
        const std::optional<PreKeyMetadata> old = load_pre_key_metadata();
        Statement::Use use(db_.upsert_pre_key_metadata);
        use.bind(1, metadata.next_pre_key_id).bind(2, metadata.next_signed_pre_key_id);
        use.bind(3, metadata.next_kyber_pre_key_id);
        if (metadata.current_signed_pre_key_id) use.bind(4, *metadata.current_signed_pre_key_id);
        if (metadata.current_last_resort_kyber_pre_key_id)
            use.bind(5, *metadata.current_last_resort_kyber_pre_key_id);
        use.run();
        const ClearColumns after = metadata_columns(metadata);
        std::optional<KeptVersion> before;
        if (old) before.emplace(ByteView(), metadata_columns(*old));
        db_.integrity.replace(Tracked::pre_key_metadata, metadata_place(db_), before, RowVersion{{}, after.bytes()});
    });
}

}  // namespace cliquet::store
