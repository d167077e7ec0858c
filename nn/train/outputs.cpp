// metrics.jsonl, loss.png and the samples grid.
#include "nn/train/outputs.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nn/io/atomic_file.hpp"
#include "nn/io/font5x7.hpp"
#include "nn/io/json.hpp"
#include "nn/io/plot.hpp"
#include "nn/io/png.hpp"

namespace vkae::nn {

void MetricsLog::add_step(const StepRecord& r) {
  steps_.push_back(r);
  Json j = Json::object();
  j["type"] = "step";
  j["epoch"] = r.epoch;
  j["step"] = r.step;
  j["loss"] = r.loss;
  lines_.push_back(to_json(j));
}

void MetricsLog::add_epoch(const EpochRecord& r) {
  epochs_.push_back(r);
  Json j = Json::object();
  j["type"] = "epoch";
  j["epoch"] = r.epoch;
  j["step"] = r.step;
  j["train_loss"] = r.train_loss;
  j["val_loss"] = r.val_loss ? Json(*r.val_loss) : Json(nullptr);
  j["lr"] = r.lr;
  j["complete"] = r.complete;
  lines_.push_back(to_json(j));
}

void MetricsLog::load_existing(const std::filesystem::path& from, uint64_t max_step, uint32_t epochs_done) {
  std::ifstream in(from);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const Json j = parse_json(line, from.string());
    const std::string& type = json_string(json_at(j, "type"));
    if (static_cast<uint64_t>(json_int(json_at(j, "step"))) > max_step) continue;
    if (type == "step") {
      add_step({static_cast<uint32_t>(json_int(json_at(j, "epoch"))),
                static_cast<uint64_t>(json_int(json_at(j, "step"))),
                static_cast<float>(json_number(json_at(j, "loss")))});
    } else if (type == "epoch") {
      if (static_cast<uint64_t>(json_int(json_at(j, "epoch"))) > epochs_done) continue;
      const Json& v = json_at(j, "val_loss");
      add_epoch({static_cast<uint32_t>(json_int(json_at(j, "epoch"))),
                 static_cast<uint64_t>(json_int(json_at(j, "step"))), json_number(json_at(j, "train_loss")),
                 v.is_null() ? std::nullopt : std::optional(json_number(v)),
                 json_find(j, "lr") ? static_cast<float>(json_number(json_at(j, "lr"))) : 0.0f, true});
    } else {
      lines_.push_back(line);  // the control line and events: kept as they were
    }
  }
}

void MetricsLog::add_event(std::string_view event, uint32_t epoch, uint64_t step, double value) {
  Json j = Json::object();
  j["type"] = "event";
  j["epoch"] = epoch;
  j["step"] = step;
  j["event"] = std::string(event);
  j["value"] = value;
  lines_.push_back(to_json(j));
}

void MetricsLog::add_control(const std::string& control_json) {
  if (!lines_.empty()) return;  // a resumed run's log has it already
  Json j = Json::object();
  j["type"] = "control";
  j["step"] = 0;
  j["control"] = parse_json(control_json, "control");
  lines_.push_back(to_json(j));
}

void MetricsLog::write() const {
  std::string text;
  for (const auto& l : lines_) text += l + "\n";
  write_file_atomically(path_, std::as_bytes(std::span(text.data(), text.size())));
}

std::vector<float> smoothed_losses(const std::vector<float>& losses) {
  std::vector<float> smooth(losses.size());
  double ema = 0, weight = 1;
  for (std::size_t i = 0; i < losses.size(); ++i) {
    ema = 0.9 * ema + 0.1 * losses[i];
    weight *= 0.9;
    smooth[i] = static_cast<float>(ema / (1 - weight));
  }
  return smooth;
}

