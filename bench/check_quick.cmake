# ctest bench_quick: run `vepoll-bench --quick` and check that it succeeded
# and printed every target line in the documented form.  Timings and
# PASS/MISS are never checked.
#   cmake -DBENCH=/path/to/vepoll-bench -P check_quick.cmake
set(targets
  lt_notify_harvest_vs_kernel lt_notify_harvest_vs_mutexq
  et_notify_harvest_vs_mutexq
  dedupe_hit_vs_atomic_rmw
  batch64_lt_vs_mutexq batch64_et_vs_mutexq
  wake_vs_futex_split wake_vs_futex_same_cpu wake_spin_vs_futex_spin_split
  wake_vs_eventfd_split wake_vs_eventfd_same_cpu
  fanin_p2_updates_vs_mutexq fanin_p2_harvested_vs_mutexq
  wait0_1M_vs_1
  bytes_per_registration bytes_per_source)

execute_process(COMMAND ${BENCH} --quick
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "vepoll-bench --quick exited with ${rc}\n${err}")
endif()
foreach(t ${targets})
  if(NOT out MATCHES "\ntarget ${t}: [0-9.e+-]+[xB]? \\(goal (<=|>=) [0-9.e+-]+[xB]?\\) (PASS|MISS)\n")
    message(FATAL_ERROR "missing or malformed target line for ${t}")
  endif()
endforeach()
string(REGEX MATCHALL "\ntarget " lines "${out}")
list(LENGTH lines n)
list(LENGTH targets want)
if(NOT n EQUAL want)
  message(FATAL_ERROR "expected ${want} target lines, got ${n}")
endif()
