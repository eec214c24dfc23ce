// Sending to every device of an account (see cliquet/multi_device_sender.hpp).
#include "cliquet/multi_device_sender.hpp"

#include <optional>
#include <set>
#include <string>

#include "protocol/session/staged_sessions.hpp"

namespace cliquet {
namespace {

[[noreturn]] void refuse(const std::string& why) { throw Error(ErrorCode::invalid_argument, why); }

DeviceFailure failure_of(const ProtocolAddress& address, const Error& e) {
    return DeviceFailure{address, e.code(), e.what()};
}

// The current session of `address`, if it has one to encrypt with.
std::optional<SessionRecord> current_session(ProtocolStore& store, const ProtocolAddress& address) {
    std::optional<SessionRecord> record = store.sessions().load_session(address);
    if (record && !record->has_current_state()) record.reset();
    return record;
}

// The identity key the known devices of `account` share: for this device's
// own account, its own key; for another, the one their sessions and
// recorded identities hold, nullopt when none is known. Devices that hold
// different keys are refused: one account has one identity key.
std::optional<IdentityKey> account_identity(ProtocolStore& store, const ProtocolAddress& local,
                                            const std::string& account, const std::set<std::uint32_t>& device_ids) {
    const bool own = account == local.name;
    std::optional<IdentityKey> shared;
    if (own) shared = store.identities().identity_key_pair().public_key();
    const auto agree = [&](const std::optional<IdentityKey>& key, std::uint32_t device_id) {
        if (!key) return;
        if (!shared) shared = key;
        if (*key != *shared)
            refuse("the devices of account " + account + " are known with different identity keys (device " +
                   std::to_string(device_id) + (own ? " is not this device's" : " differs") + ")");
    };
    for (const std::uint32_t device_id : device_ids) {
        const ProtocolAddress address{account, device_id};
        if (address == local) continue;
        if (const auto session = current_session(store, address)) agree(session->remote_identity_key(), device_id);
        agree(store.identities().identity(address), device_id);
    }
    return shared;
}

// The ids of `devices`, refusing one listed twice.
std::set<std::uint32_t> distinct_ids(const std::string& account, std::span<const std::uint32_t> devices,
                                     std::set<std::uint32_t>& seen) {
    std::set<std::uint32_t> ids;
    for (const std::uint32_t id : devices) {
        if (!seen.insert(id).second) refuse("device " + std::to_string(id) + " of " + account + " is listed twice");
        ids.insert(id);
    }
    return ids;
}

}  // namespace

// What seal() adds to each device's message.
struct MultiDeviceSender::Sealing {
    const SenderCertificate& sender;
    ContentHint hint;
    const std::optional<Bytes>& group_id;
};

MultiDeviceMessage MultiDeviceSender::encrypt(std::span<const AccountDevices> accounts, ByteView plaintext,
                                              RandomSource& random) {
    return encrypt_all(accounts, plaintext, random, nullptr);
}

MultiDeviceMessage MultiDeviceSender::seal(std::span<const AccountDevices> accounts, const SenderCertificate& sender,
                                           ByteView plaintext, ContentHint hint, const std::optional<Bytes>& group_id,
                                           RandomSource& random) {
    if (sender.sender_uuid() != local_.name || sender.sender_device_id() != local_.device_id)
        refuse("the sender certificate names " + sender.sender_uuid() + "." +
               std::to_string(sender.sender_device_id()) + ", not this device " + local_.to_string());
    const Sealing sealing{sender, hint, group_id};
    return encrypt_all(accounts, plaintext, random, &sealing);
}

MultiDeviceMessage MultiDeviceSender::encrypt_all(std::span<const AccountDevices> accounts, ByteView plaintext,
                                                  RandomSource& random, const Sealing* sealing) {
    // Every check that can refuse the whole call comes before the first change.
    std::set<std::string> names;
    std::vector<ProtocolAddress> targets;
    for (const AccountDevices& account : accounts) {
        if (!names.insert(account.account).second) refuse("account " + account.account + " is listed twice");
        std::set<std::uint32_t> seen;
        const std::set<std::uint32_t> ids = distinct_ids(account.account, account.device_ids, seen);
        (void)account_identity(store_, local_, account.account, ids);
        for (const std::uint32_t id : account.device_ids) {
            ProtocolAddress address{account.account, id};
            if (address != local_) targets.push_back(std::move(address));
        }
    }

    // Sealing: every device's session step is held back until every
    // envelope is sealed, then written in one unit, so that a failure past a
    // device's encryption (an allocation, say) writes nothing, whether or not
    // the store can roll back. Encrypting alone: each device's step is its own
    // unit, as nothing can fail after it.
    std::optional<protocol::StagedSessions> all_steps;
    if (sealing) all_steps.emplace(store_);
    ProtocolStore& steps = sealing ? static_cast<ProtocolStore&>(*all_steps) : store_;

    MultiDeviceMessage out;
    for (const ProtocolAddress& address : targets) {
        const std::optional<SessionRecord> session = current_session(steps, address);
        if (!session) {
            out.missing_sessions.push_back(address);
            continue;
        }
        try {
            std::optional<IdentityKey> recipient;
            if (sealing) {
                recipient = store_.identities().identity(address);
                if (!recipient) throw Error(ErrorCode::no_session, "no identity key known for " + address.to_string());
            }
            DeviceMessage message{address, session->remote_registration_id().value_or(0), CiphertextType::whisper, {}};
            // This device's step, dropped if its envelope fails.
            protocol::StagedSessions step(steps);
            CiphertextMessage encrypted = SessionCipher(step, local_, address, options_).encrypt(plaintext, random);
            message.type = encrypted.type;
            if (sealing) {
                const UnidentifiedSenderMessageContent content(encrypted.type, sealing->sender,
                                                               std::move(encrypted.bytes), sealing->hint,
                                                               sealing->group_id);
                message.bytes = seal_v1(content, store_.identities().identity_key_pair(), *recipient, random);
            } else {
                message.bytes = std::move(encrypted.bytes);
            }
            step.commit();
            out.messages.push_back(std::move(message));
        } catch (const Error& e) {
            out.failures.push_back(failure_of(address, e));
        }
    }
    // A store that fails this unit fails the call: no envelope goes out
    // whose session step was not written.
    if (all_steps) all_steps->commit();
    return out;
}

DeviceListUpdate MultiDeviceSender::apply(const AccountDevices& sent_to, const DeviceListCorrection& correction,
                                          RandomSource& random) {
    const std::string& account = sent_to.account;
    std::set<std::uint32_t> listed;
    const std::set<std::uint32_t> known = distinct_ids(account, sent_to.device_ids, listed);
    // A device belongs to at most one of the server's lists.
    std::set<std::uint32_t> corrected;
    const std::set<std::uint32_t> extra = distinct_ids(account, correction.extra, corrected);
    const std::set<std::uint32_t> stale = distinct_ids(account, correction.stale, corrected);
    for (const PreKeyBundle& bundle : correction.missing)
        if (!corrected.insert(bundle.device_id).second)
            refuse("device " + std::to_string(bundle.device_id) + " of " + account + " is listed twice");
    if (account == local_.name && corrected.count(local_.device_id) != 0)
        refuse("the correction lists this device itself, " + local_.to_string());

    std::set<std::uint32_t> staying;
    for (const std::uint32_t id : known)
        if (extra.count(id) == 0 && stale.count(id) == 0) staying.insert(id);
    std::optional<IdentityKey> identity = account_identity(store_, local_, account, staying);

    DeviceListUpdate out;
    // Archives the current state of `address`'s session, if any, alone in
    // its unit; returns the registration id it had.
    const auto archive = [&](const ProtocolAddress& address) {
        std::optional<SessionRecord> record = store_.sessions().load_session(address);
        if (!record || !record->has_current_state()) return std::optional<std::uint32_t>();
        const std::optional<std::uint32_t> registration_id = record->remote_registration_id();
        record->archive_current_state();
        store_.run_atomically([&] { store_.sessions().store_session(address, std::move(*record)); });
        return registration_id;
    };
    for (const std::uint32_t id : extra) {
        const ProtocolAddress address{account, id};
        try {
            (void)archive(address);
            out.archived.push_back(address);
        } catch (const Error& e) {
            out.failures.push_back(failure_of(address, e));
        }
    }
    for (const std::uint32_t id : stale) {
        const ProtocolAddress address{account, id};
        try {
            out.stale.push_back(StaleDevice{address, archive(address)});
        } catch (const Error& e) {
            out.failures.push_back(failure_of(address, e));
        }
    }
    for (const PreKeyBundle& bundle : correction.missing) {
        const ProtocolAddress address{account, bundle.device_id};
        try {
            if (identity && bundle.identity_key != *identity)
                throw UntrustedIdentityError(address, bundle.identity_key);
            process_pre_key_bundle(store_, address, bundle, random, options_);
            // With no key known, the first bundle that starts a session sets it.
            identity = bundle.identity_key;
            out.started.push_back(address);
        } catch (const Error& e) {
            out.failures.push_back(failure_of(address, e));
        }
    }
    return out;
}

}  // namespace cliquet
