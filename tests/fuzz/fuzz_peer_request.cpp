// cliquet-peer's request reader and dispatcher: one line per input, against
// a device that has been initialised, so every op's field readers are
// reachable. A response must always be a JSON object with `ok`.
#include <cstddef>
#include <cstdint>
#include <string>

#include "peer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cliquet::peer;
    static PeerState* state = [] {
        auto* initialised = new PeerState;
        bool quit = false;
        handle_request_line(*initialised, R"({"id":0,"op":"init","name":"fuzz","device_id":1,"registration_id":7})",
                            quit);
        return initialised;
    }();
    bool quit = false;
    const json response = handle_request_line(*state, std::string(reinterpret_cast<const char*>(data), size), quit);
    if (!response.is_object() || !response.contains("ok")) __builtin_trap();
    return 0;
}
