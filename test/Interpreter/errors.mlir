// RUN: %python -c "import numpy as np; np.save('%t.npy', np.zeros((1, 3, 3), dtype=np.int64)); np.save('%t.big.npy', np.full((1, 2, 2), 300, dtype=np.int64))"
// RUN: not tornado-run %s --input %t.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: error: network input 0 must have shape 1x2x2 but has shape 1x3x3
// RUN: not tornado-run %s --input %t.big.npy 2>&1 | FileCheck %s --check-prefix=RANGE
// RANGE: error: {{.*}}big.npy: input value 300 is outside the 8-bit range [-128, 127]
// RUN: not tornado-run %s 2>&1 | FileCheck %s --check-prefix=COUNT
// COUNT: error: network @bn takes 1 input(s) but 0 were given
// RUN: not tornado-run %s --input %t.missing.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: {{.*}}missing.npy

// RUN: %python -c "import numpy as np; np.save('%t.ok.npy', np.zeros((1, 2, 2), dtype=np.int64))"
// RUN: not tornado-run %s --input %t.ok.npy 2>&1 | FileCheck %s --check-prefix=BN
// BN: error: 'tornado.batchnorm' at {{.*}}errors.mlir:{{[0-9]+}}:{{[0-9]+}}: batchnorm has no integer semantics on the accelerator; run tornado-fold-batchnorm first
tornado.network @bn(%in: tensor<1x2x2xi8>) -> tensor<1x2x2xi8> {
  %0 = tornado.batchnorm %in {mean = dense<0.0> : tensor<1xf32>,
      variance = dense<1.0> : tensor<1xf32>} : tensor<1x2x2xi8>
  tornado.return %0 : tensor<1x2x2xi8>
}
