// The recorded programs of a run: the training step (gather -> noise -> forward -> loss -> backward ->
// finite check -> optimizer -> step end), recorded once and replayed; the validation pass over the whole test
// split, recorded once; and the preview (a few test images through the model with the prediction applied,
// copied into a host-visible buffer of its own, so it can run between training submits and be read whenever
// its fence has signalled).
#pragma once
#include <algorithm>
#include <memory>
#include <optional>
#include <span>

#include "nn/data/dataset.hpp"
#include "nn/model/model.hpp"
#include "nn/ops/finite_check.hpp"
#include "nn/step_state.hpp"
#include "nn/train/checkpoint.hpp"
#include "nn/train/defaults.hpp"
#include "nn/train/device_images.hpp"
#include "runtime/commands.hpp"

namespace vkae::nn {

struct ProgramOptions {
  uint32_t batch = kDefaultBatch;
  uint32_t train_count = 0;  // images in an epoch's permutation
  uint32_t ring_slots = 4096;
  uint32_t preview = 8;  // images in the preview
  bool training = true;  // false: record only the preview (a viewer on a trained model)
  bool step = true;      // false: no training step (evaluation needs validation and preview only)
  OptimizerSettings optimizer;
  // Data parallel (nn/parallel): `batch` is this rank's share of a global batch of `global_batch` images,
  // and the step is recorded as two halves around the host's sum of the gradients (`synced`).
  uint32_t global_batch = 0;  // 0: batch (one rank)
  bool synced = false;

  uint32_t step_batch() const noexcept { return global_batch ? global_batch : batch; }
};

class Programs {
 public:
  Programs(rt::Context& ctx, Model& model, const DeviceImages& train, const DeviceImages& test,
           const ProgramOptions& options);

  VkCommandBuffer step() const noexcept { return step_->get(); }
  // A synced step's halves: gradients() ends by copying the gradient arena and the loss into sync_values();
  // update() starts by copying them back (summed over the ranks and divided by their count), then updates.
  VkCommandBuffer gradients() const noexcept { return gradients_->get(); }
  VkCommandBuffer update() const noexcept { return update_->get(); }
  // Host-visible [gradient arena | loss | kSyncVoteWords]: what the ranks sum between the halves (the votes
  // are the host's: SyncedSteps's stop vote and rank 0's viewer controls).
  static constexpr uint32_t kSyncVoteWords = 4;
  std::span<float> sync_values() const noexcept {
    return {static_cast<float*>(sync_.mapped()), static_cast<std::size_t>(sync_.size() / 4)};
  }
  // The training step's commands, appended to any recording (what step() holds; vkae bench records them
  // again with a timestamp after each command).
  void record_step_commands(rt::Recorder& rec) const;
  VkCommandBuffer validation() const noexcept { return validation_->get(); }
  VkCommandBuffer preview() const noexcept { return preview_->get(); }

  rt::BufferView state() const noexcept { return state_.view(); }  // StepState of the training step
  rt::BufferView validation_state() const noexcept {
    return val_state_.view();
  }                                                                     // seed and noise of validation
  rt::BufferView permutation() const noexcept { return perm_.view(); }  // uint32 [train_count]
  const float* ring() const noexcept { return static_cast<const float*>(ring_.mapped()); }  // loss per step
  uint32_t ring_slots() const noexcept { return options_.ring_slots; }
  uint32_t validation_batch() const noexcept { return val_batch_; }
  uint32_t validation_batches() const noexcept { return val_batches_; }
  const float* validation_losses() const noexcept { return static_cast<const float*>(val_losses_.mapped()); }
  // After validation() finished: the mean of its per-batch losses (batches of equal size, so the mean over
  // every image). What the trainer reports as the validation loss and `vkae eval` as the test loss.
  double validation_mean() const noexcept;
  // The optimizer's state buffers (empty unless it records a step; none for plain SGD).
  OptimizerMoments moments() const;
  // The learning rate of each batch of the epoch, float [steps per epoch]: the step end reads the next
  // step's from it. Write it (with the permutation) while no step is in flight.
  rt::BufferView learning_rates() const noexcept { return lrs_.view(); }
  uint32_t learning_rate_count() const noexcept { return lr_count_; }
  // The finite check's record (nn/ops/finite_check.hpp), host-visible: read it with the loss ring.
  std::optional<BadStep> bad_step() const;

  // Which test images the preview shows and with what noise: set s is images [s * count, (s + 1) * count)
  // (wrapped into the test split), noised with the validation stream's first draw under `seed`. Writes mapped
  // memory: call only while no preview() submit is in flight.
  void set_preview(uint32_t sample_set, float noise, uint64_t seed);
  uint32_t preview_count() const noexcept { return options_.preview; }
  uint32_t preview_sets() const noexcept { return std::max(1u, test_.count / options_.preview); }

  // After preview() finished: rows of `preview_count()` images, each [pixels] in [0, 1].
  struct Preview {
    std::vector<float> noisy, output, clean;
  };
  Preview read_preview() const;

 private:
  void make_step_buffers(rt::Context& ctx);
  void record_step(rt::Context& ctx);
  void record_synced_step(rt::Context& ctx);
  // The step's two halves. Between them the gradient arena is complete and the parameters untouched: where a
  // data-parallel run sums the gradients over its ranks before every rank applies the same update.
  void record_gradients(rt::Recorder& rec) const;  // gather, input, forward, loss, backward
  void record_update(rt::Recorder& rec) const;     // Adam over the parameter arena, then the step's end
  void record_validation(rt::Context& ctx);
  void record_preview(rt::Context& ctx);
  // The batch's input from its target (noise, downscale or the same floats) and the loss value into `loss`.
  void record_input(rt::Recorder& rec, rt::BufferView target, uint32_t n, rt::BufferView state,
                    std::optional<uint32_t> validation_batch) const;
  void record_loss_value(rt::Recorder& rec, rt::BufferView loss, rt::BufferView target, uint32_t n) const;

  Model& model_;
  const DeviceImages& train_;
  const DeviceImages& test_;
  ProgramOptions options_;
  uint32_t val_batch_ = 0, val_batches_ = 0;
  VkDeviceSize align_ = 4;  // storage-buffer offset alignment
  uint32_t lr_count_ = 0;
  rt::Buffer state_, val_state_, perm_, ring_, val_losses_, loss_, scratch_, clean_, m_, v_, lrs_, health_;
  rt::Buffer rows_;  // a VAE's per-image loss terms: [reconstruction | KL], each block aligned
  rt::Buffer preview_state_, preview_out_;  // host-visible: StepState; [noisy | output | clean]
  rt::Buffer sync_;                         // host-visible, synced steps only: see sync_values()
  std::unique_ptr<rt::CommandList> step_, gradients_, update_, validation_, preview_;
};

}  // namespace vkae::nn
