# Install rules: headers, libvepoll.a, the CMake package (vepoll::vepoll)
# and vepoll.pc.  Included from the top-level CMakeLists.txt when
# VEPOLL_INSTALL is ON.  Everything installed is relocatable: the package
# files find the prefix from their own location, so
# `cmake --install build --prefix /anywhere` works.
include(CMakePackageConfigHelpers)

set(VEPOLL_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/vepoll
    CACHE STRING "Where vepollConfig.cmake is installed (relative to the prefix)")
set(VEPOLL_PKGCONFIG_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig
    CACHE STRING "Where vepoll.pc is installed (relative to the prefix)")

install(TARGETS vepoll
  EXPORT vepollTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

install(DIRECTORY ${VEPOLL_SOURCE_DIR}/include/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")

install(EXPORT vepollTargets
  NAMESPACE vepoll::
  FILE vepollTargets.cmake
  DESTINATION ${VEPOLL_CMAKE_INSTALL_DIR})

configure_package_config_file(
  ${VEPOLL_SOURCE_DIR}/cmake/vepollConfig.cmake.in
  ${PROJECT_BINARY_DIR}/vepollConfig.cmake
  INSTALL_DESTINATION ${VEPOLL_CMAKE_INSTALL_DIR})
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/vepollConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/vepollConfig.cmake
  ${PROJECT_BINARY_DIR}/vepollConfigVersion.cmake
  DESTINATION ${VEPOLL_CMAKE_INSTALL_DIR})

# vepoll.pc: prefix is computed from the .pc file's own directory
# (${pcfiledir}) when the install dirs are relative, as they normally are.
if(IS_ABSOLUTE "${VEPOLL_PKGCONFIG_INSTALL_DIR}")
  set(VEPOLL_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _vepoll_pc_up
       "/prefix/${VEPOLL_PKGCONFIG_INSTALL_DIR}" "/prefix")
  string(REGEX REPLACE "/+$" "" _vepoll_pc_up "${_vepoll_pc_up}")
  set(VEPOLL_PC_PREFIX "\${pcfiledir}/${_vepoll_pc_up}")
endif()
foreach(_dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_dir}}")
    set(VEPOLL_PC_${_dir} "${CMAKE_INSTALL_${_dir}}")
  else()
    set(VEPOLL_PC_${_dir} "\${prefix}/${CMAKE_INSTALL_${_dir}}")
  endif()
endforeach()
configure_file(${VEPOLL_SOURCE_DIR}/cmake/vepoll.pc.in
               ${PROJECT_BINARY_DIR}/vepoll.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/vepoll.pc
        DESTINATION ${VEPOLL_PKGCONFIG_INSTALL_DIR})

install(FILES ${VEPOLL_SOURCE_DIR}/LICENSE ${VEPOLL_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR} OPTIONAL)
