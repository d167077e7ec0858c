// TensorBoard's event files from a real run on the device: every file in train/ and validation/ read back
// with every CRC checked and every record decoded as an Event — the file version first, one batch_loss per
// step equal to metrics.jsonl's, the learning rate of the schedule, epoch_loss per epoch for both, the
// samples grid as samples.png's bytes, the model summary and command line as text; a resumed run adds
// files beside the first ones; tensorboard = false writes none.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "nn/io/png.hpp"
#include "nn/model/spec.hpp"
#include "nn/train/run_setup.hpp"
#include "nn/train/tensorboard_hook.hpp"
#include "nn/train/trainer.hpp"
#include "tests/nn/io/event_files.hpp"
#include "tests/nn/io/test_files.hpp"
#include "tests/nn/train/synthetic_data.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::nn {
namespace {

namespace fs = std::filesystem;
using testing::event_files;
using testing::read_events;
using testing::values_tagged;

class Tensorboard : public test::GpuTest {
 protected:
  // 128 training images of 28x28, batch 32: 4 steps per epoch; validation on 64 test images.
  Tensorboard()
      : train_set_(testing::synthetic(128, 1, 28, 28, 5)), test_set_(testing::synthetic(64, 1, 28, 28, 6)) {
    hooks_.context = &test::ctx();
    hooks_.train_set = &train_set_;
    hooks_.test_set = &test_set_;
  }
  TrainConfig config(const fs::path& out) const {
    TrainConfig c;
    c.dataset = "synthetic";
    c.model = "dense";
    c.batch = 32;
    c.epochs = 2;
    c.out = out;
    c.control.schedule.warmup = 6;  // the logged learning rate must follow the schedule, not --lr
    c.command_line = "vkae train --out 'a run'";
    return c;
  }
  // Every event of every file in `dir`, files in name order; each file starts with the file version.
  static std::vector<tfevents::Event> folder_events(const fs::path& dir, size_t files) {
    const std::vector<fs::path> paths = event_files(dir);
    EXPECT_EQ(paths.size(), files) << dir;
    std::vector<tfevents::Event> all;
    for (const fs::path& p : paths) {
      const std::vector<tfevents::Event> events = read_events(p);
      EXPECT_FALSE(events.empty()) << p;
      if (events.empty()) continue;
      EXPECT_EQ(events[0].file_version(), "brain.Event:2") << p;
      EXPECT_EQ(std::count_if(events.begin(), events.end(), [](auto& e) { return e.has_file_version(); }), 1)
          << p;
      all.insert(all.end(), events.begin(), events.end());
    }
    return all;
  }

