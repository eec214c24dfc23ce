// cliquet — the Signal protocol in C++20. Include this for everything.
#pragma once

#include "cliquet/bytes.hpp"
#include "cliquet/error.hpp"
#include "cliquet/fingerprint.hpp"
#include "cliquet/keys.hpp"
#include "cliquet/random.hpp"
