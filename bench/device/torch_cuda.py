"""Issue 5's PyTorch CUDA baselines on the device machine: fp32 matmul TFLOP/s (TF32 off) and the seed MNIST MLP
for 3 epochs. Prints JSON lines. Usage: python3 torch_cuda.py <mnist-root (IDX files, raw or .gz)>"""
import gzip, json, os, sys, time
import numpy as np
import torch

root = sys.argv[1]
dev = 'cuda' if torch.cuda.is_available() else 'cpu'
# TF32 would make the matmul a different (lower-precision) computation from our fp32 WGSL kernel.
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
print(json.dumps({'torch': torch.__version__, 'device': torch.cuda.get_device_name(0) if dev == 'cuda' else 'cpu'}))

def sync():
    if dev == 'cuda':
        torch.cuda.synchronize()

for n in (1024, 4096):
    a, b = torch.randn(n, n, device=dev), torch.randn(n, n, device=dev)
    for _ in range(3):
        a @ b
    sync()
    reps = 20 if dev == 'cuda' else 2
    t0 = time.perf_counter()
    for _ in range(reps):
        a @ b
    sync()
    s = (time.perf_counter() - t0) / reps
    print(json.dumps({'matmul': n, 'ms': s * 1e3, 'tflops': 2 * n ** 3 / s / 1e12}))

def idx(name):
    for path in (os.path.join(root, name), os.path.join(root, name + '.gz')):
        if os.path.exists(path):
            raw = gzip.open(path).read() if path.endswith('.gz') else open(path, 'rb').read()
            nd = raw[3]
            dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], 'big') for i in range(nd)]
            return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims)
    raise FileNotFoundError(f'{name} (or .gz) not found in {root}')

x = torch.tensor(idx('train-images-idx3-ubyte').reshape(-1, 784), dtype=torch.float32) / 255
y = torch.tensor(idx('train-labels-idx1-ubyte'), dtype=torch.long)
xt = torch.tensor(idx('t10k-images-idx3-ubyte').reshape(-1, 784), dtype=torch.float32).to(dev) / 255
yt = torch.tensor(idx('t10k-labels-idx1-ubyte'), dtype=torch.long).to(dev)
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(784, 50), torch.nn.ReLU(), torch.nn.Linear(50, 10)).to(dev)
opt = torch.optim.Adam(model.parameters(), lr=1e-4)
crit = torch.nn.CrossEntropyLoss()
# The idiomatic loop: a DataLoader of CPU tensors, each batch moved to the GPU (as the torchbridge worker does).
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=64, shuffle=True)
sync()
t0 = time.perf_counter()
steps = 0
for _ in range(3):
    for xb, yb in loader:
        loss = crit(model(xb.to(dev, non_blocking=True)), yb.to(dev, non_blocking=True))
        opt.zero_grad()
        loss.backward()
        opt.step()
        steps += 1
sync()
seconds = time.perf_counter() - t0
with torch.no_grad():
    acc = (model(xt).argmax(1) == yt).float().mean().item()
print(json.dumps({'mlp_epochs': 3, 'seconds': seconds, 'stepMs': seconds * 1e3 / steps, 'testAccuracy': acc * 100}))
