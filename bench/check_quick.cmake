# ctest bench_quick / bench_wasix_quick: run `vepoll-bench --quick` on one
# set of scenarios and check that it succeeded and printed every target
# (and info) line in the documented form.  Timings, PASS/MISS and the info
# values are never checked.
#   cmake -DBENCH=/path/to/vepoll-bench -DSET=core|wasix -P check_quick.cmake
if(SET STREQUAL "core")
  set(only 1,2,3,4,5,6,7,8)
  set(targets
    lt_notify_harvest_vs_kernel lt_notify_harvest_vs_gmutex lt_notify_harvest_vs_mutexq
    et_notify_harvest_vs_kernel et_notify_harvest_vs_gmutex et_notify_harvest_vs_mutexq
    dedupe_hit_vs_atomic_rmw
    batch64_lt_vs_mutexq batch64_et_vs_mutexq
    wake_vs_futex_split wake_vs_futex_same_cpu wake_spin_vs_futex_spin_split
    wake_vs_eventfd_split wake_vs_eventfd_same_cpu
    fanin_p2_updates_vs_mutexq fanin_p2_harvested_vs_mutexq
    wait0_1M_vs_1
    bytes_per_registration bytes_per_source)
  set(infos adddel_2threads_asleep_vs_1thread adddel_2threads_spin_vs_1thread)
elseif(SET STREQUAL "wasix")
  set(only 9)
  set(targets wasix_et_guest_vs_native wasix_lt_guest_vs_native)
  set(infos
    wasix_et_kernel_vs_guest wasix_lt_kernel_vs_guest
    wasix_wake_guest_vs_native wasix_wake_kernel_vs_guest)
else()
  message(FATAL_ERROR "SET must be core or wasix")
endif()

execute_process(COMMAND ${BENCH} --quick --only ${only}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "vepoll-bench --quick --only ${only} exited with ${rc}\n${err}")
endif()
foreach(t ${targets})
  if(NOT out MATCHES "\ntarget ${t}: [0-9.e+-]+[xB]? \\(goal (<=|>=) [0-9.e+-]+[xB]?\\) (PASS|MISS)\n")
    message(FATAL_ERROR "missing or malformed target line for ${t}")
  endif()
endforeach()
foreach(t ${infos})
  if(NOT out MATCHES "\ninfo ${t}: [0-9.e+-]+x \\([^\n]*\\)\n")
    message(FATAL_ERROR "missing or malformed info line for ${t}")
  endif()
endforeach()
foreach(kind target info)
  string(REGEX MATCHALL "\n${kind} " lines "${out}")
  list(LENGTH lines n)
  list(LENGTH ${kind}s want)
  if(NOT n EQUAL want)
    message(FATAL_ERROR "expected ${want} ${kind} lines, got ${n}")
  endif()
endforeach()
