// `vkae generate`: its command struct and its entry for the command table. The sampling, the manifold and
// the latent scatter are nn/infer/generate.hpp's.
#pragma once
#include "app/command_entry.hpp"
#include "nn/infer/generate.hpp"

namespace vkae::app {

// `vkae generate --checkpoint F [flags]`: a VAE's samples, manifold and latent scatter.
struct GenerateCommand {
  nn::GenerateConfig config;
};

CommandEntry generate_entry();

}  // namespace vkae::app
