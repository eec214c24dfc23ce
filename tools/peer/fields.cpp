#include <limits>
#include <utility>

#include "cliquet/error.hpp"
#include "peer.hpp"

namespace cliquet::peer {

std::map<std::string, OpInfo, std::less<>>& op_table() {
    static std::map<std::string, OpInfo, std::less<>> table;
    return table;
}

const IdentityKeyPair& PeerState::require_identity() const {
    if (!identity) throw BadRequest("init must come first");
    return *identity;
}

const json& field(const json& request, std::string_view name) {
    const auto it = request.find(name);
    if (it == request.end()) throw BadRequest("missing field '" + std::string(name) + "'");
    return *it;
}

std::string string_field(const json& request, std::string_view name) {
    const json& value = field(request, name);
    if (!value.is_string()) throw BadRequest("field '" + std::string(name) + "' must be a string");
    return value.get<std::string>();
}

Bytes hex_field(const json& request, std::string_view name) {
    const std::string text = string_field(request, name);
    try {
        return from_hex(text);
    } catch (const Error&) {
        throw BadRequest("field '" + std::string(name) + "' is not hex");
    }
}

std::optional<Bytes> optional_hex_field(const json& request, std::string_view name) {
    const auto it = request.find(name);
    if (it == request.end() || it->is_null()) return std::nullopt;
    return hex_field(request, name);
}

std::int64_t int_field(const json& request, std::string_view name) {
    const json& value = field(request, name);
    if (!value.is_number_integer()) throw BadRequest("field '" + std::string(name) + "' must be an integer");
    if (value.is_number_unsigned() && value.get<std::uint64_t>() > std::numeric_limits<std::int64_t>::max())
        throw BadRequest("field '" + std::string(name) + "' is out of range");
    return value.get<std::int64_t>();
}

std::optional<std::int64_t> optional_int_field(const json& request, std::string_view name) {
    const auto it = request.find(name);
    if (it == request.end() || it->is_null()) return std::nullopt;
    return int_field(request, name);
}

std::uint32_t u32_field(const json& request, std::string_view name) {
    const std::int64_t value = int_field(request, name);
    if (value < 0 || value > std::numeric_limits<std::uint32_t>::max())
        throw BadRequest("field '" + std::string(name) + "' is out of range");
    return static_cast<std::uint32_t>(value);
}

bool bool_field(const json& request, std::string_view name) {
    const json& value = field(request, name);
    if (!value.is_boolean()) throw BadRequest("field '" + std::string(name) + "' must be a boolean");
    return value.get<bool>();
}

Timestamp timestamp_field(const json& request, std::string_view name) {
    const std::int64_t value = int_field(request, name);
    if (value < 0) throw BadRequest("field '" + std::string(name) + "' must not be negative");
    return timestamp_from_unix_ms(static_cast<std::uint64_t>(value));
}

namespace {

constexpr std::pair<CiphertextType, std::string_view> kMessageTypeNames[] = {
    {CiphertextType::pre_key, "prekey"},
    {CiphertextType::whisper, "whisper"},
    {CiphertextType::sender_key, "sender_key"},
    {CiphertextType::plaintext, "plaintext"},
};

}  // namespace

CiphertextType message_type_field(const json& request, std::string_view name) {
    const std::string type = string_field(request, name);
    for (const auto& [value, type_name] : kMessageTypeNames)
        if (type_name == type) return value;
    throw BadRequest("field '" + std::string(name) + "' must be prekey, whisper, sender_key or plaintext");
}

std::string_view message_type_name(CiphertextType type) {
    for (const auto& [value, name] : kMessageTypeNames)
        if (value == type) return name;
    return "unknown";
}

std::string hex(ByteView bytes) { return to_hex(bytes); }

}  // namespace cliquet::peer
