// Category session: whole two-party transcripts, replayable byte for byte.
//
// Groups of type "SessionTranscriptTest". Each test describes two devices by
// their private inputs ("alice", "bob"; see PartyKeys) and, for each device
// whose randomness matters, every random byte it draws, in order
// ("aliceRandom", "bobRandom"). Then "events", run in order:
//   {"op": "process_bundle", "by": "alice"}      Alice starts from Bob's bundle
//   {"op": "encrypt", "by", "plaintext", "type", "ciphertext"}
//                                                 must give exactly these bytes
//   {"op": "decrypt", "by", "type", "ciphertext", "plaintext"}
//   {"op": "decrypt", "by", "type", "ciphertext", "error"}
//                                                 refused with that code, every
//                                                 store of the device unchanged
// Valid and invalid tests are kept apart: a valid test holds no refusal; an
// invalid one ends with exactly one, whose code is also the test's "error",
// after the events that lead to it. Decrypt-only tests (made by
// libsignal, whose randomness cannot be replayed) have no encrypt events and
// no recorded randomness; an unrecorded device draws from a fixed stream.
#include <map>

#include "cliquet_testing/deterministic_random.hpp"
#include "session_common.hpp"
#include "wire.pb.h"

namespace cliquet::vectors {
namespace {

struct Device {
    PartyKeys keys;
    std::unique_ptr<MemoryProtocolStore> store;
    std::unique_ptr<RandomSource> random;
};

const char* peer_of(const std::string& name) { return name == "alice" ? "bob" : "alice"; }

void check_session_case(const json& group, const json& test) {
    if (string_param(group, "type") != "SessionTranscriptTest") throw Mismatch("unknown group type");
    std::map<std::string, Device> devices;
    for (const char* name : {"alice", "bob"}) {
        PartyKeys keys = PartyKeys::from_json(test.at(name));
        if (keys.name != name) throw Mismatch(std::string("the device named ") + name + " is called " + keys.name);
        auto store = keys.make_store();
        std::unique_ptr<RandomSource> random;
        if (const auto recorded = optional_hex_param(test, std::string(name) + "Random"))
            random = std::make_unique<ReplayRandom>(*recorded);
        else
            random = std::make_unique<DeterministicRandom>(fixed_seed("unrecorded randomness"));
        devices.emplace(name, Device{std::move(keys), std::move(store), std::move(random)});
    }
    const auto events = test.find("events");
    if (events == test.end() || !events->is_array()) throw Mismatch("events is not an array");

    const bool valid = is_valid(test);
    if (events->empty()) throw Mismatch("no events");
    std::size_t index = 0;
    for (const json& event : *events) {
        const bool last = index + 1 == events->size();
        const std::string where = "event " + std::to_string(index++) + ": ";
        const std::string op = string_param(event, "op");
        const std::string by = string_param(event, "by");
        if (!devices.contains(by)) throw Mismatch(where + "unknown device " + by);
        Device& self = devices.at(by);
        Device& peer = devices.at(peer_of(by));
        if (op == "process_bundle") {
            process_prekey_bundle(*self.store, peer.keys.address(), peer.keys.bundle(), *self.random, kVectorSessionOptions);
        } else if (op == "encrypt") {
            const auto sent = SessionCipher(*self.store, self.keys.address(), peer.keys.address(), kVectorSessionOptions).encrypt(hex_param(event, "plaintext"), *self.random);
            if (type_name(sent.type) != string_param(event, "type")) throw Mismatch(where + "message type differs");
            expect_equal(where + "ciphertext", hex_param(event, "ciphertext"), sent.bytes);
        } else if (op == "decrypt") {
            const CiphertextType type = type_param(event, "type");
            const Bytes ciphertext = hex_param(event, "ciphertext");
            SessionCipher cipher(*self.store, self.keys.address(), peer.keys.address(), kVectorSessionOptions);
            if (event.contains("error")) {
                if (valid || !last) throw Mismatch(where + "a refusal may only end an invalid test");
                if (error_param(event) != error_param(test)) throw Mismatch(where + "the refusal's error is not the test's");
                const std::string before = snapshot(*self.store);
                expect_refused([&] { (void)cipher.decrypt(type, ciphertext, *self.random); }, error_param(event));
                if (snapshot(*self.store) != before) throw Mismatch(where + "the refusal changed the stores");
            } else {
                expect_equal(where + "plaintext", hex_param(event, "plaintext"),
                             cipher.decrypt(type, ciphertext, *self.random));
            }
        } else {
            throw Mismatch(where + "unknown op " + op);
        }
    }
    if (!valid && !events->back().contains("error")) throw Mismatch("an invalid test must end with a refusal");
    // An invalid test stops at its refusal, before all the recorded draws.
    for (auto& [name, device] : devices) {
        if (!valid) break;
        const auto* replay = dynamic_cast<const ReplayRandom*>(device.random.get());
        if (replay && !replay->exhausted()) throw Mismatch(name + " drew fewer random bytes than recorded");
    }
}

// ---- generation -------------------------------------------------------------

class Transcript {
public:
    Transcript(std::string_view label, bool with_one_time, bool pqxdh)
        : setup_(fixed_seed_random(std::string(label) + " keys")),
          alice_keys_(PartyKeys::generate("alice", setup_, false, false)),
          bob_keys_(PartyKeys::generate("bob", setup_, with_one_time, pqxdh)),
          alice_random_(std::string(label) + " alice"),
          bob_random_(std::string(label) + " bob"),
          alice_(alice_keys_.make_store()),
          bob_(bob_keys_.make_store()) {}

