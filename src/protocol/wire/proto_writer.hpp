// Writes protobuf wire format by hand, straight into wiped memory: for
// records that hold keys, which a generated message would first copy into
// heap strings of its own. The field calls follow protobuf's rules for
// proto3 (a zero number or empty bytes is left out), so that written in
// field-number order the bytes are exactly protobuf's.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "cliquet/bytes.hpp"
#include "cliquet/error.hpp"

namespace cliquet::protocol {

namespace proto_writer_detail {

// One writer type for both passes: with no buffer it only counts.
class Writer {
public:
    Writer() noexcept = default;
    explicit Writer(std::uint8_t* out) noexcept : out_(out) {}

    std::size_t size() const noexcept { return size_; }

    // A varint field, left out when zero.
    void uint(std::uint32_t field, std::uint64_t value) {
        if (value != 0) uint_present(field, value);
    }
    // A varint field with explicit presence (proto3 `optional`).
    void uint_present(std::uint32_t field, std::uint64_t value) {
        varint(std::uint64_t{field} << 3);
        varint(value);
    }
    // A bytes field, left out when empty.
    void bytes(std::uint32_t field, std::span<const std::uint8_t> value) {
        if (value.empty()) return;
        varint((std::uint64_t{field} << 3) | 2);
        varint(value.size());
        raw(value);
    }
    // A bytes field written even when empty (a repeated bytes entry).
    void bytes_present(std::uint32_t field, std::span<const std::uint8_t> value) {
        varint((std::uint64_t{field} << 3) | 2);
        varint(value.size());
        raw(value);
    }
    // Bytes already in wire format, such as a serialized sub-message.
    void raw_bytes(std::span<const std::uint8_t> value) noexcept { raw(value); }
    // A sub-message, always present; `body` writes its fields to the writer
    // it is given.
    template <class Body>
    void message(std::uint32_t field, const Body& body) {
        Writer counter;
        body(counter);
        varint((std::uint64_t{field} << 3) | 2);
        varint(counter.size());
        if (!out_) {
            size_ += counter.size();
            return;
        }
        Writer inner(out_ + size_);
        body(inner);
        size_ += inner.size();
    }

private:
    void varint(std::uint64_t value) noexcept {
        while (value >= 0x80) {
            put(static_cast<std::uint8_t>(value | 0x80));
            value >>= 7;
        }
        put(static_cast<std::uint8_t>(value));
    }
    void put(std::uint8_t byte) noexcept {
        if (out_) out_[size_] = byte;
        ++size_;
    }
    void raw(std::span<const std::uint8_t> bytes) noexcept {
        if (out_ && !bytes.empty()) std::copy(bytes.begin(), bytes.end(), out_ + size_);
        size_ += bytes.size();
    }

    std::uint8_t* out_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace proto_writer_detail

// Runs `fields` twice, to size and then to fill the output.
template <class Fields>
SecretBytes write_proto(const Fields& fields) {
    proto_writer_detail::Writer counter;
    fields(counter);
    SecretBytes out(counter.size());
    proto_writer_detail::Writer writer(out.data());
    fields(writer);
    if (writer.size() != out.size()) throw Error(ErrorCode::storage, "protobuf writer: sizes disagree");
    return out;
}

}  // namespace cliquet::protocol
