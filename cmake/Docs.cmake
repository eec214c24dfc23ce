# The API reference: Doxygen over the public headers (docs/Doxyfile), into
# <build>/api. Only when doxygen is installed (Debian package doxygen).
find_package(Doxygen QUIET)
if(NOT DOXYGEN_FOUND)
  message(STATUS "doxygen not found: no cliquet-docs target, no docs.api test")
  return()
endif()

set(CLIQUET_DOCS_OUTPUT ${PROJECT_BINARY_DIR}/api)
set(CLIQUET_DOCS_COMMAND ${CMAKE_COMMAND} -E env CLIQUET_DOCS_OUTPUT=${CLIQUET_DOCS_OUTPUT}
  ${DOXYGEN_EXECUTABLE} ${PROJECT_SOURCE_DIR}/docs/Doxyfile)

add_custom_target(cliquet-docs
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CLIQUET_DOCS_OUTPUT}
  COMMAND ${CLIQUET_DOCS_COMMAND}
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
  COMMENT "Doxygen: API reference in ${CLIQUET_DOCS_OUTPUT}/html/index.html"
  VERBATIM)

if(CLIQUET_BUILD_TESTS)
  # Every public declaration documented, and no other warning: Doxyfile's
  # WARN_AS_ERROR fails the run, and any warning line fails the test too.
  # The test writes to its own directory so that it never races the target.
  add_test(NAME docs.api
    COMMAND ${CMAKE_COMMAND} -E env CLIQUET_DOCS_OUTPUT=${PROJECT_BINARY_DIR}/api-test
      ${DOXYGEN_EXECUTABLE} ${PROJECT_SOURCE_DIR}/docs/Doxyfile
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(docs.api PROPERTIES LABELS unit FAIL_REGULAR_EXPRESSION "warning:|error:")
endif()
