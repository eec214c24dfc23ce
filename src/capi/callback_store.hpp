// A ProtocolStore over an application's key-value callbacks
// (cliquet_store_callbacks): every store contract is kept here, the
// application only keeps bytes.
#pragma once

#include <cliquet.h>

#include <cliquet/store.hpp>

#include <memory>

namespace cliquet::capi {

/// The store; `callbacks` is copied, its context must outlive the store.
[[nodiscard]] std::unique_ptr<ProtocolStore> make_callback_store(const cliquet_store_callbacks& callbacks,
                                                                 IdentityKeyPair identity,
                                                                 std::uint32_t registration_id);

}  // namespace cliquet::capi
