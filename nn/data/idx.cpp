// IDX decoding. Gzip input is inflated twice: first just the header (to learn the expected size), then the
// whole stream into a buffer capped at expected size + 1, so a corrupt or hostile file cannot make us
// allocate more than its header claims, and one extra byte is enough to detect trailing garbage. The buffer
// grows as the stream delivers (doubling), so a 64-byte file whose header claims 4 GiB costs what it
// inflates to, not what it claims (a fuzz finding).
#include "nn/data/idx.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "base/error.hpp"
#include "nn/io/atomic_file.hpp"

namespace vkae::nn {

namespace {

constexpr uint8_t kUnsignedByte = 0x08;

bool is_gzip(std::span<const std::byte> bytes) {
  return bytes.size() >= 2 && bytes[0] == std::byte{0x1f} && bytes[1] == std::byte{0x8b};
}

const char* type_name(uint8_t code) {
  switch (code) {
    case 0x08:
      return "unsigned byte";
    case 0x09:
      return "signed byte";
    case 0x0b:
      return "short";
    case 0x0c:
      return "int";
    case 0x0d:
      return "float";
    case 0x0e:
      return "double";
    default:
      return "unknown";
  }
}

// Inflates a gzip stream into at most `limit` bytes. Sets `complete` when the stream ended within the limit;
// a stream cut short returns what it had (the caller reports the size it expected).
std::vector<uint8_t> inflate_gzip(std::span<const std::byte> input, std::size_t limit, std::string_view what,
                                  bool& complete) {
  z_stream stream{};
  // 15 + 16: gzip wrapper only (we got here because of the gzip magic).
  if (inflateInit2(&stream, 15 + 16) != Z_OK)
    throw InputError(std::string(what) + ": zlib initialisation failed");
  std::vector<uint8_t> out(std::min<std::size_t>(limit, std::max<std::size_t>(1 << 16, 4 * input.size())));
  // zlib's API is not const-correct; it never writes through next_in.
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  int status = Z_OK;
  while (stream.total_out < limit) {
    if (stream.total_out == out.size()) out.resize(std::min<std::size_t>(limit, 2 * out.size()));
    stream.next_out = out.data() + stream.total_out;
    stream.avail_out = static_cast<uInt>(std::min<std::size_t>(out.size() - stream.total_out, UINT32_MAX));
    status = inflate(&stream, Z_NO_FLUSH);
    if (status == Z_STREAM_END) break;
    if (status == Z_BUF_ERROR && stream.avail_in == 0) break;  // input ran out mid-stream
    if (status != Z_OK) {
      const std::string reason = stream.msg ? stream.msg : "inflate error " + std::to_string(status);
      inflateEnd(&stream);
      throw InputError(std::string(what) + ": corrupt gzip data: " + reason);
    }
  }
  complete = status == Z_STREAM_END;
  const bool input_left = stream.avail_in > 0;
  out.resize(stream.total_out);
  inflateEnd(&stream);
  if (complete && input_left) {
    throw InputError(std::string(what) + ": unexpected bytes after the end of the gzip stream");
  }
  return out;
}

struct Header {
  std::vector<uint32_t> dims;
  std::size_t size = 0;  // header bytes
  uint64_t payload = 0;  // product(dims)
};

Header parse_header(std::span<const uint8_t> bytes, std::string_view what) {
  const std::string name(what);
  if (bytes.size() < 4) {
    throw InputError(name + ": truncated: file has " + std::to_string(bytes.size()) +
                     " bytes, an IDX header needs at least 4");
  }
  if (bytes[0] != 0 || bytes[1] != 0) {
    char found[32];
    std::snprintf(found, sizeof found, "0x%02x 0x%02x", bytes[0], bytes[1]);
    throw InputError(name + ": not an IDX file: magic starts with " + found + ", expected 0x00 0x00");
  }
  if (bytes[2] != kUnsignedByte) {
    char code[8];
    std::snprintf(code, sizeof code, "0x%02x", bytes[2]);
    throw InputError(name + ": IDX type code " + code + " (" + type_name(bytes[2]) +
                     ") is not supported; only 0x08 (unsigned byte) is");
  }
  const unsigned rank = bytes[3];
  if (rank < 1 || rank > 4) {
    throw InputError(name + ": IDX has " + std::to_string(rank) + " dimensions, expected 1 to 4");
  }
  Header header;
  header.size = 4 + 4 * std::size_t{rank};
  if (bytes.size() < header.size) {
    throw InputError(name + ": truncated: file has " + std::to_string(bytes.size()) +
                     " bytes, the IDX header of " + std::to_string(rank) + " dimensions needs " +
                     std::to_string(header.size));
  }
  header.payload = 1;
  for (unsigned i = 0; i < rank; ++i) {
    const uint8_t* p = bytes.data() + 4 + 4 * i;
    const uint32_t dim = uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
    if (dim == 0) throw InputError(name + ": IDX dimension " + std::to_string(i) + " is 0, expected > 0");
    header.dims.push_back(dim);
    header.payload *= dim;  // at most 4 factors of < 2^32 each; checked against the cap after each step
    if (header.payload > kMaxIdxBytes) {
      throw InputError(name + ": IDX dimensions " + format_dims(header.dims) + "... exceed the 4 GiB limit");
    }
  }
  return header;
}

}  // namespace

std::string format_dims(std::span<const uint32_t> dims) {
  std::string out;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i) out += 'x';
    out += std::to_string(dims[i]);
  }
  return out;
}

