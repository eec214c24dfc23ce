// The callback store: records as (kind, key, value) byte strings.
//
// Keys, which the application treats as opaque:
//   identity, session   device id (4 bytes, big-endian) ‖ name
//   pre-keys            id (4 bytes, big-endian)
//   Kyber pre-key use   Kyber id ‖ signed pre-key id ‖ base key (33 bytes)
//   sender key          device id ‖ distribution id (16 bytes) ‖ name
//   pre-key metadata    empty
// Values: the records' own serialized forms; a Kyber pre-key's is its kind
// byte (0 one-time, 1 last-resort) then the record; the metadata's is
// encode_metadata's.
#include "capi/callback_store.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "capi/boundary.hpp"

struct cliquet_key_list {
    std::vector<cliquet::Bytes> keys;
};

namespace cliquet::capi {
namespace {

void put_u32(Bytes& out, std::uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(value >> shift));
}

std::uint32_t get_u32(ByteView in) {
    return (std::uint32_t{in[0]} << 24) | (std::uint32_t{in[1]} << 16) | (std::uint32_t{in[2]} << 8) | in[3];
}

Bytes id_key(std::uint32_t id) {
    Bytes key;
    put_u32(key, id);
    return key;
}

Bytes address_key(const ProtocolAddress& address) {
    Bytes key;
    put_u32(key, address.device_id);
    key.insert(key.end(), address.name.begin(), address.name.end());
    return key;
}

ProtocolAddress address_of(ByteView key) {
    if (key.size() < 4) throw Error(ErrorCode::storage, "a callback store key too short for an address");
    return {std::string(key.begin() + 4, key.end()), get_u32(key)};
}

Bytes sender_key_key(const ProtocolAddress& sender, const DistributionId& distribution_id) {
    Bytes key;
    put_u32(key, sender.device_id);
    key.insert(key.end(), distribution_id.begin(), distribution_id.end());
    key.insert(key.end(), sender.name.begin(), sender.name.end());
    return key;
}

Bytes kyber_use_key(KyberPreKeyId id, SignedPreKeyId signed_pre_key_id, const PublicKey& base_key) {
    Bytes key;
    put_u32(key, id.value());
    put_u32(key, signed_pre_key_id.value());
    const Bytes base = base_key.serialize();
    key.insert(key.end(), base.begin(), base.end());
    return key;
}

constexpr std::uint8_t kMetadataFormat = 1;
constexpr std::size_t kMetadataSize = 1 + 3 * 4 + 1 + 2 * 4;

Bytes encode_metadata(const PreKeyMetadata& metadata) {
    Bytes out{kMetadataFormat};
    put_u32(out, metadata.next_pre_key_id.value());
    put_u32(out, metadata.next_signed_pre_key_id.value());
    put_u32(out, metadata.next_kyber_pre_key_id.value());
    out.push_back(static_cast<std::uint8_t>((metadata.current_signed_pre_key_id ? 1 : 0) |
                                            (metadata.current_last_resort_kyber_pre_key_id ? 2 : 0)));
    put_u32(out, metadata.current_signed_pre_key_id.value_or(0).value());
    put_u32(out, metadata.current_last_resort_kyber_pre_key_id.value_or(0).value());
    return out;
}

PreKeyMetadata decode_metadata(ByteView in) {
    if (in.size() != kMetadataSize || in[0] != kMetadataFormat || in[13] > 3)
        throw Error(ErrorCode::storage, "the callback store's pre-key metadata is not in a known format");
    PreKeyMetadata metadata{get_u32(in.subspan(1)), get_u32(in.subspan(5)), get_u32(in.subspan(9)), std::nullopt,
                            std::nullopt};
    if (in[13] & 1) metadata.current_signed_pre_key_id = get_u32(in.subspan(14));
    if (in[13] & 2) metadata.current_last_resort_kyber_pre_key_id = get_u32(in.subspan(18));
    return metadata;
}

// The application's callbacks, each failure turned into the exception the
// store contracts speak.
class Records {
    // Never NULL, so that an application may hand any pointer it receives to
    // memcpy or memcmp, even with a length of 0.
    static const std::uint8_t* data_of(ByteView bytes) noexcept {
        static const std::uint8_t none = 0;
        return bytes.empty() ? &none : bytes.data();
    }

public:
    explicit Records(const cliquet_store_callbacks& callbacks) : c_(callbacks) {}