    void start() {
        process_prekey_bundle(*alice_, bob_keys_.address(), bob_keys_.bundle(), alice_random_, kVectorSessionOptions);
        events_.push_back({{"op", "process_bundle"}, {"by", "alice"}});
    }

    // Encrypts a plaintext of `size` bytes; returns the message's index.
    std::size_t send(const std::string& by, std::size_t size) {
        const Bytes plaintext = random_bytes(setup_, size);
        const auto sent = SessionCipher(store(by), address(by), address(peer_of(by)), kVectorSessionOptions).encrypt(plaintext, random(by));
        events_.push_back({{"op", "encrypt"},
                           {"by", by},
                           {"plaintext", to_hex(plaintext)},
                           {"type", type_name(sent.type)},
                           {"ciphertext", to_hex(sent.bytes)}});
        sent_.push_back({sent, plaintext});
        return sent_.size() - 1;
    }

    void receive(const std::string& by, std::size_t message) {
        const auto& [sent, plaintext] = sent_.at(message);
        const Bytes decrypted = SessionCipher(store(by), address(by), address(peer_of(by)), kVectorSessionOptions).decrypt(sent.type, sent.bytes, random(by));
        if (decrypted != plaintext) throw Mismatch("generation: a message did not round-trip");
        events_.push_back({{"op", "decrypt"},
                           {"by", by},
                           {"type", type_name(sent.type)},
                           {"ciphertext", to_hex(sent.bytes)},
                           {"plaintext", to_hex(plaintext)}});
    }

    // Delivers altered bytes, which must be refused with `error`.
    void receive_refused(const std::string& by, CiphertextType type, const Bytes& bytes, ErrorCode error) {
        try {
            (void)SessionCipher(store(by), address(by), address(peer_of(by)), kVectorSessionOptions).decrypt(type, bytes, random(by));
        } catch (const Error& e) {
            if (e.code() != error) throw;
            events_.push_back({{"op", "decrypt"},
                               {"by", by},
                               {"type", type_name(type)},
                               {"ciphertext", to_hex(bytes)},
                               {"error", to_string(error)}});
            return;
        }
        throw Mismatch("generation: an altered message was accepted");
    }

    const CiphertextMessage& message(std::size_t index) const { return sent_.at(index).first; }

    json finish(std::string_view comment, bool valid, json flags) const {
        json test = test_case(comment, valid, std::move(flags));
        test["alice"] = alice_keys_.to_json();
        test["bob"] = bob_keys_.to_json();
        test["aliceRandom"] = to_hex(alice_random_.drawn());
        test["bobRandom"] = to_hex(bob_random_.drawn());
        test["events"] = events_;
        return test;
    }

private:
    MemoryProtocolStore& store(const std::string& name) { return name == "alice" ? *alice_ : *bob_; }
    RandomSource& random(const std::string& name) {
        return name == "alice" ? static_cast<RandomSource&>(alice_random_) : bob_random_;
    }
    ProtocolAddress address(const std::string& name) const {
        return name == "alice" ? alice_keys_.address() : bob_keys_.address();
    }

