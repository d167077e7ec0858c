// The real `vkae` binary on bad input: one clear line on stderr, a non-zero exit, no crash, and nothing
// half-written (an existing checkpoint is never damaged). Plus eval --json and denoise on a user's PNG.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "nn/io/atomic_file.hpp"
#include "nn/io/png.hpp"
#include "tests/support/run_vkae.hpp"

namespace vkae {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using test::expect_one_line_error;
using test::Outcome;

Outcome vkae(const std::string& args) {
  return test::run_vkae(args);
}

fs::path scratch(const std::string& name) {
  const fs::path p = fs::temp_directory_path() / ("vkae-e2e-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(p);
  return p;
}

const char* kSmall = "--limit 256 --batch 32 --val-limit 128 --epochs 1";

// A trained checkpoint shared by the tests below (4 steps: enough to be a real checkpoint).
const fs::path& trained_run() {
  static const fs::path dir = [] {
    const fs::path d = scratch("run");
    const Outcome r = vkae(std::string("train mnist --steps 4 ") + kSmall + " --out " + d.string());
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("training dae on mnist: 4 steps (unless 1 epoch ends first), batch 32, lr "
                                 "0.001, noise 0.5, seed 0"));
    return d;
  }();
  return dir;
}

// `vkae devices` names the workgroup widths the kernels run at on the chosen device; a width the device
// cannot take (lavapipe: 32 KiB of shared memory holds 64 conv invocations) is one line.
TEST(CliE2E, DevicesNamesTheWorkgroupWidthsAndRefusesOnesTheDeviceCannotTake) {
  const Outcome ok = vkae("devices");
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("its workgroups conv 64, dense 64, pool 64, reduce 256 (subgroup 8)"));
  const Outcome wider = test::run_vkae_after("VKAE_WORKGROUPS=dense=256,reduce=512 ", "devices");
  ASSERT_EQ(wider.code, 0) << wider.err;
  EXPECT_THAT(wider.out, HasSubstr("its workgroups conv 64, dense 256, pool 64, reduce 512"));
  expect_one_line_error(test::run_vkae_after("VKAE_WORKGROUPS=conv=128 ", "devices"),
                        "VKAE_WORKGROUPS: conv=128: expected a power of two from 1 to 64");
}

TEST(CliE2E, BadFlagsGiveOneLineAndUsageExit) {
  expect_one_line_error(vkae("train mnist --batch 0"), "--batch 0: expected an integer >= 1");
  expect_one_line_error(vkae("train mnist --lr nan"), "--lr nan");
  expect_one_line_error(vkae("train mnist --lr -0.1"), "--lr -0.1");
  expect_one_line_error(vkae("train cifar10"), "cifar10");
  expect_one_line_error(vkae("train mnist --model unet"), "--model unet: unknown model");
  expect_one_line_error(vkae("train mnist --epoch 3"), "did you mean --epochs?");
  EXPECT_EQ(vkae("train mnist --batch 0").code, 2);
}

TEST(CliE2E, UnwritableOutIsRefusedBeforeAnyWork) {
  const Outcome r = vkae(std::string("train mnist --steps 1 ") + kSmall + " --out /proc/vkae-no");
  expect_one_line_error(r, "--out /proc/vkae-no");
}

