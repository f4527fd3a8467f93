/**
 * Generator for the WebAssembly-SIMD SGEMM module (WAT text). build.ts compiles its output with
 * the `wabt` npm package into gemm.wasm; the output is deterministic for fixed options.
 *
 * The module implements a classic Goto/BLIS GEMM (exported function `gemm`):
 *
 *   for jc (NC columns of C)
 *     for pc (KC slice of K)              pack op(B)[pc:pc+kc, jc:jc+nc] -> NR-wide micro-panels
 *       for ic (MC rows of C)             pack op(A)[ic:ic+mc, pc:pc+kc] -> MR-tall micro-panels
 *         for jr (NR)  for ir (MR)        register-blocked MR x NR micro-kernel over kc
 *
 * Packed layouts (float32, contiguous):
 *   A micro-panel: for k in 0..kc: MR values op(A)[i0+r, k]   (rows past M are zero)
 *   B micro-panel: for k in 0..kc: NR values op(B)[k, j0+c]   (cols past N are zero)
 *
 * Transposes are absorbed by the packing routines (contiguous copies, or 4x4 SIMD transposes /
 * 2-row interleaves when k is the contiguous dimension).
 *
 * Micro-kernel: v128.load32_splat for A, v128.load for B, f32x4.mul + f32x4.add (no relaxed-simd
 * FMA). It is generated so that it can be fully unrolled for any MR / NR / k-unroll. Measured on
 * V8 11 (Node 20, x64, 15 allocatable xmm registers): MR=2, NR=16 with no k-unroll is the best
 * shape (8 accumulators + 4 B vectors + 2 broadcasts + 1 temporary = 15 registers). Unrolling k
 * makes TurboFan hoist the next step's loads above the arithmetic, which spills. Narrower kernels
 * ($kernel1..3: 4, 8, 12 columns) serve the right edge so narrow N does not pay for padding.
 *
 * Sparse operands: $compactA / $compactB keep only the k steps where a packed A micro-panel (or B micro-panel)
 * is not all +0, and $kernelSNV / $kernelTNV run over those (same bits as the dense kernels; see
 * genSparseKernel, and the README's "Sparse operands").
 *
 * Memory: the module uses no fixed addresses; packing buffers and operand copies are placed by
 * the JS caller (gemm.ts), which also grows the memory.
 */

export interface GenOptions {
  /** micro-tile rows */
  MR: number;
  /** micro-tile columns (multiple of 4) */
  NR: number;
  /** k-loop unroll factor of the micro-kernel; an array gives one factor per kernel width (index nv-1) */
  U: number | number[];
}

export const DEFAULT_GEN_OPTIONS: GenOptions = { MR: 2, NR: 16, U: [2, 1, 1, 1] };

