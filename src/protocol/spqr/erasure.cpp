#include "protocol/spqr/erasure.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "cliquet/error.hpp"
#include "protocol/spqr/gf16.hpp"

namespace cliquet::protocol::spqr {
namespace {

void check_size(std::size_t size) {
    if (size % 2 != 0 || size > kMaxEncodedSize) {
        throw Error(ErrorCode::invalid_argument,
                    "SPQR erasure code: cannot encode " + std::to_string(size) + " bytes (even, at most " +
                        std::to_string(kMaxEncodedSize) + ")");
    }
}

using PolynomialValues = std::array<std::vector<std::uint16_t>, kCodePolynomials>;

// The message whose element i is value i / 16 of polynomial i % 16,
// big-endian: the layout of section 1.2, read back.
Bytes message_from(const PolynomialValues& values, std::size_t size) {
    Bytes out(size);
    for (std::size_t i = 0; i < size / 2; ++i) {
        const std::uint16_t value = values[i % kCodePolynomials][i / kCodePolynomials];
        out[2 * i] = static_cast<std::uint8_t>(value >> 8);
        out[2 * i + 1] = static_cast<std::uint8_t>(value);
    }
    return out;
}

// p(x) by Horner's rule; coefficients lowest degree first.
std::uint16_t evaluate(std::span<const std::uint16_t> coefficients, std::uint16_t x) {
    std::uint16_t acc = 0;
    for (std::size_t k = coefficients.size(); k-- > 0;) acc = gf16_add(gf16_mul(acc, x), coefficients[k]);
    return acc;
}

// The coefficients (lowest degree first) of the polynomial of degree below
// n through the n points (xs[j], ys[j]); the xs are distinct. Lagrange:
// with P(x) = prod (x - xs[m]) and Q_j = P / (x - xs[j]), the polynomial is
// sum ys[j] * Q_j / Q_j(xs[j]). In characteristic 2, minus is plus.
std::vector<std::uint16_t> interpolate(std::span<const std::uint16_t> xs, std::span<const std::uint16_t> ys) {
    const std::size_t n = xs.size();
    std::vector<std::uint16_t> result(n, 0);
    if (n == 0) return result;

    std::vector<std::uint16_t> full(n + 1, 0);  // P, degree n
    full[0] = 1;
    for (std::size_t m = 0; m < n; ++m) {
        // Multiply the degree-m polynomial in full[0..m] by (x + xs[m]).
        for (std::size_t k = m + 1; k > 0; --k) full[k] = gf16_add(full[k - 1], gf16_mul(full[k], xs[m]));
        full[0] = gf16_mul(full[0], xs[m]);
    }

    std::vector<std::uint16_t> quotient(n, 0);
    for (std::size_t j = 0; j < n; ++j) {
        // Synthetic division of P by (x + xs[j]); the remainder is zero.
        quotient[n - 1] = full[n];
        for (std::size_t k = n - 1; k > 0; --k) quotient[k - 1] = gf16_add(full[k], gf16_mul(quotient[k], xs[j]));
        const std::uint16_t scale = gf16_div(ys[j], evaluate(quotient, xs[j]));
        for (std::size_t k = 0; k < n; ++k) result[k] = gf16_add(result[k], gf16_mul(scale, quotient[k]));
    }
    return result;
}

}  // namespace

ErasureEncoder::ErasureEncoder(ByteView message) : size_(message.size()) {
    check_size(size_);
    auto values = std::make_shared<Values>();
    for (std::size_t p = 0; p < kCodePolynomials; ++p) (*values)[p].reserve(points_in_polynomial(size_, p));
    for (std::size_t i = 0; i < size_ / 2; ++i) {
        const auto value = static_cast<std::uint16_t>((message[2 * i] << 8) | message[2 * i + 1]);
        (*values)[i % kCodePolynomials].push_back(value);
    }
    values_ = std::move(values);
}

bool ErasureEncoder::systematic(std::uint16_t index) const noexcept {
    for (const auto& values : polynomial_values()) {
        if (index >= values.size()) return false;
    }
    return true;
}

ErasureEncoder::Coefficients ErasureEncoder::interpolated() const {
    Coefficients coefficients;
    for (std::size_t p = 0; p < kCodePolynomials; ++p) {
        std::vector<std::uint16_t> xs(polynomial_values()[p].size());
        for (std::size_t x = 0; x < xs.size(); ++x) xs[x] = static_cast<std::uint16_t>(x);
        coefficients[p] = interpolate(xs, polynomial_values()[p]);
    }
    return coefficients;
}

Bytes ErasureEncoder::message() const { return message_from(polynomial_values(), size_); }

Chunk ErasureEncoder::chunk_from(std::uint16_t index, const Coefficients* coefficients) const {
    Chunk chunk;
    chunk.index = index;
    for (std::size_t p = 0; p < kCodePolynomials; ++p) {
        const auto& values = polynomial_values()[p];
        const std::uint16_t value = index < values.size() ? values[index] : evaluate((*coefficients)[p], index);
        chunk.data[2 * p] = static_cast<std::uint8_t>(value >> 8);
        chunk.data[2 * p + 1] = static_cast<std::uint8_t>(value);
    }
    return chunk;
}

Chunk ErasureEncoder::chunk_at(std::uint16_t index) const {
    if (systematic(index) || coefficients_) return chunk_from(index, coefficients_.get());
    // A const encoder keeps nothing: this parity chunk interpolates on its own.
    const Coefficients coefficients = interpolated();
    return chunk_from(index, &coefficients);
}

Chunk ErasureEncoder::next_chunk() {
    const auto index = static_cast<std::uint16_t>(counter_);
    if (!systematic(index) && !coefficients_) coefficients_ = std::make_shared<const Coefficients>(interpolated());
    const Chunk chunk = chunk_from(index, coefficients_.get());
    ++counter_;  // unsigned: wraps at 2^32
    return chunk;
}

ErasureDecoder::ErasureDecoder(std::size_t message_size) : size_(message_size) { check_size(size_); }

ErasureDecoder ErasureDecoder::restore(std::size_t message_size,
                                       std::array<std::vector<Point>, kCodePolynomials> points) {
    if (message_size % 2 != 0 || message_size > kMaxEncodedSize) {
        throw Error(ErrorCode::storage, "SPQR erasure decoder: stored size " + std::to_string(message_size));
    }
    for (std::size_t p = 0; p < kCodePolynomials; ++p) {
        const auto& held = points[p];
        // add_chunk keeps at most `needed` points below x = needed and at
        // most `needed` more while short of them.
        const std::size_t needed = points_in_polynomial(message_size, p);
        bool sorted = true;
        for (std::size_t j = 1; j < held.size(); ++j) sorted = sorted && held[j - 1].x < held[j].x;
        if (held.size() > 2 * needed || !sorted) {
            throw Error(ErrorCode::storage, "SPQR erasure decoder: stored points of polynomial " +
                                                std::to_string(p) + " are not what it keeps");
        }
    }
    ErasureDecoder decoder(message_size);
    decoder.points_ = std::move(points);
    return decoder;
}

void ErasureDecoder::add_chunk(const Chunk& chunk) {
    for (std::size_t p = 0; p < kCodePolynomials; ++p) {
        const std::size_t needed = points_in_polynomial(size_, p);
        auto& points = points_[p];
        // Keep a point that lies among the message's own values, or any
        // point while too few are held; nothing else can help.
        if (chunk.index >= needed && points.size() >= needed) continue;
        const auto at = std::lower_bound(points.begin(), points.end(), chunk.index,
                                         [](const Point& point, std::uint16_t x) { return point.x < x; });
        if (at != points.end() && at->x == chunk.index) continue;
        const auto y = static_cast<std::uint16_t>((chunk.data[2 * p] << 8) | chunk.data[2 * p + 1]);
        points.insert(at, Point{chunk.index, y});
    }
}

bool ErasureDecoder::has_enough() const noexcept {
    for (std::size_t p = 0; p < kCodePolynomials; ++p) {
        if (points_[p].size() < points_in_polynomial(size_, p)) return false;
    }
    return true;
}

std::optional<Bytes> ErasureDecoder::decoded() const {
    if (!has_enough()) return std::nullopt;
    PolynomialValues values;
    for (std::size_t p = 0; p < kCodePolynomials; ++p) {
        const std::size_t needed = points_in_polynomial(size_, p);
        const auto& points = points_[p];
        // Points are sorted with distinct x, so the first `needed` of them
        // are x = 0 .. needed-1 exactly when none of the message's own
        // values is missing.
        const bool direct = needed == 0 || points[needed - 1].x == needed - 1;
        values[p].resize(needed);
        if (direct) {
            for (std::size_t x = 0; x < needed; ++x) values[p][x] = points[x].y;
            continue;
        }
        std::vector<std::uint16_t> xs(needed);
        std::vector<std::uint16_t> ys(needed);
        for (std::size_t j = 0; j < needed; ++j) {
            xs[j] = points[j].x;
            ys[j] = points[j].y;
        }
        const std::vector<std::uint16_t> coefficients = interpolate(xs, ys);
        for (std::size_t x = 0; x < needed; ++x) {
            const auto held = std::lower_bound(points.begin(), points.end(), x,
                                               [](const Point& point, std::size_t want) { return point.x < want; });
            values[p][x] = held != points.end() && held->x == x ? held->y
                                                                 : evaluate(coefficients, static_cast<std::uint16_t>(x));
        }
    }
    return message_from(values, size_);
}

}  // namespace cliquet::protocol::spqr
