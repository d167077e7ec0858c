// Checks of a user's image file made before Debian's stb_image (2.27, 2022-09-08) sees it: the file
// structures that stb reads without a check (fuzz findings, docs/RESULTS.md "Hostile files") are refused
// here, and truncation is told from each format's structure (stb pads or reports it in stale words).
// Each check reads the bytes as stb would take them, junk and all; none decodes pixels.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace vkae::nn {

// The chunks from the signature on run out before IEND.
bool png_truncated(std::span<const uint8_t> bytes);
// The segments from SOI run out before EOI.
bool jpeg_truncated(std::span<const uint8_t> bytes);
// Every DHT table (every ff c4 in the file, as stb might take it) holds at most 256 codes.
bool jpeg_huffman_tables_fit(std::span<const uint8_t> bytes);
// The first Huffman table a scan decodes with that no DHT before it defined, in words ("DC table 2"), or
// nothing when every scan's tables exist.
std::optional<std::string> jpeg_undefined_table(std::span<const uint8_t> bytes);
// A PNM header's width, height and maxval each fit in 9 digits.
bool pnm_numbers_fit(std::span<const uint8_t> bytes);
// Shorter than the file size its header states.
bool bmp_truncated(std::span<const uint8_t> bytes);

}  // namespace vkae::nn
