/// @file
/// CLIQUET_EXPORT marks what libcliquet.so exports.
///
/// The library is compiled with -fvisibility=hidden and
/// -fvisibility-inlines-hidden: a symbol leaves the shared library only if
/// its declaration in include/cliquet carries CLIQUET_EXPORT (a class, which
/// exports its members and nested classes, or a free function). Everything
/// else, the internals in src/ included, stays inside it.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
/// Makes a class or function part of the shared library's interface.
#define CLIQUET_EXPORT __attribute__((visibility("default")))
#else
#define CLIQUET_EXPORT
#endif
