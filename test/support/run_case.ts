/**
 * Runs one op case: on a backend (forward, compared with tfjs or the float64 reference) or through
 * gradcheck (CPU, float64). Suites are one `test.each` over the table calling these.
 */
import * as tf from '@tensorflow/tfjs';
import * as torch from '../../runtime/torch.js';
import type { Tensor } from '../../runtime/tensor.js';
import type { DeviceType } from '../../runtime/device.js';
import { assertClose, type HostTensor } from './assert_close.js';
import { readHost, toBackend } from './backends.js';
import { asList, type OpCase, type TfTensor } from './op_case.js';
import { hashSeed, hostToTorch, materialize, type HostInput } from './specs.js';
import { apiFor } from './torch_api.js';

let tfReady: Promise<void> | null = null;

/** TensorFlow.js on its plain-JS cpu backend: the reference implementation we are migrating from. */
export function initTfjs(): Promise<void> {
  tfReady ??= tf.setBackend('cpu').then(() => tf.ready());
  return tfReady;
}

export function materializeInputs(c: OpCase): HostInput[] {
  const base = hashSeed(c.name);
  return c.inputs().map((s, i) => materialize(s, (base + i * 7919) >>> 0));
}

function toTf(h: HostInput): TfTensor {
  switch (h.dtype) {
    case 'bool': return tf.tensor(Uint8Array.from(h.data), h.shape, 'bool');
    case 'int32': return tf.tensor(Int32Array.from(h.data), h.shape, 'int32');
    // NOTE: tfjs has no float64; float64 inputs reach tfjs as float32.
    default: return tf.tensor(Float32Array.from(h.data), h.shape, 'float32');
  }
}

function runTfjs(c: OpCase, hosts: HostInput[]): HostTensor[] {
  const outs = tf.tidy(() => asList(c.tfjs!(tf, ...hosts.map(toTf))));
  const read = outs.map((o) => ({ data: o.dataSync() as ArrayLike<number>, shape: o.shape.slice(), dtype: o.dtype as HostTensor['dtype'] }));
  tf.dispose(outs);
  return read;
}

/** Forward check on one backend. */
export async function runForwardCase(c: OpCase, device: DeviceType): Promise<void> {
  const hosts = materializeInputs(c);
  const xs = hosts.map((h) => {
    const host = hostToTorch(h);
    const x = toBackend(host, device);
    if (x !== host) host.dispose();
    return x;
  });
  const api = apiFor(device);
  let got: HostTensor[];
  try {
    const outs = torch.tidy(() => asList(c.run(api, ...xs)));
    got = await Promise.all(outs.map(readHost));
    torch.dispose(outs);
  } finally {
    torch.dispose(xs);
  }
  let expected: HostTensor[] | null = null;
  if (c.tfjs) {
    await initTfjs();
    expected = runTfjs(c, hosts);
  } else if (c.reference) {
    // The reference computes in float64; a float32 result is that value rounded (overflow to inf included).
    expected = asList(c.reference(...hosts)).map((r) => (r.dtype === 'float32' ? { ...r, data: r.data.map(Math.fround) } : r));
  }
  if (!expected && !c.check) throw new Error(`case '${c.name}' has no tfjs, reference or check`);
  if (expected) {
    if (expected.length !== got.length) throw new Error(`${c.name}: ${got.length} outputs, ${expected.length} expected`);
    expected.forEach((e, i) =>
      assertClose(got[i], e, { ...(c.tol ? { rtol: c.tol.rtol, atol: c.tol.atol } : {}), msg: `${c.name}, output ${i} on ${device}` }));
  }
  c.check?.(got, hosts);
}

/** gradcheck in float64: every floating input not marked noGrad is a variable; the rest are held constant. */
export function runGradCase(c: OpCase): number {
  const hosts = materializeInputs(c);
  const api = apiFor('cpu');
  const base = hosts.map((h) => {
    const t = hostToTorch(h);
    return t.isFloatingPoint() ? t.double() : t;
  });
  const isVar = hosts.map((h) => (h.dtype === 'float32' || h.dtype === 'float64') && !h.spec.noGrad);
  const vars = base.filter((_, i) => isVar[i]);
  if (vars.length === 0) throw new Error(`case '${c.name}' has grad: true but no floating input`);
  const fn = (...vs: Tensor[]): Tensor => {
    let k = 0;
    const args = base.map((t, i) => (isVar[i] ? vs[k++] : t));
    const outs = asList(c.run(api, ...args)).filter((o) => o.isFloatingPoint());
    return outs.length === 1 ? outs[0] : torch.cat(outs.map((o) => o.reshape(-1)));
  };
  const worst = torch.autograd.gradcheck(fn, vars);
  // NOTE: gradcheck compares with `err > tol`, which is false for NaN: a NaN gradient would pass silently.
  if (!Number.isFinite(worst)) throw new Error(`gradcheck: ${c.name}: the largest gradient error is ${worst} (a NaN or inf analytical gradient)`);
  return worst;
}
