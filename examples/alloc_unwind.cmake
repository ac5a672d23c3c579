# alloc_unwind: allocations where unwinding is hard (C++ exceptions,
# signal handlers, an alternate signal stack, a dlopen'ed module, a
# realigned frame), -O2 without frame pointers and with them
# (alloc_unwind_fp); its module is alloc_unwind_mod.so.
foreach(variant alloc_unwind alloc_unwind_fp)
  add_executable(ex_${variant} ${CMAKE_CURRENT_SOURCE_DIR}/alloc_unwind.cpp)
  set_target_properties(ex_${variant} PROPERTIES OUTPUT_NAME ${variant})
  target_link_libraries(ex_${variant} PRIVATE dl)
  target_link_options(ex_${variant} PRIVATE -fno-sanitize=all)
endforeach()
target_compile_options(ex_alloc_unwind PRIVATE -O2 -g -fomit-frame-pointer
                       -fno-sanitize=all)
target_compile_options(ex_alloc_unwind_fp PRIVATE -O2 -g
                       -fno-omit-frame-pointer -fno-sanitize=all)
