// encode, anomaly, reduce and upscale at the command line: checks that the output folder exists before any
// work, calls the library, prints a table or one JSON line, and writes the result files atomically (a .npy and
// its .labels.npy are both committed only after both are fully written).
#include "app/analysis.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>

#include "app/commands.hpp"
#include "nn/infer/image_passes.hpp"
#include "nn/io/atomic_file.hpp"
#include "nn/io/json.hpp"
#include "nn/io/npy.hpp"
#include "base/error.hpp"

namespace vkae::app {
namespace {

namespace fs = std::filesystem;

std::string shortest(float value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", double(value));  // reads back as the same float
  return buf;
}

// Refuses an --out whose folder is missing before the model runs, rather than after.
void check_out_folder(const fs::path& out) {
  const fs::path folder = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  std::error_code ec;
  if (!fs::is_directory(folder, ec))
    throw InputError("--out " + out.string() + ": folder " + folder.string() + " does not exist");
}

// FILE.npy -> FILE.labels.npy
fs::path labels_path(const fs::path& npy) {
  fs::path p = npy;
  return p.replace_extension(".labels.npy");
}

// The array and its labels, each written whole under a temporary name, then both renamed.
void write_npy_with_labels(const fs::path& out, std::span<const float> values, std::span<const uint64_t> shape,
                           std::span<const uint8_t> labels) {
  nn::AtomicFile data(out), label_file(labels_path(out));
  data.write(nn::encode_npy(values, shape));
  const uint64_t n = labels.size();
  label_file.write(nn::encode_npy(labels, std::span<const uint64_t>(&n, 1)));
  data.commit();
  label_file.commit();
}

std::string split_text(const nn::SplitRun& r) {
  return std::to_string(r.images) + " " + r.dataset + " " + nn::split_name(r.split) + " images";
}

// Images, mean and median error of one group (a class, or all images).
struct ErrorSummary {
  uint32_t images = 0;
  double mean = 0, median = 0;
};

ErrorSummary summarise(std::vector<float> values) {
  if (values.empty()) return {};
  std::sort(values.begin(), values.end());
  double sum = 0;
  for (const float v : values) sum += v;
  const size_t n = values.size();
  const double median = n % 2 ? values[n / 2] : 0.5 * (double(values[n / 2 - 1]) + values[n / 2]);
  return {uint32_t(n), sum / double(n), median};
}

// Per class (0..9 and any other label present), in label order.
struct ClassErrors {
  uint32_t label = 0;
  ErrorSummary s;
};

std::vector<ClassErrors> errors_by_class(std::span<const float> errors, std::span<const uint8_t> labels) {
  std::map<uint32_t, std::vector<float>> groups;
  for (size_t i = 0; i < errors.size() && i < labels.size(); ++i) groups[labels[i]].push_back(errors[i]);
  std::vector<ClassErrors> out;
  for (auto& [label, values] : groups) out.push_back({label, summarise(std::move(values))});
  return out;
}

}  // namespace

int run_encode(const EncodeCommand& command, const Console& console) {
  check_out_folder(command.out);
  const nn::Encoding e = nn::encode_split(command.config);
  const uint64_t n = e.images, z = e.latent;
  std::string wrote;
  if (command.out.extension() == ".csv") {
    std::string text = "label";
    for (uint64_t j = 0; j < z; ++j) text += ",z" + std::to_string(j);
    text += "\n";
    for (uint64_t i = 0; i < n; ++i) {
      text += std::to_string(e.labels[i]);
      for (uint64_t j = 0; j < z; ++j) text += "," + shortest(e.codes[i * z + j]);
      text += "\n";
    }
    nn::write_file_atomically(command.out, text);
    wrote = command.out.string() + " (" + std::to_string(n) + " rows: label,z0.." + "z" + std::to_string(z - 1) + ")";
  } else {
    const uint64_t shape[2] = {n, z};
    write_npy_with_labels(command.out, e.codes, shape, e.labels);
    wrote = command.out.string() + " (float32 [" + std::to_string(n) + ", " + std::to_string(z) + "]) and " +
            labels_path(command.out).string() + " (uint8 [" + std::to_string(n) + "])";
  }
  console.out << "encoded " << split_text(e) << " with " << e.model << " (code size " << z
              << (e.vae ? ", the mean mu" : "") << ") in " << fixed(e.seconds, 2) << " s on " << e.device << "\n"
              << "wrote " << wrote << std::endl;
  return kExitOk;
}

int run_anomaly(const AnomalyCommand& command, const Console& console) {
  if (command.out) check_out_folder(*command.out);
  const nn::ReconstructionScores r = nn::score_split(command.config);
  const int holdout = command.holdout_class ? int(*command.holdout_class) : r.holdout_class;
  std::optional<double> auc;
  uint64_t positives = 0;
  if (holdout >= 0) {
    std::vector<double> scores(r.errors.begin(), r.errors.end());
    std::vector<uint8_t> positive(r.labels.size());
    for (size_t i = 0; i < positive.size(); ++i) positives += positive[i] = r.labels[i] == holdout ? 1 : 0;
    auc = nn::roc_auc(scores, positive);
  }
  if (command.out) {
    if (command.out->extension() == ".csv") {
      std::string text = "index,label,error\n";
      for (size_t i = 0; i < r.errors.size(); ++i)
        text += std::to_string(i) + "," + std::to_string(r.labels[i]) + "," + shortest(r.errors[i]) + "\n";
      nn::write_file_atomically(*command.out, text);
    } else {
      const uint64_t shape[1] = {r.errors.size()};
      write_npy_with_labels(*command.out, r.errors, shape, r.labels);
    }
  }
  const std::vector<ClassErrors> classes = errors_by_class(r.errors, r.labels);
  const ErrorSummary all = summarise(r.errors);
  const std::string trained_without =
      r.holdout_class >= 0 ? "class " + std::to_string(r.holdout_class) + " was left out of training"
                           : "the checkpoint left no class out of training";
  if (command.json) {
    nn::Json j = nn::Json::object();
    j["model"] = r.model;
    j["dataset"] = r.dataset;
    j["split"] = nn::split_name(r.split);
    j["images"] = r.images;
    j["metric"] = r.metric;
    j["holdout_class"] = holdout >= 0 ? nn::Json(holdout) : nn::Json();
    j["trained_without"] = r.holdout_class >= 0 ? nn::Json(r.holdout_class) : nn::Json();
    j["roc_auc"] = auc ? nn::Json(*auc) : nn::Json();
    j["positives"] = positives;
    j["mean"] = all.mean;
    nn::Json per_class = nn::Json::array();
    for (const ClassErrors& c : classes) {
      nn::Json o = nn::Json::object();
      o["class"] = c.label;
      o["images"] = c.s.images;
      o["mean"] = c.s.mean;
      o["median"] = c.s.median;
      per_class.push_back(std::move(o));
    }
    j["classes"] = std::move(per_class);
    j["out"] = command.out ? nn::Json(command.out->string()) : nn::Json();
    j["device"] = r.device;
    j["seconds"] = r.seconds;
    console.out << nn::to_json(j) << std::endl;
    return kExitOk;
  }
  std::ostream& out = console.out;
  out << "anomaly scores of " << split_text(r) << " by " << r.model << ": " << r.metric
      << " of the reconstruction (" << fixed(r.seconds, 2) << " s on " << r.device << ")\n";
  out << "class  images  mean error  median error\n";
  auto row = [&](const std::string& name, const ErrorSummary& s, bool held_out) {
    char line[96];
    std::snprintf(line, sizeof line, "%-5s  %6u  %10.5f  %12.5f%s\n", name.c_str(), s.images, s.mean, s.median,
                  held_out ? "  <- held out" : "");
    out << line;
  };
  for (const ClassErrors& c : classes) row(std::to_string(c.label), c.s, int(c.label) == holdout);
  if (all.images) row("all", all, false);
  if (holdout < 0)
    out << "no ROC AUC: " << trained_without << " (train with --holdout-class K, or pass --holdout-class K)\n";
  else if (!auc)
    out << "no ROC AUC for class " << holdout << ": the " << r.images << " images "
        << (positives ? "are all of that class" : "hold none of that class") << "\n";
  else
    out << "ROC AUC " << fixed(*auc, 4) << " for finding class " << holdout << " (" << positives << " of "
        << r.images << " images) by its error; " << trained_without << "\n";
  if (command.out)
    out << "wrote " << command.out->string()
        << (command.out->extension() == ".npy" ? " and " + labels_path(*command.out).string() : "") << "\n";
  out << std::flush;
  return kExitOk;
}

int run_reduce(const ReduceCommand& command, const Console& console) {
  const nn::ReduceReport r =
      nn::compare_with_pca(nn::ReduceConfig{command.config, command.components, command.fit_limit});
  if (command.json) {
    nn::Json j = nn::Json::object();
    j["model"] = r.model;
    j["dataset"] = r.dataset;
    j["images"] = r.images;
    j["latent"] = r.latent;
    j["components"] = r.components;
    j["fit_images"] = r.fit_images;
    j["holdout_class"] = r.holdout_class >= 0 ? nn::Json(r.holdout_class) : nn::Json();
    j["model_mse"] = r.model_errors.mse;
    j["model_bce"] = r.model_errors.bce;
    j["pca_mse"] = r.pca_errors.mse;
    j["pca_bce"] = r.pca_errors.bce;
    j["explained_variance"] = r.explained_variance;
    nn::Json curve = nn::Json::array();
    for (const auto& [k, mse] : r.pca_mse_by_components) {
      nn::Json o = nn::Json::object();
      o["components"] = k;
      o["mse"] = mse;
      curve.push_back(std::move(o));
    }
    j["pca_mse_by_components"] = std::move(curve);
    j["device"] = r.device;
    j["seconds"] = r.seconds;
    j["fit_seconds"] = r.fit_seconds;
    console.out << nn::to_json(j) << std::endl;
    return kExitOk;
  }
  std::ostream& out = console.out;
  out << "reduce: " << r.model << " (code size " << r.latent << ") vs PCA with " << r.components
      << " components on " << split_text(r) << "\n";
  out << "PCA fitted on " << r.fit_images << " " << r.dataset << " training images"
      << (r.holdout_class >= 0 ? " (class " + std::to_string(r.holdout_class) + " left out, as in training)" : "")
      << " in " << fixed(r.fit_seconds, 1)
      << " s; its " << r.components << " components explain " << fixed(100 * r.explained_variance, 1)
      << "% of the variance\n";
  char line[128];
  std::snprintf(line, sizeof line, "%-14s  %10s  %10s\n", "", "MSE/pixel", "BCE/pixel");
  out << line;
  std::snprintf(line, sizeof line, "%-14s  %10.5f  %10.5f\n", "autoencoder", r.model_errors.mse, r.model_errors.bce);
  out << line;
  std::snprintf(line, sizeof line, "%-14s  %10.5f  %10.5f\n", ("PCA, K=" + std::to_string(r.components)).c_str(),
                r.pca_errors.mse, r.pca_errors.bce);
  out << line;
  out << "PCA MSE/pixel by components:";
  for (size_t i = 0; i < r.pca_mse_by_components.size(); ++i)
    out << (i ? ", " : " ") << r.pca_mse_by_components[i].first << ": " << fixed(r.pca_mse_by_components[i].second, 5);
  out << "\n(model " << fixed(r.seconds, 1) << " s on " << r.device << ")" << std::endl;
  return kExitOk;
}

int run_upscale(const UpscaleCommand& command, const Console& console) {
  const nn::UpscaleResult r = nn::upscale_png(command.checkpoint, command.in_png, command.out_png, command.device);
  console.out << "upscaled " << command.in_png.string() << " (" << r.in_width << "x" << r.in_height << ", resized to "
              << r.out_width / 2 << "x" << r.out_height / 2 << ") to " << r.out_width << "x" << r.out_height
              << "\nwrote " << command.out_png.string() << std::endl;
  return kExitOk;
}

}  // namespace vkae::app