    std::optional<SecretBytes> get(cliquet_record_kind kind, ByteView key) const {
        cliquet_buffer value{nullptr, 0};
        struct Release {
            cliquet_buffer& value;
            ~Release() { cliquet_buffer_free(&value); }
        } release{value};
        int found = 0;
        check(c_.get(c_.context, kind, data_of(key), key.size(), &value, &found), "the get callback");
        if (!found) return std::nullopt;
        return SecretBytes(ByteView(value.data, value.len));
    }

    void put(cliquet_record_kind kind, ByteView key, ByteView value) {
        check(c_.put(c_.context, kind, data_of(key), key.size(), data_of(value), value.size()), "the put callback");
    }

    void remove(cliquet_record_kind kind, ByteView key) {
        check(c_.remove(c_.context, kind, data_of(key), key.size()), "the remove callback");
    }

    std::vector<Bytes> list(cliquet_record_kind kind) const {
        cliquet_key_list keys;
        check(c_.list(c_.context, kind, &keys), "the list callback");
        return std::move(keys.keys);
    }

    /// Ids listed under `kind`, in increasing order.
    std::vector<std::uint32_t> ids(cliquet_record_kind kind) const {
        std::vector<std::uint32_t> ids;
        for (const Bytes& key : list(kind)) {
            if (key.size() != 4) throw Error(ErrorCode::storage, "a callback store key that is not a pre-key id");
            ids.push_back(get_u32(key));
        }
        std::sort(ids.begin(), ids.end());
        return ids;
    }

    const cliquet_store_callbacks& callbacks() const noexcept { return c_; }

