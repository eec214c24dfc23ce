// The message sizes the session benchmarks sweep, for cliquet and libolm
// alike: 16 B to 64 KiB, including the 100 B and 1 KiB the issue names.
#pragma once

#include <benchmark/benchmark.h>

namespace cliquet::bench {

inline void message_sizes(benchmark::internal::Benchmark* b) {
    for (long size : {16, 100, 256, 1024, 4096, 16384, 65536}) b->Arg(size);
}

}  // namespace cliquet::bench
