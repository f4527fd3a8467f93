#!/usr/bin/env bash
# Issue 5's real-GPU figures, in one run on the lent device machine (prepared by bench/device/prepare.sh):
# torchbridge WebGPU matmul at 1024³/4096³ and the seed MLP's 3 epochs, against PyTorch CUDA fp32 (TF32 off) on the
# same GPU. Device command (carry [".device"], timeout_s ~500):
#   source .device/setup.sh && bash .device/run.sh 2>&1 | tee $OUT/gpu.log
set -uo pipefail
export MNIST_ROOT="$PWD/.device/mnist"
echo "== torchbridge on webgpu vs cpu: matmul, conv, MLP step"
timeout 240 node .device/webgpu.mjs --sizes 1024,4096 --steps 50
echo "== torchbridge seed MLP, 3 epochs, webgpu"
timeout 120 node .device/mlp.mjs 3 webgpu
echo "== PyTorch CUDA fp32 (TF32 off): matmul and the seed MLP, 3 epochs"
timeout 180 python3 .device/torch_cuda.py "$MNIST_ROOT"
