#include "cliquet/error.hpp"

namespace cliquet {

std::string_view to_string(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::invalid_key: return "invalid_key";
        case ErrorCode::invalid_signature: return "invalid_signature";
        case ErrorCode::invalid_message: return "invalid_message";
        case ErrorCode::duplicate_message: return "duplicate_message";
        case ErrorCode::untrusted_identity: return "untrusted_identity";
        case ErrorCode::no_session: return "no_session";
        case ErrorCode::invalid_certificate: return "invalid_certificate";
        case ErrorCode::invalid_pre_key: return "invalid_pre_key";
        case ErrorCode::invalid_argument: return "invalid_argument";
        case ErrorCode::storage: return "storage";
        case ErrorCode::unsupported: return "unsupported";
    }
    return "unknown";
}

}  // namespace cliquet
