/**
 * WAT source of linear.wasm: the small kernels around a Linear layer's GEMMs in a training step — the bias add,
 * the bias + ReLU epilogue, ReLU's backward (threshold_backward) and the bias gradient (a column sum).
 *
 * Why: V8 runs these as scalar loops whose branches on the sign of each value mispredict about half the time
 * (ReLU's inputs are ~50% positive): 7–10 µs for the seed MLP's [64, 50] hidden layer, per kernel, against
 * ~1 µs for the SIMD version with masks instead of branches (BENCHMARKS.md, "torch.compile").
 *
 * Every kernel gives the bits of the JS loop it replaces (backends/cpu/index.ts, reduce.ts, compile/fuse.ts):
 * - a float32 add is the same in f32 as in JS's f64-then-round (53 ≥ 2·24 + 2 bits: double rounding is exact);
 * - masks select the very values the branches pick (ReLU: x > 0 or NaN keeps x, else +0, so −0 becomes 0);
 * - the column sum accumulates each column in f64, row by row, as reduce.ts does, and rounds once.
 *
 * Byte offsets are 16-byte aligned for element-wise arrays (the caller pads n to whole f32x4 groups; padding
 * lanes compute garbage nobody reads); row kernels use unaligned loads within rows.
 */
export function generateLinearWat(): string {
  return `(module
  (import "env" "memory" (memory 1))

  ;; out[i] = x[i] > t ? g[i] : 0, for n4 groups of 4
  (func (export "thresholdBackward") (param $g i32) (param $x i32) (param $out i32) (param $n4 i32) (param $t f32)
    (local $T v128)
    (local.set $T (f32x4.splat (local.get $t)))
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n4)))
      (v128.store (local.get $out) (v128.and (v128.load (local.get $g)) (f32x4.gt (v128.load (local.get $x)) (local.get $T))))
      (local.set $g (i32.add (local.get $g) (i32.const 16)))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (local.set $n4 (i32.sub (local.get $n4) (i32.const 1)))
      (br $next))))

  ;; h[i, j] = y[i, j] + b[j]; with relu = 1 also r[i, j] = (h > 0 or h is NaN) ? h : 0. y, h, r: [M, N] row-major
  (func (export "biasAdd") (param $y i32) (param $b i32) (param $h i32) (param $r i32) (param $M i32) (param $N i32) (param $relu i32)
    (local $j i32) (local $v v128) (local $s f32) (local $Z v128)
    (local.set $Z (v128.const i32x4 0 0 0 0))
    (block $rows (loop $row
      (br_if $rows (i32.eqz (local.get $M)))
      (local.set $j (i32.const 0))
      (block $vd (loop $vec
        (br_if $vd (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $N)))
        (local.set $v (f32x4.add (v128.load (local.get $y)) (v128.load (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))))
        (v128.store (local.get $h) (local.get $v))
        (if (local.get $relu) (then
          (v128.store (local.get $r) (v128.bitselect (local.get $v) (local.get $Z)
            (v128.or (f32x4.gt (local.get $v) (local.get $Z)) (f32x4.ne (local.get $v) (local.get $v)))))))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (local.set $h (i32.add (local.get $h) (i32.const 16)))
        (local.set $r (i32.add (local.get $r) (i32.const 16)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vec)))
      (block $td (loop $tail
        (br_if $td (i32.ge_u (local.get $j) (local.get $N)))
        (local.set $s (f32.add (f32.load (local.get $y)) (f32.load (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))))
        (f32.store (local.get $h) (local.get $s))
        (if (local.get $relu) (then
          (f32.store (local.get $r) (select (local.get $s) (f32.const 0)
            (i32.or (f32.gt (local.get $s) (f32.const 0)) (f32.ne (local.get $s) (local.get $s)))))))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (local.set $h (i32.add (local.get $h) (i32.const 4)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $tail)))
      (local.set $M (i32.sub (local.get $M) (i32.const 1)))
      (br $row))))

  ;; out[j] = f32(sum over i < R of f64(x[i, j])), summed in row order; x: [R, N] row-major
  (func (export "colSum") (param $x i32) (param $R i32) (param $N i32) (param $out i32)
    (local $j i32) (local $i i32) (local $p i32) (local $rowBytes i32) (local $v v128) (local $lo v128) (local $hi v128) (local $s f64)
    (local.set $rowBytes (i32.shl (local.get $N) (i32.const 2)))
    (local.set $j (i32.const 0))
    (block $vd (loop $vec
      (br_if $vd (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $N)))
      (local.set $lo (f64x2.splat (f64.const 0)))
      (local.set $hi (f64x2.splat (f64.const 0)))
      (local.set $p (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 2))))
      (local.set $i (local.get $R))
      (block $cd (loop $col
        (br_if $cd (i32.eqz (local.get $i)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $lo (f64x2.add (local.get $lo) (f64x2.promote_low_f32x4 (local.get $v))))
        (local.set $hi (f64x2.add (local.get $hi) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
        (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br $col)))
      (v128.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2)))
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (local.get $lo)) (f32x4.demote_f64x2_zero (local.get $hi))))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $vec)))
    (block $td (loop $tail
      (br_if $td (i32.ge_u (local.get $j) (local.get $N)))
      (local.set $s (f64.const 0))
      (local.set $p (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 2))))
      (local.set $i (local.get $R))
      (block $cd (loop $col
        (br_if $cd (i32.eqz (local.get $i)))
        (local.set $s (f64.add (local.get $s) (f64.promote_f32 (f32.load (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br $col)))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2))) (f32.demote_f64 (local.get $s)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $tail))))
)
`;
}
