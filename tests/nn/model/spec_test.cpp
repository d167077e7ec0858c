// Model specs: the built-ins parse and reconstruct their input; bad specs name the layer and the problem.
#include "nn/model/spec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace vkae::nn {
namespace {

using ::testing::HasSubstr;

ModelSpec parse(const char* text) {
  return parse_model_spec(parse_json(text, "m.json"), "m.json");
}

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
      {R"({"encoder":[{"type":"conv"}],"decoder":[]})",
       "m.json: encoder[0] (conv): unknown layer type \"conv\""},
      {R"({"encoder":[{"type":"conv2d","kernel":3}],"decoder":[{"type":"conv2d","filters":1}]})",
       "m.json: encoder[0] (conv2d): missing \"filters\""},
      {R"({"encoder":[{"type":"conv2d","filters":8,"kernel":0}],"decoder":[{"type":"conv2d","filters":1}]})",
       "m.json: encoder[0] (conv2d).kernel"},
      {R"({"encoder":[{"type":"conv2d","filters":8,"activation":"swish"}],"decoder":[{"type":"conv2d","filters":1}]})",
       "unknown activation \"swish\""},
      {R"({"encoder":[{"type":"conv2d","filters":8,"activation":"leaky_relu","alpha":-0.1}],
           "decoder":[{"type":"conv2d","filters":1}]})",
       "m.json: encoder[0] (conv2d): alpha must be >= 0"},
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
      {R"({"encoder":[{"type":"sampling","units":2}],"decoder":[{"type":"dense","units":784}]})",
       "m.json: encoder[0] (sampling): sampling needs a flat input, got [1, 28, 28] (add a flatten layer)"},
      {R"({"encoder":[{"type":"flatten"},{"type":"sampling"}],"decoder":[{"type":"dense","units":784}]})",
       "m.json: encoder[1] (sampling): missing \"units\""},
      {R"({"encoder":[{"type":"flatten"},{"type":"sampling","units":2},{"type":"dense","units":4}],
           "decoder":[{"type":"dense","units":784},{"type":"reshape","shape":[1,28,28]}]})",
       "m.json: encoder[1] (sampling): the sampling layer must be the encoder's last layer"},
      {R"({"encoder":[{"type":"flatten"},{"type":"dense","units":4}],
           "decoder":[{"type":"sampling","units":2},{"type":"dense","units":784},{"type":"reshape","shape":[1,28,28]}]})",
       "m.json: decoder[0] (sampling): the sampling layer belongs at the end of the encoder"},
      {R"({"encoder":[{"type":"flatten"},{"type":"sampling","units":2,"activation":"relu"}],"decoder":[]})",
       "m.json: encoder[1] (sampling): this layer takes no activation"},
      {R"({"reduction":"max","encoder":[{"type":"conv2d","filters":1}],"decoder":[{"type":"conv2d","filters":1}]})",
       "m.json: reduction must be \"mean\" or \"sum\", not \"max\""},
      {R"({"input":[1,14,14],"super_resolution":true,"encoder":[{"type":"conv2d","filters":4}],
           "decoder":[{"type":"conv2d","filters":1}]})",
       "the decoder produces [1, 14, 14] but the input is [1, 14, 14]; super-resolution must produce twice "
       "the "
       "input's height and width [1, 28, 28]"},
      {R"({"super_resolution":true,"denoising":true,"encoder":[{"type":"conv2d","filters":1}],
           "decoder":[{"type":"upsample2d"}]})",
       "m.json: a model is either denoising or super_resolution, not both"},
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

// The VAE as Keras counts it: Dense(512) 401,920 + z_mean and z_log_var 1,026 each + Dense(512) 1,536 +
// Dense(784) 402,192 = 807,700. The super-resolution model maps 14x14 to 28x28.
TEST(ModelSpec, VaeAndSuperResolutionShapes) {
  const ModelSpec vae = resolve_model("vae");
  EXPECT_EQ(vae.sampling_layer(), 2);
  EXPECT_EQ(vae.reduction, Reduction::Sum);
  EXPECT_EQ(loss_label(vae), "BCE + KL per image");
  const std::string v = model_summary(vae);
  EXPECT_THAT(v, HasSubstr("total params: 807700 "));
  EXPECT_THAT(v, HasSubstr("encoder.2 sampling               [2, 1, 1]                2052"));
  ModelSpec wide = vae;
  set_latent_size(wide, 16);
  EXPECT_THAT(model_summary(wide), HasSubstr("encoder.2 sampling               [16, 1, 1]"));
  EXPECT_EQ(layer_params(wide.encoder[2], Shape3{512, 1, 1}).total(), 2u * (16 * 512 + 16));
  ModelSpec dense = resolve_model("dense");
  EXPECT_THAT([&] { set_latent_size(dense, 4); },
              ::testing::ThrowsMessage<InputError>(HasSubstr("--latent: model dense has no sampling layer")));
  // A checkpoint's spec survives the JSON round trip with the new fields.
  const ModelSpec back = parse_model_spec(model_spec_to_json(wide), "back");
  EXPECT_EQ(back.encoder[2].units, 16u);
  EXPECT_EQ(back.reduction, Reduction::Sum);

  const ModelSpec sr = resolve_model("sr");
  EXPECT_TRUE(sr.super_resolution);
  EXPECT_EQ(sr.input, (Shape3{1, 14, 14}));
  EXPECT_EQ(sr.output(), (Shape3{1, 28, 28}));
  EXPECT_THAT(model_summary(sr), HasSubstr("total params: 14337 "));
  EXPECT_TRUE(parse_model_spec(model_spec_to_json(sr), "back").super_resolution);
}

TEST(ModelSpec, UnknownModelNameListsTheBuiltins) {
  EXPECT_THAT([] { resolve_model("unet"); }, ::testing::ThrowsMessage<InputError>(
                                                 HasSubstr("--model unet: unknown model (built-ins: dae,")));
  EXPECT_THAT([] { resolve_model("/nonexistent/model.json"); },
              ::testing::ThrowsMessage<InputError>(HasSubstr("/nonexistent/model.json")));
}

}  // namespace
}  // namespace vkae::nn