    static void check(cliquet_status status, std::string_view what) {
        if (status != CLIQUET_OK) throw_status(status, what);
    }

private:
    cliquet_store_callbacks c_;
};

class CallbackIdentityStore final : public IdentityKeyStore {
public:
    CallbackIdentityStore(Records& records, IdentityKeyPair identity, std::uint32_t registration_id)
        : records_(records), identity_(std::move(identity)), registration_id_(registration_id) {}
    const IdentityKeyPair& identity_key_pair() const override { return identity_; }
    std::uint32_t local_registration_id() const override { return registration_id_; }
    std::optional<IdentityKey> identity(const ProtocolAddress& address) const override {
        const auto value = records_.get(CLIQUET_RECORD_IDENTITY, address_key(address));
        if (!value) return std::nullopt;
        try {
            return PublicKey::deserialize(value->span());
        } catch (const Error&) {
            throw Error(ErrorCode::storage, "the callback store holds a malformed identity key");
        }
    }
    IdentityChange save_identity(const ProtocolAddress& address, const IdentityKey& key) override {
        const auto known = identity(address);
        if (known && *known == key) return IdentityChange::unchanged;
        records_.put(CLIQUET_RECORD_IDENTITY, address_key(address), key.serialize());
        return known ? IdentityChange::replaced : IdentityChange::new_identity;
    }

private:
    Records& records_;
    IdentityKeyPair identity_;
    std::uint32_t registration_id_;
};

// One-time and signed pre-keys: records under their ids.
template <typename Record, typename Id>
class IdRecords {
public:
    IdRecords(Records& records, cliquet_record_kind kind, std::string_view name)
        : records_(records), kind_(kind), name_(name) {}
    std::optional<Record> load(Id id) const {
        const auto value = records_.get(kind_, id_key(id.value()));
        if (!value) return std::nullopt;
        return Record::deserialize(value->span());
    }
    void store(const Record& record) {
        const Bytes key = id_key(record.id().value());
        if (records_.get(kind_, key)) throw pre_key_id_taken(name_, record.id().value());
        records_.put(kind_, key, record.serialize().span());
    }
    void remove(Id id) { records_.remove(kind_, id_key(id.value())); }
    std::vector<Id> ids() const {
        const auto numbers = records_.ids(kind_);
        return std::vector<Id>(numbers.begin(), numbers.end());
    }

private:
    Records& records_;
    cliquet_record_kind kind_;
    std::string_view name_;
};

class CallbackPreKeyStore final : public PreKeyStore {
public:
    explicit CallbackPreKeyStore(Records& records) : records_(records, CLIQUET_RECORD_PRE_KEY, "pre-key") {}
    std::optional<PreKeyRecord> load_pre_key(PreKeyId id) const override { return records_.load(id); }
    void store_pre_key(const PreKeyRecord& record) override { records_.store(record); }
    void remove_pre_key(PreKeyId id) override { records_.remove(id); }
    std::vector<PreKeyId> pre_key_ids() const override { return records_.ids(); }

private:
    IdRecords<PreKeyRecord, PreKeyId> records_;
};

class CallbackSignedPreKeyStore final : public SignedPreKeyStore {
public:
    explicit CallbackSignedPreKeyStore(Records& records)
        : records_(records, CLIQUET_RECORD_SIGNED_PRE_KEY, "signed pre-key") {}
    std::optional<SignedPreKeyRecord> load_signed_pre_key(SignedPreKeyId id) const override {
        return records_.load(id);
    }
    void store_signed_pre_key(const SignedPreKeyRecord& record) override { records_.store(record); }
    void remove_signed_pre_key(SignedPreKeyId id) override { records_.remove(id); }
    std::vector<SignedPreKeyId> signed_pre_key_ids() const override { return records_.ids(); }

private:
    IdRecords<SignedPreKeyRecord, SignedPreKeyId> records_;
};

class CallbackKyberPreKeyStore final : public KyberPreKeyStore {
public:
    explicit CallbackKyberPreKeyStore(Records& records) : records_(records) {}
    std::optional<KyberPreKeyRecord> load_kyber_pre_key(KyberPreKeyId id) const override {
        const auto held = load(id);
        if (!held) return std::nullopt;
        return std::move(held->first);
    }
    void store_kyber_pre_key(const KyberPreKeyRecord& record, KyberPreKeyKind kind) override {
        const Bytes key = id_key(record.id().value());
        if (records_.get(CLIQUET_RECORD_KYBER_PRE_KEY, key)) throw pre_key_id_taken("Kyber pre-key", record.id());
        const SecretBytes serialized = record.serialize();
        SecretBytes value(serialized.size() + 1);
        value.data()[0] = kind == KyberPreKeyKind::last_resort ? 1 : 0;
        std::copy(serialized.span().begin(), serialized.span().end(), value.data() + 1);
        records_.put(CLIQUET_RECORD_KYBER_PRE_KEY, key, value.span());
    }
    void mark_kyber_pre_key_used(KyberPreKeyId id, SignedPreKeyId signed_pre_key_id,
                                 const PublicKey& base_key) override {
        const auto held = load(id);
        if (!held)
            throw Error(ErrorCode::invalid_pre_key,
                        "no Kyber pre-key " + std::to_string(id) + " (unknown or already used)");
        if (held->second == KyberPreKeyKind::one_time) {
            records_.remove(CLIQUET_RECORD_KYBER_PRE_KEY, id_key(id.value()));
            return;
        }
        const Bytes use = kyber_use_key(id, signed_pre_key_id, base_key);
        if (records_.get(CLIQUET_RECORD_KYBER_PRE_KEY_USE, use))
            throw Error(ErrorCode::invalid_message, "reused base key");
        records_.put(CLIQUET_RECORD_KYBER_PRE_KEY_USE, use, {});
    }
    void remove_kyber_pre_key(KyberPreKeyId id) override {
        records_.remove(CLIQUET_RECORD_KYBER_PRE_KEY, id_key(id.value()));
        for (const Bytes& use : records_.list(CLIQUET_RECORD_KYBER_PRE_KEY_USE))
            if (use.size() >= 4 && get_u32(use) == id.value()) records_.remove(CLIQUET_RECORD_KYBER_PRE_KEY_USE, use);
    }
    std::vector<KyberPreKeyEntry> kyber_pre_keys() const override {
        std::vector<KyberPreKeyEntry> entries;
        for (const std::uint32_t id : records_.ids(CLIQUET_RECORD_KYBER_PRE_KEY)) {
            const auto held = load(id);
            if (held) entries.push_back({id, held->second});
        }
        return entries;
    }

private:
    std::optional<std::pair<KyberPreKeyRecord, KyberPreKeyKind>> load(KyberPreKeyId id) const {
        const auto value = records_.get(CLIQUET_RECORD_KYBER_PRE_KEY, id_key(id.value()));
        if (!value) return std::nullopt;
        if (value->empty() || value->data()[0] > 1)
            throw Error(ErrorCode::storage, "the callback store holds a Kyber pre-key of no known kind");
        const auto kind = value->data()[0] == 1 ? KyberPreKeyKind::last_resort : KyberPreKeyKind::one_time;
        return std::pair{KyberPreKeyRecord::deserialize(value->span().subspan(1)), kind};
    }
    Records& records_;
};

class CallbackSessionStore final : public SessionStore {
public:
    explicit CallbackSessionStore(Records& records) : records_(records) {}
    std::optional<SessionRecord> load_session(const ProtocolAddress& address) const override {
        const auto value = records_.get(CLIQUET_RECORD_SESSION, address_key(address));
        if (!value) return std::nullopt;
        return SessionRecord::deserialize(value->span());
    }
    void store_session(const ProtocolAddress& address, SessionRecord record) override {
        records_.put(CLIQUET_RECORD_SESSION, address_key(address), record.serialize().span());
    }
    std::vector<std::uint32_t> session_device_ids(std::string_view name) const override {
        std::vector<std::uint32_t> ids;
        for (const Bytes& key : records_.list(CLIQUET_RECORD_SESSION)) {
            const ProtocolAddress address = address_of(key);
            if (address.name == name) ids.push_back(address.device_id);
        }
        std::sort(ids.begin(), ids.end());
        return ids;
    }
    void delete_session(const ProtocolAddress& address) override {
        records_.remove(CLIQUET_RECORD_SESSION, address_key(address));
    }
    std::size_t delete_all_sessions(std::string_view name) override {
        const auto ids = session_device_ids(name);
        for (const std::uint32_t id : ids) delete_session({std::string(name), id});
        return ids.size();
    }

private:
    Records& records_;
};

class CallbackSenderKeyStore final : public SenderKeyStore {
public:
    explicit CallbackSenderKeyStore(Records& records) : records_(records) {}
    std::optional<SecretBytes> load_sender_key(const ProtocolAddress& sender,
                                               const DistributionId& distribution_id) const override {
        return records_.get(CLIQUET_RECORD_SENDER_KEY, sender_key_key(sender, distribution_id));
    }
    void store_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id,
                          ByteView record) override {
        records_.put(CLIQUET_RECORD_SENDER_KEY, sender_key_key(sender, distribution_id), record);
    }
    std::vector<SenderKeyName> sender_key_names() const override {
        std::vector<SenderKeyName> names;
        for (const Bytes& key : records_.list(CLIQUET_RECORD_SENDER_KEY)) {
            if (key.size() < 4 + 16) throw Error(ErrorCode::storage, "a callback store key too short for a sender key");
            SenderKeyName name{{std::string(key.begin() + 20, key.end()), get_u32(key)}, {}};
            std::copy(key.begin() + 4, key.begin() + 20, name.distribution_id.begin());
            names.push_back(std::move(name));
        }
        std::sort(names.begin(), names.end(), [](const SenderKeyName& a, const SenderKeyName& b) {
            return std::tie(a.sender, a.distribution_id) < std::tie(b.sender, b.distribution_id);
        });
        return names;
    }
    void delete_sender_key(const ProtocolAddress& sender, const DistributionId& distribution_id) override {
        records_.remove(CLIQUET_RECORD_SENDER_KEY, sender_key_key(sender, distribution_id));
    }

private:
    Records& records_;
};

