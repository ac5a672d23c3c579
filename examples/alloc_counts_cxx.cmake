# alloc_counts_cxx: C++ new/delete with known counts.
add_executable(ex_alloc_counts_cxx
               ${CMAKE_CURRENT_SOURCE_DIR}/alloc_counts_cxx.cpp)
set_target_properties(ex_alloc_counts_cxx PROPERTIES
                      OUTPUT_NAME alloc_counts_cxx)
target_compile_options(ex_alloc_counts_cxx PRIVATE -O2 -g
                       -fno-omit-frame-pointer -fno-sanitize=all)
target_link_options(ex_alloc_counts_cxx PRIVATE -fno-sanitize=all)
