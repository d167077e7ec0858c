// A folder of colour images through the real `vkae` binary: train with a class held out by name, anomaly by
// class name, denoise a whole RGB JPEG of another size, and a VAE's generated grid in colour. Tiny runs: what
// is checked is shapes, colour, names and messages.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "nn/io/image.hpp"
#include "tests/support/run_vkae.hpp"

namespace vkae {
namespace {

namespace fs = std::filesystem;
using test::expect_one_line_error;
using test::Outcome;
using ::testing::HasSubstr;

Outcome vkae(const std::string& args) {
  return test::run_vkae(args, /*validation=*/true);
}

fs::path scratch(const std::string& name) {
  return test::scratch_dir("folder", name);
}

// Two classes of 12 RGB images each, 10x9 (another size than the model's 8x8): "plain" smooth ramps and
// "striped" ones with bright rows.
fs::path make_folder() {
  const fs::path root = scratch("photos");
  for (int i = 0; i < 24; ++i) {
    const bool striped = i % 2;
    nn::Image image{10, 9, 3, std::vector<uint8_t>(10 * 9 * 3)};
    for (uint32_t y = 0; y < 9; ++y)
      for (uint32_t x = 0; x < 10; ++x)
        for (uint32_t c = 0; c < 3; ++c)
          image.pixels[(y * 10 + x) * 3 + c] =
              static_cast<uint8_t>(striped && y % 3 == 0 ? 250 : (x * 20 + c * 40 + i) % 200);
    const fs::path file = root / (striped ? "striped" : "plain") / (std::to_string(i) + ".png");
    fs::create_directories(file.parent_path());
    nn::write_image(file, image);
  }
  return root;
}

TEST(FolderE2E, HoldOutByNameScoreByNameDenoiseAWholeColourImage) {
  const fs::path photos = make_folder(), run = scratch("run");
  const Outcome t = vkae("train " + photos.string() + " --size 8 --steps 4 --batch 6 --noise 0.1 " +
                         "--val-split 0.5 --holdout-class striped --out " + run.string());
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_EQ(t.err, "") << "validation messages?";
  const std::string ckpt = (run / "checkpoint.safetensors").string();

  const Outcome a = vkae("anomaly " + ckpt + " --json");
  ASSERT_EQ(a.code, 0) << a.err;
  const nlohmann::json j = nlohmann::json::parse(a.out);
  EXPECT_EQ(j.at("holdout_name").get<std::string>(), "striped");
  EXPECT_EQ(j.at("classes").at(0).at("name").get<std::string>(), "plain");
  const Outcome table = vkae("anomaly " + ckpt + " --holdout-class plain");
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("for finding class plain"));
  EXPECT_THAT(table.out, HasSubstr("class striped was left out of training"));
  expect_one_line_error(
      vkae("anomaly " + ckpt + " --holdout-class dotted"),
      "--holdout-class dotted: not a class of " + photos.string() + " (classes: plain, striped)");

  const fs::path in = scratch("photo.jpg"), out = scratch("clean.png");
  nn::Image photo{37, 23, 3, std::vector<uint8_t>(37 * 23 * 3)};
  for (size_t i = 0; i < photo.pixels.size(); ++i) photo.pixels[i] = static_cast<uint8_t>(i * 7 % 256);
  nn::write_image(in, photo);
  const Outcome d = vkae("denoise --checkpoint " + ckpt + " " + in.string() + " " + out.string());
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_THAT(d.out, HasSubstr("the whole 37x23 RGB image in one pass, written at 37x23"));
  const nn::Image clean = nn::read_image(out);
  EXPECT_EQ(clean.width, 37u);
  EXPECT_EQ(clean.height, 23u);
  EXPECT_EQ(clean.channels, 3u);
}

TEST(FolderE2E, AVaeOnColourImagesGeneratesInColour) {
  const fs::path photos = make_folder(), run = scratch("vae");
  const Outcome t =
      vkae("train " + photos.string() + " --model vae --size 8 --steps 2 --batch 6 --out " + run.string());
  ASSERT_EQ(t.code, 0) << t.err;
  const Outcome g = vkae("generate --checkpoint " + (run / "checkpoint.safetensors").string() + " --grid 3");
  ASSERT_EQ(g.code, 0) << g.err;
  EXPECT_EQ(g.err, "") << "validation messages?";
  const nn::Image grid = nn::read_image(run / "generated.png");
  EXPECT_EQ(grid.width, 24u);
  EXPECT_EQ(grid.height, 24u);
  EXPECT_EQ(grid.channels, 3u);
  const nn::Image latent = nn::read_image(run / "latent.png");
  EXPECT_EQ(latent.channels, 3u);
}

}  // namespace
}  // namespace vkae
