// MultiDeviceSender: one plaintext to every device of the recipient and of
// one's own account, the server's corrections of the device lists, the
// Sesame rule that an account's devices share its identity key, and each
// device's state changing all-or-nothing, whatever happens to the others.
#include <catch2/catch.hpp>

#include <functional>

#include "cliquet/cliquet.hpp"
#include "cliquet/multi_device_sender.hpp"
#include "forwarding_store.hpp"
#include "sealed_helpers.hpp"

using namespace cliquet;
using cliquet::testing::Device;
using cliquet::testing::error_of;
using cliquet::testing::linked_device;

namespace {

const std::string kAlice = "9d0652a3-dcc3-4d11-975f-74d61598733f";
const std::string kBob = "e1ee5ab1-6c1f-4e5e-8a36-2a4c0e4d1f0b";

// A device at `name`.`device_id` with an identity of its own.
Device stranger(const std::string& name, std::uint32_t device_id, std::uint32_t registration_id) {
    Device device{name, registration_id};
    device.address.device_id = device_id;
    return device;
}

// Alice's two devices and Bob's two; Alice's first device sends, with a
// session to Bob's first device only.
struct World {
    Device alice1{kAlice, 101};
    Device alice2 = linked_device(alice1, 2, 102);
    Device bob1{kBob, 201};
    Device bob2 = linked_device(bob1, 2, 202);
    MultiDeviceSender sender{*alice1.store, alice1.address};
    std::uint32_t next_key_id = 10;

    World() { alice1.start_session(bob1.address, fresh_bundle(bob1)); }

    PreKeyBundle fresh_bundle(Device& device) {
        const std::uint32_t id = next_key_id++;
        return device.bundle(id, id, id);
    }

    static AccountDevices bob(std::vector<std::uint32_t> ids = {1, 2}) { return {kBob, std::move(ids)}; }
    static AccountDevices alice(std::vector<std::uint32_t> ids = {1, 2}) { return {kAlice, std::move(ids)}; }
};

std::string read(Device& receiver, const Device& sender, const DeviceMessage& message) {
    const Bytes plaintext = SessionCipher(*receiver.store, receiver.address, sender.address)
                                .decrypt(message.type, message.bytes);
    return std::string(plaintext.begin(), plaintext.end());
}

const DeviceMessage& message_for(const MultiDeviceMessage& out, const ProtocolAddress& address) {
    for (const DeviceMessage& message : out.messages)
        if (message.address == address) return message;
    throw std::logic_error("no message for " + address.to_string());
}

// Alice's stores, failing to write the session of one chosen device, and
// rolling back a failed unit whole, as a database does.
class FailingSessions final : public SessionStore {
public:
    explicit FailingSessions(MemorySessionStore& inner) : inner_(inner) {}
    std::optional<SessionRecord> load_session(const ProtocolAddress& address) const override {
        return inner_.load_session(address);
    }
    void store_session(const ProtocolAddress& address, SessionRecord record) override {
        if (address == fail_on) throw Error(ErrorCode::storage, "disk full while writing " + address.to_string());
        inner_.store_session(address, std::move(record));
    }
    std::vector<std::uint32_t> session_device_ids(std::string_view name) const override {
        return inner_.session_device_ids(name);
    }
    void delete_session(const ProtocolAddress& address) override {
        if (address == fail_on) throw Error(ErrorCode::storage, "disk full while deleting " + address.to_string());
        inner_.delete_session(address);
    }
    std::size_t delete_all_sessions(std::string_view name) override { return inner_.delete_all_sessions(name); }
    std::optional<ProtocolAddress> fail_on;

private:
    MemorySessionStore& inner_;
};

class FaultyStore final : public cliquet::testing::ForwardingStore {
public:
    explicit FaultyStore(MemoryProtocolStore& inner) : ForwardingStore(inner), sessions_(inner.sessions()) {}
    FailingSessions& sessions() override { return sessions_; }
    void run_atomically(const std::function<void()>& writes) override {
        const MemoryProtocolStore saved = inner_;
        try {
            writes();
        } catch (...) {
            inner_ = saved;
            throw;
        }
    }

private:
    FailingSessions sessions_;
};

Bytes session_bytes(Device& device, const ProtocolAddress& peer) {
    const auto record = device.store->sessions().load_session(peer);
    if (!record) return {};
    const SecretBytes bytes = record->serialize();
    return Bytes(bytes.span().begin(), bytes.span().end());
}

}  // namespace

