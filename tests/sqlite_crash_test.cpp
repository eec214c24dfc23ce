// Crash atomicity of SqliteStore under the library's own operations, plain
// and sealed with a rollback guard (no false alarm after any kill): a
// child process decrypts pre-key messages with its state in a SqliteStore
// and is killed with SIGKILL at random instants, then started again on the
// same file. Each of many senders starts a session with a one-time pre-key,
// so kills land inside decrypts that consume a pre-key and store a session
// in one unit. (interop/test/sqlite_crash.test.js does the same through
// cliquet-peer --db, with replies and group messages.)
#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cliquet/backlog.hpp"
#include "cliquet/cliquet.hpp"
#include "cliquet/session.hpp"
#include "cliquet/sqlite_store.hpp"
#include "session_helpers.hpp"

using namespace cliquet;
using cliquet::testing::Device;

namespace {

constexpr int kSenders = 40;
constexpr int kMessages = 300;
const ProtocolAddress kBob{"bob", 1};
// The sessions here are X3DH (small bundles), which only the opt-in policy accepts.
const SessionOptions kX3dhAllowed{.pq_ratchet = PqRatchetPolicy::offer};

enum class Outcome : std::uint8_t { decrypted = 0, duplicate = 1, refused = 2 };

// Whole reads and writes on a pipe; false when the other end is gone.
bool write_all(int fd, const void* data, std::size_t size) {
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd, bytes, size);
        if (n <= 0) return false;
        bytes += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

bool read_all(int fd, void* data, std::size_t size) {
    auto* bytes = static_cast<std::uint8_t*>(data);
    while (size > 0) {
        const ssize_t n = ::read(fd, bytes, size);
        if (n <= 0) return false;
        bytes += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

// A rollback guard whose counter lives in a file beside the store, replaced
// atomically, so that it survives Bob's kills as a keystore would.
class FileGuard final : public RollbackGuard {
public:
    explicit FileGuard(std::string path) : path_(std::move(path)) {}
    std::uint64_t last_commit() override {
        std::ifstream in(path_);
        std::uint64_t value = 0;
        in >> value;
        return value;
    }
    void record_commit(std::uint64_t commit) noexcept override {
        {
            std::ofstream out(path_ + ".new", std::ios::trunc);
            out << commit;
        }
        std::error_code ignored;
        std::filesystem::rename(path_ + ".new", path_, ignored);
    }

private:
    std::string path_;
};

// How Bob's store is opened: plain, or sealed with a guard, whose integrity
// record and commit numbers must survive the kills without a false alarm.
SqliteStoreOptions bob_options(const std::string& path, bool sealed) {
    SqliteStoreOptions options{std::nullopt, Durability::process_crash};
    if (!sealed) return options;
    StorageKey key;
    key.data()[0] = 7;
    options.storage_key = key;
    options.rollback_guard = std::make_shared<FileGuard>(path + ".guard");
    return options;
}

// Bob's side, in the child. A request is a count of messages, then for each
// its sender index, type, length and bytes; the answer is one Outcome byte per
// message, written after the decrypts have returned (so after their commit).
// One message per request goes through SessionCipher, each its own commit;
// more go through decrypt_backlog, committed together.
Outcome outcome_of(ErrorCode code) {
    return code == ErrorCode::duplicate_message ? Outcome::duplicate : Outcome::refused;
}

[[noreturn]] void serve_as_bob(const std::string& path, bool sealed, int requests, int answers) {
    try {
        auto bob = SqliteStore::open(path, bob_options(path, sealed));
        std::uint32_t count = 0;
        while (read_all(requests, &count, sizeof count)) {
            std::vector<QueuedMessage> queue;
            for (std::uint32_t i = 0; i < count; ++i) {
                std::uint32_t header[3];
                if (!read_all(requests, header, sizeof header)) ::_exit(0);
                Bytes message(header[2]);
                if (!read_all(requests, message.data(), message.size())) ::_exit(0);
                queue.push_back(QueuedMessage::identified({"alice" + std::to_string(header[0]), 1},
                                                          static_cast<CiphertextType>(header[1]), std::move(message)));
            }
            std::vector<Outcome> outcomes;
            if (queue.size() == 1) {
                Outcome outcome = Outcome::decrypted;
                try {
                    (void)SessionCipher(*bob, kBob, *queue[0].sender, kX3dhAllowed).decrypt(queue[0].type, queue[0].bytes);
                } catch (const Error& e) {
                    outcome = outcome_of(e.code());
                }
                outcomes.push_back(outcome);
            } else {
                const SealedSenderRecipient local{kBob.name, std::nullopt, kBob.device_id};
                const BacklogRecipient recipient{local, KeyPair::generate().public_key, kX3dhAllowed};
                for (const BacklogOutcome& outcome : decrypt_backlog(*bob, queue, recipient)) {
                    if (outcome.status == BacklogOutcome::Status::not_attempted) ::_exit(4);
                    outcomes.push_back(outcome.status == BacklogOutcome::Status::decrypted
                                           ? Outcome::decrypted
                                           : outcome_of(outcome.error_code().value_or(ErrorCode::storage)));
                }
            }
            if (!write_all(answers, outcomes.data(), outcomes.size())) break;
        }
    } catch (...) {
        ::_exit(3);
    }
    ::_exit(0);
}

class BobProcess {
public:
    BobProcess(const std::string& path, bool sealed) {
        int to_child[2], from_child[2];
        REQUIRE(::pipe(to_child) == 0);
        REQUIRE(::pipe(from_child) == 0);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::close(to_child[1]);
            ::close(from_child[0]);
            serve_as_bob(path, sealed, to_child[0], from_child[1]);
        }
        ::close(to_child[0]);
        ::close(from_child[1]);
        requests_ = to_child[1];
        answers_ = from_child[0];
    }
    ~BobProcess() { kill(); }
    BobProcess(const BobProcess&) = delete;
    BobProcess& operator=(const BobProcess&) = delete;

    void send(int sender, const CiphertextMessage& message) { send_batch({{sender, &message}}); }
    // Several messages as one backlog.
    void send_batch(const std::vector<std::pair<int, const CiphertextMessage*>>& messages) {
        const auto count = static_cast<std::uint32_t>(messages.size());
        REQUIRE(write_all(requests_, &count, sizeof count));
        for (const auto& [sender, message] : messages) {
            const std::uint32_t header[3] = {static_cast<std::uint32_t>(sender),
                                             static_cast<std::uint32_t>(message->type),
                                             static_cast<std::uint32_t>(message->bytes.size())};
            REQUIRE(write_all(requests_, header, sizeof header));
            REQUIRE(write_all(requests_, message->bytes.data(), message->bytes.size()));
        }
    }
    // The answer, or nothing when Bob died first.
    std::optional<Outcome> answer() {
        Outcome outcome;
        if (!read_all(answers_, &outcome, 1)) return std::nullopt;
        return outcome;
    }
    void kill() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        ::close(requests_);
        ::close(answers_);
    }

private:
    pid_t pid_ = -1;
    int requests_ = -1;
    int answers_ = -1;
};

// Busy-waits `micros`: kills land at microsecond-scale instants.
void spin(std::uint32_t micros) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::microseconds(micros);
    while (std::chrono::steady_clock::now() < end) {
    }
}

