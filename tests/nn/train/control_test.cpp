// Training control: the schedules and epoch-end rules as pure functions (Keras' rules), their checkpoint
// metadata round trip; then on the device: a schedule reaches the recorded step through the lr table, each
// optimizer trains and resumes exactly, a mid-epoch --save-every checkpoint resumes to the uninterrupted
// run's bits, --save-best and early stopping, and a blown-up learning rate stops with one line and never
// writes a non-finite number.
#include "nn/train/control.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <fstream>

#include "base/error.hpp"
#include "nn/io/safetensors.hpp"
#include "nn/train/checkpoint.hpp"
#include "nn/train/trainer.hpp"
#include "tests/support/checkpoints.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::nn {
namespace {

namespace fs = std::filesystem;

TEST(Schedule, ConstantIsTheFloatItselfAndWarmupIsLinear) {
  ScheduleSettings s;
  const ScheduleShape shape{1e-3f, 100, 5};
  EXPECT_EQ(scheduled_lr(s, shape, {}, 0, 0), 1e-3f);
  EXPECT_EQ(scheduled_lr(s, shape, {}, 99, 4), 1e-3f);
  s.warmup = 4;
  EXPECT_FLOAT_EQ(scheduled_lr(s, shape, {}, 0, 0), 0.25e-3f);
  EXPECT_FLOAT_EQ(scheduled_lr(s, shape, {}, 2, 0), 0.75e-3f);
  EXPECT_EQ(scheduled_lr(s, shape, {}, 4, 0), 1e-3f);
}

TEST(Schedule, StepCosineAndPlateau) {
  ScheduleSettings s;
  s.kind = LrScheduleKind::Step;
  s.step_epochs = 2;
  s.gamma = 0.5f;
  const ScheduleShape shape{1.0f, 100, 6};
  EXPECT_EQ(scheduled_lr(s, shape, {}, 0, 1), 1.0f);
  EXPECT_EQ(scheduled_lr(s, shape, {}, 0, 2), 0.5f);
  EXPECT_EQ(scheduled_lr(s, shape, {}, 0, 5), 0.25f);
  s.kind = LrScheduleKind::Cosine;
  s.min_lr = 0.1f;
  EXPECT_FLOAT_EQ(scheduled_lr(s, shape, {}, 0, 0), 1.0f);
  EXPECT_FLOAT_EQ(scheduled_lr(s, shape, {}, 50, 0), 0.55f);
  EXPECT_FLOAT_EQ(scheduled_lr(s, shape, {}, 100, 0), 0.1f);
  s.kind = LrScheduleKind::Plateau;
  ControlState state;
  state.lr_scale = 0.01f;
  EXPECT_FLOAT_EQ(scheduled_lr(s, shape, state, 7, 3), 0.1f);  // the floor: min_lr
}

TEST(EpochEnd, EarlyStoppingAndPlateauFollowKeras) {
  TrainControl c;
  c.early_stopping = 2;
  c.min_delta = 0.01f;
  c.schedule.kind = LrScheduleKind::Plateau;
  c.schedule.patience = 1;
  c.schedule.gamma = 0.5f;
  ControlState s;
  EXPECT_TRUE(observe_validation(c, s, 1.0).new_best);
  const EpochDecision small = observe_validation(c, s, 0.995);  // lower, but by less than min_delta
  EXPECT_TRUE(small.new_best);
  EXPECT_FALSE(small.stop);
  EXPECT_TRUE(small.lr_dropped);
  EXPECT_EQ(s.lr_scale, 0.5f);
  EXPECT_TRUE(observe_validation(c, s, 1.2).stop);  // the second epoch without an improvement
  ControlState fresh;
  observe_validation(c, fresh, 1.0);
  EXPECT_FALSE(observe_validation(c, fresh, 0.98).stop);  // 0.02 > min_delta: the wait starts again
  EXPECT_EQ(fresh.stop_wait, 0u);
}

TEST(ControlMetadata, RoundTripsAndOldCheckpointsGetDefaults) {
  TrainControl c;
  c.optimizer = {OptimizerKind::Momentum, 0.01f, 0.8f};
  c.schedule = {LrScheduleKind::Cosine, 10, 3, 0.2f, 4, 1e-5f};
  c.save_every = 50;
  c.save_best = true;
  c.early_stopping = 3;
  c.min_delta = 0.001f;
  ControlState s;
  s.best_val = 0.25;
  s.stop_wait = 2;
  s.lr_scale = 0.1f;
  TrainControl c2;
  ControlState s2;
  read_control_metadata(control_metadata(c, s), "test", c2, s2);
  EXPECT_EQ(control_metadata(c2, s2), control_metadata(c, s));
  EXPECT_EQ(s2.best_val, 0.25);
  EXPECT_TRUE(std::isinf(s2.stop_best));  // "no best yet" survives JSON as null
  TrainControl c3;
  ControlState s3;
  read_control_metadata({}, "old", c3, s3);
  EXPECT_EQ(control_metadata(c3, s3), control_metadata(TrainControl{}, ControlState{}));
  auto bad = control_metadata(c, s);
  bad["control"].replace(bad["control"].find("momentum"), 8, "lbfgs123");
  EXPECT_THROW(read_control_metadata(bad, "bad", c3, s3), InputError);
}

fs::path temp_dir(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("vkae-control-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

TrainConfig tiny_run(const std::string& name) {
  TrainConfig c;
  c.model = "dense";  // the fastest model: these tests are about the loop, not the layers
  c.batch = 32;
  c.limit = 320;  // 10 steps per epoch
  c.epochs = 2;
  c.out = temp_dir(name);
  c.val_limit = 64;
  return c;
}

std::vector<float> step_losses(const fs::path& metrics) {
  std::ifstream in(metrics);
  std::vector<float> out;
  for (std::string line; std::getline(in, line);) {
    const auto at = line.find("\"loss\":");
    if (line.find("\"type\":\"step\"") != std::string::npos) out.push_back(std::stof(line.substr(at + 7)));
  }
  return out;
}

class Control : public test::GpuTest {};

TEST_F(Control, StepScheduleReachesTheRecordedStep) {
  TrainConfig constant = tiny_run("constant");
  train(constant, {});
  TrainConfig stepped = tiny_run("stepped");
  stepped.control.schedule = {LrScheduleKind::Step, 0, 1, 0.1f, 2, 0};
  train(stepped, {});
  const auto a = step_losses(constant.out / "metrics.jsonl"), b = step_losses(stepped.out / "metrics.jsonl");
  ASSERT_EQ(a.size(), 20u);
  ASSERT_EQ(b.size(), 20u);
  EXPECT_EQ(std::vector(a.begin(), a.begin() + 11), std::vector(b.begin(), b.begin() + 11));  // epoch 1 alike
  EXPECT_NE(a.back(), b.back());  // epoch 2 at a tenth of the rate
  std::ifstream history(stepped.out / "history.csv");
  std::string header, row1, row2;
  std::getline(history, header);
  std::getline(history, row1);
  std::getline(history, row2);
  EXPECT_EQ(header, "epoch,step,loss,val_loss,lr,seconds,images_per_second,host_rss_mib,device_mib");
  EXPECT_THAT(row1, ::testing::StartsWith("1,10,"));
  EXPECT_THAT(row2, ::testing::HasSubstr(",0.000100000005,"));
}

TEST_F(Control, EveryOptimizerTrainsAndResumesExactly) {
  for (const OptimizerKind kind : {OptimizerKind::AdamW, OptimizerKind::Sgd, OptimizerKind::Momentum}) {
    const std::string name(optimizer_name(kind));
    TrainConfig whole = tiny_run("whole-" + name);
    whole.control.optimizer = {kind, 0.01f, 0.9f};
    whole.lr = kind == OptimizerKind::AdamW ? 1e-3f : 0.5f;
    whole.validate = false;
    whole.steps = 14;
    train(whole, {});
    TrainConfig part = whole;
    part.out = temp_dir("part-" + name);
    part.steps = 6;
    train(part, {});
    TrainConfig rest = part;
    rest.steps = 14;
    rest.resume = part.out / "checkpoint.safetensors";
    rest.control = {};  // the checkpoint's own optimizer continues
    train(rest, {});
    const auto losses = step_losses(whole.out / "metrics.jsonl");
    EXPECT_LT(losses.back(), losses.front()) << name;
    EXPECT_EQ(step_losses(part.out / "metrics.jsonl"), losses) << name;
    test::expect_same_tensors(part.out / "checkpoint.safetensors", whole.out / "checkpoint.safetensors");
    const Safetensors ckpt = read_safetensors(whole.out / "checkpoint.safetensors");
    const bool has_momentum = ckpt.find("optimizer.encoder.1.weight.momentum_buffer") != nullptr;
    const bool has_adam = ckpt.find("optimizer.encoder.1.weight.exp_avg") != nullptr;
    EXPECT_EQ(has_momentum, kind == OptimizerKind::Momentum) << name;
    EXPECT_EQ(has_adam, kind == OptimizerKind::AdamW) << name;
  }
}

TEST_F(Control, MidEpochCheckpointResumesToTheSameBits) {
  TrainConfig whole = tiny_run("save-every");
  whole.control.save_every = 4;
  whole.control.schedule = {LrScheduleKind::Cosine, 3, 0, 0.1f, 2, 0};
  const fs::path kept = temp_dir("save-every-kept");
  TrainCallbacks callbacks;
  bool copied = false;
  callbacks.on_progress = [&](const TrainProgress& p) {  // between the saves at steps 4 and 8
    if (copied || p.step < 5) return;
    fs::create_directories(kept);
    for (const char* f : {"checkpoint.safetensors", "metrics.jsonl", "history.csv"})
      if (fs::exists(whole.out / f)) fs::copy_file(whole.out / f, kept / f);
    copied = true;
  };
  train(whole, callbacks);
  ASSERT_TRUE(copied);
  const LoadedCheckpoint mid = read_checkpoint(kept / "checkpoint.safetensors");
  EXPECT_EQ(mid.info.step, 4u);
  EXPECT_EQ(mid.info.batch_in_epoch, 4u);
  TrainConfig rest = tiny_run("save-every-rest");
  rest.out = kept;
  rest.resume = kept / "checkpoint.safetensors";
  train(rest, {});
  test::expect_same_tensors(kept / "checkpoint.safetensors", whole.out / "checkpoint.safetensors");
  EXPECT_EQ(step_losses(kept / "metrics.jsonl"), step_losses(whole.out / "metrics.jsonl"));
}

TEST_F(Control, EarlyStoppingAndSaveBest) {
  TrainConfig c = tiny_run("early");
  c.epochs = 6;
  c.control.early_stopping = 1;
  c.control.min_delta = 10;  // nothing after the first epoch counts as an improvement
  c.control.save_best = true;
  const TrainResult r = train(c, {});
  EXPECT_EQ(r.epochs_done, 2u);
  EXPECT_THAT(r.early_stop, ::testing::HasSubstr("early stopping: val loss did not improve by more than 10"));
  ASSERT_TRUE(fs::exists(c.out / "best.safetensors"));
  const LoadedCheckpoint best = read_checkpoint(c.out / "best.safetensors");
  const LoadedCheckpoint last = read_checkpoint(c.out / "checkpoint.safetensors");
  EXPECT_LE(best.info.control_state.best_val, *r.final_val_loss);
  EXPECT_EQ(last.info.control_state.stop_wait, 1u);
  // metrics.jsonl: the control first, then the events the epochs' ends decided.
  std::ifstream metrics(c.out / "metrics.jsonl");
  std::string first, text, line;
  std::getline(metrics, first);
  while (std::getline(metrics, line)) text += line + "\n";
  EXPECT_THAT(first,
              ::testing::StartsWith("{\"type\":\"control\",\"step\":0,\"control\":{\"optimizer\":\"adam\""));
  EXPECT_THAT(text, ::testing::HasSubstr("{\"type\":\"event\",\"epoch\":1,\"step\":10,\"event\":\"best\""));
  EXPECT_THAT(text,
              ::testing::HasSubstr("{\"type\":\"event\",\"epoch\":2,\"step\":20,\"event\":\"early_stop\""));
}

TEST_F(Control, BlownUpLearningRateStopsAndWritesNothingNonFinite) {
  TrainConfig c = tiny_run("blowup");
  c.control.optimizer.kind = OptimizerKind::Sgd;
  c.lr = 1e30f;
  c.control.save_every = 1;
  try {
    train(c, {});
    FAIL() << "no error for lr 1e30";
  } catch (const TrainingFault& e) {
    EXPECT_THAT(e.what(),
                ::testing::MatchesRegex("step [0-9]+: the (loss|gradient of [a-z0-9.]+) is not "
                                        "finite \\(NaN or infinity\\); stopped before its update.*"));
  }
  // The checkpoints written before the bad step load, and every number in them is finite.
  if (fs::exists(c.out / "checkpoint.safetensors")) {
    const Safetensors s = read_safetensors(c.out / "checkpoint.safetensors");
    for (const NamedTensor& t : s.tensors)
      for (float x : t.data) ASSERT_TRUE(std::isfinite(x)) << t.name;
  }
}

}  // namespace
}  // namespace vkae::nn