TEST_CASE("every device of both accounts gets the message once the server has corrected the lists",
          "[multi_device]") {
    World w;
    const AccountDevices to[] = {World::bob(), World::alice()};
    const MultiDeviceMessage first = w.sender.encrypt(to, as_bytes("before"));
    REQUIRE(first.messages.size() == 1);
    CHECK(first.messages[0].address == w.bob1.address);
    CHECK(first.messages[0].registration_id == 201);
    CHECK(first.missing_sessions == std::vector<ProtocolAddress>{w.bob2.address, w.alice2.address});
    CHECK(first.failures.empty());
    CHECK(read(w.bob1, w.alice1, first.messages[0]) == "before");

    // The server: Bob has a device 2, and so has Alice.
    const DeviceListUpdate bob = w.sender.apply(World::bob({1}), {.missing = {w.fresh_bundle(w.bob2)}});
    CHECK(bob.started == std::vector<ProtocolAddress>{w.bob2.address});
    CHECK(bob.failures.empty());
    const DeviceListUpdate own = w.sender.apply(World::alice({1}), {.missing = {w.fresh_bundle(w.alice2)}});
    CHECK(own.started == std::vector<ProtocolAddress>{w.alice2.address});

    const MultiDeviceMessage second = w.sender.encrypt(to, as_bytes("to everyone"));
    CHECK(second.missing_sessions.empty());
    CHECK(second.failures.empty());
    REQUIRE(second.messages.size() == 3);
    CHECK(message_for(second, w.bob2.address).registration_id == 202);
    CHECK(message_for(second, w.alice2.address).registration_id == 102);
    CHECK(read(w.bob1, w.alice1, message_for(second, w.bob1.address)) == "to everyone");
    CHECK(read(w.bob2, w.alice1, message_for(second, w.bob2.address)) == "to everyone");
    CHECK(read(w.alice2, w.alice1, message_for(second, w.alice2.address)) == "to everyone");

    // Sealed: each device opens its own envelope, with the hint and group.
    const cliquet::testing::CertificateServer server;
    const Bytes group_id{'g'};
    const MultiDeviceMessage sealed =
        w.sender.seal(to, server.issue(w.alice1), as_bytes("sealed"), ContentHint::resendable, group_id);
    REQUIRE(sealed.messages.size() == 3);
    for (Device* device : {&w.bob1, &w.bob2, &w.alice2}) {
        const auto opened = sealed_sender_decrypt(*device->store, message_for(sealed, device->address).bytes,
                                                  server.trust_root.public_key, cliquet::testing::kSealedNow,
                                                  cliquet::testing::sealed_recipient(*device));
        CHECK(cliquet::testing::text_of(opened.plaintext) == "sealed");
        CHECK(opened.sender() == w.alice1.address);
        CHECK(opened.content_hint == ContentHint::resendable);
        CHECK(opened.group_id == group_id);
    }
    // A certificate for another device is refused before anything changes.
    const std::string before = w.alice1.snapshot();
    CHECK(error_of([&] { (void)w.sender.seal(to, server.issue(w.alice2), as_bytes("x")); }) ==
          ErrorCode::invalid_argument);
    CHECK(w.alice1.snapshot() == before);
}

