# alloc_unwind_mod: the dlopen'ed module of alloc_unwind.
add_library(ex_alloc_unwind_mod MODULE
            ${CMAKE_CURRENT_SOURCE_DIR}/alloc_unwind_mod.c)
set_target_properties(ex_alloc_unwind_mod PROPERTIES
  OUTPUT_NAME alloc_unwind_mod PREFIX ""
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/examples)
target_compile_options(ex_alloc_unwind_mod PRIVATE -O2 -g -fomit-frame-pointer
                       -fno-sanitize=all)
target_link_options(ex_alloc_unwind_mod PRIVATE -fno-sanitize=all)
