# Tests are found by name, so adding a test never means editing this file:
#   tests/unit/test_<module>.c      one cmocka program per module  -> ctest "unit_<module>"
#   tests/integration/<name>.sh     one shell test per behaviour   -> ctest "<name>"
# Shell tests get the binary, the source tree and a scratch folder in the environment.

# Where `make deps-npm` put the OpenCode CLI versions: <cache>/<version>/node_modules/.bin/opencode
if(NOT OPENCODE_CACHE)
  if(DEFINED ENV{OPENCODE_CACHE})
    set(OPENCODE_CACHE $ENV{OPENCODE_CACHE})
  else()
    set(OPENCODE_CACHE $ENV{HOME}/.cache/codefleet/opencode)
  endif()
endif()

set(TEST_ENV
  "CODEFLEET_BIN=$<TARGET_FILE:codefleet>"
  "CODEFLEET_SRC=${CMAKE_SOURCE_DIR}"
  "CODEFLEET_BUILD=${CMAKE_BINARY_DIR}"
  "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86"
  "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"
  "OPENCODE_CACHE=${OPENCODE_CACHE}")

if(CMOCKA_FOUND)
  file(GLOB UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/test_*.c)
  foreach(src ${UNIT_TESTS})
    get_filename_component(name ${src} NAME_WE)
    string(REGEX REPLACE "^test_" "" module ${name})
    add_executable(${name} ${src})
    target_link_libraries(${name} PRIVATE codefleet_core PkgConfig::CMOCKA)
    add_test(NAME unit_${module} COMMAND ${name})
    set_tests_properties(unit_${module} PROPERTIES
      LABELS unit TIMEOUT 120 ENVIRONMENT "${TEST_ENV}"
      WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests)
  endforeach()
else()
  message(WARNING "cmocka not found: unit tests are not built (make test installs it)")
endif()

file(GLOB SHELL_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/integration/*.sh)
foreach(src ${SHELL_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_test(NAME ${name} COMMAND bash ${src})
  set_tests_properties(${name} PROPERTIES
    LABELS integration TIMEOUT 600 ENVIRONMENT "${TEST_ENV}"
    WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
endforeach()
