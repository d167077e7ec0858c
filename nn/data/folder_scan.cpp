// The file list of a folder dataset: the recursive walk (hidden entries skipped, sorted paths), the class
// folders, and the train/validation split, with one-line errors naming the folder.
#include "nn/data/folder_scan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <set>

#include "base/error.hpp"
#include "nn/io/image.hpp"
#include "nn/rng.hpp"

namespace vkae::nn {
namespace fs = std::filesystem;
namespace {

// Mixed into the seed so the held-out images do not correlate with the first epoch's permutation.
constexpr uint64_t kValSplitSalt = 0x5EED0F5A11D5E7ull;

bool hidden(const fs::path& path) {
  const std::string name = path.filename().string();
  return !name.empty() && name[0] == '.';
}

std::string fraction_text(double f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", f);
  return buf;
}

std::string folder_text(const fs::path& dir) {
  std::string text = dir.string();
  return text.empty() || text.back() == '/' ? text : text + "/";
}

// Every image file under `dir`, sorted by path.
std::vector<fs::path> image_files(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code error;
  fs::recursive_directory_iterator it(dir, fs::directory_options::follow_directory_symlink, error), end;
  for (; !error && it != end; it.increment(error)) {
    if (hidden(it->path())) {
      if (it->is_directory(error)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(error) && has_image_extension(it->path())) files.push_back(it->path());
  }
  if (error) throw InputError(folder_text(dir) + ": cannot read the folder: " + error.message());
  std::sort(files.begin(), files.end());
  return files;
}

// Files and labels of one split root: labelled by its first-level folders when it holds no image itself.
FolderSplit split_of(const fs::path& dir, std::vector<std::string>& class_names) {
  FolderSplit split;
  split.files = image_files(dir);
  const bool loose = std::any_of(split.files.begin(), split.files.end(),
                                 [&](const fs::path& f) { return f.parent_path() == dir; });
  class_names.clear();
  if (loose || split.files.empty()) return split;
  std::set<std::string> names;
  for (const auto& f : split.files) names.insert(f.lexically_relative(dir).begin()->string());
  class_names.assign(names.begin(), names.end());
  if (class_names.size() > kMaxClasses)
    throw InputError(folder_text(dir) + ": " + std::to_string(class_names.size()) +
                     " class folders, at most " + std::to_string(kMaxClasses) + " are supported");
  for (const auto& f : split.files) {
    const std::string name = f.lexically_relative(dir).begin()->string();
    const auto at = std::lower_bound(class_names.begin(), class_names.end(), name);
    split.labels.push_back(static_cast<uint8_t>(at - class_names.begin()));
  }
  return split;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "no class folders" : out;
}

// Holds out round(fraction * n) images chosen by a seeded Fisher-Yates shuffle; both sides keep path order.
void hold_out(FolderScan& scan, double fraction, uint64_t seed) {
  const size_t n = scan.train.files.size();
  const size_t held = static_cast<size_t>(std::llround(fraction * static_cast<double>(n)));
  if (held == 0 || held == n)
    throw InputError("--val-split " + fraction_text(fraction) + ": holds out " + std::to_string(held) +
                     " of the " + std::to_string(n) + " images in " + folder_text(scan.root) +
                     "; expected at least one image on each side (or add val/)");
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  HostRng rng(seed ^ kValSplitSalt);
  for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  std::vector<bool> is_val(n, false);
  for (size_t i = 0; i < held; ++i) is_val[order[i]] = true;
  FolderSplit train, val;
  const bool labelled = !scan.train.labels.empty();
  for (size_t i = 0; i < n; ++i) {
    FolderSplit& side = is_val[i] ? val : train;
    side.files.push_back(scan.train.files[i]);
    if (labelled) side.labels.push_back(scan.train.labels[i]);
  }
  scan.train = std::move(train);
  scan.val = std::move(val);
  scan.split_source = std::to_string(held) + " of " + std::to_string(n) + " images held out (--val-split " +
                      fraction_text(fraction) + ", seed " + std::to_string(seed) + ")";
}

std::optional<fs::path> val_folder(const fs::path& root) {
  std::error_code error;
  for (const char* name : {"val", "test"})
    if (fs::is_directory(root / name, error)) return root / name;
  return std::nullopt;
}

}  // namespace

FolderScan scan_image_folder(const fs::path& root, double val_split, uint64_t seed) {
  std::error_code error;
  if (!fs::exists(root, error)) throw InputError(folder_text(root) + ": no such folder");
  if (!fs::is_directory(root, error)) throw InputError(root.string() + ": not a folder of images");
  if (!(val_split >= 0 && val_split < 1))
    throw InputError("--val-split " + fraction_text(val_split) + ": expected a fraction in [0, 1)");
  FolderScan scan;
  scan.root = root;
  const auto val_dir = val_folder(root);
  if (val_dir && fs::is_directory(root / "train", error)) {
    std::vector<std::string> val_classes;
    scan.train = split_of(root / "train", scan.class_names);
    scan.val = split_of(*val_dir, val_classes);
    if (scan.train.files.empty()) throw InputError(folder_text(root / "train") + ": no image files");
    if (scan.val.files.empty()) throw InputError(folder_text(*val_dir) + ": no image files");
    if (val_classes != scan.class_names)
      throw InputError(folder_text(root) + ": the train and " + val_dir->filename().string() +
                       " class folders disagree (train: " + joined(scan.class_names) + "; " +
                       val_dir->filename().string() + ": " + joined(val_classes) + ")");
    scan.split_source = "train/ and " + val_dir->filename().string() + "/";
    return scan;
  }
  scan.train = split_of(root, scan.class_names);
  if (scan.train.files.empty()) {
    std::string extensions;
    for (const auto& e : image_extensions()) extensions += (extensions.empty() ? "" : " ") + e;
    throw InputError(folder_text(root) + ": no image files (looked for " + extensions + ")");
  }
  if (val_split == 0) throw InputError("--val-split 0: the run needs validation images (or add val/)");
  hold_out(scan, val_split, seed);
  return scan;
}

uint32_t class_index(const std::vector<std::string>& class_names, const std::string& spelling,
                     const std::string& flag, const std::string& dataset) {
  if (class_names.empty()) throw InputError(flag + " " + spelling + ": " + dataset + " has no class folders");
  for (size_t i = 0; i < class_names.size(); ++i)
    if (class_names[i] == spelling) return static_cast<uint32_t>(i);
  throw InputError(flag + " " + spelling + ": not a class of " + dataset +
                   " (classes: " + joined(class_names) + ")");
}

}  // namespace vkae::nn