class CallbackPreKeyMetadataStore final : public PreKeyMetadataStore {
public:
    explicit CallbackPreKeyMetadataStore(Records& records) : records_(records) {}
    std::optional<PreKeyMetadata> load_pre_key_metadata() const override {
        const auto value = records_.get(CLIQUET_RECORD_PRE_KEY_METADATA, {});
        if (!value) return std::nullopt;
        return decode_metadata(value->span());
    }
    void store_pre_key_metadata(const PreKeyMetadata& metadata) override {
        records_.put(CLIQUET_RECORD_PRE_KEY_METADATA, {}, encode_metadata(metadata));
    }

private:
    Records& records_;
};

class CallbackProtocolStore final : public ProtocolStore {
public:
    CallbackProtocolStore(const cliquet_store_callbacks& callbacks, IdentityKeyPair identity,
                          std::uint32_t registration_id)
        : records_(callbacks),
          identities_(records_, std::move(identity), registration_id),
          pre_keys_(records_),
          signed_pre_keys_(records_),
          kyber_pre_keys_(records_),
          sessions_(records_),
          sender_keys_(records_),
          pre_key_metadata_(records_) {}
    IdentityKeyStore& identities() override { return identities_; }
    PreKeyStore& pre_keys() override { return pre_keys_; }
    SignedPreKeyStore& signed_pre_keys() override { return signed_pre_keys_; }
    KyberPreKeyStore& kyber_pre_keys() override { return kyber_pre_keys_; }
    SessionStore& sessions() override { return sessions_; }
    SenderKeyStore& sender_keys() override { return sender_keys_; }
    PreKeyMetadataStore& pre_key_metadata() override { return pre_key_metadata_; }

