// decrypt_backlog: a queued backlog decrypted as the single calls would,
// each message alone in its success or failure, committed at once.
#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cliquet/backlog.hpp"
#include "cliquet/cliquet.hpp"
#include "forwarding_store.hpp"
#include "sealed_helpers.hpp"

using namespace cliquet;
using cliquet::testing::Device;
using cliquet::testing::kSealedNow;

namespace {

using Status = BacklogOutcome::Status;

std::string text(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

// The plaintext of a decrypted outcome, whichever kind of message it was.
std::string plaintext_of(const BacklogOutcome& outcome) {
    REQUIRE(outcome.status == Status::decrypted);
    return text(outcome.sealed ? outcome.sealed->plaintext : outcome.plaintext);
}

// Bob, and senders who each hold a session with him from his bundle.
struct Inbox {
    cliquet::testing::CertificateServer server;
    Device bob{"e1ee5ab1-6c1f-4e5e-8a36-2a4c0e4d1f0b", 2222};
    std::vector<Device> senders;

    explicit Inbox(int count) {
        for (int i = 0; i < count; ++i) {
            senders.emplace_back("sender-" + std::to_string(i), 100 + static_cast<std::uint32_t>(i));
            const auto id = static_cast<std::uint32_t>(10 * i + 1);
            senders.back().start_session(bob.address, bob.bundle(PreKeyId(id), SignedPreKeyId(id + 1),
                                                                 KyberPreKeyId(id + 2)));
        }
    }

    BacklogRecipient recipient() const {
        return BacklogRecipient{cliquet::testing::sealed_recipient(bob), server.trust_root.public_key};
    }
    QueuedMessage identified(Device& sender, const std::string& body) {
        const CiphertextMessage message = sender.encrypt_to(bob, body);
        return QueuedMessage::identified(sender.address, message.type, message.bytes);
    }
    QueuedMessage sealed(Device& sender, const std::string& body) {
        return QueuedMessage::sealed(
            sealed_sender_encrypt(*sender.store, bob.address, server.issue(sender), as_bytes(body)), kSealedNow);
    }
};

// A store that fails as a disk would, at the `fail_at`-th unit it is asked
// to run (counting from 1), before that unit writes anything: with
// Error(storage), or (`foreign`) with an exception of the application's own.
class FailingStore final : public cliquet::testing::ForwardingStore {
public:
    FailingStore(MemoryProtocolStore& inner, int fail_at, bool foreign = false)
        : ForwardingStore(inner), fail_at_(fail_at), foreign_(foreign) {}
    void run_atomically(const std::function<void()>& writes) override {
        if (++units_ == fail_at_) {
            if (foreign_) throw std::runtime_error("the application's database went away");
            throw Error(ErrorCode::storage, "disk full");
        }
        writes();
    }

private:
    int fail_at_;
    bool foreign_;
    int units_ = 0;
};

// Counts the commits a SqliteStore numbers: one per unit that wrote.
struct CountingGuard final : RollbackGuard {
    std::uint64_t last = 0;
    int records = 0;
    std::uint64_t last_commit() override { return last; }
    void record_commit(std::uint64_t commit) noexcept override {
        last = commit;
        ++records;
    }
};

}  // namespace

TEST_CASE("a backlog from many senders decrypts in order, sealed and identified alike", "[backlog]") {
    Inbox inbox(8);
    std::vector<QueuedMessage> queue;
    std::vector<std::string> expected;
    for (int round = 0; round < 3; ++round) {
        for (std::size_t s = 0; s < inbox.senders.size(); ++s) {
            const std::string body = "round " + std::to_string(round) + " from " + std::to_string(s);
            queue.push_back(s % 2 == 0 ? inbox.identified(inbox.senders[s], body) : inbox.sealed(inbox.senders[s], body));
            expected.push_back(body);
        }
    }
    const auto outcomes = decrypt_backlog(*inbox.bob.store, queue, inbox.recipient());
    REQUIRE(outcomes.size() == queue.size());
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        INFO("message " << i);
        CHECK(plaintext_of(outcomes[i]) == expected[i]);
        CHECK_FALSE(outcomes[i].error);
    }
    CHECK(outcomes[1].sealed->sender_uuid == inbox.senders[1].address.name);
    CHECK(outcomes[1].sealed->content_type == CiphertextType::pre_key);

