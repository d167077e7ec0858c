// Which known dataset an IDX split's files hold, by a digest of their first images: so that
// `vkae train fashion --data <a folder holding MNIST>` says what it found instead of training on MNIST.
// Files that are neither (a user's own IDX files) pass unchecked.
#pragma once
#include <optional>
#include <string_view>

#include "nn/data/dataset.hpp"

namespace vkae::nn {

// "mnist" or "fashion" when `data` holds that dataset's split, else nullopt.
std::optional<std::string_view> identify_known_copy(const Dataset& data, Split split);

// InputError naming data.images_path when the files are another known dataset's than `name`'s.
void check_known_copy(std::string_view name, const Dataset& data, Split split);

}  // namespace vkae::nn
