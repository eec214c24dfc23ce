#include "protocol/spqr/braid.hpp"

#include <algorithm>
#include <string>
#include <type_traits>

#include "cliquet/error.hpp"
#include "crypto/hash.hpp"
#include "protocol/spqr/kdf.hpp"

namespace cliquet::protocol::spqr {
namespace {

using namespace braid;

constexpr std::string_view kEpochSecretInfo = "Signal_PQCKA_V1_MLKEM768:SCKA Key";

[[noreturn]] void refuse(const std::string& what) { throw Error(ErrorCode::invalid_message, "SPQR braid: " + what); }

// The epoch's secret from the KEM's shared secret.
Key32 epoch_secret(Epoch epoch, const SecretArray<crypto::kem::kSharedSecretSize>& shared) {
    std::array<std::uint8_t, kEpochSecretInfo.size() + 8> info{};
    std::copy(kEpochSecretInfo.begin(), kEpochSecretInfo.end(), info.begin());
    for (std::size_t i = 0; i < 8; ++i) {
        info[kEpochSecretInfo.size() + i] = static_cast<std::uint8_t>(epoch >> (56 - 8 * i));
    }
    Key32 secret;
    crypto::hkdf_sha256(secret.span(), shared.span(), kZeroSalt, info);
    return secret;
}

Bytes concat(ByteView a, ByteView b) {
    Bytes out(a.begin(), a.end());
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

crypto::kem::KemKeyPair expand_key(const SecretArray<kKeySeedSize>& seed) {
    return crypto::kem::keygen(crypto::kem::KemVariant::mlkem768, seed.span());
}

Bytes key_vector_of(const SecretArray<kKeySeedSize>& seed) {
    return std::move(mlkem::split_public_key(expand_key(seed).public_key).vector);
}

// The ct sender's answer once it holds a key vector that belongs to the
// header it encapsulated to: ct2 and the MAC over ct1 || ct2.
Ct2Sampled finish_ciphertext(Epoch epoch, const Authenticator& auth, const mlkem::EncapsulationState& encapsulation,
                             ByteView ct1, ByteView key_vector) {
    Bytes ct2;
    try {
        ct2 = mlkem::encapsulate2(encapsulation, key_vector);
    } catch (const Error& error) {
        refuse(std::string("key vector refused: ") + error.what());
    }
    const auto mac = auth.ciphertext_mac(epoch, concat(ct1, ct2));
    return Ct2Sampled{epoch, auth, ErasureEncoder(concat(ct2, mac))};
}

void check_vector(const mlkem::EncapsulationState& encapsulation, ByteView key_vector) {
    if (!mlkem::header_matches_vector(encapsulation.header, key_vector)) refuse("key vector does not match its header");
}

Message message_of(Epoch epoch, PayloadType type, const Chunk& chunk = {}) {
    Message message;
    message.epoch = epoch;
    message.type = type;
    message.chunk = chunk;
    return message;
}

bool is_key_chunk(PayloadType type) { return type == PayloadType::key || type == PayloadType::key_and_ct1_ack; }

// What a message of the state's own epoch does to each state. A state that
// expects nothing of the message's type stays as it is; only the step that
// completes the epoch's KEM sets `secret`.

// KeysUnsampled, HeaderReceived and Ct2Sampled expect nothing of their own epoch.
template <class S>
State receive(const S& s, const Message&, std::optional<EpochSecret>&) {
    return s;
}

State receive(const KeysSampled& s, const Message& message, std::optional<EpochSecret>&) {
    if (message.type != PayloadType::ciphertext1) return s;
    ErasureDecoder receiving_ct1(mlkem::kCiphertext1Size);
    receiving_ct1.add_chunk(message.chunk);
    return HeaderSent{s.epoch, s.auth, s.key_seed, ErasureEncoder(key_vector_of(s.key_seed)), std::move(receiving_ct1)};
}

State receive(const HeaderSent& s, const Message& message, std::optional<EpochSecret>&) {
    if (message.type != PayloadType::ciphertext1) return s;
    HeaderSent next = s;
    next.receiving_ct1.add_chunk(message.chunk);
    auto ct1 = next.receiving_ct1.decoded();
    if (!ct1) return next;
    return Ct1Received{s.epoch, s.auth, s.key_seed, std::move(*ct1), std::move(next.sending_key)};
}

State receive(const Ct1Received& s, const Message& message, std::optional<EpochSecret>&) {
    if (message.type != PayloadType::ciphertext2) return s;
    ErasureDecoder receiving_ct2(kCiphertext2WithMacSize);
    receiving_ct2.add_chunk(message.chunk);
    return EkSentCt1Received{s.epoch, s.auth, s.key_seed, s.ct1, std::move(receiving_ct2)};
}

// The last ciphertext chunk completes the epoch: decapsulate, check the MAC,
// and move on to the next epoch, in which this side sends the ciphertext.
State receive(const EkSentCt1Received& s, const Message& message, std::optional<EpochSecret>& secret) {
    if (message.type != PayloadType::ciphertext2) return s;
    EkSentCt1Received next = s;
    next.receiving_ct2.add_chunk(message.chunk);
    const auto ct2_and_mac = next.receiving_ct2.decoded();
    if (!ct2_and_mac) return next;
    const ByteView ct2 = ByteView(*ct2_and_mac).first(mlkem::kCiphertext2Size);
    const ByteView mac = ByteView(*ct2_and_mac).subspan(mlkem::kCiphertext2Size);
    const Bytes ciphertext = concat(s.ct1, ct2);
    const auto shared =
        crypto::kem::decapsulate(crypto::kem::KemVariant::mlkem768, expand_key(s.key_seed).secret_key.span(), ciphertext);
    Key32 agreed = epoch_secret(s.epoch, shared);
    Authenticator auth = s.auth;
    auth.update(s.epoch, agreed.span());
    auth.verify_ciphertext(s.epoch, ciphertext, mac);
    secret = EpochSecret{s.epoch, agreed};
    return NoHeaderReceived{s.epoch + 1, auth, ErasureDecoder(kHeaderWithMacSize)};
}

State receive(const NoHeaderReceived& s, const Message& message, std::optional<EpochSecret>&) {
    if (message.type != PayloadType::header) return s;
    NoHeaderReceived next = s;
    next.receiving_header.add_chunk(message.chunk);
    const auto header_and_mac = next.receiving_header.decoded();
    if (!header_and_mac) return next;
    const ByteView header_bytes = ByteView(*header_and_mac).first(mlkem::kHeaderSize);
    s.auth.verify_header(s.epoch, header_bytes, ByteView(*header_and_mac).subspan(mlkem::kHeaderSize));
    Header header{};
    std::copy(header_bytes.begin(), header_bytes.end(), header.begin());
    return HeaderReceived{s.epoch, s.auth, header, ErasureDecoder(mlkem::kVectorSize)};
}

State receive(const Ct1Sampled& s, const Message& message, std::optional<EpochSecret>&) {
    if (!is_key_chunk(message.type)) return s;
    const bool acknowledged = message.type == PayloadType::key_and_ct1_ack;
    Ct1Sampled next = s;
    next.receiving_key.add_chunk(message.chunk);
    const auto vector = next.receiving_key.decoded();
    if (vector) {
        check_vector(s.encapsulation, *vector);
        if (acknowledged) return finish_ciphertext(s.epoch, s.auth, s.encapsulation, s.sending_ct1.message(), *vector);
        return EkReceivedCt1Sampled{s.epoch, s.auth, s.encapsulation, std::move(*vector), std::move(next.sending_ct1)};
    }
    if (acknowledged)
        return Ct1Acknowledged{s.epoch, s.auth, s.encapsulation, s.sending_ct1.message(), std::move(next.receiving_key)};
    return next;
}

State receive(const EkReceivedCt1Sampled& s, const Message& message, std::optional<EpochSecret>&) {
    if (message.type != PayloadType::ct1_ack && message.type != PayloadType::key_and_ct1_ack) return s;
    return finish_ciphertext(s.epoch, s.auth, s.encapsulation, s.sending_ct1.message(), s.key_vector);
}

State receive(const Ct1Acknowledged& s, const Message& message, std::optional<EpochSecret>&) {
    // Key chunks sent before the acknowledgement can still arrive late.
    if (!is_key_chunk(message.type)) return s;
    Ct1Acknowledged next = s;
    next.receiving_key.add_chunk(message.chunk);
    const auto vector = next.receiving_key.decoded();
    if (!vector) return next;
    check_vector(s.encapsulation, *vector);
    return finish_ciphertext(s.epoch, s.auth, s.encapsulation, s.ct1, *vector);
}

State receive_in_epoch(const State& current, const Message& message, std::optional<EpochSecret>& secret) {
    return std::visit([&](const auto& s) -> State { return receive(s, message, secret); }, current);
}

}  // namespace

namespace braid {

std::string_view state_name(const State& state) noexcept {
    static constexpr std::array<std::string_view, std::variant_size_v<State>> names = {
        "KeysUnsampled",    "KeysSampled",    "HeaderSent", "Ct1Received",          "EkSentCt1Received",
        "NoHeaderReceived", "HeaderReceived", "Ct1Sampled", "EkReceivedCt1Sampled", "Ct1Acknowledged",
        "Ct2Sampled"};
    return names[state.index()];
}

Epoch state_epoch(const State& state) noexcept {
    return std::visit([](const auto& s) { return s.epoch; }, state);
}

}  // namespace braid

Braid Braid::initial(const Key32& auth_key, Direction direction) {
    Authenticator auth(auth_key.span(), 1);
    if (direction == Direction::a2b) return Braid(KeysUnsampled{1, auth});
    return Braid(NoHeaderReceived{1, auth, ErasureDecoder(kHeaderWithMacSize)});
}

Braid::Sent Braid::send(RandomSource& random) const {
    std::optional<EpochSecret> secret;
    Message message;
    State next = std::visit(
        [&](const auto& s) -> State {
            using S = std::decay_t<decltype(s)>;
            if constexpr (std::is_same_v<S, KeysUnsampled>) {
                SecretArray<kKeySeedSize> seed;
                random.fill(seed.span());
                const auto split = mlkem::split_public_key(expand_key(seed).public_key);
                const auto mac = s.auth.header_mac(s.epoch, split.header);
                KeysSampled sampled{s.epoch, s.auth, seed, ErasureEncoder(concat(split.header, mac))};
                message = message_of(s.epoch, PayloadType::header, sampled.sending_header.next_chunk());
                return sampled;
            } else if constexpr (std::is_same_v<S, KeysSampled>) {
                KeysSampled next_state = s;
                message = message_of(s.epoch, PayloadType::header, next_state.sending_header.next_chunk());
                return next_state;
            } else if constexpr (std::is_same_v<S, HeaderSent>) {
                HeaderSent next_state = s;
                message = message_of(s.epoch, PayloadType::key, next_state.sending_key.next_chunk());
                return next_state;
            } else if constexpr (std::is_same_v<S, Ct1Received>) {
                Ct1Received next_state = s;
                message = message_of(s.epoch, PayloadType::key_and_ct1_ack, next_state.sending_key.next_chunk());
                return next_state;
            } else if constexpr (std::is_same_v<S, EkSentCt1Received>) {
                message = message_of(s.epoch, PayloadType::ct1_ack);
                return s;
            } else if constexpr (std::is_same_v<S, HeaderReceived>) {
                auto first = mlkem::encapsulate1(s.header, random);
                Key32 agreed = epoch_secret(s.epoch, first.shared_secret);
                Authenticator auth = s.auth;
                auth.update(s.epoch, agreed.span());
                Ct1Sampled sampled{s.epoch, auth, first.state, ErasureEncoder(first.ciphertext1), s.receiving_key};
                message = message_of(s.epoch, PayloadType::ciphertext1, sampled.sending_ct1.next_chunk());
                secret = EpochSecret{s.epoch, agreed};
                return sampled;
            } else if constexpr (std::is_same_v<S, Ct1Sampled> || std::is_same_v<S, EkReceivedCt1Sampled>) {
                S next_state = s;
                message = message_of(s.epoch, PayloadType::ciphertext1, next_state.sending_ct1.next_chunk());
                return next_state;
            } else if constexpr (std::is_same_v<S, Ct2Sampled>) {
                Ct2Sampled next_state = s;
                message = message_of(s.epoch, PayloadType::ciphertext2, next_state.sending_ct2.next_chunk());
                return next_state;
            } else {
                // KeysUnsampled aside, the waiting states send nothing.
                static_assert(std::is_same_v<S, NoHeaderReceived> || std::is_same_v<S, Ct1Acknowledged>);
                message = message_of(s.epoch, PayloadType::none);
                return s;
            }
        },
        state_);
    return Sent{message, std::move(secret), Braid(std::move(next))};
}

Braid::Received Braid::recv(const Message& message) const {
    const Epoch epoch = this->epoch();
    std::optional<EpochSecret> secret;
    if (message.epoch < epoch) return Received{std::nullopt, *this};  // late: ignored
    if (message.epoch > epoch) {
        // Only the ct sender that has sent all it had moves on, when the peer
        // speaks in the next epoch (as its ek sender).
        const auto* done = std::get_if<Ct2Sampled>(&state_);
        if (done == nullptr || epoch == UINT64_MAX || message.epoch != epoch + 1) {
            refuse("message of epoch " + std::to_string(message.epoch) + " in epoch " + std::to_string(epoch));
        }
        return Received{std::nullopt, Braid(KeysUnsampled{epoch + 1, done->auth})};
    }
    State next = receive_in_epoch(state_, message, secret);
    return Received{std::move(secret), Braid(std::move(next))};
}

}  // namespace cliquet::protocol::spqr