    // The sessions are Bob's now: he answers, and the senders read him.
    for (Device& sender : inbox.senders) CHECK(sender.decrypt_from(inbox.bob, inbox.bob.encrypt_to(sender, "ok")) == "ok");
}

TEST_CASE("each queued message fails alone, with the error its single call gives, and changes nothing", "[backlog]") {
    Inbox inbox(3);
    Device& alice = inbox.senders[0];
    Device& carol = inbox.senders[1];
    Device stranger("stranger", 999);
    std::vector<QueuedMessage> queue;
    queue.push_back(inbox.identified(alice, "one"));
    queue.push_back(queue.back());  // the same message again: a replay
    QueuedMessage tampered = inbox.sealed(carol, "two");
    tampered.bytes.back() ^= 0x01;  // the envelope's MAC
    queue.push_back(tampered);
    // Carol's next message, which the tampered one must not have spoiled.
    queue.push_back(inbox.identified(carol, "three"));
    // A whisper message from a sender Bob has never heard of.
    Device other("other", 998);
    stranger.start_session(other.address, other.bundle(PreKeyId(1), SignedPreKeyId(2), KyberPreKeyId(3)));
    (void)other.decrypt_from(stranger, stranger.encrypt_to(other, "hi"));
    const CiphertextMessage whisper = other.encrypt_to(stranger, "hi back");
    REQUIRE(whisper.type == CiphertextType::whisper);
    queue.push_back(QueuedMessage::identified(stranger.address, CiphertextType::whisper, whisper.bytes));
    // A sealed message whose certificate has expired by the server's time.
    QueuedMessage late = inbox.sealed(inbox.senders[2], "four");
    late.server_timestamp = kSealedNow + std::chrono::milliseconds{1001};
    queue.push_back(late);
    queue.push_back(inbox.identified(alice, "five"));

    const auto outcomes = decrypt_backlog(*inbox.bob.store, queue, inbox.recipient());
    REQUIRE(outcomes.size() == 7);
    CHECK(plaintext_of(outcomes[0]) == "one");
    CHECK(outcomes[1].status == Status::failed);
    CHECK(outcomes[1].error_code() == ErrorCode::duplicate_message);
    CHECK(outcomes[2].status == Status::failed);
    CHECK(outcomes[2].error_code() == ErrorCode::invalid_message);
    CHECK(plaintext_of(outcomes[3]) == "three");
    CHECK(outcomes[4].status == Status::failed);
    CHECK(outcomes[4].error_code() == ErrorCode::no_session);
    CHECK(outcomes[5].status == Status::failed);
    CHECK(outcomes[5].error_code() == ErrorCode::invalid_certificate);
    CHECK(plaintext_of(outcomes[6]) == "five");
    CHECK_THROWS_AS(std::rethrow_exception(outcomes[1].error), Error);

    // What failed left no trace: a backlog of the failures alone changes nothing.
    const std::string before = inbox.bob.snapshot();
    const std::vector<QueuedMessage> failures = {queue[1], queue[2], queue[4], queue[5]};
    for (const auto& outcome : decrypt_backlog(*inbox.bob.store, failures, inbox.recipient()))
        CHECK(outcome.status == Status::failed);
    CHECK(inbox.bob.snapshot() == before);
}

TEST_CASE("a store that fails stops the backlog: what came before stands, the rest stays queued", "[backlog]") {
    Inbox inbox(4);
    std::vector<QueuedMessage> queue;
    for (Device& sender : inbox.senders) queue.push_back(inbox.identified(sender, "hello from " + sender.address.name));
    // Unit 1 is the backlog; units 2 and 3 the first message (its own unit and
    // the cipher's), 4 and 5 the second; the third message's own unit fails.
    FailingStore failing(*inbox.bob.store, 6);
    const auto outcomes = decrypt_backlog(failing, queue, inbox.recipient());
    CHECK(plaintext_of(outcomes[0]) == "hello from sender-0");
    CHECK(plaintext_of(outcomes[1]) == "hello from sender-1");
    CHECK(outcomes[2].status == Status::not_attempted);
    CHECK(outcomes[2].error_code() == ErrorCode::storage);
    CHECK(outcomes[3].status == Status::not_attempted);
    CHECK_FALSE(outcomes[3].error);

    // Fetched again, the messages not attempted decrypt; the others are done.
    const auto again = decrypt_backlog(*inbox.bob.store, queue, inbox.recipient());
    CHECK(again[0].error_code() == ErrorCode::duplicate_message);
    CHECK(again[1].error_code() == ErrorCode::duplicate_message);
    CHECK(plaintext_of(again[2]) == "hello from sender-2");
    CHECK(plaintext_of(again[3]) == "hello from sender-3");

    // A store that fails at once keeps nothing and attempts nothing.
    FailingStore failing_at_once(*inbox.bob.store, 1);
    CHECK_THROWS_AS(decrypt_backlog(failing_at_once, queue, inbox.recipient()), Error);
}

