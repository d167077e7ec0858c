// Model specs: the built-ins parse and reconstruct their input; bad specs name the layer and the problem.
#include "nn/model/spec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vkae::nn {
namespace {

using ::testing::HasSubstr;

ModelSpec parse(const char* text) { return parse_model_spec(parse_json(text, "m.json"), "m.json"); }

TEST(ModelSpec, EveryBuiltinParsesAndRoundTripsThroughJson) {
  for (const std::string& name : builtin_model_names()) {
    const ModelSpec m = resolve_model(name);
    EXPECT_EQ(m.name, name);
    const ModelSpec again = parse_model_spec(model_spec_to_json(m), "roundtrip");
    EXPECT_EQ(to_json(model_spec_to_json(again)), to_json(model_spec_to_json(m))) << name;
  }
}

TEST(ModelSpec, DaeIsTheIssuesArchitecture) {
  const ModelSpec m = resolve_model("dae");
  ASSERT_EQ(m.encoder.size(), 4u);
  ASSERT_EQ(m.decoder.size(), 5u);
  EXPECT_TRUE(m.denoising);
  Shape3 s = m.input;
  for (const auto& l : m.encoder) s = layer_output_shape(l, s, "enc");
  EXPECT_EQ(s, (Shape3{32, 7, 7}));  // the latent
  EXPECT_EQ(m.decoder.back().activation, Activation::Sigmoid);
}

TEST(ModelSpec, KerasBlogConvModelHasA4x4x8Code) {
  const ModelSpec m = resolve_model("conv");
  Shape3 s = m.input;
  for (const auto& l : m.encoder) s = layer_output_shape(l, s, "enc");
  EXPECT_EQ(s, (Shape3{8, 4, 4}));
}

TEST(ModelSpec, BadSpecsNameTheLayerAndProblem) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"encoder":[{"type":"conv"}],"decoder":[]})", "m.json: encoder[0] (conv): unknown layer type \"conv\""},
      {R"({"encoder":[{"type":"conv2d","kernel":3}],"decoder":[{"type":"conv2d","filters":1}]})",
       "m.json: encoder[0] (conv2d): missing \"filters\""},
      {R"({"encoder":[{"type":"conv2d","filters":8,"kernel":0}],"decoder":[{"type":"conv2d","filters":1}]})",
       "m.json: encoder[0] (conv2d).kernel"},
      {R"({"encoder":[{"type":"conv2d","filters":8,"activation":"swish"}],"decoder":[{"type":"conv2d","filters":1}]})",
       "unknown activation \"swish\""},
      {R"({"encoder":[{"type":"dense","units":8}],"decoder":[{"type":"dense","units":784}]})",
       "m.json: encoder[0] (dense): dense needs a flat input, got [1, 28, 28] (add a flatten layer)"},
      {R"({"encoder":[{"type":"conv2d","filters":8}],"decoder":[{"type":"conv2d","filters":2}]})",
       "the decoder produces [2, 28, 28] but the input is [1, 28, 28]"},
      {R"({"encoder":[{"type":"conv2d","filters":8,"size":3}],"decoder":[{"type":"conv2d","filters":1}]})",
       "m.json: encoder[0] (conv2d): unknown key \"size\""},
      {R"({"encoder":[{"type":"flatten"}],"decoder":[{"type":"reshape","shape":[1,28,27]}]})",
       "m.json: decoder[0] (reshape): cannot reshape [784, 1, 1] (784 values) to [1, 28, 27]"},
      {R"({"encoder":[{"type":"maxpool2d","padding":"full"}],"decoder":[{"type":"upsample2d"}]})",
       "padding must be \"same\" or \"valid\", not \"full\""},
  };
  for (const auto& [text, message] : cases)
    EXPECT_THAT([&] { parse(text); }, ::testing::ThrowsMessage<InputError>(HasSubstr(message))) << text;
}

// Keras' model.summary() of the same architectures: dae 28,353 parameters, the blog's conv AE 4,385,
// dense 784-32-784 50,992.
TEST(ModelSpec, SummaryCountsMatchKeras) {
  EXPECT_THAT(model_summary(resolve_model("dae")), HasSubstr("total params: 28353 "));
  EXPECT_THAT(model_summary(resolve_model("conv")), HasSubstr("total params: 4385 "));
  EXPECT_THAT(model_summary(resolve_model("dense")), HasSubstr("total params: 50992 "));
  const std::string dae = model_summary(resolve_model("dae"));
  EXPECT_THAT(dae, HasSubstr("encoder.3 maxpool2d              [32, 7, 7]"));
  EXPECT_THAT(dae, HasSubstr("decoder.4 conv2d sigmoid         [1, 28, 28]               289"));
}

TEST(ModelSpec, UnknownModelNameListsTheBuiltins) {
  EXPECT_THAT([] { resolve_model("unet"); },
              ::testing::ThrowsMessage<InputError>(HasSubstr("--model unet: unknown model (built-ins: dae,")));
  EXPECT_THAT([] { resolve_model("/nonexistent/model.json"); },
              ::testing::ThrowsMessage<InputError>(HasSubstr("/nonexistent/model.json")));
}

}  // namespace
}  // namespace vkae::nn
