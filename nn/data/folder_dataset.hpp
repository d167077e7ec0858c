// A folder of images as a Dataset: the file list and splits of folder_scan.hpp, decoded on all cores (and
// cached) by image_decode.hpp into one tensor [count, C, H, W] whose geometry is decided over both splits, so
// train and validation always agree (with --crop random the training split apart, at its margin size, and
// the channels still decided over both).
#pragma once

#include <filesystem>

#include "nn/data/dataset.hpp"

namespace vkae::nn {

// --crop random's margin for a window of `size` rows (or columns): max(2, round(size / 8)). The training
// split is stored (H + crop_margin(H)) x (W + crop_margin(W)), so a window moves by up to an eighth of the
// image (at least 2 pixels) in each dimension, half of it each way from the centre.
uint32_t crop_margin(uint32_t size) noexcept;

// The size `split`'s images are stored at for `options`: the --size, plus the crop margin for the training
// split of --crop random; none without a size (the images' own size).
std::optional<std::pair<uint32_t, uint32_t>> stored_size(const ImageOptions& options, Split split);

// Both splits of the folder `root`. InputError naming the folder or the file for everything
// scan_image_folder and decode_images reject.
DatasetSplits load_folder_dataset(const std::filesystem::path& root, const DataSearch& search);

}  // namespace vkae::nn
