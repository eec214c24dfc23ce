#include "cliquet/session_record.hpp"

#include <algorithm>

#include "cliquet/error.hpp"
#include "protocol/wire/proto_util.hpp"
#include "protocol/wire/proto_writer.hpp"
#include "protocol/ratchet/session_state.hpp"
#include "storage.pb.h"

namespace cliquet {
namespace {

constexpr std::size_t kMaxRecordSize = 1u << 26;

// protobuf keeps one heap string per repeated bytes entry, so a few bytes
// per empty entry would cost dozens in memory: the archived states are
// counted on the wire first, and a record with too many is refused unparsed.
std::size_t count_archived_states(ByteView bytes) {
    constexpr std::uint32_t kPreviousSessionsField = 2;
    const auto malformed = [] { return Error(ErrorCode::storage, "session record is not a valid protobuf"); };
    std::size_t at = 0;
    const auto varint = [&]() -> std::uint64_t {
        std::uint64_t value = 0;
        for (unsigned shift = 0; shift < 64; shift += 7) {
            if (at >= bytes.size()) throw malformed();
            const std::uint8_t byte = bytes[at++];
            value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
            if ((byte & 0x80) == 0) return value;
        }
        throw malformed();
    };
    std::size_t count = 0;
    while (at < bytes.size()) {
        const std::uint64_t key = varint();
        switch (key & 7) {
            case 0: (void)varint(); break;
            case 1: at += 8; break;
            case 5: at += 4; break;
            case 2: {
                const std::uint64_t length = varint();
                if (length > bytes.size() - at) throw malformed();
                at += static_cast<std::size_t>(length);
                break;
            }
            default: throw malformed();
        }
        if (at > bytes.size()) throw malformed();
        if ((key >> 3) == kPreviousSessionsField) ++count;
    }
    return count;
}

}  // namespace

SessionRecord::SessionRecord() : data_(std::make_unique<protocol::SessionRecordData>()) {}
SessionRecord::~SessionRecord() = default;
SessionRecord::SessionRecord(const SessionRecord& other)
    : data_(std::make_unique<protocol::SessionRecordData>(other.data())) {}
SessionRecord& SessionRecord::operator=(const SessionRecord& other) {
    if (this != &other) data() = other.data();
    return *this;
}
// A moved-from record holds nothing until it is next changed, and reads as
// empty: moving a record (as every store_session does) allocates nothing.
SessionRecord::SessionRecord(SessionRecord&& other) noexcept : data_(std::move(other.data_)) {}
SessionRecord& SessionRecord::operator=(SessionRecord&& other) noexcept {
    std::swap(data_, other.data_);
    return *this;
}

protocol::SessionRecordData& SessionRecord::data() {
    if (!data_) data_ = std::make_unique<protocol::SessionRecordData>();
    return *data_;
}

const protocol::SessionRecordData& SessionRecord::data() const noexcept {
    static const protocol::SessionRecordData empty;
    return data_ ? *data_ : empty;
}

// RecordStructure written by hand, straight from the states: field 1 the
// current SessionStructure, field 2 each archived state, in that order as
// protobuf writes them.
SecretBytes SessionRecord::serialize() const {
    const std::optional<SecretBytes> current =
        data().current ? std::optional<SecretBytes>(data().current->serialize()) : std::nullopt;
    return protocol::write_proto([&](auto& w) {
        if (current) w.message(1, [&](auto& cw) { cw.raw_bytes(current->span()); });
        for (const auto& archived : data().previous) w.bytes_present(2, archived->span());
    });
}

SessionRecord SessionRecord::deserialize(ByteView bytes) {
    if (bytes.size() > kMaxRecordSize) throw Error(ErrorCode::storage, "session record is too large");
    if (count_archived_states(bytes) > protocol::kMaxArchivedStates)
        throw Error(ErrorCode::storage, "session record holds too many archived states");
    proto::storage::RecordStructure record;
    protocol::parse_proto(record, bytes, ErrorCode::storage, "session record", kMaxRecordSize);
    SessionRecord out;
    if (record.has_current_session()) {
        out.data().current =
            std::make_shared<const protocol::SessionState>(protocol::SessionState::from_proto(*record.mutable_current_session()));
    }
    for (auto& archived : *record.mutable_previous_sessions()) {
        out.data().previous.push_back(std::make_shared<const SecretBytes>(as_bytes(archived)));
        protocol::wipe_string(archived);
    }
    return out;
}

bool SessionRecord::has_current_state() const noexcept {
    return data().current && data().current->has_sender_chain();
}

std::optional<int> SessionRecord::session_version() const {
    if (!data().current) return std::nullopt;
    return data().current->version();
}

std::optional<IdentityKey> SessionRecord::remote_identity_key() const {
    if (!data().current) return std::nullopt;
    return data().current->remote_identity();
}

std::optional<std::uint32_t> SessionRecord::remote_registration_id() const {
    if (!data().current) return std::nullopt;
    return data().current->remote_registration_id();
}

std::size_t SessionRecord::archived_state_count() const noexcept { return data().previous.size(); }

bool SessionRecord::current_ratchet_key_matches(const PublicKey& key) const {
    return has_current_state() && data().current->sender_ratchet_key() == key;
}

void SessionRecord::archive_current_state() { data().archive_current(); }

std::optional<Timestamp> SessionRecord::created_at() const {
    if (!data().current) return std::nullopt;
    return data().current->created_at();
}

std::optional<Timestamp> SessionRecord::peer_answered_at() const {
    if (!data().current) return std::nullopt;
    return data().current->peer_answered_at();
}

bool SessionRecord::has_usable_sender_chain(Timestamp now, const SessionRequirements& requirements) const {
    if (!has_current_state()) return false;
    const protocol::SessionState& state = *data().current;
    if (requirements.not_stale && state.is_stale(now)) return false;
    if (requirements.pqxdh && state.version() < protocol::kPqxdhVersion) return false;
    if (requirements.spqr && state.pq_ratchet().version() == protocol::spqr::Version::v0) return false;
    return true;
}

}  // namespace cliquet
