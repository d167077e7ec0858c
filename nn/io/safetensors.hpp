// The safetensors checkpoint format (8-byte little-endian header length, JSON header, raw data), F32 only:
// writing (atomically, header space-padded to a multiple of 8 like the reference implementation) and
// reading with full validation; every failure is one InputError line naming the file and the problem.
// Knows nothing about models: which names and shapes a checkpoint must hold is the caller's business.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vkae::nn {

struct NamedTensor {
  std::string name;
  std::vector<int64_t> shape;  // PyTorch layout, e.g. conv weight [out, in, kh, kw]
  std::vector<float> data;     // row-major, product(shape) values
};

struct Safetensors {
  std::filesystem::path path;                   // where it was read from (for messages)
  std::vector<NamedTensor> tensors;             // in file (data offset) order
  std::map<std::string, std::string> metadata;  // "__metadata__"

  const NamedTensor* find(std::string_view name) const noexcept;
  // InputError "checkpoint X: missing tensor <name>".
  const NamedTensor& at(std::string_view name) const;
};

// Upper bound on the JSON header; anything bigger is a corrupt or hostile file.
inline constexpr uint64_t kMaxSafetensorsHeaderBytes = 100ull * 1000 * 1000;

// Serialises in the given order. Throws InputError naming the tensor if a name is empty, repeated or
// "__metadata__", or if data.size() != product(shape). Metadata is omitted from the header when empty.
std::vector<std::byte> encode_safetensors(std::span<const NamedTensor> tensors,
                                          const std::map<std::string, std::string>& metadata);
void write_safetensors(const std::filesystem::path& path, std::span<const NamedTensor> tensors,
                       const std::map<std::string, std::string>& metadata);

// `what` names the input in messages (normally the path).
Safetensors decode_safetensors(std::span<const std::byte> bytes, std::string_view what);
Safetensors read_safetensors(const std::filesystem::path& path);

// InputError "checkpoint X: tensor encoder.0.weight has shape [32,1,3,3], expected [16,1,3,3]" or
// "checkpoint X: missing tensor encoder.0.weight".
void expect_tensor(const Safetensors& file, std::string_view name, std::span<const int64_t> shape);
void expect_tensor(const Safetensors& file, std::string_view name, std::initializer_list<int64_t> shape);

// "[16,1,3,3]"
std::string format_shape(std::span<const int64_t> shape);

}  // namespace vkae::nn
