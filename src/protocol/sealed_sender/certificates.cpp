// Server and sender certificates (see cliquet/certificates.hpp).
#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "cliquet/certificates.hpp"
#include "cliquet/error.hpp"
#include "cliquet/service_id.hpp"
#include "protocol/wire/proto_util.hpp"
#include "protocol/sealed_sender/sealed_sender_internal.hpp"
#include "protocol/sealed_sender/validated_certificates.hpp"
#include "sealed_sender.pb.h"

namespace cliquet {
namespace {

namespace pb = proto::sealed_sender;

constexpr std::uint32_t kRevokedServerKeyIds[] = {0xDEADC357};

// Certificates are small; anything near this size is not one.
constexpr std::size_t kMaxCertificateSize = 64 * 1024;

[[noreturn]] void refuse(const std::string& why) { throw Error(ErrorCode::invalid_certificate, why); }

std::string to_string(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }
Bytes to_bytes(const std::string& text) { return Bytes(text.begin(), text.end()); }

// libsignal's protobuf decoder refuses string fields that are not UTF-8;
// protobuf-lite does not check proto2 strings, so cliquet checks here.
bool is_valid_utf8(std::string_view text) noexcept {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<std::uint8_t>(text[i]);
        std::size_t length = 0;
        std::uint32_t code_point = 0;
        if (lead < 0x80) {
            ++i;
            continue;
        } else if (lead >= 0xc2 && lead <= 0xdf) {
            length = 2;
            code_point = lead & 0x1fu;
        } else if (lead >= 0xe0 && lead <= 0xef) {
            length = 3;
            code_point = lead & 0x0fu;
        } else if (lead >= 0xf0 && lead <= 0xf4) {
            length = 4;
            code_point = lead & 0x07u;
        } else {
            return false;
        }
        if (text.size() - i < length) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<std::uint8_t>(text[i + k]);
            if ((next & 0xc0) != 0x80) return false;
            code_point = (code_point << 6) | (next & 0x3fu);
        }
        // Overlong forms, UTF-16 surrogates and values past U+10FFFF.
        if ((length == 3 && code_point < 0x800) || (length == 4 && code_point < 0x10000) ||
            (code_point >= 0xd800 && code_point <= 0xdfff) || code_point > 0x10ffff)
            return false;
        i += length;
    }
    return true;
}

struct KnownServerCertificate {
    std::uint32_t id;
    std::string_view trust_root_hex;
    std::string_view certificate_hex;
};

// The server certificates libsignal lets sender certificates name by id
// instead of embedding (ids 2 and 3 are Signal's staging and production
// servers; 0x7357C357 is signed by the all-zeros test key).
constexpr KnownServerCertificate kKnownServerCertificates[] = {
    {2, "058854ead3e3a8fe3a286644cd1b3538be14dfd5797653c9fd7d3d85ae2b12b926",
     "0a25080212210539450d63ebd0752c0fd4038b9d07a916f5e174b756d409b5ca79f4c97400631e124064c5a38b1e927497d3d4786b10"
     "1a623ab34a7da3954fae126b04dba9d7a3604ed88cdc8550950f0d4a9134ceb7e19b94139151d2c3d6e1c81e9d1128aafca806"},
    {3, "054918d08fbdfa83e00c29f8f8073a22ef35df2bea903aff81af03ccbc45c6e93a",
     "0a250803122105bc9d1d290be964810dfa7e94856480a3f7060d004c9762c24c575a1522353a5a1240c11ec3c401eb0107ab38f8600e"
     "8720a63169e0e2eb8a3fae24f63099f85ea319c3c1c46d3454706ae2a679d1fee690a488adda98a2290b66c906bb60295ed781"},
    {0x7357C357, "052fe57da347cd62431528daac5fbb290730fff684afc4cfc2ed90995f58cb3b74",
     "0a2908d786df9a07122105847c0d2c375234f365e660955187a3735a0f7613d1609d3a6a4d8c53aeaa5a221240e0b9ebacdfc3aa2827f7"
     "924b697784d1c25e44ca05dd433e1a38dc6382eb2730d419ca9a250b1be9d5a9463e61efd6781777a91b83c97b844d014206e2829785"},
};

const std::vector<ServerCertificate>& known_server_certificates() {
    static const std::vector<ServerCertificate> certificates = [] {
        std::vector<ServerCertificate> parsed;
        for (const auto& known : kKnownServerCertificates)
            parsed.push_back(ServerCertificate::deserialize(from_hex(known.certificate_hex)));
        return parsed;
    }();
    return certificates;
}

}  // namespace

