// safetensors encode/decode. Layout: u64 LE header length N | N bytes of JSON | data section. Each tensor's
// data_offsets are relative to the data section; together they must tile it exactly (no overlap, no gap,
// no trailing bytes), which is what the reference implementation enforces too.
// Hand-written on purpose: Debian packages no C or C++ safetensors library (the reference one is Rust); the
// format is a length, a JSON header (parsed by nlohmann-json) and raw little-endian floats.
#include "nn/io/safetensors.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "base/error.hpp"
#include "nn/io/atomic_file.hpp"
#include "nn/io/json.hpp"

namespace vkae::nn {

namespace {

constexpr std::string_view kMetadataKey = "__metadata__";

// Element count of a shape, or -1 when it overflows 2^62 (no real tensor is that big).
int64_t element_count(std::span<const int64_t> shape) {
  int64_t count = 1;
  for (const int64_t dim : shape) {
    if (dim < 0) return -1;
    if (dim != 0 && count > (int64_t{1} << 62) / dim) return -1;
    count *= dim;
  }
  return count;
}

void put_u64_le(std::byte* out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<std::byte>((value >> (8 * i)) & 0xff);
}

void put_u32_le(std::byte* out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<std::byte>((value >> (8 * i)) & 0xff);
}

uint64_t get_u64_le(const std::byte* in) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= static_cast<uint64_t>(in[i]) << (8 * i);
  return value;
}

void copy_floats_le(std::byte* out, std::span<const float> values) {
  if (values.empty()) return;  // data() may be null, which memcpy must not see
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(out, values.data(), values.size_bytes());
  } else {
    for (std::size_t i = 0; i < values.size(); ++i)
      put_u32_le(out + 4 * i, std::bit_cast<uint32_t>(values[i]));
  }
}

void read_floats_le(std::span<float> values, const std::byte* in) {
  if (values.empty()) return;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(values.data(), in, values.size_bytes());
  } else {
    for (std::size_t i = 0; i < values.size(); ++i) {
      const auto b = [&](int k) { return static_cast<uint32_t>(in[4 * i + k]); };
      values[i] = std::bit_cast<float>(b(0) | b(1) << 8 | b(2) << 16 | b(3) << 24);
    }
  }
}

std::string format_range(uint64_t begin, uint64_t end) {
  return "[" + std::to_string(begin) + "," + std::to_string(end) + "]";
}

}  // namespace

