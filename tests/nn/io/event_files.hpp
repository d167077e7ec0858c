// Test helper: a folder's TensorBoard event files, each read back through nn::read_tfrecords (every CRC
// checked) and decoded with the generated protobuf classes. Shared by the event writer and training tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "nn/io/tfevents.pb.h"
#include "nn/io/tfrecord.hpp"

namespace vkae::nn::testing {

// The event files (events.out.tfevents.*) directly in `dir`, sorted by name; none when it is missing.
inline std::vector<std::filesystem::path> event_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  if (!std::filesystem::is_directory(dir)) return files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().filename().string().rfind("events.out.tfevents.", 0) == 0) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Every record of the file as an Event; a record that does not parse fails the test.
inline std::vector<tfevents::Event> read_events(const std::filesystem::path& file) {
  std::vector<tfevents::Event> events;
  for (const std::string& record : read_tfrecords(file)) {
    tfevents::Event event;
    EXPECT_TRUE(event.ParseFromString(record)) << file << ": record " << events.size() << " is not an Event";
    events.push_back(std::move(event));
  }
  return events;
}

// One summary value with its event's step, for looking values up by tag.
struct TaggedValue {
  int64_t step = 0;
  tfevents::Summary::Value value;
};

inline std::vector<TaggedValue> values_tagged(const std::vector<tfevents::Event>& events,
                                              const std::string& tag) {
  std::vector<TaggedValue> out;
  for (const tfevents::Event& e : events)
    if (e.has_summary())
      for (const tfevents::Summary::Value& v : e.summary().value())
        if (v.tag() == tag) out.push_back({e.step(), v});
  return out;
}

}  // namespace vkae::nn::testing
