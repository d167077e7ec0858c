// The training defaults, in one place: what `vkae train` does without flags (Keras' and the seed tutorial's
// choices), and the batch the inference passes use. Every config struct, the help texts and the checkpoint's
// RunInfo take their defaults from here.
#pragma once
#include <cstdint>

namespace vkae::nn {

inline constexpr uint32_t kDefaultEpochs = 20;
inline constexpr uint32_t kDefaultBatch = 128;  // images per optimizer step
inline constexpr float kDefaultLr = 1e-3f;      // Adam's learning rate (Keras' default)
inline constexpr float kDefaultNoise = 0.5f;    // the denoising noise factor f: clip(x + f*N(0,1), 0, 1)
inline constexpr uint64_t kDefaultSeed = 0;
// Images per batch of the passes over a trained model (eval, encode, anomaly, reduce, generate, the analysis
// panels): a batch the device holds easily, independent of the batch the model was trained with.
inline constexpr uint32_t kInferenceBatch = 128;

}  // namespace vkae::nn
