// The demo's simulated server: it issues sender certificates, keeps the
// pre-keys devices upload and the device list of each account, hands out
// bundles, checks the device lists of every send against its own (as
// Signal's server does), and holds a mailbox of opaque envelopes per device.
// It holds no key that could open them.
#pragma once

#include <cliquet/cliquet.hpp>

#include <chrono>
#include <cstdio>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace demo {

using namespace cliquet;

inline Timestamp now() { return current_time(); }

// An envelope in a mailbox, with the time its sender stamped on it (which
// a retry request names).
struct Delivery {
    Timestamp sent_at;
    Bytes envelope;
};

// The server's answer to a send whose device list for `account` is out of
// date: the devices it left out and those that do not exist.
struct DeviceMismatch {
    std::string account;
    std::vector<std::uint32_t> missing;
    std::vector<std::uint32_t> extra;
};

class Server {
public:
    Server()
        : trust_root_(KeyPair::generate()), server_key_(KeyPair::generate()),
          certificate_(ServerCertificate::create(1, server_key_.public_key, trust_root_.private_key)) {}

    const PublicKey& trust_root() const { return trust_root_.public_key; }

    SenderCertificate issue_certificate(const ProtocolAddress& device, const IdentityKey& identity) {
        return SenderCertificate::create({device.name, std::nullopt, device.device_id, identity},
                                         now() + std::chrono::hours{24}, certificate_, server_key_.private_key);
    }

    // A device's key upload; the first registers it with its account. New
    // signed and last-resort keys replace the old ones, one-time keys join
    // the queues.
    void upload(const ProtocolAddress& address, std::uint32_t registration_id, const IdentityKey& identity,
                const PreKeyUpload& keys) {
        devices_[address.name].insert(address.device_id);
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

    // Signal's check of a send: for each account, the devices listed must be
    // exactly the account's (the sender's own device aside). Nothing is
    // delivered unless they all are.
    std::vector<DeviceMismatch> check(const ProtocolAddress& sender, std::span<const AccountDevices> lists) const {
        std::vector<DeviceMismatch> out;
        for (const AccountDevices& list : lists) {
            std::set<std::uint32_t> actual = devices_.count(list.account) ? devices_.at(list.account)
                                                                           : std::set<std::uint32_t>{};
            std::set<std::uint32_t> listed(list.device_ids.begin(), list.device_ids.end());
            if (list.account == sender.name) {
                actual.erase(sender.device_id);
                listed.erase(sender.device_id);
            }
            DeviceMismatch mismatch{list.account, {}, {}};
            for (const std::uint32_t id : actual)
                if (!listed.count(id)) mismatch.missing.push_back(id);
            for (const std::uint32_t id : listed)
                if (!actual.count(id)) mismatch.extra.push_back(id);
            if (!mismatch.missing.empty() || !mismatch.extra.empty()) out.push_back(std::move(mismatch));
        }
        return out;
    }

    void deliver(const ProtocolAddress& to, Delivery delivery) { mailboxes_[to].push_back(std::move(delivery)); }

    // Sealed sender v2: split one sent message into each recipient's copy.
    void deliver_to_many(ByteView sent, Timestamp sent_at) {
        const auto message = SealedSenderV2SentMessage::parse(sent);
        std::size_t copies = 0;
        for (const auto& recipient : message.recipients()) {
            for (const auto& device : recipient.devices) {
                deliver({recipient.service_id.to_string(), device.device_id},
                        {sent_at, message.received_message(recipient)});
                ++copies;
            }
        }
        std::printf("  server: fanned one %zu-byte message out to %zu devices of %zu accounts\n", sent.size(), copies,
                    message.recipients().size());
    }

    std::deque<Delivery> collect(const ProtocolAddress& address) { return std::exchange(mailboxes_[address], {}); }

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
    std::map<std::string, std::set<std::uint32_t>> devices_;
    std::map<ProtocolAddress, std::deque<Delivery>> mailboxes_;
};

}  // namespace demo
