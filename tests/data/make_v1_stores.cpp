// Made tests/data/v1_alice.db, v1_bob.db and v1_stores.json: two SqliteStore
// files of schema version 1, written by cliquet at commit e0567d9 (the last
// version-1 build), for tests/sqlite_migration_test.cpp.
//
// It builds against that commit only (later builds changed the store API),
// so it is kept here, out of the build, to say how the files were made:
//   git worktree add /tmp/v1 e0567d9 && cmake --preset release -S /tmp/v1 && cmake --build /tmp/v1/build/release
//   g++ -std=c++20 -I/tmp/v1/include make_v1_stores.cpp /tmp/v1/build/release/libcliquet.a \
//       -lsodium -lcrypto -lsqlite3 -lprotobuf-lite -o make_v1_stores
//   ./make_v1_stores OUT_DIR
//
// Alice's file is plain; Bob's is sealed under the storage key 01 02 .. 20,
// so that a migration must re-seal his rows. Between them they hold a row of
// every table: Bob keeps two one-time pre-keys, a signed pre-key, a used and
// an unused Kyber pre-key, Alice's identity, a session and Alice's sender
// key; Alice keeps her session, Bob's identity and her own sender key. Two
// messages are left in flight (a whisper message and a group message from
// Alice), to be decrypted only after the migration.
#include <cstdio>
#include <fstream>
#include <string>

#include "cliquet/memory_store.hpp"
#include "cliquet/sender_keys.hpp"
#include "cliquet/session.hpp"
#include "cliquet/sqlite_store.hpp"

using namespace cliquet;

namespace {

std::string hex(ByteView bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (std::uint8_t b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "failed: %s\n", what);
        std::exit(1);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    const std::string dir = argv[1];
    const ProtocolAddress alice_address{"alice", 1};
    const ProtocolAddress bob_address{"bob", 1};
    StorageKey bob_key;
    for (std::size_t i = 0; i < bob_key.size(); ++i) bob_key.data()[i] = static_cast<std::uint8_t>(i + 1);
    const std::uint64_t made_at = 1767225600000;  // 2026-01-01

    const IdentityKeyPair alice_identity = IdentityKeyPair::generate();
    const IdentityKeyPair bob_identity = IdentityKeyPair::generate();
    auto alice = SqliteStore::create(dir + "/v1_alice.db", {alice_address, alice_identity, 1111});
    SqliteStoreOptions sealed;
    sealed.storage_key = bob_key;
    auto bob = SqliteStore::create(dir + "/v1_bob.db", {bob_address, bob_identity, 2222}, sealed);

    const auto signed_pre_key = SignedPreKeyRecord::generate(7, bob_identity, made_at);
    const auto kyber_used = KyberPreKeyRecord::generate(11, bob_identity, made_at);
    const auto kyber_unused = KyberPreKeyRecord::generate(12, bob_identity, made_at);
    bob->signed_pre_keys().store_signed_pre_key(signed_pre_key);
    bob->kyber_pre_keys().store_kyber_pre_key(kyber_used);
    bob->kyber_pre_keys().store_kyber_pre_key(kyber_unused);
    for (PreKeyId id : {1u, 2u, 3u}) bob->pre_keys().store_pre_key(PreKeyRecord::generate(id));

    const auto pre_key_1 = *bob->pre_keys().load_pre_key(1);
    PreKeyBundle bundle{
        .registration_id = 2222,
        .device_id = 1,
        .pre_key_id = 1,
        .pre_key = pre_key_1.key_pair().public_key,
        .signed_pre_key_id = 7,
        .signed_pre_key = signed_pre_key.key_pair().public_key,
        .signed_pre_key_signature = signed_pre_key.signature(),
        .identity_key = bob_identity.public_key(),
        .kyber_pre_key_id = 11,
        .kyber_pre_key = kyber_used.key_pair().public_key,
        .kyber_pre_key_signature = kyber_used.signature(),
    };
    process_pre_key_bundle(*alice, bob_address, bundle, system_random(), made_at);
    SessionCipher alice_to_bob(*alice, bob_address);
    SessionCipher bob_to_alice(*bob, alice_address);
    const auto first = alice_to_bob.encrypt(as_bytes("hello bob"));
    check(first.type == CiphertextType::pre_key, "a pre-key message first");
    check(bob_to_alice.decrypt(first.type, first.bytes) == Bytes(as_bytes("hello bob").begin(), as_bytes("hello bob").end()), "bob decrypts");
    const auto reply = bob_to_alice.encrypt(as_bytes("hello alice"));
    (void)alice_to_bob.decrypt(reply.type, reply.bytes);
    const auto in_flight = alice_to_bob.encrypt(as_bytes("sent before the migration"));
    check(in_flight.type == CiphertextType::whisper, "a whisper message in flight");

    DistributionId group{};
    for (std::size_t i = 0; i < group.size(); ++i) group[i] = static_cast<std::uint8_t>(0xa0 + i);
    const auto distribution = create_sender_key_distribution_message(alice->sender_keys(), alice_address, group);
    process_sender_key_distribution_message(bob->sender_keys(), alice_address, distribution);
    const auto group_first = group_encrypt(alice->sender_keys(), alice_address, group, as_bytes("group one"));
    (void)group_decrypt(bob->sender_keys(), alice_address, group_first.serialize());
    const auto group_in_flight =
        group_encrypt(alice->sender_keys(), alice_address, group, as_bytes("group message sent before the migration"));

    std::ofstream manifest(dir + "/v1_stores.json");
    manifest << "{\n"
             << "  \"made_by\": \"tests/data/make_v1_stores.cpp at cliquet commit e0567d9\",\n"
             << "  \"bob_storage_key\": \"" << hex(bob_key.span()) << "\",\n"
             << "  \"alice_identity\": \"" << hex(alice_identity.public_key().serialize()) << "\",\n"
             << "  \"bob_identity\": \"" << hex(bob_identity.public_key().serialize()) << "\",\n"
             << "  \"bob_pre_keys\": {\"2\": \"" << hex(bob->pre_keys().load_pre_key(2)->key_pair().public_key.serialize())
             << "\", \"3\": \"" << hex(bob->pre_keys().load_pre_key(3)->key_pair().public_key.serialize()) << "\"},\n"
             << "  \"bob_signed_pre_key\": \"" << hex(signed_pre_key.key_pair().public_key.serialize()) << "\",\n"
             << "  \"bob_kyber_pre_keys\": {\"11\": \"" << hex(kyber_used.key_pair().public_key.serialize())
             << "\", \"12\": \"" << hex(kyber_unused.key_pair().public_key.serialize()) << "\"},\n"
             << "  \"distribution_id\": \"" << hex(group) << "\",\n"
             << "  \"in_flight_whisper\": \"" << hex(in_flight.bytes) << "\",\n"
             << "  \"in_flight_whisper_plaintext\": \"" << hex(as_bytes("sent before the migration")) << "\",\n"
             << "  \"in_flight_group\": \"" << hex(group_in_flight.serialize()) << "\",\n"
             << "  \"in_flight_group_plaintext\": \"" << hex(as_bytes("group message sent before the migration")) << "\"\n"
             << "}\n";
    return 0;
}
