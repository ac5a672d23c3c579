# plugin: a dlopen'ed module for plugin_host (build/examples/plugin.so).
add_library(ex_plugin MODULE ${CMAKE_CURRENT_SOURCE_DIR}/plugin.c)
set_target_properties(ex_plugin PROPERTIES OUTPUT_NAME plugin PREFIX ""
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/examples)
target_compile_options(ex_plugin PRIVATE -O2 -g -fno-sanitize=all)
target_link_options(ex_plugin PRIVATE -fno-sanitize=all)
