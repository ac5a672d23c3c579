/* Compiled as a source of lib/unwind would be: another module's internal
 * header must not be found (tests/CMakeLists.txt, build_boundary_*). */
#include "unwind/unwind.h"
#include "symbol/internal.h"
