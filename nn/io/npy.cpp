// .npy v1.0 encoding and the matching subset reader. The header is the Python dict literal numpy.save writes;
// the reader parses exactly that shape of dict (any key order, spaces allowed), nothing more general.
// Hand-written on purpose: Debian packages no C++ .npy library (cnpy and libnpy are not in it), and the
// format is one short header line plus raw bytes.
#include "nn/io/npy.hpp"

#include <bit>
#include <charconv>
#include <cstring>

#include "base/error.hpp"
#include "nn/io/atomic_file.hpp"

namespace vkae::nn {
namespace {

static_assert(std::endian::native == std::endian::little, "npy writing assumes a little-endian host");

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6, kPrefixSize = 10;  // magic, version (2 bytes), header length (uint16 LE)

uint64_t element_count(std::span<const uint64_t> shape) {
  uint64_t n = 1;
  for (const uint64_t s : shape) n *= s;
  return n;
}

std::vector<std::byte> encode(std::string_view descr, const void* data, uint64_t count, size_t item,
                              std::span<const uint64_t> shape) {
  if (element_count(shape) != count)
    throw InputError("npy: shape holds " + std::to_string(element_count(shape)) + " elements, data has " +
                     std::to_string(count));
  const std::string header = npy_header(descr, shape);
  std::vector<std::byte> out(header.size() + count * item);
  std::memcpy(out.data(), header.data(), header.size());
  if (count) std::memcpy(out.data() + header.size(), data, count * item);
  return out;
}

[[noreturn]] void bad(std::string_view what, const std::string& reason) {
  throw InputError(std::string(what) + ": " + reason);
}

// The value text after `'key':` up to the next top-level comma or the closing brace.
std::string_view dict_value(std::string_view dict, std::string_view key, std::string_view what) {
  const std::string quoted = "'" + std::string(key) + "'";
  const size_t at = dict.find(quoted);
  if (at == std::string_view::npos) bad(what, "npy header has no " + quoted);
  size_t i = dict.find(':', at + quoted.size());
  if (i == std::string_view::npos) bad(what, "npy header: no value for " + quoted);
  ++i;
  while (i < dict.size() && dict[i] == ' ') ++i;
  size_t end = i;
  int depth = 0;
  while (end < dict.size() && !(depth == 0 && (dict[end] == ',' || dict[end] == '}'))) {
    if (dict[end] == '(') ++depth;
    if (dict[end] == ')') --depth;
    ++end;
  }
  std::string_view value = dict.substr(i, end - i);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return value;
}

std::vector<uint64_t> parse_shape(std::string_view text, std::string_view what) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')')
    bad(what, "npy shape " + std::string(text));
  text = text.substr(1, text.size() - 2);
  std::vector<uint64_t> shape;
  while (true) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    if (text.empty()) break;
    uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc()) bad(what, "npy shape: expected a number, got " + std::string(text));
    text.remove_prefix(size_t(end - text.data()));
    shape.push_back(v);
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    if (text.empty()) break;
    if (text.front() != ',') bad(what, "npy shape: expected ',', got " + std::string(text));
    text.remove_prefix(1);
  }
  return shape;
}

}  // namespace

std::string npy_header(std::string_view descr, std::span<const uint64_t> shape) {
  std::string dims;
  for (size_t i = 0; i < shape.size(); ++i) dims += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) dims += ",";  // a Python 1-tuple
  std::string dict =
      "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  const size_t unpadded = kPrefixSize + dict.size() + 1;  // + '\n'
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  if (dict.size() > 0xFFFF)
    throw InputError("npy: header too long for format 1.0 (" + std::to_string(shape.size()) + " dimensions)");
  std::string out(kMagic, kMagicSize);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(dict.size() & 0xFF);
  out += static_cast<char>(dict.size() >> 8);
  return out + dict;
}

std::vector<std::byte> encode_npy(std::span<const float> data, std::span<const uint64_t> shape) {
  return encode("<f4", data.data(), data.size(), sizeof(float), shape);
}

std::vector<std::byte> encode_npy(std::span<const uint8_t> data, std::span<const uint64_t> shape) {
  return encode("|u1", data.data(), data.size(), 1, shape);
}

void write_npy(const std::filesystem::path& path, std::span<const float> data,
               std::span<const uint64_t> shape) {
  write_file_atomically(path, encode_npy(data, shape));
}

void write_npy(const std::filesystem::path& path, std::span<const uint8_t> data,
               std::span<const uint64_t> shape) {
  write_file_atomically(path, encode_npy(data, shape));
}

NpyArray decode_npy(std::span<const std::byte> file, std::string_view what) {
  if (file.size() < kPrefixSize || std::memcmp(file.data(), kMagic, kMagicSize) != 0)
    bad(what, "not a .npy file (bad magic)");
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(file[i]); };
  if (byte(6) != 1 || byte(7) != 0)
    bad(what, "npy format " + std::to_string(byte(6)) + "." + std::to_string(byte(7)) + " (expected 1.0)");
  const size_t header_size = byte(8) | size_t{byte(9)} << 8;
  if (file.size() < kPrefixSize + header_size) bad(what, "truncated npy header");
  const std::string_view dict(reinterpret_cast<const char*>(file.data()) + kPrefixSize, header_size);
  NpyArray a;
  const std::string_view descr = dict_value(dict, "descr", what);
  if (descr != "'<f4'" && descr != "'|u1'")
    bad(what, "npy dtype " + std::string(descr) + " (expected '<f4' or '|u1')");
  a.descr = std::string(descr.substr(1, 3));
  if (dict_value(dict, "fortran_order", what) != "False")
    bad(what, "Fortran-order npy arrays are not supported");
  a.shape = parse_shape(dict_value(dict, "shape", what), what);
  const uint64_t count = element_count(a.shape);
  const size_t item = a.descr == "<f4" ? 4 : 1;
  const std::span<const std::byte> data = file.subspan(kPrefixSize + header_size);
  if (data.size() % item != 0 || data.size() / item != count)
    bad(what, "npy data is " + std::to_string(data.size()) + " bytes, the shape needs " +
                  std::to_string(count * item));
  if (item == 4) {
    a.floats.resize(count);
    std::memcpy(a.floats.data(), data.data(), data.size());
  } else {
    a.bytes.resize(count);
    std::memcpy(a.bytes.data(), data.data(), data.size());
  }
  return a;
}

NpyArray read_npy(const std::filesystem::path& path) {
  const std::vector<std::byte> file = read_file(path);
  return decode_npy(file, path.string());
}

}  // namespace vkae::nn
