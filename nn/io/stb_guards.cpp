// See stb_guards.hpp.
#include "nn/io/stb_guards.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace vkae::nn {
namespace {

uint32_t read_be(std::span<const uint8_t> bytes, std::size_t at, int count) {
  uint32_t value = 0;
  for (int i = 0; i < count; ++i) value = value << 8 | bytes[at + i];
  return value;
}

// Byte i of a segment's body, 0 past its end (stb_image reads zeros past the end of the file).
uint8_t byte_at(std::span<const uint8_t> body, std::size_t i) {
  return i < body.size() ? body[i] : 0;
}

// The Huffman tables stb_image holds so far: [0] DC, [1] AC, ids 0..3.
struct DefinedTables {
  bool defined[2][4] = {};
};

// A DHT body: table after table while its length lasts, each a class/id byte, 16 counts, the codes.
void define_tables(std::span<const uint8_t> body, DefinedTables& tables) {
  std::size_t next = 0;
  while (next < body.size()) {
    const uint8_t q = byte_at(body, next);
    if (q >> 4 > 1 || (q & 15) > 3) return;  // stb refuses the file here
    tables.defined[q >> 4][q & 15] = true;
    std::size_t codes = 0;
    for (std::size_t i = 1; i <= 16; ++i) codes += byte_at(body, next + i);
    next += 17 + codes;
  }
}

// The tables stb_image decodes a scan with: a baseline scan each component's DC and AC table; a
// progressive first DC scan (Ss = 0, Ah = 0) the DC tables, a DC refinement none, an AC scan the AC table.
std::optional<std::string> scan_missing_table(std::span<const uint8_t> body, const DefinedTables& tables,
                                              bool progressive) {
  const uint32_t ns = std::min<uint32_t>(byte_at(body, 0), 4);
  const uint8_t ss = byte_at(body, 1 + 2 * ns), ah = byte_at(body, 3 + 2 * ns) >> 4;
  const bool dc = !progressive || (ss == 0 && ah == 0), ac = !progressive || ss > 0;
  for (uint32_t c = 0; c < ns; ++c) {
    const uint8_t q = byte_at(body, 2 + 2 * c), hd = q >> 4, ha = q & 15;
    if (hd > 3 || ha > 3) return std::nullopt;  // stb refuses the scan header itself
    if (dc && !tables.defined[0][hd]) return "DC table " + std::to_string(hd);
    if (ac && !tables.defined[1][ha]) return "AC table " + std::to_string(ha);
  }
  return std::nullopt;
}

// Past a scan's entropy-coded data: to the next marker that is not a stuffed ff 00 or a restart.
std::size_t skip_entropy_data(std::span<const uint8_t> bytes, std::size_t at) {
  while (at + 1 < bytes.size() &&
         !(bytes[at] == 0xff && bytes[at + 1] != 0 && (bytes[at + 1] < 0xd0 || bytes[at + 1] > 0xd7))) {
    ++at;
  }
  return at;
}

enum class JpegEnd { Complete, Stray, Truncated };

// Walks the marker segments from SOI to EOI, skipping the entropy-coded data after each SOS (0xff is stuffed
// as ff 00, restarts are ff d0..d7, anything else is a marker). A stray byte where a marker belongs is
// Stray: corruption, not truncation.
JpegEnd walk_jpeg(std::span<const uint8_t> bytes) {
  std::size_t at = 2;
  while (at + 1 < bytes.size()) {
    if (bytes[at] != 0xff) return JpegEnd::Stray;
    const uint8_t marker = bytes[at + 1];
    if (marker == 0xff) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0xd9) return JpegEnd::Complete;  // EOI
    if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (at + 4 > bytes.size()) return JpegEnd::Truncated;
    at += 2 + read_be(bytes, at + 2, 2);
    if (marker == 0xda) at = skip_entropy_data(bytes, at);
  }
  return JpegEnd::Truncated;
}

}  // namespace

// The chunks from the signature on run out before IEND.
bool png_truncated(std::span<const uint8_t> bytes) {
  std::size_t at = 8;
  while (at + 8 <= bytes.size()) {
    if (std::memcmp(&bytes[at + 4], "IEND", 4) == 0) return false;
    at += 12 + std::size_t{read_be(bytes, at, 4)};
  }
  return true;
}

