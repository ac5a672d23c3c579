# sym_stripped: stripped executable + sym_stripped.debug via .gnu_debuglink.
add_executable(ex_sym_stripped ${CMAKE_CURRENT_SOURCE_DIR}/sym_stripped.c)
set_target_properties(ex_sym_stripped PROPERTIES OUTPUT_NAME sym_stripped)
target_compile_options(ex_sym_stripped PRIVATE -O2 -g -fno-sanitize=all)
target_link_options(ex_sym_stripped PRIVATE -fno-sanitize=all)
add_custom_command(TARGET ex_sym_stripped POST_BUILD
  WORKING_DIRECTORY ${CMAKE_BINARY_DIR}/examples
  COMMAND objcopy --only-keep-debug sym_stripped sym_stripped.debug
  COMMAND strip --strip-all sym_stripped
  COMMAND objcopy --add-gnu-debuglink=sym_stripped.debug sym_stripped
  COMMENT "Stripping sym_stripped into sym_stripped.debug")
