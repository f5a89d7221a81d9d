//===- Npy.h - numpy .npy reader and writer ---------------------*- C++ -*-===//
//
// Reads .npy format versions 1.0, 2.0 and 3.0, single arrays or streams of
// arrays written back to back, with numeric and boolean dtypes of either
// byte order, C order only; Fortran-order, object and structured arrays are
// rejected with a message saying so. Writes version 1.0 files
// byte-identical to what numpy.save produces.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_SUPPORT_NPY_H
#define TORNADO_SUPPORT_NPY_H

#include "tornado/Support/HostTensor.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"
#include "llvm/Support/raw_ostream.h"
#include <vector>

namespace tornado {

/// An array read from or written to a .npy file.
using NpyArray = HostTensor;

/// Parses .npy data held in memory (copied out; \p buffer may go away).
llvm::Expected<NpyArray> parseNpy(llvm::MemoryBufferRef buffer);

/// Reads a .npy file; errors name the file.
llvm::Expected<NpyArray> readNpy(llvm::StringRef path);

/// Parses arrays stored back to back, as repeated numpy.save calls on one
/// open file write them (the izer's tests/weights_*.npy and tests/bias_*.npy
/// sample files are such streams, one array per layer). As the izer's
/// loader, an empty buffer holds no arrays and trailing bytes that do not
/// start with the .npy magic are ignored; a damaged array is an error.
llvm::Expected<std::vector<NpyArray>>
parseNpyArrays(llvm::MemoryBufferRef buffer);

/// Reads a stream of arrays from a file; errors name the file.
llvm::Expected<std::vector<NpyArray>> readNpyArrays(llvm::StringRef path);

/// Writes \p array in .npy format (little-endian, C order). bfloat16 has no
/// numpy dtype and is rejected.
llvm::Error writeNpy(llvm::raw_ostream &os, const NpyArray &array);

/// Writes \p array to the file \p path (replacing it).
llvm::Error writeNpy(llvm::StringRef path, const NpyArray &array);

} // namespace tornado

#endif // TORNADO_SUPPORT_NPY_H
