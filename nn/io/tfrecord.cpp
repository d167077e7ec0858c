// TFRecord framing: CRC-32C by a byte table made at compile time, the writer over stdio and the checking
// reader.
#include "nn/io/tfrecord.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace vkae::nn {
namespace {

constexpr std::array<uint32_t, 256> make_crc32c_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0x82F63B78u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kCrc32cTable = make_crc32c_table();

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t get_le(std::string_view in, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{static_cast<uint8_t>(in[i])} << (8 * i);
  return v;
}

std::string hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

}  // namespace

uint32_t crc32c(std::span<const uint8_t> data, uint32_t crc) noexcept {
  crc = ~crc;
  for (const uint8_t b : data) crc = kCrc32cTable[(crc ^ b) & 0xff] ^ (crc >> 8);
  return ~crc;
}

uint32_t crc32c(std::string_view data, uint32_t crc) noexcept {
  return crc32c(std::span(reinterpret_cast<const uint8_t*>(data.data()), data.size()), crc);
}

std::string frame_record(std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + 16);
  put_le(out, payload.size(), 8);
  put_le(out, masked_crc(crc32c(out)), 4);
  out.append(payload);
  put_le(out, masked_crc(crc32c(payload)), 4);
  return out;
}

TfRecordWriter::TfRecordWriter(std::filesystem::path path)
    : path_(std::move(path)), file_(std::fopen(path_.c_str(), "ab")) {
  if (!file_) fail(errno);
}

void TfRecordWriter::write(std::string_view payload) {
  const std::string record = frame_record(payload);
  if (std::fwrite(record.data(), 1, record.size(), file_.get()) != record.size()) fail(errno);
}

void TfRecordWriter::flush() {
  if (std::fflush(file_.get()) != 0) fail(errno);
}

void TfRecordWriter::fail(int error_number) const {
  throw TfRecordError("cannot write " + path_.string() + ": " +
                      (error_number ? std::strerror(error_number) : "unknown error"));
}

std::vector<std::string> read_tfrecords(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TfRecordError("cannot read " + path.string() + ": " + std::strerror(errno));
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string_view all(bytes);
  std::vector<std::string> records;
  for (size_t at = 0; at < all.size();) {
    const auto fail = [&](const std::string& what) {
      throw TfRecordError(path.string() + ": record " + std::to_string(records.size()) + " at byte " +
                          std::to_string(at) + ": " + what);
    };
    const size_t left = all.size() - at;
    if (left < 12) fail("truncated (" + std::to_string(left) + " bytes left of a 12-byte header)");
    const std::string_view header = all.substr(at, 8);
    const auto stored_length_crc = static_cast<uint32_t>(get_le(all.substr(at + 8), 4));
    if (stored_length_crc != masked_crc(crc32c(header)))
      fail("bad length CRC (stored " + hex(stored_length_crc) + ", computed " +
           hex(masked_crc(crc32c(header))) + ")");
    const uint64_t length = get_le(header, 8);
    if (length > left - 12 || left - 12 - length < 4)
      fail("truncated (a payload of " + std::to_string(length) + " bytes and its CRC need " +
           std::to_string(length + 4) + ", " + std::to_string(left - 12) + " left)");
    const std::string_view payload = all.substr(at + 12, length);
    const auto stored_crc = static_cast<uint32_t>(get_le(all.substr(at + 12 + length), 4));
    if (stored_crc != masked_crc(crc32c(payload)))
      fail("bad payload CRC (stored " + hex(stored_crc) + ", computed " + hex(masked_crc(crc32c(payload))) +
           ")");
    records.emplace_back(payload);
    at += 16 + length;
  }
  return records;
}

}  // namespace vkae::nn
