# alloc_stress: the normal build, and one with AddressSanitizer (the shim
# must work under a target whose own allocator is ASan's).
add_executable(ex_alloc_stress ${CMAKE_CURRENT_SOURCE_DIR}/alloc_stress.c)
set_target_properties(ex_alloc_stress PROPERTIES OUTPUT_NAME alloc_stress)
target_compile_options(ex_alloc_stress PRIVATE -O2 -g -fno-omit-frame-pointer
                                               -fno-sanitize=all)
target_link_options(ex_alloc_stress PRIVATE -fno-sanitize=all)
target_link_libraries(ex_alloc_stress PRIVATE pthread)

add_executable(ex_alloc_stress_asan ${CMAKE_CURRENT_SOURCE_DIR}/alloc_stress.c)
set_target_properties(ex_alloc_stress_asan PROPERTIES
                      OUTPUT_NAME alloc_stress_asan)
target_compile_options(ex_alloc_stress_asan PRIVATE -O1 -g
                       -fno-omit-frame-pointer -fsanitize=address)
target_link_options(ex_alloc_stress_asan PRIVATE -fsanitize=address)
target_link_libraries(ex_alloc_stress_asan PRIVATE pthread)
