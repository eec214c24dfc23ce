// The rows the integrity record covers, as the open-time scan reads them,
// and the local device's place: what the stores, the migrations and the
// opening checks must agree on.
#pragma once

#include <cstdint>
#include <string_view>

#include "cliquet/address.hpp"
#include "cliquet/sqlite_store.hpp"
#include "store/sqlite_connection.hpp"
#include "store/sqlite_integrity.hpp"
#include "store/sqlite_schema.hpp"
#include "store/sqlite_sealing.hpp"

namespace cliquet::store {

// The device's own identity key pair. From kIntegrityVersion its other
// columns, kept in clear, are part of its place, so that editing them makes
// the seal fail to open.
inline RowPlace local_device_place(const DatabaseId& id, const ProtocolAddress& address,
                                   std::uint32_t registration_id,
                                   std::int64_t version = SqliteStore::kSchemaVersion) {
    RowPlace place(id, version, kLocalDeviceTable);
    place.key(1);
    if (version >= kIntegrityVersion) place.key(address.name).key(address.device_id).key(registration_id);
    return place;
}

// The name of a tracked table, for messages.
std::string_view table_name(Tracked table) noexcept;

// Adds the term of every row of every tracked table, at the places of schema
// `version`, to `into`, which starts empty: the state the file holds, to
// compare with its record.
void scan_rows(Connection& connection, const DatabaseId& id, Integrity& into,
               std::int64_t version = SqliteStore::kSchemaVersion);

}  // namespace cliquet::store