IdxArray decode_idx(std::span<const std::byte> bytes, std::string_view what) {
  std::vector<uint8_t> inflated;
  std::span<const uint8_t> content(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (is_gzip(bytes)) {
    bool complete = false;
    const std::vector<uint8_t> head = inflate_gzip(bytes, 20, what, complete);
    const Header header = parse_header(head, what);
    inflated = inflate_gzip(bytes, header.size + header.payload + 1, what, complete);
    content = inflated;
    if (!complete && inflated.size() == header.size + header.payload) {
      throw InputError(std::string(what) + ": truncated gzip stream (data complete, gzip trailer missing)");
    }
  }
  const Header header = parse_header(content, what);
  const uint64_t found = content.size() - header.size;
  const std::string name(what);
  if (found < header.payload) {
    throw InputError(name + ": truncated: expected " + std::to_string(header.payload) + " bytes of data (" +
                     format_dims(header.dims) + ") after the " + std::to_string(header.size) +
                     "-byte header, found " + std::to_string(found) +
                     (inflated.empty() ? "" : " (gzip stream ends early)"));
  }
  if (found > header.payload) {
    // For gzip we inflated at most one byte more than expected, so say "more", not how many.
    throw InputError(name + ": unexpected " +
                     (inflated.empty() ? std::to_string(found - header.payload) + " " : "") +
                     "trailing bytes after the " + std::to_string(header.payload) + " bytes of data (" +
                     format_dims(header.dims) + ")");
  }
  IdxArray array;
  array.dims = header.dims;
  array.data.assign(content.begin() + static_cast<std::ptrdiff_t>(header.size), content.end());
  return array;
}

IdxArray read_idx(const std::filesystem::path& path) {
  return decode_idx(read_file(path), path.string());
}

std::vector<std::byte> encode_idx(const IdxArray& array) {
  uint64_t payload = 1;
  for (const uint32_t dim : array.dims) payload *= dim;
  if (array.dims.empty() || array.dims.size() > 4 || payload != array.data.size()) {
    throw InputError("encode_idx: dims " + format_dims(array.dims) + " do not describe " +
                     std::to_string(array.data.size()) + " bytes (or are not 1 to 4 dimensions)");
  }
  std::vector<std::byte> out(4 + 4 * array.dims.size() + array.data.size());
  out[2] = std::byte{kUnsignedByte};
  out[3] = static_cast<std::byte>(array.dims.size());
  for (std::size_t i = 0; i < array.dims.size(); ++i) {
    for (int k = 0; k < 4; ++k) out[4 + 4 * i + k] = static_cast<std::byte>(array.dims[i] >> (24 - 8 * k));
  }
  if (!array.data.empty())
    std::memcpy(out.data() + 4 + 4 * array.dims.size(), array.data.data(), array.data.size());
  return out;
}

}  // namespace vkae::nn
