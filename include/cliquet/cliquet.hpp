/// @file
/// The Signal protocol in C++20. Include this for everything.
#pragma once

#include "cliquet/address.hpp"
#include "cliquet/bytes.hpp"
#include "cliquet/certificates.hpp"
#include "cliquet/error.hpp"
#include "cliquet/fingerprint.hpp"
#include "cliquet/keys.hpp"
#include "cliquet/memory_store.hpp"
#include "cliquet/messages.hpp"
#include "cliquet/prekeys.hpp"
#include "cliquet/random.hpp"
#include "cliquet/sealed_fanout.hpp"
#include "cliquet/sealed_sender.hpp"
#include "cliquet/sealed_session_cipher.hpp"
#include "cliquet/sender_keys.hpp"
#include "cliquet/service_id.hpp"
#include "cliquet/session.hpp"
#include "cliquet/session_record.hpp"
#include "cliquet/sqlite_store.hpp"
#include "cliquet/store.hpp"
