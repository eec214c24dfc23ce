// Reproducible protocol worlds for the fuzz targets and for make_seeds.
//
// Every key and message here comes from a DeterministicRandom seeded by a
// label, so a stateful fuzz target that rebuilds a world holds exactly the
// sessions and chains that the committed seeds (written by make_seeds from
// the same world) were encrypted for. A seed therefore reaches deep into
// decryption, and a mutation of it probes one check at a time.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cliquet/cliquet.hpp"
#include "cliquet/memory_store.hpp"
#include "cliquet/messages.hpp"
#include "cliquet/sealed_fanout.hpp"
#include "cliquet/sealed_sender.hpp"
#include "cliquet/sender_keys.hpp"
#include "cliquet/session.hpp"
#include "cliquet_testing/deterministic_random.hpp"
#include "cliquet_testing/store_snapshot.hpp"
#include "crypto/hash.hpp"

namespace cliquet::fuzzing {

inline DeterministicRandom seeded_random(std::string_view label) {
    const crypto::Sha256Digest seed = crypto::sha256(as_bytes(label));
    return DeterministicRandom(seed);
}

inline std::string hex_of(ByteView bytes) { return to_hex(bytes); }
inline std::string hex_of(const SecretBytes& bytes) { return to_hex(bytes.span()); }

// The public bundle of fresh pre-keys stored in `store` under the given ids.
inline PreKeyBundle publish_bundle(MemoryProtocolStore& store, std::uint32_t device_id, PreKeyId pre_key_id,
                                   SignedPreKeyId signed_id, KyberPreKeyId kyber_id, RandomSource& random,
                                   KyberPreKeyKind kind = KyberPreKeyKind::one_time) {
    const IdentityKeyPair& identity = store.identities().identity_key_pair();
    constexpr Timestamp made_at = timestamp_from_unix_ms(1'767'225'600'000);  // 2026-01-01
    const auto signed_pre_key = SignedPreKeyRecord::generate(signed_id, identity, made_at, random);
    const auto pre_key = PreKeyRecord::generate(pre_key_id, random);
    const auto kyber = KyberPreKeyRecord::generate(kyber_id, identity, made_at, random);
    store.signed_pre_keys().store_signed_pre_key(signed_pre_key);
    store.pre_keys().store_pre_key(pre_key);
    store.kyber_pre_keys().store_kyber_pre_key(kyber, kind);
    return PreKeyBundle{
        .registration_id = store.identities().local_registration_id(),
        .device_id = device_id,
        .pre_key_id = pre_key_id,
        .pre_key = pre_key.key_pair().public_key,
        .signed_pre_key_id = signed_id,
        .signed_pre_key = signed_pre_key.key_pair().public_key,
        .signed_pre_key_signature = signed_pre_key.signature(),
        .identity_key = identity.public_key(),
        .kyber_pre_key_id = kyber_id,
        .kyber_pre_key = kyber.key_pair().public_key,
        .kyber_pre_key_signature = kyber.signature(),
    };
}

// Bob, the device under attack, with a PQXDH session with Alice that has
// taken one ratchet step each way, and pre-keys Carol has used to start a
// session he has not seen yet. Every random draw, SPQR's key pairs included,
// comes from `random`, so that seeds written by one process fit the world
// another rebuilds.
struct SessionWorld {
    DeterministicRandom random = seeded_random("cliquet fuzz session world");
    ProtocolAddress alice_address{"alice", 1};
    ProtocolAddress bob_address{"bob", 1};
    ProtocolAddress carol_address{"carol", 1};
    MemoryProtocolStore alice{IdentityKeyPair::generate(random), 1};
    MemoryProtocolStore bob{IdentityKeyPair::generate(random), 2};
    MemoryProtocolStore carol{IdentityKeyPair::generate(random), 3};

    std::vector<Bytes> alice_whispers;  // sent by Alice after the ratchet step, not delivered
    Bytes alice_first_pre_key;           // Alice's pre-key message, already delivered (a replay)
    Bytes carol_pre_key;                 // Carol's first pre-key message, not delivered
    CiphertextMessage alice_next;       // Alice's next message: must always decrypt
    CiphertextMessage carol_next;       // Carol's second pre-key message: must always decrypt

