// Dataset discovery and loading: walks the search folders, picks the first one holding both the images and
// the labels of the split, reads them with read_idx and checks they describe the same images.
// A folder holding only one of the pair is an error (naming what is missing) rather than silently skipped.
#include "nn/data/dataset.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>

#include "base/error.hpp"
#include "nn/data/folder_dataset.hpp"
#include "nn/data/idx.hpp"
#include "nn/data/known_copies.hpp"

namespace vkae::nn {

namespace {

constexpr std::array<std::string_view, 2> kNames = {"mnist", "fashion"};

// Other spellings users type for a dataset (the Keras / torchvision names).
struct Alias {
  std::string_view spelling, name;
};
constexpr std::array<Alias, 2> kAliases = {{{"fashion-mnist", "fashion"}, {"fashion_mnist", "fashion"}}};

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (!value || !*value) return std::nullopt;
  return std::string(value);
}

void check_name(std::string_view name) {
  if (known_dataset(name)) return;
  throw InputError("unknown dataset \"" + std::string(name) +
                   "\"; valid names: " + dataset_name_list(", ", ", "));
}

// "train-images-idx3-ubyte" and its accepted spellings, in preference order.
std::vector<std::string> spellings(std::string_view prefix, std::string_view kind, std::string_view idx) {
  const std::string dashed =
      std::string(prefix) + "-" + std::string(kind) + "-" + std::string(idx) + "-ubyte";
  const std::string dotted =
      std::string(prefix) + "-" + std::string(kind) + "." + std::string(idx) + "-ubyte";
  return {dashed, dashed + ".gz", dotted, dotted + ".gz"};
}

std::optional<std::filesystem::path> find_file(const std::filesystem::path& dir,
                                               const std::vector<std::string>& names) {
  for (const auto& file : names) {
    std::error_code error;
    if (std::filesystem::is_regular_file(dir / file, error)) return dir / file;
  }
  return std::nullopt;
}

std::string how_to_get(std::string_view name) {
  if (name == "mnist") return "run `vkae fetch mnist` (or scripts/fetch-mnist.sh), or pass --data DIR";
  return "install Debian's dataset-fashion-mnist or pass --data DIR";
}

}  // namespace

bool known_dataset(std::string_view name) noexcept {
  for (const auto known : kNames)
    if (name == known) return true;
  return false;
}

std::span<const std::string_view> dataset_names() {
  return kNames;
}

std::optional<std::string_view> dataset_from_alias(std::string_view spelling) noexcept {
  for (const auto known : kNames)
    if (spelling == known) return known;
  for (const auto& alias : kAliases)
    if (spelling == alias.spelling) return alias.name;
  return std::nullopt;
}

std::string dataset_name_list(std::string_view separator, std::string_view last_separator) {
  std::string out;
  for (size_t i = 0; i < kNames.size(); ++i)
    out += std::string(i == 0                   ? ""
                       : i + 1 == kNames.size() ? last_separator
                                                : separator) +
           std::string(kNames[i]);
  return out;
}

std::string dataset_names_text() {
  return dataset_name_list(", ", ", ") + " or a folder of images";
}

const char* crop_name(Crop crop) noexcept {
  return crop == Crop::Random ? "random" : "center";
}

bool is_folder_dataset(std::string_view name) {
  std::error_code error;
  return !known_dataset(name) && std::filesystem::is_directory(std::filesystem::path(name), error);
}

void require_known_dataset(std::string_view name) {
  if (!known_dataset(name) && !is_folder_dataset(name))
    throw InputError("dataset " + std::string(name) + ": unknown (expected " + dataset_names_text() + ")");
}

std::filesystem::path dataset_cache_dir(std::string_view name) {
  std::filesystem::path base;
  if (const auto xdg = env("XDG_CACHE_HOME")) {
    base = *xdg;
  } else if (const auto home = env("HOME")) {
    base = std::filesystem::path(*home) / ".cache";
  } else {
    throw InputError("cannot find the vkae cache directory: neither XDG_CACHE_HOME nor HOME is set");
  }
  return base / "vkae" / std::string(name);
}

std::vector<std::filesystem::path> dataset_search_dirs(std::string_view name, const DataSearch& search) {
  check_name(name);
  std::vector<std::filesystem::path> dirs;
  const auto add_with_subfolder = [&](const std::filesystem::path& dir) {
    dirs.push_back(dir);
    dirs.push_back(dir / std::string(name));
  };
  if (search.data_dir) add_with_subfolder(*search.data_dir);
  if (const auto vkae_data = env("VKAE_DATA")) add_with_subfolder(*vkae_data);
  if (env("XDG_CACHE_HOME") || env("HOME")) dirs.push_back(dataset_cache_dir(name));
  if (name == "fashion") dirs.emplace_back(kDebianFashionMnistDir);
  return dirs;
}

