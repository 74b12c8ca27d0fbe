# ctest rust_bench_quick: `cargo bench --bench notify_wait -- --quick` must
# exit 0 and print its target and info lines in vepoll-bench's form.
# Timings and PASS/MISS are never checked.
#   cmake -DCARGO=cargo -DDIR=bindings/rust -P check_bench.cmake
execute_process(COMMAND ${CARGO} bench --offline --locked --bench notify_wait -- --quick
  WORKING_DIRECTORY ${DIR} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cargo bench --bench notify_wait -- --quick exited with ${rc}\n${err}")
endif()
foreach(mode lt et)
  if(NOT out MATCHES "\ntarget rust_${mode}_notify_wait_vs_c: [0-9.]+x \\(goal <= 1.1x\\) (PASS|MISS)\n")
    message(FATAL_ERROR "missing or malformed target line rust_${mode}_notify_wait_vs_c")
  endif()
  foreach(info rust_ffi_${mode}_notify_wait_vs_c rust_${mode}_notify_wait_min_vs_c)
    if(NOT out MATCHES "\ninfo ${info}: [0-9.]+x \\([^\n]*\\)\n")
      message(FATAL_ERROR "missing or malformed info line ${info}")
    endif()
  endforeach()
endforeach()
