#include "cliquet/messages.hpp"

#include <algorithm>
#include <array>
#include <string>

#include <google/protobuf/io/coded_stream.h>

#include "cliquet/error.hpp"
#include "cliquet/service_id.hpp"
#include "crypto/hash.hpp"
#include "protocol/wire/proto_util.hpp"
#include "protocol/wire/signal_message_body.hpp"
#include "wire.pb.h"

namespace cliquet {
namespace {

constexpr int kOldestVersion = 3;
constexpr int kNewestVersion = 4;
// Far beyond any real message (a 64 KiB plaintext and a Kyber ciphertext),
// small enough that a hostile length cannot make us allocate much.
constexpr std::size_t kMaxMessageSize = 1u << 22;

[[noreturn]] void malformed(const std::string& what) { throw Error(ErrorCode::invalid_message, what); }

int read_version(ByteView bytes, const char* what) {
    if (bytes.empty()) malformed(std::string(what) + " is empty");
    const int version = bytes[0] >> 4;
    if (version < kOldestVersion || version > kNewestVersion)
        malformed(std::string(what) + " has unsupported version " + std::to_string(version));
    return version;
}

std::uint8_t version_byte(int version) {
    if (version < kOldestVersion || version > kNewestVersion)
        throw Error(ErrorCode::invalid_argument, "message version must be 3 or 4");
    return static_cast<std::uint8_t>((version << 4) | version);
}

PublicKey message_key(ByteView bytes, const char* what) {
    try {
        return PublicKey::deserialize(bytes);
    } catch (const Error&) {
        malformed(std::string("message has a malformed ") + what);
    }
}

void append(Bytes& out, const std::string& bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); }

// A public key as serialized, on the stack: the MAC of every message covers
// both identity keys, and a heap copy of each is measurable there.
std::array<std::uint8_t, kPublicKeySize> serialized_key(const PublicKey& key) noexcept {
    std::array<std::uint8_t, kPublicKeySize> out;
    out[0] = kDjbKeyType;
    std::copy(key.montgomery().begin(), key.montgomery().end(), out.begin() + 1);
    return out;
}

std::array<std::uint8_t, kMessageMacSize> compute_mac(std::span<const std::uint8_t, 32> mac_key,
                                                      const IdentityKey& sender, const IdentityKey& receiver,
                                                      ByteView versioned_body) {
    const auto sender_bytes = serialized_key(sender);
    const auto receiver_bytes = serialized_key(receiver);
    auto full = crypto::HmacSha256(mac_key).mac({sender_bytes, receiver_bytes, versioned_body});
    std::array<std::uint8_t, kMessageMacSize> mac;
    std::copy_n(full.begin(), kMessageMacSize, mac.begin());
    return mac;
}

// One half of a message's `addresses`: a service id's fixed-width form and
// its device id as one byte.
bool write_address(const ProtocolAddress& address, std::uint8_t* out) noexcept {
    const auto service_id = ServiceId::parse(address.name);
    if (!service_id || address.device_id == 0 || address.device_id > 0xff) return false;
    const ServiceIdFixedWidth fixed = service_id->fixed_width();
    std::copy(fixed.begin(), fixed.end(), out);
    out[fixed.size()] = static_cast<std::uint8_t>(address.device_id);
    return true;
}

}  // namespace

std::optional<MessageAddresses> message_addresses(const ProtocolAddress& sender, const ProtocolAddress& recipient) {
    constexpr std::size_t kHalf = kMessageAddressesSize / 2;
    MessageAddresses out;
    if (!write_address(sender, out.data()) || !write_address(recipient, out.data() + kHalf)) return std::nullopt;
    return out;
}

// ---- SignalMessage ----------------------------------------------------------

SignalMessage::SignalMessage(int version, PublicKey sender_ratchet_key, std::uint32_t counter,
                             std::uint32_t previous_counter, Bytes ciphertext, Bytes pq_ratchet,
                             std::optional<Bytes> addresses, Bytes serialized)
    : version_(version),
      sender_ratchet_key_(sender_ratchet_key),
      counter_(counter),
      previous_counter_(previous_counter),
      ciphertext_(std::move(ciphertext)),
      pq_ratchet_(std::move(pq_ratchet)),
      addresses_(std::move(addresses)),
      serialized_(std::move(serialized)) {}