    // The outermost unit is one application transaction; units inside it
    // are part of it, and a failure anywhere rolls all of it back.
    void run_atomically(const std::function<void()>& writes) override {
        const cliquet_store_callbacks& c = records_.callbacks();
        if (c.begin == nullptr || in_transaction_) {
            writes();
            return;
        }
        Records::check(c.begin(c.context), "the begin callback");
        in_transaction_ = true;
        try {
            writes();
            Records::check(c.commit(c.context), "the commit callback");
        } catch (...) {
            in_transaction_ = false;
            (void)c.rollback(c.context);
            throw;
        }
        in_transaction_ = false;
    }

private:
    Records records_;
    CallbackIdentityStore identities_;
    CallbackPreKeyStore pre_keys_;
    CallbackSignedPreKeyStore signed_pre_keys_;
    CallbackKyberPreKeyStore kyber_pre_keys_;
    CallbackSessionStore sessions_;
    CallbackSenderKeyStore sender_keys_;
    CallbackPreKeyMetadataStore pre_key_metadata_;
    bool in_transaction_ = false;
};

}  // namespace

std::unique_ptr<ProtocolStore> make_callback_store(const cliquet_store_callbacks& callbacks, IdentityKeyPair identity,
                                                   std::uint32_t registration_id) {
    if (!callbacks.get || !callbacks.put || !callbacks.remove || !callbacks.list)
        throw Error(ErrorCode::invalid_argument, "a callback store needs get, put, remove and list");
    const int transactional = (callbacks.begin ? 1 : 0) + (callbacks.commit ? 1 : 0) + (callbacks.rollback ? 1 : 0);
    if (transactional != 0 && transactional != 3)
        throw Error(ErrorCode::invalid_argument, "begin, commit and rollback are all given or all NULL");
    return std::make_unique<CallbackProtocolStore>(callbacks, std::move(identity), registration_id);
}

}  // namespace cliquet::capi

extern "C" cliquet_status cliquet_key_list_add(cliquet_key_list* list, const uint8_t* key, size_t key_len) {
    return cliquet::capi::guarded([&] {
        const auto bytes = cliquet::capi::bytes_in(key, key_len, "key");
        cliquet::capi::require(list, "list")->keys.emplace_back(bytes.begin(), bytes.end());
    });
}