TEST_CASE("a store that fails with an exception of its own stops the backlog too, with no error code", "[backlog]") {
    Inbox inbox(2);
    std::vector<QueuedMessage> queue;
    for (Device& sender : inbox.senders) queue.push_back(inbox.identified(sender, "hello from " + sender.address.name));
    const std::string before = inbox.bob.snapshot();
    // Unit 2 is the first message's own.
    FailingStore failing(*inbox.bob.store, 2, /*foreign=*/true);
    const auto outcomes = decrypt_backlog(failing, queue, inbox.recipient());
    CHECK(outcomes[0].status == Status::not_attempted);
    REQUIRE(outcomes[0].error);
    CHECK_FALSE(outcomes[0].error_code());
    CHECK_THROWS_AS(std::rethrow_exception(outcomes[0].error), std::runtime_error);
    CHECK(outcomes[1].status == Status::not_attempted);
    CHECK_FALSE(outcomes[1].error);
    CHECK(inbox.bob.snapshot() == before);
}

TEST_CASE("a SqliteStore commits a whole backlog once, and keeps it across a restart", "[backlog][sqlite]") {
    const auto dir = std::filesystem::temp_directory_path() / ("cliquet-backlog-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "bob.db").string();
    auto guard = std::make_shared<CountingGuard>();
    SqliteStoreOptions options;
    options.storage_key = StorageKey{};
    options.storage_key->data()[0] = 3;
    options.rollback_guard = guard;

    const cliquet::testing::CertificateServer server;
    const ProtocolAddress bob_address{"e1ee5ab1-6c1f-4e5e-8a36-2a4c0e4d1f0b", 1};
    const BacklogRecipient recipient{{bob_address.name, std::nullopt, bob_address.device_id},
                                     server.trust_root.public_key};
    std::vector<Device> senders;
    auto bob = SqliteStore::create(path, LocalDevice{bob_address, IdentityKeyPair::generate(), 2222}, options);
    for (int i = 0; i < 5; ++i) {
        senders.emplace_back("sender-" + std::to_string(i), 100 + static_cast<std::uint32_t>(i));
        const auto id = static_cast<std::uint32_t>(10 * i + 1);
        senders.back().start_session(bob_address, cliquet::testing::publish_bundle(
                                                      *bob, 1, PreKeyId(id), SignedPreKeyId(id + 1), KyberPreKeyId(id + 2)));
    }
    std::vector<QueuedMessage> queue;
    for (int round = 0; round < 4; ++round)
        for (Device& sender : senders) {
            const auto m = SessionCipher(*sender.store, sender.address, bob_address, sender.options)
                               .encrypt(as_bytes("round " + std::to_string(round)));
            queue.push_back(QueuedMessage::identified(sender.address, m.type, m.bytes));
        }
    QueuedMessage tampered = queue[7];
    tampered.bytes[tampered.bytes.size() / 2] ^= 0x40;
    queue.insert(queue.begin() + 12, tampered);

    const int records_before = guard->records;
    const auto outcomes = decrypt_backlog(*bob, queue, recipient);
    CHECK(guard->records == records_before + 1);  // twenty decrypts, one commit
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        INFO("message " << i);
        CHECK(outcomes[i].status == (i == 12 ? Status::failed : Status::decrypted));
    }

    // On disk: reopened, the store knows every message as decrypted, and the
    // one-time pre-keys the sessions used are gone.
    bob.reset();
    bob = SqliteStore::open(path, options);
    for (const auto& outcome : decrypt_backlog(*bob, std::span(queue).first(5), recipient))
        CHECK(outcome.error_code() == ErrorCode::duplicate_message);
    for (int i = 0; i < 5; ++i) CHECK_FALSE(bob->pre_keys().load_pre_key(PreKeyId(static_cast<std::uint32_t>(10 * i + 1))));
    bob.reset();
    std::filesystem::remove_all(dir);
}