TEST_CASE("extra devices' sessions are archived and stale ones reported with their registration ids",
          "[multi_device]") {
    World w;
    (void)w.sender.apply(World::bob({1}), {.missing = {w.fresh_bundle(w.bob2)}});

    const DeviceListUpdate gone = w.sender.apply(World::bob(), {.extra = {2}});
    CHECK(gone.archived == std::vector<ProtocolAddress>{w.bob2.address});
    const AccountDevices to_bob[] = {World::bob()};
    CHECK(w.sender.encrypt(to_bob, as_bytes("x")).missing_sessions == std::vector<ProtocolAddress>{w.bob2.address});

    // Bob's first device was reinstalled: a new registration id.
    const DeviceListUpdate stale = w.sender.apply(World::bob({1}), {.stale = {1}});
    REQUIRE(stale.stale.size() == 1);
    CHECK(stale.stale[0].address == w.bob1.address);
    CHECK(stale.stale[0].registration_id == 201);
    Device reinstalled = linked_device(w.bob1, 1, 301);
    const DeviceListUpdate again = w.sender.apply(World::bob({1}), {.missing = {w.fresh_bundle(reinstalled)}});
    CHECK(again.started == std::vector<ProtocolAddress>{w.bob1.address});
    const AccountDevices to_bob1[] = {World::bob({1})};
    const MultiDeviceMessage out = w.sender.encrypt(to_bob1, as_bytes("hello again"));
    REQUIRE(out.messages.size() == 1);
    CHECK(out.messages[0].registration_id == 301);
    CHECK(read(reinstalled, w.alice1, out.messages[0]) == "hello again");
}

TEST_CASE("a device whose identity key is not its account's is refused, the others still start",
          "[multi_device][adversarial]") {
    World w;
    // The server slips a device of its own into Bob's account, and into Alice's.
    Device planted = stranger(kBob, 3, 666);
    Device planted_own = stranger(kAlice, 3, 667);
    const DeviceListUpdate bob =
        w.sender.apply(World::bob({1}), {.missing = {w.fresh_bundle(planted), w.fresh_bundle(w.bob2)}});
    CHECK(bob.started == std::vector<ProtocolAddress>{w.bob2.address});
    REQUIRE(bob.failures.size() == 1);
    CHECK(bob.failures[0].address == planted.address);
    CHECK(bob.failures[0].code == ErrorCode::untrusted_identity);
    CHECK_FALSE(w.alice1.store->sessions().load_session(planted.address));
    CHECK_FALSE(w.alice1.store->identities().identity(planted.address));

    const DeviceListUpdate own =
        w.sender.apply(World::alice({1}), {.missing = {w.fresh_bundle(planted_own), w.fresh_bundle(w.alice2)}});
    CHECK(own.started == std::vector<ProtocolAddress>{w.alice2.address});
    REQUIRE(own.failures.size() == 1);
    CHECK(own.failures[0].code == ErrorCode::untrusted_identity);

    // A forged bundle fails alone, too.
    Device bob3 = linked_device(w.bob1, 3, 203);
    PreKeyBundle forged = w.fresh_bundle(bob3);
    forged.signed_pre_key_signature[0] ^= 1;
    const DeviceListUpdate forgery = w.sender.apply(World::bob({1, 2}), {.missing = {forged}});
    REQUIRE(forgery.failures.size() == 1);
    CHECK(forgery.failures[0].code == ErrorCode::invalid_signature);
    CHECK(forgery.started.empty());

    // First contact: the account's key is the first bundle's that starts a session.
    Device carol1{"0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", 401};
    Device carol2 = linked_device(carol1, 2, 402);
    Device carol_planted = stranger(carol1.address.name, 3, 403);
    const DeviceListUpdate carol =
        w.sender.apply({carol1.address.name, {}},
                       {.missing = {w.fresh_bundle(carol1), w.fresh_bundle(carol_planted), w.fresh_bundle(carol2)}});
    CHECK(carol.started == std::vector<ProtocolAddress>{carol1.address, carol2.address});
    REQUIRE(carol.failures.size() == 1);
    CHECK(carol.failures[0].address == carol_planted.address);
}

