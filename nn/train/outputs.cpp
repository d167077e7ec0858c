// metrics.jsonl, loss.png and samples.png.
#include "nn/train/outputs.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "nn/io/atomic_file.hpp"
#include "nn/io/json.hpp"
#include "nn/io/plot.hpp"
#include "nn/io/png.hpp"

namespace vkae::nn {

void MetricsLog::add_step(const StepRecord& r) {
  steps_.push_back(r);
  Json j = Json::object();
  j.set("type", "step");
  j.set("epoch", r.epoch);
  j.set("step", static_cast<unsigned long long>(r.step));
  j.set("loss", r.loss);
  lines_.push_back(to_json(j));
}

void MetricsLog::add_epoch(const EpochRecord& r) {
  epochs_.push_back(r);
  Json j = Json::object();
  j.set("type", "epoch");
  j.set("epoch", r.epoch);
  j.set("step", static_cast<unsigned long long>(r.step));
  j.set("train_loss", r.train_loss);
  j.set("val_loss", r.val_loss ? Json(*r.val_loss) : Json(nullptr));
  lines_.push_back(to_json(j));
}

void MetricsLog::load_existing(const std::filesystem::path& from, uint64_t max_step) {
  std::ifstream in(from);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const Json j = parse_json(line, from.string());
    const std::string& type = j.at("type").as_string();
    if (static_cast<uint64_t>(j.at("step").as_int()) > max_step) continue;
    if (type == "step") {
      add_step({static_cast<uint32_t>(j.at("epoch").as_int()), static_cast<uint64_t>(j.at("step").as_int()),
                static_cast<float>(j.at("loss").as_number())});
    } else if (type == "epoch") {
      const Json& v = j.at("val_loss");
      add_epoch({static_cast<uint32_t>(j.at("epoch").as_int()), static_cast<uint64_t>(j.at("step").as_int()),
                 j.at("train_loss").as_number(), v.is_null() ? std::nullopt : std::optional(v.as_number())});
    }
  }
}

void MetricsLog::write() const {
  std::string text;
  for (const auto& l : lines_) text += l + "\n";
  write_file_atomically(path_, std::as_bytes(std::span(text.data(), text.size())));
}

void write_loss_plot(const std::filesystem::path& path, const MetricsLog& log, const std::string& title) {
  PlotSpec spec;
  spec.title = title;
  spec.x_label = "step";
  spec.y_label = "loss";
  PlotSeries train{"train (smoothed)", plot_color(0), {}, true, false};
  // Exponential moving average, as TensorBoard smooths, so the trend shows through minibatch noise.
  double ema = 0;
  bool first = true;
  for (const StepRecord& s : log.steps()) {
    ema = first ? s.loss : 0.9 * ema + 0.1 * s.loss;
    first = false;
    train.points.push_back({static_cast<double>(s.step), ema});
  }
  PlotSeries val{"validation", plot_color(1), {}, true, true};
  for (const EpochRecord& e : log.epochs())
    if (e.val_loss) val.points.push_back({static_cast<double>(e.step), *e.val_loss});
  spec.series = {train, val};
  const RgbImage image = render_line_plot(spec);
  write_png(path, image.width, image.height, 3, image.pixels);
}

void write_samples_png(const std::filesystem::path& path, const std::vector<float>& noisy,
                       const std::vector<float>& output, const std::vector<float>& clean, uint32_t rows,
                       uint32_t height, uint32_t width, uint32_t scale) {
  const uint32_t gap = 4, cols = 3;
  const uint32_t W = cols * width * scale + (cols + 1) * gap, H = rows * height * scale + (rows + 1) * gap;
  std::vector<uint8_t> pixels(size_t{W} * H, 128);  // grey frame between images
  const std::vector<float>* panels[cols] = {&noisy, &output, &clean};
  for (uint32_t r = 0; r < rows; ++r)
    for (uint32_t c = 0; c < cols; ++c)
      for (uint32_t y = 0; y < height * scale; ++y)
        for (uint32_t x = 0; x < width * scale; ++x) {
          const float v = (*panels[c])[(size_t{r} * height + y / scale) * width + x / scale];
          const uint32_t px = gap + c * (width * scale + gap) + x, py = gap + r * (height * scale + gap) + y;
          pixels[size_t{py} * W + px] = static_cast<uint8_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
        }
  write_png(path, W, H, 1, pixels);
}

}  // namespace vkae::nn