RgbImage render_loss_plot(const MetricsLog& log, const std::string& title) {
  PlotSpec spec;
  spec.title = title;
  spec.x_label = "step";
  spec.y_label = "loss";
  // Each step's loss, faint, under its exponential moving average (as TensorBoard smooths, so the trend
  // shows through minibatch noise; an average lags, so on a falling curve it sits above the last losses).
  const Rgb blue = plot_color(0);
  const auto faint = [](uint8_t c) { return static_cast<uint8_t>((c + 2 * 255) / 3); };
  PlotSeries raw{"train (per step)", {faint(blue.r), faint(blue.g), faint(blue.b)}, {}, true, false};
  PlotSeries train{"train (smoothed)", blue, {}, true, false};
  std::vector<float> losses;
  for (const StepRecord& s : log.steps()) losses.push_back(s.loss);
  const std::vector<float> smooth = smoothed_losses(losses);
  for (std::size_t i = 0; i < losses.size(); ++i) {
    raw.points.push_back({static_cast<double>(log.steps()[i].step), losses[i]});
    train.points.push_back({static_cast<double>(log.steps()[i].step), smooth[i]});
  }
  PlotSeries val{"validation", plot_color(1), {}, true, true};
  for (const EpochRecord& e : log.epochs())
    if (e.val_loss) val.points.push_back({static_cast<double>(e.step), *e.val_loss});
  spec.series = {raw, train};
  if (!val.points.empty()) spec.series.push_back(val);  // --no-val: no validation in the legend
  return render_line_plot(spec);
}

void write_loss_plot(const std::filesystem::path& path, const MetricsLog& log, const std::string& title) {
  const RgbImage image = render_loss_plot(log, title);
  write_png(path, image.width, image.height, 3, image.pixels);
}

std::array<const char*, 3> sample_column_names(bool denoising) {
  return {denoising ? "noisy input" : "input", "reconstruction", denoising ? "clean target" : "target"};
}

namespace {

// `text` in the 5x7 font at (x, y), every channel `value`, cut to the characters that fit in `max_width`.
void stamp_text(SamplesGrid& grid, uint32_t x, uint32_t y, std::string_view text, uint32_t max_width,
                uint8_t value) {
  const uint32_t advance = kGlyphWidth + 1;
  text = text.substr(0, (max_width + 1) / advance);
  for (const char ch : text) {
    const Glyph& glyph = glyph_for(ch);
    for (uint32_t row = 0; row < uint32_t(kGlyphHeight); ++row)
      for (uint32_t col = 0; col < uint32_t(kGlyphWidth); ++col)
        if (glyph[row] & (0x10 >> col))
          for (uint32_t k = 0; k < grid.channels; ++k)
            grid.pixels[((size_t{y} + row) * grid.width + x + col) * grid.channels + k] = value;
    x += advance;
  }
}

}  // namespace

SamplesGrid make_samples_grid(const std::vector<float>& noisy, const std::vector<float>& output,
                              const std::vector<float>& clean, uint32_t rows, uint32_t height, uint32_t width,
                              uint32_t channels, uint32_t scale, std::array<const char*, 3> labels) {
  const uint32_t gap = 4, cols = 3, band = kSamplesLabelBand, column = width * scale;
  const uint32_t W = cols * column + (cols + 1) * gap, H = band + rows * height * scale + (rows + 1) * gap;
  SamplesGrid grid{W, H, channels, std::vector<uint8_t>(size_t{W} * H * channels, 128)};  // grey frame
  const std::vector<float>* panels[cols] = {&noisy, &output, &clean};
  const size_t plane = size_t{height} * width;
  for (uint32_t c = 0; c < cols; ++c) {  // each column's name, centred over it, white on the frame
    const std::string_view label = labels[c];
    const uint32_t text = std::min<uint32_t>(column, uint32_t(label.size()) * (kGlyphWidth + 1) - 1);
    stamp_text(grid, gap + c * (column + gap) + (column - text) / 2, gap, label, column, 255);
  }
  for (uint32_t r = 0; r < rows; ++r)
    for (uint32_t c = 0; c < cols; ++c)
      for (uint32_t y = 0; y < height * scale; ++y)
        for (uint32_t x = 0; x < column; ++x)
          for (uint32_t k = 0; k < channels; ++k) {  // the model's planes [C, H, W] interleaved for the PNG
            const float v =
                (*panels[c])[(size_t{r} * channels + k) * plane + size_t{y / scale} * width + x / scale];
            const uint32_t px = gap + c * (column + gap) + x,
                           py = band + gap + r * (height * scale + gap) + y;
            grid.pixels[(size_t{py} * W + px) * channels + k] =
                static_cast<uint8_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
          }
  return grid;
}

}  // namespace vkae::nn
