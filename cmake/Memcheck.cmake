# cliquet_memcheck_test(name target): runs `target` under valgrind's memcheck
# as a test (label unit) that fails on any memory error and on any leak
# (definite or indirect: every handle and buffer must be freed). Only in the
# release preset: valgrind cannot run a sanitized binary, and one plain build
# is enough.
find_program(VALGRIND valgrind)
function(cliquet_memcheck_test name target)
  if(NOT VALGRIND OR NOT CMAKE_BUILD_TYPE STREQUAL "Release" OR CMAKE_C_FLAGS MATCHES "-fsanitize")
    return()
  endif()
  add_test(NAME ${name} COMMAND ${VALGRIND} --tool=memcheck --leak-check=full --error-exitcode=1
    --errors-for-leak-kinds=definite,indirect --quiet $<TARGET_FILE:${target}>)
  set_tests_properties(${name} PROPERTIES LABELS unit TIMEOUT 600)
endfunction()
