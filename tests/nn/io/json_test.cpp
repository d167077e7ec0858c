// Tests for the layer over nlohmann-json: strict parsing with one-line errors naming the input (nlohmann's
// own syntax errors and the checks we add), typed access with errors naming the value, and the writer's
// number format that checkpoints and metrics.jsonl depend on byte for byte.
#include "nn/io/json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "base/error.hpp"

namespace vkae::nn {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string parse_error(std::string_view text) {
  try {
    parse_json(text, "spec.json");
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
    EXPECT_THAT(message, StartsWith("spec.json: invalid JSON"));
    return message;
  }
  ADD_FAILURE() << "no InputError for: " << text;
  return {};
}

TEST(Json, ParsesNested) {
  const Json value =
      parse_json(R"( {"a": [1, 2.5, -3e2, true, false, null], "b": {"c": "d\n\u00e9\ud83d\ude00"}} )", "t");
  ASSERT_TRUE(value.is_object());
  const Json& a = json_array(json_at(value, "a"));
  ASSERT_EQ(a.size(), 6u);
  EXPECT_EQ(json_int(a[0]), 1);
  EXPECT_DOUBLE_EQ(json_number(a[1]), 2.5);
  EXPECT_DOUBLE_EQ(json_number(a[2]), -300.0);
  EXPECT_EQ(json_int(a[2]), -300);  // an integral float is an integer, as it always was
  EXPECT_TRUE(json_bool(a[3]));
  EXPECT_FALSE(json_bool(a[4]));
  EXPECT_TRUE(a[5].is_null());
  EXPECT_EQ(json_string(json_at(json_at(value, "b"), "c")), "d\n\xc3\xa9\xf0\x9f\x98\x80");
}

TEST(Json, PreservesInsertionOrder) {
  const Json value = parse_json(R"({"z":1,"a":2,"m":3})", "t");
  EXPECT_EQ(to_json(value), R"({"z":1,"a":2,"m":3})");
  Json built;
  built["z"] = 1;
  built["a"] = "x";
  built["z"] = 5;  // replaced in place
  EXPECT_EQ(to_json(built), R"({"z":5,"a":"x"})");
}

TEST(Json, RoundTripsThroughWriter) {
  const std::string text =
      R"({"s":"q\"\\\/\b\f\n\r\t\u0001","n":[0,-1,1e+300,0.5],"o":{},"a":[[]],"t":true})";
  const Json value = parse_json(text, "t");
  EXPECT_EQ(parse_json(to_json(value), "t2"), value);
  EXPECT_EQ(to_json(value),
            R"({"s":"q\"\\/\b\f\n\r\t\u0001","n":[0,-1,1e+300,0.5],"o":{},"a":[[]],"t":true})");
}

TEST(Json, WritesNumbersCompactlyAndRoundTripsFloats) {
  EXPECT_EQ(to_json(Json(3.0)), "3");
  EXPECT_EQ(to_json(Json(-42)), "-42");
  EXPECT_EQ(to_json(Json(60000u)), "60000");
  EXPECT_EQ(to_json(Json(1e15)), "1000000000000000");
  EXPECT_EQ(to_json(Json(0.001)), "0.001");
  EXPECT_EQ(to_json(Json(0.1f)), "0.100000001");
  EXPECT_EQ(to_json(Json(1e-5f)), "9.99999975e-06");
  EXPECT_EQ(to_json(Json(1.0 / 3.0)), "0.33333333333333331");  // %.17g where %.15g does not round-trip
  for (const float f : {0.1f, 1.0f / 3.0f, 6.931472e-1f, 1e-30f, 3.4e38f, -2.5e-7f}) {
    const double back = json_number(parse_json(to_json(Json(f)), "t"));
    EXPECT_EQ(static_cast<float>(back), f);
  }
  for (const double d : {0.1, 1.0 / 3.0, 1e-300, 123456.789}) {
    EXPECT_EQ(json_number(parse_json(to_json(Json(d)), "t")), d);
  }
  EXPECT_EQ(to_json(Json(std::numeric_limits<double>::quiet_NaN())), "null");
}

TEST(Json, RejectsMalformedAsOneLineNamingTheInput) {
  EXPECT_THAT(parse_error(R"({"a":1,})"),
              HasSubstr("spec.json: invalid JSON at byte 7: "));  // trailing comma
  EXPECT_THAT(parse_error(R"([1 2])"), HasSubstr("at byte 3: "));
  EXPECT_THAT(parse_error(R"({"a" 1})"), HasSubstr("at byte 5: "));
  EXPECT_THAT(parse_error("[1,2"), HasSubstr("at byte 4: "));
  parse_error("");
  parse_error("{} x");
  parse_error("012");  // leading zero
  parse_error("NaN");
  parse_error("tru");
  parse_error("\"a\nb\"");  // unescaped control character
  parse_error(R"("\x")");
  parse_error(R"("\ud800")");  // lone surrogate
  parse_error("\"\xff\"");     // not UTF-8
  parse_error("// c\n{}");     // comments
  EXPECT_THAT(parse_error("1e999"), HasSubstr("number overflow"));
  EXPECT_THAT(parse_error(R"({"a":1,"b":{"a":2},"a":3})"), HasSubstr("\"a\" repeats"));
  EXPECT_THAT(parse_error("\xEF\xBB\xBF{}"), HasSubstr("at byte 0"));  // a byte-order mark
  EXPECT_THAT(parse_error(std::string(300, '[') + std::string(300, ']')),
              HasSubstr("nesting depth at most 256"));
  EXPECT_NO_THROW(parse_json(std::string(256, '[') + std::string(256, ']'), "t"));
}

TEST(Json, AccessorsThrowOnMismatch) {
  const Json value = parse_json(R"({"dtype":"F32","shape":[2,3.5],"big":1e20})", "t");
  EXPECT_THAT([&] { json_number(json_at(value, "dtype"), "header.w.dtype"); },
              ::testing::ThrowsMessage<InputError>(
                  ::testing::StrEq("header.w.dtype: expected a number, found a string")));
  EXPECT_THAT(
      [&] { json_at(value, "data_offsets", "header.w"); },
      ::testing::ThrowsMessage<InputError>(::testing::StrEq("header.w: missing key \"data_offsets\"")));
  EXPECT_THAT([&] { json_int(json_at(value, "shape")[1], "d"); },
              ::testing::ThrowsMessage<InputError>(::testing::StrEq("d: expected an integer, found 3.5")));
  EXPECT_THAT([&] { json_int(json_at(value, "big"), "d"); },
              ::testing::ThrowsMessage<InputError>(::testing::StrEq("d: expected an integer, found 1e+20")));
  EXPECT_THAT(
      [&] { json_int(json_at(value, "shape")[0], "d", 3, 10); },
      ::testing::ThrowsMessage<InputError>(::testing::StrEq("d: expected an integer in [3, 10], found 2")));
  EXPECT_THAT([&] { json_array(value); }, ::testing::ThrowsMessage<InputError>(::testing::StrEq(
                                              "JSON value: expected an array, found an object")));
  EXPECT_EQ(json_find(value, "nope"), nullptr);
  EXPECT_EQ(json_find(json_at(value, "shape"), "dtype"), nullptr);  // not an object
  EXPECT_STREQ(json_kind_name(Json()), "null");
  EXPECT_STREQ(json_kind_name(json_at(value, "shape")), "an array");
}

}  // namespace
}  // namespace vkae::nn
