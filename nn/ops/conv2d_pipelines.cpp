// conv2d's pipeline descriptions: each shader, the access of each binding (the recorder derives barriers from
// it; Uniform: a uniform buffer), the push size, the local size and its family. Which one a shape takes is
// nn/ops/conv2d.cpp's choice.
#include "nn/ops/conv2d.hpp"
#include "shaders/conv_blocks.h"

namespace vkae::nn {

using rt::Access;

namespace {
constexpr uint32_t kLocal =
    VKAE_CONV_LOCAL;  // the default width; the device's comes from rt::Workgroups::conv
}  // namespace

const rt::PipelineDesc kConv2dForward{"conv2d_forward",
                                      {Access::Write, Access::Read, Access::Read, Access::Read},
                                      sizeof(ConvPush),
                                      {kLocal, 1, 1},
                                      rt::Family::Conv};
const rt::PipelineDesc kConv2dForwardRows{"conv2d_forward_rows",
                                          {Access::Write, Access::Read, Access::Read, Access::Read},
                                          sizeof(ConvPush),
                                          {kLocal, 1, 1},
                                          rt::Family::Conv};
const rt::PipelineDesc kConv2dForward1ch{"conv2d_forward_1ch",
                                         {Access::Write, Access::Read, Access::Read, Access::Read},
                                         sizeof(ConvPush),
                                         {kLocal, 1, 1},
                                         rt::Family::Conv};
const rt::PipelineDesc kConv2dForwardWide{"conv2d_forward_wide",
                                          {Access::Write, Access::Read, Access::Read, Access::Read},
                                          sizeof(ConvPush),
                                          {kLocal, 1, 1},
                                          rt::Family::Conv};
const rt::PipelineDesc kConv2dForwardUniform{"conv2d_forward_uniform",
                                             {Access::Write, Access::Read, Access::Uniform, Access::Read},
                                             sizeof(ConvPush),
                                             {kLocal, 1, 1},
                                             rt::Family::Conv};
const rt::PipelineDesc kConv2dForwardWideUniform{"conv2d_forward_wide_uniform",
                                                 {Access::Write, Access::Read, Access::Uniform, Access::Read},
                                                 sizeof(ConvPush),
                                                 {kLocal, 1, 1},
                                                 rt::Family::Conv};
const rt::PipelineDesc kConv2dBackwardInputUniform{"conv2d_backward_input_uniform",
                                                   {Access::ReadWrite, Access::Read, Access::Uniform},
                                                   sizeof(ConvPush),
                                                   {kLocal, 1, 1},
                                                   rt::Family::Conv};
const rt::PipelineDesc kConv2dBackwardInput{"conv2d_backward_input",
                                            {Access::ReadWrite, Access::Read, Access::Read},
                                            sizeof(ConvPush),
                                            {kLocal, 1, 1},
                                            rt::Family::Conv};
const rt::PipelineDesc kConv2dBackwardInput1ch{"conv2d_backward_input_1ch",
                                               {Access::ReadWrite, Access::Read, Access::Read},
                                               sizeof(ConvPush),
                                               {kLocal, 1, 1},
                                               rt::Family::Conv};
const rt::PipelineDesc kConv2dBackwardInput1chUniform{"conv2d_backward_input_1ch_uniform",
                                                      {Access::ReadWrite, Access::Read, Access::Uniform},
                                                      sizeof(ConvPush),
                                                      {kLocal, 1, 1},
                                                      rt::Family::Conv};
const rt::PipelineDesc kConv2dForward1chUniform{
    "conv2d_forward_1ch_uniform",
    {Access::Write, Access::Read, Access::Uniform, Access::Uniform},
    sizeof(ConvPush),
    {kLocal, 1, 1},
    rt::Family::Conv};
const rt::PipelineDesc kConv2dBackwardWeight{"conv2d_backward_weight",
                                             {Access::ReadWrite, Access::Read, Access::Read},
                                             sizeof(ConvPush),
                                             {kLocal, 1, 1},
                                             rt::Family::Conv};
const rt::PipelineDesc kConv2dBackwardWeight3x3{"conv2d_backward_weight_3x3",
                                                {Access::ReadWrite, Access::Read, Access::Read},
                                                sizeof(ConvPush),
                                                {kLocal, 1, 1},
                                                rt::Family::Conv};
const rt::PipelineDesc kConv2dBackwardWeight3x3Vec4{"conv2d_backward_weight_3x3_vec4",
                                                    {Access::ReadWrite, Access::Read, Access::Read},
                                                    sizeof(ConvPush),
                                                    {kLocal, 1, 1},
                                                    rt::Family::Conv};
const rt::PipelineDesc kConv2dBackwardBias{"conv2d_backward_bias",
                                           {Access::ReadWrite, Access::Read},
                                           sizeof(ChannelSumPush),
                                           {kLocal, 1, 1},
                                           rt::Family::Conv};

}  // namespace vkae::nn
