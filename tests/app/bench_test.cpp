// `vkae bench` on the test device: a tiny run (batch 8, 2 timed steps) whose per-op table adds up (shares
// sum to 100 %), whose every figure is finite and positive, whose convolutions have GFLOP/s, and whose
// JSON parses; plus the command's argument parsing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/bench_command.hpp"
#include "app/cli.hpp"
#include "base/error.hpp"
#include "tests/support/gpu.hpp"
#include "tests/support/run_vkae.hpp"

namespace vkae {
namespace {

class BenchTest : public test::GpuTest {};

TEST_F(BenchTest, TinyDaeBenchTableAddsUp) {
  nn::BenchConfig config;
  config.batch = 8;
  config.warmup = 1;
  config.steps = 2;
  config.infer_images = 16;
  config.profiled_steps = 2;
  const nn::BenchResult r = nn::run_bench(test::ctx(), config);

  EXPECT_EQ(r.model, "dae");
  EXPECT_EQ(r.batch, 8u);
  for (double v : {r.train_ms_per_step, r.train_ms_min, r.train_ms_max, r.train_images_per_s,
                   r.train_gflop_per_step, r.infer_seconds, r.infer_images_per_s, r.profiled_ms}) {
    EXPECT_TRUE(std::isfinite(v));
    EXPECT_GT(v, 0.0);
  }
  EXPECT_LE(r.train_ms_min, r.train_ms_per_step);
  EXPECT_GE(r.train_ms_max, r.train_ms_per_step);
  EXPECT_EQ(r.infer_images, 16u);
  ASSERT_FALSE(r.ops.empty());
  EXPECT_EQ(r.dispatches, r.ops.size());

  // dae, one step: 5 conv forwards (2*8*784*9*32 + ...), their backward passes; count it by hand.
  const double n = 8;
  const double fwd = 2 * n *
                     (28 * 28 * 32 * 1 * 9 + 14 * 14 * 32 * 32 * 9 + 7 * 7 * 32 * 32 * 9 +
                      14 * 14 * 32 * 32 * 9 + 28 * 28 * 1 * 32 * 9);
  const double dx = fwd - 2 * n * 28 * 28 * 32 * 1 * 9;  // the first layer has no input gradient
  EXPECT_NEAR(r.train_gflop_per_step, (fwd + dx + fwd) / 1e9, 1e-9);

  double share_sum = 0, ms_sum = 0;
  int convs = 0;
  for (const auto& t : r.ops) {
    SCOPED_TRACE(t.shader + " at " + t.label);
    EXPECT_FALSE(t.shader.empty());
    EXPECT_NE(t.label.find("training step"), std::string::npos);
    for (double v : {t.ms, t.share, t.mbytes}) {
      EXPECT_TRUE(std::isfinite(v));
      EXPECT_GT(v, 0.0);
    }
    EXPECT_TRUE(std::isfinite(t.gflops) && std::isfinite(t.gbs));
    if (t.gflop > 0) {
      ++convs;
      EXPECT_GT(t.gflops, 0.0);
    } else {
      EXPECT_GT(t.gbs, 0.0);
    }
    share_sum += t.share;
    ms_sum += t.ms;
  }
  EXPECT_NEAR(share_sum, 100.0, 1e-6);
  EXPECT_NEAR(ms_sum, r.profiled_ms, 1e-9);
  EXPECT_GE(convs, 14);  // 5 forward, 4 input gradients, 5 weight gradients

  const nlohmann::json j = nlohmann::json::parse(app::format_bench_json(r));
  EXPECT_EQ(j.at("model").get<std::string>(), "dae");
  EXPECT_GT(j.at("train_images_per_s").get<double>(), 0.0);
  EXPECT_GT(j.at("infer_images_per_s").get<double>(), 0.0);
  EXPECT_EQ(j.at("ops").size(), r.ops.size());
  const std::string text = app::format_bench_text(r);
  EXPECT_NE(text.find("images/s"), std::string::npos);
  EXPECT_NE(text.find("conv2d_forward"), std::string::npos);
}

app::Command parse(std::vector<std::string_view> args) {
  return app::parse_command_line(std::span<const std::string_view>(args));
}

TEST(BenchCli, ParsesFlagsAndDefaults) {
  const auto c = parse({"bench"}).as<app::BenchCommand>();
  EXPECT_EQ(c.config.model, "dae");
  EXPECT_EQ(c.config.batch, 128u);
  EXPECT_FALSE(c.json);
  const auto d = parse({"bench", "--model", "conv", "--batch=16", "--steps", "3", "--warmup", "0", "--json"})
                     .as<app::BenchCommand>();
  EXPECT_EQ(d.config.model, "conv");
  EXPECT_EQ(d.config.batch, 16u);
  EXPECT_EQ(d.config.steps, 3u);
  EXPECT_EQ(d.config.warmup, 0u);
  EXPECT_TRUE(d.json);
  EXPECT_TRUE(parse({"bench", "--help"}).holds<app::HelpCommand>());
  EXPECT_NE(app::help_text("bench").find("--batch"), std::string::npos);
}

TEST(BenchCli, RejectsBadInput) {
  EXPECT_THROW(parse({"bench", "--batch", "0"}), InputError);
  EXPECT_THROW(parse({"bench", "--steps", "x"}), InputError);
  EXPECT_THROW(parse({"bench", "--bogus"}), InputError);
  EXPECT_THROW(parse({"bench", "--model"}), InputError);
  EXPECT_THROW(parse({"bench", "--json=1"}), InputError);
}

TEST(BenchCli, CompareIsTheDaeModelOnly) {
  EXPECT_TRUE(parse({"bench", "--compare"}).as<app::BenchCommand>().compare);
  EXPECT_FALSE(parse({"bench"}).as<app::BenchCommand>().compare);
  try {
    parse({"bench", "--compare", "--model", "conv"});
    FAIL() << "--compare --model conv was accepted";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "--compare: the PyTorch peer is the dae model only (got --model conv)");
  }
}

// A stand-in for compare_torch.py (the real one needs python3-torch, which CI does not install): it checks
// the arguments it is given and prints a report, so the ratio lines must be vkae's figures over its.
std::filesystem::path write_peer(const std::filesystem::path& dir, const std::string& body) {
  std::filesystem::create_directories(dir);
  const auto script = dir / "peer.py";
  std::ofstream(script) << "import json, sys\n" << body;
  return script;
}

std::string bench_args() {
  return "bench --batch 8 --warmup 1 --steps 2 --infer-images 16 --profiled-steps 1 --compare";
}

TEST(BenchCompare, PrintsThePeersVariantsAndTheRatios) {
  const auto dir = test::scratch_dir("bench", "peer");
  const auto script = write_peer(dir, R"(
assert sys.argv[1:] == ["--skip-vkae", "--json", "--batch", "8", "--warmup", "10", "--steps", "30",
                        "--device", "cpu"], sys.argv
print("PyTorch warming up")
pt = {"train": {"nchw": {"images_per_s": 500.0, "ms_per_step": 16.0},
                "channels_last": {"images_per_s": 1000.0, "ms_per_step": 8.0}},
      "infer": {"nchw": 4000.0, "channels_last": 2000.0}, "train_best": "channels_last",
      "train_images_per_s": 1000.0, "train_ms_per_step": 8.0, "infer_best": "nchw", "infer_images_per_s": 4000.0,
      "device": "CPU, 2 threads", "torch": "9.9"}
print(json.dumps({"pytorch": pt}))
)");
  const test::Outcome r = test::run_vkae_after("VKAE_PEER_SCRIPT=" + script.string() + " ", bench_args());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto at = r.out.find("training:  ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const double vkae_train = std::stod(r.out.substr(at + 11));
  EXPECT_NE(r.out.find("PyTorch training  channels_last"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("PyTorch inference nchw"), std::string::npos) << r.out;
  // The ratio is of the unrounded figure: from the printed one (73.5 for 73.46..73.55) it is known to within
  // half a unit of the third decimal plus 0.05 / 1000.
  const std::string ratio_at = "/ 1000.0 (channels_last) = ";
  const auto ratio = r.out.find(ratio_at);
  ASSERT_NE(ratio, std::string::npos) << r.out;
  EXPECT_NEAR(std::stod(r.out.substr(ratio + ratio_at.size())), vkae_train / 1000.0, 0.0005 + 0.00005 + 1e-9)
      << r.out;
  const test::Outcome j =
      test::run_vkae_after("VKAE_PEER_SCRIPT=" + script.string() + " ", bench_args() + " --json");
  ASSERT_EQ(j.code, 0) << j.err;
  const auto report = nlohmann::json::parse(j.out);
  EXPECT_EQ(report.at("peer").at("pytorch").at("infer_best"), "nchw");
  EXPECT_NEAR(report.at("ratio_infer").get<double>(), report.at("infer_images_per_s").get<double>() / 4000.0,
              1e-6);
  std::filesystem::remove_all(dir);
}

TEST(BenchCompare, AFailingPeerIsOneLine) {
  const auto dir = test::scratch_dir("bench", "peer-fails");
  const auto script =
      write_peer(dir, "print(\"ModuleNotFoundError: No module named 'torch'\")\nsys.exit(3)\n");
  const test::Outcome r = test::run_vkae_after("VKAE_PEER_SCRIPT=" + script.string() + " ", bench_args());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("failed with exit 3: ModuleNotFoundError: No module named 'torch' (the peer needs "
                       "python3-torch: scripts/setup.sh --bench)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vkae
