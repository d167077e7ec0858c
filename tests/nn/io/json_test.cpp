// Tests for the JSON value, the strict parser and the compact writer.
#include "nn/io/json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "base/error.hpp"

namespace vkae::nn {
namespace {

using ::testing::HasSubstr;

std::string parse_error(std::string_view text) {
  try {
    parse_json(text, "spec.json");
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError for: " << text;
  return {};
}

TEST(Json, ParsesNested) {
  const Json value = parse_json(R"( {"a": [1, 2.5, -3e2, true, false, null], "b": {"c": "d\n\u00e9\ud83d\ude00"}} )",
                                "t");
  ASSERT_TRUE(value.is_object());
  const auto& a = value.at("a").as_array();
  ASSERT_EQ(a.size(), 6u);
  EXPECT_EQ(a[0].as_int(), 1);
  EXPECT_DOUBLE_EQ(a[1].as_number(), 2.5);
  EXPECT_DOUBLE_EQ(a[2].as_number(), -300.0);
  EXPECT_TRUE(a[3].as_bool());
  EXPECT_FALSE(a[4].as_bool());
  EXPECT_TRUE(a[5].is_null());
  EXPECT_EQ(value.at("b").at("c").as_string(), "d\n\xc3\xa9\xf0\x9f\x98\x80");
}

TEST(Json, PreservesInsertionOrder) {
  const Json value = parse_json(R"({"z":1,"a":2,"m":3})", "t");
  EXPECT_EQ(to_json(value), R"({"z":1,"a":2,"m":3})");
  Json built;
  built.set("z", 1);
  built.set("a", "x");
  built.set("z", 5);  // replaced in place
  EXPECT_EQ(to_json(built), R"({"z":5,"a":"x"})");
}

TEST(Json, RoundTripsThroughWriter) {
  const std::string text = R"({"s":"q\"\\\/\b\f\n\r\t\u0001","n":[0,-1,1e+300,0.5],"o":{},"a":[[]],"t":true})";
  const Json value = parse_json(text, "t");
  EXPECT_EQ(parse_json(to_json(value), "t2"), value);
}

TEST(Json, WritesNumbersCompactlyAndRoundTripsFloats) {
  EXPECT_EQ(to_json(Json(3.0)), "3");
  EXPECT_EQ(to_json(Json(-42)), "-42");
  EXPECT_EQ(to_json(Json(60000)), "60000");
  EXPECT_EQ(to_json(Json(1e15)), "1000000000000000");
  EXPECT_EQ(to_json(Json(0.001)), "0.001");
  EXPECT_EQ(to_json(Json(0.1f)), "0.100000001");
  for (const float f : {0.1f, 1.0f / 3.0f, 6.931472e-1f, 1e-30f, 3.4e38f, -2.5e-7f}) {
    const double back = parse_json(to_json(Json(f)), "t").as_number();
    EXPECT_EQ(static_cast<float>(back), f);
  }
  for (const double d : {0.1, 1.0 / 3.0, 1e-300, 123456.789}) {
    EXPECT_EQ(parse_json(to_json(Json(d)), "t").as_number(), d);
  }
  EXPECT_EQ(to_json(Json(std::numeric_limits<double>::quiet_NaN())), "null");
}

TEST(Json, RejectsMalformedWithOffset) {
  EXPECT_THAT(parse_error(R"({"a":1,})"), HasSubstr("spec.json: invalid JSON at byte 7: expected a string key"));
  EXPECT_THAT(parse_error(R"([1 2])"), HasSubstr("byte 3: expected ',' or ']' in array, found '2'"));
  EXPECT_THAT(parse_error(R"({"a" 1})"), HasSubstr("expected ':' after object key"));
  EXPECT_THAT(parse_error("[1,2"), HasSubstr("found end of input"));
  EXPECT_THAT(parse_error(""), HasSubstr("expected a JSON value, found end of input"));
  EXPECT_THAT(parse_error("{} x"), HasSubstr("byte 3: expected end of input"));
  EXPECT_THAT(parse_error("012"), HasSubstr("leading zeros"));
  EXPECT_THAT(parse_error("NaN"), HasSubstr("expected a JSON value"));
  EXPECT_THAT(parse_error("1e999"), HasSubstr("double range"));
  EXPECT_THAT(parse_error("\"a\nb\""), HasSubstr("escaped"));
  EXPECT_THAT(parse_error(R"("\x")"), HasSubstr("valid escape"));
  EXPECT_THAT(parse_error(R"("\ud800")"), HasSubstr("low surrogate"));
  EXPECT_THAT(parse_error(R"({"a":1,"a":2})"), HasSubstr("\"a\" repeats"));
  EXPECT_THAT(parse_error("// c\n{}"), HasSubstr("byte 0"));
  EXPECT_THAT(parse_error(std::string(300, '[') + std::string(300, ']')), HasSubstr("nesting depth"));
  EXPECT_THAT(parse_error("tru"), HasSubstr("expected a JSON value"));
}

TEST(Json, AccessorsThrowOnMismatch) {
  const Json value = parse_json(R"({"dtype":"F32","shape":[2,3.5],"big":1e20})", "t");
  try {
    value.at("dtype").as_number("header.w.dtype");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "header.w.dtype: expected a number, found a string");
  }
  try {
    value.at("data_offsets", "header.w");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "header.w: missing key \"data_offsets\"");
  }
  EXPECT_THROW(value.at("shape").at(1).as_int("d"), InputError);
  EXPECT_THROW(value.at("big").as_int("d"), InputError);
  EXPECT_THROW(value.at("shape").at(0).as_int("d", 3, 10), InputError);
  EXPECT_THROW(value.at("shape").at(2), InputError);
  EXPECT_THROW(value.as_array(), InputError);
  EXPECT_EQ(value.find("nope"), nullptr);
  EXPECT_EQ(value.size(), 3u);
}

}  // namespace
}  // namespace vkae::nn