SignalMessage SignalMessage::create(int version, const PublicKey& sender_ratchet_key, std::uint32_t counter,
                                    std::uint32_t previous_counter, ByteView ciphertext,
                                    const IdentityKey& sender_identity, const IdentityKey& receiver_identity,
                                    std::span<const std::uint8_t, 32> mac_key, ByteView pq_ratchet,
                                    const std::optional<MessageAddresses>& addresses) {
    // The body written by hand, straight into the frame, as protobuf writes
    // these proto2 fields when set: in field order, each a tag then a
    // varint or a length and bytes (pq_ratchet and addresses only when
    // there are some). No protobuf temporaries, no copies.
    using google::protobuf::io::CodedOutputStream;
    constexpr std::uint8_t kRatchetKeyTag = (1 << 3) | 2;
    constexpr std::uint8_t kCounterTag = (2 << 3) | 0;
    constexpr std::uint8_t kPreviousCounterTag = (3 << 3) | 0;
    constexpr std::uint8_t kCiphertextTag = (4 << 3) | 2;
    constexpr std::uint8_t kPqRatchetTag = (5 << 3) | 2;
    constexpr std::uint8_t kAddressesTag = (6 << 3) | 2;
    const auto ratchet = serialized_key(sender_ratchet_key);
    const std::size_t body_size = 2 + ratchet.size() + 1 + CodedOutputStream::VarintSize32(counter) + 1 +
                                  CodedOutputStream::VarintSize32(previous_counter) + 1 +
                                  CodedOutputStream::VarintSize64(ciphertext.size()) + ciphertext.size() +
                                  (pq_ratchet.empty() ? 0
                                                      : 1 + CodedOutputStream::VarintSize64(pq_ratchet.size()) +
                                                            pq_ratchet.size()) +
                                  (addresses ? 2 + kMessageAddressesSize : 0);
    Bytes serialized(1 + body_size + kMessageMacSize);
    std::uint8_t* at = serialized.data();
    *at++ = version_byte(version);
    *at++ = kRatchetKeyTag;
    *at++ = static_cast<std::uint8_t>(ratchet.size());
    at = std::copy(ratchet.begin(), ratchet.end(), at);
    *at++ = kCounterTag;
    at = CodedOutputStream::WriteVarint32ToArray(counter, at);
    *at++ = kPreviousCounterTag;
    at = CodedOutputStream::WriteVarint32ToArray(previous_counter, at);
    *at++ = kCiphertextTag;
    at = CodedOutputStream::WriteVarint64ToArray(ciphertext.size(), at);
    at = std::copy(ciphertext.begin(), ciphertext.end(), at);
    if (!pq_ratchet.empty()) {
        *at++ = kPqRatchetTag;
        at = CodedOutputStream::WriteVarint64ToArray(pq_ratchet.size(), at);
        at = std::copy(pq_ratchet.begin(), pq_ratchet.end(), at);
    }
    if (addresses) {
        static_assert(kMessageAddressesSize < 0x80, "the length is a one-byte varint");
        *at++ = kAddressesTag;
        *at++ = static_cast<std::uint8_t>(kMessageAddressesSize);
        std::copy(addresses->begin(), addresses->end(), at);
    }
    const auto mac = compute_mac(mac_key, sender_identity, receiver_identity, ByteView(serialized).first(1 + body_size));
    std::copy(mac.begin(), mac.end(), serialized.end() - kMessageMacSize);
    std::optional<Bytes> address_bytes;
    if (addresses) address_bytes.emplace(addresses->begin(), addresses->end());
    return SignalMessage(version, sender_ratchet_key, counter, previous_counter, Bytes(ciphertext.begin(), ciphertext.end()),
                         Bytes(pq_ratchet.begin(), pq_ratchet.end()), std::move(address_bytes), std::move(serialized));
}

SignalMessage SignalMessage::deserialize(ByteView bytes) {
    const int version = read_version(bytes, "signal message");
    if (bytes.size() < 1 + kMessageMacSize) malformed("signal message is too short");
    if (bytes.size() > kMaxMessageSize) malformed("signal message is too large");
    const ByteView body_bytes = bytes.subspan(1, bytes.size() - 1 - kMessageMacSize);
    // The body as senders write it is read in place; anything else goes to
    // protobuf, which alone decides what is refused.
    if (const auto canonical = protocol::read_canonical_signal_message_body(body_bytes)) {
        return SignalMessage(version, message_key(canonical->ratchet_key, "ratchet key"), canonical->counter,
                             canonical->previous_counter, Bytes(canonical->ciphertext.begin(), canonical->ciphertext.end()),
                             Bytes(canonical->pq_ratchet.begin(), canonical->pq_ratchet.end()), std::nullopt,
                             Bytes(bytes.begin(), bytes.end()));
    }
    proto::wire::SignalMessage body;
    protocol::parse_proto(body, body_bytes, ErrorCode::invalid_message, "signal message");
    if (!body.has_ratchet_key() || !body.has_counter() || !body.has_ciphertext())
        malformed("signal message lacks a required field");
    std::optional<Bytes> addresses;
    if (body.has_addresses()) addresses.emplace(body.addresses().begin(), body.addresses().end());
    return SignalMessage(version, message_key(as_bytes(body.ratchet_key()), "ratchet key"), body.counter(),
                         body.previous_counter(), Bytes(body.ciphertext().begin(), body.ciphertext().end()),
                         Bytes(body.pq_ratchet().begin(), body.pq_ratchet().end()), std::move(addresses),
                         Bytes(bytes.begin(), bytes.end()));
}

