// What SPQR's key derivations share: every HKDF in the chain, the braid and
// the authenticator is salted with 32 zero bytes, as SPQR specifies.
#pragma once

#include <array>
#include <cstdint>

namespace cliquet::protocol::spqr {

inline constexpr std::array<std::uint8_t, 32> kZeroSalt{};

}  // namespace cliquet::protocol::spqr
