# Packaging and header tests (label "packaging"): included from the
# top-level CMakeLists.txt when tests and install rules are enabled.  Each
# test runs tests/packaging/run.sh, which builds a tiny consumer under
# ${PROJECT_BINARY_DIR}/packaging.  They need a plain (non-sanitizer) build
# of the library: tools/test.sh runs them in the normal configuration only.
set(_vepoll_pk_dir ${CMAKE_CURRENT_LIST_DIR})
set(_vepoll_pk_work ${PROJECT_BINARY_DIR}/packaging)
set(_vepoll_pk_env
  "CMAKE_COMMAND=${CMAKE_COMMAND}"
  "CMAKE_GENERATOR=${CMAKE_GENERATOR}"
  "CC=${CMAKE_C_COMPILER}"
  "VEPOLL_VERSION=${PROJECT_VERSION}")

foreach(_mode install find_package pkg_config subdirectory header_c99 header_cxx
              sanitizer_builds)
  add_test(NAME packaging_${_mode}
    COMMAND bash ${_vepoll_pk_dir}/run.sh ${_mode}
            ${VEPOLL_SOURCE_DIR} ${PROJECT_BINARY_DIR} ${_vepoll_pk_work}
            $<TARGET_FILE:vepoll> $<CONFIG>)
  set_tests_properties(packaging_${_mode} PROPERTIES
    LABELS packaging TIMEOUT 300 ENVIRONMENT "${_vepoll_pk_env}")
endforeach()

# install must finish before the two tests that consume the installed tree.
set_tests_properties(packaging_install PROPERTIES FIXTURES_SETUP vepoll_installed)
set_tests_properties(packaging_find_package packaging_pkg_config PROPERTIES
  FIXTURES_REQUIRED vepoll_installed)
