/** `data`: datasets and loaders (torch.utils.data + torchvision's MNIST). */
export { Dataset, TensorDataset, Subset } from './dataset.js';
export { DataLoader } from './dataloader.js';
export type { DataLoaderOptions } from './dataloader.js';
export { MNIST } from './mnist.js';
export type { MNISTOptions } from './mnist.js';
export { readIdx, parseIdx, readMnist, mnistFiles, defaultMnistRoot, IdxError } from './idx.js';
export { IterableDataset, fromArray, fromGenerator, zip } from './iterable.js';
export type { DatasetIterator } from './iterable.js';
export { csv } from './csv.js';
export type { CSVConfig, ColumnConfig } from './csv.js';
