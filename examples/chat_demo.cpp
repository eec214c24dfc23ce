// cliquet demo: three people, five devices, chatting through a simulated
// server (demo_server.hpp).
//
// Every device keeps its state in a SQLite file and runs its pre-key
// schedule (PreKeyManager), uploading what it made: a signed pre-key, a
// last-resort Kyber1024 pre-key and batches of one-time EC and Kyber
// pre-keys, which the server hands out one per new sender, so every session
// starts with PQXDH. Bob has a phone and a laptop linked to it, Alice a
// phone and a linked tablet: an account's devices share its identity key,
// and each has its own sessions. Alice sends with MultiDeviceSender, one
// sealed envelope per device, to Bob's devices and to her own tablet; the
// server corrects her device lists. Every 1:1 message is sealed, so the
// server never learns who sent it. Halfway through, Alice's app restarts
// from disk; then Bob's phone, restored from a backup that holds no
// sessions, fails to decrypt a message, asks Alice for it again with a
// retry request, and she sends it again on a new session. The group chat
// uses sender keys, sent once as a multi-recipient sealed message that the
// server fans out. Then days pass on the devices' clocks, and Bob's daily
// key step replenishes his one-time keys, rotates his signed and
// last-resort keys and, a month on, deletes the old ones. At the end Alice
// and Bob compare safety numbers.
#include <cliquet/cliquet.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include "demo_server.hpp"

using namespace cliquet;
using demo::Delivery;
using demo::now;
using demo::Server;

