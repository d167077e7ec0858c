// dev/variant_support.hpp's helpers.
#include "dev/variant_support.hpp"

#include <stdexcept>
#include <string>
#include <utility>

#include "dev/variants.hpp"
#include "nn/ops/conv2d_pack.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::dev {

uint32_t div_up(uint64_t a, uint64_t b) {
  return static_cast<uint32_t>((a + b - 1) / b);
}

rt::Pipeline make_pipeline(const char* name, std::vector<rt::Access> bindings, uint32_t push_size,
                           uint32_t local) {
  const shaders::Shader* shader = variants::find(name);
  if (!shader) throw std::runtime_error(std::string("dev variant '") + name + "' was not built");
  return rt::Pipeline(test::ctx().device(), {name, std::move(bindings), push_size, {local, 1, 1}}, *shader);
}

std::vector<float> repack_vec4(const std::vector<float>& w, const nn::Conv2dShape& s) {
  std::vector<float> out(nn::conv2d_packed_floats(s, nn::WeightPacking::Forward));
  nn::conv2d_pack_weights_ref<float>(out, w, s, nn::WeightPacking::Forward);
  return out;
}
std::vector<float> winograd_weights(const std::vector<float>& w, const nn::Conv2dShape& s) {
  const uint32_t pad = div_up(s.C_out, 8) * 8;
  const double G[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  std::vector<float> out(uint64_t{s.C_in} * 16 * pad, 0.0f);
  for (uint32_t co = 0; co < s.C_out; ++co)
    for (uint32_t ci = 0; ci < s.C_in; ++ci)
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) {
          double u = 0;
          for (int a = 0; a < 3; ++a)
            for (int c = 0; c < 3; ++c) u += G[i][a] * w[((co * s.C_in + ci) * 3 + a) * 3 + c] * G[j][c];
          out[(uint64_t{ci} * 16 + i * 4 + j) * pad + co] = static_cast<float>(u);
        }
  return out;
}

}  // namespace vkae::dev
