#include "store/sqlite_rows.hpp"

#include <array>
#include <string>

#include "cliquet/error.hpp"

namespace cliquet::store {
namespace {

// How a tracked table's rows are laid out: its key columns, in the order its
// places name them, each read as text ('t'), an integer ('i') or bytes
// ('b'); its sealed value column, if any; and the columns it keeps in clear
// (integers or NULL). Every place is the table's name followed by its keys,
// as the stores build them.
struct TableLayout {
    Tracked tracked;
    std::string_view name;
    std::string_view keys;
    std::string_view kinds;
    std::string_view value;
    std::string_view clear;
    int clear_count;
};

constexpr std::array<TableLayout, kTrackedTables> kLayouts{{
    {Tracked::identities, kIdentitiesTable, "name, device_id", "ti", "identity_key", "", 0},
    {Tracked::pre_keys, kPreKeysTable, "id", "i", "record", "", 0},
    {Tracked::signed_pre_keys, kSignedPreKeysTable, "id", "i", "record", "", 0},
    {Tracked::kyber_pre_keys, kKyberPreKeysTable, "id", "i", "record", "last_resort", 1},
    {Tracked::kyber_base_keys_used, kKyberBaseKeysUsedTable, "kyber_pre_key_id, signed_pre_key_id, base_key", "iib",
     "", "", 0},
    {Tracked::pre_key_metadata, kPreKeyMetadataTable, "singleton", "i", "",
     "next_pre_key_id, next_signed_pre_key_id, next_kyber_pre_key_id, current_signed_pre_key_id, "
     "current_last_resort_kyber_pre_key_id",
     5},
    {Tracked::sessions, kSessionsTable, "name, device_id", "ti", "record", "", 0},
    {Tracked::sender_keys, kSenderKeysTable, "name, device_id, distribution_id", "tib", "record", "", 0},
}};

// The place of the row `row` is on, its key columns first.
RowPlace place_of(const TableLayout& layout, const Statement::Use& row, const DatabaseId& id, std::int64_t version) {
    RowPlace place(id, version, layout.name);
    for (std::size_t column = 0; column < layout.kinds.size(); ++column) {
        const int index = static_cast<int>(column);
        switch (layout.kinds[column]) {
            case 't': place.key(std::string_view(row.text(index))); break;
            case 'i': place.key(row.integer(index)); break;
            default: place.key(row.blob(index)); break;
        }
    }
    return place;
}

// "SELECT keys, substr(value, 1, 24), clear FROM table": the keys, the
// seal's nonce (none for a table without a sealed value), the clear columns.
std::string scan_sql(const TableLayout& layout) {
    std::string sql = "SELECT " + std::string(layout.keys) + ", ";
    sql += layout.value.empty() ? std::string("x''") : "substr(" + std::string(layout.value) + ", 1, 24)";
    if (!layout.clear.empty()) sql += ", " + std::string(layout.clear);
    return sql + " FROM " + std::string(layout.name);
}

}  // namespace

std::string_view table_name(Tracked table) noexcept { return kLayouts[static_cast<std::size_t>(table)].name; }

void scan_rows(Connection& connection, const DatabaseId& id, Integrity& into, std::int64_t version) {
    if (!into.authenticated()) return;
    for (const TableLayout& layout : kLayouts) {
        const int value = static_cast<int>(layout.kinds.size());
        Statement statement(connection.handle(), scan_sql(layout));
        Statement::Use row(statement);
        while (row.step()) {
            ClearColumns clear;
            for (int column = value + 1; column <= value + layout.clear_count; ++column)
                clear.add(row.is_null(column) ? std::nullopt : std::optional<std::int64_t>(row.integer(column)));
            into.replace(layout.tracked, place_of(layout, row, id, version), std::nullopt,
                         RowVersion{row.blob(value), clear.bytes()});
        }
    }
}

}  // namespace cliquet::store
