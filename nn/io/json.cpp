// JSON value accessors and the strict recursive-descent parser (the writer is in json_write.cpp).
// Byte offsets in parse errors count from the start of the given text; \u escapes are decoded to UTF-8
// (surrogate pairs joined, lone surrogates rejected). Raw bytes >= 0x80 in strings are passed through as-is.
#include "nn/io/json.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/error.hpp"

namespace vkae::nn {

const char* json_kind_name(Json::Kind kind) noexcept {
  switch (kind) {
    case Json::Kind::Null: return "null";
    case Json::Kind::Bool: return "a boolean";
    case Json::Kind::Number: return "a number";
    case Json::Kind::String: return "a string";
    case Json::Kind::Array: return "an array";
    case Json::Kind::Object: return "an object";
  }
  return "?";
}

namespace {

[[noreturn]] void throw_mismatch(std::string_view what, Json::Kind expected, Json::Kind found) {
  throw InputError(std::string(what) + ": expected " + json_kind_name(expected) + ", found " +
                   json_kind_name(found));
}

}  // namespace

bool Json::as_bool(std::string_view what) const {
  if (!is_bool()) throw_mismatch(what, Kind::Bool, kind());
  return std::get<bool>(value_);
}

double Json::as_number(std::string_view what) const {
  if (!is_number()) throw_mismatch(what, Kind::Number, kind());
  return std::get<double>(value_);
}

int64_t Json::as_int(std::string_view what, int64_t min, int64_t max) const {
  const double value = as_number(what);
  // 2^63 is exactly representable; anything at or beyond it does not fit int64_t.
  if (!(value == std::floor(value)) || value >= 9223372036854775808.0 || value < -9223372036854775808.0) {
    throw InputError(std::string(what) + ": expected an integer, found " + to_json(*this));
  }
  const auto result = static_cast<int64_t>(value);
  if (result < min || result > max) {
    throw InputError(std::string(what) + ": expected an integer in [" + std::to_string(min) + ", " +
                     std::to_string(max) + "], found " + std::to_string(result));
  }
  return result;
}

const std::string& Json::as_string(std::string_view what) const {
  if (!is_string()) throw_mismatch(what, Kind::String, kind());
  return std::get<std::string>(value_);
}

const Json::Array& Json::as_array(std::string_view what) const {
  if (!is_array()) throw_mismatch(what, Kind::Array, kind());
  return std::get<Array>(value_);
}

Json::Array& Json::as_array(std::string_view what) {
  if (!is_array()) throw_mismatch(what, Kind::Array, kind());
  return std::get<Array>(value_);
}

const Json::Object& Json::as_object(std::string_view what) const {
  if (!is_object()) throw_mismatch(what, Kind::Object, kind());
  return std::get<Object>(value_);
}

Json::Object& Json::as_object(std::string_view what) {
  if (!is_object()) throw_mismatch(what, Kind::Object, kind());
  return std::get<Object>(value_);
}

const Json* Json::find(std::string_view key) const noexcept {
  if (!is_object()) return nullptr;
  for (const auto& [name, value] : std::get<Object>(value_)) {
    if (name == key) return &value;
  }
  return nullptr;
}

const Json& Json::at(std::string_view key, std::string_view what) const {
  as_object(what);
  const Json* value = find(key);
  if (!value) throw InputError(std::string(what) + ": missing key \"" + std::string(key) + "\"");
  return *value;
}

const Json& Json::at(std::size_t index, std::string_view what) const {
  const Array& array = as_array(what);
  if (index >= array.size()) {
    throw InputError(std::string(what) + ": expected at least " + std::to_string(index + 1) +
                     " elements, found " + std::to_string(array.size()));
  }
  return array[index];
}

Json& Json::set(std::string key, Json value) {
  if (is_null()) value_ = Object{};
  Object& object = as_object("Json::set target");
  for (auto& member : object) {
    if (member.first == key) {
      member.second = std::move(value);
      return member.second;
    }
  }
  object.emplace_back(std::move(key), std::move(value));
  return object.back().second;
}

Json& Json::push_back(Json value) {
  if (is_null()) value_ = Array{};
  Array& array = as_array("Json::push_back target");
  array.push_back(std::move(value));
  return array.back();
}

std::size_t Json::size() const noexcept {
  if (is_array()) return std::get<Array>(value_).size();
  if (is_object()) return std::get<Object>(value_).size();
  return 0;
}

// ---------------------------------------------------------------------------------------------------------
// Parser

namespace {

constexpr int kMaxDepth = 256;

class Parser {
 public:
  Parser(std::string_view text, std::string_view what) : text_(text), what_(what) {}

  Json parse_document() {
    skip_whitespace();
    Json value = parse_value(0);
    skip_whitespace();
    if (pos_ != text_.size()) fail("expected end of input");
    return value;
  }

