/**
 * WAT source of convert.wasm: gather rows of uint8 and scale them to float32 — MNIST's per-batch
 * `pixels / 255` (data/mnist.ts).
 *
 * Why: V8 runs the scalar table-lookup loop at ~2 ns a pixel, 100–200 µs for a 64-image batch, a sixth of the
 * seed MLP's step. Sixteen pixels at a time (widen u8 → u32, convert, divide) take a fraction of that.
 *
 * `f32x4.div` by 255 is the correctly rounded float32 of v/255, the same value as `Math.fround(v / 255)` for
 * every byte (test/data.test.ts checks all 256).
 *
 * Shuffled batches read rows scattered over 47 MB, so most rows miss every cache: before converting a row the
 * kernel touches one byte per 64-byte line of the row PREFETCH_AHEAD rows later, so those misses overlap the
 * work on this one (a 64-row batch: median 56–60 → 39–43 µs; scratch harness, load ~8; the same output bits).
 * Multiplying by 1/255 in f64 instead of dividing (exact too, for all 256 bytes) was slower: 57 µs.
 */
const PREFETCH_AHEAD = 4;

export function generateConvertWat(): string {
  return `(module
  (import "env" "memory" (memory 1))
  ;; out[i*rowLen + j] = src[idx[i]*rowLen + j] / 255 for i < count, j < rowLen (byte offsets; out 16-byte aligned)
  (func (export "u8rows") (param $src i32) (param $idx i32) (param $count i32) (param $rowLen i32) (param $out i32)
    (local $from i32) (local $ahead i32) (local $j i32) (local $bytes v128) (local $lo v128) (local $hi v128) (local $k v128)
    (local.set $k (f32x4.splat (f32.const 255)))
    (block $rowsDone (loop $row
      (br_if $rowsDone (i32.eqz (local.get $count)))
      (local.set $from (i32.add (local.get $src) (i32.mul (i32.load (local.get $idx)) (local.get $rowLen))))
      ;; touch the row PREFETCH_AHEAD rows on (loads nobody uses, which start its cache misses now)
      (if (i32.gt_u (local.get $count) (i32.const ${PREFETCH_AHEAD})) (then
        (local.set $j (i32.add (local.get $src) (i32.mul (i32.load offset=${4 * PREFETCH_AHEAD} (local.get $idx)) (local.get $rowLen))))
        (local.set $ahead (i32.add (local.get $j) (local.get $rowLen)))
        (block $touched (loop $touch
          (br_if $touched (i32.ge_u (local.get $j) (local.get $ahead)))
          (drop (i32.load8_u (local.get $j)))
          (local.set $j (i32.add (local.get $j) (i32.const 64)))
          (br $touch)))))
      (local.set $j (i32.const 0))
      ;; 16 pixels at a time
      (block $vecDone (loop $vec
        (br_if $vecDone (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $rowLen)))
        (local.set $bytes (v128.load (i32.add (local.get $from) (local.get $j))))
        (local.set $lo (i16x8.extend_low_i8x16_u (local.get $bytes)))
        (local.set $hi (i16x8.extend_high_i8x16_u (local.get $bytes)))
        (v128.store offset=0 (local.get $out) (f32x4.div (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $lo))) (local.get $k)))
        (v128.store offset=16 (local.get $out) (f32x4.div (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $lo))) (local.get $k)))
        (v128.store offset=32 (local.get $out) (f32x4.div (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $hi))) (local.get $k)))
        (v128.store offset=48 (local.get $out) (f32x4.div (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $hi))) (local.get $k)))
        (local.set $out (i32.add (local.get $out) (i32.const 64)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $vec)))
      ;; the rest of the row one pixel at a time
      (block $tailDone (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $j) (local.get $rowLen)))
        (f32.store (local.get $out) (f32.div (f32.convert_i32_u (i32.load8_u (i32.add (local.get $from) (local.get $j)))) (f32.const 255)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $tail)))
      (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
      (local.set $count (i32.sub (local.get $count) (i32.const 1)))
      (br $row)))))
`;
}
