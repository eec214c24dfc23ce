// cliquet demo: three devices chat through a simulated server.
//
// Alice, Bob and Carol keep their state in SQLite files. Each runs its
// pre-key schedule (PreKeyManager) and uploads what it made: a signed
// pre-key, a last-resort Kyber1024 pre-key and batches of one-time EC and
// Kyber pre-keys, which the server hands out one per new sender, so every
// session starts with PQXDH; every 1:1 message is sealed (sealed sender v1),
// so the server never learns who sent it; the group chat uses sender keys,
// sent once as a multi-recipient sealed message that the server fans out.
// Halfway through, Alice's process "restarts": her store is closed and opened
// again from disk, and the conversation carries on. Then days pass on the
// devices' clocks, and Bob's daily key step replenishes his one-time keys,
// rotates his signed and last-resort keys and, a month on, deletes the old
// ones. At the end Alice and Bob compare safety numbers.
#include <cliquet/cliquet.hpp>

#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <unistd.h>

using namespace cliquet;

namespace {

TimestampMs now_ms() {
    return static_cast<TimestampMs>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

std::string text_of(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

// What the server keeps: published bundles, certificates, and one mailbox of
// opaque envelopes per device. It holds no key that could open them.
class Server {
public:
    Server()
        : trust_root_(KeyPair::generate()), server_key_(KeyPair::generate()),
          certificate_(ServerCertificate::create(1, server_key_.public_key, trust_root_.private_key)) {}

    const PublicKey& trust_root() const { return trust_root_.public_key; }

    SenderCertificate issue_certificate(const std::string& uuid, std::uint32_t device_id, const IdentityKey& identity) {
        return SenderCertificate::create({uuid, std::nullopt, device_id, identity}, now_ms() + 24 * 3600 * 1000,
                                         certificate_, server_key_.private_key);
    }

    // A device's key upload: new signed and last-resort keys replace the
    // old ones, one-time keys join the queues.
    void upload(const ProtocolAddress& address, std::uint32_t registration_id, const IdentityKey& identity,
                const PreKeyUpload& keys) {
        Published& published = published_[address];
        published.registration_id = registration_id;
        published.identity = identity;
        if (keys.signed_pre_key) published.signed_pre_key = keys.signed_pre_key;
        if (keys.last_resort_kyber_pre_key) published.last_resort = keys.last_resort_kyber_pre_key;
        published.one_time.insert(published.one_time.end(), keys.one_time_pre_keys.begin(),
                                  keys.one_time_pre_keys.end());
        published.one_time_kyber.insert(published.one_time_kyber.end(), keys.one_time_kyber_pre_keys.begin(),
                                        keys.one_time_kyber_pre_keys.end());
    }

    // A bundle for one new sender: the device's signed pre-key, and a
    // one-time EC and Kyber pre-key each handed out once, or the last-resort
    // Kyber key once the one-time ones have run out.
    PreKeyBundle fetch_bundle(const ProtocolAddress& address) {
        Published& published = published_.at(address);
        const PublicKyberPreKey kyber = published.one_time_kyber.empty() ? *published.last_resort
                                                                         : published.one_time_kyber.front();
        if (!published.one_time_kyber.empty()) published.one_time_kyber.pop_front();
        PreKeyBundle bundle{
            .registration_id = published.registration_id,
            .device_id = address.device_id,
            .signed_pre_key_id = published.signed_pre_key->id,
            .signed_pre_key = published.signed_pre_key->key,
            .signed_pre_key_signature = published.signed_pre_key->signature,
            .identity_key = *published.identity,
            .kyber_pre_key_id = kyber.id,
            .kyber_pre_key = kyber.key,
            .kyber_pre_key_signature = kyber.signature,
        };
        if (!published.one_time.empty()) {
            bundle.pre_key_id = published.one_time.front().id;
            bundle.pre_key = published.one_time.front().key;
            published.one_time.pop_front();
        }
        return bundle;
    }

    void deliver(const ProtocolAddress& to, Bytes envelope) { mailboxes_[to].push_back(std::move(envelope)); }

    // Sealed sender v2: split one sent message into each recipient's copy.
    void deliver_to_many(ByteView sent) {
        const auto message = SealedSenderV2SentMessage::parse(sent);
        for (const auto& recipient : message.recipients()) {
            for (const auto& device : recipient.devices)
                deliver({recipient.service_id.to_string(), device.device_id}, message.received_message(recipient));
        }
        std::printf("  server: fanned one %zu-byte message out to %zu recipients\n", sent.size(),
                    message.recipients().size());
    }

    std::deque<Bytes> collect(const ProtocolAddress& address) { return std::exchange(mailboxes_[address], {}); }

private:
    struct Published {
        std::uint32_t registration_id = 0;
        std::optional<IdentityKey> identity;
        std::optional<PublicSignedPreKey> signed_pre_key;
        std::optional<PublicKyberPreKey> last_resort;
        std::deque<PublicPreKey> one_time;
        std::deque<PublicKyberPreKey> one_time_kyber;
    };

    KeyPair trust_root_;
    KeyPair server_key_;
    ServerCertificate certificate_;
    std::map<ProtocolAddress, Published> published_;
    std::map<ProtocolAddress, std::deque<Bytes>> mailboxes_;
};

class Device {
public:
    Device(std::string display_name, const std::string& uuid, std::filesystem::path db_path, Server& server)
        : display_name_(std::move(display_name)), address_{uuid, 1}, db_path_(std::move(db_path)), server_(server) {
        const LocalDevice device{address_, IdentityKeyPair::generate(), registration_id_for(uuid)};
        store_ = SqliteStore::create(db_path_.string(), device);
        certificate_.emplace(server_.issue_certificate(uuid, address_.device_id, identity()));
    }

    const ProtocolAddress& address() const { return address_; }
    const IdentityKey& identity() const { return store_->identities().identity_key_pair().public_key(); }
    const std::string& name() const { return display_name_; }

    // The app's pre-key step, at registration and then once a day: replenish
    // the one-time keys, rotate the signed and last-resort keys when due,
    // delete the replaced ones past their grace period; upload what is new.
    void run_key_schedule(Timestamp now) {
        // Small batches, so that the demo shows a replenish; an app keeps
        // the defaults (100 at a time, under 10 left).
        const PreKeySchedule schedule{.batch_size = 5, .replenish_below = 5, .rotation_interval = std::chrono::days{2},
                                      .grace_period = std::chrono::days{30}};
        PreKeyManager keys(*store_, schedule, system_random(), [now] { return now; });
        const UnusedPreKeyCounts before = keys.unused_counts();
        const std::size_t signed_before = store_->signed_pre_keys().signed_pre_key_ids().size();
        const PreKeyUpload fresh = keys.run_schedule();
        server_.upload(address_, store_->identities().local_registration_id(), identity(), fresh);
        std::printf("  %s's key step: %zu one-time EC and %zu one-time Kyber keys were left; uploads %zu + %zu new",
                    name().c_str(), before.one_time_pre_keys, before.one_time_kyber_pre_keys,
                    fresh.one_time_pre_keys.size(), fresh.one_time_kyber_pre_keys.size());
        if (fresh.signed_pre_key)
            std::printf(", signed pre-key %u and last-resort Kyber key %u", fresh.signed_pre_key->id.value(),
                        fresh.last_resort_kyber_pre_key->id.value());
        std::printf("\n");
        const std::size_t signed_after = store_->signed_pre_keys().signed_pre_key_ids().size();
        if (signed_after < signed_before + (fresh.signed_pre_key ? 1 : 0))
            std::printf("  %s deleted the signed and last-resort keys replaced over 30 days ago\n", name().c_str());
        else if (signed_after > 1)
            std::printf("  %s keeps %zu signed pre-keys: the replaced ones serve late messages for 30 days\n",
                        name().c_str(), signed_after);
    }

    void start_session_with(const Device& other) {
        process_prekey_bundle(*store_, other.address(), server_.fetch_bundle(other.address()));
        std::printf("  %s processed %s's bundle: PQXDH session (X25519 + Kyber1024)\n", name().c_str(),
                    other.name().c_str());
    }

    void send(const Device& to, const std::string& text) {
        Bytes envelope = sealed_sender_encrypt(*store_, to.address(), *certificate_, as_bytes(text));
        std::printf("  %s -> server: %zu-byte sealed envelope for %s (sender hidden)\n", name().c_str(),
                    envelope.size(), to.name().c_str());
        server_.deliver(to.address(), std::move(envelope));
    }

    // Opens everything waiting at the server. Unsealing validates the
    // sender certificate; the content type says which cipher comes next.
    void receive_all() {
        const auto& identity_pair = store_->identities().identity_key_pair();
        for (const Bytes& envelope : server_.collect(address_)) {
            const auto unsealed = unseal(envelope, identity_pair, server_.trust_root(), now_ms());
            const auto& sender = unsealed.content.sender();
            if (unsealed.content.type() == CiphertextType::sender_key) {
                const Bytes plaintext = group_decrypt(store_->sender_keys(),
                                                      {sender.sender_uuid(), sender.sender_device_id()},
                                                      unsealed.content.content());
                std::printf("  %s read in the group, from %s: \"%s\"\n", name().c_str(),
                            sender_name(sender.sender_uuid()).c_str(), text_of(plaintext).c_str());
                continue;
            }
            const SealedSenderRecipient me{address_.name, std::nullopt, address_.device_id};
            const auto opened = sealed_sender_decrypt(*store_, envelope, server_.trust_root(), now_ms(), me);
            if (!handle_control(opened.sender_uuid, opened.sender_device_id, opened.plaintext))
                std::printf("  %s opened a message from %s: \"%s\"\n", name().c_str(),
                            sender_name(opened.sender_uuid).c_str(), text_of(opened.plaintext).c_str());
        }
    }

    // Creates this device's sender key for the group and hands it to each
    // member over their 1:1 sessions.
    void start_group(const DistributionId& group, std::initializer_list<const Device*> members) {
        const auto distribution = create_sender_key_distribution_message(store_->sender_keys(), address_, group);
        const std::string control = "sender-key:" + to_hex(distribution.serialized().span());
        for (const Device* member : members) {
            Bytes envelope = sealed_sender_encrypt(*store_, member->address(), *certificate_, as_bytes(control));
            server_.deliver(member->address(), std::move(envelope));
        }
        std::printf("  %s sent its sender key to %zu members over their sealed 1:1 sessions\n", name().c_str(),
                    members.size());
    }

    void send_to_group(const DistributionId& group, std::initializer_list<const Device*> members,
                       const std::string& text) {
        const SenderKeyMessage message = group_encrypt(store_->sender_keys(), address_, group, as_bytes(text));
        const UnidentifiedSenderMessageContent content(CiphertextType::sender_key, *certificate_,
                                                       message.serialized(), ContentHint::resendable,
                                                       Bytes(group.begin(), group.end()));
        std::vector<ProtocolAddress> destinations;
        for (const Device* member : members) destinations.push_back(member->address());
        const Bytes sent = sealed_sender_multi_recipient_encrypt(*store_, destinations, {}, content);
        std::printf("  %s -> server: one sealed v2 message for the group (%zu bytes)\n", name().c_str(), sent.size());
        server_.deliver_to_many(sent);
    }

    // Simulates the app being killed and started again: everything it knows
    // comes back from the database file.
    void restart() {
        store_.reset();
        store_ = SqliteStore::open(db_path_.string());
        std::printf("  %s restarted and reopened %s\n", name().c_str(), db_path_.filename().string().c_str());
    }

    std::string safety_number_with(const Device& other) const {
        const Fingerprint fingerprint(kFingerprintVersionAci, kDefaultFingerprintIterations,
                                      as_bytes(address_.name), identity(), as_bytes(other.address().name),
                                      other.identity());
        return fingerprint.displayable();
    }

    static std::map<std::string, std::string>& names() {
        static std::map<std::string, std::string> by_uuid;
        return by_uuid;
    }

private:
    static std::uint32_t registration_id_for(const std::string& uuid) {
        return static_cast<std::uint32_t>(std::hash<std::string>{}(uuid) & 0x3fff) | 1;
    }

    static std::string sender_name(const std::string& uuid) {
        const auto it = names().find(uuid);
        return it == names().end() ? uuid : it->second;
    }

    // A sender-key distribution message travels as a 1:1 message with a
    // prefix this demo's "app" recognizes. Returns whether it was one.
    bool handle_control(const std::string& sender_uuid, std::uint32_t sender_device, const Bytes& plaintext) {
        const std::string text = text_of(plaintext);
        const std::string prefix = "sender-key:";
        if (text.rfind(prefix, 0) != 0) return false;
        const auto distribution = SenderKeyDistributionMessage::deserialize(from_hex(text.substr(prefix.size())));
        process_sender_key_distribution_message(store_->sender_keys(), {sender_uuid, sender_device}, distribution);
        std::printf("  %s received %s's sender key for the group\n", name().c_str(),
                    sender_name(sender_uuid).c_str());
        return true;
    }

    std::string display_name_;
    ProtocolAddress address_;
    std::filesystem::path db_path_;
    Server& server_;
    std::unique_ptr<SqliteStore> store_;
    std::optional<SenderCertificate> certificate_;  // issued by the server at registration
};

}  // namespace

int main() {
    // A fresh folder for the three devices' databases, removed at the end.
    const auto workdir = std::filesystem::temp_directory_path() / ("cliquet-demo-" + std::to_string(::getpid()));
    std::filesystem::remove_all(workdir);
    std::filesystem::create_directories(workdir);

    Server server;
    Device alice("Alice", "5f3a2b9c-1d4e-4f60-8a7b-0c9d8e7f6a51", workdir / "alice.db", server);
    Device bob("Bob", "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d", workdir / "bob.db", server);
    Device carol("Carol", "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", workdir / "carol.db", server);
    for (const Device* device : {&alice, &bob, &carol}) Device::names()[device->address().name] = device->name();

    // The devices' clock, which the demo moves forward by days.
    Timestamp today = current_time();

    std::printf("1. Bob and Carol register: their first key step makes and uploads their pre-keys\n");
    bob.run_key_schedule(today);
    carol.run_key_schedule(today);

    std::printf("2. Alice starts sessions and writes to Bob, sealed\n");
    alice.start_session_with(bob);
    alice.start_session_with(carol);
    alice.send(bob, "Hi Bob! This is PQXDH, sealed.");
    alice.send(bob, "Second message, same sending chain.");
    bob.receive_all();

    std::printf("3. Bob answers: the Double Ratchet takes a DH step\n");
    bob.send(alice, "Hello Alice, the ratchet turned.");
    alice.receive_all();

    std::printf("4. Alice's app is killed and restarted; the session survives on disk\n");
    alice.restart();
    alice.send(bob, "Still here after a restart.");
    bob.receive_all();

    std::printf("5. A group: Alice hands out her sender key, then sends once to everyone\n");
    alice.send(carol, "Hi Carol, joining you to the group.");
    carol.receive_all();
    const DistributionId group = {0x7a, 0x1c, 0x55, 0x02, 0x9e, 0x41, 0x4b, 0x33, 0x8f, 0x10, 0x6d, 0x2a, 0xc4, 0x90, 0x0b, 0x5e};
    alice.start_group(group, {&bob, &carol});
    bob.receive_all();
    carol.receive_all();
    alice.send_to_group(group, {&bob, &carol}, "Dinner at eight, everyone?");
    bob.receive_all();
    carol.receive_all();

    std::printf("6. Days pass: Bob's daily key step replenishes, rotates, and later deletes\n");
    today += std::chrono::days{1};
    bob.run_key_schedule(today);
    today += std::chrono::days{2};
    bob.run_key_schedule(today);
    carol.start_session_with(bob);
    carol.send(bob, "Hi Bob, on your new signed pre-key.");
    bob.receive_all();
    today += std::chrono::days{31};
    bob.run_key_schedule(today);

    std::printf("7. Alice and Bob compare safety numbers\n");
    const std::string on_alice = alice.safety_number_with(bob);
    const std::string on_bob = bob.safety_number_with(alice);
    std::printf("  Alice sees %s\n  Bob sees   %s\n  %s\n", on_alice.c_str(), on_bob.c_str(),
                on_alice == on_bob ? "they match: no one is in the middle" : "THEY DIFFER");

    std::filesystem::remove_all(workdir);
    return on_alice == on_bob ? 0 : 1;
}