TEST_CASE("device lists that cannot be meant are refused before anything changes", "[multi_device][adversarial]") {
    World w;
    (void)w.sender.apply(World::bob({1}), {.missing = {w.fresh_bundle(w.bob2)}});
    const PreKeyBundle own_bundle = w.fresh_bundle(w.alice1);
    const std::string before = w.alice1.snapshot();
    const auto refused = [&](const std::function<void()>& action) {
        CHECK(error_of(action) == ErrorCode::invalid_argument);
        CHECK(w.alice1.snapshot() == before);
    };
    const AccountDevices twice[] = {World::bob({1, 2, 1})};
    refused([&] { (void)w.sender.encrypt(twice, as_bytes("x")); });
    const AccountDevices account_twice[] = {World::bob({1}), World::bob({2})};
    refused([&] { (void)w.sender.encrypt(account_twice, as_bytes("x")); });
    refused([&] { (void)w.sender.apply(World::bob(), {.extra = {2}, .stale = {2}}); });
    refused([&] { (void)w.sender.apply(World::bob(), {.missing = {w.fresh_bundle(w.bob2)}, .extra = {2}}); });
    refused([&] { (void)w.sender.apply(World::bob(), {.extra = {2, 2}}); });
    refused([&] { (void)w.sender.apply(World::alice(), {.stale = {1}}); });
    refused([&] { (void)w.sender.apply(World::alice(), {.missing = {own_bundle}}); });

    // A session made around the helper with a device of another identity:
    // Bob's account now has two keys, and nothing is sent to it.
    Device planted = stranger(kBob, 3, 666);
    w.alice1.start_session(planted.address, w.fresh_bundle(planted));
    const std::string with_planted = w.alice1.snapshot();
    const AccountDevices to_bob[] = {World::bob({1, 2, 3})};
    try {
        (void)w.sender.encrypt(to_bob, as_bytes("x"));
        FAIL("encrypted to an account with two identity keys");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_argument);
        CHECK(std::string(e.what()).find(kBob) != std::string::npos);
    }
    CHECK(error_of([&] { (void)w.sender.apply(World::bob({1, 2, 3}), {.missing = {w.fresh_bundle(w.bob2)}}); }) ==
          ErrorCode::invalid_argument);
    CHECK(w.alice1.snapshot() == with_planted);
}

TEST_CASE("a device whose store fails is left as it was, and the others' steps stand", "[multi_device][adversarial]") {
    World w;
    (void)w.sender.apply(World::bob({1}), {.missing = {w.fresh_bundle(w.bob2)}});
    (void)w.sender.apply(World::alice({1}), {.missing = {w.fresh_bundle(w.alice2)}});
    FaultyStore faulty(*w.alice1.store);
    MultiDeviceSender sender(faulty, w.alice1.address);
    const AccountDevices to[] = {World::bob(), World::alice()};

    for (const Device* failing : {&w.bob1, &w.bob2, &w.alice2}) {
        faulty.sessions().fail_on = failing->address;
        const Bytes unchanged = session_bytes(w.alice1, failing->address);
        const MultiDeviceMessage out = sender.encrypt(to, as_bytes("through"));
        REQUIRE(out.failures.size() == 1);
        CHECK(out.failures[0].address == failing->address);
        CHECK(out.failures[0].code == ErrorCode::storage);
        CHECK(session_bytes(w.alice1, failing->address) == unchanged);
        REQUIRE(out.messages.size() == 2);
        for (Device* device : {&w.bob1, &w.bob2, &w.alice2})
            if (device != failing) CHECK(read(*device, w.alice1, message_for(out, device->address)) == "through");
    }

    // Starting sessions: the failing device keeps no session and no identity.
    faulty.sessions().fail_on = ProtocolAddress{kBob, 4};
    Device bob3 = linked_device(w.bob1, 3, 203);
    Device bob4 = linked_device(w.bob1, 4, 204);
    const DeviceListUpdate update =
        sender.apply(World::bob(), {.missing = {w.fresh_bundle(bob3), w.fresh_bundle(bob4)}, .extra = {2}});
    CHECK(update.started == std::vector<ProtocolAddress>{bob3.address});
    CHECK(update.archived == std::vector<ProtocolAddress>{w.bob2.address});
    REQUIRE(update.failures.size() == 1);
    CHECK(update.failures[0].address == bob4.address);
    CHECK(update.failures[0].code == ErrorCode::storage);
    CHECK_FALSE(w.alice1.store->sessions().load_session(bob4.address));
    CHECK_FALSE(w.alice1.store->identities().identity(bob4.address));
}

