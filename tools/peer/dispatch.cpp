// The dispatcher: one request line in, one response object out.
#include <algorithm>
#include <string>

#include "cliquet/error.hpp"
#include "peer.hpp"

namespace cliquet::peer {
namespace {

// Every op of the peer protocol (version 1.1). One this build lacks is
// `unsupported`, not `unknown_op`, so a harness can tell the two apart.
constexpr std::string_view kProtocolOps[] = {
    "init", "sign", "verify", "capabilities", "prekey_bundle", "process_bundle", "trust", "encrypt", "decrypt",
    "fingerprint", "server_certificate", "sender_certificate", "validate_sender_certificate", "seal", "seal_multi",
    "fanout", "unseal", "group_start", "group_join", "group_encrypt", "group_decrypt", "kem_keygen",
    "kem_encapsulate", "kem_decapsulate", "archive_session", "delete_session", "session_usable", "retry_request",
    "read_retry_request"};

}  // namespace

json failure(const json& id, std::string_view code, std::string_view message) {
    return json{{"id", id}, {"ok", false}, {"error", {{"code", code}, {"message", message}}}};
}

namespace {

// The library's error taxonomy in the peer protocol's words (its "Error
// codes" section). Spelled out code by code, so that the wire stays as the
// spec says whatever the library's names become; a new library code fails
// to compile here (-Wswitch) until it is mapped.
std::string_view peer_code(ErrorCode code) {
    switch (code) {
        case ErrorCode::invalid_key: return "invalid_key";
        case ErrorCode::invalid_signature: return "invalid_signature";
        case ErrorCode::invalid_message: return "invalid_message";
        case ErrorCode::duplicate_message: return "duplicate_message";
        case ErrorCode::untrusted_identity: return "untrusted_identity";
        case ErrorCode::no_session: return "no_session";
        case ErrorCode::invalid_certificate: return "invalid_certificate";
        case ErrorCode::invalid_pre_key: return "invalid_prekey";
        case ErrorCode::unsupported: return "unsupported";
        // The library's two codes that the peer protocol does not name are,
        // from a driver's point of view, requests the peer cannot carry out.
        case ErrorCode::invalid_argument: return "bad_request";
        case ErrorCode::storage: return "bad_request";
    }
    return "bad_request";
}

}  // namespace

json handle_request_line(PeerState& state, std::string_view line, bool& quit) {
    json request = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (request.is_discarded() || !request.is_object()) return failure(nullptr, "bad_request", "not a JSON object");
    const json id = request.contains("id") ? request["id"] : json(nullptr);
    if (!id.is_number_integer()) return failure(id, "bad_request", "'id' must be an integer");
    const auto op = request.find("op");
    if (op == request.end() || !op->is_string()) return failure(id, "bad_request", "'op' must be a string");
    const std::string name = op->get<std::string>();
    if (name == "quit") {
        quit = true;
        return json{{"id", id}, {"ok", true}};
    }
    const auto entry = op_table().find(name);
    if (entry == op_table().end()) {
        if (std::find(std::begin(kProtocolOps), std::end(kProtocolOps), name) != std::end(kProtocolOps))
            return failure(id, "unsupported", "this build of cliquet-peer does not offer '" + name + "'");
        return failure(id, "unknown_op", "no op named '" + name + "'");
    }
    try {
        if (entry->second.requires_init && !state.identity) throw BadRequest("init must come first");
        json result = entry->second.handler(state, request);
        if (result.is_null()) result = json::object();
        result["id"] = id;
        result["ok"] = true;
        return result;
    } catch (const BadRequest& e) {
        return failure(id, "bad_request", e.what());
    } catch (const Error& e) {
        return failure(id, peer_code(e.code()), e.what());
    } catch (const json::exception& e) {
        return failure(id, "bad_request", e.what());
    } catch (const std::bad_alloc&) {
        return failure(id, "bad_request", "request too large");
    }
}

}  // namespace cliquet::peer

