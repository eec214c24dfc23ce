// Statuses, the per-thread error message, and library-owned buffers.
#include "capi/boundary.hpp"

#include <cstdlib>

namespace cliquet::capi {
namespace {

// Fixed storage, so that recording an error never allocates (it may be
// recording that an allocation failed).
thread_local char last_error[512] = "";

}  // namespace

cliquet_status status_of(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::invalid_key: return CLIQUET_ERR_INVALID_KEY;
        case ErrorCode::invalid_signature: return CLIQUET_ERR_INVALID_SIGNATURE;
        case ErrorCode::invalid_message: return CLIQUET_ERR_INVALID_MESSAGE;
        case ErrorCode::duplicate_message: return CLIQUET_ERR_DUPLICATE_MESSAGE;
        case ErrorCode::untrusted_identity: return CLIQUET_ERR_UNTRUSTED_IDENTITY;
        case ErrorCode::no_session: return CLIQUET_ERR_NO_SESSION;
        case ErrorCode::invalid_certificate: return CLIQUET_ERR_INVALID_CERTIFICATE;
        case ErrorCode::invalid_pre_key: return CLIQUET_ERR_INVALID_PRE_KEY;
        case ErrorCode::invalid_argument: return CLIQUET_ERR_INVALID_ARGUMENT;
        case ErrorCode::storage: return CLIQUET_ERR_STORAGE;
        case ErrorCode::unsupported: return CLIQUET_ERR_UNSUPPORTED;
    }
    return CLIQUET_ERR_INTERNAL;
}

void throw_status(cliquet_status status, std::string_view what) {
    const std::string message = std::string(what) + ": " + cliquet_status_name(status);
    switch (status) {
        case CLIQUET_ERR_NO_MEMORY: throw std::bad_alloc();
        case CLIQUET_ERR_INVALID_KEY: throw Error(ErrorCode::invalid_key, message);
        case CLIQUET_ERR_INVALID_SIGNATURE: throw Error(ErrorCode::invalid_signature, message);
        case CLIQUET_ERR_INVALID_MESSAGE: throw Error(ErrorCode::invalid_message, message);
        case CLIQUET_ERR_DUPLICATE_MESSAGE: throw Error(ErrorCode::duplicate_message, message);
        case CLIQUET_ERR_UNTRUSTED_IDENTITY: throw Error(ErrorCode::untrusted_identity, message);
        case CLIQUET_ERR_NO_SESSION: throw Error(ErrorCode::no_session, message);
        case CLIQUET_ERR_INVALID_CERTIFICATE: throw Error(ErrorCode::invalid_certificate, message);
        case CLIQUET_ERR_INVALID_PRE_KEY: throw Error(ErrorCode::invalid_pre_key, message);
        case CLIQUET_ERR_INVALID_ARGUMENT: throw Error(ErrorCode::invalid_argument, message);
        case CLIQUET_ERR_UNSUPPORTED: throw Error(ErrorCode::unsupported, message);
        // A store that fails in a way of its own is a storage failure.
        default: throw Error(ErrorCode::storage, message);
    }
}

cliquet_status fail(cliquet_status status, const char* message) noexcept {
    std::strncpy(last_error, message, sizeof last_error - 1);
    last_error[sizeof last_error - 1] = '\0';
    return status;
}

void throw_null(const char* what) { throw Error(ErrorCode::invalid_argument, std::string(what) + " is NULL"); }

cliquet_buffer* buffer_out(cliquet_buffer* buffer, const char* what) {
    require(buffer, what);
    buffer->data = nullptr;
    buffer->len = 0;
    return buffer;
}

void fill(cliquet_buffer* out, ByteView bytes, bool text) {
    if (bytes.empty() && !text) return;
    auto* data = static_cast<std::uint8_t*>(std::malloc(bytes.size() + (text ? 1 : 0)));
    if (data == nullptr) throw std::bad_alloc();
    if (!bytes.empty()) std::memcpy(data, bytes.data(), bytes.size());
    if (text) data[bytes.size()] = 0;
    out->data = data;
    out->len = bytes.size();
}

}  // namespace cliquet::capi

using namespace cliquet::capi;

extern "C" {

const char* cliquet_last_error_message(void) { return last_error; }

const char* cliquet_status_name(cliquet_status status) {
    switch (status) {
        case CLIQUET_OK: return "ok";
        case CLIQUET_ERR_INVALID_KEY: return "invalid_key";
        case CLIQUET_ERR_INVALID_SIGNATURE: return "invalid_signature";
        case CLIQUET_ERR_INVALID_MESSAGE: return "invalid_message";
        case CLIQUET_ERR_DUPLICATE_MESSAGE: return "duplicate_message";
        case CLIQUET_ERR_UNTRUSTED_IDENTITY: return "untrusted_identity";
        case CLIQUET_ERR_NO_SESSION: return "no_session";
        case CLIQUET_ERR_INVALID_CERTIFICATE: return "invalid_certificate";
        case CLIQUET_ERR_INVALID_PRE_KEY: return "invalid_pre_key";
        case CLIQUET_ERR_INVALID_ARGUMENT: return "invalid_argument";
        case CLIQUET_ERR_STORAGE: return "storage";
        case CLIQUET_ERR_UNSUPPORTED: return "unsupported";
        case CLIQUET_ERR_NO_MEMORY: return "no_memory";
        case CLIQUET_ERR_INTERNAL: return "internal";
    }
    return "unknown";
}

const char* cliquet_version(void) { return CLIQUET_VERSION_STRING; }

void cliquet_buffer_free(cliquet_buffer* buffer) {
    if (buffer == nullptr) return;
    if (buffer->data != nullptr) {
        // The text outputs' NUL is not secret, so len bytes are what is wiped.
        cliquet::secure_wipe(buffer->data, buffer->len);
        std::free(buffer->data);
    }
    buffer->data = nullptr;
    buffer->len = 0;
}

cliquet_status cliquet_buffer_set(cliquet_buffer* buffer, const uint8_t* data, size_t len) {
    return guarded([&] {
        const auto bytes = bytes_in(data, len, "data");
        require(buffer, "buffer");
        cliquet_buffer copy{nullptr, 0};
        fill(&copy, bytes);
        cliquet_buffer_free(buffer);
        *buffer = copy;
    });
}

}  // extern "C"