TEST_CASE("sealing writes every device's step in one unit, after every envelope: a store that fails it fails the call",
          "[multi_device][adversarial]") {
    World w;
    (void)w.sender.apply(World::bob({1}), {.missing = {w.fresh_bundle(w.bob2)}});
    (void)w.sender.apply(World::alice({1}), {.missing = {w.fresh_bundle(w.alice2)}});
    FaultyStore faulty(*w.alice1.store);
    MultiDeviceSender sender(faulty, w.alice1.address);
    const AccountDevices to[] = {World::bob(), World::alice()};
    const cliquet::testing::CertificateServer server;
    const SenderCertificate certificate = server.issue(w.alice1);

    // The write of one device's step fails: the unit is undone whole, and
    // no device's session has moved.
    for (const Device* failing : {&w.bob1, &w.alice2}) {
        faulty.sessions().fail_on = failing->address;
        const std::string before = w.alice1.snapshot();
        CHECK(error_of([&] { (void)sender.seal(to, certificate, as_bytes("lost")); }) == ErrorCode::storage);
        CHECK(w.alice1.snapshot() == before);
    }
    // Once the store writes again, every device opens its envelope.
    faulty.sessions().fail_on.reset();
    const MultiDeviceMessage out = sender.seal(to, certificate, as_bytes("through"));
    CHECK(out.failures.empty());
    REQUIRE(out.messages.size() == 3);
    for (Device* device : {&w.bob1, &w.bob2, &w.alice2}) {
        const auto opened = sealed_sender_decrypt(*device->store, message_for(out, device->address).bytes,
                                                  server.trust_root.public_key, cliquet::testing::kSealedNow,
                                                  cliquet::testing::sealed_recipient(*device));
        CHECK(cliquet::testing::text_of(opened.plaintext) == "through");
    }
}

namespace {

// Alice's stores, with the recorded identity of one device forgotten (as a
// store that lost a row would): trust is still the inner store's.
class ForgetfulIdentities final : public IdentityKeyStore {
public:
    explicit ForgetfulIdentities(IdentityKeyStore& inner) : inner_(inner) {}
    const IdentityKeyPair& identity_key_pair() const override { return inner_.identity_key_pair(); }
    std::uint32_t local_registration_id() const override { return inner_.local_registration_id(); }
    std::optional<IdentityKey> identity(const ProtocolAddress& address) const override {
        if (address == forgotten) return std::nullopt;
        return inner_.identity(address);
    }
    IdentityChange save_identity(const ProtocolAddress& address, const IdentityKey& key) override {
        return inner_.save_identity(address, key);
    }
    bool is_trusted_identity(const ProtocolAddress& address, const IdentityKey& key,
                             Direction direction) const override {
        return inner_.is_trusted_identity(address, key, direction);
    }
    std::optional<ProtocolAddress> forgotten;

private:
    IdentityKeyStore& inner_;
};

class ForgetfulStore final : public cliquet::testing::ForwardingStore {
public:
    explicit ForgetfulStore(MemoryProtocolStore& inner) : ForwardingStore(inner), identities_(inner.identities()) {}
    ForgetfulIdentities& identities() override { return identities_; }

private:
    ForgetfulIdentities identities_;
};

}  // namespace

