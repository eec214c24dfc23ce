# The API reference: Doxygen over the public headers (docs/Doxyfile), into
# <build>/api. Only when doxygen is installed (Debian package doxygen).
find_package(Doxygen QUIET)
if(NOT DOXYGEN_FOUND)
  message(STATUS "doxygen not found: no cliquet-docs target, no docs.api test")
  return()
endif()

# docs/Doxyfile, with the output moved into this build directory.
function(cliquet_doxyfile name output)
  file(WRITE ${PROJECT_BINARY_DIR}/${name}
    "@INCLUDE = ${PROJECT_SOURCE_DIR}/docs/Doxyfile\nOUTPUT_DIRECTORY = ${output}\n")
endfunction()
set(CLIQUET_DOCS_OUTPUT ${PROJECT_BINARY_DIR}/api)
cliquet_doxyfile(Doxyfile.docs ${CLIQUET_DOCS_OUTPUT})

add_custom_target(cliquet-docs
  COMMAND ${DOXYGEN_EXECUTABLE} ${PROJECT_BINARY_DIR}/Doxyfile.docs
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
  COMMENT "Doxygen: API reference in ${CLIQUET_DOCS_OUTPUT}/html/index.html"
  VERBATIM)

if(CLIQUET_BUILD_TESTS)
  # Every public declaration documented, and no other warning: Doxyfile's
  # WARN_AS_ERROR fails the run, and any warning line fails the test too.
  # The test writes to its own directory so that it never races the target.
  cliquet_doxyfile(Doxyfile.test ${PROJECT_BINARY_DIR}/api-test)
  add_test(NAME docs.api COMMAND ${DOXYGEN_EXECUTABLE} ${PROJECT_BINARY_DIR}/Doxyfile.test
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(docs.api PROPERTIES LABELS unit TIMEOUT 300 FAIL_REGULAR_EXPRESSION "warning:|error:")
endif()
