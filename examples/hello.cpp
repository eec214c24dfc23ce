// The smallest complete use of cliquet: Bob publishes a bundle, Alice starts
// a session from it, and they exchange one message each way.
#include <cliquet/cliquet.hpp>

#include <cstdio>
#include <string>

using namespace cliquet;

int main() {
    MemoryProtocolStore alice(IdentityKeyPair::generate(), 1001);
    MemoryProtocolStore bob(IdentityKeyPair::generate(), 2002);
    const ProtocolAddress alice_address{"alice", 1};
    const ProtocolAddress bob_address{"bob", 1};

    // Bob's keys: a one-time pre-key, a signed pre-key and a Kyber pre-key.
    const auto& bob_identity = bob.identities().identity_key_pair();
    const auto pre_key = PreKeyRecord::generate(7);
    const auto signed_pre_key = SignedPreKeyRecord::generate(1, bob_identity, timestamp_from_unix_ms(0));
    const auto kyber_pre_key = KyberPreKeyRecord::generate(1, bob_identity, timestamp_from_unix_ms(0));
    bob.pre_keys().store_pre_key(pre_key);
    bob.signed_pre_keys().store_signed_pre_key(signed_pre_key);
    bob.kyber_pre_keys().store_kyber_pre_key(kyber_pre_key, KyberPreKeyKind::one_time);

    const PreKeyBundle bundle{  // what a server would hand to Alice
        .registration_id = 2002,
        .device_id = 1,
        .pre_key_id = pre_key.id(),
        .pre_key = pre_key.key_pair().public_key,
        .signed_pre_key_id = signed_pre_key.id(),
        .signed_pre_key = signed_pre_key.key_pair().public_key,
        .signed_pre_key_signature = signed_pre_key.signature(),
        .identity_key = bob_identity.public_key(),
        .kyber_pre_key_id = kyber_pre_key.id(),
        .kyber_pre_key = kyber_pre_key.key_pair().public_key,
        .kyber_pre_key_signature = kyber_pre_key.signature(),
    };

    process_pre_key_bundle(alice, bob_address, bundle);
    const CiphertextMessage hello = SessionCipher(alice, alice_address, bob_address).encrypt(as_bytes("hello, Bob"));
    const Bytes received = SessionCipher(bob, bob_address, alice_address).decrypt(hello.type, hello.bytes);

    const CiphertextMessage reply = SessionCipher(bob, bob_address, alice_address).encrypt(as_bytes("hello, Alice"));
    const Bytes answered = SessionCipher(alice, alice_address, bob_address).decrypt(reply.type, reply.bytes);

    std::printf("Bob read:   %s (a %zu-byte pre-key message, version %d)\n",
                std::string(received.begin(), received.end()).c_str(), hello.bytes.size(), hello.bytes[0] >> 4);
    std::printf("Alice read: %s (a %zu-byte whisper message)\n", std::string(answered.begin(), answered.end()).c_str(),
                reply.bytes.size());
    return 0;
}
