// Event records through the generated nn/io/tfevents.pb.h classes; the file name tf.summary uses.
#include "nn/io/event_writer.hpp"

#include <unistd.h>

#include <system_error>

#include "nn/io/tfevents.pb.h"

namespace vkae::nn {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kFlushEvery = std::chrono::seconds(2);
constexpr int kDtString = 7;  // tensorflow.DataType.DT_STRING

double wall_time() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

tfevents::Event make_event(int64_t step) {
  tfevents::Event event;
  event.set_wall_time(wall_time());
  event.set_step(step);
  return event;
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == 0) return "localhost";
  return buf;
}

std::filesystem::path prepared(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw TfRecordError("cannot create " + dir.string() + ": " + ec.message());
  return new_event_file_path(dir);
}

}  // namespace

std::filesystem::path new_event_file_path(const std::filesystem::path& dir) {
  const auto secs =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const std::string stem = "events.out.tfevents." + std::to_string(secs) + "." + host_name() + "." +
                           std::to_string(::getpid()) + ".";
  for (uint32_t n = 0;; ++n) {
    std::filesystem::path p = dir / (stem + std::to_string(n) + ".v2");
    if (!std::filesystem::exists(p)) return p;
  }
}

EventWriter::EventWriter(const std::filesystem::path& dir)
    : records_(prepared(dir)), last_flush_(Clock::now()) {
  tfevents::Event event = make_event(0);
  event.set_file_version(kEventFileVersion);
  records_.write(event.SerializeAsString());
  flush();  // the file is a valid event file from the start
}

EventWriter::~EventWriter() {
  try {
    records_.flush();
  } catch (const TfRecordError&) {  // nowhere to report it from a destructor
  }
}

void EventWriter::add_scalar(const std::string& tag, int64_t step, double value) {
  tfevents::Event event = make_event(step);
  tfevents::Summary::Value* v = event.mutable_summary()->add_value();
  v->set_tag(tag);
  v->set_simple_value(static_cast<float>(value));
  write_event(event.SerializeAsString());
}

void EventWriter::add_image(const std::string& tag, int64_t step, std::span<const uint8_t> png,
                            uint32_t height, uint32_t width, uint32_t channels) {
  tfevents::Event event = make_event(step);
  tfevents::Summary::Value* v = event.mutable_summary()->add_value();
  v->set_tag(tag);
  tfevents::Summary::Image* image = v->mutable_image();
  image->set_height(static_cast<int32_t>(height));
  image->set_width(static_cast<int32_t>(width));
  image->set_colorspace(static_cast<int32_t>(channels));
  image->set_encoded_image_string(png.data(), png.size());
  write_event(event.SerializeAsString());
}

void EventWriter::add_text(const std::string& tag, int64_t step, std::string_view text) {
  tfevents::Event event = make_event(step);
  tfevents::Summary::Value* v = event.mutable_summary()->add_value();
  v->set_tag(tag);
  v->mutable_metadata()->mutable_plugin_data()->set_plugin_name("text");
  tfevents::TensorProto* tensor = v->mutable_tensor();
  tensor->set_dtype(kDtString);
  tensor->mutable_tensor_shape();  // present and empty: a scalar, as tf.summary.text writes one string
  tensor->add_string_val(text.data(), text.size());
  write_event(event.SerializeAsString());
}

void EventWriter::flush() {
  records_.flush();
  last_flush_ = Clock::now();
}

void EventWriter::write_event(const std::string& event) {
  records_.write(event);
  if (Clock::now() - last_flush_ >= kFlushEvery) flush();
}

}  // namespace vkae::nn
