// JSON through nlohmann-json (`nn::Json` is its insertion-ordered value), plus the little it does not do for
// us: parse errors as one InputError line naming the input, the old parser's strictness (duplicate keys,
// nesting, numbers beyond double range), typed access whose errors name the value, and the compact writer
// whose number format checkpoints and metrics.jsonl have always had. Only the forward declaration is included
// here; a .cpp that builds or reads values includes <nlohmann/json.hpp>.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace vkae::nn {

using Json = nlohmann::ordered_json;

// Parses exactly one JSON value (surrounding whitespace allowed). `what` names the input in errors:
// "runs/x/model.json: invalid JSON at byte 17: syntax error while parsing object - ...".
// Strict: no comments, no trailing commas, no NaN, no byte-order mark, no duplicate keys, nesting <= 256,
// numbers within double range, strings valid UTF-8.
Json parse_json(std::string_view text, std::string_view what);

// Compact JSON, keys in insertion order. nlohmann would print doubles as their shortest round trip ("3.0",
// "0.10000000149011612"); to keep checkpoints and metrics.jsonl byte-identical numbers are written as they
// always were: exact integers (|x| < 2^53) without exponent or point, values that are exactly a float with
// "%.9g" (round-trips the float), other doubles with the fewest of 15/17 digits that round-trip; NaN and
// infinities as null.
std::string to_json(const Json& value);

// "null", "a boolean", "a number", "a string", "an array", "an object".
const char* json_kind_name(const Json& value) noexcept;

// Typed access. `what` names the value in the error ("model.json: layers[2].kernel"); on a type mismatch
// these throw InputError "<what>: expected a number, found a string".
bool json_bool(const Json& value, std::string_view what = "JSON value");
double json_number(const Json& value, std::string_view what = "JSON value");
// A number that is an exact integer within [min, max]; otherwise InputError.
int64_t json_int(const Json& value, std::string_view what = "JSON value", int64_t min = INT64_MIN,
                 int64_t max = INT64_MAX);
const std::string& json_string(const Json& value, std::string_view what = "JSON value");
// The value itself, after checking it is an array / an object (iterate it, or index an array with [i]).
const Json& json_array(const Json& value, std::string_view what = "JSON value");
const Json& json_object(const Json& value, std::string_view what = "JSON value");

// Object lookup: json_find returns nullptr when the key is absent (or `object` is not an object); json_at
// throws InputError "<what>: missing key \"dtype\"".
const Json* json_find(const Json& object, std::string_view key);
const Json& json_at(const Json& object, std::string_view key, std::string_view what = "JSON object");

}  // namespace vkae::nn
