// Sealed sender version 2: one payload, many recipients (libsignal's
// multi-recipient KEM after Barbosa's "randomness reuse").
//
//   M random; r = HKDF(M, "…r (2023-08)"); K = HKDF(M, "…K"); E = keypair(r)
//   per recipient R_i:
//     C_i  = HKDF(DH(E, R_i) ‖ E ‖ R_i, "…DH") ⊕ M                (32 bytes)
//     AT_i = HKDF(DH(S, R_i) ‖ E ‖ C_i ‖ S ‖ R_i, "…DH-sender")    (16 bytes)
//   payload = AES-256-GCM-SIV(K, zero nonce, content)
// The recipient recovers M from C_i, re-derives E from it (which proves C_i
// was made with M), decrypts, and checks AT_i against the identity key the
// certificate names. HKDFs have no salt; keys inside are 33-byte forms.
#include <array>
#include <set>
#include <string>
#include <string_view>

#include "cliquet/error.hpp"
#include "cliquet/sealed_sender.hpp"
#include "crypto/aes_gcm_siv.hpp"
#include "crypto/hash.hpp"
#include "protocol/sealed_sender/sealed_sender_internal.hpp"
#include "protocol/sealed_sender/sealed_sender_v2_format.hpp"

namespace cliquet {
namespace {

using namespace protocol::v2;

constexpr std::string_view kLabelR = "Sealed Sender v2: r (2023-08)";
constexpr std::string_view kLabelK = "Sealed Sender v2: K";
constexpr std::string_view kLabelDh = "Sealed Sender v2: DH";
constexpr std::string_view kLabelDhSender = "Sealed Sender v2: DH-sender";
constexpr std::array<std::uint8_t, 12> kZeroNonce{};

using MessageSecret = SecretArray<kMessageKeySize>;

// E and K, both derived from M.
struct DerivedKeys {
    KeyPair ephemeral;
    SecretArray<32> payload_key;
};

DerivedKeys derive_keys(const MessageSecret& m) {
    SecretArray<32> r;
    crypto::hkdf_sha256(r.span(), m.span(), {}, as_bytes(kLabelR));
    SecretArray<32> k;
    crypto::hkdf_sha256(k.span(), m.span(), {}, as_bytes(kLabelK));
    return DerivedKeys{KeyPair::from_private(PrivateKey::deserialize(r.span())), k};
}

// C = HKDF(DH ‖ E ‖ R, label DH) ⊕ M; the same computation inverts it.
void xor_with_agreement_key(std::span<std::uint8_t, kMessageKeySize> inout, const SecretArray<32>& agreement,
                            const Bytes& ephemeral_public, const Bytes& recipient_public) {
    SecretBytes input(agreement.size() + ephemeral_public.size() + recipient_public.size());
    std::copy(agreement.span().begin(), agreement.span().end(), input.data());
    std::copy(ephemeral_public.begin(), ephemeral_public.end(), input.data() + agreement.size());
    std::copy(recipient_public.begin(), recipient_public.end(),
              input.data() + agreement.size() + ephemeral_public.size());
    SecretArray<kMessageKeySize> pad;
    crypto::hkdf_sha256(pad.span(), input.span(), {}, as_bytes(kLabelDh));
    for (std::size_t i = 0; i < kMessageKeySize; ++i) inout[i] ^= pad.data()[i];
}

std::array<std::uint8_t, kAuthTagSize> authentication_tag(const SecretArray<32>& static_agreement,
                                                          const Bytes& ephemeral_public, ByteView encrypted_key,
                                                          const Bytes& sender_public, const Bytes& recipient_public) {
    SecretBytes input(static_agreement.size() + ephemeral_public.size() + encrypted_key.size() + sender_public.size() +
                      recipient_public.size());
    std::uint8_t* at = input.data();
    for (ByteView part : {ByteView(static_agreement.span()), ByteView(ephemeral_public), encrypted_key,
                          ByteView(sender_public), ByteView(recipient_public)}) {
        std::copy(part.begin(), part.end(), at);
        at += part.size();
    }
    std::array<std::uint8_t, kAuthTagSize> tag;
    crypto::hkdf_sha256(tag, input.span(), {}, as_bytes(kLabelDhSender));
    return tag;
}

void append_varint(Bytes& out, std::uint64_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<std::uint8_t>(value | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<std::uint8_t>(value));
}

void check_recipients(std::span<const SealedRecipient> recipients, std::span<const ServiceId> excluded) {
    std::set<ServiceId> included;
    for (const SealedRecipient& recipient : recipients) {
        if (recipient.devices.empty())
            throw Error(ErrorCode::invalid_argument, "recipient " + recipient.service_id.to_string() + " has no devices");
        for (const SealedRecipientDevice& device : recipient.devices) {
            if (device.device_id < 1 || device.device_id > kMaxDeviceId)
                throw Error(ErrorCode::invalid_argument, "device id " + std::to_string(device.device_id) + " of " +
                                                             recipient.service_id.to_string() + " is out of range");
            if (device.registration_id > kMaxRegistrationId)
                throw Error(ErrorCode::invalid_argument,
                            "registration id " + std::to_string(device.registration_id) + " of " +
                                recipient.service_id.to_string() + " does not fit in 14 bits");
        }
        included.insert(recipient.service_id);
    }
    // A receiver refuses an account listed as excluded twice, or as both.
    std::set<ServiceId> seen_excluded;
    for (const ServiceId& id : excluded) {
        if (included.count(id) != 0 || !seen_excluded.insert(id).second)
            throw Error(ErrorCode::invalid_argument, id.to_string() + " is excluded twice or also a recipient");
    }
}

}  // namespace

const SecretArray<32>& MultiRecipientSealer::static_agreement(const IdentityKey& recipient) {
    auto it = static_agreements_.find(recipient);
    if (it == static_agreements_.end())
        it = static_agreements_.emplace(recipient, sender_.private_key().agree(recipient)).first;
    return it->second;
}

Bytes MultiRecipientSealer::seal(const UnidentifiedSenderMessageContent& content,
                                 std::span<const SealedRecipient> recipients, std::span<const ServiceId> excluded,
                                 RandomSource& random) {
    return protocol::seal_v2_bytes(content.serialize(), sender_, recipients, excluded, random,
                                   [this](const IdentityKey& recipient) { return static_agreement(recipient); });
}

Bytes seal_v2(const UnidentifiedSenderMessageContent& content, const IdentityKeyPair& sender,
              std::span<const SealedRecipient> recipients, std::span<const ServiceId> excluded, RandomSource& random) {
    return MultiRecipientSealer(sender).seal(content, recipients, excluded, random);
}

namespace protocol {

Bytes seal_v2_bytes(ByteView content, const IdentityKeyPair& sender, std::span<const SealedRecipient> recipients,
                    std::span<const ServiceId> excluded, RandomSource& random,
                    const StaticAgreementSource& static_agreement) {
    check_recipients(recipients, excluded);

    MessageSecret m;
    random.fill(m.span());
    const DerivedKeys keys = derive_keys(m);
    const Bytes ephemeral_public = keys.ephemeral.public_key.serialize();
    const Bytes sender_public = sender.public_key().serialize();
    const Bytes payload = crypto::aes256_gcm_siv_encrypt(keys.payload_key.span(), kZeroNonce, content, {});

    Bytes out{kSealedSenderV2ServiceIdVersion};
    std::size_t size = 1 + 10 + kPublicKeySize + payload.size() + excluded.size() * (kServiceIdFixedWidthSize + 1);
    for (const SealedRecipient& recipient : recipients)
        size += kServiceIdFixedWidthSize + 3 * recipient.devices.size() + kMessageKeySize + kAuthTagSize;
    out.reserve(size);
    append_varint(out, recipients.size() + excluded.size());

    for (const SealedRecipient& recipient : recipients) {
        const auto service_id = recipient.service_id.fixed_width();
        out.insert(out.end(), service_id.begin(), service_id.end());
        for (std::size_t i = 0; i < recipient.devices.size(); ++i) {
            const SealedRecipientDevice& device = recipient.devices[i];
            const bool more = i + 1 < recipient.devices.size();
            const auto word = static_cast<std::uint16_t>(device.registration_id | (more ? kHasMoreDevicesBit : 0u));
            out.push_back(static_cast<std::uint8_t>(device.device_id));
            out.push_back(static_cast<std::uint8_t>(word >> 8));
            out.push_back(static_cast<std::uint8_t>(word & 0xff));
        }

        const Bytes recipient_public = recipient.identity_key.serialize();
        std::array<std::uint8_t, kMessageKeySize> encrypted_key;
        std::copy(m.span().begin(), m.span().end(), encrypted_key.begin());
        xor_with_agreement_key(encrypted_key, keys.ephemeral.private_key.agree(recipient.identity_key),
                               ephemeral_public, recipient_public);
        const auto tag = authentication_tag(static_agreement(recipient.identity_key), ephemeral_public, encrypted_key,
                                            sender_public, recipient_public);
        out.insert(out.end(), encrypted_key.begin(), encrypted_key.end());
        out.insert(out.end(), tag.begin(), tag.end());
    }
    for (const ServiceId& id : excluded) {
        const auto service_id = id.fixed_width();
        out.insert(out.end(), service_id.begin(), service_id.end());
        out.push_back(kNoDevicesMarker);
    }
    const auto e = keys.ephemeral.public_key.montgomery();
    out.insert(out.end(), e.begin(), e.end());
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

UnidentifiedSenderMessageContent open_v2(ByteView received, const IdentityKeyPair& recipient) {
    // version ‖ C ‖ AT ‖ E ‖ payload
    if (received.size() < kReceivedHeaderSize) refuse_message("sealed sender v2 message is truncated");
    const auto encrypted_key = received.subspan<1, kMessageKeySize>();
    const auto tag = received.subspan<1 + kMessageKeySize, kAuthTagSize>();
    const auto ephemeral_u = received.subspan<1 + kMessageKeySize + kAuthTagSize, kEphemeralKeySize>();
    const ByteView payload = received.subspan(kReceivedHeaderSize);

    const PublicKey ephemeral = PublicKey::from_montgomery(ephemeral_u);
    const Bytes ephemeral_public = ephemeral.serialize();
    const Bytes recipient_public = recipient.public_key().serialize();

    SecretArray<32> agreement;
    try {
        agreement = recipient.private_key().agree(ephemeral);
    } catch (const Error&) {
        refuse_message("sealed sender v2 ephemeral key has small order");
    }
    MessageSecret m(encrypted_key);
    xor_with_agreement_key(m.span(), agreement, ephemeral_public, recipient_public);

    const DerivedKeys keys = derive_keys(m);
    if (!constant_time_equal(keys.ephemeral.public_key.montgomery(), ephemeral_u))
        refuse_message("sealed sender v2 key material was not made for this recipient");

    Bytes content_bytes;
    try {
        content_bytes = crypto::aes256_gcm_siv_decrypt(keys.payload_key.span(), kZeroNonce, payload, {});
    } catch (const Error&) {
        refuse_message("sealed sender v2 payload fails authentication");
    }
    UnidentifiedSenderMessageContent content = UnidentifiedSenderMessageContent::deserialize(content_bytes);

    // AT proves the key material came from the identity the certificate names.
    SecretArray<32> static_agreement;
    try {
        static_agreement = recipient.private_key().agree(content.sender().identity_key());
    } catch (const Error&) {
        refuse_message("sealed sender v2 certificate key has small order");
    }
    const auto expected = authentication_tag(static_agreement, ephemeral_public, encrypted_key,
                                             content.sender().identity_key().serialize(), recipient_public);
    if (!constant_time_equal(expected, tag))
        refuse_message("sealed sender v2 certificate names a different key from the one that sealed the message");
    return content;
}

}  // namespace protocol
}  // namespace cliquet
