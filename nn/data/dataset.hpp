// Finding and loading the image datasets (MNIST, Fashion-MNIST) from IDX files on disk, with the search
// order --data DIR, $VKAE_DATA, the per-user cache, and Debian's dataset-fashion-mnist folder.
// Does not download anything (see fetch.hpp) and does not touch the GPU.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vkae::nn {

enum class Split { Train, Test };

struct DataSearch {
  std::optional<std::filesystem::path> data_dir;  // --data DIR
};

struct Dataset {
  std::string name;  // "mnist" | "fashion" | the folder's path
  uint32_t count = 0, channels = 1, rows = 0, cols = 0;
  std::vector<uint8_t> images;  // [count, channels, rows, cols] (planes), 0..255
  std::vector<uint8_t> labels;  // [count] class indices; empty when unlabelled (a folder without classes)
  // The classes' names, by index: "0".."9" for the IDX datasets, the class folders' names for a folder.
  std::vector<std::string> class_names;
  std::filesystem::path images_path, labels_path;  // where they were read from (a folder: both the folder)

  uint64_t image_size() const noexcept { return uint64_t{channels} * rows * cols; }  // bytes per image
  bool labelled() const noexcept { return !labels.empty(); }
};

// A class left out of training (anomaly detection), or none: the one type every layer uses for it.
using HeldOutClass = std::optional<uint32_t>;

// The dataset without the images of one class (in file order): training for anomaly detection.
// InputError when the class is not 0..9 or nothing would be left.
Dataset without_class(Dataset data, uint32_t label);

// Where Debian's dataset-fashion-mnist package installs its gzip IDX files.
inline constexpr std::string_view kDebianFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// "mnist", "fashion".
std::span<const std::string_view> dataset_names();

// The dataset a user's spelling names: one of dataset_names(), or an alias of one (fashion-mnist and
// fashion_mnist are fashion); nullopt for anything else.
std::optional<std::string_view> dataset_from_alias(std::string_view spelling) noexcept;

// dataset_names() joined for messages and help: dataset_name_list(", ", " or ") is "mnist or fashion",
// dataset_name_list("|", "|") "mnist|fashion".
std::string dataset_name_list(std::string_view separator, std::string_view last_separator);

// "mnist or fashion": what an error about a bad dataset name says was expected.
std::string dataset_names_text();

// InputError "dataset NAME: unknown (expected mnist or fashion)" unless known_dataset(name): the check of a
// config's or a checkpoint's dataset name before anything is loaded.
void require_known_dataset(std::string_view name);

// ${XDG_CACHE_HOME:-$HOME/.cache}/vkae/<name>. InputError if neither variable is set.
std::filesystem::path dataset_cache_dir(std::string_view name);

// The folders load_dataset looks in, in order (whether or not they exist).
std::vector<std::filesystem::path> dataset_search_dirs(std::string_view name, const DataSearch& search);

// Loads one split. In each folder accepts e.g. train-images-idx3-ubyte, train-images-idx3-ubyte.gz and
// train-images.idx3-ubyte(.gz); for the test split t10k-*. InputError for an unknown name (listing valid
// ones), files not found (one line: where it looked and how to get them), or inconsistent files.
Dataset load_dataset(std::string_view name, Split split, const DataSearch& search);
// "mnist" or "fashion": the names load_dataset knows (for checks that name where a bad one came from).
bool known_dataset(std::string_view name) noexcept;

}  // namespace vkae::nn
