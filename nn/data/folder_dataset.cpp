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

DecodeOptions decode_options(const DataSearch& search, Split split) {
  DecodeOptions o;
  o.channels = search.images.channels;
  if (const auto size = stored_size(search.images, split)) {
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

// The two splits, the files skipped on the way, and whether they were decoded or read from the cache.
struct Decoded {
  DatasetSplits splits;
  std::vector<std::string> skipped;
  DecodeSource source;
};

// Both splits' files in one decode: one geometry.
Decoded decode_together(const FolderScan& scan, const DataSearch& search) {
  std::vector<fs::path> files = scan.train.files;
  files.insert(files.end(), scan.val.files.begin(), scan.val.files.end());
  CachedDecode cached = decode_images_cached(files, decode_options(search, Split::Test),
                                             decode_cache_dir(search), search.on_note);
  DecodedImages& decoded = cached.images;
  const size_t n_train = scan.train.files.size();
  return {{part_of(decoded, scan, scan.train, 0, n_train),
           part_of(decoded, scan, scan.val, n_train, scan.val.files.size())},
          std::move(decoded.skipped),
          cached.source};
}

// One split's files at its own size; `done` files before them count towards the progress of `total`.
CachedDecode decode_split(const FolderScan& scan, const DataSearch& search, Split split,
                          std::optional<uint32_t> channels, size_t done, size_t total) {
  const std::vector<fs::path>& files = (split == Split::Train ? scan.train : scan.val).files;
  DecodeOptions options = decode_options(search, split);
  if (channels) options.channels = channels;
  if (search.on_progress)
    options.progress = [&search, done, total](uint64_t d, uint64_t) { search.on_progress(done + d, total); };
  if (files.empty()) return {};
  try {
    return decode_images_cached(files, options, decode_cache_dir(search), search.on_note);
  } catch (const InputError&) {
    // With --skip-bad the one error left is that none of the split's files could be read: say so as a
    // decode of both splits together would.
    if (!options.skip_bad) throw;
    return {};
  }
}

// --crop random: the training split at its margin size, the validation split at the size, with the
// channels decided over both as one decode would (colour in either makes both RGB; rare, so the grey split
// is decoded again rather than every header read twice).
Decoded decode_apart(const FolderScan& scan, const DataSearch& search) {
  const size_t n_train = scan.train.files.size(), total = n_train + scan.val.files.size();
  const std::optional<uint32_t> channels = search.images.channels;
  CachedDecode train = decode_split(scan, search, Split::Train, channels, 0, total);
  CachedDecode val = decode_split(scan, search, Split::Test, channels, n_train, total);
  DecodeSource source = train.source;
  source += val.source;
  if (!channels && !train.images.kept.empty() && !val.images.kept.empty() &&
      train.images.channels != val.images.channels) {
    if (train.images.channels == 1) {
      train = decode_split(scan, search, Split::Train, 3u, 0, total);
      source += train.source;
    } else {
      val = decode_split(scan, search, Split::Test, 3u, n_train, total);
      source += val.source;
    }
  }
  Decoded d{{part_of(train.images, scan, scan.train, 0, n_train),
             part_of(val.images, scan, scan.val, 0, val.images.kept.size())},
            std::move(train.images.skipped),
            source};
  d.skipped.insert(d.skipped.end(), val.images.skipped.begin(), val.images.skipped.end());
  const auto size = stored_size(search.images, Split::Test);
  d.splits.train.crop_rows = size->first;
  d.splits.train.crop_cols = size->second;
  return d;
}

bool random_crop(const ImageOptions& options) {
  return options.crop == Crop::Random && stored_size(options, Split::Test);
}

}  // namespace

uint32_t crop_margin(uint32_t size) noexcept {
  return std::max(2u, (size + 4) / 8);  // round(size / 8), halves up
}

std::optional<std::pair<uint32_t, uint32_t>> stored_size(const ImageOptions& options, Split split) {
  if (!options.height || !options.width) return std::nullopt;
  const uint32_t h = *options.height, w = *options.width;
  if (split == Split::Train && options.crop == Crop::Random)
    return std::pair{h + crop_margin(h), w + crop_margin(w)};
  return std::pair{h, w};
}

DatasetSplits load_folder_dataset(const fs::path& root, const DataSearch& search) {
  const FolderScan scan = scan_image_folder(root, search.images.val_split, search.images.seed);
  Decoded decoded = random_crop(search.images) ? decode_apart(scan, search) : decode_together(scan, search);
  DatasetSplits& splits = decoded.splits;
  if (search.on_note) {
    const Dataset& train = splits.train;
    std::string note =
        folder_text(root) + ": " + std::to_string(train.count) + " train and " +
        std::to_string(splits.test.count) + " val images (" + scan.split_source + "), " +
        std::to_string(train.channels) + "x" + std::to_string(train.sample_rows()) + "x" +
        std::to_string(train.sample_cols()) +
        (train.crop_rows ? " (train stored " + std::to_string(train.rows) + "x" + std::to_string(train.cols) +
                               " for --crop random)"
                         : "") +
        ", " +
        (scan.class_names.empty() ? "unlabelled" : std::to_string(scan.class_names.size()) + " classes") +
        decoded.source.note_text();
    search.on_note(note);
    if (!decoded.skipped.empty())
      search.on_note("--skip-bad: skipped " + std::to_string(decoded.skipped.size()) +
                     " unreadable image files, the first " + decoded.skipped.front());
  }
  if (splits.train.count == 0) throw InputError(folder_text(root) + ": no readable training images");
  if (splits.test.count == 0) throw InputError(folder_text(root) + ": no readable validation images");
  return std::move(splits);
}

}  // namespace vkae::nn
