// SqliteStore: its store interfaces (sqlite_stores.cpp) over one Database,
// whose writes commit with the integrity record (sqlite_database.cpp), and
// the entry points that create and open the file (sqlite_opening.cpp).
#include "cliquet/sqlite_store.hpp"

#include "cliquet/error.hpp"
#include "store/sqlite_opening.hpp"
#include "store/sqlite_stores.hpp"

namespace cliquet {

struct SqliteStore::Impl {
    Impl(store::CheckedFile file, std::shared_ptr<RollbackGuard> guard)
        : database(std::move(file.connection), std::move(file.codec), file.id, std::move(file.integrity),
                   std::move(guard)),
          identities(database, std::move(file.device)),
          pre_keys(database),
          signed_pre_keys(database),
          kyber_pre_keys(database),
          sessions(database),
          sender_keys(database),
          pre_key_metadata(database) {}

    store::Database database;
    store::Identities identities;
    store::PreKeys pre_keys;
    store::SignedPreKeys signed_pre_keys;
    store::KyberPreKeys kyber_pre_keys;
    store::Sessions sessions;
    store::SenderKeys sender_keys;
    store::PreKeyMetadataRow pre_key_metadata;
};

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStore::~SqliteStore() = default;

std::unique_ptr<SqliteStore> SqliteStore::create(const std::string& path, const LocalDevice& device,
                                                 const SqliteStoreOptions& options) {
    store::create_file(path, device, options);
    return open(path, options);
}

std::unique_ptr<SqliteStore> SqliteStore::open(const std::string& path, const SqliteStoreOptions& options) {
    return std::unique_ptr<SqliteStore>(new SqliteStore(std::make_unique<Impl>(
        store::open_file(path, options, store::BehindGuard::refuse), options.rollback_guard)));
}

std::unique_ptr<SqliteStore> SqliteStore::open_after_rollback(const std::string& path,
                                                              const SqliteStoreOptions& options) {
    if (!options.rollback_guard)
        throw Error(ErrorCode::invalid_argument, "open_after_rollback needs the rollback guard that refused the file");
    return std::unique_ptr<SqliteStore>(new SqliteStore(std::make_unique<Impl>(
        store::open_file(path, options, store::BehindGuard::recover), options.rollback_guard)));
}

const ProtocolAddress& SqliteStore::local_address() const noexcept { return impl_->identities.local_address(); }

IdentityKeyStore& SqliteStore::identities() { return impl_->identities; }
PreKeyStore& SqliteStore::pre_keys() { return impl_->pre_keys; }
SignedPreKeyStore& SqliteStore::signed_pre_keys() { return impl_->signed_pre_keys; }
KyberPreKeyStore& SqliteStore::kyber_pre_keys() { return impl_->kyber_pre_keys; }
SessionStore& SqliteStore::sessions() { return impl_->sessions; }
SenderKeyStore& SqliteStore::sender_keys() { return impl_->sender_keys; }
PreKeyMetadataStore& SqliteStore::pre_key_metadata() { return impl_->pre_key_metadata; }

void SqliteStore::run_atomically(const std::function<void()>& writes) { impl_->database.run_atomically(writes); }

}  // namespace cliquet
