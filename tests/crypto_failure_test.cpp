// What cliquet does when OpenSSL reports a failure it should never have
// (out of memory, a missing provider), driven by putting the error on
// OpenSSL's queue directly; and the wire names of the error codes.
#include <catch2/catch.hpp>
#include <openssl/err.h>

#include <new>
#include <string>

#include "cliquet/error.hpp"
#include "crypto/openssl.hpp"

using namespace cliquet;

TEST_CASE("an OpenSSL failure is std::bad_alloc when it ran out of memory, unsupported otherwise",
          "[crypto][openssl]") {
    ERR_raise(ERR_LIB_EVP, ERR_R_MALLOC_FAILURE);
    CHECK_THROWS_AS(crypto::openssl::fail("a digest"), std::bad_alloc);
    CHECK(ERR_peek_error() == 0);  // the queue is left empty

    // A provider that could not allocate its context, as an EVP_*Init call
    // reports it.
    ERR_raise(ERR_LIB_EVP, EVP_R_INITIALIZATION_ERROR);
    CHECK_THROWS_AS(crypto::openssl::check(0, "SHA-512 init"), std::bad_alloc);
    CHECK(ERR_peek_error() == 0);

    ERR_raise(ERR_LIB_EVP, EVP_R_UNSUPPORTED_ALGORITHM);
    try {
        crypto::openssl::check(0, "fetching SHA256");
        FAIL("check(0) returned");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::unsupported);
        CHECK_THAT(std::string(e.what()), Catch::StartsWith("OpenSSL failed in fetching SHA256: "));
    }
    CHECK(ERR_peek_error() == 0);

    // Nothing on the queue: still a failure, never a silent success.
    CHECK_THROWS_AS(crypto::openssl::fail("an empty queue"), Error);
    CHECK_NOTHROW(crypto::openssl::check(1, "a success"));
}

TEST_CASE("every error code has its wire name", "[error]") {
    CHECK(to_string(ErrorCode::invalid_key) == "invalid_key");
    CHECK(to_string(ErrorCode::invalid_signature) == "invalid_signature");
    CHECK(to_string(ErrorCode::invalid_message) == "invalid_message");
    CHECK(to_string(ErrorCode::duplicate_message) == "duplicate_message");
    CHECK(to_string(ErrorCode::untrusted_identity) == "untrusted_identity");
    CHECK(to_string(ErrorCode::no_session) == "no_session");
    CHECK(to_string(ErrorCode::invalid_certificate) == "invalid_certificate");
    CHECK(to_string(ErrorCode::invalid_pre_key) == "invalid_pre_key");
    CHECK(to_string(ErrorCode::invalid_argument) == "invalid_argument");
    CHECK(to_string(ErrorCode::storage) == "storage");
    CHECK(to_string(ErrorCode::unsupported) == "unsupported");
    // A value outside the enumeration (from a cast) is named, not undefined.
    CHECK(to_string(static_cast<ErrorCode>(200)) == "unknown");
}
