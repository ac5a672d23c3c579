# sym_deep: deep call chain without frame pointers (DWARF unwinding target).
add_executable(ex_sym_deep ${CMAKE_CURRENT_SOURCE_DIR}/sym_deep.c)
set_target_properties(ex_sym_deep PROPERTIES OUTPUT_NAME sym_deep)
target_compile_options(ex_sym_deep PRIVATE -O2 -g -fomit-frame-pointer
                                           -fno-sanitize=all)
target_link_options(ex_sym_deep PRIVATE -fno-sanitize=all)
