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
// Every encrypt and decrypt event of session.json also gives the keys of its
// step, so that an implementation whose randomness cannot be injected can
// still check each step: "rootKey" and "sendingChainKey" of the acting device
// after the step, "receivingChainKey" (after a decrypt: the chain of the
// message's ratchet key, after the message), and "messageKeys" {cipherKey,
// macKey, iv} of the message, which must verify its MAC and decrypt its body
// to the plaintext. process_bundle gives Alice's root and sending chain keys.
// (session_libsignal.json has none: its sender's keys are libsignal's.)
//
// Valid and invalid tests are kept apart: a valid test holds no refusal; an
// invalid one ends with exactly one, whose code is also the test's "error",
// after the events that lead to it. Decrypt-only tests (made by
// libsignal, whose randomness cannot be replayed) have no encrypt events and
// no recorded randomness; an unrecorded device draws from a fixed stream.
#include <map>

#include "cliquet_testing/deterministic_random.hpp"
#include "crypto/aes.hpp"
#include "protocol/ratchet/ratchet_keys.hpp"
#include "protocol/ratchet/session_state.hpp"
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

// ---- the keys of each step ---------------------------------------------------

const protocol::SessionState& current_state(const SessionRecord& record) {
    if (!record.data().current) throw Mismatch("the session has no current state");
    return *record.data().current;
}

SessionRecord session_with(MemoryProtocolStore& store, const ProtocolAddress& peer) {
    auto record = store.sessions().load_session(peer);
    if (!record) throw Mismatch("no session with " + peer.to_string());
    return std::move(*record);
}

PublicKey ratchet_key_of(CiphertextType type, const Bytes& bytes) {
    if (type == CiphertextType::pre_key) return PreKeySignalMessage::deserialize(bytes).message().sender_ratchet_key();
    return SignalMessage::deserialize(bytes).sender_ratchet_key();
}

// The root key and sending chain key after a step, and after a decrypt the
// receiving chain key of the message's ratchet key.
json step_keys(const protocol::SessionState& state, const std::optional<PublicKey>& peer_ratchet) {
    json keys{{"rootKey", to_hex(state.root_key().key().span())},
              {"sendingChainKey", to_hex(state.sender_chain_key().key().span())}};
    if (peer_ratchet) {
        const auto chain = state.receiver_chain_key(*peer_ratchet);
        if (!chain) throw Mismatch("no receiving chain for the message's ratchet key");
        keys["receivingChainKey"] = to_hex(chain->key().span());
    }
    return keys;
}

json message_keys_json(const protocol::MessageKeys& keys) {
    return {{"cipherKey", to_hex(keys.cipher_key.span())},
            {"macKey", to_hex(keys.mac_key.span())},
            {"iv", to_hex(keys.iv.span())}};
}

void check_step_keys(const std::string& where, const json& event, const SessionRecord& record,
                     const std::optional<PublicKey>& peer_ratchet) {
    if (!event.contains("rootKey")) return;  // a file without per-step keys
    const json actual = step_keys(current_state(record), peer_ratchet);
    for (const char* field : {"rootKey", "sendingChainKey", "receivingChainKey"}) {
        if (!event.contains(field) && !actual.contains(field)) continue;
        if (!actual.contains(field)) throw Mismatch(where + std::string(field) + " given for a step without one");
        expect_equal(where + field, hex_param(event, field), hex_param(actual, field));
    }
}

