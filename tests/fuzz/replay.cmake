# Replays every checked-in fuzz input (tests/fuzz/corpus/<target>/ and tests/fuzz/regressions/<target>/)
# through the same LLVMFuzzerTestOneInput as the fuzzers, linked with replay_main.cc instead of
# libFuzzer: plain executables that build with any compiler, run by ctest in every test build.
# Included from tests/CMakeLists.txt.

set(PITH_FUZZ_SOURCE_DIR ${CMAKE_CURRENT_LIST_DIR})

foreach(target json event bundle merge jsonl stored)
  set(exe fuzz_${target}_replay)
  add_executable(${exe} ${PITH_FUZZ_SOURCE_DIR}/fuzz_${target}.cc ${PITH_FUZZ_SOURCE_DIR}/replay_main.cc)
  target_include_directories(${exe} PRIVATE ${PITH_FUZZ_SOURCE_DIR})
  target_link_libraries(${exe} PRIVATE pith_merge)
  add_test(NAME fuzz_replay_${target}
           COMMAND ${exe} ${PITH_FUZZ_SOURCE_DIR}/corpus/${target} ${PITH_FUZZ_SOURCE_DIR}/regressions/${target})
  set_tests_properties(fuzz_replay_${target} PROPERTIES TIMEOUT 300)
endforeach()

# The json target also checks the merge's pass-1 subject scan (an internal of merge/) and the
# proof's first pass (an internal of engine/).
target_include_directories(fuzz_json_replay PRIVATE ${PROJECT_SOURCE_DIR}/merge/src ${PROJECT_SOURCE_DIR}/engine/src)

# The stored-data target reads the store's internals (storage/src).
target_link_libraries(fuzz_stored_replay PRIVATE pith_storage)
target_include_directories(fuzz_stored_replay PRIVATE ${PROJECT_SOURCE_DIR}/storage/src)

# The CLI's .jsonl reader, compiled from its own sources (tools/ has no library target).
target_sources(fuzz_jsonl_replay PRIVATE ${PROJECT_SOURCE_DIR}/tools/event_inputs.cc ${PROJECT_SOURCE_DIR}/tools/cli_common.cc)
target_include_directories(fuzz_jsonl_replay PRIVATE ${PROJECT_SOURCE_DIR}/tools)
