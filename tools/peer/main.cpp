// cliquet-peer — see docs/peer-protocol.md. Reads one JSON request per line
// on stdin and writes exactly one JSON response per line on stdout.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>

#include "cliquet/error.hpp"
#include "peer.hpp"

namespace cliquet::peer {
namespace {

// Lines longer than this are refused unread, so a hostile driver cannot
// make the peer buffer without bound.
constexpr std::size_t kMaxLineBytes = 64u << 20;

// Every op of the peer protocol (version 1). One this build lacks is
// `unsupported`, not `unknown_op`, so a harness can tell the two apart.
constexpr std::string_view kProtocolOps[] = {
    "init", "sign", "verify", "capabilities", "prekey_bundle", "process_bundle", "trust", "encrypt", "decrypt",
    "fingerprint", "server_certificate", "sender_certificate", "validate_sender_certificate", "seal", "seal_multi",
    "fanout", "unseal", "group_start", "group_join", "group_encrypt", "group_decrypt", "kem_keygen",
    "kem_encapsulate", "kem_decapsulate"};

json failure(const json& id, std::string_view code, std::string_view message) {
    return json{{"id", id}, {"ok", false}, {"error", {{"code", code}, {"message", message}}}};
}

std::string_view peer_code(ErrorCode code) {
    // The library's two codes that the peer protocol does not name are, from
    // a driver's point of view, requests the peer cannot carry out.
    switch (code) {
        case ErrorCode::invalid_argument: return "bad_request";
        case ErrorCode::storage: return "bad_request";
        default: return to_string(code);
    }
}

// Reads one line into `line`; a line over the limit is consumed and
// reported as too long rather than buffered.
bool read_line(std::istream& in, std::string& line, bool& too_long) {
    line.clear();
    too_long = false;
    std::streambuf* buffer = in.rdbuf();
    for (;;) {
        const int c = buffer->sbumpc();
        if (c == std::char_traits<char>::eof()) return !line.empty() || too_long;
        if (c == '\n') return true;
        if (line.size() < kMaxLineBytes) {
            line.push_back(static_cast<char>(c));
        } else {
            too_long = true;
            line.clear();
        }
    }
}

json answer(PeerState& state, const std::string& line, bool& quit) {
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

}  // namespace
}  // namespace cliquet::peer

int main(int argc, char** argv) {
    using namespace cliquet::peer;
    PeerState state;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--db" && i + 1 < argc) {
            state.options.db_path = argv[++i];
        } else if (arg == "--help" || arg == "-h") {
            std::cout << "usage: cliquet-peer [--db FILE]\n"
                         "Plays one Signal device; reads JSON requests on stdin, one per line.\n";
            return 0;
        } else {
            std::cerr << "cliquet-peer: unknown argument '" << arg << "'\n";
            return 2;
        }
    }
    std::ios::sync_with_stdio(false);
    std::string line;
    bool quit = false;
    bool too_long = false;
    while (!quit && read_line(std::cin, line, too_long)) {
        if (!too_long && line.find_first_not_of(" \t\r") == std::string::npos) continue;
        json response = too_long ? failure(nullptr, "bad_request", "request line too long") : answer(state, line, quit);
        std::cout << response.dump(-1, ' ', false, json::error_handler_t::replace) << '\n' << std::flush;
    }
    return 0;
}
