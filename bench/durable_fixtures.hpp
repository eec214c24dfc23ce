// What the durable benchmarks share: a scratch database file, and Bob's
// published keys with senders holding sessions he has answered.
#pragma once

#include <array>
#include <filesystem>
#include <string>

#include "cliquet/bytes.hpp"
#include "cliquet/cliquet.hpp"
#include "cliquet/random.hpp"

namespace cliquet::bench {

// A database file of a benchmark's own, removed afterwards.
class ScratchFile {
public:
    ScratchFile() {
        std::array<std::uint8_t, 8> name{};
        system_random().fill(name);
        path_ = (std::filesystem::temp_directory_path() / ("cliquet-bench-" + to_hex(name) + ".db")).string();
    }
    ~ScratchFile() {
        std::error_code ignored;
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path_ + suffix, ignored);
    }
    ScratchFile(const ScratchFile&) = delete;
    ScratchFile& operator=(const ScratchFile&) = delete;
    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

// Bob's long-term pre-keys, stored in his store: a signed pre-key and a
// last-resort Kyber pre-key, both under id 1.
struct PublishedKeys {
    SignedPreKeyRecord signed_pre_key;
    KyberPreKeyRecord kyber;

    explicit PublishedKeys(ProtocolStore& bob)
        : signed_pre_key(SignedPreKeyRecord::generate(1, bob.identities().identity_key_pair(),
                                                      timestamp_from_unix_ms(1000))),
          kyber(KyberPreKeyRecord::generate(1, bob.identities().identity_key_pair(), timestamp_from_unix_ms(1000))) {
        bob.signed_pre_keys().store_signed_pre_key(signed_pre_key);
        bob.kyber_pre_keys().store_kyber_pre_key(kyber, KyberPreKeyKind::last_resort);
    }
};

// A PQXDH session from `sender` to Bob that Bob has answered, so that what
// `sender` sends next are steady-state whisper messages. `one_time`, if
// given, is a one-time pre-key Bob holds.
inline void start_answered_session(ProtocolStore& sender, const ProtocolAddress& sender_address, ProtocolStore& bob,
                                   const ProtocolAddress& bob_address, const PublishedKeys& keys,
                                   const PreKeyRecord* one_time = nullptr) {
    PreKeyBundle bundle{
        .registration_id = bob.identities().local_registration_id(),
        .device_id = bob_address.device_id,
        .signed_pre_key_id = 1,
        .signed_pre_key = keys.signed_pre_key.key_pair().public_key,
        .signed_pre_key_signature = keys.signed_pre_key.signature(),
        .identity_key = bob.identities().identity_key_pair().public_key(),
        .kyber_pre_key_id = 1,
        .kyber_pre_key = keys.kyber.key_pair().public_key,
        .kyber_pre_key_signature = keys.kyber.signature(),
    };
    if (one_time) {
        bundle.pre_key_id = one_time->id();
        bundle.pre_key = one_time->key_pair().public_key;
    }
    process_pre_key_bundle(sender, bob_address, bundle);
    const auto hello = SessionCipher(sender, sender_address, bob_address).encrypt(as_bytes("hello"));
    (void)SessionCipher(bob, bob_address, sender_address).decrypt(hello.type, hello.bytes);
    const auto reply = SessionCipher(bob, bob_address, sender_address).encrypt(as_bytes("hi"));
    (void)SessionCipher(sender, sender_address, bob_address).decrypt(reply.type, reply.bytes);
}

}  // namespace cliquet::bench