bool jpeg_truncated(std::span<const uint8_t> bytes) {
  return walk_jpeg(bytes) == JpegEnd::Truncated;
}

// Each DHT table holds at most 256 codes. Debian's stb_image (2022-09-08) does not check, and a table of
// more writes past its 257-byte size list into the decoder's heap state (a fuzz finding), so such a file is
// refused before stb sees it. stb resynchronises on junk between segments, so every ff c4 in the file is
// read as the DHT stb might take it for, as stb reads one: while the length lasts, 17 bytes then the codes
// (zeros past the end of the file).
bool jpeg_huffman_tables_fit(std::span<const uint8_t> bytes) {
  for (std::size_t at = 0; at + 4 <= bytes.size(); ++at) {
    if (bytes[at] != 0xff || bytes[at + 1] != 0xc4) continue;
    const std::span<const uint8_t> body = bytes.subspan(at + 4);
    std::size_t next = 0;
    for (int64_t left = int64_t{read_be(bytes, at + 2, 2)} - 2; left > 0 && next < body.size();) {
      uint32_t codes = 0;  // stb reads zeros past the end
      for (std::size_t i = 1; i <= 16 && next + i < body.size(); ++i) codes += body[next + i];
      if (codes > 256) return false;
      next += 17 + codes;
      left -= 17 + codes;
    }
  }
  return true;
}

// Debian's stb_image decodes a scan with whatever a Huffman table no DHT defined holds: uninitialised heap
// (a fuzz finding: a symbol index of -15). Such a file is refused. The segments are walked as stb takes
// them: junk between segments is skipped, a scan's entropy-coded data runs to the next marker.
std::optional<std::string> jpeg_undefined_table(std::span<const uint8_t> bytes) {
  DefinedTables tables;
  bool progressive = false;
  std::size_t at = 2;
  while (at + 3 < bytes.size()) {
    const uint8_t marker = bytes[at + 1];
    if (bytes[at] != 0xff || marker == 0xff || marker == 0x00 || marker == 0x01 ||
        (marker >= 0xd0 && marker <= 0xd7)) {
      at += bytes[at] != 0xff || marker == 0xff ? 1 : 2;
      continue;
    }
    if (marker == 0xd9) break;
    const std::size_t length = read_be(bytes, at + 2, 2);
    const std::span<const uint8_t> body =
        bytes.subspan(at + 4).first(std::min(length < 2 ? 0 : length - 2, bytes.size() - at - 4));
    if (marker == 0xc2) progressive = true;
    if (marker == 0xc4) define_tables(body, tables);
    if (marker == 0xda)
      if (auto missing = scan_missing_table(body, tables, progressive)) return missing;
    at += 2 + length;
    if (marker == 0xda) at = skip_entropy_data(bytes, at);
  }
  return std::nullopt;
}

// A PNM header's width, height and maxval each fit in 9 digits. Debian's stb_image reads them into an int
// without a check (signed overflow, a fuzz finding), so a longer number is refused before stb sees it.
bool pnm_numbers_fit(std::span<const uint8_t> bytes) {
  std::size_t at = 2;
  for (int number = 0; number < 3 && at < bytes.size(); ++number) {
    while (at < bytes.size() && (std::isspace(bytes[at]) || bytes[at] == '#')) {
      if (bytes[at] == '#')
        while (at < bytes.size() && bytes[at] != '\n' && bytes[at] != '\r') ++at;
      else
        ++at;
    }
    std::size_t digits = 0;
    while (at < bytes.size() && std::isdigit(bytes[at])) ++at, ++digits;
    if (digits > 9) return false;
    if (digits == 0) return true;  // not a number: stb's own check says corrupt
  }
  return true;
}

// Shorter than the file size its header states (stb_image pads a short BMP with black without a word).
bool bmp_truncated(std::span<const uint8_t> bytes) {
  if (bytes.size() < 6) return true;
  const uint32_t stated = bytes[2] | bytes[3] << 8 | bytes[4] << 16 | uint32_t{bytes[5]} << 24;
  return bytes.size() < stated;
}

}  // namespace vkae::nn
