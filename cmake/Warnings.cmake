# -Wnull-dereference is left out on purpose: at -O3, g++ 12 reports it
# inside libstdc++'s shared_ptr and optional moves, where no null pointer
# can occur.
function(cliquet_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
  # g++ 12 at -O3 reports array-bounds, stringop-overflow, stringop-overread and restrict
  # "violations" inside libstdc++'s inlined vector and string copies that
  # cannot happen (GCC bugs 105329, 105651, 107852; fixed in g++ 13). They
  # stay on for clang 14, which builds the sanitizer preset.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread -Wno-restrict)
  endif()
  if(CLIQUET_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