DatasetSplits load_splits(std::string_view name, const DataSearch& search) {
  if (is_folder_dataset(name)) return load_folder_dataset(std::filesystem::path(name), search);
  return {load_dataset(name, Split::Train, search), load_dataset(name, Split::Test, search)};
}

Dataset load_dataset(std::string_view name, Split split, const DataSearch& search) {
  if (is_folder_dataset(name)) {
    DatasetSplits splits = load_folder_dataset(std::filesystem::path(name), search);
    return std::move(split == Split::Train ? splits.train : splits.test);
  }
  const std::vector<std::filesystem::path> dirs = dataset_search_dirs(name, search);
  const std::string_view prefix = split == Split::Train ? "train" : "t10k";
  const std::string split_name = split == Split::Train ? "train" : "test";
  const auto image_names = spellings(prefix, "images", "idx3");
  const auto label_names = spellings(prefix, "labels", "idx1");

  for (const auto& dir : dirs) {
    const auto images_path = find_file(dir, image_names);
    const auto labels_path = find_file(dir, label_names);
    if (!images_path && !labels_path) continue;
    if (!images_path || !labels_path) {
      throw InputError(std::string(name) + " " + split_name + " split: found " +
                       (images_path ? *images_path : *labels_path).string() + " but no " +
                       (images_path ? label_names : image_names)[0] + "(.gz) next to it");
    }
    IdxArray images = read_idx(*images_path);
    IdxArray labels = read_idx(*labels_path);
    if (images.dims.size() != 3) {
      throw InputError(images_path->string() + ": expected 3 dimensions (count x rows x cols), found " +
                       format_dims(images.dims));
    }
    if (labels.dims.size() != 1) {
      throw InputError(labels_path->string() + ": expected 1 dimension (count), found " +
                       format_dims(labels.dims));
    }
    if (images.dims[0] != labels.dims[0]) {
      throw InputError(labels_path->string() + ": has " + std::to_string(labels.dims[0]) + " labels, but " +
                       images_path->string() + " has " + std::to_string(images.dims[0]) + " images");
    }
    for (std::size_t i = 0; i < labels.data.size(); ++i) {
      if (labels.data[i] >= 10) {
        throw InputError(labels_path->string() + ": label " + std::to_string(i) + " is " +
                         std::to_string(labels.data[i]) + ", expected 0 to 9");
      }
    }
    Dataset dataset;
    dataset.name = std::string(name);
    dataset.count = images.dims[0];
    dataset.rows = images.dims[1];
    dataset.cols = images.dims[2];
    dataset.images = std::move(images.data);
    dataset.labels = std::move(labels.data);
    dataset.images_path = *images_path;
    dataset.labels_path = *labels_path;
    for (int c = 0; c < 10; ++c) dataset.class_names.push_back(std::to_string(c));
    check_known_copy(name, dataset, split);
    return dataset;
  }

  std::string looked;
  for (const auto& dir : dirs) looked += (looked.empty() ? "" : ", ") + dir.string();
  throw InputError(std::string(name) + " " + split_name + " split not found (" + image_names[0] + " and " +
                   label_names[0] + ", optionally .gz); looked in: " + looked + "; " + how_to_get(name));
}

Dataset as_one_class_if_unlabelled(Dataset data) {
  if (data.labelled() || data.count == 0) return data;
  data.labels.assign(data.count, 0);
  data.class_names = {std::string(kUnlabelledClass)};
  return data;
}

Dataset without_class(Dataset data, uint32_t label) {
  if (!data.labelled()) throw InputError("--holdout-class: " + data.name + " has no class folders");
  if (label >= data.class_names.size())
    throw InputError("--holdout-class " + std::to_string(label) + ": expected a class 0.." +
                     std::to_string(data.class_names.size() - 1));
  const uint64_t pixels = data.image_size();
  uint32_t kept = 0;
  for (uint32_t i = 0; i < data.count; ++i) {
    if (data.labels[i] == label) continue;
    std::copy_n(data.images.begin() + i * pixels, pixels, data.images.begin() + kept * pixels);
    data.labels[kept++] = data.labels[i];
  }
  if (kept == 0)
    throw InputError("--holdout-class " + data.class_names[label] + ": no " + data.name + " images left");
  data.count = kept;
  data.images.resize(kept * pixels);
  data.labels.resize(kept);
  return data;
}

}  // namespace vkae::nn
