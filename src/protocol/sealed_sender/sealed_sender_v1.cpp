// Sealed sender version 1: one recipient, two agreements.
//
//   ephemeral E, recipient identity R, sender identity S
//   chain ‖ cipher_e ‖ mac_e = HKDF(salt "UnidentifiedDelivery" ‖ R ‖ E, DH(E, R))
//   static  = CTR(cipher_e, S) ‖ HMAC(mac_e)[:10]
//   _ ‖ cipher_s ‖ mac_s     = HKDF(salt chain ‖ static, DH(S, R))
//   message = CTR(cipher_s, content) ‖ HMAC(mac_s)[:10]
//   envelope = 0x11 ‖ protobuf{E, static, message}
#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "cliquet/error.hpp"
#include "cliquet/sealed_sender.hpp"
#include "crypto/aes.hpp"
#include "crypto/hash.hpp"
#include "protocol/wire/proto_util.hpp"
#include "protocol/sealed_sender/sealed_sender_internal.hpp"
#include "sealed_sender.pb.h"

namespace cliquet {
namespace {

constexpr std::string_view kSaltPrefix = "UnidentifiedDelivery";
constexpr std::size_t kTruncatedMacSize = 10;
constexpr std::array<std::uint8_t, 16> kZeroIv{};

// Three 32-byte keys from one HKDF output; for the static layer the first
// (a chain key nothing uses) is derived only to match libsignal's layout.
struct LayerKeys {
    SecretArray<96> okm;
    std::span<const std::uint8_t, 32> chain() const { return okm.span().subspan<0, 32>(); }
    std::span<const std::uint8_t, 32> cipher() const { return okm.span().subspan<32, 32>(); }
    std::span<const std::uint8_t, 32> mac() const { return okm.span().subspan<64, 32>(); }
};

LayerKeys derive(const SecretArray<32>& shared_secret, ByteView salt) {
    LayerKeys keys;
    crypto::hkdf_sha256(keys.okm.span(), shared_secret.span(), salt, {});
    return keys;
}

Bytes ephemeral_salt(const PublicKey& recipient, const PublicKey& ephemeral) {
    Bytes salt(as_bytes(kSaltPrefix).begin(), as_bytes(kSaltPrefix).end());
    const Bytes r = recipient.serialize();
    const Bytes e = ephemeral.serialize();
    salt.insert(salt.end(), r.begin(), r.end());
    salt.insert(salt.end(), e.begin(), e.end());
    return salt;
}

// The chain key makes this salt secret.
SecretBytes static_salt(const LayerKeys& ephemeral_keys, ByteView encrypted_static) {
    SecretBytes salt(ephemeral_keys.chain().size() + encrypted_static.size());
    std::copy(ephemeral_keys.chain().begin(), ephemeral_keys.chain().end(), salt.data());
    std::copy(encrypted_static.begin(), encrypted_static.end(), salt.data() + ephemeral_keys.chain().size());
    return salt;
}

Bytes encrypt_and_mac(const LayerKeys& keys, ByteView plaintext) {
    Bytes out = crypto::aes256_ctr(keys.cipher(), kZeroIv, plaintext);
    const auto mac = crypto::hmac_sha256(keys.mac(), out);
    out.insert(out.end(), mac.begin(), mac.begin() + kTruncatedMacSize);
    return out;
}

Bytes check_mac_and_decrypt(const LayerKeys& keys, ByteView sealed, const char* what) {
    if (sealed.size() < kTruncatedMacSize)
        protocol::refuse_message(std::string("sealed sender v1 ") + what + " is shorter than its MAC");
    const ByteView body = sealed.first(sealed.size() - kTruncatedMacSize);
    const auto mac = crypto::hmac_sha256(keys.mac(), body);
    if (!constant_time_equal(ByteView(mac).first(kTruncatedMacSize), sealed.last(kTruncatedMacSize)))
        protocol::refuse_message(std::string("sealed sender v1 ") + what + " fails its MAC");
    return crypto::aes256_ctr(keys.cipher(), kZeroIv, body);
}

SecretArray<32> agree_or_refuse(const PrivateKey& ours, const PublicKey& theirs) {
    try {
        return ours.agree(theirs);
    } catch (const Error&) {
        protocol::refuse_message("sealed sender v1 key has small order");
    }
}

}  // namespace

Bytes seal_v1(const UnidentifiedSenderMessageContent& content, const IdentityKeyPair& sender,
              const IdentityKey& recipient, RandomSource& random) {
    return protocol::seal_v1_bytes(content.serialize(), sender, recipient, random);
}

namespace protocol {

Bytes seal_v1_bytes(ByteView content, const IdentityKeyPair& sender, const IdentityKey& recipient,
                    RandomSource& random) {
    const KeyPair ephemeral = KeyPair::generate(random);
    const LayerKeys ephemeral_keys =
        derive(ephemeral.private_key.agree(recipient), ephemeral_salt(recipient, ephemeral.public_key));
    const Bytes encrypted_static = encrypt_and_mac(ephemeral_keys, sender.public_key().serialize());
    const LayerKeys static_keys =
        derive(sender.private_key().agree(recipient), static_salt(ephemeral_keys, encrypted_static).span());
    const Bytes encrypted_message = encrypt_and_mac(static_keys, content);

    proto::sealed_sender::UnidentifiedSenderMessage envelope;
    const Bytes ephemeral_public = ephemeral.public_key.serialize();
    envelope.set_ephemeral_public(ephemeral_public.data(), ephemeral_public.size());
    envelope.set_encrypted_static(encrypted_static.data(), encrypted_static.size());
    envelope.set_encrypted_message(encrypted_message.data(), encrypted_message.size());
    Bytes out{kSealedSenderV1Version};
    const std::string body = envelope.SerializeAsString();
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

UnidentifiedSenderMessageContent open_v1(ByteView envelope_bytes, const IdentityKeyPair& recipient) {
    proto::sealed_sender::UnidentifiedSenderMessage envelope;
    parse_proto(envelope, envelope_bytes.subspan(1), ErrorCode::invalid_message, "sealed sender v1 envelope",
                kMaxSealedMessageSize);
    if (!envelope.has_ephemeral_public() || !envelope.has_encrypted_static() || !envelope.has_encrypted_message())
        refuse_message("sealed sender v1 envelope lacks a field");

    std::optional<PublicKey> ephemeral;
    try {
        ephemeral = PublicKey::deserialize(view_of(envelope.ephemeral_public()));
    } catch (const Error& e) {
        refuse_message(std::string("sealed sender v1 ephemeral key: ") + e.what());
    }
    const LayerKeys ephemeral_keys = derive(agree_or_refuse(recipient.private_key(), *ephemeral),
                                            ephemeral_salt(recipient.public_key(), *ephemeral));
    const Bytes sender_key_bytes =
        check_mac_and_decrypt(ephemeral_keys, view_of(envelope.encrypted_static()), "sender key");
    std::optional<PublicKey> sender_key;
    try {
        sender_key = PublicKey::deserialize(sender_key_bytes);
    } catch (const Error& e) {
        refuse_message(std::string("sealed sender v1 sender key: ") + e.what());
    }

    const LayerKeys static_keys = derive(agree_or_refuse(recipient.private_key(), *sender_key),
                                         static_salt(ephemeral_keys, view_of(envelope.encrypted_static())).span());
    const Bytes content_bytes =
        check_mac_and_decrypt(static_keys, view_of(envelope.encrypted_message()), "content");
    UnidentifiedSenderMessageContent content = UnidentifiedSenderMessageContent::deserialize(content_bytes);

    // The static layer proves the envelope came from `sender_key`; the
    // certificate must vouch for that same key.
    if (!constant_time_equal(sender_key_bytes, content.sender().identity_key().serialize()))
        refuse_message("sealed sender v1 certificate names a different key from the one that sealed the envelope");
    return content;
}

}  // namespace protocol
}  // namespace cliquet
