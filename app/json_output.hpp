// The one JSON writer of the `--json` commands (eval, bench, anomaly, reduce): nlohmann's ordered_json, so
// keys keep the order they were set in, plus the two rules vkae's JSON lines have always followed.
// Building each command's object is that command's file's job.
#pragma once
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace vkae::app {

using Json = nlohmann::ordered_json;

// A figure as a JSON number: an integral one as an integer ("images_per_s":3115, not 3115.0, as scripts
// have always read it), a non-finite one as null (a bug to report, not a number to hide).
inline Json json_number(double value) {
  if (!std::isfinite(value)) return nullptr;
  if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0) return static_cast<int64_t>(value);
  return value;
}

// One compact line. Bytes that are not UTF-8 (a path, a driver's device name) become U+FFFD rather than
// making the whole report fail.
inline std::string json_line(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// `text` as a JSON string literal, with quotes and escapes.
inline std::string json_quote(std::string_view text) {
  return json_line(Json(std::string(text)));
}

}  // namespace vkae::app