    DeterministicRandom setup_;
    PartyKeys alice_keys_;
    PartyKeys bob_keys_;
    RecordingRandom alice_random_;
    RecordingRandom bob_random_;
    std::unique_ptr<MemoryProtocolStore> alice_;
    std::unique_ptr<MemoryProtocolStore> bob_;
    json events_ = json::array();
    std::vector<std::pair<CiphertextMessage, Bytes>> sent_;
};

Bytes with_counter(const Bytes& whisper, std::uint32_t counter) {
    proto::wire::SignalMessage body;
    body.ParseFromArray(whisper.data() + 1, static_cast<int>(whisper.size() - 1 - kMessageMacSize));
    body.set_counter(counter);
    Bytes out{whisper[0]};
    const std::string encoded = body.SerializeAsString();
    out.insert(out.end(), encoded.begin(), encoded.end());
    out.insert(out.end(), whisper.end() - kMessageMacSize, whisper.end());
    return out;
}

json ping_pong(bool with_one_time, bool pqxdh) {
    const std::string version = pqxdh ? "v4" : "v3";
    Transcript t("session ping-pong " + version + (with_one_time ? " one-time" : ""), with_one_time, pqxdh);
    t.start();
    t.receive("bob", t.send("alice", 0));
    t.receive("bob", t.send("alice", 17));
    std::size_t size = 1;
    for (int round = 0; round < 4; ++round) {
        t.receive("alice", t.send("bob", size));
        size = size * 5 + 3;
        t.receive("bob", t.send("alice", size % 600));
    }
    return t.finish("ping-pong, session version " + std::to_string(pqxdh ? 4 : 3) +
                        (with_one_time ? ", one-time pre-key" : ", no one-time pre-key"),
                    true, json::array({pqxdh ? "Version4" : "Version3", "PingPong"}));
}

json out_of_order(bool pqxdh) {
    Transcript t(std::string("session out-of-order ") + (pqxdh ? "v4" : "v3"), true, pqxdh);
    t.start();
    std::vector<std::size_t> a;
    for (int i = 0; i < 4; ++i) a.push_back(t.send("alice", 16 + static_cast<std::size_t>(i)));
    for (int i : {3, 1}) t.receive("bob", a[static_cast<std::size_t>(i)]);
    std::vector<std::size_t> b;
    for (int i = 0; i < 3; ++i) b.push_back(t.send("bob", 8));
    t.receive("alice", b[2]);
    t.receive("bob", a[0]);
    std::vector<std::size_t> a2;
    for (int i = 0; i < 2; ++i) a2.push_back(t.send("alice", 40));
    t.receive("bob", a2[1]);
    t.receive("alice", b[0]);
    const std::size_t b_late = t.send("bob", 5);
    t.receive("bob", a[2]);
    t.receive("alice", b_late);
    t.receive("bob", a2[0]);
    t.receive("alice", b[1]);
    return t.finish("out of order within and across ratchet steps", true,
                    json::array({pqxdh ? "Version4" : "Version3", "OutOfOrder"}));
}

json refusals(bool pqxdh) {
    Transcript t(std::string("session refusals ") + (pqxdh ? "v4" : "v3"), false, pqxdh);
    t.start();
    t.receive("bob", t.send("alice", 10));
    const std::size_t reply = t.send("bob", 12);
    Bytes bytes = t.message(reply).bytes;

    Bytes bad_mac = bytes;
    bad_mac.back() ^= 0x01;
    t.receive_refused("alice", CiphertextType::whisper, bad_mac, ErrorCode::invalid_message);
    Bytes wrong_version = bytes;
    wrong_version[0] = 0x23;
    t.receive_refused("alice", CiphertextType::whisper, wrong_version, ErrorCode::invalid_message);
    t.receive_refused("alice", CiphertextType::whisper, Bytes(bytes.begin(), bytes.end() - 9),
                      ErrorCode::invalid_message);
    t.receive("alice", reply);
    t.receive_refused("alice", CiphertextType::whisper, bytes, ErrorCode::duplicate_message);
    const std::size_t next = t.send("bob", 3);
    t.receive_refused("alice", CiphertextType::whisper, with_counter(t.message(next).bytes, 25002),
                      ErrorCode::invalid_message);
    t.receive("alice", next);
    return t.finish("tampered MAC, wrong version, truncation, replay and a counter 25001 ahead, each refused", false,
                    json::array({pqxdh ? "Version4" : "Version3", "Refusals"}));
}

json generate_session() {
    json tests = json::array();
    for (const bool pqxdh : {false, true}) {
        tests.push_back(ping_pong(true, pqxdh));
        tests.push_back(ping_pong(false, pqxdh));
        tests.push_back(out_of_order(pqxdh));
        tests.push_back(refusals(pqxdh));
    }
    const json header = json::array({
        "Whole two-party sessions as libsignal runs them: X3DH (version 3) or PQXDH (version 4), then the",
        "Double Ratchet (root step HKDF(DH, salt root key, \"WhisperRatchet\"); chain step HMAC(ck, 02);",
        "message keys HKDF(HMAC(ck, 01), \"WhisperMessageKeys\") = AES key 32 || MAC key 32 || IV 16).",
        "Every private key and every random byte each device draws is given, so the transcript replays",
        "byte for byte. Bytes are hex.",
    });
    const json notes{
        {"Version3", "an X3DH session (messages 0x33)"},
        {"Version4", "a PQXDH session with Kyber1024 (messages 0x44)"},
        {"PingPong", "messages answered in turn, plaintexts of 0 to 600 bytes"},
        {"OutOfOrder", "messages delivered out of order within and across ratchet steps"},
        {"Refusals", "altered and replayed messages refused with the given code, stores unchanged"},
    };
    json group{{"type", "SessionTranscriptTest"}, {"tests", tests}};
    return vector_file("session", "Signal 1:1 sessions", header, notes,
                       json::array({group}));
}

const CategoryRegistration registration{"session", check_session_case, generate_session,
                                        "two-party session transcripts, replayable byte for byte"};

}  // namespace
}  // namespace cliquet::vectors
