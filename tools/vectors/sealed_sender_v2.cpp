// Category sealed_sender_v2: multi-recipient sealed sender.
//
// Groups:
//  - "SealV2Test": senderIdentityPrivate, m (the 32-byte message secret),
//    content, recipients ([{serviceId, identityKey, devices:
//    [{deviceId, registrationId}]}]), excluded (service id strings) and
//    sent. Sealing with that m must give sent exactly.
//  - "FanoutTest": sent. Valid: the server's parse gives recipients
//    ([{serviceId, deviceIds, registrationIds, received}], in order of
//    first appearance) and excluded. Invalid: refused (invalid_message).
//  - "OpenV2Test": recipientIdentityPrivate, received, and optionally
//    trustRoot and timestamp. Valid: opens to content. Invalid: refused;
//    flags Expired, ForeignTrustRoot and MalformedCertificate mean
//    invalid_certificate, others invalid_message.
#include "cliquet/certificates.hpp"
#include "cliquet/sealed_fanout.hpp"
#include "cliquet/sealed_sender.hpp"
#include "cliquet_testing/numbered_acis.hpp"
#include "protocol/sealed_sender/sealed_sender_internal.hpp"
#include "registry.hpp"
#include "sealed_common.hpp"
#include "sealed_sender.pb.h"

namespace cliquet::vectors {
namespace {

using namespace sealed;

ServiceId service_id_param(const json& value) {
    if (!value.is_string()) throw Mismatch("a service id must be a string");
    const auto id = ServiceId::parse(value.get<std::string>());
    if (!id) throw Mismatch("'" + value.get<std::string>() + "' is not a service id");
    return *id;
}

const json& array_param(const json& test, std::string_view name) {
    const auto it = test.find(name);
    if (it == test.end() || !it->is_array()) throw Mismatch(std::string(name) + " must be a list");
    return *it;
}

std::uint32_t small_uint(const json& value, std::string_view what) {
    if (!value.is_number_unsigned() || value.get<std::uint64_t>() > UINT32_MAX)
        throw Mismatch(std::string(what) + " must be a 32-bit unsigned integer");
    return value.get<std::uint32_t>();
}

void check_seal(const json& test) {
    if (!is_valid(test)) throw Mismatch("SealV2Test has no invalid cases");
    const IdentityKeyPair sender = identity_param(test, "senderIdentityPrivate");
    std::vector<SealedRecipient> recipients;
    for (const json& r : array_param(test, "recipients")) {
        SealedRecipient recipient{service_id_param(r.at("serviceId")), public_key_param(r, "identityKey"), {}};
        for (const json& d : array_param(r, "devices"))
            recipient.devices.push_back({small_uint(d.at("deviceId"), "deviceId"),
                                         small_uint(d.at("registrationId"), "registrationId")});
        recipients.push_back(std::move(recipient));
    }
    std::vector<ServiceId> excluded;
    for (const json& id : array_param(test, "excluded")) excluded.push_back(service_id_param(id));
    FixedRandom m(hex_param(test, "m"));
    const Bytes sent = seal_v2(UnidentifiedSenderMessageContent::deserialize(hex_param(test, "content")), sender,
                               recipients, excluded, m);
    expect_equal("sent", hex_param(test, "sent"), sent);
}

void check_fanout(const json& test) {
    const Bytes sent = hex_param(test, "sent");
    if (!is_valid(test)) {
        expect_refused([&] { (void)SealedSenderV2SentMessage::parse(sent); }, ErrorCode::invalid_message);
        return;
    }
    const auto parsed = SealedSenderV2SentMessage::parse(sent);
    const json& expected = array_param(test, "recipients");
    if (expected.size() != parsed.recipients().size())
        throw Mismatch("cliquet found " + std::to_string(parsed.recipients().size()) + " recipients");
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto& ours = parsed.recipients()[i];
        const json& theirs = expected[i];
        if (ours.service_id != service_id_param(theirs.at("serviceId")))
            throw Mismatch("recipient " + std::to_string(i) + " is " + ours.service_id.to_string());
        const json& device_ids = array_param(theirs, "deviceIds");
        const json& registration_ids = array_param(theirs, "registrationIds");
        if (device_ids.size() != ours.devices.size() || registration_ids.size() != ours.devices.size())
            throw Mismatch("recipient " + std::to_string(i) + " has another number of devices");
        for (std::size_t d = 0; d < ours.devices.size(); ++d) {
            if (ours.devices[d].device_id != small_uint(device_ids[d], "device id") ||
                ours.devices[d].registration_id != small_uint(registration_ids[d], "registration id"))
                throw Mismatch("recipient " + std::to_string(i) + " device " + std::to_string(d) + " differs");
        }
        expect_equal("received", hex_param(theirs, "received"), parsed.received_message(ours));
    }
    const json& excluded = array_param(test, "excluded");
    if (excluded.size() != parsed.excluded().size()) throw Mismatch("another number of excluded recipients");
    for (std::size_t i = 0; i < excluded.size(); ++i)
        if (parsed.excluded()[i] != service_id_param(excluded[i])) throw Mismatch("excluded recipients differ");
}

void check_sealed_sender_v2_case(const json& group, const json& test) {
    const std::string type = string_param(group, "type");
    if (type == "SealV2Test") return check_seal(test);
    if (type == "FanoutTest") return check_fanout(test);
    if (type == "OpenV2Test") return check_open(test, "received", 2);
    throw Mismatch("unknown group type " + type);
}

// ---- generation ---------------------------------------------------------------

constexpr Timestamp kExpiration = timestamp_from_unix_ms(1'800'000'000'000);

struct Account {
    ServiceId service_id;
    IdentityKeyPair identity;
};

// A version 0x22 sent message: `head` (`head_count` entries already in that
// form), each of `excluded` as its bare UUID and 0x00, then `tail` (E ‖ payload).
Bytes uuid_sent_message(std::size_t head_count, ByteView head, const std::vector<ServiceId>& excluded, ByteView tail) {
    Bytes out{kSealedSenderV2UuidVersion};
    for (std::size_t count = head_count + excluded.size(); ; count >>= 7) {
        if (count < 0x80) {
            out.push_back(static_cast<std::uint8_t>(count));
            break;
        }
        out.push_back(static_cast<std::uint8_t>(count | 0x80));
    }
    out.insert(out.end(), head.begin(), head.end());
    for (const ServiceId& id : excluded) {
        out.insert(out.end(), id.uuid().begin(), id.uuid().end());
        out.push_back(0);
    }
    out.insert(out.end(), tail.begin(), tail.end());
    return out;
}

struct Generator {
    DeterministicRandom random = fixed_seed_random("cliquet-vectors sealed_sender_v2");
    KeyPair root = KeyPair::generate(random);
    KeyPair server_key = KeyPair::generate(random);
    ServerCertificate server = ServerCertificate::create(1, server_key.public_key, root.private_key, random);
    IdentityKeyPair sender = IdentityKeyPair::generate(random);
    SenderCertificate certificate = SenderCertificate::create(
        {"3e0a4b6c-1d2e-4f30-8a41-5b6c7d8e9f00", std::nullopt, 1, sender.public_key()}, kExpiration, server,
        server_key.private_key, random);
    Account bob{*ServiceId::parse("e1ee5ab1-6c1f-4e5e-8a36-2a4c0e4d1f0b"), IdentityKeyPair::generate(random)};
    Account carol{*ServiceId::parse("PNI:0a0b0c0d-1111-4222-8333-444455556666"), IdentityKeyPair::generate(random)};
    json seal_tests = json::array();
    json fanout_tests = json::array();
    json open_tests = json::array();