TEST_CASE("sealing: a device whose identity key the store lacks fails alone, and a certificate of another "
          "account is refused", "[multi_device][adversarial]") {
    World w;
    (void)w.sender.apply(World::bob({1}), {.missing = {w.fresh_bundle(w.bob2)}});
    ForgetfulStore forgetful(*w.alice1.store);
    forgetful.identities().forgotten = w.bob2.address;
    MultiDeviceSender sender(forgetful, w.alice1.address);
    const AccountDevices to[] = {World::bob()};
    const cliquet::testing::CertificateServer server;

    const Bytes bob2_session = session_bytes(w.alice1, w.bob2.address);
    const MultiDeviceMessage out = sender.seal(to, server.issue(w.alice1), as_bytes("sealed"));
    REQUIRE(out.failures.size() == 1);
    CHECK(out.failures[0].address == w.bob2.address);
    CHECK(out.failures[0].code == ErrorCode::no_session);
    CHECK(session_bytes(w.alice1, w.bob2.address) == bob2_session);
    REQUIRE(out.messages.size() == 1);
    const auto opened = sealed_sender_decrypt(*w.bob1.store, message_for(out, w.bob1.address).bytes,
                                              server.trust_root.public_key, cliquet::testing::kSealedNow,
                                              cliquet::testing::sealed_recipient(w.bob1));
    CHECK(cliquet::testing::text_of(opened.plaintext) == "sealed");

    // Bob's certificate is not this device's, whatever its device id.
    const std::string before = w.alice1.snapshot();
    CHECK(error_of([&] { (void)sender.seal(to, server.issue(w.bob1), as_bytes("x")); }) ==
          ErrorCode::invalid_argument);
    CHECK(w.alice1.snapshot() == before);
}

TEST_CASE("a session with a device of this account under another identity key stops the send to this account",
          "[multi_device][adversarial]") {
    World w;
    Device planted_own = stranger(kAlice, 3, 667);
    w.alice1.start_session(planted_own.address, w.fresh_bundle(planted_own));
    const std::string before = w.alice1.snapshot();
    const AccountDevices to[] = {World::alice({1, 2, 3})};
    try {
        (void)w.sender.encrypt(to, as_bytes("x"));
        FAIL("encrypted to this account beside a device of another identity");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_argument);
        CHECK_THAT(e.what(), Catch::Contains("is not this device's"));
    }
    CHECK(w.alice1.snapshot() == before);
}

TEST_CASE("extra and stale devices without a session are reported as such, and a store that fails them fails "
          "them alone", "[multi_device]") {
    World w;
    const std::string before = w.alice1.snapshot();
    const DeviceListUpdate update = w.sender.apply(World::bob({1, 2, 3}), {.extra = {2}, .stale = {3}});
    CHECK(update.archived == std::vector<ProtocolAddress>{w.bob2.address});
    REQUIRE(update.stale.size() == 1);
    CHECK(update.stale[0].address == ProtocolAddress{kBob, 3});
    CHECK_FALSE(update.stale[0].registration_id);
    CHECK(update.failures.empty());
    CHECK(w.alice1.snapshot() == before);

    // With sessions, and a store that fails to write device 2's, then device 3's.
    (void)w.sender.apply(World::bob({1}), {.missing = {w.fresh_bundle(w.bob2)}});
    Device bob3 = linked_device(w.bob1, 3, 203);
    (void)w.sender.apply(World::bob({1, 2}), {.missing = {w.fresh_bundle(bob3)}});
    FaultyStore faulty(*w.alice1.store);
    MultiDeviceSender sender(faulty, w.alice1.address);
    // Archiving the extra device's session fails: reported, the session as it was.
    faulty.sessions().fail_on = w.bob2.address;
    const Bytes bob2_session = session_bytes(w.alice1, w.bob2.address);
    const DeviceListUpdate extra = sender.apply(World::bob({1, 2, 3}), {.extra = {2}});
    REQUIRE(extra.failures.size() == 1);
    CHECK(extra.failures[0].address == w.bob2.address);
    CHECK(extra.failures[0].code == ErrorCode::storage);
    CHECK(extra.archived.empty());
    CHECK(session_bytes(w.alice1, w.bob2.address) == bob2_session);
    // So does the stale one's.
    faulty.sessions().fail_on = bob3.address;
    const Bytes bob3_session = session_bytes(w.alice1, bob3.address);
    const DeviceListUpdate stale = sender.apply(World::bob({1, 2, 3}), {.stale = {3}});
    REQUIRE(stale.failures.size() == 1);
    CHECK(stale.failures[0].address == bob3.address);
    CHECK(stale.failures[0].code == ErrorCode::storage);
    CHECK(stale.stale.empty());
    CHECK(session_bytes(w.alice1, bob3.address) == bob3_session);
}