std::string format_shape(std::span<const int64_t> shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

const NamedTensor* Safetensors::find(std::string_view name) const noexcept {
  for (const auto& tensor : tensors) {
    if (tensor.name == name) return &tensor;
  }
  return nullptr;
}

const NamedTensor& Safetensors::at(std::string_view name) const {
  const NamedTensor* tensor = find(name);
  if (!tensor) throw InputError("checkpoint " + path.string() + ": missing tensor " + std::string(name));
  return *tensor;
}

std::vector<std::byte> encode_safetensors(std::span<const NamedTensor> tensors,
                                          const std::map<std::string, std::string>& metadata) {
  Json header = Json::object();
  if (!metadata.empty()) {
    Json meta = Json::object();
    for (const auto& [key, value] : metadata) meta[key] = value;
    header[std::string(kMetadataKey)] = std::move(meta);
  }
  std::set<std::string_view> names;
  uint64_t offset = 0;
  for (const auto& tensor : tensors) {
    if (tensor.name.empty() || tensor.name == kMetadataKey) {
      throw InputError("safetensors: invalid tensor name \"" + tensor.name + "\"");
    }
    if (!names.insert(tensor.name).second)
      throw InputError("safetensors: tensor name " + tensor.name + " repeats");
    const int64_t count = element_count(tensor.shape);
    if (count < 0 || static_cast<uint64_t>(count) != tensor.data.size()) {
      throw InputError("safetensors: tensor " + tensor.name + " has " + std::to_string(tensor.data.size()) +
                       " values but shape " + format_shape(tensor.shape) + " needs " +
                       (count < 0 ? std::string("a valid non-negative size") : std::to_string(count)));
    }
    Json entry = Json::object();
    entry["dtype"] = "F32";
    entry["shape"] = tensor.shape;
    const uint64_t end = offset + 4 * tensor.data.size();
    entry["data_offsets"] = Json::array({offset, end});
    header[tensor.name] = std::move(entry);
    offset = end;
  }
  std::string text = to_json(header);
  text.append((8 - text.size() % 8) % 8, ' ');

  std::vector<std::byte> out(8 + text.size() + offset);
  put_u64_le(out.data(), text.size());
  std::memcpy(out.data() + 8, text.data(), text.size());
  std::byte* data = out.data() + 8 + text.size();
  for (const auto& tensor : tensors) {
    copy_floats_le(data, tensor.data);
    data += tensor.data.size() * 4;
  }
  return out;
}

void write_safetensors(const std::filesystem::path& path, std::span<const NamedTensor> tensors,
                       const std::map<std::string, std::string>& metadata) {
  std::vector<std::byte> bytes;
  try {
    bytes = encode_safetensors(tensors, metadata);
  } catch (const InputError& e) {
    throw InputError("cannot write " + path.string() + ": " + e.what());
  }
  write_file_atomically(path, bytes);
}

namespace {

// A tensor's place in the data section, and its index in the order the header listed it.
struct ByteRange {
  uint64_t begin, end;
  std::size_t index;
};

// The JSON header after the 8-byte length, once the length is plausible and inside the file.
std::string_view header_text(std::span<const std::byte> bytes, const std::string& name) {
  if (bytes.size() < 8) {
    throw InputError(name + ": not a safetensors file: " + std::to_string(bytes.size()) +
                     " bytes, expected at least 8 (the header length)");
  }
  const uint64_t header_size = get_u64_le(bytes.data());
  if (header_size > kMaxSafetensorsHeaderBytes) {
    throw InputError(name + ": header length " + std::to_string(header_size) + " is absurd (limit " +
                     std::to_string(kMaxSafetensorsHeaderBytes) + " bytes); not a safetensors file?");
  }
  if (header_size > bytes.size() - 8) {
    throw InputError(name + ": header length " + std::to_string(header_size) + " is larger than the " +
                     std::to_string(bytes.size() - 8) + " bytes after it (truncated file?)");
  }
  return {reinterpret_cast<const char*>(bytes.data() + 8), header_size};
}

std::map<std::string, std::string> read_metadata(const Json& entry, const std::string& name) {
  if (!entry.is_object()) {
    throw InputError(name + ": __metadata__ is " + json_kind_name(entry) + ", expected an object of strings");
  }
  std::map<std::string, std::string> metadata;
  for (const auto& [key, value] : entry.items()) {
    if (!value.is_string()) {
      throw InputError(name + ": __metadata__ value for \"" + key + "\" is " + json_kind_name(value) +
                       ", expected a string");
    }
    metadata[key] = json_string(value);
  }
  return metadata;
}

std::vector<int64_t> read_shape(const Json& shape_json, const std::string& context) {
  std::vector<int64_t> shape;
  for (const Json& dim : json_array(shape_json, context + ": shape")) {
    const int64_t value = json_int(dim, context + ": shape entry");
    if (value < 0) throw InputError(context + ": shape has negative dimension " + std::to_string(value));
    shape.push_back(value);
  }
  return shape;
}

// One header entry: dtype F32, a shape, and data_offsets that match the shape and lie inside `data`.
NamedTensor read_tensor(const std::string& key, const Json& entry, std::span<const std::byte> data,
                        const std::string& name, ByteRange& range) {
  const std::string context = name + ": tensor " + key;
  if (!entry.is_object())
    throw InputError(context + ": entry is " + json_kind_name(entry) + ", expected an object");
  const Json& dtype = json_at(entry, "dtype", context);
  const Json& shape_json = json_at(entry, "shape", context);
  const Json& offsets = json_at(entry, "data_offsets", context);
  const std::string& dtype_name = json_string(dtype, context + ": dtype");
  if (dtype_name != "F32")
    throw InputError(context + ": dtype " + dtype_name + " is not supported (only F32)");

  NamedTensor tensor{key, read_shape(shape_json, context), {}};
  if (json_array(offsets, context + ": data_offsets").size() != 2) {
    throw InputError(context + ": data_offsets has " + std::to_string(offsets.size()) +
                     " entries, expected [begin,end]");
  }
  const auto begin = static_cast<uint64_t>(json_int(offsets[0], context + ": data_offsets begin", 0));
  const auto end = static_cast<uint64_t>(json_int(offsets[1], context + ": data_offsets end", 0));
  if (end < begin)
    throw InputError(context + ": data_offsets " + format_range(begin, end) + " end before begin");
  const int64_t count = element_count(tensor.shape);
  if (count < 0 || end - begin != static_cast<uint64_t>(count) * 4) {
    throw InputError(context + ": data_offsets " + format_range(begin, end) + " span " +
                     std::to_string(end - begin) + " bytes, but shape " + format_shape(tensor.shape) +
                     " of F32 needs " + (count < 0 ? std::string("too many") : std::to_string(count * 4)));
  }
  if (end > data.size()) {
    throw InputError(context + ": data_offsets " + format_range(begin, end) +
                     " lie outside the data section of " + std::to_string(data.size()) + " bytes");
  }
  tensor.data.resize(static_cast<std::size_t>(count));
  read_floats_le(tensor.data, data.data() + begin);
  range.begin = begin;
  range.end = end;
  return tensor;
}

// The ranges must tile the data section: sorted by begin, each starts where the previous ended. Sorts
// `ranges`.
void check_tiling(std::vector<ByteRange>& ranges, const std::vector<NamedTensor>& tensors, uint64_t data_size,
                  const std::string& name) {
  std::sort(ranges.begin(), ranges.end(), [](const ByteRange& a, const ByteRange& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t covered = 0;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    const ByteRange& range = ranges[i];
    if (range.begin < covered) {
      const ByteRange& previous = ranges[i - 1];
      throw InputError(name + ": tensors " + tensors[previous.index].name + " " +
                       format_range(previous.begin, previous.end) + " and " + tensors[range.index].name +
                       " " + format_range(range.begin, range.end) + " have overlapping data_offsets");
    }
    if (range.begin > covered) {
      throw InputError(name + ": data section bytes " + format_range(covered, range.begin) +
                       " are not covered by any tensor");
    }
    covered = range.end;
  }
  if (covered != data_size) {
    throw InputError(name + ": data section has " + std::to_string(data_size - covered) +
                     " bytes after the last tensor that are not covered by any tensor");
  }
}

}  // namespace

Safetensors decode_safetensors(std::span<const std::byte> bytes, std::string_view what) {
  const std::string name(what);
  const std::string_view text = header_text(bytes, name);
  const Json header = parse_json(text, name + ": header");
  if (!header.is_object())
    throw InputError(name + ": header is " + json_kind_name(header) + ", expected a JSON object");

  const std::span<const std::byte> data = bytes.subspan(8 + text.size());
  Safetensors result;
  result.path = std::filesystem::path(name);
  std::vector<ByteRange> ranges;
  for (const auto& [key, entry] : header.items()) {
    if (key == kMetadataKey) {
      result.metadata = read_metadata(entry, name);
      continue;
    }
    ByteRange range{0, 0, result.tensors.size()};
    result.tensors.push_back(read_tensor(key, entry, data, name, range));
    ranges.push_back(range);
  }
  check_tiling(ranges, result.tensors, data.size(), name);

  std::vector<NamedTensor> ordered;
  ordered.reserve(ranges.size());
  for (const ByteRange& range : ranges) ordered.push_back(std::move(result.tensors[range.index]));
  result.tensors = std::move(ordered);
  return result;
}

Safetensors read_safetensors(const std::filesystem::path& path) {
  Safetensors result = decode_safetensors(read_file(path), path.string());
  result.path = path;
  return result;
}

void expect_tensor(const Safetensors& file, std::string_view name, std::span<const int64_t> shape) {
  const NamedTensor& tensor = file.at(name);
  if (!std::equal(tensor.shape.begin(), tensor.shape.end(), shape.begin(), shape.end())) {
    throw InputError("checkpoint " + file.path.string() + ": tensor " + std::string(name) + " has shape " +
                     format_shape(tensor.shape) + ", expected " + format_shape(shape));
  }
}

void expect_tensor(const Safetensors& file, std::string_view name, std::initializer_list<int64_t> shape) {
  expect_tensor(file, name, std::span<const int64_t>(shape.begin(), shape.size()));
}

}  // namespace vkae::nn
