# alloc_counts: built twice, with and without frame pointers, so that
# tests can check that allocation stacks do not depend on them.
foreach(variant alloc_counts alloc_counts_nofp)
  add_executable(ex_${variant} ${CMAKE_CURRENT_SOURCE_DIR}/alloc_counts.c)
  set_target_properties(ex_${variant} PROPERTIES OUTPUT_NAME ${variant}
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/examples)
  target_link_options(ex_${variant} PRIVATE -fno-sanitize=all)
endforeach()
target_compile_options(ex_alloc_counts PRIVATE -O2 -g -fno-omit-frame-pointer
                                               -fno-sanitize=all)
target_compile_options(ex_alloc_counts_nofp PRIVATE -O2 -g -fomit-frame-pointer
                                                    -fno-sanitize=all)
