// `vkae generate --checkpoint FILE [--out DIR] [--grid N] [--seed S] [--data DIR] [--limit N] [--device D]`:
// the option table, its checks, and printing the files nn::generate wrote.
#include "app/generate_command.hpp"

#include <ostream>

#include "app/options.hpp"

namespace vkae::app {
namespace {

using namespace cli;

struct GenerateState {
  GenerateCommand command;
};

constexpr uint32_t kMaxGrid = nn::kMaxGenerateGrid;

void set_checkpoint(GenerateState& s, std::string_view v) {
  set_checkpoint_path(s.command.config.checkpoint, "generate", v);
}

Spec<GenerateState> generate_spec() {
  using S = GenerateState;
  const nn::GenerateConfig d;
  Spec<S> spec{
      "generate",
      "vkae generate --checkpoint FILE [options]",
      "Samples a VAE checkpoint: decodes an N x N grid of latent vectors z ~ N(0, I) into generated.png. For "
      "a\n"
      "2-D latent space also writes manifold.png (the decoder over the latent plane) and latent.png (the "
      "test\n"
      "images' means mu, coloured by label, axes z0 and z1).",
      {},
      [](S& s, std::string_view arg) { set_checkpoint(s, arg); },
      "manifold.png: column j (left to right) decodes z0 = P^-1(q_j) and row i (top to bottom) z1 =\n"
      "P^-1(q_(N-1-i)), with P^-1 the standard normal's inverse CDF and q = linspace(0.05, 0.95, N), as in\n"
      "the Keras VAE example: each cell covers about as much of the prior as any other. With a latent size\n"
      "other than 2 only generated.png is written. The checkpoint may also be the only positional argument."};
  const std::string grid_expected = "an integer from 1 to " + std::to_string(kMaxGrid);
  spec.options = {
      text_option<S>("--checkpoint", "FILE", "a checkpoint file",
                     "a VAE's .safetensors checkpoint (required)", set_checkpoint),
      text_option<S>("--out", "DIR", "a folder", "where the PNGs go (default: the checkpoint's folder)",
                     [](S& s, std::string_view v) { s.command.config.out = std::filesystem::path(v); }),
      {"--grid", "N", grid_expected,
       "N x N samples and manifold points, " + grid_expected + " (default " + std::to_string(d.grid) + ")",
       [grid_expected](S& s, std::string_view flag, std::string_view v) {
         const uint32_t n = parse_integer<uint32_t>(flag, v, 1, grid_expected);
         if (n > kMaxGrid) bad_value(flag, v, grid_expected);
         s.command.config.grid = n;
       }},
      integer_option<S, uint64_t>(
          "--seed", 0, "seed of the samples' latent vectors (default " + std::to_string(d.seed) + ")",
          [](S& s, uint64_t v) { s.command.config.seed = v; }),
      text_option<S>("--data", "DIR", "a folder",
                     "folder with the test IDX files for latent.png (default: the cache, see `vkae fetch`)",
                     [](S& s, std::string_view v) { s.command.config.data_dir = std::filesystem::path(v); }),
      integer_option<S, uint32_t>("--limit", 1,
                                  "latent.png shows the first N test images only (default: all)",
                                  [](S& s, uint32_t v) { s.command.config.limit = v; }),
      device_option<S>([](S& s, std::string_view v) { s.command.config.device = str(v); }),
  };
  spec.finish = [](S& s) {
    if (s.command.config.checkpoint.empty())
      throw InputError("generate needs --checkpoint FILE (a VAE's checkpoint.safetensors from a run folder)");
  };
  return spec;
}

int run_generate(const GenerateCommand& command, const Console& console) {
  const nn::GenerateResult result = nn::generate(command.config);
  for (const auto& f : result.files)
    console.out << "wrote " << f.path.string() << " (" << f.width << "x" << f.height << "): " << f.what
                << "\n";
  if (!result.note.empty()) console.out << result.note << "\n";
  console.out << std::flush;
  return kExitOk;
}

}  // namespace

CommandEntry generate_entry() {
  return spec_entry<generate_spec, run_generate>(
      "generate --checkpoint FILE", "a VAE's samples (and for 2-D latents its manifold and latent scatter)");
}

}  // namespace vkae::app
