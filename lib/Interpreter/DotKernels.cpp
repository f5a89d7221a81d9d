//===- DotKernels.cpp - Blocked int16 dot products ------------------------===//
//
// A register tile of 4 weight rows x 2 input rows keeps eight int32 vector
// sums; AVX2's multiply-add of int16 pairs (vpmaddwd) adds two products per
// lane. With AVX-512 VNNI the tile is 4 x 4 and vpdpwssd multiplies, pairs
// and accumulates 32 products in one instruction. The portable loop computes
// the same sums: integer addition is exact in any order while nothing
// overflows, which the caller guarantees.
//
//===----------------------------------------------------------------------===//

#include "DotKernels.h"

#include <cassert>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define TORNADO_HAVE_AVX2_KERNEL 1
#endif

using namespace tornado::interp::detail;

namespace {

/// Walks the block in R x C tiles of Kernel::tile, then the remainders.
template <typename Kernel, size_t R, size_t C>
void forTiles(const int16_t *w, size_t rows, const int16_t *x, size_t cols,
              size_t len, int32_t *out, size_t outStride) {
  size_t r = 0;
  for (; r + R <= rows; r += R) {
    size_t c = 0;
    for (; c + C <= cols; c += C)
      Kernel::template tile<R, C>(w + r * len, x + c * len, len,
                                  out + r * outStride + c, outStride);
    for (; c < cols; ++c)
      Kernel::template tile<R, 1>(w + r * len, x + c * len, len,
                                  out + r * outStride + c, outStride);
  }
  for (; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c)
      Kernel::template tile<1, 1>(w + r * len, x + c * len, len,
                                  out + r * outStride + c, outStride);
}

struct PortableKernel {
  template <size_t R, size_t C>
  static void tile(const int16_t *w, const int16_t *x, size_t len, int32_t *out,
                   size_t outStride) {
    for (size_t r = 0; r < R; ++r)
      for (size_t c = 0; c < C; ++c) {
        int32_t sum = 0;
        for (size_t t = 0; t < len; ++t)
          sum += int32_t(w[r * len + t]) * int32_t(x[c * len + t]);
        out[r * outStride + c] = sum;
      }
  }
};

#ifdef TORNADO_HAVE_AVX2_KERNEL

__attribute__((target("avx2"))) inline int32_t hsum(__m256i v) {
  __m128i s =
      _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return _mm_cvtsi128_si32(s);
}

struct Avx2Kernel {
  /// R weight rows x C input rows.
  template <size_t R, size_t C>
  __attribute__((target("avx2"))) static void
  tile(const int16_t *w, const int16_t *x, size_t len, int32_t *out,
       size_t outStride);
};

template <size_t R, size_t C>
__attribute__((target("avx2"))) void
Avx2Kernel::tile(const int16_t *w, const int16_t *x, size_t len, int32_t *out,
                 size_t outStride) {
  __m256i acc[R][C];
  for (size_t r = 0; r < R; ++r)
    for (size_t c = 0; c < C; ++c)
      acc[r][c] = _mm256_setzero_si256();
  for (size_t t = 0; t < len; t += 16) {
    __m256i xv[C];
    for (size_t c = 0; c < C; ++c)
      xv[c] = _mm256_loadu_si256(
          reinterpret_cast<const __m256i *>(x + c * len + t));
    for (size_t r = 0; r < R; ++r) {
      __m256i wv = _mm256_loadu_si256(
          reinterpret_cast<const __m256i *>(w + r * len + t));
      for (size_t c = 0; c < C; ++c)
        acc[r][c] = _mm256_add_epi32(acc[r][c], _mm256_madd_epi16(wv, xv[c]));
    }
  }
  for (size_t r = 0; r < R; ++r)
    for (size_t c = 0; c < C; ++c)
      out[r * outStride + c] = hsum(acc[r][c]);
}

#define TORNADO_AVX512_VNNI "avx512f,avx512bw,avx512vl,avx512vnni"

/// Adds the products of 32 (or, with `mask` 0xffff, 16) values of each row
/// of the tile into `acc`.
template <size_t R, size_t C>
__attribute__((target(TORNADO_AVX512_VNNI))) inline void
stepVnni(__m512i (&acc)[R][C], const int16_t *w, const int16_t *x, size_t len,
         size_t t, __mmask32 mask) {
  __m512i xv[C];
  for (size_t c = 0; c < C; ++c)
    xv[c] = _mm512_maskz_loadu_epi16(mask, x + c * len + t);
  for (size_t r = 0; r < R; ++r) {
    __m512i wv = _mm512_maskz_loadu_epi16(mask, w + r * len + t);
    for (size_t c = 0; c < C; ++c)
      acc[r][c] = _mm512_dpwssd_epi32(acc[r][c], wv, xv[c]);
  }
}

struct VnniKernel {
  /// R weight rows x C input rows with AVX-512 VNNI: one vpdpwssd adds 32
  /// products into 16 lanes. A row tail of 16 values is loaded masked (the
  /// upper lanes read as zero and add nothing).
  template <size_t R, size_t C>
  __attribute__((target(TORNADO_AVX512_VNNI))) static void
  tile(const int16_t *w, const int16_t *x, size_t len, int32_t *out,
       size_t outStride);
};

template <size_t R, size_t C>
__attribute__((target(TORNADO_AVX512_VNNI))) void
VnniKernel::tile(const int16_t *w, const int16_t *x, size_t len, int32_t *out,
                 size_t outStride) {
  __m512i acc[R][C];
  for (size_t r = 0; r < R; ++r)
    for (size_t c = 0; c < C; ++c)
      acc[r][c] = _mm512_setzero_si512();
  size_t t = 0;
  for (; t + 32 <= len; t += 32)
    stepVnni<R, C>(acc, w, x, len, t, ~__mmask32(0));
  if (t < len)
    stepVnni<R, C>(acc, w, x, len, t, __mmask32(0xffff));
  for (size_t r = 0; r < R; ++r)
    for (size_t c = 0; c < C; ++c)
      out[r * outStride + c] = _mm512_reduce_add_epi32(acc[r][c]);
}

#endif // TORNADO_HAVE_AVX2_KERNEL

} // namespace