    json fanout_valid(const std::string& comment, json flags, const Bytes& sent) {
        const auto parsed = SealedSenderV2SentMessage::parse(sent);
        json test = test_case(comment, true, std::move(flags));
        test["sent"] = to_hex(sent);
        json recipients = json::array();
        for (const auto& r : parsed.recipients()) {
            json device_ids = json::array(), registration_ids = json::array();
            for (const auto& d : r.devices) {
                device_ids.push_back(d.device_id);
                registration_ids.push_back(d.registration_id);
            }
            recipients.push_back({{"serviceId", r.service_id.to_string()}, {"deviceIds", device_ids},
                                  {"registrationIds", registration_ids}, {"received", to_hex(parsed.received_message(r))}});
        }
        json excluded = json::array();
        for (const auto& id : parsed.excluded()) excluded.push_back(id.to_string());
        test["recipients"] = recipients;
        test["excluded"] = excluded;
        return test;
    }

    void fanout_invalid(const std::string& comment, const std::string& flag, const Bytes& sent) {
        json test = test_case(comment, false, {"Cliquet", flag});
        test["sent"] = to_hex(sent);
        fanout_tests.push_back(std::move(test));
    }

    json open_case(const std::string& comment, bool valid, json flags, const Bytes& received,
                   const IdentityKeyPair& opener, bool validate = false) {
        json test = test_case(comment, valid, std::move(flags));
        test["recipientIdentityPrivate"] = to_hex(opener.private_key().secret().span());
        test["received"] = to_hex(received);
        if (validate) {
            test["trustRoot"] = to_hex(root.public_key.serialize());
            test["timestamp"] = unix_ms(kExpiration);
        }
        return test;
    }

