// Category xeddsa: XEdDSA signatures over Curve25519 as libsignal makes them.
//
// Groups of type "XeddsaVerify" give a public key in libsignal's 33-byte
// form, a message and a 64-byte signature; a valid case verifies, an invalid
// one is refused (the key does not deserialize, or the signature does not
// verify). Groups of type "XeddsaSign" fix the 64 random bytes that make the
// signature's nonce, so signing is a known answer: privateKey, random and
// message give publicKey and signature.
//
// Every refusal names its error: invalid_key when the key does not
// deserialize, invalid_signature when the signature does not verify. A case
// flagged StricterThanLibsignal is "acceptable": libsignal accepts it,
// cliquet's policy refuses it with the error given.
#include "cliquet/keys.hpp"
#include "crypto/curve25519.hpp"
#include "registry.hpp"

namespace cliquet::vectors {
namespace {

bool verifies(const Bytes& public_key, const Bytes& message, const Bytes& signature) {
    try {
        return PublicKey::deserialize(public_key).verify(message, signature);
    } catch (const Error& e) {
        if (e.code() != ErrorCode::invalid_key) throw;
        return false;
    }
}

// A refusal: the key must fail to deserialize (invalid_key) or, when it
// deserializes, the signature must fail to verify (invalid_signature).
void expect_signature_refused(const json& test, const Bytes& public_key, const Bytes& message,
                              const Bytes& signature) {
    const ErrorCode error = error_param(test);
    if (error == ErrorCode::invalid_key) {
        expect_refused([&] { (void)PublicKey::deserialize(public_key); }, ErrorCode::invalid_key);
    } else if (error == ErrorCode::invalid_signature) {
        if (PublicKey::deserialize(public_key).verify(message, signature))
            throw Mismatch("cliquet accepted the signature");
    } else {
        throw Mismatch("an XEdDSA refusal is invalid_key or invalid_signature");
    }
}

void check_xeddsa_case(const json& group, const json& test) {
    const std::string type = string_param(group, "type");
    const Bytes public_key = hex_param(test, "publicKey");
    const Bytes message = hex_param(test, "msg");
    const Bytes signature = hex_param(test, "sig");
    if (type == "XeddsaVerify") {
        const Verdict verdict = expected_verdict(test);
        if (verdict == Verdict::acceptable && !has_flag(test, "StricterThanLibsignal"))
            throw Mismatch("an acceptable XEdDSA case must be flagged StricterThanLibsignal");
        if (verdict == Verdict::valid) {
            if (!verifies(public_key, message, signature)) throw Mismatch("cliquet refused the signature");
        } else {
            expect_signature_refused(test, public_key, message, signature);
        }
    } else if (type == "XeddsaSign") {
        if (!is_valid(test)) throw Mismatch("XeddsaSign has no invalid cases");
        const PrivateKey key = PrivateKey::deserialize(hex_param(test, "privateKey"));
        const Bytes random = hex_param(test, "random");
        if (random.size() != 64) throw Mismatch("random must be 64 bytes");
        expect_equal("publicKey", public_key, key.public_key().serialize());
        const auto computed = crypto::xeddsa_sign_with_nonce(key.secret(), message, ByteView(random).first<64>());
        expect_equal("sig", signature, computed);
        if (!verifies(public_key, message, signature)) throw Mismatch("cliquet refused its own signature");
    } else {
        throw Mismatch("unknown group type " + type);
    }
}

json generate_xeddsa() {
    DeterministicRandom random = fixed_seed_random("cliquet-vectors xeddsa");
    json tests = json::array();
    const std::size_t message_sizes[] = {0, 1, 32, 33, 64, 100, 255, 1000};
    for (std::size_t size : message_sizes) {
        for (int repeat = 0; repeat < 2; ++repeat) {
            const KeyPair pair = KeyPair::generate(random);
            const Bytes nonce_random = random_bytes(random, 64);
            const Bytes message = random_bytes(random, size);
            const auto signature =
                crypto::xeddsa_sign_with_nonce(pair.private_key.secret(), message, ByteView(nonce_random).first<64>());
            json test = test_case("message of " + std::to_string(size) + " bytes", true, {"Cliquet"});
            test["privateKey"] = to_hex(pair.private_key.secret().span());
            test["random"] = to_hex(nonce_random);
            test["publicKey"] = to_hex(pair.public_key.serialize());
            test["msg"] = to_hex(message);
            test["sig"] = to_hex(signature);
            tests.push_back(std::move(test));
        }
    }
    json groups = json::array({{{"type", "XeddsaSign"}, {"tests", std::move(tests)}}});
    return vector_file("xeddsa", "XEdDSA", {"Signatures computed by cliquet with fixed 64-byte nonce randomness."},
                       {{"Cliquet", "Computed by cliquet-vectors generate xeddsa."}}, std::move(groups));
}

const CategoryRegistration registration{"xeddsa", check_xeddsa_case, generate_xeddsa,
                                        "XEdDSA signatures (libsignal's Curve25519 identity keys)"};

}  // namespace
}  // namespace cliquet::vectors
