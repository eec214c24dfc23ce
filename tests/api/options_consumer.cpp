// An application's use of the options structs, compiled as a consumer
// compiles it: designated initializers that name some fields and leave the
// others to their defaults must not warn under -Wall -Wextra -Wpedantic
// -Wshadow -Wconversion (tests/api/check_options_consumer.sh). Nothing here
// runs; compiling is the test.
#include <cliquet/cliquet.hpp>

#include <chrono>
#include <memory>

namespace consumer {

using namespace std::chrono_literals;

class CountingGuard final : public cliquet::RollbackGuard {
public:
    std::uint64_t last_commit() override { return last_; }
    void record_commit(std::uint64_t commit) noexcept override { last_ = commit; }

private:
    std::uint64_t last_ = 0;
};

cliquet::Timestamp fixed_clock() { return cliquet::timestamp_from_unix_ms(1'700'000'000'000); }

cliquet::SessionOptions session_options() {
    const cliquet::SessionRequirements requirements{.pqxdh = true};
    cliquet::SessionOptions options{.pq_ratchet = cliquet::PqRatchetPolicy::offer};
    options = {.requirements = requirements};
    options = {.clock = fixed_clock};
    options = {.pq_ratchet = cliquet::PqRatchetPolicy::require, .requirements = cliquet::SessionRequirements::all()};
    return options;
}

cliquet::SessionRequirements requirements() {
    return {.not_stale = false, .spqr = true};
}

cliquet::SqliteStoreOptions sqlite_options() {
    cliquet::SqliteStoreOptions options{.durability = cliquet::Durability::process_crash};
    options = {.erasure = cliquet::Erasure::deferred};
    options = {.rollback_guard = std::make_shared<CountingGuard>()};
    options = {.storage_key = cliquet::StorageKey{}, .durability = cliquet::Durability::power_loss};
    return options;
}

cliquet::PreKeySchedule pre_key_schedule() {
    cliquet::PreKeySchedule schedule{.batch_size = 50};
    schedule = {.replenish_below = 5, .rotation_interval = std::chrono::days{7}};
    schedule = {.grace_period = 24h};
    return schedule;
}

}  // namespace consumer

int main() {
    const auto session = consumer::session_options();
    const auto sqlite = consumer::sqlite_options();
    const auto schedule = consumer::pre_key_schedule();
    const auto required = consumer::requirements();
    return session.requirements.pqxdh && sqlite.erasure == cliquet::Erasure::on_commit && schedule.batch_size > 0 &&
                   required.spqr
               ? 0
               : 1;
}
