// Two-party fixtures for the session tests: devices with in-memory stores
// that publish bundles and talk to each other.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "cliquet/cliquet.hpp"
#include "cliquet/messages.hpp"
#include "cliquet/session.hpp"
#include "cliquet_testing/store_snapshot.hpp"

namespace cliquet::testing {

// When test pre-keys are made: a fixed instant, so records compare equal.
inline constexpr Timestamp kMadeAt = timestamp_from_unix_ms(1'767'225'600'000);  // 2026-01-01

// The public bundle of pre-key records, as a server hands it out for the
// device whose identity store is `identities`.
inline PreKeyBundle bundle_of(IdentityKeyStore& identities, std::uint32_t device_id,
                              const SignedPreKeyRecord& signed_pre_key, const PreKeyRecord* pre_key,
                              const KyberPreKeyRecord* kyber) {
    PreKeyBundle out{
        .registration_id = identities.local_registration_id(),
        .device_id = device_id,
        .signed_pre_key_id = signed_pre_key.id(),
        .signed_pre_key = signed_pre_key.key_pair().public_key,
        .signed_pre_key_signature = signed_pre_key.signature(),
        .identity_key = identities.identity_key_pair().public_key(),
    };
    if (pre_key) {
        out.pre_key_id = pre_key->id();
        out.pre_key = pre_key->key_pair().public_key;
    }
    if (kyber) {
        out.kyber_pre_key_id = kyber->id();
        out.kyber_pre_key = kyber->key_pair().public_key;
        out.kyber_pre_key_signature = kyber->signature();
    }
    return out;
}

// Stores fresh pre-keys under the ids in `store` and returns their bundle;
// the Kyber pre-key, if any, is of `kind`.
inline PreKeyBundle publish_bundle(ProtocolStore& store, std::uint32_t device_id, std::optional<PreKeyId> pre_key_id,
                                   SignedPreKeyId signed_id, std::optional<KyberPreKeyId> kyber_id,
                                   KyberPreKeyKind kind = KyberPreKeyKind::one_time,
                                   RandomSource& random = system_random()) {
    const IdentityKeyPair& identity = store.identities().identity_key_pair();
    const auto signed_pre_key = SignedPreKeyRecord::generate(signed_id, identity, kMadeAt, random);
    std::optional<PreKeyRecord> pre_key;
    if (pre_key_id) pre_key = PreKeyRecord::generate(*pre_key_id, random);
    std::optional<KyberPreKeyRecord> kyber;
    if (kyber_id) kyber = KyberPreKeyRecord::generate(*kyber_id, identity, kMadeAt, random);
    store.signed_pre_keys().store_signed_pre_key(signed_pre_key);
    if (pre_key) store.pre_keys().store_pre_key(*pre_key);
    if (kyber) store.kyber_pre_keys().store_kyber_pre_key(*kyber, kind);
    return bundle_of(store.identities(), device_id, signed_pre_key, pre_key ? &*pre_key : nullptr,
                     kyber ? &*kyber : nullptr);
}

struct Device {
    ProtocolAddress address;
    std::unique_ptr<MemoryProtocolStore> store;
    SessionOptions options;  // for the sessions this device starts or accepts

    Device(std::string name, std::uint32_t registration_id, RandomSource& random = system_random())
        : address{std::move(name), 1},
          store(std::make_unique<MemoryProtocolStore>(IdentityKeyPair::generate(random), registration_id)) {}

    const IdentityKeyPair& identity() const { return store->identities().identity_key_pair(); }

    // Stores fresh pre-keys under the ids and returns their public bundle.
    // The Kyber pre-key is of `kind`: one-time unless asked.
    PreKeyBundle bundle(std::optional<PreKeyId> pre_key_id, SignedPreKeyId signed_id,
                        std::optional<KyberPreKeyId> kyber_id, RandomSource& random = system_random(),
                        KyberPreKeyKind kind = KyberPreKeyKind::one_time);

    // Starts a session with `peer` from its bundle, under this device's options.
    void start_session(const ProtocolAddress& peer, const PreKeyBundle& bundle) {
        process_pre_key_bundle(*store, peer, bundle, system_random(), options);
    }

    // Lets this device start and accept X3DH sessions (the opt-in policy)
    // when `version` is 3.
    void allow_version(int version) {
        if (version == 3) options.pq_ratchet = PqRatchetPolicy::offer;
    }

    CiphertextMessage encrypt_to(const Device& peer, std::string_view text) {
        return SessionCipher(*store, address, peer.address, options).encrypt(as_bytes(text));
    }

    std::string decrypt_from(const Device& peer, const CiphertextMessage& message) {
        const Bytes plaintext = SessionCipher(*store, address, peer.address, options).decrypt(message.type, message.bytes);
        return std::string(plaintext.begin(), plaintext.end());
    }

    // Everything the device holds, serialized: equal snapshots mean equal state.
    std::string snapshot() const { return store_snapshot(*store); }
};

inline PreKeyBundle Device::bundle(std::optional<PreKeyId> pre_key_id, SignedPreKeyId signed_id,
                                   std::optional<KyberPreKeyId> kyber_id, RandomSource& random, KyberPreKeyKind kind) {
    return publish_bundle(*store, address.device_id, pre_key_id, signed_id, kyber_id, kind, random);
}

// Another device of `primary`'s account: its own device id, registration id
// and stores, and the account's identity key pair, as a linked device holds.
inline Device linked_device(const Device& primary, std::uint32_t device_id, std::uint32_t registration_id) {
    Device device{primary.address.name, registration_id};
    device.address.device_id = device_id;
    device.store = std::make_unique<MemoryProtocolStore>(primary.identity(), registration_id);
    return device;
}

// Alice starts a session with Bob from a bundle of his (with a Kyber
// pre-key for version 4, without for version 3, both devices allowing it),
// and it goes both ways: Bob reads her first message, she reads his answer.
inline void start_answered(Device& alice, Device& bob, int version) {
    alice.allow_version(version);
    bob.allow_version(version);
    alice.start_session(bob.address,
                        bob.bundle(1, 2, version == 4 ? std::optional<KyberPreKeyId>(3) : std::nullopt));
    REQUIRE(bob.decrypt_from(alice, alice.encrypt_to(bob, "hello")) == "hello");
    REQUIRE(alice.decrypt_from(bob, bob.encrypt_to(alice, "hi")) == "hi");
}

inline ErrorCode error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const Error& e) {
        return e.code();
    }
    throw std::logic_error("expected a cliquet::Error");
}

}  // namespace cliquet::testing