function unrollFor(o: GenOptions, nv: number): number {
  return typeof o.U === 'number' ? o.U : o.U[Math.min(nv, o.U.length) - 1];
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** i8x16.shuffle selecting f32 lanes (0..3 from a, 4..7 from b) */
function shuf(a: string, b: string, lanes: number[]): string {
  const bytes: number[] = [];
  for (const l of lanes) for (let t = 0; t < 4; t++) bytes.push(l * 4 + t);
  return `(i8x16.shuffle ${bytes.join(' ')} ${a} ${b})`;
}

/** Copy `n` floats from address expression `src` (+srcOff) to `dst` (+dstOff) using the widest loads. */
function copyFloats(n: number, src: string, srcOff: number, dst: string, dstOff: number): string[] {
  const out: string[] = [];
  let o = 0;
  while (n - o >= 4) {
    out.push(`(v128.store offset=${dstOff + o * 4} ${dst} (v128.load offset=${srcOff + o * 4} ${src}))`);
    o += 4;
  }
  if (n - o >= 2) {
    out.push(`(i64.store offset=${dstOff + o * 4} ${dst} (i64.load offset=${srcOff + o * 4} ${src}))`);
    o += 2;
  }
  if (n - o >= 1) {
    out.push(`(i32.store offset=${dstOff + o * 4} ${dst} (i32.load offset=${srcOff + o * 4} ${src}))`);
    o += 1;
  }
  return out;
}

/**
 * Packing routine for panels of width W (MR for A, NR for B).
 *
 * Logical source matrix X[p, k] (p = panel dimension: rows of op(A) / columns of op(B)), with
 *   contig = 1:  X[p, k] = src[k*ld + p]   (panel dimension contiguous -> plain copies)
 *   contig = 0:  X[p, k] = src[p*ld + k]   (k contiguous -> 4x4 transposes)
 * Output: ceil(mn/W) micro-panels, each kc*W floats, zero padded in p.
 */
function genPack(name: string, W: number): string {
  const L: string[] = [];
  L.push(`(func $${name} (param $contig i32) (param $src i32) (param $ld i32) (param $mn i32) (param $kc i32) (param $dst i32)`);
  L.push(`  (local $p i32) (local $rows i32) (local $k i32) (local $s i32) (local $r i32) (local $ldb i32) (local $base i32) (local $q i32)`);
  for (const r of range(4)) L.push(`  (local $row${r} i32)`);
  L.push(`  (local $d i32)`);
  for (const r of range(4)) L.push(`  (local $x${r} v128) (local $t${r} v128)`);
  L.push(`  (local.set $ldb (i32.shl (local.get $ld) (i32.const 2)))`);
  L.push(`  (local.set $p (i32.const 0))`);
  L.push(`  (block $pdone (loop $ploop`);
  L.push(`    (br_if $pdone (i32.ge_s (local.get $p) (local.get $mn)))`);
  L.push(`    (local.set $rows (i32.sub (local.get $mn) (local.get $p)))`);
  L.push(`    (if (i32.ge_s (local.get $rows) (i32.const ${W}))`);
  L.push(`      (then`);
  L.push(`        (if (local.get $contig)`);
  L.push(`          (then`);
  // contiguous: per k copy W floats from src + k*ldb + p*4
  L.push(`            (local.set $s (i32.add (local.get $src) (i32.shl (local.get $p) (i32.const 2))))`);
  L.push(`            (local.set $k (local.get $kc))`);
  L.push(`            (block $cdone (loop $cloop`);
  L.push(`              (br_if $cdone (i32.lt_s (local.get $k) (i32.const 2)))`);
  for (const l of copyFloats(W, '(local.get $s)', 0, '(local.get $dst)', 0)) L.push('              ' + l);
  for (const l of copyFloats(W, '(i32.add (local.get $s) (local.get $ldb))', 0, '(local.get $dst)', W * 4)) L.push('              ' + l);
  L.push(`              (local.set $s (i32.add (local.get $s) (i32.shl (local.get $ldb) (i32.const 1))))`);
  L.push(`              (local.set $dst (i32.add (local.get $dst) (i32.const ${W * 8})))`);
  L.push(`              (local.set $k (i32.sub (local.get $k) (i32.const 2)))`);
  L.push(`              (br $cloop)))`);
  L.push(`            (if (local.get $k) (then`);
  for (const l of copyFloats(W, '(local.get $s)', 0, '(local.get $dst)', 0)) L.push('              ' + l);
  L.push(`              (local.set $dst (i32.add (local.get $dst) (i32.const ${W * 4})))))`);
  L.push(`          )`);
  L.push(`          (else`);
  // strided: the panel rows are processed in groups of 4 (4x4 transposes), 2 (interleave) or 1,
  // each group with its own k loop so that only a few row pointers are live.
  L.push(`            (local.set $base (i32.add (local.get $src) (i32.mul (local.get $p) (local.get $ldb))))`);
  const groupList: [number, number][] = [];
  for (let r = 0; r < W; ) {
    const n = W - r >= 4 ? 4 : W - r >= 2 ? 2 : 1;
    groupList.push([r, n]);
    r += n;
  }
  for (const [g0, n] of groupList) {
    const id = `g${g0}`;
    for (const r of range(n)) {
      L.push(`            (local.set $row${r} (i32.add (local.get $base) (i32.mul (i32.const ${g0 + r}) (local.get $ldb))))`);
    }
    L.push(`            (local.set $d (i32.add (local.get $dst) (i32.const ${g0 * 4})))`);
    L.push(`            (local.set $k (local.get $kc))`);
    L.push(`            (block $${id}done (loop $${id}loop`);
    L.push(`              (br_if $${id}done (i32.lt_s (local.get $k) (i32.const 4)))`);
    if (n === 4) {
      for (const r of range(4)) L.push(`              (local.set $x${r} (v128.load (local.get $row${r})))`);
      L.push(`              (local.set $t0 ${shuf('(local.get $x0)', '(local.get $x1)', [0, 4, 1, 5])})`);
      L.push(`              (local.set $t1 ${shuf('(local.get $x0)', '(local.get $x1)', [2, 6, 3, 7])})`);
      L.push(`              (local.set $t2 ${shuf('(local.get $x2)', '(local.get $x3)', [0, 4, 1, 5])})`);
      L.push(`              (local.set $t3 ${shuf('(local.get $x2)', '(local.get $x3)', [2, 6, 3, 7])})`);
      L.push(`              (v128.store offset=${0 * W * 4} (local.get $d) ${shuf('(local.get $t0)', '(local.get $t2)', [0, 1, 4, 5])})`);
      L.push(`              (v128.store offset=${1 * W * 4} (local.get $d) ${shuf('(local.get $t0)', '(local.get $t2)', [2, 3, 6, 7])})`);
      L.push(`              (v128.store offset=${2 * W * 4} (local.get $d) ${shuf('(local.get $t1)', '(local.get $t3)', [0, 1, 4, 5])})`);
      L.push(`              (v128.store offset=${3 * W * 4} (local.get $d) ${shuf('(local.get $t1)', '(local.get $t3)', [2, 3, 6, 7])})`);
    } else if (n === 2) {
      // two rows: interleave (r0k0 r1k0 r0k1 r1k1) (r0k2 r1k2 r0k3 r1k3)
      L.push(`              (local.set $x0 (v128.load (local.get $row0)))`);
      L.push(`              (local.set $x1 (v128.load (local.get $row1)))`);
      L.push(`              (local.set $t0 ${shuf('(local.get $x0)', '(local.get $x1)', [0, 4, 1, 5])})`);
      L.push(`              (local.set $t1 ${shuf('(local.get $x0)', '(local.get $x1)', [2, 6, 3, 7])})`);
      if (W === 2) {
        // the panel rows for k and k+1 are adjacent: whole-vector stores
        L.push(`              (v128.store (local.get $d) (local.get $t0))`);
        L.push(`              (v128.store offset=16 (local.get $d) (local.get $t1))`);
      } else {
        for (const kk of range(4)) {
          L.push(`              (v128.store64_lane offset=${kk * W * 4} ${kk % 2} (local.get $d) (local.get $t${kk >> 1}))`);
        }
      }
    } else if (W === 1) {
      L.push(`              (v128.store (local.get $d) (v128.load (local.get $row0)))`);
    } else {
      for (const kk of range(4)) {
        L.push(`              (i32.store offset=${kk * W * 4} (local.get $d) (i32.load offset=${kk * 4} (local.get $row0)))`);
      }
    }
    for (const r of range(n)) L.push(`              (local.set $row${r} (i32.add (local.get $row${r}) (i32.const 16)))`);
    L.push(`              (local.set $d (i32.add (local.get $d) (i32.const ${W * 16})))`);
    L.push(`              (local.set $k (i32.sub (local.get $k) (i32.const 4)))`);
    L.push(`              (br $${id}loop)))`);
    L.push(`            (block $${id}sdone (loop $${id}sloop`);
    L.push(`              (br_if $${id}sdone (i32.eqz (local.get $k)))`);
    for (const r of range(n)) {
      L.push(`              (i32.store offset=${r * 4} (local.get $d) (i32.load (local.get $row${r})))`);
      L.push(`              (local.set $row${r} (i32.add (local.get $row${r}) (i32.const 4)))`);
    }
    L.push(`              (local.set $d (i32.add (local.get $d) (i32.const ${W * 4})))`);
    L.push(`              (local.set $k (i32.sub (local.get $k) (i32.const 1)))`);
    L.push(`              (br $${id}sloop)))`);
  }
  L.push(`            (local.set $dst (i32.add (local.get $dst) (i32.mul (local.get $kc) (i32.const ${W * 4}))))`);
  L.push(`          )`);
  L.push(`        )`);
  L.push(`      )`);
  L.push(`      (else`);
  // edge panel (rows < W): zero the panel, then copy each valid row with a strided loop
  L.push(`        (memory.fill (local.get $dst) (i32.const 0) (i32.mul (local.get $kc) (i32.const ${W * 4})))`);
  L.push(`        (local.set $r (i32.const 0))`);
  L.push(`        (block $rdone (loop $rloop`);
  L.push(`          (br_if $rdone (i32.ge_s (local.get $r) (local.get $rows)))`);
  L.push(`          (local.set $s (i32.add (local.get $src) (i32.mul (i32.add (local.get $p) (local.get $r))`);
  L.push(`            (if (result i32) (local.get $contig) (then (i32.const 4)) (else (local.get $ldb))))))`);
  L.push(`          (local.set $q (if (result i32) (local.get $contig) (then (local.get $ldb)) (else (i32.const 4))))`);
  L.push(`          (local.set $base (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 2))))`);
  L.push(`          (local.set $k (local.get $kc))`);
  L.push(`          (block $edone (loop $eloop`);
  L.push(`            (br_if $edone (i32.eqz (local.get $k)))`);
  L.push(`            (i32.store (local.get $base) (i32.load (local.get $s)))`);
  L.push(`            (local.set $s (i32.add (local.get $s) (local.get $q)))`);
  L.push(`            (local.set $base (i32.add (local.get $base) (i32.const ${W * 4})))`);
  L.push(`            (local.set $k (i32.sub (local.get $k) (i32.const 1)))`);
  L.push(`            (br $eloop)))`);
  L.push(`          (local.set $r (i32.add (local.get $r) (i32.const 1)))`);
  L.push(`          (br $rloop)))`);
  L.push(`        (local.set $dst (i32.add (local.get $dst) (i32.mul (local.get $kc) (i32.const ${W * 4}))))`);
  L.push(`      )`);
  L.push(`    )`);
  L.push(`    (local.set $p (i32.add (local.get $p) (i32.const ${W})))`);
  L.push(`    (br $ploop)))`);
  L.push(`)`);
  return L.join('\n');
}

/**
 * Micro-kernel $kernelNV: C[mr x nr] = alpha * Apanel(kc x MR)^T * Bpanel(kc x 4*NV) + beta * C
 * (beta == 0: C is not read). B micro-panels are NR wide; this kernel uses their first 4*NV
 * columns (NV < NR/4 variants serve the right edge, so narrow N does not pay for padding).
 * $ldc is in bytes. Full tiles store whole vectors; edge tiles use lane loads/stores.
 */
function genKernel(o: GenOptions, NV: number): string {
  const { MR, NR } = o;
  const U = unrollFor(o, NV);
  const NRk = NV * 4;
  const L: string[] = [];
  // S independent accumulator sets (step u uses set u % S) hide the f32x4.add latency when the
  // tile is narrow; they are summed after the k loop.
  const S = Math.max(1, Math.min(U, Math.floor(8 / (MR * NV))));
  const acc = (r: number, c: number, set = 0) => (set === 0 ? `$c${r}_${c}` : `$c${r}_${c}_${set}`);
  L.push(`(func $kernel${NV} (param $kc i32) (param $pa i32) (param $pb i32) (param $pc i32) (param $ldc i32) (param $mr i32) (param $nr i32) (param $alpha f32) (param $beta f32)`);
  L.push(`  (local $k i32) (local $pbEnd i32) (local $a v128) (local $va v128) (local $vb v128) (local $v v128) (local $rem i32)`);
  for (const c of range(NV)) L.push(`  (local $b${c} v128)`);
  for (const set of range(S)) for (const r of range(MR)) for (const c of range(NV)) L.push(`  (local ${acc(r, c, set)} v128)`);
  const step = (u: number, set: number): string[] => {
    const S: string[] = [];
    for (const c of range(NV)) S.push(`(local.set $b${c} (v128.load offset=${(u * NR + c * 4) * 4} (local.get $pb)))`);
    for (const r of range(MR)) {
      S.push(`(local.set $a (v128.load32_splat offset=${(u * MR + r) * 4} (local.get $pa)))`);
      for (const c of range(NV)) {
        const x = acc(r, c, set);
        S.push(`(local.set ${x} (f32x4.add (local.get ${x}) (f32x4.mul (local.get $a) (local.get $b${c}))))`);
      }
    }
    return S;
  };
  // main loop runs while $pb != $pbEnd (one compare instead of a separate counter)
  L.push(`  (local.set $k (i32.rem_u (local.get $kc) (i32.const ${U})))`);
  L.push(`  (local.set $pbEnd (i32.add (local.get $pb) (i32.mul (i32.sub (local.get $kc) (local.get $k)) (i32.const ${NR * 4}))))`);
  L.push(`  (if (i32.ne (local.get $pb) (local.get $pbEnd)) (then (loop $main`);
  for (const u of range(U)) for (const s of step(u, u % S)) L.push('    ' + s);
  L.push(`    (local.set $pa (i32.add (local.get $pa) (i32.const ${U * MR * 4})))`);
  L.push(`    (local.set $pb (i32.add (local.get $pb) (i32.const ${U * NR * 4})))`);
  L.push(`    (br_if $main (i32.ne (local.get $pb) (local.get $pbEnd))))))`);
  if (U > 1) {
    L.push(`  (if (local.get $k) (then (loop $rem`);
    for (const s of step(0, 0)) L.push('    ' + s);
    L.push(`    (local.set $pa (i32.add (local.get $pa) (i32.const ${MR * 4})))`);
    L.push(`    (local.set $pb (i32.add (local.get $pb) (i32.const ${NR * 4})))`);
    L.push(`    (local.set $k (i32.sub (local.get $k) (i32.const 1)))`);
    L.push(`    (br_if $rem (local.get $k)))))`);
  }
  for (const set of range(S)) if (set > 0) for (const r of range(MR)) for (const c of range(NV)) {
    L.push(`  (local.set ${acc(r, c)} (f32x4.add (local.get ${acc(r, c)}) (local.get ${acc(r, c, set)})))`);
  }
  L.push(`  (local.set $va (f32x4.splat (local.get $alpha)))`);
  L.push(`  (local.set $vb (f32x4.splat (local.get $beta)))`);
  L.push(`  (if (i32.and (i32.eq (local.get $mr) (i32.const ${MR})) (i32.eq (local.get $nr) (i32.const ${NRk})))`);
  L.push(`    (then`);
  L.push(`      (if (f32.eq (local.get $beta) (f32.const 0))`);
  L.push(`        (then`);
  for (const r of range(MR)) {
    if (r > 0) L.push(`          (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))`);
    for (const c of range(NV)) {
      L.push(`          (v128.store offset=${c * 16} (local.get $pc) (f32x4.mul (local.get $va) (local.get ${acc(r, c)})))`);
    }
  }
  L.push(`        )`);
  L.push(`        (else`);
  for (const r of range(MR)) {
    if (r > 0) L.push(`          (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))`);
    for (const c of range(NV)) {
      L.push(`          (v128.store offset=${c * 16} (local.get $pc) (f32x4.add (f32x4.mul (local.get $va) (local.get ${acc(r, c)})) (f32x4.mul (local.get $vb) (v128.load offset=${c * 16} (local.get $pc)))))`);
    }
  }
  L.push(`        )`);
  L.push(`      )`);
  L.push(`      (return)`);
  L.push(`    )`);
  L.push(`  )`);
  // edge tile: rows r < mr, columns j < nr (nr <= 4*NV)
  L.push(`  (block $edge`);
  for (const r of range(MR)) {
    if (r > 0) {
      L.push(`    (br_if $edge (i32.le_s (local.get $mr) (i32.const ${r})))`);
      L.push(`    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))`);
    }
    for (const c of range(NV)) {
      const off = c * 16;
      L.push(`    (local.set $rem (i32.sub (local.get $nr) (i32.const ${c * 4})))`);
      L.push(`    (local.set $v (f32x4.mul (local.get $va) (local.get ${acc(r, c)})))`);
      L.push(`    (if (i32.ge_s (local.get $rem) (i32.const 4))`);
      L.push(`      (then`);
      L.push(`        (if (f32.ne (local.get $beta) (f32.const 0)) (then (local.set $v (f32x4.add (local.get $v) (f32x4.mul (local.get $vb) (v128.load offset=${off} (local.get $pc)))))))`);
      L.push(`        (v128.store offset=${off} (local.get $pc) (local.get $v)))`);
      L.push(`      (else (if (i32.eq (local.get $rem) (i32.const 3))`);
      L.push(`        (then`);
      L.push(`          (if (f32.ne (local.get $beta) (f32.const 0)) (then (local.set $v (f32x4.add (local.get $v) (f32x4.mul (local.get $vb)`);
      L.push(`            (v128.load32_lane offset=${off + 8} 2 (local.get $pc) (v128.load64_zero offset=${off} (local.get $pc))))))))`);
      L.push(`          (v128.store64_lane offset=${off} 0 (local.get $pc) (local.get $v))`);
      L.push(`          (v128.store32_lane offset=${off + 8} 2 (local.get $pc) (local.get $v)))`);
      L.push(`        (else (if (i32.eq (local.get $rem) (i32.const 2))`);
      L.push(`          (then`);
      L.push(`            (if (f32.ne (local.get $beta) (f32.const 0)) (then (local.set $v (f32x4.add (local.get $v) (f32x4.mul (local.get $vb)`);
      L.push(`              (v128.load64_zero offset=${off} (local.get $pc)))))))`);
      L.push(`            (v128.store64_lane offset=${off} 0 (local.get $pc) (local.get $v)))`);
      L.push(`          (else (if (i32.eq (local.get $rem) (i32.const 1))`);
      L.push(`            (then`);
      L.push(`              (if (f32.ne (local.get $beta) (f32.const 0)) (then (local.set $v (f32x4.add (local.get $v) (f32x4.mul (local.get $vb)`);
      L.push(`                (v128.load32_zero offset=${off} (local.get $pc)))))))`);
      L.push(`              (v128.store32_lane offset=${off} 0 (local.get $pc) (local.get $v))))))))))`);
    }
  }
  L.push(`  )`);
  L.push(`)`);
  return L.join('\n');
}

/** Accumulator sets of $kernelNV (as genKernel computes them). */
function setsOf(o: GenOptions, NV: number): number {
  return Math.max(1, Math.min(unrollFor(o, NV), Math.floor(8 / (o.MR * NV))));
}

/**
 * Whether a sparse kernel can add the kept steps exactly as $kernelNV adds all of them: one accumulator set
 * (steps summed in order), or two sets with U = 2, where step k always lands in set k mod 2 (the remainder
 * step of an odd kc is even and uses set 0).
 */
function sparseable(o: GenOptions, NV: number): boolean {
  const S = setsOf(o, NV);
  return S === 1 || (S === 2 && unrollFor(o, NV) === 2);
}

/**
 * Sparse micro-kernel $kernelSNV: as $kernelNV, over the `cnt` k steps of an A micro-panel where some row of the
 * panel is non-zero (the index list of $compactA), A's and B's step for each read through the index.
 * Only generated for kernels that sum k in order (sequential()): a skipped step adds 0·b = ±0 to an
 * accumulator, which leaves it unchanged (it starts at +0 and x + −0 = x, +0 + −0 = +0) as long as b is finite,
 * which the caller checked for the packed B block ($allFinite).
 */
function genSparseKernel(o: GenOptions, NV: number): string {
  const { MR, NR } = o;
  const S = setsOf(o, NV);
  const dense = genKernel(o, NV);
  // Reuse the dense kernel's epilogue: only the k loop differs.
  const head = `(func $kernelS${NV} (param $kc i32) (param $pa i32) (param $pb i32) (param $pc i32) (param $ldc i32) (param $mr i32) (param $nr i32) (param $alpha f32) (param $beta f32) (param $idx i32)`;
  const body = dense.slice(dense.indexOf('\n') + 1);
  const loopStart = body.indexOf('  (local.set $k (i32.rem_u');
  // two sets: keep the dense kernel's final sum of the sets (it follows the k loops)
  const loopEnd = S === 1 ? body.indexOf('  (local.set $va') : body.indexOf(`  (local.set $c0_0 (f32x4.add (local.get $c0_0) (local.get $c0_0_1)))`);
  const L: string[] = [];
  L.push(`  (local.set $pbEnd (i32.add (local.get $idx) (i32.shl (local.get $kc) (i32.const 2))))`);
  L.push(`  (if (i32.ne (local.get $idx) (local.get $pbEnd)) (then (loop $main`);
  L.push(`    (local.set $k (i32.load (local.get $idx)))`);
  // set 1 for odd k: an all-ones mask; the other set gets +0 added, which changes nothing (see above)
  if (S === 2) L.push(`    (local.set $v (i32x4.splat (i32.sub (i32.const 0) (i32.and (i32.shr_u (local.get $k) (i32.const ${Math.log2(NR * 4)})) (i32.const 1)))))`);
  // A's step k is at k·MR·4 in its panel: the index (k·NR·4) shifted
  L.push(`    (local.set $rem (i32.add (local.get $pa) (i32.shr_u (local.get $k) (i32.const ${Math.log2(NR / MR)}))))`);
  L.push(`    (local.set $k (i32.add (local.get $pb) (local.get $k)))`);
  for (const c of range(NV)) L.push(`    (local.set $b${c} (v128.load offset=${c * 16} (local.get $k)))`);
  for (const r of range(MR)) {
    L.push(`    (local.set $a (v128.load32_splat offset=${r * 4} (local.get $rem)))`);
    for (const c of range(NV)) {
      if (S === 1) {
        L.push(`    (local.set $c${r}_${c} (f32x4.add (local.get $c${r}_${c}) (f32x4.mul (local.get $a) (local.get $b${c}))))`);
      } else {
        L.push(`    (local.set $va (f32x4.mul (local.get $a) (local.get $b${c})))`);
        L.push(`    (local.set $c${r}_${c} (f32x4.add (local.get $c${r}_${c}) (v128.andnot (local.get $va) (local.get $v))))`);
        L.push(`    (local.set $c${r}_${c}_1 (f32x4.add (local.get $c${r}_${c}_1) (v128.and (local.get $va) (local.get $v))))`);
      }
    }
  }
  L.push(`    (local.set $idx (i32.add (local.get $idx) (i32.const 4)))`);
  L.push(`    (br_if $main (i32.ne (local.get $idx) (local.get $pbEnd))))))`);
  return [head, body.slice(0, loopStart) + L.join('\n') + '\n' + body.slice(loopEnd)].join('\n');
}

/**
 * Sparse micro-kernel $kernelTNV (B side): as $kernelSNV, but over the kept k steps of a compacted B micro-panel
 * ($compactB: the steps where the panel's NR values are not all +0; MNIST's border pixels are zero in every
 * image), A's step read through the index list (k·MR·4). Valid when every packed A value is finite.
 */
function genSparseBKernel(o: GenOptions, NV: number): string {
  const { MR } = o;
  const S = setsOf(o, NV);
  const dense = genKernel(o, NV);
  const head = `(func $kernelT${NV} (param $kc i32) (param $pa i32) (param $pb i32) (param $pc i32) (param $ldc i32) (param $mr i32) (param $nr i32) (param $alpha f32) (param $beta f32) (param $idx i32)`;
  const body = dense.slice(dense.indexOf('\n') + 1);
  const loopStart = body.indexOf('  (local.set $k (i32.rem_u');
  const loopEnd = S === 1 ? body.indexOf('  (local.set $va') : body.indexOf(`  (local.set $c0_0 (f32x4.add (local.get $c0_0) (local.get $c0_0_1)))`);
  const L: string[] = [];
  L.push(`  (local.set $pbEnd (i32.add (local.get $idx) (i32.shl (local.get $kc) (i32.const 2))))`);
  L.push(`  (if (i32.ne (local.get $idx) (local.get $pbEnd)) (then (loop $main`);
  L.push(`    (local.set $k (i32.load (local.get $idx)))`);
  if (S === 2) L.push(`    (local.set $v (i32x4.splat (i32.sub (i32.const 0) (i32.and (i32.shr_u (local.get $k) (i32.const ${Math.log2(MR * 4)})) (i32.const 1)))))`);
  L.push(`    (local.set $k (i32.add (local.get $pa) (local.get $k)))`);
  for (const c of range(NV)) L.push(`    (local.set $b${c} (v128.load offset=${c * 16} (local.get $pb)))`);
  for (const r of range(MR)) {
    L.push(`    (local.set $a (v128.load32_splat offset=${r * 4} (local.get $k)))`);
    for (const c of range(NV)) {
      if (S === 1) {
        L.push(`    (local.set $c${r}_${c} (f32x4.add (local.get $c${r}_${c}) (f32x4.mul (local.get $a) (local.get $b${c}))))`);
      } else {
        L.push(`    (local.set $va (f32x4.mul (local.get $a) (local.get $b${c})))`);
        L.push(`    (local.set $c${r}_${c} (f32x4.add (local.get $c${r}_${c}) (v128.andnot (local.get $va) (local.get $v))))`);
        L.push(`    (local.set $c${r}_${c}_1 (f32x4.add (local.get $c${r}_${c}_1) (v128.and (local.get $va) (local.get $v))))`);
      }
    }
  }
  L.push(`    (local.set $pb (i32.add (local.get $pb) (i32.const ${o.NR * 4})))`);
  L.push(`    (local.set $idx (i32.add (local.get $idx) (i32.const 4)))`);
  L.push(`    (br_if $main (i32.ne (local.get $idx) (local.get $pbEnd))))))`);
  return [head, body.slice(0, loopStart) + L.join('\n') + '\n' + body.slice(loopEnd)].join('\n');
}

/**
 * $compactB: for each of `np` packed B micro-panels (kc·NR floats each), the k steps whose NR values are not
 * all +0, to dstB (stride kc·NR floats), with A's byte offset k·MR·4 to dstIdx (stride kc) and the count to
 * counts; returns 1 when some panel is sparse enough for $kernelTNV (at most 7/8 of kc kept). When the first
 * panel keeps every step (a dense B, e.g. weights) it stops scanning and marks the rest dense (count kc), so a
 * dense B pays for one panel's scan only.
 */
function genCompactB(o: GenOptions): string {
  const { MR, NR } = o;
  const NV = NR / 4;
  const any = range(NV).slice(1).reduce((acc, c) => `(v128.or ${acc} (v128.load offset=${c * 16} (local.get $pb)))`, `(v128.load (local.get $pb))`);
  const store = range(NV).map((c) => `      (v128.store offset=${c * 16} (local.get $b) (v128.load offset=${c * 16} (local.get $pb)))`).join('\n');
  return `(func $compactB (param $pb i32) (param $kc i32) (param $np i32) (param $dstB i32) (param $dstIdx i32) (param $counts i32) (result i32)
  (local $k i32) (local $n i32) (local $b i32) (local $x i32) (local $dense i32) (local $any i32)
  (block $pdone (loop $ploop
    (br_if $pdone (i32.eqz (local.get $np)))
    (if (i32.ge_s (local.get $dense) (i32.const 1))
      (then (i32.store (local.get $counts) (local.get $kc)))
      (else
    (local.set $b (local.get $dstB))
    (local.set $x (local.get $dstIdx))
    (local.set $n (i32.const 0))
    (local.set $k (i32.const 0))
    (block $kdone (loop $kloop
      (br_if $kdone (i32.ge_u (local.get $k) (local.get $kc)))
${store}
      (i32.store (local.get $x) (i32.mul (local.get $k) (i32.const ${MR * 4})))
      (if (v128.any_true ${any}) (then
        (local.set $b (i32.add (local.get $b) (i32.const ${NR * 4})))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))))
      (local.set $pb (i32.add (local.get $pb) (i32.const ${NR * 4})))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $kloop)))
    (i32.store (local.get $counts) (local.get $n))
    (local.set $any (i32.or (local.get $any) (i32.le_u (i32.shl (local.get $n) (i32.const 3)) (i32.mul (local.get $kc) (i32.const 7)))))
    ;; $dense counts fully dense panels from the first one on; any panel with a skipped step ends the count
    (local.set $dense (if (result i32) (i32.and (i32.eq (local.get $n) (local.get $kc)) (i32.ge_s (local.get $dense) (i32.const 0)))
      (then (i32.add (local.get $dense) (i32.const 1))) (else (i32.const -1))))
    (local.set $pb (i32.sub (local.get $pb) (i32.mul (local.get $kc) (i32.const ${NR * 4}))))))
    (local.set $pb (i32.add (local.get $pb) (i32.mul (local.get $kc) (i32.const ${NR * 4}))))
    (local.set $counts (i32.add (local.get $counts) (i32.const 4)))
    (local.set $dstB (i32.add (local.get $dstB) (i32.mul (local.get $kc) (i32.const ${NR * 4}))))
    (local.set $dstIdx (i32.add (local.get $dstIdx) (i32.shl (local.get $kc) (i32.const 2))))
    (local.set $np (i32.sub (local.get $np) (i32.const 1)))
    (br $ploop)))
  (local.get $any)
)`;
}

/**
 * $compactA: for each of `np` packed A micro-panels (kc·MR floats each, MR = 2), the k steps where the pair
 * of rows is not (+0, +0): the byte offset of B's row k in a B micro-panel (k·NR·4; A's step is at a
 * NR/MR-th of it) to dstIdx (stride kc per panel), and their count to counts[panel]. Branch-free: every step is
 * written, the write position advances only for kept ones. (Copying the kept A values as well cost more than
 * reading them through the index: ~30 µs of the seed MLP's 64×784×50 went to this scan.)
 */
function genCompactA(o: GenOptions): string {
  return `(func $compactA (param $pa i32) (param $kc i32) (param $np i32) (param $dstIdx i32) (param $counts i32)
  (local $kb i32) (local $end i32) (local $n i32) (local $x i32)
  (block $pdone (loop $ploop
    (br_if $pdone (i32.eqz (local.get $np)))
    (local.set $x (local.get $dstIdx))
    (local.set $n (i32.const 0))
    (local.set $kb (i32.const 0))
    (local.set $end (i32.mul (local.get $kc) (i32.const ${o.NR * 4})))
    (block $kdone (loop $kloop
      (br_if $kdone (i32.ge_u (local.get $kb) (local.get $end)))
      (i32.store (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))) (local.get $kb))
      (local.set $n (i32.add (local.get $n) (i64.ne (i64.load (local.get $pa)) (i64.const 0))))
      (local.set $pa (i32.add (local.get $pa) (i32.const 8)))
      (local.set $kb (i32.add (local.get $kb) (i32.const ${o.NR * 4})))
      (br $kloop)))
    (i32.store (local.get $counts) (local.get $n))
    (local.set $counts (i32.add (local.get $counts) (i32.const 4)))
    (local.set $dstIdx (i32.add (local.get $dstIdx) (i32.shl (local.get $kc) (i32.const 2))))
    (local.set $np (i32.sub (local.get $np) (i32.const 1)))
    (br $ploop)))
)
;; 1 when none of the n4 groups of 4 floats at p is an infinity or a NaN (exponent bits all ones)
(func $allFinite (param $p i32) (param $n4 i32) (result i32)
  (local $bad v128) (local $E v128)
  (local.set $E (i32x4.splat (i32.const 0x7f800000)))
  (local.set $bad (v128.const i32x4 0 0 0 0))
  ;; four groups an iteration (the loop's own instructions were half the work), then the rest one by one
  (block $done4 (loop $next4
    (br_if $done4 (i32.lt_u (local.get $n4) (i32.const 4)))
    (local.set $bad (v128.or (local.get $bad) (i32x4.eq (v128.and (v128.load (local.get $p)) (local.get $E)) (local.get $E))))
    (local.set $bad (v128.or (local.get $bad) (i32x4.eq (v128.and (v128.load offset=16 (local.get $p)) (local.get $E)) (local.get $E))))
    (local.set $bad (v128.or (local.get $bad) (i32x4.eq (v128.and (v128.load offset=32 (local.get $p)) (local.get $E)) (local.get $E))))
    (local.set $bad (v128.or (local.get $bad) (i32x4.eq (v128.and (v128.load offset=48 (local.get $p)) (local.get $E)) (local.get $E))))
    (local.set $p (i32.add (local.get $p) (i32.const 64)))
    (local.set $n4 (i32.sub (local.get $n4) (i32.const 4)))
    (br $next4)))
  (block $done (loop $next
    (br_if $done (i32.eqz (local.get $n4)))
    (local.set $bad (v128.or (local.get $bad) (i32x4.eq (v128.and (v128.load (local.get $p)) (local.get $E)) (local.get $E))))
    (local.set $p (i32.add (local.get $p) (i32.const 16)))
    (local.set $n4 (i32.sub (local.get $n4) (i32.const 1)))
    (br $next)))
  (i32.eqz (v128.any_true (local.get $bad)))
)`;
}

/** Goto/BLIS loop nest. All pointers are byte addresses, leading dimensions in elements. */
function genGemm(o: GenOptions): string {
  const { MR, NR } = o;
  const NV = NR / 4;
  const args = `(local.get $kc)
              (i32.add (local.get $wA) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2)))
              (i32.add (local.get $wB) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 2)))
              (local.get $cRow) (local.get $ldcb)
              (select (i32.const ${MR}) (i32.sub (local.get $mc) (local.get $ir))
                (i32.gt_s (i32.sub (local.get $mc) (local.get $ir)) (i32.const ${MR})))
              (local.get $nr) (local.get $alpha) (local.get $be)`;
  // dispatch on the number of live 4-column vectors of this B micro-panel
  let KCALL = `(call $kernel1 ${args})`;
  for (let v = 2; v <= NV; v++) {
    KCALL = `(if (i32.eq (local.get $nv) (i32.const ${v})) (then (call $kernel${v} ${args})) (else ${KCALL}))`;
  }
  // With a compacted A block ($useS): panels whose kept steps are at most 7/8 of kc take the sparse kernel.
  const sparse = MR === 2 ? range(NV).map((v) => v + 1).filter((v) => sparseable(o, v)) : [];
  const sargs = `(local.get $cnt)
              (i32.add (local.get $wA) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2)))
              (i32.add (local.get $wB) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 2)))
              (local.get $cRow) (local.get $ldcb)
              (select (i32.const ${MR}) (i32.sub (local.get $mc) (local.get $ir))
                (i32.gt_s (i32.sub (local.get $mc) (local.get $ir)) (i32.const ${MR})))
              (local.get $nr) (local.get $alpha) (local.get $be)
              (i32.add (local.get $wI) (i32.shl (i32.mul (i32.shr_u (local.get $ir) (i32.const 1)) (local.get $kc)) (i32.const 2)))`;
  const targs = `(local.get $cntB)
              (local.get $wA)
              (i32.add (local.get $wT) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 2)))
              (local.get $cRow) (local.get $ldcb)
              (select (i32.const ${MR}) (i32.sub (local.get $mc) (local.get $ir))
                (i32.gt_s (i32.sub (local.get $mc) (local.get $ir)) (i32.const ${MR})))
              (local.get $nr) (local.get $alpha) (local.get $be)
              (i32.add (local.get $wJ) (i32.shl (i32.mul (i32.shr_u (local.get $jr) (i32.const ${Math.log2(NR)})) (local.get $kc)) (i32.const 2)))`;
  const targsAt = targs.replace('(local.get $wA)', `(i32.add (local.get $wA) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2)))`);
  // Per tile, the side with fewer kept steps (if at most 7/8 of kc) takes its sparse kernel, else the dense one.
  const denseCall = (v: number) => `(call $kernel${v} ${args})`;
  for (const v of sparse) {
    KCALL = `(if (i32.eq (local.get $nv) (i32.const ${v}))
              (then
                (local.set $cnt (if (result i32) (local.get $useS)
                  (then (i32.load (i32.add (local.get $wN) (i32.shl (i32.shr_u (local.get $ir) (i32.const 1)) (i32.const 2)))))
                  (else (local.get $kc))))
                (if (i32.and (i32.lt_u (local.get $cntB) (local.get $cnt)) (i32.le_u (i32.shl (local.get $cntB) (i32.const 3)) (i32.mul (local.get $kc) (i32.const 7))))
                  (then (call $kernelT${v} ${targsAt}))
                  (else (if (i32.le_u (i32.shl (local.get $cnt) (i32.const 3)) (i32.mul (local.get $kc) (i32.const 7)))
                    (then (call $kernelS${v} ${sargs}))
                    (else ${denseCall(v)})))))
              (else ${KCALL}))`;
  }
  return `(func $gemm (export "gemm")
  (param $transA i32) (param $transB i32) (param $M i32) (param $N i32) (param $K i32)
  (param $alpha f32) (param $pA i32) (param $lda i32) (param $pB i32) (param $ldb i32)
  (param $beta f32) (param $pC i32) (param $ldc i32)
  (param $wA i32) (param $wB i32) (param $MC i32) (param $KC i32) (param $NC i32)
  (param $sparse i32) (param $wI i32) (param $wN i32) (param $wT i32) (param $wJ i32) (param $wM i32)
  (local $bFinite i32) (local $useS i32) (local $cnt i32) (local $bSparse i32) (local $aFinite i32) (local $cntB i32)
  (local $jc i32) (local $pc i32) (local $ic i32) (local $jr i32) (local $ir i32)
  (local $nc i32) (local $kc i32) (local $mc i32) (local $be f32) (local $srcA i32) (local $srcB i32)
  (local $cRow i32) (local $ldcb i32) (local $nr i32) (local $nv i32)
  (local.set $ldcb (i32.shl (local.get $ldc) (i32.const 2)))
  (local.set $jc (i32.const 0))
  (block $jcdone (loop $jcloop
    (br_if $jcdone (i32.ge_s (local.get $jc) (local.get $N)))
    (local.set $nc (select (local.get $NC) (i32.sub (local.get $N) (local.get $jc))
      (i32.lt_s (local.get $NC) (i32.sub (local.get $N) (local.get $jc)))))
    (local.set $pc (i32.const 0))
    (block $pcdone (loop $pcloop
      (br_if $pcdone (i32.ge_s (local.get $pc) (local.get $K)))
      (local.set $kc (select (local.get $KC) (i32.sub (local.get $K) (local.get $pc))
        (i32.lt_s (local.get $KC) (i32.sub (local.get $K) (local.get $pc)))))
      ;; op(B)[pc, jc]: transB -> B[jc*ldb + pc], else B[pc*ldb + jc]
      (local.set $srcB (i32.add (local.get $pB) (i32.shl
        (if (result i32) (local.get $transB)
          (then (i32.add (i32.mul (local.get $jc) (local.get $ldb)) (local.get $pc)))
          (else (i32.add (i32.mul (local.get $pc) (local.get $ldb)) (local.get $jc))))
        (i32.const 2))))
      (call $packB (i32.eqz (local.get $transB)) (local.get $srcB) (local.get $ldb) (local.get $nc) (local.get $kc) (local.get $wB))
      ;; zero steps of A may be skipped only when every packed B value is finite (0·inf is NaN)
      (local.set $bFinite (if (result i32) (local.get $sparse)
        (then (call $allFinite (local.get $wB)
          (i32.mul (i32.mul (local.get $kc) (i32.div_u (i32.add (local.get $nc) (i32.const ${NR - 1})) (i32.const ${NR}))) (i32.const ${NR / 4}))))
        (else (i32.const 0))))
      (local.set $bSparse (if (result i32) (local.get $sparse)
        (then (call $compactB (local.get $wB) (local.get $kc) (i32.div_u (i32.add (local.get $nc) (i32.const ${NR - 1})) (i32.const ${NR}))
          (local.get $wT) (local.get $wJ) (local.get $wM)))
        (else (i32.const 0))))
      (local.set $be (if (result f32) (local.get $pc) (then (f32.const 1)) (else (local.get $beta))))
      (local.set $ic (i32.const 0))
      (block $icdone (loop $icloop
        (br_if $icdone (i32.ge_s (local.get $ic) (local.get $M)))
        (local.set $mc (select (local.get $MC) (i32.sub (local.get $M) (local.get $ic))
          (i32.lt_s (local.get $MC) (i32.sub (local.get $M) (local.get $ic)))))
        ;; op(A)[ic, pc]: transA -> A[pc*lda + ic], else A[ic*lda + pc]
        (local.set $srcA (i32.add (local.get $pA) (i32.shl
          (if (result i32) (local.get $transA)
            (then (i32.add (i32.mul (local.get $pc) (local.get $lda)) (local.get $ic)))
            (else (i32.add (i32.mul (local.get $ic) (local.get $lda)) (local.get $pc))))
          (i32.const 2))))
        (call $packA (local.get $transA) (local.get $srcA) (local.get $lda) (local.get $mc) (local.get $kc) (local.get $wA))
        (local.set $useS (local.get $bFinite))
        ;; B's zero steps may be skipped only when every packed A value is finite (the block may end in stale
        ;; bytes past an odd count: a NaN there only turns the sparse path off)
        (local.set $aFinite (if (result i32) (local.get $bSparse)
          (then (call $allFinite (local.get $wA)
            (i32.shr_u (i32.add (i32.mul (local.get $kc) (i32.mul (i32.div_u (i32.add (local.get $mc) (i32.const ${MR - 1})) (i32.const ${MR})) (i32.const ${MR}))) (i32.const 3)) (i32.const 2))))
          (else (i32.const 0))))
        (if (local.get $useS) (then
          (call $compactA (local.get $wA) (local.get $kc) (i32.div_u (i32.add (local.get $mc) (i32.const ${MR - 1})) (i32.const ${MR}))
            (local.get $wI) (local.get $wN))))
        (local.set $jr (i32.const 0))
        (block $jrdone (loop $jrloop
          (br_if $jrdone (i32.ge_s (local.get $jr) (local.get $nc)))
          (local.set $nr (select (i32.const ${NR}) (i32.sub (local.get $nc) (local.get $jr))
            (i32.gt_s (i32.sub (local.get $nc) (local.get $jr)) (i32.const ${NR}))))
          (local.set $nv (i32.shr_u (i32.add (local.get $nr) (i32.const 3)) (i32.const 2)))
          ;; kept steps of this B panel (kc: none skipped, or B not compacted / A not finite)
          (local.set $cntB (if (result i32) (local.get $aFinite)
            (then (i32.load (i32.add (local.get $wM) (i32.shl (i32.shr_u (local.get $jr) (i32.const ${Math.log2(NR)})) (i32.const 2)))))
            (else (local.get $kc))))
          (local.set $cRow (i32.add (local.get $pC) (i32.shl
            (i32.add (i32.mul (local.get $ic) (local.get $ldc)) (i32.add (local.get $jc) (local.get $jr)))
            (i32.const 2))))
          (local.set $ir (i32.const 0))
          (block $irdone (loop $irloop
            (br_if $irdone (i32.ge_s (local.get $ir) (local.get $mc)))
${KCALL}
            (local.set $cRow (i32.add (local.get $cRow) (i32.mul (local.get $ldcb) (i32.const ${MR}))))
            (local.set $ir (i32.add (local.get $ir) (i32.const ${MR})))
            (br $irloop)))
          (local.set $jr (i32.add (local.get $jr) (i32.const ${NR})))
          (br $jrloop)))
        (local.set $ic (i32.add (local.get $ic) (local.get $MC)))
        (br $icloop)))
      (local.set $pc (i32.add (local.get $pc) (local.get $KC)))
      (br $pcloop)))
    (local.set $jc (i32.add (local.get $jc) (local.get $NC)))
    (br $jcloop)))
)`;
}

export function generateWat(o: GenOptions = DEFAULT_GEN_OPTIONS): string {
  if (o.NR % 4 !== 0 || o.NR < 4) throw new Error('NR must be a positive multiple of 4');
  if (o.MR < 1 || range(o.NR / 4).some((v) => !(unrollFor(o, v + 1) >= 1))) throw new Error('bad MR/U');
  return `;; GENERATED by runtime/backends/cpu/wasm/gen.ts (MR=${o.MR}, NR=${o.NR}, U=${JSON.stringify(o.U)}) -- do not edit
(module
(import "env" "memory" (memory 1))
(global (export "MR") i32 (i32.const ${o.MR}))
(global (export "NR") i32 (i32.const ${o.NR}))
${range(o.NR / 4).map((v) => genKernel(o, v + 1)).join('\n')}
${o.MR === 2 ? range(o.NR / 4).map((v) => v + 1).filter((v) => sparseable(o, v)).map((v) => genSparseKernel(o, v)).join('\n') : ''}
${o.MR === 2 ? range(o.NR / 4).map((v) => v + 1).filter((v) => sparseable(o, v)).map((v) => genSparseBKernel(o, v)).join('\n') : ''}
${o.MR === 2 ? genCompactA(o) + '\n' + genCompactB(o) : '(func $compactA (param i32 i32 i32 i32 i32))\n(func $compactB (param i32 i32 i32 i32 i32 i32) (result i32) (i32.const 0))\n(func $allFinite (param i32 i32) (result i32) (i32.const 0))'}
${genPack('packA', o.MR)}
${o.NR === o.MR ? '' : genPack('packB', o.NR)}
${genGemm(o)}
)
`.replace(/\$packB\b/g, o.NR === o.MR ? '$packA' : '$packB');
}
