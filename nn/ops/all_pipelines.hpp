// Every pipeline description vkae's ops use, so one test can create them all and check that each embedded
// shader is described exactly once.
#pragma once
#include <span>

#include "runtime/pipeline.hpp"

namespace vkae::nn {

std::span<const rt::PipelineDesc* const> all_pipelines();

}  // namespace vkae::nn
