/**
 * WAT source of optim.wasm: the fused Adam/AdamW update on f32x4 lanes.
 *
 * Why a kernel of its own: the optimizer step is memory-bound arithmetic with a square root and a division per
 * element, and V8 compiles the JS loop to scalar f64 code — 150–290 µs for the seed MLP's 39,760 parameters,
 * a fifth of a training step. Four lanes at a time, with the four arrays copied into wasm memory and three copied
 * back, take ~55 µs (bench: see BENCHMARKS.md, "Adam step").
 *
 * The arithmetic is float32 throughout, as PyTorch's float32 Adam is (the JS fallback rounds only on stores, so
 * the two may differ in the last bit):
 *
 *   g = grad + l2·p ;  p = decay·p
 *   m = β1·m + (1 − β1)·g
 *   v = β2·v + (1 − β2)·g²
 *   p = p − stepSize·m / (√v · invSqrtBc2 + eps)
 *
 * Arrays are padded to whole f32x4 groups by the caller; the padding lanes compute garbage nobody reads.
 */
export function generateOptimWat(): string {
  const splat = (name: string) => `(local.set $${name.toUpperCase()} (f32x4.splat (local.get $${name})))`;
  const names = ['b1', 'b2', 'c1', 'c2', 'step', 'isb', 'eps', 'l2', 'decay'];
  return `(module
  (import "env" "memory" (memory 1))
  ;; p, g, m, v: byte offsets (16-byte aligned) of f32 arrays; n4: the number of f32x4 groups
  (func (export "adam") (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n4 i32)
        ${names.map((n) => `(param $${n} f32)`).join(' ')}
    (local $gv v128) (local $pv v128) (local $mv v128) (local $vv v128)
    ${names.map((n) => `(local $${n.toUpperCase()} v128)`).join(' ')}
    ${names.map(splat).join('\n    ')}
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n4)))
      (local.set $pv (v128.load (local.get $p)))
      (local.set $gv (f32x4.add (v128.load (local.get $g)) (f32x4.mul (local.get $L2) (local.get $pv))))
      (local.set $pv (f32x4.mul (local.get $DECAY) (local.get $pv)))
      (local.set $mv (f32x4.add (f32x4.mul (local.get $B1) (v128.load (local.get $m))) (f32x4.mul (local.get $C1) (local.get $gv))))
      (local.set $vv (f32x4.add (f32x4.mul (local.get $B2) (v128.load (local.get $v)))
                                (f32x4.mul (f32x4.mul (local.get $C2) (local.get $gv)) (local.get $gv))))
      (v128.store (local.get $m) (local.get $mv))
      (v128.store (local.get $v) (local.get $vv))
      (v128.store (local.get $p)
        (f32x4.sub (local.get $pv)
          (f32x4.div (f32x4.mul (local.get $STEP) (local.get $mv))
                     (f32x4.add (f32x4.mul (f32x4.sqrt (local.get $vv)) (local.get $ISB)) (local.get $EPS)))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $g (i32.add (local.get $g) (i32.const 16)))
      (local.set $m (i32.add (local.get $m) (i32.const 16)))
      (local.set $v (i32.add (local.get $v) (i32.const 16)))
      (local.set $n4 (i32.sub (local.get $n4) (i32.const 1)))
      (br $next)))))
`;
}
