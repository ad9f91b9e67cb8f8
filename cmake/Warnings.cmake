# Warnings as errors on our own code only (third-party headers come in as SYSTEM).
function(tq_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
    -Wno-missing-field-initializers -Werror)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # g++ 12 gives false positives on std::variant / std::optional in -O2 builds.
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized -Wno-stringop-overflow
      -Wno-array-bounds -Wno-restrict)
  endif()
endfunction()
