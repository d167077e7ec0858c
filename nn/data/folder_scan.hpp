// A folder of image files as a dataset's file list: found recursively in sorted path order, split into
// train and validation (train/ and val/ or test/ subfolders, else a seeded fraction held out), labelled by
// class subfolders (torchvision's ImageFolder convention) or unlabelled. Decides nothing about pixels: the
// files are decoded by nn/data/image_decode.hpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "nn/data/dataset.hpp"

namespace vkae::nn {

inline constexpr double kDefaultValSplit = 0.1;

struct FolderSplit {
  std::vector<std::filesystem::path> files;  // sorted by path
  std::vector<uint8_t> labels;               // [files] class indices; empty when unlabelled
};

struct FolderScan {
  std::filesystem::path root;
  std::vector<std::string> class_names;  // sorted; empty when unlabelled
  FolderSplit train, val;
  // "train/ and val/", or "10% held out (seed 0)": where the split came from, for the start-up note.
  std::string split_source;
};

// Most classes a folder may have (labels are bytes).
inline constexpr size_t kMaxClasses = 256;

// InputError naming the folder for: not a folder, no image files in it (or in train/), an empty val/,
// train and val class folders that disagree, more than kMaxClasses classes, a val_split outside [0, 1) or one
// that leaves no image on a side. Without train/ and val/ (or test/), round(val_split * n) images are held
// out, chosen by a shuffle seeded with `seed` (so the same seed holds out the same images); val_split 0
// leaves the validation split empty.
FolderScan scan_image_folder(const std::filesystem::path& root, double val_split, uint64_t seed);

// The class `spelling` names: one of the class names, or its index. InputError naming `flag` otherwise
// (listing the classes), and for an unlabelled dataset.
uint32_t class_index(const std::vector<std::string>& class_names, const std::string& spelling,
                     const std::string& flag, const std::string& dataset);

}  // namespace vkae::nn
