// PqRatchet's storage (proto/spqr.proto): writing, and reading back with
// every size checked before anything is built, so that a record cliquet did
// not write is refused as Error(storage) rather than misread. A record is
// accepted only in the exact form serialize() gives it.
#include <string>
#include <type_traits>

#include "cliquet/error.hpp"
#include "protocol/wire/proto_util.hpp"
#include "protocol/spqr/pq_ratchet.hpp"
#include "spqr.pb.h"

namespace cliquet::protocol::spqr {
namespace {

namespace pb = proto::spqr;
using namespace braid;

constexpr std::uint32_t kFormat = 1;
// Far above any record cliquet writes (three epochs of max_ooo_keys keys).
constexpr std::size_t kMaxRecordSize = 1u << 24;
constexpr std::size_t kSkippedRecordSize = 4 + 32;
constexpr std::size_t kPointRecordSize = 5;

[[noreturn]] void bad(const std::string& what) { throw Error(ErrorCode::storage, "SPQR record: " + what); }

// ---- writing ----------------------------------------------------------------

void put(std::string* field, ByteView bytes) { field->assign(bytes.begin(), bytes.end()); }

void write_params(const ChainParams& params, pb::ChainParams& out) {
    out.set_max_jump(params.max_jump);
    out.set_max_ooo_keys(params.max_ooo_keys);
}

void write_half(const Chain::HalfChain& half, pb::HalfChain& out) {
    out.set_counter(half.counter);
    if (half.next) put(out.mutable_next(), half.next->span());
    std::string& skipped = *out.mutable_skipped();
    skipped.reserve(half.skipped.size() * kSkippedRecordSize);
    for (const auto& [index, key] : half.skipped) {
        for (int shift = 24; shift >= 0; shift -= 8) skipped.push_back(static_cast<char>(index >> shift));
        skipped.append(reinterpret_cast<const char*>(key.data()), key.size());
    }
}

void write_chain(const Chain& chain, pb::Chain& out) {
    out.set_direction(static_cast<std::uint32_t>(chain.direction()));
    out.set_current_epoch(chain.current_epoch());
    out.set_send_epoch(chain.send_epoch());
    put(out.mutable_next_root(), chain.next_root().span());
    write_params(chain.params(), *out.mutable_params());
    pb::ChainLink* slots[] = {out.mutable_link0(), out.mutable_link1(), out.mutable_link2()};
    static_assert(std::size(slots) == Chain::kMaxHeldEpochs);
    std::size_t i = 0;
    for (const auto& link : chain.links()) {
        write_half(link.send, *slots[i]->mutable_send());
        write_half(link.recv, *slots[i]->mutable_recv());
        ++i;
    }
    if (i < 3) out.clear_link2();
    if (i < 2) out.clear_link1();
}

void write_encoder(const ErasureEncoder& encoder, pb::Encoder& out) {
    put(out.mutable_message(), encoder.message());
    out.set_counter(encoder.counter());
}

void write_decoder(const ErasureDecoder& decoder, pb::Decoder& out) {
    std::string& points = *out.mutable_points();
    for (std::size_t p = 0; p < kCodePolynomials; ++p) {
        for (const auto& point : decoder.points(p)) {
            const char record[kPointRecordSize] = {static_cast<char>(p), static_cast<char>(point.x >> 8),
                                                   static_cast<char>(point.x), static_cast<char>(point.y >> 8),
                                                   static_cast<char>(point.y)};
            points.append(record, kPointRecordSize);
        }
    }
}

template <typename S>
const ErasureEncoder* encoder_of(const S& s) {
    if constexpr (requires { s.sending_header; }) return &s.sending_header;
    if constexpr (requires { s.sending_key; }) return &s.sending_key;
    if constexpr (requires { s.sending_ct1; }) return &s.sending_ct1;
    if constexpr (requires { s.sending_ct2; }) return &s.sending_ct2;
    return nullptr;
}

template <typename S>
const ErasureDecoder* decoder_of(const S& s) {
    if constexpr (requires { s.receiving_ct1; }) return &s.receiving_ct1;
    if constexpr (requires { s.receiving_ct2; }) return &s.receiving_ct2;
    if constexpr (requires { s.receiving_header; }) return &s.receiving_header;
    if constexpr (requires { s.receiving_key; }) return &s.receiving_key;
    return nullptr;
}

void write_braid(const State& state, pb::Braid& out) {
    out.set_state(static_cast<std::uint32_t>(state.index()));
    std::visit(
        [&](const auto& s) {
            out.set_epoch(s.epoch);
            put(out.mutable_auth_root_key(), s.auth.root_key().span());
            put(out.mutable_auth_mac_key(), s.auth.mac_key().span());
            if constexpr (requires { s.key_seed; }) put(out.mutable_key_seed(), s.key_seed.span());
            if constexpr (requires { s.header; }) put(out.mutable_header(), s.header);
            if constexpr (requires { s.ct1; }) put(out.mutable_ct1(), s.ct1);
            if constexpr (requires { s.key_vector; }) put(out.mutable_key_vector(), s.key_vector);
            if constexpr (requires { s.encapsulation; }) {
                put(out.mutable_encapsulation_m(), s.encapsulation.message.span());
                put(out.mutable_encapsulation_header(), s.encapsulation.header);
            }
            if (const auto* encoder = encoder_of(s)) write_encoder(*encoder, *out.mutable_encoder());
            if (const auto* decoder = decoder_of(s)) write_decoder(*decoder, *out.mutable_decoder());
        },
        state);
}

// Wipes the secrets a record holds. Allocates nothing (see wipe_field): it
// runs as the record is destroyed, and parts never set are not made.
void wipe(pb::PqRatchetRecord& record) noexcept {
    const auto wipe_half = [](pb::HalfChain& half) {
        wipe_field(half.next(), [&] { return half.mutable_next(); });
        wipe_field(half.skipped(), [&] { return half.mutable_skipped(); });
    };
    const auto wipe_link = [&](pb::ChainLink& link) {
        if (link.has_send()) wipe_half(*link.mutable_send());
        if (link.has_recv()) wipe_half(*link.mutable_recv());
    };
    if (record.has_negotiation()) {
        pb::Negotiation& negotiation = *record.mutable_negotiation();
        wipe_field(negotiation.auth_key(), [&] { return negotiation.mutable_auth_key(); });
    }
    if (record.has_chain()) {
        pb::Chain& chain = *record.mutable_chain();
        wipe_field(chain.next_root(), [&] { return chain.mutable_next_root(); });
        if (chain.has_link0()) wipe_link(*chain.mutable_link0());
        if (chain.has_link1()) wipe_link(*chain.mutable_link1());
        if (chain.has_link2()) wipe_link(*chain.mutable_link2());
    }
    if (record.has_braid()) {
        pb::Braid& braid = *record.mutable_braid();
        wipe_field(braid.auth_root_key(), [&] { return braid.mutable_auth_root_key(); });
        wipe_field(braid.auth_mac_key(), [&] { return braid.mutable_auth_mac_key(); });
        wipe_field(braid.key_seed(), [&] { return braid.mutable_key_seed(); });
        wipe_field(braid.encapsulation_m(), [&] { return braid.mutable_encapsulation_m(); });
    }
}

// ---- reading ----------------------------------------------------------------

template <std::size_t N>
SecretArray<N> secret_of(const std::string& field, const char* what) {
    if (field.size() != N) bad(std::string(what) + " has the wrong size");
    SecretArray<N> out;
    std::copy(field.begin(), field.end(), out.data());
    return out;
}

template <std::size_t N>
std::array<std::uint8_t, N> array_of(const std::string& field, const char* what) {
    if (field.size() != N) bad(std::string(what) + " has the wrong size");
    std::array<std::uint8_t, N> out{};
    std::copy(field.begin(), field.end(), out.begin());
    return out;
}

Bytes bytes_of(const std::string& field, std::size_t size, const char* what) {
    if (field.size() != size) bad(std::string(what) + " has the wrong size");
    return Bytes(field.begin(), field.end());
}

Direction direction_of(std::uint32_t value) {
    if (value > 1) bad("unknown direction");
    return static_cast<Direction>(value);
}

ChainParams params_of(const pb::ChainParams& params) {
    if (params.max_jump() == 0 || params.max_ooo_keys() == 0) bad("zero chain parameter");
    return ChainParams{params.max_jump(), params.max_ooo_keys()};
}

Chain::HalfChain half_of(const pb::HalfChain& half, const ChainParams& params) {
    Chain::HalfChain out;
    out.counter = half.counter();
    if (!half.next().empty()) out.next = secret_of<32>(half.next(), "chain key");
    const std::string& skipped = half.skipped();
    if (skipped.size() % kSkippedRecordSize != 0 || skipped.size() / kSkippedRecordSize > params.max_ooo_keys) {
        bad("skipped keys malformed or too many");
    }
    out.skipped.reserve(skipped.size() / kSkippedRecordSize);
    for (std::size_t at = 0; at < skipped.size(); at += kSkippedRecordSize) {
        std::uint32_t index = 0;
        for (std::size_t i = 0; i < 4; ++i) index = (index << 8) | static_cast<std::uint8_t>(skipped[at + i]);
        Key32 key;
        std::copy_n(skipped.begin() + static_cast<std::ptrdiff_t>(at + 4), 32, key.data());
        out.skipped.emplace_back(index, std::move(key));
    }
    return out;
}

Chain chain_of(const pb::Chain& chain) {
    if (!chain.has_params() || !chain.has_link0() || (chain.has_link2() && !chain.has_link1())) {
        bad("chain incomplete");
    }
    const ChainParams params = params_of(chain.params());
    std::deque<Chain::Link> links;
    for (const pb::ChainLink* link : {&chain.link0(), &chain.link1(), &chain.link2()}) {
        if (links.size() == 1 && !chain.has_link1()) break;
        if (links.size() == 2 && !chain.has_link2()) break;
        links.push_back(Chain::Link{half_of(link->send(), params), half_of(link->recv(), params)});
    }
    return Chain::restore(direction_of(chain.direction()), params, chain.current_epoch(), chain.send_epoch(),
                          std::move(links), secret_of<32>(chain.next_root(), "chain root"));
}

ErasureEncoder encoder_from(const pb::Braid& braid, std::size_t size) {
    if (!braid.has_encoder()) bad("missing encoder");
    const pb::Encoder& encoder = braid.encoder();
    return ErasureEncoder(bytes_of(encoder.message(), size, "encoded message"), encoder.counter());
}

ErasureDecoder decoder_from(const pb::Braid& braid, std::size_t size) {
    if (!braid.has_decoder()) bad("missing decoder");
    const std::string& records = braid.decoder().points();
    // add_chunk keeps at most twice each polynomial's points: size points in all.
    if (records.size() % kPointRecordSize != 0 || records.size() / kPointRecordSize > size) {
        bad("decoder points malformed or too many");
    }
    std::array<std::vector<ErasureDecoder::Point>, kCodePolynomials> points;
    std::size_t previous_polynomial = 0;
    for (std::size_t at = 0; at < records.size(); at += kPointRecordSize) {
        const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(records[at + i]); };
        const std::size_t polynomial = byte(0);
        if (polynomial >= kCodePolynomials || polynomial < previous_polynomial) bad("decoder points out of order");
        previous_polynomial = polynomial;
        points[polynomial].push_back(ErasureDecoder::Point{static_cast<std::uint16_t>((byte(1) << 8) | byte(2)),
                                                           static_cast<std::uint16_t>((byte(3) << 8) | byte(4))});
    }
    return ErasureDecoder::restore(size, std::move(points));
}

mlkem::EncapsulationState encapsulation_of(const pb::Braid& braid) {
    return mlkem::EncapsulationState{secret_of<crypto::kem::kMessageSize>(braid.encapsulation_m(), "encapsulation m"),
                                     array_of<mlkem::kHeaderSize>(braid.encapsulation_header(), "header")};
}

State braid_of(const pb::Braid& b) {
    if (b.epoch() == 0) bad("epoch 0");
    const Epoch epoch = b.epoch();
    const Authenticator auth(secret_of<32>(b.auth_root_key(), "authenticator key"),
                             secret_of<32>(b.auth_mac_key(), "authenticator key"));
    State state = [&]() -> State {
        switch (b.state()) {
            case 0: return KeysUnsampled{epoch, auth};
            case 1:
                return KeysSampled{epoch, auth, secret_of<kKeySeedSize>(b.key_seed(), "key seed"),
                                   encoder_from(b, kHeaderWithMacSize)};
            case 2:
                return HeaderSent{epoch, auth, secret_of<kKeySeedSize>(b.key_seed(), "key seed"),
                                  encoder_from(b, mlkem::kVectorSize), decoder_from(b, mlkem::kCiphertext1Size)};
            case 3:
                return Ct1Received{epoch, auth, secret_of<kKeySeedSize>(b.key_seed(), "key seed"),
                                   bytes_of(b.ct1(), mlkem::kCiphertext1Size, "ct1"),
                                   encoder_from(b, mlkem::kVectorSize)};
            case 4:
                return EkSentCt1Received{epoch, auth, secret_of<kKeySeedSize>(b.key_seed(), "key seed"),
                                         bytes_of(b.ct1(), mlkem::kCiphertext1Size, "ct1"),
                                         decoder_from(b, kCiphertext2WithMacSize)};
            case 5: return NoHeaderReceived{epoch, auth, decoder_from(b, kHeaderWithMacSize)};
            case 6:
                return HeaderReceived{epoch, auth, array_of<mlkem::kHeaderSize>(b.header(), "header"),
                                      decoder_from(b, mlkem::kVectorSize)};
            case 7:
                return Ct1Sampled{epoch, auth, encapsulation_of(b), encoder_from(b, mlkem::kCiphertext1Size),
                                  decoder_from(b, mlkem::kVectorSize)};
            case 8:
                return EkReceivedCt1Sampled{epoch, auth, encapsulation_of(b),
                                            bytes_of(b.key_vector(), mlkem::kVectorSize, "key vector"),
                                            encoder_from(b, mlkem::kCiphertext1Size)};
            case 9:
                return Ct1Acknowledged{epoch, auth, encapsulation_of(b),
                                       bytes_of(b.ct1(), mlkem::kCiphertext1Size, "ct1"),
                                       decoder_from(b, mlkem::kVectorSize)};
            case 10: return Ct2Sampled{epoch, auth, encoder_from(b, kCiphertext2WithMacSize)};
            default: bad("unknown braid state");
        }
    }();
    return state;
}

// Whether the braid's state and the chain's epoch fit together: the chain
// holds epoch e once the braid has agreed (ct sender) or is about to agree
// (ek sender) epoch e's secret.
bool epochs_fit(const State& state, Epoch chain_epoch) {
    const Epoch epoch = state_epoch(state);
    const bool agreed = std::holds_alternative<Ct1Sampled>(state) ||
                        std::holds_alternative<EkReceivedCt1Sampled>(state) ||
                        std::holds_alternative<Ct1Acknowledged>(state) || std::holds_alternative<Ct2Sampled>(state);
    return agreed ? chain_epoch == epoch : chain_epoch + 1 == epoch;
}

// The ek sender of odd epochs is the initiator (A2B).
bool role_fits(const State& state, Direction direction) {
    const bool ek_sender = state.index() <= 4;
    const bool odd = state_epoch(state) % 2 == 1;
    return ek_sender == (odd == (direction == Direction::a2b));
}

}  // namespace