// The published message keys must be this message's: its MAC verifies under
// macKey, and its body decrypts under cipherKey and iv to the plaintext.
void check_message_keys(const std::string& where, const json& event, CiphertextType type, const Bytes& bytes,
                        const Bytes& plaintext, const IdentityKey& sender, const IdentityKey& receiver) {
    const auto keys = event.find("messageKeys");
    if (keys == event.end()) return;
    const Bytes cipher_key = hex_param(*keys, "cipherKey");
    const Bytes mac_key = hex_param(*keys, "macKey");
    const Bytes iv = hex_param(*keys, "iv");
    if (cipher_key.size() != 32 || mac_key.size() != 32 || iv.size() != 16)
        throw Mismatch(where + "messageKeys are 32, 32 and 16 bytes");
    const SignalMessage message = type == CiphertextType::pre_key
                                      ? PreKeySignalMessage::deserialize(bytes).message()
                                      : SignalMessage::deserialize(bytes);
    if (!message.verify_mac(sender, receiver, ByteView(mac_key).first<32>()))
        throw Mismatch(where + "the message's MAC does not verify under messageKeys.macKey");
    expect_equal(where + "the body decrypted with messageKeys", plaintext,
                 crypto::aes256_cbc_decrypt(ByteView(cipher_key).first<32>(), ByteView(iv).first<16>(),
                                            message.ciphertext()));
}

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
        const IdentityKey self_identity = self.keys.identity().public_key();
        const IdentityKey peer_identity = peer.keys.identity().public_key();
        if (op == "process_bundle") {
            process_pre_key_bundle(*self.store, peer.keys.address(), peer.keys.bundle(), *self.random, kVectorSessionOptions);
            check_step_keys(where, event, session_with(*self.store, peer.keys.address()), std::nullopt);
        } else if (op == "encrypt") {
            const Bytes plaintext = hex_param(event, "plaintext");
            const auto sent = SessionCipher(*self.store, self.keys.address(), peer.keys.address(), kVectorSessionOptions).encrypt(plaintext, *self.random);
            if (type_name(sent.type) != string_param(event, "type")) throw Mismatch(where + "message type differs");
            expect_equal(where + "ciphertext", hex_param(event, "ciphertext"), sent.bytes);
            check_step_keys(where, event, session_with(*self.store, peer.keys.address()), std::nullopt);
            check_message_keys(where, event, sent.type, sent.bytes, plaintext, self_identity, peer_identity);
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
                const Bytes plaintext = hex_param(event, "plaintext");
                expect_equal(where + "plaintext", plaintext, cipher.decrypt(type, ciphertext, *self.random));
                check_step_keys(where, event, session_with(*self.store, peer.keys.address()),
                                ratchet_key_of(type, ciphertext));
                check_message_keys(where, event, type, ciphertext, plaintext, peer_identity, self_identity);
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
        process_pre_key_bundle(*alice_, bob_keys_.address(), bob_keys_.bundle(), alice_random_, kVectorSessionOptions);
        json event{{"op", "process_bundle"}, {"by", "alice"}};
        event.update(step_keys(current_state(session_with(*alice_, bob_keys_.address())), std::nullopt));
        events_.push_back(std::move(event));
    }

    // Encrypts a plaintext of `size` bytes; returns the message's index.
    std::size_t send(const std::string& by, std::size_t size) {
        const Bytes plaintext = random_bytes(setup_, size);
        const SessionRecord before = session_with(store(by), address(peer_of(by)));
        const std::size_t drawn_before = recorder(by).drawn().size();
        const auto sent = SessionCipher(store(by), address(by), address(peer_of(by)), kVectorSessionOptions).encrypt(plaintext, random(by));
        json event{{"op", "encrypt"},
                   {"by", by},
                   {"plaintext", to_hex(plaintext)},
                   {"type", type_name(sent.type)},
                   {"ciphertext", to_hex(sent.bytes)}};
        event.update(step_keys(current_state(session_with(store(by), address(peer_of(by)))), std::nullopt));
        // The message keys, as encrypt made them: SPQR's step (replayed from
        // the bytes encrypt drew) salts the keys of the sending chain's step.
        const Bytes& drawn = recorder(by).drawn();
        ReplayRandom pq_draws(Bytes(drawn.begin() + static_cast<std::ptrdiff_t>(drawn_before), drawn.end()));
        const protocol::SessionState& state = current_state(before);
        auto pq_ratchet = state.pq_ratchet();
        const auto pq_sent = pq_ratchet.send(pq_draws);
        const json keys = message_keys_json(state.sender_chain_key().step().first.keys(pq_sent.key));
        event["messageKeys"] = keys;
        events_.push_back(std::move(event));
        sent_.push_back({sent, plaintext});
        message_keys_.push_back(keys);
        return sent_.size() - 1;
    }

    void receive(const std::string& by, std::size_t message) {
        const auto& [sent, plaintext] = sent_.at(message);
        const Bytes decrypted = SessionCipher(store(by), address(by), address(peer_of(by)), kVectorSessionOptions).decrypt(sent.type, sent.bytes, random(by));
        if (decrypted != plaintext) throw Mismatch("generation: a message did not round-trip");
        json event{{"op", "decrypt"},
                   {"by", by},
                   {"type", type_name(sent.type)},
                   {"ciphertext", to_hex(sent.bytes)},
                   {"plaintext", to_hex(plaintext)}};
        event.update(step_keys(current_state(session_with(store(by), address(peer_of(by)))),
                               ratchet_key_of(sent.type, sent.bytes)));
        event["messageKeys"] = message_keys_.at(message);
        events_.push_back(std::move(event));
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
    RandomSource& random(const std::string& name) { return recorder(name); }
    RecordingRandom& recorder(const std::string& name) { return name == "alice" ? alice_random_ : bob_random_; }
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
    std::vector<json> message_keys_;  // of each sent message, by index
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

// One refusal at the end of a transcript: the scenario below, run up to its
// refusal number `which` and stopped there, the other refusals left out. A
// refusal may draw (a ratchet key made before the MAC fails), so each is its
// own transcript, with its own recorded randomness.
json refusal(bool pqxdh, int which) {
    Transcript t(std::string("session refusals ") + (pqxdh ? "v4" : "v3"), false, pqxdh);
    int index = 0;
    std::optional<std::pair<std::string, ErrorCode>> done;
    const auto refuse = [&](const std::string& what, const Bytes& bytes, ErrorCode error) {
        if (done || index++ != which) return;
        t.receive_refused("alice", CiphertextType::whisper, bytes, error);
        done.emplace(what, error);
    };
    t.start();
    t.receive("bob", t.send("alice", 10));
    const std::size_t reply = t.send("bob", 12);
    const Bytes bytes = t.message(reply).bytes;

    Bytes bad_mac = bytes;
    bad_mac.back() ^= 0x01;
    refuse("a tampered MAC", bad_mac, ErrorCode::invalid_message);
    Bytes wrong_version = bytes;
    wrong_version[0] = 0x23;
    refuse("a wrong version byte", wrong_version, ErrorCode::invalid_message);
    refuse("a truncated message", Bytes(bytes.begin(), bytes.end() - 9), ErrorCode::invalid_message);
    if (!done) t.receive("alice", reply);
    refuse("a replay", bytes, ErrorCode::duplicate_message);
    if (!done) {
        const std::size_t next = t.send("bob", 3);
        refuse("a counter 25001 ahead", with_counter(t.message(next).bytes, 25002), ErrorCode::invalid_message);
    }
    if (!done) throw Mismatch("generation: no refusal number " + std::to_string(which));
    json test = t.finish(done->first + " is refused, the stores unchanged", false,
                         json::array({pqxdh ? "Version4" : "Version3", "Refusal"}));
    test["error"] = to_string(done->second);
    return test;
}

constexpr int kRefusals = 5;

json generate_session() {
    json tests = json::array();
    for (const bool pqxdh : {false, true}) {
        tests.push_back(ping_pong(true, pqxdh));
        tests.push_back(ping_pong(false, pqxdh));
        tests.push_back(out_of_order(pqxdh));
        for (int which = 0; which < kRefusals; ++which) tests.push_back(refusal(pqxdh, which));
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
        {"Refusal", "the last event is an altered or replayed message, refused with the test's error, stores unchanged"},
    };
    json group{{"type", "SessionTranscriptTest"}, {"tests", tests}};
    return vector_file("session", "Signal 1:1 sessions", header, notes,
                       json::array({group}));
}

const CategoryRegistration registration{"session", check_session_case, generate_session,
                                        "two-party session transcripts, replayable byte for byte"};

}  // namespace
}  // namespace cliquet::vectors
