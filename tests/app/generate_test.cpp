// `vkae generate`: parsing (flags, ranges, the required checkpoint, help) and the real binary on tiny runs: a
// 2-D VAE gives generated.png, manifold.png and latent.png of the right sizes, not blank, identical for the
// same seed; a 3-D one gives generated.png only and says why; a checkpoint of another model is one error
// line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "app/cli.hpp"
#include "base/error.hpp"
#include "nn/io/atomic_file.hpp"
#include "nn/io/png.hpp"
#include "tests/support/run_vkae.hpp"

namespace vkae {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

app::Command parse(std::vector<std::string_view> args) {
  return app::parse_command_line(std::span<const std::string_view>(args));
}

std::string parse_error(std::vector<std::string_view> args) {
  try {
    parse(std::move(args));
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(GenerateCli, ParsesEveryFlag) {
  const auto c = parse({"generate", "--checkpoint", "r/ck.safetensors", "--out", "o", "--grid", "7", "--seed",
                        "9", "--data", "d", "--limit", "300", "--device", "1"})
                     .as<app::GenerateCommand>()
                     .config;
  EXPECT_EQ(c.checkpoint, "r/ck.safetensors");
  EXPECT_EQ(c.out, fs::path("o"));
  EXPECT_EQ(c.grid, 7u);
  EXPECT_EQ(c.seed, 9u);
  EXPECT_EQ(c.data_dir, fs::path("d"));
  EXPECT_EQ(c.limit, 300u);
  EXPECT_EQ(c.device, "1");
  const auto d = parse({"--generate", "ck.safetensors"}).as<app::GenerateCommand>().config;
  EXPECT_EQ(d.checkpoint, "ck.safetensors");
  EXPECT_EQ(d.grid, 10u);
  EXPECT_FALSE(d.out);
}

TEST(GenerateCli, BadFlagsNameThemselves) {
  EXPECT_THAT(parse_error({"generate"}), HasSubstr("generate needs --checkpoint FILE"));
  EXPECT_THAT(parse_error({"generate", "a", "b"}), HasSubstr("the checkpoint is already a"));
  EXPECT_THAT(parse_error({"generate", "a", "--grid", "0"}),
              HasSubstr("--grid 0: expected an integer from 1 to 100"));
  EXPECT_THAT(parse_error({"generate", "a", "--grid", "101"}),
              HasSubstr("--grid 101: expected an integer from 1 to 100"));
  EXPECT_THAT(parse_error({"generate", "a", "--grid", "x"}), HasSubstr("--grid x"));
  EXPECT_THAT(parse_error({"generate", "a", "--seed", "-1"}), HasSubstr("--seed -1"));
  EXPECT_THAT(parse_error({"generate", "a", "--limit", "0"}), HasSubstr("--limit 0"));
  EXPECT_THAT(parse_error({"generate", "a", "--seeds", "1"}), HasSubstr("did you mean --seed?"));
  EXPECT_THAT(parse_error({"generate", "a", "--out"}), HasSubstr("--out: missing value"));
  EXPECT_THAT(parse_error({"generat"}), HasSubstr("did you mean generate?"));
}

TEST(GenerateCli, HelpNamesTheGridAndItsQuantiles) {
  const std::string help = parse({"generate", "--help"}).as<app::HelpCommand>().text;
  EXPECT_THAT(help, HasSubstr("--grid N"));
  EXPECT_THAT(help, HasSubstr("linspace(0.05, 0.95, N)"));
  EXPECT_THAT(help, HasSubstr("(default 10)"));
  EXPECT_THAT(app::help_text(""), HasSubstr("generate --checkpoint FILE"));
}

using test::Outcome;

fs::path scratch(const std::string& name) {
  return test::scratch_dir("generate", name);
}

Outcome vkae(const std::string& args) {
  return test::run_vkae(args);
}

// A run folder freshly trained by `args` (ctest runs each test in its own process, so nothing is cached).
fs::path trained(const std::string& name, const std::string& args) {
  const fs::path dir = scratch(name);
  const Outcome r = vkae("train mnist " + args + " --out " + dir.string());
  EXPECT_EQ(r.code, 0) << r.err;
  return dir;
}

double variance(const std::vector<uint8_t>& p) {
  double sum = 0, sq = 0;
  for (uint8_t v : p) sum += v, sq += double(v) * v;
  const double mean = sum / p.size();
  return sq / p.size() - mean * mean;
}

TEST(GenerateE2E, TwoDimensionalVaeWritesThreePngsReproducibly) {
  // 32 steps: after fewer the decoder still paints every latent vector the same flat grey.
  const fs::path run = trained("vae2", "--model vae --limit 2048 --batch 64 --epochs 1 --val-limit 256");
  const fs::path ckpt = run / "checkpoint.safetensors";
  // Default --out: the checkpoint's folder.
  const Outcome first = vkae("generate --checkpoint " + ckpt.string() + " --grid 6 --limit 500");
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_TRUE(first.err.empty()) << first.err;
  for (const char* f : {"generated.png (168x168)", "manifold.png (168x168)", "latent.png (720x640)"})
    EXPECT_THAT(first.out, HasSubstr(f));
  const auto samples = nn::read_png_grey(run / "generated.png");
  const auto manifold = nn::read_png_grey(run / "manifold.png");
  const auto latent = nn::read_png_grey(run / "latent.png");
  EXPECT_EQ(samples.width, 168u);
  EXPECT_EQ(samples.height, 168u);
  EXPECT_EQ(manifold.width, 168u);
  EXPECT_EQ(manifold.height, 168u);
  EXPECT_EQ(latent.width, 720u);
  EXPECT_EQ(latent.height, 640u);
  EXPECT_GT(variance(samples.pixels), 50.0) << "generated.png looks blank";
  EXPECT_GT(variance(manifold.pixels), 50.0) << "manifold.png looks blank";
  EXPECT_GT(variance(latent.pixels), 50.0) << "latent.png looks blank";
  // Coloured dots: the plot's own pixels are white, black, grid grey (225) and frame grey (150) only.
  const auto dots = std::count_if(latent.pixels.begin(), latent.pixels.end(),
                                  [](uint8_t v) { return (v > 20 && v < 145) || (v > 155 && v < 220); });
  EXPECT_GT(dots, 1000) << "latent.png has no scatter";

  // The same seed again, elsewhere: byte for byte the same files; another seed: other samples, same manifold.
  const fs::path again = scratch("again"), other = scratch("other");
  ASSERT_EQ(vkae("generate " + ckpt.string() + " --grid 6 --limit 500 --out " + again.string()).code, 0);
  ASSERT_EQ(vkae("generate " + ckpt.string() + " --grid 6 --limit 500 --seed 1 --out " + other.string()).code,
            0);
  for (const char* f : {"generated.png", "manifold.png", "latent.png"})
    EXPECT_EQ(nn::read_text_file(run / f), nn::read_text_file(again / f)) << f;
  EXPECT_NE(nn::read_text_file(run / "generated.png"), nn::read_text_file(other / "generated.png"));
  EXPECT_EQ(nn::read_text_file(run / "manifold.png"), nn::read_text_file(other / "manifold.png"));
  fs::remove_all(run);
  fs::remove_all(again);
  fs::remove_all(other);
}

TEST(GenerateE2E, ThreeDimensionalVaeWritesSamplesOnlyAndSaysWhy) {
  const fs::path run =
      trained("vae3", "--model vae --latent 3 --steps 2 --limit 256 --batch 64 --val-limit 64");
  const fs::path out = scratch("vae3-out");
  const Outcome r = vkae("generate --checkpoint " + (run / "checkpoint.safetensors").string() +
                         " --grid 4 --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("generated.png (112x112)"));
  EXPECT_THAT(r.out, HasSubstr("3 dimensions, not 2"));
  EXPECT_TRUE(fs::exists(out / "generated.png"));
  EXPECT_FALSE(fs::exists(out / "manifold.png"));
  EXPECT_FALSE(fs::exists(out / "latent.png"));
  fs::remove_all(run);
  fs::remove_all(out);
}

TEST(GenerateE2E, OtherModelsAreOneErrorLine) {
  const fs::path run = trained("dae", "--steps 2 --limit 256 --batch 64 --no-val");
  const Outcome r = vkae("generate --checkpoint " + (run / "checkpoint.safetensors").string());
  EXPECT_NE(r.code, 0);
  EXPECT_LT(r.code, 128) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_THAT(r.err, ::testing::StartsWith("vkae: "));
  EXPECT_THAT(r.err, HasSubstr("not a VAE"));
  EXPECT_FALSE(fs::exists(run / "manifold.png"));
  const Outcome missing = vkae("generate --checkpoint /nonexistent.safetensors");
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << missing.err;
  EXPECT_THAT(missing.err, HasSubstr("/nonexistent.safetensors"));
  fs::remove_all(run);
}

}  // namespace
}  // namespace vkae