  Dataset train_set_, test_set_;
  TrainHooks hooks_;
};

std::vector<float> step_losses(const fs::path& metrics) {
  std::ifstream in(metrics);
  std::vector<float> out;
  for (std::string line; std::getline(in, line);) {
    const nlohmann::json j = nlohmann::json::parse(line);
    if (j.at("type").get<std::string>() == "step")
      out.push_back(static_cast<float>(j.at("loss").get<double>()));
  }
  return out;
}

std::string only_text(const std::vector<tfevents::Event>& events, const std::string& tag) {
  const auto values = values_tagged(events, tag);
  EXPECT_EQ(values.size(), 1u) << tag;
  if (values.empty()) return "";
  const tfevents::Summary::Value& v = values[0].value;
  EXPECT_EQ(v.metadata().plugin_data().plugin_name(), "text") << tag;
  EXPECT_EQ(v.tensor().dtype(), 7) << tag;  // DT_STRING
  EXPECT_EQ(v.tensor().string_val_size(), 1) << tag;
  return v.tensor().string_val_size() ? v.tensor().string_val(0) : "";
}

TEST_F(Tensorboard, RunWritesKerasLayoutEventFiles) {
  testing::TempDir dir;
  const TrainConfig c = config(dir / "run");
  train(c, {}, hooks_);
  const std::vector<tfevents::Event> train_events = folder_events(c.out / "train", 1),
                                     val_events = folder_events(c.out / "validation", 1);

  const std::vector<float> losses = step_losses(c.out / "metrics.jsonl");
  ASSERT_EQ(losses.size(), 8u);
  const auto batch = values_tagged(train_events, "batch_loss"),
             lr = values_tagged(train_events, "learning_rate");
  ASSERT_EQ(batch.size(), 8u);
  ASSERT_EQ(lr.size(), 8u);
  for (size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(batch[i].step, int64_t(i + 1));
    EXPECT_EQ(batch[i].value.simple_value(), losses[i]) << "step " << i + 1;
    EXPECT_EQ(lr[i].step, int64_t(i + 1));
    EXPECT_FLOAT_EQ(lr[i].value.simple_value(), c.lr * float(std::min<size_t>(i + 1, 6)) / 6.0f) << i + 1;
  }

  for (const auto* events : {&train_events, &val_events}) {
    const auto epoch = values_tagged(*events, "epoch_loss");
    ASSERT_EQ(epoch.size(), 2u);
    EXPECT_EQ(epoch[0].step, 0);  // Keras counts epochs from 0
    EXPECT_EQ(epoch[1].step, 1);
    EXPECT_GT(epoch[1].value.simple_value(), 0.0f);
  }
  EXPECT_FLOAT_EQ(values_tagged(train_events, "epoch_loss")[1].value.simple_value(),
                  (losses[4] + losses[5] + losses[6] + losses[7]) / 4);
  EXPECT_EQ(values_tagged(train_events, "images_per_second").size(), 2u);

  const auto images = values_tagged(val_events, "samples");
  ASSERT_EQ(images.size(), 2u);
  const tfevents::Summary::Image& image = images[1].value.image();
  const std::string& png = image.encoded_image_string();
  testing::write_bytes(dir / "event.png", std::vector<uint8_t>(png.begin(), png.end()));
  const GreyImage decoded = read_png_grey(dir / "event.png"), samples = read_png_grey(c.out / "samples.png");
  EXPECT_EQ(decoded.width, samples.width);
  EXPECT_EQ(decoded.height, samples.height);
  EXPECT_EQ(image.width(), int32_t(samples.width));
  EXPECT_EQ(image.height(), int32_t(samples.height));
  EXPECT_EQ(image.colorspace(), 1);
  EXPECT_EQ(decoded.pixels, samples.pixels) << "the event's grid is not samples.png's";

  TrainConfig probe = c;
  probe.out = dir / "probe";
  const RunSetup setup = prepare_run(probe, hooks_);
  EXPECT_EQ(only_text(train_events, "model_summary"), markdown_verbatim(model_summary(setup.spec)));
  EXPECT_EQ(only_text(train_events, "command_line"), "```\nvkae train --out 'a run'\n```\n");
}

// --resume: the new events go to new files beside the old; together they hold every step once.
TEST_F(Tensorboard, ResumedRunAddsFilesBesideTheFirst) {
  testing::TempDir dir;
  TrainConfig c = config(dir / "run");
  c.steps = 6;  // stops inside epoch 2
  train(c, {}, hooks_);
  TrainConfig more = config("");
  more.resume = c.out / "checkpoint.safetensors";
  train(more, {}, hooks_);
  const std::vector<tfevents::Event> events = folder_events(c.out / "train", 2);
  folder_events(c.out / "validation", 2);
  std::vector<int64_t> steps;
  for (const auto& v : values_tagged(events, "batch_loss")) steps.push_back(v.step);
  EXPECT_THAT(steps, ::testing::ElementsAre(1, 2, 3, 4, 5, 6, 7, 8));
  const std::vector<float> losses = step_losses(c.out / "metrics.jsonl");
  ASSERT_EQ(losses.size(), 8u);
  EXPECT_EQ(values_tagged(events, "batch_loss")[7].value.simple_value(), losses[7]);
  EXPECT_EQ(values_tagged(events, "model_summary")[1].step, 6);  // the resumed run's first step
}

TEST_F(Tensorboard, OffWritesNoEventFiles) {
  testing::TempDir dir;
  TrainConfig c = config(dir / "run");
  c.tensorboard = false;
  c.steps = 2;
  train(c, {}, hooks_);
  EXPECT_TRUE(fs::is_regular_file(c.out / "metrics.jsonl"));
  EXPECT_FALSE(fs::exists(c.out / "train"));
  EXPECT_FALSE(fs::exists(c.out / "validation"));
}

}  // namespace
}  // namespace vkae::nn