std::uint32_t random_below(std::uint32_t bound) {
    std::uint32_t value = 0;
    system_random().fill({reinterpret_cast<std::uint8_t*>(&value), sizeof value});
    return value % bound;
}

struct Sent {
    int sender;
    CiphertextMessage message;
    enum { waiting, in_flight, acknowledged } status = waiting;
};

// Bob's store at `path`, with one one-time pre-key per sender; each sender
// has started a session from its bundle and only sends, so every message it
// sends is a pre-key message naming that pre-key.
std::vector<Device> prepare_bob(const std::string& path, bool sealed) {
    std::vector<Device> senders;
    for (int i = 0; i < kSenders; ++i) senders.emplace_back("alice" + std::to_string(i), 100 + i);
    {
        auto bob = SqliteStore::create(path, LocalDevice{kBob, IdentityKeyPair::generate(), 2}, bob_options(path, sealed));
        const IdentityKeyPair& identity = bob->identities().identity_key_pair();
        const auto signed_pre_key = SignedPreKeyRecord::generate(1, identity, timestamp_from_unix_ms(1000));
        bob->signed_pre_keys().store_signed_pre_key(signed_pre_key);
        for (int i = 0; i < kSenders; ++i) {
            const auto pre_key = PreKeyRecord::generate(static_cast<PreKeyId>(i + 1));
            bob->pre_keys().store_pre_key(pre_key);
            process_pre_key_bundle(*senders[static_cast<std::size_t>(i)].store, kBob,
                                  PreKeyBundle{.registration_id = 2,
                                               .device_id = 1,
                                               .pre_key_id = pre_key.id(),
                                               .pre_key = pre_key.key_pair().public_key,
                                               .signed_pre_key_id = 1,
                                               .signed_pre_key = signed_pre_key.key_pair().public_key,
                                               .signed_pre_key_signature = signed_pre_key.signature(),
                                               .identity_key = identity.public_key()},
                                  system_random(), kX3dhAllowed);
        }
    }

    return senders;
}