    SessionWorld() {
        process_pre_key_bundle(alice, bob_address, publish_bundle(bob, 1, 1, 1, 1, random), random);
        const CiphertextMessage first = SessionCipher(alice, alice_address, bob_address).encrypt(as_bytes("a1"), random);
        alice_first_pre_key = first.bytes;
        (void)SessionCipher(bob, bob_address, alice_address).decrypt(first.type, first.bytes, random);
        const CiphertextMessage reply = SessionCipher(bob, bob_address, alice_address).encrypt(as_bytes("b1"), random);
        (void)SessionCipher(alice, alice_address, bob_address).decrypt(reply.type, reply.bytes, random);
        for (const char* text : {"a2", "a3"})
            alice_whispers.push_back(SessionCipher(alice, alice_address, bob_address).encrypt(as_bytes(text), random).bytes);
        alice_next = SessionCipher(alice, alice_address, bob_address).encrypt(as_bytes("a4"), random);

        process_pre_key_bundle(carol, bob_address, publish_bundle(bob, 1, 2, 2, 2, random), random);
        carol_pre_key = SessionCipher(carol, carol_address, bob_address).encrypt(as_bytes("c1"), random).bytes;
        carol_next = SessionCipher(carol, carol_address, bob_address).encrypt(as_bytes("c2"), random);
    }
};

// A pre-key envelope around one of Alice's genuine whisper messages, every
// other field chosen by `spec`, as an attacker who saw the message would
// build it from public data. `spec[0]`: bit 0 the whisper (a2 or a3; never
// alice_next, which the stateful target keeps to check the session still
// works), bit 1 unused, bits 2-3 the identity key claimed (Alice's, Carol's, Bob's, or 33 bytes
// of the spec), bits 4-5 the base key (Alice's first, Carol's, or 33 bytes of
// the spec), bit 6 a one-time pre-key id, bit 7 version 3. Then the one-time,
// signed and Kyber pre-key ids (4 bytes each), the spec's keys, and the rest
// as the Kyber ciphertext. Missing bytes read as zero. nullopt when the
// fields cannot make a message (create refuses them).
inline std::optional<Bytes> forged_envelope(SessionWorld& world, ByteView spec) {
    std::size_t at = 0;
    const auto take = [&](std::size_t count) {
        Bytes out(count, 0);
        for (std::size_t i = 0; i < count && at < spec.size(); ++i) out[i] = spec[at++];
        return out;
    };
    const auto u32 = [&] {
        const Bytes b = take(4);
        return std::uint32_t{b[0]} | std::uint32_t{b[1]} << 8 | std::uint32_t{b[2]} << 16 | std::uint32_t{b[3]} << 24;
    };
    const std::uint8_t choice = take(1)[0];
    const std::uint32_t pre_key_id = u32(), signed_id = u32(), kyber_id = u32();
    const auto key_from_spec = [&]() -> std::optional<PublicKey> {
        try {
            return PublicKey::deserialize(take(kPublicKeySize));
        } catch (const Error&) {
            return std::nullopt;
        }
    };
    const Bytes& whisper = world.alice_whispers[choice & 1];
    std::optional<IdentityKey> identity;
    switch ((choice >> 2) & 3) {
        case 0: identity = world.alice.identities().identity_key_pair().public_key(); break;
        case 1: identity = world.carol.identities().identity_key_pair().public_key(); break;
        case 2: identity = world.bob.identities().identity_key_pair().public_key(); break;
        default: identity = key_from_spec();
    }
    std::optional<PublicKey> base_key;
    switch ((choice >> 4) & 3) {
        case 0: base_key = PreKeySignalMessage::deserialize(world.alice_first_pre_key).base_key(); break;
        case 1: base_key = PreKeySignalMessage::deserialize(world.carol_pre_key).base_key(); break;
        default: base_key = key_from_spec();
    }
    if (!identity || !base_key) return std::nullopt;
    const int version = choice & 0x80 ? 3 : 4;
    std::optional<KyberPayload> kyber;
    if (version == 4) kyber = KyberPayload{kyber_id, Bytes(spec.begin() + static_cast<std::ptrdiff_t>(at), spec.end())};
    try {
        return PreKeySignalMessage::create(version, 7, choice & 0x40 ? std::optional(pre_key_id) : std::nullopt,
                                           signed_id, std::move(kyber), *base_key, *identity,
                                           SignalMessage::deserialize(whisper))
            .serialize();
    } catch (const Error&) {
        return std::nullopt;
    }
}

// Bob again, holding Alice's sender key for one group, and the group
// messages she sent after it.
struct GroupWorld {
    DeterministicRandom random = seeded_random("cliquet fuzz group world");
    ProtocolAddress alice_address{"alice", 1};
    DistributionId distribution_id{0xd1, 0x57, 0x1d, 0x00, 0x00, 0x00, 0x40, 0x00,
                                   0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};
    MemorySenderKeyStore alice;
    MemorySenderKeyStore bob;

