# -Wnull-dereference is left out on purpose: at -O3, g++ 12 reports it
# inside libstdc++'s shared_ptr and optional moves, where no null pointer
# can occur.
function(cliquet_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
  if(CLIQUET_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
