// Layers out of hardware-layer order (`hw_layer`, MAX78002 link layers).
// RUN: tornado-opt %s -split-input-file -verify-diagnostics

tornado.network @partial(%in: tensor<1x4x4xi8>) -> ()
    attributes {device = #tornado.device<max78002>} {
  %0 = tornado.layer "a"(%in) {hw_layer = 1 : i64} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  // expected-error @+1 {{needs `hw_layer`: the other layers of the network have one}}
  %1 = tornado.layer "b"(%0) {} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @outside(%in: tensor<1x4x4xi8>) -> ()
    attributes {device = #tornado.device<max78002>} {
  %0 = tornado.layer "a"(%in) {hw_layer = 0 : i64} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  // expected-error @+1 {{`hw_layer` 2 is outside the network's hardware layers 0..1}}
  %1 = tornado.layer "b"(%0) {hw_layer = 2 : i64} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @twice(%in: tensor<1x4x4xi8>) -> ()
    attributes {device = #tornado.device<max78002>} {
  %0 = tornado.layer "a"(%in) {hw_layer = 1 : i64} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  // expected-error @+1 {{`hw_layer` 1 is used by an earlier layer}}
  %1 = tornado.layer "b"(%0) {hw_layer = 1 : i64} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

// expected-error @+1 {{runs its layers out of hardware-layer order, but MAX78000 has no link layers}}
tornado.network @no_links(%in: tensor<1x4x4xi8>) -> () {
  %0 = tornado.layer "a"(%in) {hw_layer = 1 : i64} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  %1 = tornado.layer "b"(%0) {hw_layer = 0 : i64} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

// In slot order on a device without link layers, and out of order on one
// with them: both fine.
tornado.network @in_order(%in: tensor<1x4x4xi8>) -> () {
  %0 = tornado.layer "a"(%in) {hw_layer = 0 : i64} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  %1 = tornado.layer "b"(%0) {hw_layer = 1 : i64} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

tornado.network @linked(%in: tensor<1x4x4xi8>) -> ()
    attributes {device = #tornado.device<max78002>} {
  %0 = tornado.layer "a"(%in) {hw_layer = 1 : i64} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  %1 = tornado.layer "b"(%0) {hw_layer = 0 : i64} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}
