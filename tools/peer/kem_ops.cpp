#include "kem_ops.hpp"

#include "cliquet/kem.hpp"
#include "peer.hpp"

namespace cliquet::peer {
namespace {

RawKem kem_type_field(const json& request) {
    const std::string name = string_field(request, "kem_type");
    if (name == "kyber1024") return RawKem::kyber1024;
    if (name == "mlkem1024") return RawKem::mlkem1024;
    if (name == "mlkem768") return RawKem::mlkem768;
    throw BadRequest("field 'kem_type' must be kyber1024, mlkem1024 or mlkem768");
}

// A hex field of exactly N bytes: the seeds are inputs of the harness, so a
// wrong length is a malformed request rather than a bad key.
template <std::size_t N>
SecretArray<N> seed_field(const json& request, std::string_view name) {
    Bytes bytes = hex_field(request, name);
    if (bytes.size() != N)
        throw BadRequest("field '" + std::string(name) + "' must be " + std::to_string(N) + " bytes");
    SecretArray<N> seed(std::span<const std::uint8_t>(bytes).first<N>());
    secure_wipe(bytes.data(), bytes.size());
    return seed;
}

}  // namespace

json kem_keygen(const json& request) {
    const RawKem kem = kem_type_field(request);
    const auto seed = seed_field<64>(request, "seed");
    const auto pair = raw_kem_keygen(kem, seed.span());
    return json{{"public_key", to_hex(pair.public_key)}, {"secret_key", to_hex(pair.secret_key.span())}};
}

json kem_encapsulate(const json& request) {
    const RawKem kem = kem_type_field(request);
    const Bytes public_key = hex_field(request, "public_key");
    const auto message = seed_field<32>(request, "seed");
    const auto result = raw_kem_encapsulate(kem, public_key, message.span());
    return json{{"ciphertext", to_hex(result.ciphertext)}, {"shared_secret", to_hex(result.shared_secret.span())}};
}

json kem_decapsulate(const json& request) {
    const RawKem kem = kem_type_field(request);
    Bytes secret_key = hex_field(request, "secret_key");
    const Bytes ciphertext = hex_field(request, "ciphertext");
    const SecretBytes key(secret_key);
    secure_wipe(secret_key.data(), secret_key.size());
    const auto shared = raw_kem_decapsulate(kem, key.span(), ciphertext);
    return json{{"shared_secret", to_hex(shared.span())}};
}

namespace {

const OpRegistration registrations[] = {
    {"kem_keygen", [](PeerState&, const json& request) { return kem_keygen(request); }},
    {"kem_encapsulate", [](PeerState&, const json& request) { return kem_encapsulate(request); }},
    {"kem_decapsulate", [](PeerState&, const json& request) { return kem_decapsulate(request); }},
};

}  // namespace
}  // namespace cliquet::peer
