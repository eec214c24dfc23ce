# The Node that runs the interop tests: the first that is at least as new as
# interop/package.json's engines.node (libsignal-client 0.90 and later are ES
# modules loaded with require(), which older Nodes refuse) of
#   1. `node` on the PATH;
#   2. interop/.node/node_modules/.bin/node, which scripts/bootstrap.sh
#      installs from the npm registry when the system's Node is older
#      (Debian 12's is 18).
# scripts/bootstrap.sh chooses by the same rule. Looked up again at every
# configure, never cached, so that a Node installed since is found.
#
# Sets CLIQUET_INTEROP_NODE to the program, or to "" with
# CLIQUET_INTEROP_NODE_PROBLEM saying why; both also go to the cache
# (INTERNAL), where scripts/test.sh reads them.

set(CLIQUET_LOCAL_NODE ${PROJECT_SOURCE_DIR}/interop/.node/node_modules/.bin/node)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/interop/package.json)

function(cliquet_find_interop_node)
  file(READ ${PROJECT_SOURCE_DIR}/interop/package.json package)
  string(JSON range GET "${package}" engines node)
  if(NOT range MATCHES "^>= *([0-9]+(\\.[0-9]+)*)$")
    message(FATAL_ERROR "interop/package.json: engines.node is \"${range}\", not \">=X.Y.Z\"")
  endif()
  set(minimum ${CMAKE_MATCH_1})

  find_program(system_node node NO_CACHE)
  set(found "")
  set(seen "")
  foreach(candidate ${system_node} ${CLIQUET_LOCAL_NODE})
    if(NOT EXISTS ${candidate})
      continue()
    endif()
    execute_process(COMMAND ${candidate} --version
      OUTPUT_VARIABLE version RESULT_VARIABLE status ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
    string(REGEX REPLACE "^v" "" version "${version}")
    if(status EQUAL 0 AND version VERSION_GREATER_EQUAL minimum)
      set(found ${candidate})
      break()
    endif()
    list(APPEND seen "${candidate} (${version})")
  endforeach()

  if(found)
    set(problem "")
  elseif(seen)
    list(JOIN seen ", " seen)
    set(problem "the interop tests need Node >= ${minimum}; found only ${seen}. scripts/bootstrap.sh installs one into interop/.node")
  else()
    set(problem "the interop tests need Node >= ${minimum}, and there is none. scripts/bootstrap.sh installs one")
  endif()
  set(CLIQUET_INTEROP_NODE "${found}" CACHE INTERNAL "The Node that runs the interop tests" FORCE)
  set(CLIQUET_INTEROP_NODE_PROBLEM "${problem}" CACHE INTERNAL "Why there is no Node for the interop tests" FORCE)
endfunction()
