//===- Passes.cpp - Tornado pass registration support ---------------------===//
//
// Each pass lives in its own file; this file only anchors the library.
//
//===----------------------------------------------------------------------===//

#include "tornado/Transforms/Passes.h"
