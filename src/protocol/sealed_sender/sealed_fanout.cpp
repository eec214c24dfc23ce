// Parsing sealed sender v2 sent messages and cutting received messages out
// of them (see protocol/sealed_sender/sealed_sender_v2_format.hpp for the layout).
#include <algorithm>
#include <map>
#include <string>

#include "cliquet/certificates.hpp"
#include "cliquet/error.hpp"
#include "cliquet/sealed_fanout.hpp"
#include "cliquet/sealed_sender.hpp"
#include "protocol/sealed_sender/sealed_sender_internal.hpp"
#include "protocol/sealed_sender/sealed_sender_v2_format.hpp"

namespace cliquet {
namespace {

using namespace protocol::v2;
using protocol::refuse_message;

// Reads forward through untrusted bytes; every read is bounds-checked.
class Reader {
public:
    explicit Reader(ByteView bytes) : bytes_(bytes) {}

    std::size_t offset() const noexcept { return offset_; }
    std::size_t remaining() const noexcept { return bytes_.size() - offset_; }

    ByteView take(std::size_t count, const char* what) {
        if (remaining() < count) refuse_message(std::string("sealed sender v2 message is truncated in ") + what);
        const ByteView out = bytes_.subspan(offset_, count);
        offset_ += count;
        return out;
    }
    std::uint8_t byte(const char* what) { return take(1, what)[0]; }

    // protobuf's unsigned varint (up to ten bytes, padding allowed), whose
    // value must fit in 32 bits, as libsignal reads it.
    std::uint32_t varint32(const char* what) {
        std::uint64_t value = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            const std::uint8_t b = byte(what);
            if (shift == 63 && b > 1) break;
            value |= std::uint64_t{b & 0x7fu} << shift;
            if ((b & 0x80) == 0) {
                if (value > UINT32_MAX) refuse_message(std::string("sealed sender v2 ") + what + " is too large");
                return static_cast<std::uint32_t>(value);
            }
        }
        refuse_message(std::string("sealed sender v2 ") + what + " is not a varint");
    }

private:
    ByteView bytes_;
    std::size_t offset_ = 0;
};

}  // namespace

SealedSenderV2SentMessage SealedSenderV2SentMessage::parse(ByteView sent) {
    if (sent.empty()) refuse_message("sealed sender v2 message is empty");
    if (sent.size() > protocol::kMaxSealedMessageSize) refuse_message("sealed sender v2 message is too large");
    SealedSenderV2SentMessage message;
    message.version_ = sent[0];
    if (message.version_ != kSealedSenderV2UuidVersion && message.version_ != kSealedSenderV2ServiceIdVersion)
        refuse_message("unknown sealed sender sent-message version " + std::to_string(message.version_));

    Reader reader(sent.subspan(1));
    const std::uint32_t count = reader.varint32("recipient count");
    // Each entry takes at least its version's smallest size, so the count
    // cannot ask for more memory than the input justifies.
    const std::size_t min_entry_size =
        message.version_ == kSealedSenderV2UuidVersion ? kMinUuidEntrySize : kMinServiceIdEntrySize;
    if (count > reader.remaining() / min_entry_size) refuse_message("sealed sender v2 recipient count exceeds the message");

    std::map<ServiceId, std::size_t> index;  // into recipients_, or excluded_ when devices are absent
    std::map<ServiceId, bool> is_excluded;
    for (std::uint32_t n = 0; n < count; ++n) {
        std::optional<ServiceId> service_id;
        if (message.version_ == kSealedSenderV2UuidVersion) {
            // The first version named ACIs only, by bare UUID.
            Uuid uuid;
            const ByteView raw = reader.take(kUuidSize, "recipient");
            std::copy(raw.begin(), raw.end(), uuid.begin());
            service_id = ServiceId::aci(uuid);
        } else {
            service_id = ServiceId::from_fixed_width(reader.take(kServiceIdFixedWidthSize, "recipient")
                                                         .first<kServiceIdFixedWidthSize>());
            if (!service_id) refuse_message("sealed sender v2 recipient has an unknown service id kind");
        }

        std::vector<Device> devices;
        for (;;) {
            const std::uint8_t device_id = reader.byte("device list");
            if (device_id == kNoDevicesMarker) {
                if (!devices.empty()) refuse_message("sealed sender v2 device list contains device id 0");
                break;
            }
            if (device_id > kMaxDeviceId) refuse_message("sealed sender v2 device id " + std::to_string(device_id) + " is out of range");
            const ByteView word_bytes = reader.take(2, "device list");
            const auto word = static_cast<std::uint16_t>((word_bytes[0] << 8) | word_bytes[1]);
            devices.push_back(Device{device_id, static_cast<std::uint32_t>(word & kMaxRegistrationId)});
            if ((word & kHasMoreDevicesBit) == 0) break;
        }

        const bool excluded = devices.empty();
        const std::size_t key_material_offset = 1 + reader.offset();
        if (!excluded) reader.take(kKeyMaterialSize, "recipient key material");

        const auto seen = is_excluded.find(*service_id);
        if (seen != is_excluded.end()) {
            if (seen->second || excluded)
                refuse_message("sealed sender v2 recipient " + service_id->to_string() + " is redundantly excluded");
            auto& existing = message.recipients_[index.at(*service_id)].devices;
            existing.insert(existing.end(), devices.begin(), devices.end());
            continue;
        }
        is_excluded.emplace(*service_id, excluded);
        if (excluded) {
            message.excluded_.push_back(*service_id);
        } else {
            index.emplace(*service_id, message.recipients_.size());
            message.recipients_.push_back(Recipient{*service_id, std::move(devices), key_material_offset});
        }
    }

    if (reader.remaining() < kEphemeralKeySize) refuse_message("sealed sender v2 message lacks its ephemeral key");
    message.shared_offset_ = 1 + reader.offset();
    message.message_.assign(sent.begin(), sent.end());
    return message;
}

Bytes SealedSenderV2SentMessage::received_message(const Recipient& recipient) const {
    // The received layout has not changed since the first version, whose
    // byte it keeps.
    const ByteView whole(message_);
    if (recipient.key_material_offset + kKeyMaterialSize > shared_offset_)
        throw Error(ErrorCode::invalid_argument, "recipient is not one of this message's");
    const ByteView key_material = whole.subspan(recipient.key_material_offset, kKeyMaterialSize);
    const ByteView shared = whole.subspan(shared_offset_);
    Bytes out;
    out.reserve(1 + key_material.size() + shared.size());
    out.push_back(kSealedSenderV2UuidVersion);
    out.insert(out.end(), key_material.begin(), key_material.end());
    out.insert(out.end(), shared.begin(), shared.end());
    return out;
}

}  // namespace cliquet
