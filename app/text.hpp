// Number text for everything app/ prints: one helper per printf format, so a figure reads the same in every
// table, help line and message. Column layouts (tables with widths) keep their own snprintf line; JSON
// numbers are app/json_output.hpp's.
#pragma once
#include <cstdio>
#include <string>
#include <string_view>

namespace vkae::app {

inline std::string str(std::string_view s) {
  return std::string(s);
}

// "0.1167" for fixed(0.11672, 4): printf's %.*f.
inline std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

// "0.001", "0.5", "1e-07": printf's %g, how help texts and messages show a setting.
inline std::string general(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", value);
  return buf;
}

// "0.123456791": printf's %.9g, the shortest fixed width that reads back as the same float (CSV files).
inline std::string exact_float(float value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", double(value));
  return buf;
}

}  // namespace vkae::app
