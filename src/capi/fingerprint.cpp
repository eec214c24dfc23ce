// Safety numbers: fingerprint.hpp.
#include <cliquet/fingerprint.hpp>

#include "capi/boundary.hpp"
#include "capi/handles.hpp"

using namespace cliquet;
using namespace cliquet::capi;

extern "C" {

cliquet_status cliquet_fingerprint_new(uint32_t version, uint32_t iterations, const uint8_t* local_id,
                                       size_t local_id_len, const uint8_t* local_key, size_t local_key_len,
                                       const uint8_t* remote_id, size_t remote_id_len, const uint8_t* remote_key,
                                       size_t remote_key_len, cliquet_fingerprint** fingerprint) {
    return guarded([&] {
        handle_out(fingerprint, "fingerprint");
        const auto ours = PublicKey::deserialize(bytes_in(local_key, local_key_len, "local_key"));
        const auto theirs = PublicKey::deserialize(bytes_in(remote_key, remote_key_len, "remote_key"));
        *fingerprint =
            new cliquet_fingerprint{Fingerprint(version, iterations, bytes_in(local_id, local_id_len, "local_id"), ours,
                                                bytes_in(remote_id, remote_id_len, "remote_id"), theirs)};
    });
}

cliquet_status cliquet_fingerprint_displayable(const cliquet_fingerprint* fingerprint, cliquet_buffer* digits) {
    return guarded([&] {
        buffer_out(digits, "digits");
        fill_text(digits, require(fingerprint, "fingerprint")->fingerprint.displayable());
    });
}

cliquet_status cliquet_fingerprint_scannable(const cliquet_fingerprint* fingerprint, cliquet_buffer* code) {
    return guarded([&] {
        buffer_out(code, "code");
        fill(code, require(fingerprint, "fingerprint")->fingerprint.scannable().serialize());
    });
}

cliquet_status cliquet_fingerprint_compare(const cliquet_fingerprint* fingerprint, const uint8_t* their_code,
                                           size_t their_code_len, int* matches) {
    return guarded([&] {
        value_out(matches, "matches") = 0;
        const auto code = bytes_in(their_code, their_code_len, "their_code");
        *matches = require(fingerprint, "fingerprint")->fingerprint.scannable().compare(code) ? 1 : 0;
    });
}

void cliquet_fingerprint_free(cliquet_fingerprint* fingerprint) { delete fingerprint; }

}  // extern "C"
