//===- DotKernels.h - Blocked int16 dot products ------------*- C++ -*-===//
//
// The interpreter's convolutions with 8-bit (or any int16-representable)
// data reduce to dot products of weight rows with im2col rows. These run on
// int16 operands with int32 sums; the caller proves that no partial sum can
// leave the int32 range (then the order of the additions does not matter
// and the results are exact).
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_LIB_INTERPRETER_DOTKERNELS_H
#define TORNADO_LIB_INTERPRETER_DOTKERNELS_H

#include <cstddef>
#include <cstdint>

namespace tornado {
namespace interp {
namespace detail {

/// Row lengths dotBlock accepts are multiples of this (pad with zeros).
constexpr size_t kDotAlign = 16;

/// The instruction sets dotBlock can run on.
enum class DotIsa { Portable, Avx2, Avx512Vnni };

/// Whether this build and processor can run `isa`.
bool dotIsaAvailable(DotIsa isa);

/// out[c * outStride + p] = sum over t < len of w[c * len + t] * x[p * len + t]
/// for c < rows, p < cols. `len` is a multiple of kDotAlign. Uses AVX-512
/// VNNI or AVX2 where the processor has them.
void dotBlock(const int16_t *w, size_t rows, const int16_t *x, size_t cols,
              size_t len, int32_t *out, size_t outStride);

/// dotBlock on a given (available) instruction set; all give the same sums.
void dotBlockWith(DotIsa isa, const int16_t *w, size_t rows, const int16_t *x,
                  size_t cols, size_t len, int32_t *out, size_t outStride);

} // namespace detail
} // namespace interp
} // namespace tornado

#endif // TORNADO_LIB_INTERPRETER_DOTKERNELS_H
