// Pre-key, signed pre-key and Kyber pre-key records read back from storage.
// The first byte picks the kind (modulo 3); the rest is the record. What
// parses serializes to bytes that parse to the same record.
#include <cstddef>
#include <cstdint>

#include "cliquet/error.hpp"
#include "cliquet/pre_keys.hpp"

namespace {

template <typename Record>
void round_trip(cliquet::ByteView bytes) {
    const Record record = Record::deserialize(bytes);
    const cliquet::SecretBytes serialized = record.serialize();
    if (!(Record::deserialize(serialized.span()).serialize() == serialized)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cliquet;
    if (size == 0) return 0;
    const ByteView input(data + 1, size - 1);
    try {
        switch (data[0] % 3) {
            case 0: round_trip<PreKeyRecord>(input); break;
            case 1: round_trip<SignedPreKeyRecord>(input); break;
            default: round_trip<KyberPreKeyRecord>(input); break;
        }
    } catch (const Error&) {
    }
    return 0;
}
