/**
 * The tiled GEMM's load paths: vec4 loads along k (row-major operands), along m/n (transposed views) and the
 * scalar path (odd sizes, unaligned offsets, bool), each checked against the CPU and against the path it is
 * meant to take, so a change that silently drops to the scalar path (or vectorises an unaligned view) fails.
 */
import { describe, expect, test } from 'vitest';
import { torch, webgpu } from '../../runtime/index.js';
import { broadcastShapes } from '../../runtime/shape.js';

const init = await webgpu.init({ quiet: true });

/** An operand: a base tensor's shape and dtype, and the view of it that is multiplied (built on each device). */
type Operand = { shape: number[]; int?: boolean; view?: (t: torch.Tensor) => torch.Tensor };
type Case = { name: string; a: Operand; b: Operand; modes: [string, string] };

const T = (t: torch.Tensor) => t.T;
const cases: Case[] = [
  { name: 'row-major x @ w (vec4 along k and n)', a: { shape: [64, 32] }, b: { shape: [32, 48] }, modes: ['vecK', 'vecMN'] },
  { name: 'x.T @ w (transposed A: vec4 along m)', a: { shape: [32, 40], view: T }, b: { shape: [32, 12] }, modes: ['vecMN', 'vecMN'] },
  { name: 'x @ w.T (transposed B: vec4 along k)', a: { shape: [24, 36] }, b: { shape: [20, 36], view: T }, modes: ['vecK', 'vecK'] },
  { name: 'x.T @ w.T', a: { shape: [16, 8], view: T }, b: { shape: [12, 16], view: T }, modes: ['vecMN', 'vecK'] },
  { name: 'odd sizes crossing tile edges (scalar)', a: { shape: [67, 17] }, b: { shape: [17, 69] }, modes: ['scalar', 'scalar'] },
  { name: 'odd sizes, transposed (scalar)', a: { shape: [17, 67], view: T }, b: { shape: [33, 17], view: T }, modes: ['scalar', 'scalar'] },
  { name: 'tile-edge sizes, aligned (130×68 @ 68×132)', a: { shape: [130, 68] }, b: { shape: [68, 132] }, modes: ['vecK', 'vecMN'] },
  { name: 'narrowed view with offset 1 (scalar)', a: { shape: [16, 33], view: (t) => t.narrow(1, 1, 32) }, b: { shape: [32, 8] }, modes: ['scalar', 'vecMN'] },
  { name: 'batched, B broadcast over the batch', a: { shape: [3, 2, 12, 16] }, b: { shape: [16, 8] }, modes: ['vecK', 'vecMN'] },
  { name: 'batched, odd inner dim', a: { shape: [3, 5, 6] }, b: { shape: [3, 6, 8] }, modes: ['scalar', 'vecMN'] },
  { name: 'batch stride not a multiple of 4', a: { shape: [3, 4, 9], view: (t) => t.narrow(2, 0, 8) }, b: { shape: [8, 4] }, modes: ['scalar', 'vecMN'] },
  { name: 'batched transposed views', a: { shape: [2, 8, 12], view: (t) => t.transpose(1, 2) }, b: { shape: [2, 4, 8], view: (t) => t.transpose(1, 2) }, modes: ['vecMN', 'vecK'] },
  { name: 'row vector @ column vector', a: { shape: [1, 64] }, b: { shape: [64, 1] }, modes: ['vecK', 'vecK'] },
  { name: 'int32 (vec4 of i32)', a: { shape: [12, 8], int: true }, b: { shape: [8, 16], int: true }, modes: ['vecK', 'vecMN'] },
];

const make = (o: Operand) => (o.int ? torch.randint(-5, 5, o.shape) : torch.randn(...o.shape));

describe.skipIf(!init.ok)('webgpu matmul load paths', async () => {
  const { matmulLoadMode } = await import('../../runtime/backends/webgpu/matmul.js');

  test.each(cases)('$name', async ({ a, b, modes }) => {
    torch.manualSeed(3);
    const a0 = make(a), b0 = make(b);
    const id = (t: torch.Tensor) => t;
    // The views are taken on each device, so the GPU kernel sees the strided view itself.
    const ac = (a.view ?? id)(a0), bc = (b.view ?? id)(b0);
    const ag = (a.view ?? id)(a0.to('webgpu')), bg = (b.view ?? id)(b0.to('webgpu'));
    const batch = broadcastShapes(ag.shape.slice(0, -2), bg.shape.slice(0, -2));
    expect([matmulLoadMode('a', ag, batch), matmulLoadMode('b', bg, batch)]).toEqual(modes);
    const want = Array.from(ac.matmul(bc).dataSync());
    const got = Array.from(await ag.matmul(bg).data());
    expect(got.length).toBe(want.length);
    // One assertion on the worst element (thousands of expect() calls cost more than the kernel).
    let worst = 0, at = -1;
    for (let i = 0; i < want.length; i++) {
      const err = Math.abs(got[i] - want[i]);
      if (!(err <= worst)) { worst = err; at = i; }
    }
    expect(worst, `element ${at}: got ${got[at]}, want ${want[at]}`).toBeLessThan(1e-3);
  });
});
