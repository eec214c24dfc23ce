// cliquet-peer: one device of a messaging app, driven by JSON lines.
//
// Each op lives in the file of its concept and registers itself with a
// static OpRegistration, so adding an op never touches the dispatcher.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cliquet/bytes.hpp"
#include "cliquet/certificates.hpp"
#include "cliquet/keys.hpp"
#include "cliquet/messages.hpp"
#include "cliquet/session.hpp"
#include "cliquet/store.hpp"

namespace cliquet::peer {

using nlohmann::json;

// A request the peer cannot read: malformed JSON, a missing or ill-typed
// field. Answered with the error code bad_request.
class BadRequest : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Options {
    std::optional<std::string> db_path;  // --db FILE
    // The peer protocol's default is the interoperable `offer`; init's
    // pq_required (or --require-spqr) selects `require`.
    SessionOptions session{.pq_ratchet = PqRatchetPolicy::offer};
};

// Everything one device holds. Ops that need an identity call
// `require_identity()`; `init` must come first.
struct PeerState {
    Options options;
    std::string name;
    std::uint32_t device_id = 0;
    std::uint32_t registration_id = 0;
    std::optional<IdentityKeyPair> identity;
    // Session versions this build speaks: X3DH (3) and PQXDH (4).
    std::vector<int> session_versions = {3, 4};
    // This device's protocol stores. session_ops.hpp's protocol_store()
    // creates in-memory ones on first use; --db installs persistent ones.
    std::shared_ptr<ProtocolStore> store;

    const IdentityKeyPair& require_identity() const;
    // This device's own address, which its sessions bind.
    ProtocolAddress local_address() const { return ProtocolAddress{name, device_id}; }
};

using OpHandler = std::function<json(PeerState&, const json& request)>;

struct OpInfo {
    OpHandler handler;
    bool requires_init = true;
};

std::map<std::string, OpInfo, std::less<>>& op_table();

struct OpRegistration {
    OpRegistration(std::string name, OpHandler handler, bool requires_init = true) {
        op_table().emplace(std::move(name), OpInfo{std::move(handler), requires_init});
    }
};

// Field readers: each throws BadRequest naming the field when it is absent
// or of the wrong type.
const json& field(const json& request, std::string_view name);
std::string string_field(const json& request, std::string_view name);
Bytes hex_field(const json& request, std::string_view name);
std::optional<Bytes> optional_hex_field(const json& request, std::string_view name);
std::int64_t int_field(const json& request, std::string_view name);
std::optional<std::int64_t> optional_int_field(const json& request, std::string_view name);
std::uint32_t u32_field(const json& request, std::string_view name);
bool bool_field(const json& request, std::string_view name);
// A time in milliseconds since the epoch: a non-negative integer.
Timestamp timestamp_field(const json& request, std::string_view name);
// A message type by its protocol name: pre_key, whisper, sender_key, plaintext.
CiphertextType message_type_field(const json& request, std::string_view name);
std::string_view message_type_name(CiphertextType type);

// The response to one request line (already known to be within the line
// limit). Never throws; sets `quit` on a quit request.
json handle_request_line(PeerState& state, std::string_view line, bool& quit);
json failure(const json& id, std::string_view code, std::string_view message);

// Output helpers.
std::string hex(ByteView bytes);

}  // namespace cliquet::peer
