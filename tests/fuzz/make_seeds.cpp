// Writes the fuzz targets' seed corpora: real messages, certificates and
// records from the reproducible worlds of scenario.hpp (the stateful targets
// rebuild the same worlds, so their seeds decrypt), and small vector files
// from every category cliquet-vectors knows.
//
//   cliquet-make-seeds tests/fuzz/seeds
//
// Output is deterministic: rerunning it after a change that does not alter
// the protocol rewrites the same bytes.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "cliquet/decryption_error.hpp"
#include "registry.hpp"
#include "scenario.hpp"
#include "spqr_scenario.hpp"

namespace {

using namespace cliquet;
namespace fs = std::filesystem;

class SeedWriter {
public:
    explicit SeedWriter(fs::path root) : root_(std::move(root)) {}

    void write(const std::string& target, const std::string& name, ByteView bytes, int selector = -1) {
        const fs::path directory = root_ / target;
        fs::create_directories(directory);
        std::ofstream out(directory / name, std::ios::binary | std::ios::trunc);
        if (selector >= 0) out.put(static_cast<char>(selector));
        out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        if (!out) throw std::runtime_error("cannot write " + (directory / name).string());
        ++count_;
    }
    void write(const std::string& target, const std::string& name, const SecretBytes& bytes, int selector = -1) {
        write(target, name, bytes.span(), selector);
    }

