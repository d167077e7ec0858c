// EventWriter: one TensorBoard event file (events.out.tfevents.<secs>.<host>.<pid>.<n>.v2) in a folder,
// as tf.summary's writer makes it: the "brain.Event:2" record first, then one Event per scalar, image or
// text. Flushed at least every 2 seconds (checked on each add) and on destruction, so a live TensorBoard
// follows a run. Which tags a training run writes is nn/train/tensorboard_hook.cpp's.
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "nn/io/tfrecord.hpp"

namespace vkae::nn {

inline constexpr const char* kEventFileVersion = "brain.Event:2";

class EventWriter {
 public:
  // Creates `dir` if missing and a new file in it (never an existing one: a resumed run adds a file, and
  // TensorBoard merges a folder's files). TfRecordError naming the file on any I/O failure.
  explicit EventWriter(const std::filesystem::path& dir);
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;
  ~EventWriter();  // flushes; a failure here is lost (the last add's or flush()'s would have thrown)

  void add_scalar(const std::string& tag, int64_t step, double value);
  // `png`: a PNG file's bytes of `height` x `width` with `channels` 1 grey, 3 RGB or 4 RGBA.
  void add_image(const std::string& tag, int64_t step, std::span<const uint8_t> png, uint32_t height,
                 uint32_t width, uint32_t channels);
  // For TensorBoard's text plugin (which renders it as Markdown): a scalar DT_STRING tensor.
  void add_text(const std::string& tag, int64_t step, std::string_view text);
  void flush();

  const std::filesystem::path& path() const noexcept { return records_.path(); }

 private:
  void write_event(const std::string& event);  // a serialized Event; flushes when 2 s have passed

  TfRecordWriter records_;
  std::chrono::steady_clock::time_point last_flush_;
};

// events.out.tfevents.<secs>.<host>.<pid>.<n>.v2 in `dir` with the lowest n >= 0 not taken yet.
std::filesystem::path new_event_file_path(const std::filesystem::path& dir);

}  // namespace vkae::nn
