// cliquet demo: three devices chat through a simulated server.
//
// Alice, Bob and Carol keep their state in SQLite files. Bob and Carol publish
// pre-key bundles with Kyber1024 pre-keys, so Alice's sessions start with
// PQXDH; every 1:1 message is sealed (sealed sender v1), so the server
// never learns who sent it; the group chat uses sender keys, sent once as a
// multi-recipient sealed message that the server fans out. Halfway through,
// Alice's process "restarts": her store is closed and opened again from disk,
// and the conversation carries on. At the end Alice and Bob compare safety
// numbers.
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

    void publish(const ProtocolAddress& address, PreKeyBundle bundle) { bundles_.insert_or_assign(address, bundle); }
    PreKeyBundle fetch_bundle(const ProtocolAddress& address) const { return bundles_.at(address); }

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
    KeyPair trust_root_;
    KeyPair server_key_;
    ServerCertificate certificate_;
    std::map<ProtocolAddress, PreKeyBundle> bundles_;
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

    // Uploads a one-time pre-key, a signed pre-key and a Kyber1024 pre-key.
    void publish_bundle() {
        const auto& identity_pair = store_->identities().identity_key_pair();
        const auto pre_key = PreKeyRecord::generate(1);
        const auto signed_pre_key = SignedPreKeyRecord::generate(1, identity_pair, current_time());
        const auto kyber_pre_key = KyberPreKeyRecord::generate(1, identity_pair, current_time());
        store_->run_atomically([&] {
            store_->pre_keys().store_pre_key(pre_key);
            store_->signed_pre_keys().store_signed_pre_key(signed_pre_key);
            store_->kyber_pre_keys().store_kyber_pre_key(kyber_pre_key, KyberPreKeyKind::one_time);
        });
        const PreKeyBundle bundle{
            .registration_id = store_->identities().local_registration_id(),
            .device_id = address_.device_id,
            .pre_key_id = pre_key.id(),
            .pre_key = pre_key.key_pair().public_key,
            .signed_pre_key_id = signed_pre_key.id(),
            .signed_pre_key = signed_pre_key.key_pair().public_key,
            .signed_pre_key_signature = signed_pre_key.signature(),
            .identity_key = identity(),
            .kyber_pre_key_id = kyber_pre_key.id(),
            .kyber_pre_key = kyber_pre_key.key_pair().public_key,
            .kyber_pre_key_signature = kyber_pre_key.signature(),
        };
        server_.publish(address_, bundle);
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

    std::printf("1. Bob and Carol publish pre-key bundles with Kyber1024 pre-keys\n");
    bob.publish_bundle();
    carol.publish_bundle();

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

    std::printf("6. Alice and Bob compare safety numbers\n");
    const std::string on_alice = alice.safety_number_with(bob);
    const std::string on_bob = bob.safety_number_with(alice);
    std::printf("  Alice sees %s\n  Bob sees   %s\n  %s\n", on_alice.c_str(), on_bob.c_str(),
                on_alice == on_bob ? "they match: no one is in the middle" : "THEY DIFFER");

    std::filesystem::remove_all(workdir);
    return on_alice == on_bob ? 0 : 1;
}
