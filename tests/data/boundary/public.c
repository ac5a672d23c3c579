/* Compiled as a source of lib/unwind would be: its own internals and other
 * modules' public headers are found (tests/CMakeLists.txt). */
#include "heap/heap.h"
#include "symbol/symbol.h"
#include "unwind/unwind.h"

int boundary_public(void);
