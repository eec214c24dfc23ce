// Everything an in-memory store holds, as one string, for tests and fuzzers
// that require a refused input to leave a store byte for byte as it was.
#pragma once

#include <string>

#include "cliquet/memory_store.hpp"

namespace cliquet {

// Every sender-key record, by sender and distribution: two snapshots are
// equal exactly when the stores are.
std::string store_snapshot(const MemorySenderKeyStore& store);

// Every identity, pre-key, signed pre-key, Kyber pre-key with its kind and
// uses, session, sender-key record and pre-key id counter: two snapshots are
// equal exactly when the stores are.
std::string store_snapshot(MemoryProtocolStore& store);

}  // namespace cliquet
