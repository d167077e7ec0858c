// libFuzzer target: a model spec's JSON text through parse_json and parse_model_spec (what --model x.json
// reads), then the shape inference and summary a parsed spec goes on to. InputError is the expected answer.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "base/error.hpp"
#include "nn/io/json.hpp"
#include "nn/model/spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const vkae::nn::ModelSpec spec = vkae::nn::parse_model_spec(vkae::nn::parse_json(text, "fuzz"), "fuzz");
    (void)vkae::nn::model_summary(spec);
    (void)vkae::nn::model_spec_to_json(spec);
  } catch (const vkae::InputError&) {
  }
  return 0;
}
