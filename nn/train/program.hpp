// The recorded programs of a run: the training step (gather -> noise -> forward -> loss -> backward -> Adam
// -> step end), recorded once and replayed; the validation pass over the whole test split, recorded once;
// and the preview (a few test images through the model with the prediction applied).
#pragma once
#include <memory>
#include <optional>

#include "nn/data/dataset.hpp"
#include "nn/model/model.hpp"
#include "nn/step_state.hpp"
#include "nn/train/checkpoint.hpp"
#include "runtime/commands.hpp"

namespace vkae::nn {

// A dataset's pixels resident on the device, packed 4 per word, plus an identity permutation.
struct DeviceImages {
  DeviceImages(rt::Context& ctx, const Dataset& data, uint32_t count);
  uint32_t count, pixels;
  rt::Buffer images;
  rt::Buffer identity;  // perm for validation / no-shuffle: 0..count-1
};

struct ProgramOptions {
  uint32_t batch = 128;
  uint32_t train_count = 0;   // images in an epoch's permutation
  uint32_t ring_slots = 4096;
  uint32_t preview = 8;       // images in the preview
};

class Programs {
 public:
  Programs(rt::Context& ctx, Model& model, const DeviceImages& train, const DeviceImages& test,
           const ProgramOptions& options);

  VkCommandBuffer step() const noexcept { return step_->get(); }
  // The training step's commands, appended to any recording (what step() holds; vkae bench records them
  // again with a timestamp after each command).
  void record_step_commands(rt::Recorder& rec) const;
  VkCommandBuffer validation() const noexcept { return validation_->get(); }
  VkCommandBuffer preview() const noexcept { return preview_->get(); }

  rt::BufferView state() const noexcept { return state_.view(); }          // StepState of the training step
  rt::BufferView validation_state() const noexcept { return val_state_.view(); }  // seed and noise of validation
  rt::BufferView permutation() const noexcept { return perm_.view(); }     // uint32 [train_count]
  const float* ring() const noexcept { return static_cast<const float*>(ring_.mapped()); }  // loss per step
  uint32_t ring_slots() const noexcept { return options_.ring_slots; }
  uint32_t validation_batch() const noexcept { return val_batch_; }
  uint32_t validation_batches() const noexcept { return val_batches_; }
  const float* validation_losses() const noexcept { return static_cast<const float*>(val_losses_.mapped()); }
  AdamMoments moments() const noexcept { return {m_.view(), v_.view()}; }

  // After preview() ran: rows of `preview` images, each [pixels] in [0, 1].
  struct Preview {
    std::vector<float> noisy, output, clean;
  };
  Preview read_preview(rt::Context& ctx) const;

 private:
  void record_step(rt::Context& ctx);
  void record_validation(rt::Context& ctx);
  void record_preview(rt::Context& ctx);

  Model& model_;
  const DeviceImages& train_;
  const DeviceImages& test_;
  ProgramOptions options_;
  uint32_t val_batch_ = 0, val_batches_ = 0;
  rt::Buffer state_, val_state_, perm_, ring_, val_losses_, loss_, scratch_, clean_, m_, v_;
  std::unique_ptr<rt::CommandList> step_, validation_, preview_;
};

}  // namespace vkae::nn
