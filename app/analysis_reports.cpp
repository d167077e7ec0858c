// encode, anomaly, reduce and upscale at the command line: checks that the output folder exists before any
// work, calls the library, prints a table or one JSON line, and writes the result files atomically (a .npy
// and its .labels.npy are both committed only after both are fully written).
#include "app/analysis_reports.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "app/json_output.hpp"
#include "app/text.hpp"
#include "base/error.hpp"
#include "nn/analysis/roc.hpp"
#include "nn/data/folder_scan.hpp"
#include "nn/infer/image_passes.hpp"
#include "nn/io/atomic_file.hpp"
#include "nn/io/npy.hpp"

namespace vkae::app {
namespace {

namespace fs = std::filesystem;

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
void write_npy_with_labels(const fs::path& out, std::span<const float> values,
                           std::span<const uint64_t> shape, std::span<const uint8_t> labels) {
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

// The ROC AUC of finding the held-out class by its error (positives: that class; score: the error), and how
// many images are of that class. No AUC without a class, or when the images are all or none of it.
struct HoldoutRoc {
  std::optional<double> auc;
  uint64_t positives = 0;
};

// --holdout-class NAME: a class of the scored split, by name or index; a folder without classes has none.
nn::HeldOutClass held_out_by_name(const nn::ReconstructionScores& r, const std::string& name) {
  if (r.class_names.size() == 1 && r.class_names[0] == nn::kUnlabelledClass)
    throw InputError("--holdout-class " + name + ": " + r.dataset +
                     " has no class folders, so no class to hold out");
  return nn::class_index(r.class_names, name, "--holdout-class", r.dataset);
}

// A label as its class's name ("7", or a class folder's name).
std::string class_text(const nn::SplitRun& r, uint32_t label) {
  return label < r.class_names.size() ? r.class_names[label] : std::to_string(label);
}

HoldoutRoc holdout_roc(const nn::ReconstructionScores& r, nn::HeldOutClass holdout) {
  if (!holdout) return {};
  HoldoutRoc roc;
  std::vector<double> scores(r.errors.begin(), r.errors.end());
  std::vector<uint8_t> positive(r.labels.size());
  for (size_t i = 0; i < positive.size(); ++i) roc.positives += positive[i] = r.labels[i] == holdout ? 1 : 0;
  roc.auc = nn::roc_auc(scores, positive);
  return roc;
}

// Every image's score: .csv with index,label,error, or .npy float32 [N] with the labels next to it.
void write_scores(const fs::path& out, const nn::ReconstructionScores& r) {
  if (out.extension() == ".csv") {
    std::string text = "index,label,error\n";
    for (size_t i = 0; i < r.errors.size(); ++i)
      text += std::to_string(i) + "," + std::to_string(r.labels[i]) + "," + exact_float(r.errors[i]) + "\n";
    nn::write_file_atomically(out, text);
  } else {
    const uint64_t shape[1] = {r.errors.size()};
    write_npy_with_labels(out, r.errors, shape, r.labels);
  }
}

// What both the table and the JSON line of `vkae anomaly` show.
struct AnomalyReport {
  const nn::ReconstructionScores& scores;
  nn::HeldOutClass holdout;  // the class the AUC is about
  HoldoutRoc roc;
  std::vector<ClassErrors> classes;
  ErrorSummary all;
};

std::string anomaly_json(const AnomalyCommand& command, const AnomalyReport& a) {
  const nn::ReconstructionScores& r = a.scores;
  Json classes = Json::array();
  for (const ClassErrors& c : a.classes)
    classes.push_back({{"class", c.label},
                       {"name", class_text(r, c.label)},
                       {"images", c.s.images},
                       {"mean", json_number(c.s.mean)},
                       {"median", json_number(c.s.median)}});
  Json j;
  j["model"] = r.model;
  j["dataset"] = r.dataset;
  j["split"] = nn::split_name(r.split);
  j["images"] = r.images;
  j["metric"] = r.metric;
  j["holdout_class"] = a.holdout ? Json(*a.holdout) : Json(nullptr);
  j["holdout_name"] = a.holdout ? Json(class_text(r, *a.holdout)) : Json(nullptr);
  j["trained_without"] = r.holdout_class ? Json(*r.holdout_class) : Json(nullptr);
  j["roc_auc"] = a.roc.auc ? json_number(*a.roc.auc) : Json(nullptr);
  j["positives"] = a.roc.positives;
  j["mean"] = json_number(a.all.mean);
  j["classes"] = std::move(classes);
  j["out"] = command.out ? Json(command.out->string()) : Json(nullptr);
  j["device"] = r.device;
  j["seconds"] = json_number(r.seconds);
  return json_line(j);
}

// One row of the per-class table: "7       1028     0.01234       0.01111  <- held out".
void print_error_row(std::ostream& out, const std::string& name, const ErrorSummary& s, bool held_out) {
  char line[96];
  std::snprintf(line, sizeof line, "%-5s  %6u  %10.5f  %12.5f%s\n", name.c_str(), s.images, s.mean, s.median,
                held_out ? "  <- held out" : "");
  out << line;
}

void print_anomaly_table(std::ostream& out, const AnomalyCommand& command, const AnomalyReport& a) {
  const nn::ReconstructionScores& r = a.scores;
  const std::string trained_without =
      r.holdout_class ? "class " + class_text(r, *r.holdout_class) + " was left out of training"
                      : "the checkpoint left no class out of training";
  out << "anomaly scores of " << split_text(r) << " by " << r.model << ": " << r.metric
      << " of the reconstruction (" << fixed(r.seconds, 2) << " s on " << r.device << ")\n";
  out << "class  images  mean error  median error\n";
  for (const ClassErrors& c : a.classes)
    print_error_row(out, class_text(r, c.label), c.s, c.label == a.holdout);
  if (a.all.images) print_error_row(out, "all", a.all, false);
  if (!a.holdout)
    out << "no ROC AUC: " << trained_without
        << " (train with --holdout-class NAME, or pass --holdout-class NAME)\n";
  else if (!a.roc.auc)
    out << "no ROC AUC for class " << class_text(r, *a.holdout) << ": the " << r.images << " images "
        << (a.roc.positives ? "are all of that class" : "hold none of that class") << "\n";
  else
    out << "ROC AUC " << fixed(*a.roc.auc, 4) << " for finding class " << class_text(r, *a.holdout) << " ("
        << a.roc.positives << " of " << r.images << " images) by its error; " << trained_without << "\n";
  if (command.out)
    out << "wrote " << command.out->string()
        << (command.out->extension() == ".npy" ? " and " + labels_path(*command.out).string() : "") << "\n";
  out << std::flush;
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
      for (uint64_t j = 0; j < z; ++j) text += "," + exact_float(e.codes[i * z + j]);
      text += "\n";
    }
    nn::write_file_atomically(command.out, text);
    wrote = command.out.string() + " (" + std::to_string(n) + " rows: label,z0.." + "z" +
            std::to_string(z - 1) + ")";
  } else {
    const uint64_t shape[2] = {n, z};
    write_npy_with_labels(command.out, e.codes, shape, e.labels);
    wrote = command.out.string() + " (float32 [" + std::to_string(n) + ", " + std::to_string(z) + "]) and " +
            labels_path(command.out).string() + " (uint8 [" + std::to_string(n) + "])";
  }
  console.out << "encoded " << split_text(e) << " with " << e.model << " (code size " << z
              << (e.vae ? ", the mean mu" : "") << ") in " << fixed(e.seconds, 2) << " s on " << e.device
              << "\n"
              << "wrote " << wrote << std::endl;
  return kExitOk;
}

int run_anomaly(const AnomalyCommand& command, const Console& console) {
  if (command.out) check_out_folder(*command.out);
  const nn::ReconstructionScores r = nn::score_split(command.config);
  const nn::HeldOutClass holdout =
      command.holdout_name ? held_out_by_name(r, *command.holdout_name) : r.holdout_class;
  const AnomalyReport report{r, holdout, holdout_roc(r, holdout), errors_by_class(r.errors, r.labels),
                             summarise(r.errors)};
  if (command.out) write_scores(*command.out, r);
  if (command.json)
    console.out << anomaly_json(command, report) << std::endl;
  else
    print_anomaly_table(console.out, command, report);
  return kExitOk;
}

namespace {

std::string reduce_json(const nn::ReduceReport& r) {
  Json curve = Json::array();
  for (const auto& [k, mse] : r.pca_mse_by_components)
    curve.push_back({{"components", k}, {"mse", json_number(mse)}});
  Json j;
  j["model"] = r.model;
  j["dataset"] = r.dataset;
  j["images"] = r.images;
  j["latent"] = r.latent;
  j["components"] = r.components;
  j["fit_images"] = r.fit_images;
  j["holdout_class"] = r.holdout_class ? Json(*r.holdout_class) : Json(nullptr);
  j["model_mse"] = json_number(r.model_errors.mse);
  j["model_bce"] = json_number(r.model_errors.bce);
  j["pca_mse"] = json_number(r.pca_errors.mse);
  j["pca_bce"] = json_number(r.pca_errors.bce);
  j["explained_variance"] = json_number(r.explained_variance);
  j["pca_mse_by_components"] = std::move(curve);
  j["device"] = r.device;
  j["seconds"] = json_number(r.seconds);
  j["fit_seconds"] = json_number(r.fit_seconds);
  return json_line(j);
}

void print_reduce_table(std::ostream& out, const nn::ReduceReport& r) {
  out << "reduce: " << r.model << " (code size " << r.latent << ") vs PCA with " << r.components
      << " components on " << split_text(r) << "\n";
  out << "PCA fitted on " << r.fit_images << " " << r.dataset << " training images"
      << (r.holdout_class ? " (class " + std::to_string(*r.holdout_class) + " left out, as in training)" : "")
      << " in " << fixed(r.fit_seconds, 1) << " s; its " << r.components << " components explain "
      << fixed(100 * r.explained_variance, 1) << "% of the variance\n";
  char line[128];
  std::snprintf(line, sizeof line, "%-14s  %10s  %10s\n", "", "MSE/pixel", "BCE/pixel");
  out << line;
  std::snprintf(line, sizeof line, "%-14s  %10.5f  %10.5f\n", "autoencoder", r.model_errors.mse,
                r.model_errors.bce);
  out << line;
  std::snprintf(line, sizeof line, "%-14s  %10.5f  %10.5f\n",
                ("PCA, K=" + std::to_string(r.components)).c_str(), r.pca_errors.mse, r.pca_errors.bce);
  out << line;
  out << "PCA MSE/pixel by components:";
  for (size_t i = 0; i < r.pca_mse_by_components.size(); ++i)
    out << (i ? ", " : " ") << r.pca_mse_by_components[i].first << ": "
        << fixed(r.pca_mse_by_components[i].second, 5);
  out << "\n(model " << fixed(r.seconds, 1) << " s on " << r.device << ")" << std::endl;
}

}  // namespace

int run_reduce(const ReduceCommand& command, const Console& console) {
  const nn::ReduceReport r =
      nn::compare_with_pca(nn::ReduceConfig{command.config, command.components, command.fit_limit});
  if (command.json)
    console.out << reduce_json(r) << std::endl;
  else
    print_reduce_table(console.out, r);
  return kExitOk;
}

int run_upscale(const UpscaleCommand& command, const Console& console) {
  const nn::ImagePassResult r =
      nn::upscale_image(command.checkpoint, command.in_png, command.out_png, {command.device, command.tile});
  console.out << "upscaled " << command.in_png.string() << ": " << nn::image_pass_text(r) << "\nwrote "
              << command.out_png.string() << std::endl;
  return kExitOk;
}

}  // namespace vkae::app
