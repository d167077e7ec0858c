// Folder datasets: one decode of both splits' files (the cache in front), then the tensor cut into the
// train and validation Datasets with their labels and class names.
#include "nn/data/folder_dataset.hpp"

#include <algorithm>
#include <cstring>

#include "base/error.hpp"
#include "nn/data/decode_cache.hpp"
#include "nn/data/folder_scan.hpp"
#include "nn/data/image_decode.hpp"

namespace vkae::nn {
namespace fs = std::filesystem;
namespace {

// The images of `files[first, first + count)` that were decoded, as a Dataset.
Dataset part_of(const DecodedImages& decoded, const FolderScan& scan, const FolderSplit& split, size_t first,
                size_t count) {
  Dataset d;
  d.name = scan.root.string();
  d.channels = decoded.channels;
  d.rows = decoded.height;
  d.cols = decoded.width;
  d.class_names = scan.class_names;
  d.images_path = d.labels_path = scan.root;
  const uint64_t bytes = uint64_t{decoded.channels} * decoded.height * decoded.width;
  const auto begin = std::lower_bound(decoded.kept.begin(), decoded.kept.end(), first);
  const auto end = std::lower_bound(decoded.kept.begin(), decoded.kept.end(), first + count);
  d.count = static_cast<uint32_t>(end - begin);
  d.images.resize(d.count * bytes);
  const size_t at = static_cast<size_t>(begin - decoded.kept.begin());
  std::memcpy(d.images.data(), decoded.planes.data() + at * bytes, d.images.size());
  if (!split.labels.empty())
    for (auto it = begin; it != end; ++it) d.labels.push_back(split.labels[*it - first]);
  return d;
}

DecodeOptions decode_options(const DataSearch& search) {
  DecodeOptions o;
  o.channels = search.images.channels;
  if (const auto size = stored_size(search.images)) {
    o.height = size->first;
    o.width = size->second;
  }
  o.skip_bad = search.images.skip_bad;
  o.progress = search.on_progress;
  return o;
}

std::string folder_text(const fs::path& root) {
  const std::string text = root.string();
  return text.empty() || text.back() == '/' ? text : text + "/";
}

}  // namespace

std::optional<std::pair<uint32_t, uint32_t>> stored_size(const ImageOptions& options) {
  if (!options.height || !options.width) return std::nullopt;
  return std::pair{*options.height, *options.width};
}

DatasetSplits load_folder_dataset(const fs::path& root, const DataSearch& search) {
  const FolderScan scan = scan_image_folder(root, search.images.val_split, search.images.seed);
  std::vector<fs::path> files = scan.train.files;
  files.insert(files.end(), scan.val.files.begin(), scan.val.files.end());
  const CachedDecode cached =
      decode_images_cached(files, decode_options(search), decode_cache_dir(search), search.on_note);
  const DecodedImages& decoded = cached.images;
  const size_t n_train = scan.train.files.size();
  DatasetSplits splits{part_of(decoded, scan, scan.train, 0, n_train),
                       part_of(decoded, scan, scan.val, n_train, scan.val.files.size())};
  if (search.on_note) {
    std::string note =
        folder_text(root) + ": " + std::to_string(splits.train.count) + " train and " +
        std::to_string(splits.test.count) + " val images (" + scan.split_source + "), " +
        std::to_string(decoded.channels) + "x" + std::to_string(decoded.height) + "x" +
        std::to_string(decoded.width) + ", " +
        (scan.class_names.empty() ? "unlabelled" : std::to_string(scan.class_names.size()) + " classes") +
        cached.source.note_text();
    search.on_note(note);
    if (!decoded.skipped.empty())
      search.on_note("--skip-bad: skipped " + std::to_string(decoded.skipped.size()) +
                     " unreadable image files, the first " + decoded.skipped.front());
  }
  if (splits.train.count == 0) throw InputError(folder_text(root) + ": no readable training images");
  if (splits.test.count == 0) throw InputError(folder_text(root) + ": no readable validation images");
  return splits;
}

}  // namespace vkae::nn