    Bytes distribution;           // the distribution message, already processed by Bob
    std::vector<Bytes> messages;  // group messages, not delivered
    Bytes next;                   // Alice's next group message: must always decrypt

    GroupWorld() {
        const auto message = create_sender_key_distribution_message(alice, alice_address, distribution_id, random);
        distribution.assign(message.serialize().data(), message.serialize().data() + message.serialize().size());
        process_sender_key_distribution_message(bob, alice_address,
                                                SenderKeyDistributionMessage::deserialize(distribution));
        for (const char* text : {"g1", "g2", "g3"})
            messages.push_back(group_encrypt(alice, alice_address, distribution_id, as_bytes(text), random).serialize());
        next = group_encrypt(alice, alice_address, distribution_id, as_bytes("g4"), random).serialize();
    }
};

// A sealed-sender service: trust root, server certificate, Alice's sender
// certificate, and envelopes she sealed to Bob.
struct SealedWorld {
    static constexpr Timestamp kExpiration = timestamp_from_unix_ms(1'900'000'000'000);
    static constexpr Timestamp kNow = timestamp_from_unix_ms(1'800'000'000'000);

    DeterministicRandom random = seeded_random("cliquet fuzz sealed world");
    KeyPair trust_root = KeyPair::generate(random);
    KeyPair server_key = KeyPair::generate(random);
    ServerCertificate server = ServerCertificate::create(7, server_key.public_key, trust_root.private_key, random);
    IdentityKeyPair alice = IdentityKeyPair::generate(random);
    IdentityKeyPair bob = IdentityKeyPair::generate(random);
    IdentityKeyPair carol = IdentityKeyPair::generate(random);
    ServiceId alice_id = *ServiceId::parse("9d0652a3-dcc3-4d11-975f-74d61598733f");
    ServiceId bob_id = *ServiceId::parse("e1ee5ab1-6c1f-4e5e-8a36-2a4c0e4d1f0b");
    ServiceId carol_id = *ServiceId::parse("PNI:0a0b0c0d-1111-4222-8333-444455556666");
    ServiceId dave_id = *ServiceId::parse("5f4b3a29-0000-4000-8000-00000000d0d0");
    SenderCertificate certificate =
        SenderCertificate::create({alice_id.to_string(), std::string("+14155550100"), 2, alice.public_key()},
                                  kExpiration, server, server_key.private_key, random);
    UnidentifiedSenderMessageContent content{CiphertextType::whisper, certificate, Bytes{'h', 'e', 'l', 'l', 'o'},
                                             ContentHint::resendable, Bytes{0x67, 0x72, 0x6f, 0x75, 0x70}};

    Bytes v1 = seal_v1(content, alice, bob.public_key(), random);
    Bytes v2_sent = seal_v2_to_bob_and_carol();
    Bytes v2_received_by_bob = received_by(bob_id);

private:
    Bytes seal_v2_to_bob_and_carol() {
        const std::vector<SealedRecipient> recipients{
            {bob_id, bob.public_key(), {{1, 0x1234}, {2, 0x0042}}},
            {carol_id, carol.public_key(), {{1, 0x3fff}}},
        };
        const std::vector<ServiceId> excluded{dave_id};
        return seal_v2(content, alice, recipients, excluded, random);
    }

    Bytes received_by(const ServiceId& who) const {
        const auto sent = SealedSenderV2SentMessage::parse(v2_sent);
        for (const auto& recipient : sent.recipients())
            if (recipient.service_id == who) return sent.received_message(recipient);
        return {};
    }
};

}  // namespace cliquet::fuzzing
