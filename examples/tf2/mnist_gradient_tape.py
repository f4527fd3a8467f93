"""The seed article's MNIST walkthrough in TensorFlow 2 Python: a GradientTape training step under
@tf.function, Sequential 784-50-10, Adam (learning rate 1e-4), batch 64, 3 epochs, keras.datasets.mnist.

    python examples/tf2/mnist_gradient_tape.py
    npx torchbridge migrate examples/tf2/mnist_gradient_tape.py --out-dir migrated/
"""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.reshape(-1, 784).astype("float32") / 255.0
x_test = x_test.reshape(-1, 784).astype("float32") / 255.0

train_ds = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(60000).batch(64)
test_ds = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(1000)

model = keras.Sequential([
    layers.Dense(50, activation="relu", input_shape=(784,)),
    layers.Dense(10),
])

loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
optimizer = keras.optimizers.Adam(learning_rate=1e-4)
train_loss = keras.metrics.Mean()
train_acc = keras.metrics.SparseCategoricalAccuracy()
test_acc = keras.metrics.SparseCategoricalAccuracy()


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        logits = model(x, training=True)
        loss = loss_fn(y, logits)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    train_loss.update_state(loss)
    train_acc.update_state(y, logits)
    return loss


EPOCHS = 3
for epoch in range(EPOCHS):
    train_loss.reset_states()
    train_acc.reset_states()
    for x, y in train_ds:
        train_step(x, y)
    print(f"epoch {epoch + 1}/{EPOCHS}: loss {train_loss.result():.4f}, train accuracy {train_acc.result() * 100:.2f}%")

for x, y in test_ds:
    test_acc.update_state(y, model(x, training=False))
print("test accuracy: %.2f%%" % (test_acc.result() * 100))