 private:
  [[noreturn]] void fail(std::string_view expected) const {
    std::string found;
    if (pos_ >= text_.size()) {
      found = "end of input";
    } else {
      const auto c = static_cast<unsigned char>(text_[pos_]);
      char buf[16];
      if (c >= 0x20 && c < 0x7f) {
        std::snprintf(buf, sizeof buf, "'%c'", c);
      } else {
        std::snprintf(buf, sizeof buf, "byte 0x%02x", c);
      }
      found = buf;
    }
    throw InputError(std::string(what_) + ": invalid JSON at byte " + std::to_string(pos_) + ": " +
                     std::string(expected) + ", found " + found);
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  void skip_whitespace() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++pos_;
  }

  void expect_literal(std::string_view literal) {
    if (text_.substr(pos_, literal.size()) != literal) fail("expected a JSON value");
    pos_ += literal.size();
  }

  Json parse_value(int depth) {
    if (depth > kMaxDepth) fail("expected nesting depth at most 256");
    switch (peek()) {
      case '{': return parse_object(depth);
      case '[': return parse_array(depth);
      case '"': return Json(parse_string());
      case 't': expect_literal("true"); return Json(true);
      case 'f': expect_literal("false"); return Json(false);
      case 'n': expect_literal("null"); return Json(nullptr);
      default:
        if (peek() == '-' || (peek() >= '0' && peek() <= '9')) return Json(parse_number());
        fail("expected a JSON value");
    }
  }

  Json parse_object(int depth) {
    ++pos_;  // '{'
    Json::Object object;
    skip_whitespace();
    if (peek() == '}') {
      ++pos_;
      return Json(std::move(object));
    }
    for (;;) {
      skip_whitespace();
      if (peek() != '"') fail("expected a string key in object");
      const std::size_t key_pos = pos_;
      std::string key = parse_string();
      for (const auto& member : object) {
        if (member.first == key) {
          pos_ = key_pos;
          fail("expected unique keys in object, \"" + key + "\" repeats");
        }
      }
      skip_whitespace();
      if (peek() != ':') fail("expected ':' after object key");
      ++pos_;
      skip_whitespace();
      Json value = parse_value(depth + 1);
      object.emplace_back(std::move(key), std::move(value));
      skip_whitespace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == '}') {
        ++pos_;
        return Json(std::move(object));
      }
      fail("expected ',' or '}' in object");
    }
  }

  Json parse_array(int depth) {
    ++pos_;  // '['
    Json::Array array;
    skip_whitespace();
    if (peek() == ']') {
      ++pos_;
      return Json(std::move(array));
    }
    for (;;) {
      skip_whitespace();
      array.push_back(parse_value(depth + 1));
      skip_whitespace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == ']') {
        ++pos_;
        return Json(std::move(array));
      }
      fail("expected ',' or ']' in array");
    }
  }

  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  double parse_number() {
    const std::size_t start = pos_;
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
      if (is_digit(peek())) fail("expected no leading zeros in number");
    } else if (is_digit(peek())) {
      while (is_digit(peek())) ++pos_;
    } else {
      fail("expected a digit");
    }
    if (peek() == '.') {
      ++pos_;
      if (!is_digit(peek())) fail("expected a digit after '.'");
      while (is_digit(peek())) ++pos_;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!is_digit(peek())) fail("expected a digit in exponent");
      while (is_digit(peek())) ++pos_;
    }
    // strtod needs a terminated copy; the grammar above already guarantees it parses completely.
    const std::string token(text_.substr(start, pos_ - start));
    const double value = std::strtod(token.c_str(), nullptr);
    if (!std::isfinite(value)) {
      pos_ = start;
      fail("expected a number within double range");
    }
    return value;
  }

  unsigned parse_hex4() {
    unsigned code = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = peek();
      unsigned digit;
      if (c >= '0' && c <= '9') digit = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') digit = static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') digit = static_cast<unsigned>(c - 'A' + 10);
      else fail("expected 4 hex digits after \\u");
      code = code * 16 + digit;
      ++pos_;
    }
    return code;
  }

  static void append_utf8(std::string& out, unsigned code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xc0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xe0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (code & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (code & 0x3f));
    }
  }

  std::string parse_string() {
    ++pos_;  // opening quote
    std::string out;
    for (;;) {
      if (at_end()) fail("expected '\"' to close string");
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (static_cast<unsigned char>(c) < 0x20) fail("expected control characters in strings to be escaped");
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      ++pos_;
      const char escape = peek();
      switch (escape) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          ++pos_;
          unsigned code = parse_hex4();
          if (code >= 0xdc00 && code <= 0xdfff) fail("expected a high surrogate before a low surrogate");
          if (code >= 0xd800 && code <= 0xdbff) {
            if (text_.substr(pos_, 2) != "\\u") fail("expected a low surrogate after a high surrogate");
            pos_ += 2;
            const unsigned low = parse_hex4();
            if (low < 0xdc00 || low > 0xdfff) fail("expected a low surrogate after a high surrogate");
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          }
          append_utf8(out, code);
          continue;  // parse_hex4 already advanced
        }
        default: fail("expected a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
      }
      ++pos_;
    }
  }

  std::string_view text_;
  std::string_view what_;
  std::size_t pos_ = 0;
};

}  // namespace

Json parse_json(std::string_view text, std::string_view what) { return Parser(text, what).parse_document(); }

}  // namespace vkae::nn
