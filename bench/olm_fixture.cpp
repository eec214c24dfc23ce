#include "olm_fixture.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

#include "cliquet/random.hpp"

namespace cliquet::bench {
namespace {

void check(std::size_t result, const char* what) {
    if (result == olm_error()) throw std::runtime_error(std::string("libolm failed: ") + what);
}

std::vector<std::uint8_t> random_bytes(std::size_t size) {
    std::vector<std::uint8_t> out(size);
    system_random().fill(out);
    return out;
}

}  // namespace

OlmPair::OlmPair() {
    for (Party* party : {&alice_, &bob_}) {
        party->account_memory.resize(olm_account_size());
        party->account = olm_account(party->account_memory.data());
        auto random = random_bytes(olm_create_account_random_length(party->account));
        check(olm_create_account(party->account, random.data(), random.size()), "create account");
        party->session_memory.resize(olm_session_size());
        party->session = olm_session(party->session_memory.data());
    }

    std::string bob_identity(olm_account_identity_keys_length(bob_.account), '\0');
    check(olm_account_identity_keys(bob_.account, bob_identity.data(), bob_identity.size()), "identity keys");
    auto otk_random = random_bytes(olm_account_generate_one_time_keys_random_length(bob_.account, 1));
    check(olm_account_generate_one_time_keys(bob_.account, 1, otk_random.data(), otk_random.size()), "one-time key");
    std::string bob_otks(olm_account_one_time_keys_length(bob_.account), '\0');
    check(olm_account_one_time_keys(bob_.account, bob_otks.data(), bob_otks.size()), "one-time keys");

    const std::string identity_key = nlohmann::json::parse(bob_identity)["curve25519"];
    const nlohmann::json one_time_keys = nlohmann::json::parse(bob_otks).at("curve25519");
    const std::string one_time_key = one_time_keys.begin().value();

    auto session_random = random_bytes(olm_create_outbound_session_random_length(alice_.session));
    check(olm_create_outbound_session(alice_.session, alice_.account, identity_key.data(), identity_key.size(),
                                      one_time_key.data(), one_time_key.size(), session_random.data(),
                                      session_random.size()),
          "outbound session");

    // The first (pre-key) message creates Bob's inbound session.
    Message first = encrypt(true, {'h', 'i'});
    std::string for_inbound = first.body;
    check(olm_create_inbound_session(bob_.session, bob_.account, for_inbound.data(), for_inbound.size()),
          "inbound session");
    decrypt(true, first);
    // One reply so that both sides hold normal (non pre-key) ratchet state.
    decrypt(false, encrypt(false, {'o', 'k'}));
}

OlmPair::~OlmPair() {
    for (Party* party : {&alice_, &bob_}) {
        olm_clear_session(party->session);
        olm_clear_account(party->account);
    }
}

OlmPair::Message OlmPair::encrypt(bool alice_to_bob, const std::vector<std::uint8_t>& plaintext) {
    OlmSession* session = alice_to_bob ? alice_.session : bob_.session;
    Message message;
    message.type = olm_encrypt_message_type(session);
    const std::size_t random_length = olm_encrypt_random_length(session);
    scratch_.resize(random_length);
    if (random_length != 0) system_random().fill(scratch_);
    message.body.resize(olm_encrypt_message_length(session, plaintext.size()));
    check(olm_encrypt(session, plaintext.data(), plaintext.size(), scratch_.data(), random_length,
                      message.body.data(), message.body.size()),
          "encrypt");
    return message;
}

std::size_t OlmPair::decrypt(bool alice_to_bob, Message message) {
    OlmSession* session = alice_to_bob ? bob_.session : alice_.session;
    // libolm decodes base64 in place, so the length query needs its own copy.
    std::string probe = message.body;
    const std::size_t max_length = olm_decrypt_max_plaintext_length(session, message.type, probe.data(), probe.size());
    check(max_length, "decrypt length");
    scratch_.resize(max_length);
    const std::size_t length = olm_decrypt(session, message.type, message.body.data(), message.body.size(),
                                           scratch_.data(), scratch_.size());
    check(length, "decrypt");
    return length;
}

}  // namespace cliquet::bench
