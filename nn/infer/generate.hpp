// `vkae generate`: a VAE checkpoint's decoder on latent vectors drawn from its prior, N(0, I), as an N x N
// grid (generated.png); for a 2-D latent space also the decoded grid over the latent plane (manifold.png) and
// the test images' means coloured by label (latent.png). Not for other models: they have no prior to sample
// from.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vkae::nn {

inline constexpr uint32_t kMaxGenerateGrid = 100;  // --grid N: at most N x N samples

struct GenerateConfig {
  std::filesystem::path checkpoint;
  std::optional<std::filesystem::path> out;  // default: the checkpoint's folder
  uint32_t grid = 10;                        // N: N x N samples and manifold points
  uint64_t seed = 0;                         // for the samples' latent vectors (drawn on the host)
  std::optional<std::filesystem::path> data_dir;
  std::optional<uint32_t> limit;  // latent.png: the first N test images (default all)
  std::string device;
};

struct GeneratedFile {
  std::filesystem::path path;
  uint32_t width = 0, height = 0;
  std::string what;  // "100 samples, z ~ N(0, I), seed 0"
};

struct GenerateResult {
  std::vector<GeneratedFile> files;
  uint32_t latent = 0;  // Z
  std::string note;     // why manifold.png and latent.png were not made (Z != 2), or empty
  std::string device;
};

// InputError (one line) when the checkpoint is not a VAE's, before any device work.
GenerateResult generate(const GenerateConfig& config);

// The latent vectors of the samples: [count, latent] standard normal floats, a pure function of the seed.
std::vector<float> prior_samples(uint32_t count, uint32_t latent, uint64_t seed);

}  // namespace vkae::nn
