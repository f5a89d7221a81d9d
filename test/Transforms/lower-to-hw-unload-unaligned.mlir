// RUN: tornado-opt %s --split-input-file --tornado-lower-to-hw="kat=false unload=true" 2>/dev/null | FileCheck %s
// RUN: tornado-opt %s --split-input-file --tornado-lower-to-hw="kat=false unload=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=WARN --implicit-check-not=warning:

// Output processors 2-7: channels 0-1 sit in lanes 2-3 of the first data
// instance, channels 2-5 in lanes 0-3 of the second. Every channel is
// unloaded from its own lane. (The izer's loop reads lanes 2-3 of both
// words, so its unload drops channels 2-3 and repeats channels 4-5; Tornado
// warns that it differs.)
// WARN: warning: layer 'p': cnn_unload reads every output channel from where the layer writes it; the izer's unload misreads channels when a used output processor follows an unused one in its group of 4
// CHECK-LABEL: tornado_hw.program @unaligned
// CHECK-DAG: tornado_hw.unload_bytes 0x50400010 count 1 to [-1, -1, 0, 1]
// CHECK-DAG: tornado_hw.unload_bytes 0x50408010 count 1 to [2, 3, 4, 5]
tornado.network @unaligned(%in: tensor<6x1x1xi8>) -> tensor<6x1x1xi8> attributes {
    device = #tornado.device<max78000>, input_format = #tornado.data_format<hwc>} {
  %0 = tornado.layer "p"(%in) {op = #tornado.op<none>,
      processors = #tornado.procs<0x000000000000003f>,
      output_processors = #tornado.procs<0x00000000000000fc>,
      in_offset = 0 : i64, out_offset = 16 : i64}
      : (tensor<6x1x1xi8>) -> tensor<6x1x1xi8>
  tornado.return %0 : tensor<6x1x1xi8>
}

// -----

// Output processors on a 4-processor boundary: the izer's loops read the
// right lanes, and nothing is said.
// CHECK-LABEL: tornado_hw.program @aligned
// CHECK: tornado_hw.unload_bytes 0x50408010 count 1 to [0, 1, 2, 3]
tornado.network @aligned(%in: tensor<4x1x1xi8>) -> tensor<4x1x1xi8> attributes {
    device = #tornado.device<max78000>, input_format = #tornado.data_format<hwc>} {
  %0 = tornado.layer "q"(%in) {op = #tornado.op<none>,
      processors = #tornado.procs<0x000000000000000f>,
      output_processors = #tornado.procs<0x00000000000000f0>,
      in_offset = 0 : i64, out_offset = 16 : i64}
      : (tensor<4x1x1xi8>) -> tensor<4x1x1xi8>
  tornado.return %0 : tensor<4x1x1xi8>
}

// -----

// A write gap: the second group of 4 processors is read from its own memory
// instance (the izer's unload scales the instance by the gap as well).
// CHECK-LABEL: tornado_hw.program @gap
// CHECK-DAG: tornado_hw.unload_bytes 0x50400010 count 1 to [0, 1, 2, 3]
// CHECK-DAG: tornado_hw.unload_bytes 0x50408010 count 1 to [4, 5, 6, 7]
// WARN: warning: layer 'g': cnn_unload reads every output channel from where the layer writes it; the izer's unload misreads channels with a write_gap outside the first memory instance
tornado.network @gap(%in: tensor<8x1x1xi8>) -> tensor<8x1x1xi8> attributes {
    device = #tornado.device<max78000>, input_format = #tornado.data_format<hwc>} {
  %0 = tornado.layer "g"(%in) {op = #tornado.op<none>,
      processors = #tornado.procs<0x00000000000000ff>,
      output_processors = #tornado.procs<0x00000000000000ff>,
      in_offset = 0 : i64, out_offset = 16 : i64, write_gap = 1 : i64}
      : (tensor<8x1x1xi8>) -> tensor<8x1x1xi8>
  tornado.return %0 : tensor<8x1x1xi8>
}