// The file after the run: a sender whose message was decrypted has a
// session, and its one-time pre-key is gone; the others' pre-keys are there.
template <typename Spoke>
void check_bob_file(const std::string& path, bool sealed, Spoke spoke) {
    auto store = SqliteStore::open(path, bob_options(path, sealed));
    for (int i = 0; i < kSenders; ++i) {
        const ProtocolAddress address{"alice" + std::to_string(i), 1};
        CHECK(store->sessions().load_session(address).has_value() == spoke(i));
        CHECK(store->pre_keys().load_pre_key(static_cast<PreKeyId>(i + 1)).has_value() == !spoke(i));
    }
}

// A directory of the test's own for Bob's files, removed at the end.
struct ScratchDirectory {
    std::filesystem::path directory;
    std::string database;

    explicit ScratchDirectory(const std::string& prefix)
        : directory(std::filesystem::temp_directory_path() / (prefix + std::to_string(::getpid()))),
          database((directory / "bob.db").string()) {
        std::filesystem::create_directories(directory);
    }
    ~ScratchDirectory() {
        std::error_code ignored;
        std::filesystem::remove_all(directory, ignored);
    }
    ScratchDirectory(const ScratchDirectory&) = delete;
    ScratchDirectory& operator=(const ScratchDirectory&) = delete;
};

struct IgnoreSigpipe {
    IgnoreSigpipe() : previous(::signal(SIGPIPE, SIG_IGN)) {}
    ~IgnoreSigpipe() { ::signal(SIGPIPE, previous); }
    sighandler_t previous;
};

}  // namespace

TEST_CASE("a store killed at any instant keeps pre-key use and sessions in step", "[sqlite][crash]") {
    const IgnoreSigpipe ignore_sigpipe;  // a Bob that dies unexpectedly must fail the test, not end it
    const ScratchDirectory scratch("cliquet-crash-");
    const std::string& path = scratch.database;
    const bool sealed = GENERATE(false, true);
    INFO((sealed ? "sealed, with a rollback guard" : "plain"));

    std::vector<Device> senders = prepare_bob(path, sealed);

    std::vector<Sent> sent;
    int kills = 0;
    auto bob = std::make_unique<BobProcess>(path, sealed);
    auto deliver = [&](Sent& item, bool kill) {
        bob->send(item.sender, item.message);
        if (kill) {
            // A third of the kills before Bob can have read the request, the
            // rest anywhere in a decrypt and its commit, or just after.
            spin(random_below(3) == 0 ? 0 : random_below(1500));
            bob->kill();
            ++kills;
            item.status = Sent::in_flight;  // its answer, if any, is not read
            bob = std::make_unique<BobProcess>(path, sealed);
            // Every acknowledged message stays refused after the restart.
            for (const Sent& done : sent) {
                if (done.status != Sent::acknowledged) continue;
                bob->send(done.sender, done.message);
                const auto replay = bob->answer();
                REQUIRE(replay);
                CHECK(*replay == Outcome::duplicate);
            }
            return;
        }
        const auto outcome = bob->answer();
        REQUIRE(outcome);
        // A message in flight at a kill decrypts now, or was committed
        // before the kill; a message never seen always decrypts.
        if (item.status == Sent::in_flight) {
            CHECK((*outcome == Outcome::decrypted || *outcome == Outcome::duplicate));
        } else {
            CHECK(*outcome == Outcome::decrypted);
        }
        item.status = Sent::acknowledged;
    };

    for (int step = 0; step < kMessages; ++step) {
        const int sender = static_cast<int>(random_below(kSenders));
        Device& alice = senders[static_cast<std::size_t>(sender)];
        sent.push_back(Sent{sender, SessionCipher(*alice.store, alice.address, kBob, kX3dhAllowed).encrypt(as_bytes("m" + std::to_string(step)))});
        // Anything in flight goes first; then the new message.
        for (Sent& item : sent)
            if (item.status == Sent::in_flight) deliver(item, false);
        deliver(sent.back(), random_below(100) < 15);
    }
    for (Sent& item : sent)
        if (item.status != Sent::acknowledged) deliver(item, false);
    bob.reset();

    check_bob_file(path, sealed, [&](int i) {
        return std::any_of(sent.begin(), sent.end(), [i](const Sent& item) { return item.sender == i; });
    });
    CHECK(kills > 10);
    // Every decrypt was a numbered commit, the guard never ahead of the file.
    if (sealed) CHECK(FileGuard(path + ".guard").last_commit() > static_cast<std::uint64_t>(kMessages));
}

