// The thin layer over nlohmann-json: parse errors turned into one InputError line, the checks nlohmann does
// not make (duplicate keys, nesting depth, a byte-order mark), typed accessors and the compact writer with
// the number format of json.hpp. Parsing, escaping and UTF-8 validation are nlohmann's.
#include "nn/io/json.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace vkae::nn {
namespace {

constexpr int kMaxDepth = 256;

// nlohmann's what() is "[json.exception.parse_error.101] parse error at line 1, column 8: syntax error ...";
// the part after its last location prefix is the problem itself.
std::string problem_of(const nlohmann::json::exception& e) {
  std::string text = e.what();
  const std::size_t tag_end = text.find("] ");
  if (tag_end != std::string::npos) text.erase(0, tag_end + 2);
  const std::size_t location = text.find("parse error");
  if (location == 0) {
    const std::size_t colon = text.find(": ");
    text.erase(0, colon == std::string::npos ? 0 : colon + 2);
  }
  return text;
}

// What nlohmann accepts and our inputs must not: a repeated key (it would keep the last silently) and
// nesting deeper than kMaxDepth. Its parse callback sees every key and container; it has no byte offset, so
// these messages name the problem only.
struct StrictnessCheck {
  std::string what;
  std::vector<std::set<std::string>> keys;  // one set per open object, innermost last

  [[noreturn]] void fail(const std::string& problem) const {
    throw InputError(what + ": invalid JSON: " + problem);
  }

  void on_event(int depth, Json::parse_event_t event, const Json& parsed) {
    if (depth > kMaxDepth) fail("expected nesting depth at most " + std::to_string(kMaxDepth));
    if (event == Json::parse_event_t::object_start) keys.emplace_back();
    if (event == Json::parse_event_t::object_end) keys.pop_back();
    if (event == Json::parse_event_t::key && !keys.back().insert(parsed.get<std::string>()).second)
      fail("expected unique keys in object, \"" + parsed.get<std::string>() + "\" repeats");
  }
};

void append_number(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char buf[40];
  if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(value));
  } else if (value == static_cast<double>(static_cast<float>(value))) {
    std::snprintf(buf, sizeof buf, "%.9g", value);
  } else {
    std::snprintf(buf, sizeof buf, "%.15g", value);
    if (std::strtod(buf, nullptr) != value) std::snprintf(buf, sizeof buf, "%.17g", value);
  }
  out += buf;
}

void append_value(std::string& out, const Json& value) {
  switch (value.type()) {
    case Json::value_t::number_float:
      append_number(out, value.get<double>());
      return;
    case Json::value_t::array: {
      out += '[';
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (i) out += ',';
        append_value(out, value[i]);
      }
      out += ']';
      return;
    }
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : value.get_ref<const Json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        out += Json(key).dump(-1, ' ', false, Json::error_handler_t::replace);
        out += ':';
        append_value(out, member);
      }
      out += '}';
      return;
    }
    default:
      out += value.dump(-1, ' ', false,
                        Json::error_handler_t::replace);  // null, booleans, integers and strings: nlohmann
                                                          // writes them as we did
  }
}

[[noreturn]] void throw_mismatch(std::string_view what, const char* expected, const Json& found) {
  throw InputError(std::string(what) + ": expected " + expected + ", found " + json_kind_name(found));
}

}  // namespace

Json parse_json(std::string_view text, std::string_view what) {
  // nlohmann skips a UTF-8 byte-order mark; JSON (RFC 8259 §8.1) must not start with one.
  if (text.starts_with("\xEF\xBB\xBF"))
    throw InputError(std::string(what) + ": invalid JSON at byte 0: expected a JSON value, found byte 0xef");
  StrictnessCheck check{std::string(what), {}};
  const Json::parser_callback_t callback = [&check](int depth, Json::parse_event_t event, Json& parsed) {
    check.on_event(depth, event, parsed);
    return true;
  };
  try {
    return Json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/true,
                       /*ignore_comments=*/false);
  } catch (const Json::parse_error& e) {
    // e.byte counts from 1 and points at the last byte read; we count from 0, as editors' offsets do.
    const std::size_t byte = e.byte > 0 ? e.byte - 1 : 0;
    throw InputError(std::string(what) + ": invalid JSON at byte " + std::to_string(byte) + ": " +
                     problem_of(e));
  } catch (const Json::exception& e) {  // e.g. out_of_range 406, "number overflow parsing '1e999'"
    throw InputError(std::string(what) + ": invalid JSON: " + problem_of(e));
  }
}

std::string to_json(const Json& value) {
  std::string out;
  append_value(out, value);
  return out;
}

const char* json_kind_name(const Json& value) noexcept {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "a number";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::object:
      return "an object";
    default:
      return "?";
  }
}

bool json_bool(const Json& value, std::string_view what) {
  if (!value.is_boolean()) throw_mismatch(what, "a boolean", value);
  return value.get<bool>();
}

double json_number(const Json& value, std::string_view what) {
  if (!value.is_number()) throw_mismatch(what, "a number", value);
  // The nearest double, as strtod of the text would give: integers convert exactly below 2^53 and round
  // above.
  return value.get<double>();
}

int64_t json_int(const Json& value, std::string_view what, int64_t min, int64_t max) {
  const double number = json_number(value, what);
  // 2^63 is exactly representable; anything at or beyond it does not fit int64_t.
  if (!(number == std::floor(number)) || number >= 9223372036854775808.0 || number < -9223372036854775808.0) {
    std::string found;
    append_number(found, number);
    throw InputError(std::string(what) + ": expected an integer, found " + found);
  }
  const auto result = static_cast<int64_t>(number);
  if (result < min || result > max) {
    throw InputError(std::string(what) + ": expected an integer in [" + std::to_string(min) + ", " +
                     std::to_string(max) + "], found " + std::to_string(result));
  }
  return result;
}

const std::string& json_string(const Json& value, std::string_view what) {
  if (!value.is_string()) throw_mismatch(what, "a string", value);
  return value.get_ref<const std::string&>();
}

const Json& json_array(const Json& value, std::string_view what) {
  if (!value.is_array()) throw_mismatch(what, "an array", value);
  return value;
}

const Json& json_object(const Json& value, std::string_view what) {
  if (!value.is_object()) throw_mismatch(what, "an object", value);
  return value;
}

const Json* json_find(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(std::string(key));
  return it == object.end() ? nullptr : &*it;
}

const Json& json_at(const Json& object, std::string_view key, std::string_view what) {
  json_object(object, what);
  const Json* value = json_find(object, key);
  if (!value) throw InputError(std::string(what) + ": missing key \"" + std::string(key) + "\"");
  return *value;
}

}  // namespace vkae::nn
