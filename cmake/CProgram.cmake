# cliquet_c_program(target): a C99 program over the C API (include/cliquet.h)
# and the shared library, warning-free and pedantic. In a sanitizer build it
# links with the C++ driver: the library's sanitizer runtime has C++ parts
# (UBSan's vptr checks, ASan's operator new) that a C link leaves out.
function(cliquet_c_program target)
  set_target_properties(${target} PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  target_compile_options(${target} PRIVATE -Wall -Wextra -pedantic $<$<BOOL:${CLIQUET_WERROR}>:-Werror>)
  target_link_libraries(${target} PRIVATE cliquet)
  if(CMAKE_C_FLAGS MATCHES "-fsanitize")
    set_target_properties(${target} PROPERTIES LINKER_LANGUAGE CXX)
  endif()
endfunction()
