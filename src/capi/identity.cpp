// cliquet_identity and bare key pairs: keys.hpp.
#include <cliquet/keys.hpp>
#include <cliquet/random.hpp>

#include "capi/boundary.hpp"
#include "capi/handles.hpp"

using namespace cliquet;
using namespace cliquet::capi;

namespace {

// Registration ids are 14 bits, and never 0 (libsignal's KeyHelper range).
constexpr std::uint32_t kMaxRegistrationId = 16380;

std::uint32_t random_registration_id() {
    std::uint8_t bytes[4];
    system_random().fill(bytes);
    const std::uint32_t value =
        (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) | bytes[3];
    return 1 + value % kMaxRegistrationId;
}

void check_registration_id(std::uint32_t id) {
    if (id == 0 || id > kMaxRegistrationId) throw Error(ErrorCode::invalid_argument, "a registration id is 1 to 16380");
}

}  // namespace

extern "C" {

cliquet_status cliquet_key_pair_generate(cliquet_buffer* public_key, cliquet_buffer* private_key) {
    return guarded([&] {
        buffer_out(public_key, "public_key");
        buffer_out(private_key, "private_key");
        const KeyPair pair = KeyPair::generate();
        fill(public_key, pair.public_key.serialize());
        try {
            fill(private_key, pair.private_key.secret().span());
        } catch (...) {
            cliquet_buffer_free(public_key);
            throw;
        }
    });
}

cliquet_status cliquet_identity_generate(cliquet_identity** identity) {
    return guarded([&] {
        handle_out(identity, "identity");
        *identity = make_handle<cliquet_identity>(IdentityKeyPair::generate(), random_registration_id());
    });
}

cliquet_status cliquet_identity_deserialize(const uint8_t* data, size_t len, uint32_t registration_id,
                                            cliquet_identity** identity) {
    return guarded([&] {
        handle_out(identity, "identity");
        const auto bytes = bytes_in(data, len, "data");
        check_registration_id(registration_id);
        *identity = make_handle<cliquet_identity>(IdentityKeyPair::deserialize(bytes), registration_id);
    });
}

cliquet_status cliquet_identity_serialize(const cliquet_identity* identity, cliquet_buffer* out) {
    return guarded([&] {
        buffer_out(out, "out");
        fill(out, require(identity, "identity")->key_pair.serialize().span());
    });
}

cliquet_status cliquet_identity_public_key(const cliquet_identity* identity, cliquet_buffer* out) {
    return guarded([&] {
        buffer_out(out, "out");
        fill(out, require(identity, "identity")->key_pair.public_key().serialize());
    });
}

cliquet_status cliquet_identity_registration_id(const cliquet_identity* identity, uint32_t* registration_id) {
    return guarded(
        [&] { value_out(registration_id, "registration_id") = require(identity, "identity")->registration_id; });
}

void cliquet_identity_free(cliquet_identity* identity) { delete identity; }

}  // extern "C"