TEST(CliE2E, MissingTruncatedAndCorruptIdxFiles) {
  const fs::path empty = scratch("empty");
  fs::create_directories(empty);
  const std::string env = "XDG_CACHE_HOME=" + empty.string() + " VKAE_DATA= ";
  const Outcome missing = [&] {
    const std::string cmd = env + VKAE_BINARY + " train mnist --steps 1 --data " + empty.string();
    const fs::path err = empty / "err";
    const int status = std::system((cmd + " 2>" + err.string() + " >/dev/null").c_str());
    return Outcome{WEXITSTATUS(status), "", nn::read_text_file(err)};
  }();
  expect_one_line_error(missing, "vkae fetch mnist");

  // A copy of MNIST with the training images cut short, and one with a broken magic number.
  const fs::path cache =
      fs::path(std::getenv("XDG_CACHE_HOME") ? std::getenv("XDG_CACHE_HOME")
                                             : std::string(std::getenv("HOME")) + "/.cache") /
      "vkae" / "mnist";
  for (const char* kind : {"truncated", "corrupt"}) {
    const fs::path dir = scratch(kind);
    fs::create_directories(dir);
    for (const char* f : {"train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"})
      fs::copy_file(cache / f, dir / f);
    std::string images = nn::read_text_file(cache / "train-images-idx3-ubyte");
    if (std::string(kind) == "truncated")
      images.resize(images.size() / 2);
    else
      images[2] = 0x0D;  // a type code that is not unsigned byte
    std::ofstream(dir / "train-images-idx3-ubyte", std::ios::binary) << images;
    const Outcome r =
        vkae("train mnist --steps 1 --data " + dir.string() + " --out " + scratch("o").string());
    expect_one_line_error(r, (dir / "train-images-idx3-ubyte").string());
    EXPECT_FALSE(fs::exists(scratch("o"))) << "no run folder for a run that never started";
  }
}

TEST(CliE2E, EvalJsonAndBadCheckpoints) {
  const fs::path ckpt = trained_run() / "checkpoint.safetensors";
  const Outcome ok = vkae("eval --checkpoint " + ckpt.string() + " --limit 128 --json");
  ASSERT_EQ(ok.code, 0) << ok.err;
  const nlohmann::json j = nlohmann::json::parse(ok.out);
  EXPECT_GT(j.at("bce").get<double>(), 0.0);
  EXPECT_LT(j.at("bce").get<double>(), 0.7);
  EXPECT_EQ(j.at("images").get<int64_t>(), 128);

  const std::string original = nn::read_text_file(ckpt);
  const fs::path truncated = scratch("t.safetensors");
  std::ofstream(truncated, std::ios::binary) << original.substr(0, original.size() - 100);
  expect_one_line_error(vkae("eval --checkpoint " + truncated.string()), truncated.string());
  const fs::path garbage = scratch("g.safetensors");
  std::ofstream(garbage, std::ios::binary) << "this is not a checkpoint at all";
  expect_one_line_error(vkae("eval --checkpoint " + garbage.string()), garbage.string());
  expect_one_line_error(vkae("eval --checkpoint /nonexistent.safetensors"), "/nonexistent.safetensors");
  // Resuming as another model is refused, and the checkpoint stays byte for byte what it was.
  expect_one_line_error(vkae("train mnist --model conv --resume " + ckpt.string()),
                        "checkpoint of model 'dae'");
  EXPECT_EQ(nn::read_text_file(ckpt), original);
}

TEST(CliE2E, DenoiseAUsersPngAndRejectANonPng) {
  const fs::path ckpt = trained_run() / "checkpoint.safetensors";
  const fs::path in = scratch("digit.png"), out = scratch("clean.png");
  std::vector<uint8_t> pixels(56 * 40, 0);  // a white stroke on black as in MNIST, another size than 28x28
  for (int y = 10; y < 46; ++y)
    for (int x = 18; x < 22; ++x) pixels[y * 40 + x] = 255;
  nn::write_png(in, 40, 56, 1, pixels);
  const Outcome r = vkae("denoise --checkpoint " + ckpt.string() + " " + in.string() + " " + out.string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("the whole 40x56 grey image in one pass, written at 40x56"));
  const nn::GreyImage result = nn::read_png_grey(out);  // dae is convolutional: the image keeps its size
  EXPECT_EQ(result.width, 40u);
  EXPECT_EQ(result.height, 56u);

  const fs::path text = scratch("notes.png");
  std::ofstream(text) << "hello";
  const fs::path never = scratch("never.png");
  expect_one_line_error(
      vkae("denoise --checkpoint " + ckpt.string() + " " + text.string() + " " + never.string()),
      text.string() + ": unknown image type (expected PNG, JPEG, BMP");
  EXPECT_FALSE(fs::exists(never));
}

}  // namespace
}  // namespace vkae
