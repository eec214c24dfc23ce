// The C API's side of the boundary: every entry point runs its body through
// guarded(), which turns each exception into a cliquet_status and the
// thread's last error message, and reads its arguments through the checked
// helpers below.
#pragma once

#include <cliquet.h>

#include <cliquet/address.hpp>
#include <cliquet/bytes.hpp>
#include <cliquet/error.hpp>

#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <string_view>

namespace cliquet::capi {

/// The status of a library error code.
[[nodiscard]] cliquet_status status_of(ErrorCode code) noexcept;
/// The library error a status other than ok and no_memory stands for (what a
/// failing store callback becomes), thrown; no_memory throws std::bad_alloc.
[[noreturn]] void throw_status(cliquet_status status, std::string_view what);
/// Records `message` as this thread's last error and returns `status`.
cliquet_status fail(cliquet_status status, const char* message) noexcept;

/// Runs `body`, which returns nothing and reports failure by throwing.
template <typename Body>
[[nodiscard]] cliquet_status guarded(Body&& body) noexcept {
    try {
        body();
        return CLIQUET_OK;
    } catch (const Error& e) {
        return fail(status_of(e.code()), e.what());
    } catch (const std::bad_alloc&) {
        return fail(CLIQUET_ERR_NO_MEMORY, "out of memory");
    } catch (const std::exception& e) {
        return fail(CLIQUET_ERR_INTERNAL, e.what());
    } catch (...) {
        return fail(CLIQUET_ERR_INTERNAL, "an unknown exception");
    }
}

/// Error(invalid_argument) naming the argument.
[[noreturn]] void throw_null(const char* what);

/// `pointer`, refused when NULL.
template <typename T>
T* require(T* pointer, const char* what) {
    if (pointer == nullptr) throw_null(what);
    return pointer;
}

/// Input bytes: NULL only with a length of 0.
[[nodiscard]] inline ByteView bytes_in(const std::uint8_t* data, std::size_t len, const char* what) {
    if (data == nullptr && len != 0) throw_null(what);
    return data == nullptr ? ByteView{} : ByteView{data, len};
}

/// Input text, refused when NULL.
[[nodiscard]] inline std::string text_in(const char* text, const char* what) {
    return std::string(require(text, what));
}

/// An address from a name that must not be NULL.
[[nodiscard]] inline ProtocolAddress address_in(const char* name, std::uint32_t device_id, const char* what) {
    return ProtocolAddress{text_in(name, what), device_id};
}

/// Clears an output buffer so that a failing call leaves it empty; refuses NULL.
cliquet_buffer* buffer_out(cliquet_buffer* buffer, const char* what);
/// Fills `out` (as buffer_out left it) with a copy of `bytes`, wiped when freed;
/// `text` adds a NUL after them.
void fill(cliquet_buffer* out, ByteView bytes, bool text = false);
/// Text output: the bytes and a NUL after them.
inline void fill_text(cliquet_buffer* out, std::string_view text) { fill(out, as_bytes(text), true); }

/// Clears an output handle pointer so that a failing call leaves it NULL.
template <typename T>
T** handle_out(T** out, const char* what) {
    require(out, what);
    *out = nullptr;
    return out;
}

/// Makes a handle, or throws std::bad_alloc.
template <typename T, typename... Args>
T* make_handle(Args&&... args) {
    return new T{std::forward<Args>(args)...};
}

}  // namespace cliquet::capi

namespace cliquet::capi {

/// fill(), then wipes `bytes`: for plaintexts the library returned as Bytes.
inline void fill_and_wipe(cliquet_buffer* out, Bytes& bytes) {
    struct Wipe {
        Bytes& bytes;
        ~Wipe() { secure_wipe(bytes.data(), bytes.size()); }
    } wipe{bytes};
    fill(out, bytes);
}

/// The element at `index` of a list a handle holds; past its end is
/// Error(invalid_argument).
template <typename List>
const typename List::value_type& element_at(const List& list, std::size_t index) {
    if (index >= list.size()) throw Error(ErrorCode::invalid_argument, "index past the end of the list");
    return list[index];
}

/// An id output that must not be NULL.
template <typename T>
T& value_out(T* out, const char* what) {
    return *require(out, what);
}

/// An optional value out: `*present` says whether there is one, and
/// `fill_value` fills `out` (named `what` in errors) when there is.
template <typename Optional, typename Fill>
void fill_optional(const Optional& value, int* present, cliquet_buffer* out, const char* what, Fill&& fill_value) {
    buffer_out(out, what);
    value_out(present, "present") = 0;
    if (!value) return;
    fill_value(*value);
    *present = 1;
}

}  // namespace cliquet::capi
