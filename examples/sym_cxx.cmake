# sym_cxx: a C++ program with namespaces, classes and templates (demangling).
add_executable(ex_sym_cxx ${CMAKE_CURRENT_SOURCE_DIR}/sym_cxx.cpp)
set_target_properties(ex_sym_cxx PROPERTIES OUTPUT_NAME sym_cxx)
target_compile_options(ex_sym_cxx PRIVATE -O2 -g -fno-omit-frame-pointer
                                          -fno-sanitize=all)
target_link_options(ex_sym_cxx PRIVATE -fno-sanitize=all)
