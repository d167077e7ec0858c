// The pieces of vkae's Python module (module.cpp defines it): the Model class's bindings and docstrings, and
// load_data's.
#pragma once
#include <pybind11/pybind11.h>

namespace vkae::python {

void bind_model(pybind11::module_& m);
void bind_data(pybind11::module_& m);  // load_data

inline constexpr const char* kModelDoc = R"(An autoencoder trained through Vulkan compute shaders.

Model(model="dae", device="")
  model: a built-in model's name ("dae", "conv", "dense", "deep", "sparse", "dae-transpose", "vae", "sr"),
         the path of a JSON spec, or the spec itself as a dict (the JSON spec's keys).
  device: a Vulkan device's index or name, as `vkae --device`; "" picks the best (vkae.devices()).

A built-in model takes its input shape from the first fit's images. Images are numpy arrays, float32 in
[0, 1] or uint8, N x H x W, N x H x W x C (channels last, the default) or, with channels_first=True,
N x C x H x W.)";

inline constexpr const char* kFitDoc = R"(Trains the model to reconstruct x; returns a History.

fit(x, y=None, epochs=1, batch_size=128, validation_split=0.0, validation_data=None, shuffle=True,
    noise=None, seed=0, lr=1e-3, tensorboard=None, callbacks=None, verbose=1, channels_first=False)
  y: None or x itself (the target is the input).
  validation_split: a fraction F: the last F of x (before shuffling, as Keras) validates instead of training.
  validation_data: x_val or (x_val, None | x_val): the loss on it after each epoch (history["val_loss"]).
  noise: a denoising model's noise factor F: each step trains on clip(x + F * N(0, 1), 0, 1) against x.
  tensorboard: a log folder: the run writes its train/ and validation/ event files (and its checkpoint and
               metrics) there.
  callbacks: vkae.EarlyStopping(min_delta, patience) and vkae.ReduceLROnPlateau(factor, patience,
             min_delta, min_lr) act on the run as the CLI's --early-stopping and --lr-schedule plateau (they
             watch val_loss: validation needed); any other object gets Keras' set_model(model),
             on_train_begin(logs), on_epoch_end(epoch, logs) and on_train_end(logs), and may set
             model.stop_training = True to end the run at that epoch's end.
  verbose: 0 silent, 1 a progress bar per epoch, 2 one line per epoch.
A float32 x is rounded to 8-bit levels (k / 255, exact for images scaled by / 255): the device keeps the
training images as bytes. A later fit continues the same run (its optimizer state, its epochs counted on) and
must keep its batch_size, lr, noise, seed, shuffle and image count. Ctrl-C ends the run after the steps in
flight; the model keeps what it trained and KeyboardInterrupt is raised.)";

inline constexpr const char* kEvaluateDoc = R"(The model's loss on clean images x, as `vkae eval`.

evaluate(x, y=None, noise=None, seed=0, channels_first=False) -> float
  The loss of the model's input made from x (noisy with the run's noise, or `noise`; downscaled for a
  super-resolution model) against x: the fit's val_loss on the same images and seed.)";

}  // namespace vkae::python