namespace {

std::string text_of(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

class Device {
public:
    // A device of a new account, or (with `linked_to`) a device linked to the
    // account of `linked_to`, whose identity key pair it receives.
    Device(std::string display_name, ProtocolAddress address, std::filesystem::path db_path, Server& server,
           const Device* linked_to = nullptr)
        : display_name_(std::move(display_name)), address_(std::move(address)), db_path_(std::move(db_path)),
          server_(server) {
        const IdentityKeyPair identity = linked_to ? linked_to->identity_pair() : IdentityKeyPair::generate();
        store_ = SqliteStore::create(db_path_.string(), LocalDevice{address_, identity, registration_id_for(address_)});
        certificate_.emplace(server_.issue_certificate(address_, this->identity()));
        names()[address_] = display_name_;
        known_devices_[address_.name] = {address_.device_id};
    }

    const ProtocolAddress& address() const { return address_; }
    const IdentityKeyPair& identity_pair() const { return store_->identities().identity_key_pair(); }
    const IdentityKey& identity() const { return identity_pair().public_key(); }
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

    // What the app knows of another account's devices (from a contact card,
    // say); the server corrects it when it is out of date.
    void knows_of(const Device& other) { known_devices_[other.address().name] = {other.address().device_id}; }

    // Sends `text` to every device of `account`, and a copy to this
    // account's other devices, keeping it in case one asks for it again.
    void send(const std::string& account, const std::string& text) {
        const Timestamp sent_at = next_timestamp();
        sent_[sent_at] = text;
        deliver({account_devices(account), account_devices(address_.name)}, as_bytes(text), sent_at);
    }

    // Opens everything waiting at the server, each envelope once: the
    // content type says what it held.
    void receive_all() {
        const SealedSenderRecipient me{address_.name, std::nullopt, address_.device_id};
        for (const Delivery& delivery : server_.collect(address_)) {
            try {
                const auto opened = sealed_sender_decrypt(*store_, delivery.envelope, server_.trust_root(), now(), me);
                const std::string from = display(opened.sender());
                if (opened.content_type == CiphertextType::plaintext) {
                    answer_retry_request(opened.sender(), *opened.retry_request);
                } else if (opened.content_type == CiphertextType::sender_key) {
                    std::printf("  %s read in the group, from %s: \"%s\"\n", name().c_str(), from.c_str(),
                                text_of(opened.plaintext).c_str());
                } else if (!handle_control(opened.sender(), opened.plaintext)) {
                    std::printf("  %s opened a message from %s: \"%s\"\n", name().c_str(), from.c_str(),
                                text_of(opened.plaintext).c_str());
                    read_.push_back(text_of(opened.plaintext));
                }
            } catch (const SealedSenderDecryptionError& failure) {
                ask_to_resend(failure, delivery.sent_at);
            }
        }
    }

    // Creates this device's sender key for the group and hands it to every
    // device of each member account over their sealed 1:1 sessions.
    void start_group(const DistributionId& group, const std::vector<std::string>& members) {
        const auto distribution = create_sender_key_distribution_message(store_->sender_keys(), address_, group);
        const std::string control = "sender-key:" + to_hex(distribution.serialize().span());
        std::vector<AccountDevices> lists;
        for (const std::string& member : members) lists.push_back(account_devices(member));
        deliver(lists, as_bytes(control), next_timestamp());
    }

    void send_to_group(const DistributionId& group, const std::vector<std::string>& members, const std::string& text) {
        const SenderKeyMessage message = group_encrypt(store_->sender_keys(), address_, group, as_bytes(text));
        const UnidentifiedSenderMessageContent content(CiphertextType::sender_key, *certificate_, message.serialize(),
                                                       ContentHint::resendable, Bytes(group.begin(), group.end()));
        std::vector<ProtocolAddress> destinations;
        for (const std::string& member : members)
            for (const std::uint32_t id : known_devices_[member]) destinations.push_back({member, id});
        const Bytes sent = sealed_sender_multi_recipient_encrypt(*store_, destinations, {}, content);
        std::printf("  %s -> server: one sealed v2 message for the group (%zu bytes)\n", name().c_str(), sent.size());
        server_.deliver_to_many(sent, next_timestamp());
    }

    // Simulates the app being killed and started again: everything it knows
    // comes back from the database file.
    void restart() {
        store_.reset();
        store_ = SqliteStore::open(db_path_.string());
        std::printf("  %s restarted and reopened %s\n", name().c_str(), db_path_.filename().string().c_str());
    }

    // Simulates a restore from a backup, which holds identities and keys but
    // no sessions (as Signal's backups): every session is gone.
    void restore_from_backup() {
        store_->run_atomically([&] {
            for (const auto& [address, display_name] : names()) store_->sessions().delete_session(address);
        });
        std::printf("  %s was restored from a backup: its sessions are gone\n", name().c_str());
    }

    // Whether this device has opened a 1:1 message reading `text`.
    bool has_read(const std::string& text) const { return std::find(read_.begin(), read_.end(), text) != read_.end(); }

    std::string safety_number_with(const Device& other) const {
        const Fingerprint fingerprint(kFingerprintVersionAci, kDefaultFingerprintIterations, as_bytes(address_.name),
                                      identity(), as_bytes(other.address().name), other.identity());
        return fingerprint.displayable();
    }

private:
    static std::map<ProtocolAddress, std::string>& names() {
        static std::map<ProtocolAddress, std::string> by_address;
        return by_address;
    }
    static std::string display(const ProtocolAddress& address) {
        const auto it = names().find(address);
        return it == names().end() ? address.to_string() : it->second;
    }
    static std::uint32_t registration_id_for(const ProtocolAddress& address) {
        return static_cast<std::uint32_t>(std::hash<std::string>{}(address.to_string()) & 0x3fff) | 1;
    }

    Timestamp next_timestamp() {
        return last_timestamp_ = std::max(now(), last_timestamp_ + std::chrono::milliseconds{1});
    }

    AccountDevices account_devices(const std::string& account) { return {account, known_devices_[account]}; }

    // Seals `plaintext` for every device of `lists`, starting the sessions it
    // lacks and correcting the lists as the server says, then hands the
    // envelopes over. With `whole_accounts` false (a resend to one device)
    // the server's device check does not apply.
    void deliver(std::vector<AccountDevices> lists, ByteView plaintext, Timestamp sent_at, bool whole_accounts = true) {
        MultiDeviceSender sender(*store_, address_);
        for (;;) {
            const MultiDeviceMessage out = sender.seal(lists, *certificate_, plaintext, ContentHint::resendable);
            if (!out.missing_sessions.empty()) {
                start_sessions(sender, lists, out.missing_sessions);
                continue;
            }
            const auto mismatches = whole_accounts ? server_.check(address_, lists) : std::vector<demo::DeviceMismatch>{};
            if (!mismatches.empty()) {
                correct(sender, lists, mismatches);
                continue;
            }
            std::string to;
            for (const DeviceMessage& message : out.messages) {
                server_.deliver(message.address, {sent_at, message.bytes});
                to += (to.empty() ? "" : ", ") + display(message.address);
            }
            for (const DeviceFailure& failure : out.failures)
                std::printf("  %s could not encrypt for %s: %s\n", name().c_str(), display(failure.address).c_str(),
                            failure.message.c_str());
            std::printf("  %s -> server: %zu sealed envelope%s, one per device (%s)\n", name().c_str(),
                        out.messages.size(), out.messages.size() == 1 ? "" : "s", to.c_str());
            return;
        }
    }

    // Starts sessions with listed devices that have none, from their bundles.
    void start_sessions(MultiDeviceSender& sender, const std::vector<AccountDevices>& lists,
                        const std::vector<ProtocolAddress>& devices) {
        for (const AccountDevices& list : lists) {
            DeviceListCorrection correction;
            for (const ProtocolAddress& device : devices)
                if (device.name == list.account) correction.missing.push_back(server_.fetch_bundle(device));
            if (!correction.missing.empty()) report(sender.apply(list, correction));
        }
    }

    // The server said the lists are out of date: sessions for the missing
    // devices, archives for the extra ones, and the lists brought up to date.
    void correct(MultiDeviceSender& sender, std::vector<AccountDevices>& lists,
                 const std::vector<demo::DeviceMismatch>& mismatches) {
        for (const demo::DeviceMismatch& mismatch : mismatches) {
            std::printf("  server: refused, %s has %zu device(s) not listed and %zu that do not exist\n",
                        mismatch.account == address_.name ? "this account" : "the recipient", mismatch.missing.size(),
                        mismatch.extra.size());
            AccountDevices& list = *std::find_if(lists.begin(), lists.end(),
                                                 [&](const AccountDevices& l) { return l.account == mismatch.account; });
            DeviceListCorrection correction{.missing = {}, .extra = mismatch.extra};
            for (const std::uint32_t id : mismatch.missing)
                correction.missing.push_back(server_.fetch_bundle({mismatch.account, id}));
            report(sender.apply(list, correction));
            std::erase_if(list.device_ids, [&](std::uint32_t id) {
                return std::find(mismatch.extra.begin(), mismatch.extra.end(), id) != mismatch.extra.end();
            });
            list.device_ids.insert(list.device_ids.end(), mismatch.missing.begin(), mismatch.missing.end());
            known_devices_[list.account] = list.device_ids;
        }
    }

    void report(const DeviceListUpdate& update) const {
        for (const ProtocolAddress& started : update.started)
            std::printf("  %s started a PQXDH session with %s from its bundle\n", name().c_str(), display(started).c_str());
        for (const ProtocolAddress& archived : update.archived)
            std::printf("  %s archived its session with %s, which is gone\n", name().c_str(), display(archived).c_str());
        for (const DeviceFailure& failure : update.failures)
            std::printf("  %s refused the bundle of %s: %s\n", name().c_str(), display(failure.address).c_str(),
                        failure.message.c_str());
    }

    // A message inside an opened envelope did not decrypt: the error names
    // its sender, so ask that device to send it again.
    void ask_to_resend(const SealedSenderDecryptionError& failure, Timestamp sent_at) {
        const std::string from = display(failure.sender());
        const char* meanwhile = failure.content_hint() == ContentHint::resendable ? "it waits for the copy"
                                : failure.content_hint() == ContentHint::implicit ? "it shows nothing"
                                                                                   : "it shows that a message was lost";
        std::printf("  %s could not decrypt a message from %s (%s); %s, and asks for it again\n", name().c_str(),
                    from.c_str(), std::string(to_string(failure.code())).c_str(), meanwhile);
        const PlaintextContent request(failure.retry_request(sent_at));
        const UnidentifiedSenderMessageContent content(CiphertextType::plaintext, *certificate_, request.serialize(),
                                                       ContentHint::implicit);
        server_.deliver(failure.sender(),
                        {next_timestamp(), seal_v1(content, identity_pair(), failure.sender_identity_key())});
        std::printf("  %s -> server: a %zu-byte retry request for %s, sealed\n", name().c_str(),
                    request.serialize().size(), from.c_str());
    }

    // Another device could not decrypt what this one sent at
    // request.timestamp(): repair the session it names, and send it again.
    void answer_retry_request(const ProtocolAddress& requester, const DecryptionErrorMessage& request) {
        const std::string from = display(requester);
        const RetryAction action = process_retry_request(*store_, address_, requester, request);
        if (action == RetryAction::not_for_this_device || action == RetryAction::resend_sender_key) return;
        if (action == RetryAction::session_archived)
            std::printf("  %s read %s's retry request: the session it names is current, so it is archived\n",
                        name().c_str(), from.c_str());
        const auto original = sent_.find(request.timestamp());
        if (original == sent_.end()) return;
        std::printf("  %s sends %s the message it asked for again\n", name().c_str(), from.c_str());
        deliver({AccountDevices{requester.name, {requester.device_id}}}, as_bytes(original->second),
                request.timestamp(), /*whole_accounts=*/false);
    }

    // A sender-key distribution message travels as a 1:1 message with a
    // prefix this demo's "app" recognizes. Returns whether it was one.
    bool handle_control(const ProtocolAddress& sender, const Bytes& plaintext) {
        const std::string text = text_of(plaintext);
        const std::string prefix = "sender-key:";
        if (text.rfind(prefix, 0) != 0) return false;
        const auto distribution = SenderKeyDistributionMessage::deserialize(from_hex(text.substr(prefix.size())));
        process_sender_key_distribution_message(store_->sender_keys(), sender, distribution);
        std::printf("  %s received %s's sender key for the group\n", name().c_str(), display(sender).c_str());
        return true;
    }

    std::string display_name_;
    ProtocolAddress address_;
    std::filesystem::path db_path_;
    Server& server_;
    std::unique_ptr<SqliteStore> store_;
    std::optional<SenderCertificate> certificate_;  // issued by the server at registration
    std::map<std::string, std::vector<std::uint32_t>> known_devices_;  // the app's device lists, by account
    std::map<Timestamp, std::string> sent_;  // what this device sent, by timestamp, for resending
    std::vector<std::string> read_;            // the 1:1 messages it opened
    Timestamp last_timestamp_{};
};

}  // namespace

int main() {
    // A fresh folder for the devices' databases, removed at the end.
    const auto workdir = std::filesystem::temp_directory_path() / ("cliquet-demo-" + std::to_string(::getpid()));
    std::filesystem::remove_all(workdir);
    std::filesystem::create_directories(workdir);

    const std::string alice_aci = "5f3a2b9c-1d4e-4f60-8a7b-0c9d8e7f6a51";
    const std::string bob_aci = "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d";
    const std::string carol_aci = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
    Server server;
    Device alice("Alice's phone", {alice_aci, 1}, workdir / "alice-phone.db", server);
    Device alice_tablet("Alice's tablet", {alice_aci, 2}, workdir / "alice-tablet.db", server, &alice);
    Device bob("Bob's phone", {bob_aci, 1}, workdir / "bob-phone.db", server);
    Device bob_laptop("Bob's laptop", {bob_aci, 2}, workdir / "bob-laptop.db", server, &bob);
    Device carol("Carol's phone", {carol_aci, 1}, workdir / "carol-phone.db", server);
    const auto receive_everywhere = [&] {
        for (Device* device : {&alice, &alice_tablet, &bob, &bob_laptop, &carol}) device->receive_all();
    };

    // The devices' clock, which the demo moves forward by days.
    Timestamp today = current_time();

    std::printf("1. Five devices register: their first key step makes and uploads their pre-keys. Bob's laptop and\n"
                "   Alice's tablet are linked to their phones and share their accounts' identity keys\n");
    for (Device* device : {&alice, &alice_tablet, &bob, &bob_laptop, &carol}) device->run_key_schedule(today);

    std::printf("2. Alice writes to Bob, sealed; the server tells her of Bob's laptop and of her own tablet\n");
    alice.knows_of(bob);
    alice.send(bob_aci, "Hi Bob! This is PQXDH, sealed.");
    receive_everywhere();

    std::printf("3. Bob answers from his phone: a copy goes to his laptop, and Alice's tablet gets it too\n");
    bob.knows_of(alice);
    bob.send(alice_aci, "Hello Alice, the ratchet turned.");
    receive_everywhere();

    std::printf("4. Alice's app is killed and restarted; the sessions survive on disk\n");
    alice.restart();
    alice.send(bob_aci, "Still here after a restart.");
    receive_everywhere();

    std::printf("5. Bob's phone loses its sessions; a message fails there, and his retry request reaches Alice\n");
    bob.restore_from_backup();
    const std::string asked_again = "Saturday, ten o'clock at the market?";
    alice.send(bob_aci, asked_again);
    receive_everywhere();  // Bob's phone fails and asks; his laptop and Alice's tablet read it
    receive_everywhere();  // Alice archives the session, starts a new one and sends it again
    receive_everywhere();  // Bob's phone reads it

    std::printf("6. A group: Alice hands out her sender key, then sends once to everyone\n");
    alice.knows_of(carol);
    alice.send(carol_aci, "Hi Carol, joining you to the group.");
    receive_everywhere();
    const DistributionId group = {0x7a, 0x1c, 0x55, 0x02, 0x9e, 0x41, 0x4b, 0x33,
                                  0x8f, 0x10, 0x6d, 0x2a, 0xc4, 0x90, 0x0b, 0x5e};
    alice.start_group(group, {bob_aci, carol_aci});
    receive_everywhere();
    alice.send_to_group(group, {bob_aci, carol_aci}, "Dinner at eight, everyone?");
    receive_everywhere();

    std::printf("7. Days pass: Bob's daily key step replenishes, rotates, and later deletes\n");
    today += std::chrono::days{1};
    bob.run_key_schedule(today);
    today += std::chrono::days{2};
    bob.run_key_schedule(today);
    carol.knows_of(bob);
    carol.send(bob_aci, "Hi Bob, on your new signed pre-key.");
    receive_everywhere();
    today += std::chrono::days{31};
    bob.run_key_schedule(today);

    std::printf("8. Alice and Bob compare safety numbers (one per account: Bob's laptop shows the same)\n");
    const std::string on_alice = alice.safety_number_with(bob);
    const std::string on_bob = bob.safety_number_with(alice);
    const std::string on_laptop = bob_laptop.safety_number_with(alice);
    std::printf("  Alice sees %s\n  Bob sees   %s\n  %s\n", on_alice.c_str(), on_bob.c_str(),
                on_alice == on_bob && on_bob == on_laptop ? "they match: no one is in the middle" : "THEY DIFFER");

    std::filesystem::remove_all(workdir);
    const bool recovered = bob.has_read(asked_again) && bob_laptop.has_read(asked_again) && alice_tablet.has_read(asked_again);
    if (!recovered) std::printf("THE MESSAGE BOB'S PHONE ASKED FOR DID NOT ARRIVE EVERYWHERE\n");
    return on_alice == on_bob && on_bob == on_laptop && recovered ? 0 : 1;
}