    Bytes seal_case(const std::string& comment, const UnidentifiedSenderMessageContent& content,
                    const std::vector<SealedRecipient>& recipients, const std::vector<ServiceId>& excluded) {
        const Bytes m = random_bytes(random, 32);
        FixedRandom fixed(m);
        const Bytes sent = seal_v2(content, sender, recipients, excluded, fixed);
        json test = test_case(comment, true, {"Cliquet"});
        test["senderIdentityPrivate"] = to_hex(sender.private_key().secret().span());
        test["m"] = to_hex(m);
        test["content"] = to_hex(content.serialize());
        json list = json::array();
        for (const auto& r : recipients) {
            json devices = json::array();
            for (const auto& d : r.devices) devices.push_back({{"deviceId", d.device_id}, {"registrationId", d.registration_id}});
            list.push_back({{"serviceId", r.service_id.to_string()}, {"identityKey", to_hex(r.identity_key.serialize())},
                            {"devices", devices}});
        }
        test["recipients"] = list;
        json excluded_list = json::array();
        for (const auto& id : excluded) excluded_list.push_back(id.to_string());
        test["excluded"] = excluded_list;
        test["sent"] = to_hex(sent);
        seal_tests.push_back(std::move(test));
        return sent;
    }

    void generate() {
        const UnidentifiedSenderMessageContent one(CiphertextType::whisper, certificate, random_bytes(random, 40));
        const Bytes single = seal_case("one recipient, one device", one, {{bob.service_id, bob.identity.public_key(), {{1, 0x1234}}}}, {});
        const UnidentifiedSenderMessageContent many(CiphertextType::sender_key, certificate, random_bytes(random, 300),
                                                    ContentHint::resendable, random_bytes(random, 32));
        const ServiceId dave = *ServiceId::parse("5f4b3a29-0000-4000-8000-00000000d0d0");
        const ServiceId erin = *ServiceId::parse("PNI:77777777-0000-4000-8000-000000000001");
        const Bytes sent = seal_case("an ACI with three devices, a PNI, two excluded", many,
                                     {{bob.service_id, bob.identity.public_key(), {{1, 0x3fff}, {2, 0}, {127, 77}}},
                                      {carol.service_id, carol.identity.public_key(), {{1, 1}}}},
                                     {dave, erin});

        fanout_tests.push_back(fanout_valid("one recipient", {"Cliquet"}, single));
        fanout_tests.push_back(fanout_valid("two recipients and two excluded", {"Cliquet"}, sent));
        // The first version (0x22) names ACIs by bare UUID: the same message
        // without the kind bytes fans out to the same received messages.
        Bytes legacy{0x22, 1};
        legacy.insert(legacy.end(), single.begin() + 3, single.end());
        fanout_tests.push_back(fanout_valid("version 0x22: recipients as bare ACI UUIDs", {"Cliquet", "UuidRecipients"}, legacy));
        // A 0x22 entry takes 17 bytes at the least (a bare UUID and 0x00), one
        // less than a 0x23 entry: more entries fit than 18-byte ones would.
        fanout_tests.push_back(fanout_valid("version 0x22: 40 excluded accounts and only an ephemeral key after them",
                                            {"Cliquet", "UuidRecipients", "ShortEntries"},
                                            uuid_sent_message(0, {}, numbered_acis(40), Bytes(32, 0xee))));
        constexpr std::size_t kSingleEntryEnd = 2 + 17 + 3 + 48;  // version, count, Bob's entry
        const ByteView single_tail = ByteView(single).subspan(kSingleEntryEnd);
        // With n excluded, 1 + n entries of 18 bytes need 18 + 18n bytes, and
        // the message has 67 + 17n + |tail|: n = 50 + |tail| is one too many.
        fanout_tests.push_back(fanout_valid(
            "version 0x22: one recipient among " + std::to_string(50 + single_tail.size()) + " excluded accounts",
            {"Cliquet", "UuidRecipients", "ShortEntries"},
            uuid_sent_message(1, ByteView(single).subspan(3, kSingleEntryEnd - 3), numbered_acis(50 + single_tail.size()),
                              single_tail)));
        // Unused bit set in a registration id word: ignored.
        Bytes unused_bit = single;
        unused_bit[2 + 17 + 1] |= 0x40;
        fanout_tests.push_back(fanout_valid("the unused bit of a registration id set", {"Cliquet"}, unused_bit));

        for (std::uint8_t version : Bytes{0x11, 0x21, 0x24, 0x33}) {
            Bytes changed = sent;
            changed[0] = version;
            fanout_invalid("version byte " + to_hex(Bytes{version}), "UnknownVersion", changed);
        }
        fanout_invalid("empty", "Truncated", {});
        for (std::size_t size : {std::size_t{1}, std::size_t{2}, std::size_t{20}, std::size_t{80}})
            fanout_invalid("truncated to " + std::to_string(size) + " bytes", "Truncated", Bytes(sent.begin(), sent.begin() + static_cast<std::ptrdiff_t>(size)));
        fanout_invalid("shared part shorter than the ephemeral key", "Truncated", Bytes(single.begin(), single.begin() + 2 + 17 + 3 + 48 + 31));
        Bytes count = sent;
        count[1] = 9;
        fanout_invalid("a count larger than the entries", "BadCount", count);
        Bytes device = single;
        device[2 + 17] = 128;
        fanout_invalid("device id 128", "BadDeviceId", device);
        Bytes kind = single;
        kind[2] = 2;
        fanout_invalid("service id kind 2", "BadServiceId", kind);
        // The excluded PNI listed again (count 5): it is excluded twice.
        Bytes twice{sent[0], 5};
        twice.insert(twice.end(), sent.begin() + 2, sent.end() - static_cast<std::ptrdiff_t>(32 + 16 + many.serialize().size()));
        const auto erin_fixed = erin.fixed_width();
        twice.insert(twice.end(), erin_fixed.begin(), erin_fixed.end());
        twice.push_back(0);
        twice.insert(twice.end(), sent.end() - static_cast<std::ptrdiff_t>(32 + 16 + many.serialize().size()), sent.end());
        fanout_invalid("an account excluded twice", "RedundantRecipient", twice);

        // Opening.
        const auto parsed = SealedSenderV2SentMessage::parse(sent);
        const Bytes for_bob = parsed.received_message(parsed.recipients()[0]);
        const Bytes for_carol = parsed.received_message(parsed.recipients()[1]);
        json valid = open_case("opens and validates", true, {"Cliquet"}, for_bob, bob.identity, true);
        valid["content"] = to_hex(many.serialize());
        open_tests.push_back(valid);
        json pni = open_case("a PNI recipient", true, {"Cliquet"}, for_carol, carol.identity);
        pni["content"] = to_hex(many.serialize());
        open_tests.push_back(pni);
        Bytes low_nibble = for_carol;
        low_nibble[0] = 0x2f;
        json any_low = open_case("version byte 0x2f: only the high nibble counts", true, {"Cliquet"}, low_nibble, carol.identity);
        any_low["content"] = to_hex(many.serialize());
        open_tests.push_back(any_low);

        open_tests.push_back(open_case("another recipient's message", false, {"Cliquet", "WrongRecipient"}, for_carol, bob.identity));
        for (std::size_t i : {std::size_t{1}, std::size_t{32}, std::size_t{33}, std::size_t{48}, std::size_t{49},
                              std::size_t{80}, std::size_t{81}, for_bob.size() - 1})
            open_tests.push_back(open_case("byte " + std::to_string(i) + " flipped", false, {"Cliquet", "BitFlip"},
                                           flipped(for_bob, i), bob.identity));
        open_tests.push_back(open_case("truncated to the header", false, {"Cliquet", "Truncated"},
                                       Bytes(for_bob.begin(), for_bob.begin() + 81), bob.identity));
        open_tests.push_back(open_case("shorter than the header", false, {"Cliquet", "Truncated"},
                                       Bytes(for_bob.begin(), for_bob.begin() + 80), bob.identity));
        Bytes small_order = for_bob;
        std::fill(small_order.begin() + 49, small_order.begin() + 81, 0);
        open_tests.push_back(open_case("an ephemeral key of small order", false, {"Cliquet", "SmallOrderKey"}, small_order, bob.identity));
        const SealedRecipient to_bob{bob.service_id, bob.identity.public_key(), {{1, 1}}};
        const auto forged = SealedSenderV2SentMessage::parse(
            seal_v2(many, IdentityKeyPair::generate(random), {&to_bob, 1}, {}, random));
        open_tests.push_back(open_case("sealed by an identity the certificate does not name", false,
                                       {"Cliquet", "SenderKeyMismatch"}, forged.received_message(forged.recipients()[0]),
                                       bob.identity));
        json expired = open_case("certificate expired", false, {"Cliquet", "Expired"}, for_bob, bob.identity, true);
        expired["timestamp"] = unix_ms(kExpiration) + 1;
        open_tests.push_back(expired);
        json foreign = open_case("another trust root", false, {"Cliquet", "ForeignTrustRoot"}, for_bob, bob.identity, true);
        foreign["trustRoot"] = to_hex(KeyPair::generate(random).public_key.serialize());
        open_tests.push_back(foreign);
        for (std::uint8_t version : Bytes{0x12, 0x32, 0xf2}) {
            Bytes changed = for_bob;
            changed[0] = version;
            open_tests.push_back(open_case("version byte " + to_hex(Bytes{version}), false, {"Cliquet", "UnknownVersion"},
                                           changed, bob.identity));
        }
        proto::sealed_sender::UnidentifiedSenderMessage::Message message;
        message.set_type(8);
        message.set_sender_certificate("\x0a\x00");
        message.set_content("x");
        const std::string bad_certificate = message.SerializeAsString();
        const auto malformed = SealedSenderV2SentMessage::parse(protocol::seal_v2_bytes(
            as_bytes(bad_certificate), sender, {&to_bob, 1}, {}, random,
            [this](const IdentityKey& key) { return sender.private_key().agree(key); }));
        open_tests.push_back(open_case("content whose certificate is malformed", false, {"Cliquet", "MalformedCertificate"},
                                       malformed.received_message(malformed.recipients()[0]), bob.identity));
    }
};

json generate_sealed_sender_v2() {
    Generator g;
    g.generate();
    json groups = json::array({
        {{"type", "SealV2Test"}, {"tests", std::move(g.seal_tests)}},
        {{"type", "FanoutTest"}, {"tests", std::move(g.fanout_tests)}},
        {{"type", "OpenV2Test"}, {"tests", std::move(g.open_tests)}},
    });
    return vector_file(
        "sealed_sender_v2", "Signal sealed sender v2", {"Multi-recipient sealed sender as libsignal's. Sent: 0x23 || varint count || entries || E (32) || payload;",
         "entry: service id (kind byte, 16-byte UUID) || devices (id, u16 BE: has-more bit, unused bit, 14-bit",
         "registration id) || C (32) || AT (16), or service id || 00 when excluded (0x22 sent messages use bare ACI",
         "UUIDs). Received: 0x22 || C || AT || E || payload. r, K from HKDF(m, labels); payload AES-256-GCM-SIV(K,",
         "zero nonce). Service ids as strings: an ACI is its lowercase UUID, a PNI \"PNI:\" then the UUID."},
        {{"Cliquet", "Computed by cliquet-vectors generate sealed_sender_v2 from a fixed seed."},
         {"UuidRecipients", "a version 0x22 sent message, whose recipients are bare ACI UUIDs"},
         {"ShortEntries", "a version 0x22 sent message with more entries than 18-byte ones would fit: its entries take 17 "
                          "bytes at the least (a UUID and 00)"},
         {"UnknownVersion", "a version byte libsignal does not read here: invalid_message"},
         {"Truncated", "bytes missing: invalid_message"},
         {"BadCount", "the recipient count exceeds the entries present: invalid_message"},
         {"BadDeviceId", "a device id of 128 or more: invalid_message"},
         {"BadServiceId", "a service id kind byte other than 0 (ACI) or 1 (PNI): invalid_message"},
         {"RedundantRecipient", "an account excluded twice, or both excluded and a recipient: invalid_message"},
         {"WrongRecipient", "opened by an identity it was not sealed to: invalid_message"},
         {"BitFlip", "one bit of a valid received message flipped: invalid_message"},
         {"SmallOrderKey", "the ephemeral key has small order: invalid_message"},
         {"SenderKeyMismatch", "sealed by an identity other than the certificate's: invalid_message"},
         {"Expired", "the certificate is expired at timestamp: invalid_certificate"},
         {"ForeignTrustRoot", "the certificate does not chain to trustRoot: invalid_certificate"},
         {"MalformedCertificate", "the sealed content holds a certificate that does not parse: invalid_certificate"}},
        std::move(groups));
}

const CategoryRegistration registration{"sealed_sender_v2", check_sealed_sender_v2_case, generate_sealed_sender_v2,
                                        "sealed sender version 2 (multi-recipient) messages and the server's fan-out"};

}  // namespace
}  // namespace cliquet::vectors
