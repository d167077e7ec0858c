// A small JSON value (null, bool, number, string, array, insertion-ordered object), a strict RFC 8259 parser
// and a compact writer. Used for safetensors headers, model specs and metrics.jsonl lines.
// Not a streaming parser and not fast: inputs are headers and config files, kilobytes at most.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace vkae::nn {

class Json {
 public:
  enum class Kind { Null, Bool, Number, String, Array, Object };
  using Array = std::vector<Json>;
  using Member = std::pair<std::string, Json>;
  using Object = std::vector<Member>;  // insertion order is kept; keys are unique

  Json() = default;
  Json(std::nullptr_t) {}
  Json(bool value) : value_(value) {}
  Json(double value) : value_(value) {}
  Json(float value) : value_(static_cast<double>(value)) {}
  Json(int value) : value_(static_cast<double>(value)) {}
  Json(unsigned value) : value_(static_cast<double>(value)) {}
  Json(long value) : value_(static_cast<double>(value)) {}
  Json(unsigned long value) : value_(static_cast<double>(value)) {}
  Json(long long value) : value_(static_cast<double>(value)) {}
  Json(unsigned long long value) : value_(static_cast<double>(value)) {}
  Json(std::string value) : value_(std::move(value)) {}
  Json(std::string_view value) : value_(std::string(value)) {}
  Json(const char* value) : value_(std::string(value)) {}
  Json(Array value) : value_(std::move(value)) {}
  Json(Object value) : value_(std::move(value)) {}

  static Json array() { return Json(Array{}); }
  static Json object() { return Json(Object{}); }

  Kind kind() const noexcept { return static_cast<Kind>(value_.index()); }
  bool is_null() const noexcept { return kind() == Kind::Null; }
  bool is_bool() const noexcept { return kind() == Kind::Bool; }
  bool is_number() const noexcept { return kind() == Kind::Number; }
  bool is_string() const noexcept { return kind() == Kind::String; }
  bool is_array() const noexcept { return kind() == Kind::Array; }
  bool is_object() const noexcept { return kind() == Kind::Object; }

  // Typed access. `what` names the value in the error ("model.json: layers[2].kernel"); on a type mismatch
  // these throw InputError "<what>: expected a number, found a string".
  bool as_bool(std::string_view what = "JSON value") const;
  double as_number(std::string_view what = "JSON value") const;
  // A number that is an exact integer within [min, max]; otherwise InputError.
  int64_t as_int(std::string_view what = "JSON value", int64_t min = INT64_MIN, int64_t max = INT64_MAX) const;
  const std::string& as_string(std::string_view what = "JSON value") const;
  const Array& as_array(std::string_view what = "JSON value") const;
  Array& as_array(std::string_view what = "JSON value");
  const Object& as_object(std::string_view what = "JSON value") const;
  Object& as_object(std::string_view what = "JSON value");

  // Object lookup: find() returns nullptr when the key is absent (or this is not an object); at() throws
  // InputError "<what>: missing key \"dtype\"".
  const Json* find(std::string_view key) const noexcept;
  const Json& at(std::string_view key, std::string_view what = "JSON object") const;
  const Json& at(std::size_t index, std::string_view what = "JSON array") const;
  // Sets a key (replacing its value in place if present, else appending). Turns null into an object.
  Json& set(std::string key, Json value);
  // Appends to an array. Turns null into an array.
  Json& push_back(Json value);
  // Elements of an array or members of an object; 0 for scalars.
  std::size_t size() const noexcept;

  friend bool operator==(const Json& a, const Json& b) = default;

 private:
  std::variant<std::nullptr_t, bool, double, std::string, Array, Object> value_;
};

const char* json_kind_name(Json::Kind kind) noexcept;

// Parses exactly one JSON value (surrounding whitespace allowed). `what` names the input in errors:
// "runs/x/model.json: invalid JSON at byte 17: expected ',' or '}' in object, found 'x'".
// Strict: no comments, no trailing commas, no NaN, no leading zeros, no duplicate keys, nesting <= 256.
Json parse_json(std::string_view text, std::string_view what);

// Compact JSON. Numbers: exact integers (|x| < 2^53) without exponent or point; values that are exactly a
// float with "%.9g" (round-trips the float); other doubles with the fewest of 15/17 digits that round-trip.
// NaN and infinities have no JSON spelling and are written as null.
std::string to_json(const Json& value);

}  // namespace vkae::nn
