// A folder of images as a Dataset: the file list and splits of folder_scan.hpp, decoded on all cores (and
// cached) by image_decode.hpp into one tensor [count, C, H, W] whose geometry is decided over both splits, so
// train and validation always agree.
#pragma once

#include <filesystem>

#include "nn/data/dataset.hpp"

namespace vkae::nn {

// The size images are stored at for `options`: the --size; none without it (the images' own size).
std::optional<std::pair<uint32_t, uint32_t>> stored_size(const ImageOptions& options);

// Both splits of the folder `root`. InputError naming the folder or the file for everything
// scan_image_folder and decode_images reject.
DatasetSplits load_folder_dataset(const std::filesystem::path& root, const DataSearch& search);

}  // namespace vkae::nn