SecretBytes PqRatchet::serialize() const {
    if (!braid_) return SecretBytes();
    pb::PqRatchetRecord record;
    record.set_format(kFormat);
    if (negotiation_) {
        pb::Negotiation& out = *record.mutable_negotiation();
        put(out.mutable_auth_key(), negotiation_->auth_key.span());
        out.set_direction(static_cast<std::uint32_t>(negotiation_->direction));
        out.set_min_version(static_cast<std::uint32_t>(negotiation_->min_version));
        write_params(negotiation_->params, *out.mutable_params());
    }
    if (chain_) write_chain(*chain_, *record.mutable_chain());
    write_braid(braid_->state(), *record.mutable_braid());
    std::string encoded = record.SerializeAsString();
    SecretBytes out(as_bytes(encoded));
    wipe_string(encoded);
    wipe(record);
    return out;
}

PqRatchet PqRatchet::parse(ByteView stored) {
    if (stored.empty()) return PqRatchet();
    pb::PqRatchetRecord record;
    struct Wiper {
        pb::PqRatchetRecord& record;
        ~Wiper() { wipe(record); }
    } wiper{record};
    parse_proto(record, stored, ErrorCode::storage, "SPQR record", kMaxRecordSize);
    if (record.format() != kFormat) bad("unknown format " + std::to_string(record.format()));
    if (!record.has_braid()) bad("no braid");

    std::optional<Negotiation> negotiation;
    if (record.has_negotiation()) {
        const pb::Negotiation& n = record.negotiation();
        if (n.min_version() > 1 || !n.has_params()) bad("negotiation malformed");
        negotiation = Negotiation{secret_of<32>(n.auth_key(), "auth key"), direction_of(n.direction()),
                                  static_cast<Version>(n.min_version()), params_of(n.params())};
    }
    std::optional<Chain> chain;
    if (record.has_chain()) chain = chain_of(record.chain());
    Braid braid(braid_of(record.braid()));

    if (!chain && !negotiation) bad("neither chain nor negotiation");
    if (chain && negotiation && chain->direction() != negotiation->direction) bad("directions differ");
    const Direction direction = chain ? chain->direction() : negotiation->direction;
    if (!role_fits(braid.state(), direction)) bad("braid role does not fit the direction");
    if (chain) {
        if (!epochs_fit(braid.state(), chain->current_epoch())) bad("braid and chain epochs differ");
    } else {
        // Before any chain the peer has not spoken: epoch 1, nothing received.
        const auto* waiting = std::get_if<NoHeaderReceived>(&braid.state());
        const bool fresh = braid.epoch() == 1 && (std::holds_alternative<KeysUnsampled>(braid.state()) ||
                                                  std::holds_alternative<KeysSampled>(braid.state()) ||
                                                  (waiting != nullptr && !waiting->receiving_header.has_enough() &&
                                                   waiting->receiving_header.points(0).empty()));
        if (!fresh) bad("braid past its start without a chain");
    }
    PqRatchet parsed(std::move(negotiation), std::move(chain), std::move(braid));
    // Only what serialize() writes is understood: unknown fields, fields the
    // braid state does not use and non-canonical encodings all differ here.
    if (!(parsed.serialize() == SecretBytes(stored))) bad("not in cliquet's canonical form");
    return parsed;
}

}  // namespace cliquet::protocol::spqr
