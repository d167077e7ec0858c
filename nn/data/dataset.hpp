// Finding and loading the image datasets (MNIST, Fashion-MNIST) from IDX files on disk, with the search
// order --data DIR, $VKAE_DATA, the per-user cache, and Debian's dataset-fashion-mnist folder.
// Does not download anything (see fetch.hpp) and does not touch the GPU.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vkae::nn {

enum class Split { Train, Test };

// How a folder's images become a dataset: --channels, --size, --crop, --val-split, --skip-bad. The IDX
// datasets ignore them. Crop::Random (needs a size) stores the training split with a margin
// (folder_dataset.hpp: crop_margin) and trains on a window of it drawn per image and epoch from the seed;
// the validation split, and every use of a trained model, reads the images at the size itself.
enum class Crop { Center, Random };
struct ImageOptions {
  std::optional<uint32_t> channels;       // 1 | 3; none: 3 when any image has colour
  std::optional<uint32_t> height, width;  // none: the images' own size (all must agree)
  Crop crop = Crop::Center;
  double val_split = 0.1;  // held out when the folder has no train/ and val/ (or test/)
  bool skip_bad = false;   // a bad image file is skipped and counted instead of an error
  uint64_t seed = 0;       // chooses the held-out images
};
const char* crop_name(Crop crop) noexcept;

struct DataSearch {
  std::optional<std::filesystem::path> data_dir;  // --data DIR
  ImageOptions images;                            // a folder dataset's
  // Decoding a folder: progress (done, total) and one-line notes (cache hit, skipped files).
  std::function<void(uint64_t, uint64_t)> on_progress;
  std::function<void(const std::string&)> on_note;
  // The decode cache's folder (nn/data/decode_cache.hpp); none: the per-user default. Tests set it.
  std::optional<std::filesystem::path> decode_cache;
};

struct Dataset {
  std::string name;  // "mnist" | "fashion" | the folder's path
  uint32_t count = 0, channels = 1, rows = 0, cols = 0;
  std::vector<uint8_t> images;  // [count, channels, rows, cols] (planes), 0..255
  std::vector<uint8_t> labels;  // [count] class indices; empty when unlabelled (a folder without classes)
  // The classes' names, by index: "0".."9" for the IDX datasets, the class folders' names for a folder.
  std::vector<std::string> class_names;
  std::filesystem::path images_path, labels_path;  // where they were read from (a folder: both the folder)
  // --crop random's training split: each image stored rows x cols, a margin larger than the crop_rows x
  // crop_cols window the training step takes from it (a new one each epoch). 0: the image is the sample.
  uint32_t crop_rows = 0, crop_cols = 0;

  uint64_t image_size() const noexcept { return uint64_t{channels} * rows * cols; }  // bytes per image
  // The rows and columns of what the model sees of an image: the crop window, or the image.
  uint32_t sample_rows() const noexcept { return crop_rows ? crop_rows : rows; }
  uint32_t sample_cols() const noexcept { return crop_cols ? crop_cols : cols; }
  uint64_t sample_size() const noexcept { return uint64_t{channels} * sample_rows() * sample_cols(); }
  bool labelled() const noexcept { return !labels.empty(); }
};

// A dataset's two splits, decoded together (a folder's geometry is decided over both).
struct DatasetSplits {
  Dataset train, test;
};

// A class left out of training (anomaly detection), or none: the one type every layer uses for it.
using HeldOutClass = std::optional<uint32_t>;

// An unlabelled dataset (a folder without class folders) as one class named kUnlabelledClass, for the passes
// that colour or group by label (encode, anomaly, reduce, the latent scatter); a labelled one unchanged.
inline constexpr std::string_view kUnlabelledClass = "(unlabelled)";
Dataset as_one_class_if_unlabelled(Dataset data);

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

// InputError "dataset NAME: unknown (expected mnist, fashion or a folder of images)" unless
// known_dataset(name) or a folder of that name exists: the check of a config's or a checkpoint's dataset
// before anything loads.
void require_known_dataset(std::string_view name);

// ${XDG_CACHE_HOME:-$HOME/.cache}/vkae/<name>. InputError if neither variable is set.
std::filesystem::path dataset_cache_dir(std::string_view name);

// The folders load_dataset looks in, in order (whether or not they exist).
std::vector<std::filesystem::path> dataset_search_dirs(std::string_view name, const DataSearch& search);

// Whether `name` is a folder dataset (not mnist or fashion, and a folder on disk).
bool is_folder_dataset(std::string_view name);

// Both splits of `name`: load_dataset twice for mnist and fashion, one decode for a folder.
DatasetSplits load_splits(std::string_view name, const DataSearch& search);

// Loads one split. A folder: see nn/data/folder_dataset.hpp. In each folder accepts e.g.
// train-images-idx3-ubyte, train-images-idx3-ubyte.gz and train-images.idx3-ubyte(.gz); for the test split
// t10k-*. InputError for an unknown name (listing valid ones), files not found (one line: where it looked and
// how to get them), or inconsistent files.
Dataset load_dataset(std::string_view name, Split split, const DataSearch& search);
// "mnist" or "fashion": the names load_dataset knows (for checks that name where a bad one came from).
bool known_dataset(std::string_view name) noexcept;

}  // namespace vkae::nn