    int count() const noexcept { return count_; }

private:
    fs::path root_;
    int count_ = 0;
};

void session_seeds(SeedWriter& out) {
    fuzzing::SessionWorld world;
    out.write("fuzz_signal_message", "alice-a2", world.alice_whispers[0]);
    out.write("fuzz_signal_message", "alice-a4", world.alice_next.bytes);
    out.write("fuzz_prekey_signal_message", "alice-pqxdh", world.alice_first_pre_key);
    out.write("fuzz_prekey_signal_message", "carol-pqxdh", world.carol_pre_key);

    // An X3DH (version 3) pre-key message: the same world's devices, a bundle
    // without its Kyber pre-key.
    PreKeyBundle x3dh = fuzzing::publish_bundle(world.bob, 1, 3, 3, 3, world.random);
    x3dh.kyber_pre_key_id.reset();
    x3dh.kyber_pre_key.reset();
    x3dh.kyber_pre_key_signature.reset();
    MemoryProtocolStore dave(IdentityKeyPair::generate(world.random), 4);
    const SessionOptions x3dh_allowed{.pq_ratchet = PqRatchetPolicy::offer};
    process_pre_key_bundle(dave, world.bob_address, x3dh, world.random, x3dh_allowed);
    out.write("fuzz_prekey_signal_message", "dave-x3dh",
              SessionCipher(dave, ProtocolAddress{"dave", 1}, world.bob_address, x3dh_allowed).encrypt(as_bytes("d1")).bytes);

    out.write("fuzz_session_stateful", "alice-a2", world.alice_whispers[0], 0);
    out.write("fuzz_session_stateful", "alice-a3", world.alice_whispers[1], 0);
    out.write("fuzz_session_stateful", "alice-prekey-replay", world.alice_first_pre_key, 2);
    out.write("fuzz_session_stateful", "carol-prekey", world.carol_pre_key, 3);
    // Envelope recipes (see forged_envelope): Bob's published ids, then the
    // Kyber ciphertext bytes of a genuine message.
    const Bytes kyber = PreKeySignalMessage::deserialize(world.carol_pre_key).kyber()->ciphertext;
    const auto recipe = [&](std::uint8_t choice) {
        Bytes spec{choice, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0};
        spec.insert(spec.end(), kyber.begin(), kyber.end());
        return spec;
    };
    out.write("fuzz_session_stateful", "envelope-alice-base-key", recipe(0x00), 4);  // the real handshake's names
    out.write("fuzz_session_stateful", "envelope-carol-base-key", recipe(0x11), 4);  // Carol's base key and identity
    out.write("fuzz_session_stateful", "envelope-one-time-pre-key", recipe(0x40 | 0x10), 4);
    out.write("fuzz_session_stateful", "envelope-as-carol", recipe(0x04), 5);

    out.write("fuzz_session_record", "bob-with-alice",
              world.bob.sessions().load_session(world.alice_address)->serialize());
    out.write("fuzz_session_record", "carol-pending",
              world.carol.sessions().load_session(world.bob_address)->serialize());

    out.write("fuzz_prekey_records", "pre-key", world.bob.pre_keys().load_pre_key(2)->serialize(), 0);
    out.write("fuzz_prekey_records", "signed-pre-key",
              world.bob.signed_pre_keys().load_signed_pre_key(1)->serialize(), 1);
    out.write("fuzz_prekey_records", "kyber-pre-key",
              world.bob.kyber_pre_keys().load_kyber_pre_key(1)->serialize(), 2);
}

void group_seeds(SeedWriter& out) {
    fuzzing::GroupWorld world;
    out.write("fuzz_sender_key_distribution_message", "alice", world.distribution);
    out.write("fuzz_sender_key_message", "alice-g1", world.messages[0]);
    out.write("fuzz_group_stateful", "distribution-replay", world.distribution, 1);
    for (std::size_t i = 0; i < world.messages.size(); ++i)
        out.write("fuzz_group_stateful", "alice-g" + std::to_string(i + 1), world.messages[i], 0);
    out.write("fuzz_sender_key_record", "bob-copy-of-alice",
              *world.bob.load_sender_key(world.alice_address, world.distribution_id));
    out.write("fuzz_sender_key_record", "alice-own",
              *world.alice.load_sender_key(world.alice_address, world.distribution_id));
}

void sealed_seeds(SeedWriter& out) {
    fuzzing::SealedWorld world;
    out.write("fuzz_sealed_sender_v1", "alice-to-bob", world.v1);
    out.write("fuzz_sealed_sender_v2_sent", "alice-to-bob-carol", world.v2_sent);
    out.write("fuzz_sealed_sender_v2_received", "bob", world.v2_received_by_bob);
    out.write("fuzz_sealed_content", "whisper-group-resendable", world.content.serialize());
    const UnidentifiedSenderMessageContent bare(CiphertextType::sender_key, world.certificate, Bytes{1, 2, 3});
    out.write("fuzz_sealed_content", "sender-key-bare", bare.serialize());
    out.write("fuzz_certificates", "server", world.server.serialize(), 0);
    out.write("fuzz_certificates", "sender", world.certificate.serialize(), 1);
}

// Retry requests for the session and group worlds' messages, each as a
// DecryptionErrorMessage and as the PlaintextContent around it.
void retry_seeds(SeedWriter& out) {
    fuzzing::SessionWorld sessions;
    fuzzing::GroupWorld groups;
    const struct {
        const char* name;
        ByteView message;
        CiphertextType type;
    } originals[] = {
        {"whisper", sessions.alice_whispers[0], CiphertextType::whisper},
        {"prekey", sessions.alice_first_pre_key, CiphertextType::pre_key},
        {"sender-key", groups.messages[0], CiphertextType::sender_key},
    };
    for (const auto& original : originals) {
        const auto request = DecryptionErrorMessage::for_original(original.message, original.type,
                                                                  timestamp_from_unix_ms(1'700'000'000'123), 2);
        out.write("fuzz_retry_request", std::string(original.name) + "-request", request.serialize());
        out.write("fuzz_retry_request", std::string(original.name) + "-content", PlaintextContent(request).serialize());
    }
}

// Each category's generated file, cut to its first test in each of its
// first two groups: a valid document of every shape the reader knows.
void vector_seeds(SeedWriter& out) {
    using vectors::json;
    for (const auto& [name, category] : vectors::categories()) {
        if (!category.generate) continue;  // read-only: Project Wycheproof's
        json document = category.generate();
        json groups = json::array();
        for (json& group : document["testGroups"]) {
            if (groups.size() == 2) break;
            group["tests"] = json::array({group["tests"].at(0)});
            groups.push_back(std::move(group));
        }
        document["testGroups"] = std::move(groups);
        document["numberOfTests"] = document["testGroups"].size();
        const std::string text = document.dump();
        out.write("fuzz_vectors_json", name, as_bytes(text));
    }
}

// fuzz_spqr: each snapshot's record (selector 0), and the messages its
// peer sent next as length-prefixed runs (selector 2i + 1: snapshot i).
void spqr_seeds(SeedWriter& out) {
    const auto snapshots = fuzzing::spqr_snapshots();
    for (std::size_t i = 0; i < snapshots.size(); ++i) {
        out.write("fuzz_spqr", "state-" + std::to_string(i), snapshots[i].state.serialize(), 0);
        Bytes run;
        for (const Bytes& message : snapshots[i].peer_next) {
            run.push_back(static_cast<std::uint8_t>(message.size()));
            run.insert(run.end(), message.begin(), message.end());
        }
        out.write("fuzz_spqr", "messages-" + std::to_string(i), run, static_cast<int>(2 * i + 1));
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: cliquet-make-seeds SEEDS_DIRECTORY   (tests/fuzz/seeds)\n";
        return 2;
    }
    try {
        SeedWriter out{fs::path(argv[1])};
        session_seeds(out);
        group_seeds(out);
        sealed_seeds(out);
        retry_seeds(out);
        vector_seeds(out);
        spqr_seeds(out);
        std::cout << "wrote " << out.count() << " seeds under " << argv[1] << '\n';
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "cliquet-make-seeds: " << e.what() << '\n';
        return 1;
    }
}
