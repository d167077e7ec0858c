// A built-in 5x7 bitmap font (printable ASCII; unknown characters draw as '?') for plot labels, so plots
// need no font files or FreeType. Only glyph bitmaps live here; drawing is the caller's job.
#pragma once

#include <array>
#include <cstdint>

namespace vkae::nn {

inline constexpr int kGlyphWidth = 5;
inline constexpr int kGlyphHeight = 7;

// Seven rows, top first; bit 4 is the leftmost column.
using Glyph = std::array<uint8_t, kGlyphHeight>;

const Glyph& glyph_for(char c) noexcept;

}  // namespace vkae::nn