namespace protocol {

std::vector<std::pair<PublicKey, ServerCertificate>> well_known_server_certificates() {
    std::vector<std::pair<PublicKey, ServerCertificate>> out;
    const auto& certificates = known_server_certificates();
    for (std::size_t i = 0; i < certificates.size(); ++i)
        out.emplace_back(PublicKey::deserialize(from_hex(kKnownServerCertificates[i].trust_root_hex)), certificates[i]);
    return out;
}

}  // namespace protocol

bool is_revoked_server_key_id(std::uint32_t key_id) noexcept {
    return std::find(std::begin(kRevokedServerKeyIds), std::end(kRevokedServerKeyIds), key_id) !=
           std::end(kRevokedServerKeyIds);
}

// ---- ServerCertificate -------------------------------------------------------

ServerCertificate ServerCertificate::create(std::uint32_t key_id, const PublicKey& server_key,
                                            const PrivateKey& trust_root, RandomSource& random) {
    pb::ServerCertificate::Certificate body;
    body.set_id(key_id);
    const Bytes key_bytes = server_key.serialize();
    body.set_key(key_bytes.data(), key_bytes.size());
    const Bytes certificate = to_bytes(body.SerializeAsString());
    const Signature signature = trust_root.sign(certificate, random);

    pb::ServerCertificate outer;
    outer.set_certificate(certificate.data(), certificate.size());
    outer.set_signature(signature.data(), signature.size());
    return ServerCertificate(to_bytes(outer.SerializeAsString()), certificate, Bytes(signature.begin(), signature.end()),
                             key_id, server_key);
}

ServerCertificate ServerCertificate::deserialize(ByteView bytes) {
    pb::ServerCertificate outer;
    protocol::parse_proto(outer, bytes, ErrorCode::invalid_certificate, "server certificate", kMaxCertificateSize);
    if (!outer.has_certificate() || !outer.has_signature())
        refuse("server certificate lacks its certificate or signature");
    pb::ServerCertificate::Certificate body;
    protocol::parse_proto(body, protocol::view_of(outer.certificate()), ErrorCode::invalid_certificate,
                          "server certificate body", kMaxCertificateSize);
    if (!body.has_id() || !body.has_key()) refuse("server certificate lacks its key id or key");
    std::optional<PublicKey> key;
    try {
        key = PublicKey::deserialize(protocol::view_of(body.key()));
    } catch (const Error& e) {
        refuse(std::string("server certificate key: ") + e.what());
    }
    return ServerCertificate(Bytes(bytes.begin(), bytes.end()), to_bytes(outer.certificate()),
                             to_bytes(outer.signature()), body.id(), *key);
}

bool ServerCertificate::is_valid(const PublicKey& trust_root) const {
    if (is_revoked_server_key_id(key_id_)) return false;
    return trust_root.verify(certificate_, signature_);
}

// ---- SenderCertificate -------------------------------------------------------

SenderCertificate SenderCertificate::create(const Sender& sender, Timestamp expiration, const ServerCertificate& signer,
                                            const PrivateKey& signer_key, RandomSource& random) {
    if (sender.device_id < 1 || sender.device_id > kMaxDeviceId)
        throw Error(ErrorCode::invalid_argument, "sender device id must be 1 to 127");
    if (!is_valid_utf8(sender.uuid) || (sender.e164 && !is_valid_utf8(*sender.e164)))
        throw Error(ErrorCode::invalid_argument, "sender uuid and e164 must be UTF-8");
    pb::SenderCertificate::Certificate body;
    body.set_uuid_string(sender.uuid);
    if (sender.e164) body.set_sender_e164(*sender.e164);
    body.set_sender_device(sender.device_id);
    body.set_expires(unix_ms(expiration));
    const Bytes key_bytes = sender.identity_key.serialize();
    body.set_identity_key(key_bytes.data(), key_bytes.size());
    body.set_server_certificate(to_string(signer.serialize()));
    const Bytes certificate = to_bytes(body.SerializeAsString());
    const Signature signature = signer_key.sign(certificate, random);

    pb::SenderCertificate outer;
    outer.set_certificate(certificate.data(), certificate.size());
    outer.set_signature(signature.data(), signature.size());
    return SenderCertificate(sender, expiration, signer, 0, to_bytes(outer.SerializeAsString()), certificate,
                             Bytes(signature.begin(), signature.end()));
}

