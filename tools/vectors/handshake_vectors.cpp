#include "cliquet_testing/deterministic_random.hpp"
#include "handshake_vectors.hpp"

#include "protocol/handshake/handshake.hpp"
#include "session_common.hpp"
#include "wire.pb.h"

namespace cliquet::vectors {
namespace {

// The bytes Alice draws while processing the bundle, in libsignal's order:
// base key, Kyber encapsulation message (PQXDH), first ratchet key.
Bytes alice_draws(const json& test, bool pqxdh) {
    Bytes draws = hex_param(test, "aliceBasePrivate");
    if (pqxdh) {
        const Bytes m = hex_param(test, "kyberEncapsulationSeed");
        draws.insert(draws.end(), m.begin(), m.end());
    }
    const Bytes ratchet = hex_param(test, "aliceRatchetPrivate");
    draws.insert(draws.end(), ratchet.begin(), ratchet.end());
    return draws;
}

// Bob's side of the key agreement computed directly: the handshake's root
// key and first chain key, before any ratchet step.
std::pair<Bytes, Bytes> bob_initial_keys(const PartyKeys& alice, const PartyKeys& bob,
                                         const PreKeySignalMessage& message) {
    const IdentityKeyPair bob_identity = bob.identity();
    const KeyPair signed_pre_key = KeyPair::from_private(PrivateKey::deserialize(bob.signed_pre_key_private));
    std::optional<KeyPair> one_time;
    if (message.pre_key_id()) one_time = KeyPair::from_private(PrivateKey::deserialize(bob.pre_key_private));
    const auto store = bob.make_store();
    std::optional<KyberPreKeyRecord> kyber;
    if (message.kyber()) kyber = store->kyber_pre_keys().load_kyber_pre_key(message.kyber()->pre_key_id);
    const IdentityKey alice_identity = alice.identity().public_key();
    const protocol::SessionState state = protocol::initialize_bob({
        .our_identity = bob_identity,
        .our_signed_pre_key = signed_pre_key,
        .our_one_time_pre_key = one_time ? &*one_time : nullptr,
        .their_identity = alice_identity,
        .their_base_key = message.base_key(),
        .our_kyber_pre_key = kyber ? &kyber->key_pair().secret_key : nullptr,
        .kyber_ciphertext = message.kyber() ? ByteView(message.kyber()->ciphertext) : ByteView(),
    });
    const auto root_key = state.root_key().key().span();
    const auto chain_key = state.sender_chain_key().key().span();
    return {Bytes(root_key.begin(), root_key.end()), Bytes(chain_key.begin(), chain_key.end())};
}

void check_bundle_refused(const json& test, bool pqxdh) {
    const PartyKeys alice = PartyKeys::from_json(test.at("alice"));
    const PartyKeys bob = PartyKeys::from_json(test.at("bob"));
    const auto store = alice.make_store();
    const std::string before = snapshot(*store);
    ReplayRandom random(alice_draws(test, pqxdh));
    expect_refused([&] { process_pre_key_bundle(*store, bob.address(), bob.bundle(), random, kVectorSessionOptions); }, error_param(test));
    if (snapshot(*store) != before) throw Mismatch("the refused bundle changed Alice's stores");
}

void check_message_refused(const json& test) {
    const PartyKeys alice = PartyKeys::from_json(test.at("alice"));
    const PartyKeys bob = PartyKeys::from_json(test.at("bob"));
    const auto store = bob.make_store();
    const std::string before = snapshot(*store);
    ReplayRandom random(hex_param(test, "bobRatchetPrivate"));
    const Bytes message = hex_param(test, "message");
    if (has_flag(test, "WrongKyberCiphertext") || has_flag(test, "ImplicitRejection")) {
        // The case is about the KEM and the MAC, not the parser: the message
        // must parse and carry a Kyber1024 ciphertext of the right form.
        const PreKeySignalMessage parsed = PreKeySignalMessage::deserialize(message);
        if (!parsed.kyber()) throw Mismatch("the message carries no Kyber ciphertext");
        expect_equal("kyberCiphertext", hex_param(test, "kyberCiphertext"), parsed.kyber()->ciphertext);
        if (parsed.kyber()->ciphertext.size() != 1569 || parsed.kyber()->ciphertext[0] != 0x08)
            throw Mismatch("the Kyber ciphertext is not a typed Kyber1024 one");
    }
    expect_refused([&] { (void)SessionCipher(*store, bob.address(), alice.address(), kVectorSessionOptions).decrypt(CiphertextType::pre_key, message, random); },
                   error_param(test));
    if (snapshot(*store) != before) throw Mismatch("the refused message changed Bob's stores");
}

void check_valid(const json& test, bool pqxdh) {
    const PartyKeys alice = PartyKeys::from_json(test.at("alice"));
    const PartyKeys bob = PartyKeys::from_json(test.at("bob"));
    if (bob.kyber_pre_key_id.has_value() != pqxdh)
        throw Mismatch(pqxdh ? "a PQXDH vector needs a Kyber pre-key" : "an X3DH vector has no Kyber pre-key");

    const auto alice_store = alice.make_store();
    ReplayRandom alice_random(alice_draws(test, pqxdh));
    process_pre_key_bundle(*alice_store, bob.address(), bob.bundle(), alice_random, kVectorSessionOptions);
    if (!alice_random.exhausted()) throw Mismatch("Alice drew fewer random bytes than the vector records");
    const StateKeys alice_keys = state_keys(*alice_store->sessions().load_session(bob.address()));
    expect_equal("aliceRootKey", hex_param(test, "aliceRootKey"), alice_keys.root_key);
    expect_equal("aliceChainKey", hex_param(test, "aliceChainKey"), alice_keys.sender_chain_key);
    expect_equal("initialChainKey (Alice's receiving chain)", hex_param(test, "initialChainKey"),
                 alice_keys.first_receiver_chain_key.value_or(Bytes{}));

    // PQXDH: the first message starts SPQR, whose ML-KEM-768 key pair Alice
    // draws (d || z) then.
    const Bytes plaintext = hex_param(test, "plaintext");
    ReplayRandom alice_send_random(pqxdh ? hex_param(test, "aliceSpqrKeySeed") : Bytes{});
    const CiphertextMessage sent = SessionCipher(*alice_store, alice.address(), bob.address(), kVectorSessionOptions).encrypt(plaintext, alice_send_random);
    if (!alice_send_random.exhausted()) throw Mismatch("Alice's first message drew fewer random bytes than recorded");
    if (sent.type != CiphertextType::pre_key) throw Mismatch("the first message is not a pre-key message");
    expect_equal("message", hex_param(test, "message"), sent.bytes);
    const PreKeySignalMessage parsed = PreKeySignalMessage::deserialize(sent.bytes);
    if (pqxdh) expect_equal("kyberCiphertext", hex_param(test, "kyberCiphertext"), parsed.kyber()->ciphertext);

    const auto [root_key, chain_key] = bob_initial_keys(alice, bob, parsed);
    expect_equal("initialRootKey", hex_param(test, "initialRootKey"), root_key);
    expect_equal("initialChainKey (Bob's sending chain)", hex_param(test, "initialChainKey"), chain_key);

    const auto bob_store = bob.make_store();
    ReplayRandom bob_random(hex_param(test, "bobRatchetPrivate"));
    expect_equal("plaintext decrypted by Bob", plaintext,
                 SessionCipher(*bob_store, bob.address(), alice.address(), kVectorSessionOptions).decrypt(CiphertextType::pre_key, sent.bytes, bob_random));
}

}  // namespace

void check_handshake_case(const json& group, const json& test, bool pqxdh) {
    if (string_param(group, "type") != "HandshakeTest") throw Mismatch("unknown group type");
    if (is_valid(test)) return check_valid(test, pqxdh);
    if (has_flag(test, "BadSignedPreKeySignature") || has_flag(test, "BadKyberPreKeySignature"))
        return check_bundle_refused(test, pqxdh);
    return check_message_refused(test);
}

json generate_handshakes(bool pqxdh) {
    DeterministicRandom random = fixed_seed_random(pqxdh ? "cliquet pqxdh vectors" : "cliquet x3dh vectors");
    json tests = json::array();
    json first_valid;
    for (int i = 0; i < 6; ++i) {
        const bool with_one_time = i % 2 == 0;
        const PartyKeys alice = PartyKeys::generate("alice", random, false, false);
        const PartyKeys bob = PartyKeys::generate("bob", random, with_one_time, pqxdh);
        const Bytes base = random_bytes(random, 32);
        const Bytes m = random_bytes(random, 32);
        const Bytes ratchet = random_bytes(random, 32);
        const Bytes bob_ratchet = random_bytes(random, 32);
        const Bytes plaintext = random_bytes(random, static_cast<std::size_t>(i) * 7);
        const Bytes spqr_key_seed = pqxdh ? random_bytes(random, 64) : Bytes{};

        json test = test_case(with_one_time ? "with a one-time pre-key" : "without a one-time pre-key", true,
                              json::array({with_one_time ? "OneTimePreKey" : "NoOneTimePreKey"}));
        test["alice"] = alice.to_json();
        test["bob"] = bob.to_json();
        test["aliceBasePrivate"] = to_hex(base);
        if (pqxdh) test["kyberEncapsulationSeed"] = to_hex(m);
        test["aliceRatchetPrivate"] = to_hex(ratchet);
        test["bobRatchetPrivate"] = to_hex(bob_ratchet);
        if (pqxdh) test["aliceSpqrKeySeed"] = to_hex(spqr_key_seed);
        test["plaintext"] = to_hex(plaintext);

        const auto alice_store = alice.make_store();
        ReplayRandom alice_random(alice_draws(test, pqxdh));
        process_pre_key_bundle(*alice_store, bob.address(), bob.bundle(), alice_random, kVectorSessionOptions);
        const StateKeys keys = state_keys(*alice_store->sessions().load_session(bob.address()));
        ReplayRandom alice_send_random(spqr_key_seed);
        const CiphertextMessage sent = SessionCipher(*alice_store, alice.address(), bob.address(), kVectorSessionOptions).encrypt(plaintext, alice_send_random);
        const PreKeySignalMessage parsed = PreKeySignalMessage::deserialize(sent.bytes);
        const auto [root_key, chain_key] = bob_initial_keys(alice, bob, parsed);
        test["initialRootKey"] = to_hex(root_key);
        test["initialChainKey"] = to_hex(chain_key);
        test["aliceRootKey"] = to_hex(keys.root_key);
        test["aliceChainKey"] = to_hex(keys.sender_chain_key);
        if (pqxdh) test["kyberCiphertext"] = to_hex(parsed.kyber()->ciphertext);
        test["message"] = to_hex(sent.bytes);
        if (first_valid.is_null()) first_valid = test;
        tests.push_back(std::move(test));
    }

    // Refusals, each a copy of the first case with one thing broken.
    const auto refusal = [&](const char* comment, const char* flag, const char* error, auto mutate) {
        json test = first_valid;
        test["comment"] = comment;
        test["flags"] = json::array({flag});
        test["result"] = "invalid";
        test["error"] = error;
        mutate(test);
        tests.push_back(std::move(test));
    };
    const auto flip = [](json& object, const char* field, std::size_t index, std::uint8_t mask) {
        Bytes bytes = from_hex(object[field].get<std::string>());
        bytes.at(index) ^= mask;
        object[field] = to_hex(bytes);
    };
    refusal("the signed pre-key's signature is forged", "BadSignedPreKeySignature", "invalid_signature",
            [&](json& t) { flip(t["bob"], "signedPreKeySignature", 10, 0x01); });
    if (pqxdh)
        refusal("the Kyber pre-key's signature is forged", "BadKyberPreKeySignature", "invalid_signature",
                [&](json& t) { flip(t["bob"], "kyberPreKeySignature", 20, 0x01); });
    refusal("the embedded message's MAC is wrong", "TamperedMac", "invalid_message", [&](json& t) {
        const Bytes bytes = from_hex(t["message"].get<std::string>());
        proto::wire::PreKeySignalMessage body;
        body.ParseFromArray(bytes.data() + 1, static_cast<int>(bytes.size() - 1));
        body.mutable_message()->back() ^= 0x01;
        Bytes tampered{bytes[0]};
        const std::string encoded = body.SerializeAsString();
        tampered.insert(tampered.end(), encoded.begin(), encoded.end());
        t["message"] = to_hex(tampered);
    });
    refusal("the message version is 2", "WrongVersion", "invalid_message",
            [&](json& t) { flip(t, "message", 0, pqxdh ? 0x60 : 0x10); });
    refusal("the message is cut short", "Truncated", "invalid_message", [&](json& t) {
        const std::string hex = t["message"].get<std::string>();
        t["message"] = hex.substr(0, hex.size() - 20);
    });
    if (pqxdh) {
        // Replaces the Kyber ciphertext inside an otherwise intact message.
        const auto with_kyber_ciphertext = [](json& t, const Bytes& ciphertext) {
            const Bytes bytes = from_hex(t["message"].get<std::string>());
            proto::wire::PreKeySignalMessage body;
            if (!body.ParseFromArray(bytes.data() + 1, static_cast<int>(bytes.size() - 1)))
                throw Mismatch("generation: the first message does not parse");
            body.set_kyber_ciphertext(std::string(ciphertext.begin(), ciphertext.end()));
            Bytes altered{bytes[0]};
            const std::string encoded = body.SerializeAsString();
            altered.insert(altered.end(), encoded.begin(), encoded.end());
            t["message"] = to_hex(altered);
            t["kyberCiphertext"] = to_hex(ciphertext);
        };
        // Well-formed ciphertexts of the right type and length: Bob's KEM
        // decapsulates them without complaint (implicit rejection, or a real
        // encapsulation to his key with other randomness) to a secret Alice
        // did not use, so the keys differ and the message fails its MAC.
        refusal("a well-formed Kyber ciphertext for Bob's key, made with another m: the MAC fails",
                "WrongKyberCiphertext", "invalid_message", [&](json& t) {
                    const PartyKeys bob = PartyKeys::from_json(t["bob"]);
                    DeterministicRandom other_m = fixed_seed_random("cliquet pqxdh vectors: another m");
                    with_kyber_ciphertext(t, bob.bundle().kyber_pre_key->encapsulate(other_m).ciphertext);
                });
        refusal("one bit of the Kyber ciphertext flipped (implicit rejection): the MAC fails",
                "ImplicitRejection", "invalid_message", [&](json& t) {
                    Bytes ciphertext = from_hex(t["kyberCiphertext"].get<std::string>());
                    ciphertext.at(ciphertext.size() / 2) ^= 0x04;
                    with_kyber_ciphertext(t, ciphertext);
                });
        refusal("the message is cut inside its Kyber ciphertext, so it does not parse", "TruncatedKyberCiphertext",
                "invalid_message", [&](json& t) {
                    // Field 8 (kyber_ciphertext) is length-prefixed; cutting the
                    // whole message there leaves a malformed protobuf.
                    const std::string hex = t["message"].get<std::string>();
                    t["message"] = hex.substr(0, hex.size() / 4 * 2);
                });
    }

    const json group{{"type", "HandshakeTest"}, {"tests", tests}};
    const char* name = pqxdh ? "pqxdh" : "x3dh";
    const json header = pqxdh
        ? json::array({"PQXDH as libsignal runs it (session version 4): secret = 32 x FF || DH(IKa,SPKb) ||",
                       "DH(EKa,IKb) || DH(EKa,SPKb) [|| DH(EKa,OPKb)] || Kyber1024 shared secret; HKDF-SHA256 with",
                       "no salt, info \"WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024\" -> root key 32 || chain",
                       "key 32 || SPQR auth key 32. Alice then ratchets once against SPKb. Kyber keys come from",
                       "kyberKeySeed (d || z), the encapsulation from kyberEncapsulationSeed (m); keys and",
                       "ciphertexts carry type byte 08. Alice's first message starts SPQR (its pq_ratchet field):",
                       "she draws its ML-KEM-768 key pair seed aliceSpqrKeySeed (d || z, 64 bytes) then."})
        : json::array({"X3DH as libsignal runs it (session version 3): secret = 32 x FF || DH(IKa,SPKb) ||",
                       "DH(EKa,IKb) || DH(EKa,SPKb) [|| DH(EKa,OPKb)]; HKDF-SHA256 with no salt, info",
                       "\"WhisperText\" -> root key 32 || chain key 32. Alice then ratchets once against SPKb."});
    json notes{
        {"OneTimePreKey", "the bundle has a one-time pre-key"},
        {"NoOneTimePreKey", "the bundle has no one-time pre-key"},
        {"BadSignedPreKeySignature", "Alice refuses the bundle: invalid_signature, her stores unchanged"},
        {"TamperedMac", "Bob refuses the message: invalid_message, his stores unchanged"},
        {"WrongVersion", "Bob refuses the message: invalid_message, his stores unchanged"},
        {"Truncated", "Bob refuses the message: invalid_message, his stores unchanged"},
    };
    if (pqxdh) {
        notes["BadKyberPreKeySignature"] = "Alice refuses the bundle: invalid_signature, her stores unchanged";
        notes["WrongKyberCiphertext"] =
            "a well-formed message whose Kyber ciphertext, of the right type and length, was made for Bob's key with "
            "another m: decapsulation succeeds with another secret, so the message fails its MAC: invalid_message";
        notes["ImplicitRejection"] =
            "the same with one bit of the ciphertext flipped: decapsulation yields the implicit-rejection secret, "
            "and the MAC fails: invalid_message";
        notes["TruncatedKyberCiphertext"] =
            "the message is cut inside the Kyber ciphertext, so it does not parse: invalid_message";
    }
    return vector_file(name, pqxdh ? "PQXDH" : "X3DH", header, notes,
                       json::array({group}));
}

}  // namespace cliquet::vectors
