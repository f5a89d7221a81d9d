// Layers run out of hardware-layer order (MAX78002 link layers): "a" sits in
// hardware layer 1 and runs first, then "b" in hardware layer 0, which stops.
// RUN: tornado-opt %s --tornado-lower-to-hw="kat=false" | FileCheck %s
// RUN: tornado-opt %s --tornado-lower-to-hw="kat=false link-layer=true" -verify-diagnostics -o /dev/null

// Last layer that runs is hardware layer 0: the layer count stays 0.
// CHECK-LABEL: tornado_hw.func init
// CHECK-NOT: tornado_hw.write 0x51000008
// CHECK-LABEL: tornado_hw.func configure
// Hardware layer 0 ("b") stops.
// CHECK: tornado_hw.write 0x51100000, 0x00000100
// Hardware layer 1 ("a") links to hardware layer 0.
// CHECK: tornado_hw.write 0x51100100, 0x00000080

tornado.network @linked(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {device = #tornado.device<max78002>} {
  // expected-error @+1 {{layer 'a': --link-layer links every layer to the next hardware layer, but this one continues with 'b' (next_sequence); the izer's program for this would run the layers out of order}}
  %0 = tornado.layer "a"(%in) {hw_layer = 1 : i64,
      processors = #tornado.procs<0x000000000000000f>,
      output_processors = #tornado.procs<0x000000000000000f>,
      in_offset = 0 : i64, out_offset = 256 : i64}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %1 = tornado.layer "b"(%0) {hw_layer = 0 : i64,
      processors = #tornado.procs<0x000000000000000f>,
      output_processors = #tornado.procs<0x000000000000000f>,
      in_offset = 256 : i64, out_offset = 0 : i64}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %1 : tensor<4x4x4xi8>
}