SenderCertificate SenderCertificate::deserialize(ByteView bytes) {
    pb::SenderCertificate outer;
    protocol::parse_proto(outer, bytes, ErrorCode::invalid_certificate, "sender certificate", kMaxCertificateSize);
    if (!outer.has_certificate() || !outer.has_signature())
        refuse("sender certificate lacks its certificate or signature");
    pb::SenderCertificate::Certificate body;
    protocol::parse_proto(body, protocol::view_of(outer.certificate()), ErrorCode::invalid_certificate,
                          "sender certificate body", kMaxCertificateSize);
    // prost reads every occurrence of a string field (sender_e164 1,
    // uuid_string 6) and refuses one that is not UTF-8, even when a later
    // one replaces it; protobuf-lite keeps only the last.
    bool strings_are_utf8 = true;
    protocol::walk_raw_fields(protocol::view_of(outer.certificate()), [&](std::uint32_t number, unsigned, ByteView value) {
        if ((number == 1 || number == 6) &&
            !is_valid_utf8(std::string_view(reinterpret_cast<const char*>(value.data()), value.size())))
            strings_are_utf8 = false;
    });
    if (!strings_are_utf8) refuse("sender certificate holds a string that is not UTF-8");

    if (!body.has_sender_device() || body.sender_device() < 1 || body.sender_device() > kMaxDeviceId)
        refuse("sender certificate lacks a device id from 1 to 127");
    if (!body.has_expires()) refuse("sender certificate lacks its expiration");

    std::optional<ServerCertificate> embedded;
    std::uint32_t signer_id = 0;
    switch (body.signer_case()) {
        case pb::SenderCertificate::Certificate::kServerCertificate:
            embedded = ServerCertificate::deserialize(protocol::view_of(body.server_certificate()));
            break;
        case pb::SenderCertificate::Certificate::kServerCertificateId:
            signer_id = body.server_certificate_id();
            break;
        default:
            refuse("sender certificate names no signer");
    }

    std::string uuid;
    switch (body.sender_uuid_case()) {
        case pb::SenderCertificate::Certificate::kUuidString:
            uuid = body.uuid_string();
            if (!is_valid_utf8(uuid)) refuse("sender certificate uuid is not UTF-8");
            break;
        case pb::SenderCertificate::Certificate::kUuidBytes: {
            if (body.uuid_bytes().size() != std::tuple_size_v<Uuid>) refuse("sender certificate uuid is not 16 bytes");
            Uuid raw;
            std::copy(body.uuid_bytes().begin(), body.uuid_bytes().end(), raw.begin());
            uuid = format_uuid(raw);
            break;
        }
        default:
            refuse("sender certificate names no sender uuid");
    }

    std::optional<std::string> e164;
    if (body.has_sender_e164()) {
        if (!is_valid_utf8(body.sender_e164())) refuse("sender certificate e164 is not UTF-8");
        e164 = body.sender_e164();
    }

    if (!body.has_identity_key()) refuse("sender certificate lacks the sender's identity key");
    std::optional<PublicKey> identity_key;
    try {
        identity_key = PublicKey::deserialize(protocol::view_of(body.identity_key()));
    } catch (const Error& e) {
        refuse(std::string("sender certificate identity key: ") + e.what());
    }

    Sender sender{std::move(uuid), std::move(e164), body.sender_device(), *identity_key};
    return SenderCertificate(std::move(sender), timestamp_from_unix_ms(body.expires()), std::move(embedded), signer_id,
                             Bytes(bytes.begin(), bytes.end()), to_bytes(outer.certificate()),
                             to_bytes(outer.signature()));
}

const ServerCertificate& SenderCertificate::signer() const {
    if (embedded_signer_) return *embedded_signer_;
    for (const auto& known : known_server_certificates())
        if (known.key_id() == signer_id_) return known;
    refuse("sender certificate names unknown server certificate id " + std::to_string(signer_id_));
}

void SenderCertificate::validate(std::span<const PublicKey> trust_roots, Timestamp now) const {
    const ServerCertificate& server = signer();
    if (is_revoked_server_key_id(server.key_id()))
        refuse("sender certificate is signed by revoked server key id " + std::to_string(server.key_id()));
    auto& validated = protocol::ValidatedCertificates::shared();
    const auto key = protocol::ValidatedCertificates::key_of(serialized_, trust_roots);
    if (!validated.contains(key)) {
        // Every root is tried, so that timing does not reveal which one signed.
        bool signed_by_a_root = false;
        for (const PublicKey& root : trust_roots) signed_by_a_root |= server.is_valid(root);
        if (!signed_by_a_root) refuse("sender certificate's server certificate is not signed by the trust root");
        if (!server.key().verify(certificate_, signature_))
            refuse("sender certificate is not signed by its server key");
        validated.insert(key);
    }
    // Time passes between messages: expiry is never taken from the table.
    if (now > expiration_)
        refuse("sender certificate expired at " + std::to_string(unix_ms(expiration_)) + ", before " +
               std::to_string(unix_ms(now)));
}

bool SenderCertificate::is_valid(const PublicKey& trust_root, Timestamp now) const {
    try {
        validate(trust_root, now);
        return true;
    } catch (const Error&) {
        return false;
    }
}

}  // namespace cliquet