bool tornado::interp::detail::dotIsaAvailable(DotIsa isa) {
  switch (isa) {
  case DotIsa::Portable:
    return true;
#ifdef TORNADO_HAVE_AVX2_KERNEL
  case DotIsa::Avx2:
    return __builtin_cpu_supports("avx2");
  case DotIsa::Avx512Vnni:
    return __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512vnni");
#else
  case DotIsa::Avx2:
  case DotIsa::Avx512Vnni:
    return false;
#endif
  }
  return false;
}

void tornado::interp::detail::dotBlockWith(DotIsa isa, const int16_t *w,
                                           size_t rows, const int16_t *x,
                                           size_t cols, size_t len,
                                           int32_t *out, size_t outStride) {
  assert(dotIsaAvailable(isa) && "instruction set not available");
  switch (isa) {
#ifdef TORNADO_HAVE_AVX2_KERNEL
  case DotIsa::Avx512Vnni:
    return forTiles<VnniKernel, 4, 4>(w, rows, x, cols, len, out, outStride);
  case DotIsa::Avx2:
    return forTiles<Avx2Kernel, 4, 2>(w, rows, x, cols, len, out, outStride);
#else
  case DotIsa::Avx512Vnni:
  case DotIsa::Avx2:
#endif
  case DotIsa::Portable:
    break;
  }
  forTiles<PortableKernel, 1, 1>(w, rows, x, cols, len, out, outStride);
}

void tornado::interp::detail::dotBlock(const int16_t *w, size_t rows,
                                       const int16_t *x, size_t cols,
                                       size_t len, int32_t *out,
                                       size_t outStride) {
  // The widest instruction set this processor has, chosen once.
  static const DotIsa best = dotIsaAvailable(DotIsa::Avx512Vnni)
                                 ? DotIsa::Avx512Vnni
                             : dotIsaAvailable(DotIsa::Avx2) ? DotIsa::Avx2
                                                             : DotIsa::Portable;
  dotBlockWith(best, w, rows, x, cols, len, out, outStride);
}
