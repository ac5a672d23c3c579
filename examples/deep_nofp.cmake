# deep_nofp: a deep call chain built without frame pointers, so that only
# DWARF unwinding (cdoctor run's default) recovers it.
add_executable(ex_deep_nofp ${CMAKE_CURRENT_SOURCE_DIR}/deep_nofp.c)
set_target_properties(ex_deep_nofp PROPERTIES OUTPUT_NAME deep_nofp
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/examples)
target_compile_options(ex_deep_nofp PRIVATE -O2 -g -fomit-frame-pointer
                                            -fno-sanitize=all)
target_link_options(ex_deep_nofp PRIVATE -fno-sanitize=all)
