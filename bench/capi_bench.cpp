// The C API's cost over the C++ one: BM_CApiEncrypt and BM_CApiDecrypt run
// BM_SessionEncrypt's and BM_SessionDecrypt's scenario (an X3DH session in
// steady state, in-memory stores) through include/cliquet.h, buffers freed as
// a C caller frees them. Their difference from the C++ figures, in one run,
// is what the boundary adds: argument checks, the exception guard, the
// copies into cliquet_buffers and their wiping.
#include <benchmark/benchmark.h>
#include <cliquet.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace cliquet::bench {
namespace {

void check(cliquet_status status, const char* what) {
    if (status != CLIQUET_OK)
        throw std::runtime_error(std::string(what) + ": " + cliquet_status_name(status) + " (" +
                                 cliquet_last_error_message() + ")");
}

// A device of the C API: its identity and in-memory store.
struct CDevice {
    const char* name;
    cliquet_identity* identity = nullptr;
    cliquet_store* store = nullptr;

    explicit CDevice(const char* device_name) : name(device_name) {
        check(cliquet_identity_generate(&identity), "identity");
        check(cliquet_store_new_memory(identity, &store), "store");
    }
    ~CDevice() {
        cliquet_store_free(store);
        cliquet_identity_free(identity);
    }
    CDevice(const CDevice&) = delete;
    CDevice& operator=(const CDevice&) = delete;

    // An X3DH bundle (no Kyber pre-key), as BM_SessionEncrypt's session starts.
    cliquet_pre_key_bundle* x3dh_bundle() {
        cliquet_pre_key_manager* manager = nullptr;
        cliquet_pre_key_upload* upload = nullptr;
        cliquet_pre_key_bundle* bundle = nullptr;
        cliquet_buffer identity_key{}, signed_key{}, signature{}, pre_key{};
        uint32_t registration_id = 0, signed_id = 0, pre_key_id = 0;
        int present = 0;
        check(cliquet_pre_key_manager_new(store, 1, 1, &manager), "manager");
        check(cliquet_pre_key_manager_run_schedule(manager, &upload), "pre-keys");
        check(cliquet_identity_public_key(identity, &identity_key), "identity key");
        check(cliquet_identity_registration_id(identity, &registration_id), "registration id");
        check(cliquet_pre_key_upload_signed_pre_key(upload, &present, &signed_id, &signed_key, &signature), "spk");
        check(cliquet_pre_key_upload_one_time_pre_key(upload, 0, &pre_key_id, &pre_key), "pre-key");
        check(cliquet_pre_key_bundle_new(registration_id, 1, identity_key.data, identity_key.len, signed_id,
                                         signed_key.data, signed_key.len, signature.data, signature.len, pre_key_id,
                                         pre_key.data, pre_key.len, 0, nullptr, 0, nullptr, 0, &bundle),
              "bundle");
        for (cliquet_buffer* buffer : {&identity_key, &signed_key, &signature, &pre_key}) cliquet_buffer_free(buffer);
        cliquet_pre_key_upload_free(upload);
        cliquet_pre_key_manager_free(manager);
        return bundle;
    }
};

// Alice and Bob with a session in steady state, both ciphers made once.
struct CConversation {
    CDevice alice{"alice"};
    CDevice bob{"bob"};
    cliquet_session_cipher* alice_to_bob = nullptr;
    cliquet_session_cipher* bob_to_alice = nullptr;

    CConversation() {
        cliquet_pre_key_bundle* bundle = bob.x3dh_bundle();
        check(cliquet_process_pre_key_bundle(alice.store, bob.name, 1, bundle, CLIQUET_PQ_RATCHET_OFFER), "session");
        cliquet_pre_key_bundle_free(bundle);
        check(cliquet_session_cipher_new(alice.store, alice.name, 1, bob.name, 1, CLIQUET_PQ_RATCHET_OFFER,
                                         &alice_to_bob),
              "cipher");
        check(
            cliquet_session_cipher_new(bob.store, bob.name, 1, alice.name, 1, CLIQUET_PQ_RATCHET_OFFER, &bob_to_alice),
            "cipher");
        const std::vector<uint8_t> hello(16, 0x42);
        exchange(alice_to_bob, bob_to_alice, hello);
        exchange(bob_to_alice, alice_to_bob, hello);
    }
    ~CConversation() {
        cliquet_session_cipher_free(bob_to_alice);
        cliquet_session_cipher_free(alice_to_bob);
    }
    CConversation(const CConversation&) = delete;
    CConversation& operator=(const CConversation&) = delete;

    static void exchange(cliquet_session_cipher* from, cliquet_session_cipher* to, const std::vector<uint8_t>& text) {
        cliquet_buffer message{}, plaintext{};
        cliquet_message_type type{};
        check(cliquet_session_cipher_encrypt(from, text.data(), text.size(), &type, &message), "encrypt");
        check(cliquet_session_cipher_decrypt(to, type, message.data, message.len, &plaintext), "decrypt");
        cliquet_buffer_free(&plaintext);
        cliquet_buffer_free(&message);
    }
};

void BM_CApiEncrypt(benchmark::State& state) {
    CConversation c;
    const std::vector<uint8_t> plaintext(static_cast<std::size_t>(state.range(0)), 0x42);
    for (auto _ : state) {
        cliquet_buffer message{};
        cliquet_message_type type{};
        benchmark::DoNotOptimize(
            cliquet_session_cipher_encrypt(c.alice_to_bob, plaintext.data(), plaintext.size(), &type, &message));
        cliquet_buffer_free(&message);
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_CApiEncrypt)->Arg(100);

void BM_CApiDecrypt(benchmark::State& state) {
    CConversation c;
    const std::vector<uint8_t> plaintext(static_cast<std::size_t>(state.range(0)), 0x42);
    // As BM_SessionDecrypt: messages made in batches outside the timed region.
    constexpr std::size_t kBatch = 512;
    std::vector<cliquet_buffer> batch(kBatch);
    std::vector<cliquet_message_type> types(kBatch);
    std::size_t next = kBatch;
    for (auto _ : state) {
        if (next == kBatch) {
            state.PauseTiming();
            for (std::size_t i = 0; i < kBatch; ++i) {
                cliquet_buffer_free(&batch[i]);
                check(cliquet_session_cipher_encrypt(c.alice_to_bob, plaintext.data(), plaintext.size(), &types[i],
                                                     &batch[i]),
                      "encrypt");
            }
            next = 0;
            state.ResumeTiming();
        }
        cliquet_buffer decrypted{};
        benchmark::DoNotOptimize(
            cliquet_session_cipher_decrypt(c.bob_to_alice, types[next], batch[next].data, batch[next].len, &decrypted));
        cliquet_buffer_free(&decrypted);
        ++next;
    }
    for (cliquet_buffer& message : batch) cliquet_buffer_free(&message);
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_CApiDecrypt)->Arg(100);

}  // namespace
}  // namespace cliquet::bench
