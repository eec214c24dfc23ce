# cmake --install: headers, the library, the tools, a CMake package giving
# cliquet::cliquet, and cliquet.pc for pkg-config.
include(CMakePackageConfigHelpers)

install(TARGETS cliquet cliquet_static EXPORT cliquetTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/cliquet DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/cliquet.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(CLIQUET_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/cliquet)
install(EXPORT cliquetTargets NAMESPACE cliquet:: DESTINATION ${CLIQUET_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/cliquetConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cliquetConfig.cmake INSTALL_DESTINATION ${CLIQUET_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cliquetConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cliquetConfig.cmake ${PROJECT_BINARY_DIR}/cliquetConfigVersion.cmake
  DESTINATION ${CLIQUET_CMAKE_DIR})

# cliquet.pc locates the prefix from its own place, so that an install
# moved elsewhere (or made with --prefix) still works.
file(RELATIVE_PATH CLIQUET_PC_TO_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" CLIQUET_PC_TO_PREFIX "${CLIQUET_PC_TO_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/cliquet.pc.in ${PROJECT_BINARY_DIR}/cliquet.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/cliquet.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
