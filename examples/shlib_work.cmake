# shlib_work: the hot function is in a shared library next to the program.
add_library(shlib_work_lib SHARED
            ${CMAKE_CURRENT_SOURCE_DIR}/lib/shlib_work_lib.c)
set_target_properties(shlib_work_lib PROPERTIES
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/examples)
target_compile_options(shlib_work_lib PRIVATE -O2 -g -fno-sanitize=all)
target_link_options(shlib_work_lib PRIVATE -fno-sanitize=all)
add_executable(ex_shlib_work ${CMAKE_CURRENT_SOURCE_DIR}/shlib_work.c)
set_target_properties(ex_shlib_work PROPERTIES OUTPUT_NAME shlib_work
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/examples
  BUILD_RPATH ${CMAKE_BINARY_DIR}/examples)
target_compile_options(ex_shlib_work PRIVATE -O2 -g -fno-omit-frame-pointer
                                             -fno-sanitize=all)
target_link_options(ex_shlib_work PRIVATE -fno-sanitize=all)
target_link_libraries(ex_shlib_work PRIVATE shlib_work_lib)
