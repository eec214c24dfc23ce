// cliquet-peer — see docs/peer-protocol.md. Reads one JSON request per line
// on stdin and writes exactly one JSON response per line on stdout.
#include <iostream>
#include <string>

#include "peer.hpp"

namespace {

// Lines longer than this are refused unread, so a hostile driver cannot
// make the peer buffer without bound.
constexpr std::size_t kMaxLineBytes = 64u << 20;

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

}  // namespace

int main(int argc, char** argv) {
    using namespace cliquet::peer;
    PeerState state;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--db" && i + 1 < argc) {
            state.options.db_path = argv[++i];
        } else if (arg == "--require-spqr") {
            state.options.session.pq_ratchet = cliquet::PqRatchetPolicy::require;
        } else if (arg == "--help" || arg == "-h") {
            std::cout << "usage: cliquet-peer [--db FILE] [--require-spqr]\n"
                         "Plays one Signal device; reads JSON requests on stdin, one per line.\n"
                         "--require-spqr: new sessions must be PQXDH with SPQR (PqRatchetPolicy::require),\n"
                         "                as init's pq_required does.\n";
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
        json response = too_long ? failure(nullptr, "bad_request", "request line too long") : handle_request_line(state, line, quit);
        std::cout << response.dump(-1, ' ', false, json::error_handler_t::replace) << '\n' << std::flush;
    }
    return 0;
}
