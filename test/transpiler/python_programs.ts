/**
 * Small TensorFlow 2 Python programs and what TensorFlow 2 prints for each: migrated to TypeScript
 * (python.test.ts) and emitted as TensorFlow.js (python_tfjs.test.ts), each must print the same.
 */
export const HEAD = 'import tensorflow as tf\nfrom tensorflow import keras\nfrom tensorflow.keras import layers\nimport numpy as np\n';

/** Programs migrated, type-checked and run: each prints what TensorFlow 2 prints. */
export const PROGRAMS: { name: string; body: string; expected: string[] }[] = [
  {
    name: 'nested_tapes',
    body: 'x = tf.Variable(3.0)\nwith tf.GradientTape() as t2:\n    with tf.GradientTape() as t1:\n        y = x * x * x\n    dy = t1.gradient(y, x)\nd2y = t2.gradient(dy, x)\nprint("dy", float(dy), "d2y", float(d2y))\n',
    expected: ['dy 27 d2y 18'],
  },
  {
    name: 'persistent_watch',
    body: 'a = tf.constant([1.0, 2.0, 3.0])\nwith tf.GradientTape(persistent=True) as tape:\n    tape.watch(a)\n    s = tf.reduce_sum(a ** 2)\n    m = tf.reduce_mean(a * 3.0)\nga = tape.gradient(s, a)\ngm = tape.gradient(m, a)\nprint(float(ga[2]), float(gm[0]))\n',
    expected: ['6 1'],
  },
  {
    name: 'dict_gradient',
    body: 'w = tf.Variable(2.0)\nb = tf.Variable(1.0)\nwith tf.GradientTape() as tape:\n    y = w * w * 3.0 + b\ng = tape.gradient(y, {"w": w, "b": b})\nprint(float(g["w"]), float(g["b"]))\n',
    expected: ['12 1'],
  },
  {
    name: 'variables_list_gradient',
    body: 'w = tf.Variable(tf.zeros([2, 1]))\nb = tf.Variable(0.0)\nopt = keras.optimizers.SGD(learning_rate=0.02)\nxs = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)\nys = np.array([[5.0], [11.0]], dtype=np.float32)\nlosses = []\nfor i in range(500):\n    with tf.GradientTape() as tape:\n        pred = tf.matmul(xs, w) + b\n        loss = tf.reduce_mean((pred - ys) ** 2)\n    gw, gb = tape.gradient(loss, [w, b])\n    opt.apply_gradients(zip([gw, gb], [w, b]))\n    losses.append(float(loss))\nprint(losses[-1] < 0.01 * losses[0])\n',
    expected: ['True'],
  },
  {
    name: 'python_semantics',
    body: 'v = [i * 2 for i in range(5) if i % 2 == 0]\nfor i, (p, q) in enumerate(zip(v, v[1:])):\n    print(i, p, q, 7 // 2, 2 ** 3, v[-1])\nprint("%d items, %.1f%%" % (len(v), 12.345))\nprint(f"{3.14159:.2f}|{42:5d}|{0.5:.1%}")\n',
    expected: ['0 0 4 3 8 8', '1 4 8 3 8 8', '3 items, 12.3%', '3.14|   42|50.0%'],
  },
  {
    name: 'metrics_dataset',
    body: 'x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]], dtype=np.float32)\ny = np.array([0, 1, 1])\nds = tf.data.Dataset.from_tensor_slices((x, y)).batch(2)\nacc = keras.metrics.SparseCategoricalAccuracy()\nmean = keras.metrics.Mean()\nfor xb, yb in ds:\n    acc.update_state(yb, xb)\n    mean.update_state(xb)\nprint(f"{acc.result():.4f} {mean.result():.4f}")\nacc.reset_states()\nprint(float(acc.result()))\n',
    expected: ['0.6667 0.5000', '0'],
  },
];