bool SignalMessage::verify_mac(const IdentityKey& sender_identity, const IdentityKey& receiver_identity,
                               std::span<const std::uint8_t, 32> mac_key) const {
    const ByteView all(serialized_);
    const auto expected =
        compute_mac(mac_key, sender_identity, receiver_identity, all.first(all.size() - kMessageMacSize));
    return constant_time_equal(expected, all.last(kMessageMacSize));
}

// ---- PreKeySignalMessage ----------------------------------------------------

PreKeySignalMessage::PreKeySignalMessage(int version, std::uint32_t registration_id,
                                         std::optional<std::uint32_t> pre_key_id, std::uint32_t signed_pre_key_id,
                                         std::optional<KyberPayload> kyber, PublicKey base_key,
                                         IdentityKey identity_key, SignalMessage message, Bytes serialized)
    : version_(version),
      registration_id_(registration_id),
      pre_key_id_(pre_key_id),
      signed_pre_key_id_(signed_pre_key_id),
      kyber_(std::move(kyber)),
      base_key_(base_key),
      identity_key_(identity_key),
      message_(std::move(message)),
      serialized_(std::move(serialized)) {}

PreKeySignalMessage PreKeySignalMessage::create(int version, std::uint32_t registration_id,
                                                std::optional<std::uint32_t> pre_key_id,
                                                std::uint32_t signed_pre_key_id, std::optional<KyberPayload> kyber,
                                                const PublicKey& base_key, const IdentityKey& identity_key,
                                                SignalMessage message) {
    if ((version == 4) != kyber.has_value())
        throw Error(ErrorCode::invalid_argument, "a pre-key message carries Kyber fields exactly in version 4");
    proto::wire::PreKeySignalMessage body;
    body.set_registration_id(registration_id);
    if (pre_key_id) body.set_pre_key_id(*pre_key_id);
    body.set_signed_pre_key_id(signed_pre_key_id);
    if (kyber) {
        body.set_kyber_pre_key_id(kyber->pre_key_id);
        body.set_kyber_ciphertext(kyber->ciphertext.data(), kyber->ciphertext.size());
    }
    const Bytes base = base_key.serialize();
    body.set_base_key(base.data(), base.size());
    const Bytes identity = identity_key.serialize();
    body.set_identity_key(identity.data(), identity.size());
    body.set_message(message.serialize().data(), message.serialize().size());

    Bytes serialized;
    serialized.reserve(1 + body.ByteSizeLong());
    serialized.push_back(version_byte(version));
    append(serialized, body.SerializeAsString());
    return PreKeySignalMessage(version, registration_id, pre_key_id, signed_pre_key_id, std::move(kyber), base_key,
                               identity_key, std::move(message), std::move(serialized));
}

PreKeySignalMessage PreKeySignalMessage::deserialize(ByteView bytes) {
    const int version = read_version(bytes, "pre-key message");
    if (bytes.size() > kMaxMessageSize) malformed("pre-key message is too large");
    proto::wire::PreKeySignalMessage body;
    protocol::parse_proto(body, bytes.subspan(1), ErrorCode::invalid_message, "pre-key message");
    if (!body.has_signed_pre_key_id() || !body.has_base_key() || !body.has_identity_key() || !body.has_message())
        malformed("pre-key message lacks a required field");
    std::optional<KyberPayload> kyber;
    if (body.has_kyber_pre_key_id() && body.has_kyber_ciphertext()) {
        kyber = KyberPayload{body.kyber_pre_key_id(),
                             Bytes(body.kyber_ciphertext().begin(), body.kyber_ciphertext().end())};
    } else if (body.has_kyber_pre_key_id() || body.has_kyber_ciphertext()) {
        malformed("pre-key message has half of the Kyber fields");
    }
    if (version == 4 && !kyber) malformed("version 4 pre-key message lacks its Kyber pre-key");
    if (version == 3 && kyber) malformed("version 3 pre-key message carries a Kyber pre-key");
    SignalMessage message = SignalMessage::deserialize(as_bytes(body.message()));
    if (message.message_version() != version) malformed("pre-key message embeds a message of another version");
    std::optional<std::uint32_t> pre_key_id;
    if (body.has_pre_key_id()) pre_key_id = body.pre_key_id();
    return PreKeySignalMessage(version, body.registration_id(), pre_key_id, body.signed_pre_key_id(),
                               std::move(kyber), message_key(as_bytes(body.base_key()), "base key"),
                               message_key(as_bytes(body.identity_key()), "identity key"), std::move(message),
                               Bytes(bytes.begin(), bytes.end()));
}

}  // namespace cliquet