TEST_CASE("a backlog killed at any instant loses no message whose result was returned", "[sqlite][crash][backlog]") {
    const IgnoreSigpipe ignore_sigpipe;
    const ScratchDirectory scratch("cliquet-crash-backlog-");
    const std::string& path = scratch.database;
    const bool sealed = GENERATE(false, true);
    INFO((sealed ? "sealed, with a rollback guard" : "plain"));
    std::vector<Device> senders = prepare_bob(path, sealed);

    std::vector<Sent> sent;
    for (int step = 0; step < kMessages; ++step) {
        const int sender = static_cast<int>(random_below(kSenders));
        Device& alice = senders[static_cast<std::size_t>(sender)];
        sent.push_back(Sent{sender, SessionCipher(*alice.store, alice.address, kBob, kX3dhAllowed)
                                        .encrypt(as_bytes("m" + std::to_string(step)))});
    }
    auto as_batch = [&](std::size_t first, std::size_t count) {
        std::vector<std::pair<int, const CiphertextMessage*>> batch;
        for (std::size_t i = first; i < first + count; ++i) batch.emplace_back(sent[i].sender, &sent[i].message);
        return batch;
    };

    int kills = 0;
    std::size_t acknowledged = 0;  // sent[0, acknowledged) came back decrypted
    auto bob = std::make_unique<BobProcess>(path, sealed);
    bool resent_after_kill = false;
    std::size_t count = 0;
    while (acknowledged < sent.size()) {
        if (!resent_after_kill) count = std::min<std::size_t>(2 + random_below(14), sent.size() - acknowledged);
        bob->send_batch(as_batch(acknowledged, count));
        if (!resent_after_kill && random_below(100) < 40) {
            spin(random_below(4) == 0 ? 0 : random_below(20000));
            bob->kill();
            ++kills;
            bob = std::make_unique<BobProcess>(path, sealed);
            // What came back before stays decrypted: all of it a duplicate now.
            if (acknowledged > 0) {
                bob->send_batch(as_batch(0, acknowledged));
                for (std::size_t i = 0; i < acknowledged; ++i) {
                    const auto replay = bob->answer();
                    REQUIRE(replay);
                    CHECK(*replay == Outcome::duplicate);
                }
            }
            resent_after_kill = true;  // the killed backlog goes again, whole
            continue;
        }
        // A backlog is one commit: after a kill it was kept whole or not at
        // all, so its messages come back all decrypted or all duplicates.
        std::vector<Outcome> outcomes;
        for (std::size_t i = 0; i < count; ++i) {
            const auto outcome = bob->answer();
            REQUIRE(outcome);
            outcomes.push_back(*outcome);
        }
        const bool all_decrypted = std::all_of(outcomes.begin(), outcomes.end(),
                                               [](Outcome o) { return o == Outcome::decrypted; });
        const bool all_duplicates = std::all_of(outcomes.begin(), outcomes.end(),
                                                [](Outcome o) { return o == Outcome::duplicate; });
        CHECK((all_decrypted || (resent_after_kill && all_duplicates)));
        acknowledged += count;
        resent_after_kill = false;
    }
    bob.reset();

    check_bob_file(path, sealed, [&](int i) {
        return std::any_of(sent.begin(), sent.end(), [i](const Sent& item) { return item.sender == i; });
    });
    CHECK(kills > 5);
}
