"""A subclassed keras.Model trained with a GradientTape loop and SGD with momentum: fit
y = sin(3 x0) + x1 ** 2 on random inputs (NumPy's default_rng), then save the weights.

    python examples/tf2/subclassed_momentum.py
"""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers


class MLP(keras.Model):
    def __init__(self, hidden=32):
        super().__init__()
        self.hidden = layers.Dense(hidden, activation="tanh", input_shape=(2,))
        self.out = layers.Dense(1)

    def call(self, x, training=False):
        h = self.hidden(x)
        return self.out(h)


rng = np.random.default_rng(0)
x = rng.uniform(-1.0, 1.0, size=(256, 2)).astype(np.float32)
y = (np.sin(3 * x[:, :1]) + x[:, 1:] ** 2).astype(np.float32)

model = MLP(hidden=32)
optimizer = keras.optimizers.SGD(learning_rate=0.05, momentum=0.9)
loss_fn = keras.losses.MeanSquaredError()


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        pred = model(x, training=True)
        loss = loss_fn(y, pred)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return loss


losses = []
for step in range(300):
    loss = train_step(x, y)
    losses.append(float(loss))
    if step % 100 == 0:
        print(f"step {step}: loss {loss:.5f}")

print(f"first loss {losses[0]:.4f}, last loss {losses[-1]:.4f}")
