// Faults that lose nothing, through the real binary: kill -9 at random moments and resume, again and again,
// ends on the uninterrupted run's exact weights (each checkpoint on disk loads after every kill); SIGTERM
// and SIGHUP save and exit like Ctrl-C; a full disk (a file-size limit) and a vanished run folder are one
// line and leave the previous checkpoint intact; a lost device is one line; a blown-up lr names the step.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>

#include "nn/io/atomic_file.hpp"
#include "nn/io/safetensors.hpp"
#include "nn/train/checkpoint.hpp"
#include "tests/support/checkpoints.hpp"
#include "tests/support/run_vkae.hpp"

namespace vkae {
namespace {

namespace fs = std::filesystem;
using test::Outcome;
using ::testing::HasSubstr;

fs::path scratch(const std::string& name) {
  return test::scratch_dir("faults", name);
}

// dae on 640 images, batch 32: 20 steps an epoch, 2 epochs; a checkpoint every 3 steps.
const char* kRun =
    "train mnist --limit 640 --batch 32 --val-limit 64 --epochs 2 --save-every 3 --no-tensorboard";

std::string run_args(const fs::path& out) {
  const fs::path ckpt = out / "checkpoint.safetensors";
  return std::string(kRun) + " --out " + out.string() +
         (fs::exists(ckpt) ? " --resume " + ckpt.string() : "");
}

// Each attempt waits until the run has saved once more (the checkpoint's inode changes with each atomic
// rename), then kills -9 after a seeded random delay of up to a tenth of the uninterrupted run's wall time:
// the kills land anywhere in a step or a save, and each attempt makes progress however slow the machine
// (the sanitizer pass, a busy CI). After ten kills a last resume runs to the end.
std::string kill_after_next_save(const fs::path& out, double delay) {
  const std::string ckpt = (out / "checkpoint.safetensors").string();
  const std::string inode = "$(stat -c %i " + ckpt + " 2>/dev/null)";
  return " & pid=$!; old=" + inode + "; for i in $(seq 3000); do new=" + inode +
         "; [ -n \"$new\" ] && [ \"$new\" != \"$old\" ] && break; kill -0 $pid 2>/dev/null || break; "
         "sleep 0.02; done; sleep " +
         std::to_string(delay) + "; kill -9 $pid 2>/dev/null; wait $pid";
}

TEST(Faults, RandomKillsAndResumesEndOnTheUninterruptedWeights) {
  const fs::path whole = scratch("whole"), killed = scratch("killed");
  const auto t0 = std::chrono::steady_clock::now();
  const Outcome w = test::run_vkae(run_args(whole));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(w.code, 0) << w.err;
  std::mt19937 rng(12345);
  std::uniform_real_distribution<double> delay(0.0, 0.1 * seconds);
  uint64_t last_step = 0;
  int kills = 0, kills_after_a_save = 0;
  for (int attempt = 0; attempt <= 10; ++attempt) {
    const std::string suffix = attempt < 10 ? kill_after_next_save(killed, delay(rng)) : "";
    const Outcome r = test::run_vkae_after("", run_args(killed), suffix);
    const fs::path ckpt = killed / "checkpoint.safetensors";
    if (fs::exists(ckpt)) {  // whatever moment the kill came, the checkpoint on disk loads
      const nn::LoadedCheckpoint c = nn::read_checkpoint(ckpt);
      EXPECT_GE(c.info.step, last_step) << "a kill lost a saved step";
      last_step = c.info.step;
    }
    if (r.code == 0) break;
    ASSERT_EQ(r.code, 137) << "not killed, not done: " << r.err;
    ++kills;
    if (last_step > 0 && last_step < 40) ++kills_after_a_save;
  }
  ASSERT_EQ(last_step, 40u) << "the run never finished";
  EXPECT_GE(kills, 2) << "the kills came too late to test anything";
  EXPECT_GE(kills_after_a_save, 1) << "no kill came between two checkpoints";
  test::expect_same_tensors(killed / "checkpoint.safetensors", whole / "checkpoint.safetensors");
}

// Starts the run, waits for its first checkpoint (it is training then), sends `signal`, and waits for it.
Outcome run_then_signal(const std::string& args, const fs::path& out, const std::string& signal) {
  const std::string wait = " & pid=$!; for i in $(seq 600); do [ -f " +
                           (out / "checkpoint.safetensors").string() +
                           " ] && break; sleep 0.1; done; kill -" + signal + " $pid; wait $pid";
  return test::run_vkae_after("", args, wait);
}

TEST(Faults, SigtermAndSighupSaveAndExitLikeCtrlC) {
  for (const auto& [signal, code] : {std::pair{"TERM", 143}, std::pair{"HUP", 129}}) {
    const fs::path out = scratch(std::string("sig") + signal);
    const std::string args = std::string(kRun) + " --epochs 50 --out " + out.string();
    const Outcome r = run_then_signal(args, out, signal);
    EXPECT_EQ(r.code, code) << signal << ": " << r.err;
    EXPECT_THAT(r.err,
                HasSubstr(std::string("SIG") + signal + ": stopping after the current steps and saving"));
    EXPECT_THAT(r.out, HasSubstr(std::string("stopped by SIG") + signal + " after "));
    EXPECT_THAT(r.out, HasSubstr("continue with: vkae train --resume"));
    const nn::LoadedCheckpoint c = nn::read_checkpoint(out / "checkpoint.safetensors");
    EXPECT_GT(c.info.step, 0u) << signal;
  }
}

TEST(Faults, FullDiskIsOneLineAndKeepsThePreviousCheckpoint) {
  const fs::path out = scratch("full");
  const std::string first =
      "train mnist --model dense --limit 256 --batch 32 --val-limit 64 --epochs 1 --out ";
  ASSERT_EQ(test::run_vkae(first + out.string()).code, 0);
  const fs::path ckpt = out / "checkpoint.safetensors";
  const std::string before = nn::read_text_file(ckpt);
  // A file-size limit below the checkpoint's size, SIGXFSZ ignored: writes fail with EFBIG, as on a full
  // disk.
  const Outcome r = test::run_vkae_after("trap '' XFSZ; ulimit -f 64; ",
                                         first + out.string() + " --epochs 2 --resume " + ckpt.string());
  test::expect_one_line_error(r, "cannot write " + ckpt.string());
  EXPECT_TRUE(nn::read_text_file(ckpt) == before) << "the previous checkpoint changed";
  for (const auto& entry : fs::directory_iterator(out))
    EXPECT_THAT(entry.path().filename().string(), ::testing::Not(HasSubstr(".tmp")))
        << "a temporary was left";
}

TEST(Faults, VanishedRunFolderIsOneLine) {
  const fs::path out = scratch("vanished");
  // The folder is removed once the run has written its first checkpoint: the next write fails.
  const std::string args = std::string(kRun) + " --epochs 50 --out " + out.string();
  const std::string vanish = " & pid=$!; for i in $(seq 600); do [ -f " +
                             (out / "checkpoint.safetensors").string() +
                             " ] && break; sleep 0.1; done; rm -rf " + out.string() + "; wait $pid";
  test::expect_one_line_error(test::run_vkae_after("", args, vanish), "cannot write " + out.string());
}

TEST(Faults, LostDeviceIsOneLineAndKeepsTheCheckpoint) {
  const fs::path out = scratch("lost");
  const std::string args =
      "train mnist --model dense --limit 640 --batch 32 --val-limit 64 --epochs 2 --out " + out.string();
  ASSERT_EQ(test::run_vkae(args).code, 0);
  const std::string before = nn::read_text_file(out / "checkpoint.safetensors");
  const Outcome r =
      test::run_vkae_after("VKAE_FAULT_DEVICE_LOST=3 ",
                           args + " --epochs 4 --resume " + (out / "checkpoint.safetensors").string());
  test::expect_one_line_error(r, "the Vulkan device was lost (VK_ERROR_DEVICE_LOST");
  EXPECT_THAT(r.err,
              HasSubstr("continue with vkae train --resume " + (out / "checkpoint.safetensors").string()));
  EXPECT_TRUE(nn::read_text_file(out / "checkpoint.safetensors") == before) << "the checkpoint changed";
}

TEST(Faults, BlownUpLearningRateNamesTheStep) {
  const fs::path out = scratch("blowup");
  const Outcome r = test::run_vkae(
      "train mnist --model dense --optimizer sgd --lr 1e30 --limit 256 --batch 32 "
      "--val-limit 64 --out " +
      out.string());
  test::expect_one_line_error(r, "is not finite (NaN or infinity); stopped before its update");
  EXPECT_THAT(r.err, ::testing::ContainsRegex("step [0-9]+: the (loss|gradient of [a-z0-9.]+)"));
  EXPECT_FALSE(fs::exists(out / "checkpoint.safetensors"));
}

TEST(Faults, ControlFlagsNameTheFlagAndTheRange) {
  const std::string train = "train mnist --limit 256 --batch 32 ";
  test::expect_one_line_error(test::run_vkae(train + "--optimizer lbfgs"),
                              "--optimizer lbfgs: expected adam, adamw, sgd or momentum");
  test::expect_one_line_error(test::run_vkae(train + "--lr-schedule linear"),
                              "--lr-schedule linear: expected constant, step, cosine or plateau");
  test::expect_one_line_error(test::run_vkae(train + "--lr-gamma 1.5"),
                              "--lr-gamma 1.5: expected a number in (0, 1)");
  test::expect_one_line_error(test::run_vkae(train + "--momentum 1"),
                              "--momentum 1: expected a number in [0, 1)");
  test::expect_one_line_error(test::run_vkae(train + "--early-stopping 0"),
                              "--early-stopping 0: expected an integer >= 1");
  test::expect_one_line_error(test::run_vkae(train + "--save-best --no-val"),
                              "--save-best watches the validation loss: drop --no-val");
  test::expect_one_line_error(test::run_vkae(train + "--lr-schedule plateau --no-val"),
                              "--lr-schedule plateau watches the validation loss: drop --no-val");
}

}  // namespace
}  // namespace vkae
