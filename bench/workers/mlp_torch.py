"""Bench worker: the seed MLP on PyTorch CPU (when python3-torch is installed); prints one JSON line."""
import json, os, resource, sys, time
import numpy as np
import torch

epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
root = sys.argv[2]
torch.manual_seed(0)
torch.set_num_threads(1)

def idx(path):
    raw = open(path, 'rb').read()
    nd = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], 'big') for i in range(nd)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims)

x = torch.tensor(idx(f'{root}/train-images-idx3-ubyte').reshape(-1, 784), dtype=torch.float32) / 255
y = torch.tensor(idx(f'{root}/train-labels-idx1-ubyte'), dtype=torch.long)
xt = torch.tensor(idx(f'{root}/t10k-images-idx3-ubyte').reshape(-1, 784), dtype=torch.float32) / 255
yt = torch.tensor(idx(f'{root}/t10k-labels-idx1-ubyte'), dtype=torch.long)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=64, shuffle=True)
model = torch.nn.Sequential(torch.nn.Linear(784, 50), torch.nn.ReLU(), torch.nn.Linear(50, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-4)
crit = torch.nn.CrossEntropyLoss()
t0 = time.perf_counter()
c0 = time.process_time()  # CPU time of the process (cpuSeconds), as the Node workers report it
steps = 0
for _ in range(epochs):
    for xb, yb in loader:
        loss = crit(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        steps += 1
seconds = time.perf_counter() - t0
cpu_seconds = time.process_time() - c0
with torch.no_grad():
    acc = (model(xt).argmax(1) == yt).float().mean().item()
# Debian's torch calls whatever libblas.so.3 the alternatives system points at.
blas = 'unknown'
try:
    real = os.path.realpath('/usr/lib/x86_64-linux-gnu/libblas.so.3')
    blas = 'OpenBLAS' if 'openblas' in real else ('reference BLAS' if '/blas/' in real else real)
except Exception:
    pass
print(json.dumps({'seconds': seconds, 'cpuSeconds': cpu_seconds, 'stepMs': seconds * 1000 / steps, 'testAccuracy': acc * 100,
                  'peakRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'blas': blas}))
