// TFRecord framing and event files: CRC-32C against the published vectors, a writer -> reader round trip,
// the reader's named errors for a corrupted length, a corrupted payload and a truncated file, and an
// EventWriter's file decoding to the events it was given.
#include "nn/io/tfrecord.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "nn/io/event_writer.hpp"
#include "tests/nn/io/event_files.hpp"
#include "tests/nn/io/test_files.hpp"

namespace vkae::nn {
namespace {

using ::testing::HasSubstr;
using testing::read_bytes;
using testing::TempDir;
using testing::write_bytes;

TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(crc32c(std::string_view("123456789")), 0xE3069283u);
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xff')), 0x62A8AB43u);  // RFC 3720 B.4
  EXPECT_EQ(crc32c(std::string_view("")), 0u);
  // Continuing a CRC over a second piece gives the CRC of the whole.
  EXPECT_EQ(crc32c(std::string_view("6789"), crc32c(std::string_view("12345"))), 0xE3069283u);
}

TEST(Crc32c, MaskRotatesAndOffsets) {
  EXPECT_EQ(masked_crc(0), 0xa282ead8u);
  EXPECT_EQ(masked_crc(0x00008000u), 0xa282ead8u + 1u);  // bit 15 rotates to bit 0
  EXPECT_EQ(masked_crc(1), 0xa282ead8u + (1u << 17));
}

TEST(TfRecord, FrameIsLengthCrcPayloadCrc) {
  const std::string r = frame_record("abc");
  ASSERT_EQ(r.size(), 3u + 16u);
  EXPECT_EQ(r.substr(0, 8), std::string("\x03\0\0\0\0\0\0\0", 8));
  EXPECT_EQ(r.substr(12, 3), "abc");
  const uint32_t crc = masked_crc(crc32c(std::string_view("abc")));
  EXPECT_EQ(static_cast<uint8_t>(r[15]), crc & 0xff);
  EXPECT_EQ(static_cast<uint8_t>(r[18]), crc >> 24);
}

TEST(TfRecord, WriterToReaderRoundTrip) {
  TempDir dir;
  const std::vector<std::string> payloads = {"", "one", std::string(100000, 'x'), std::string("a\0b", 3)};
  {
    TfRecordWriter writer(dir / "r.tfrecord");
    for (const auto& p : payloads) writer.write(p);
  }
  EXPECT_EQ(read_tfrecords(dir / "r.tfrecord"), payloads);
  {  // a second writer appends
    TfRecordWriter writer(dir / "r.tfrecord");
    writer.write("more");
  }
  EXPECT_EQ(read_tfrecords(dir / "r.tfrecord").back(), "more");
}

// Two records; `change` damages the file's bytes; the reader's message names the file, record and fault.
std::string read_error(const std::function<void(std::vector<uint8_t>&)>& change) {
  TempDir dir;
  const auto path = dir / "bad.tfrecord";
  {
    TfRecordWriter writer(path);
    writer.write("first");
    writer.write("second record");
  }
  std::vector<uint8_t> bytes = read_bytes(path);
  change(bytes);
  write_bytes(path, bytes);
  try {
    read_tfrecords(path);
  } catch (const TfRecordError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path.string()));
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(TfRecord, ReaderNamesEachKindOfDamage) {
  constexpr size_t second = 5 + 16;  // where the second record starts
  EXPECT_THAT(read_error([](auto& b) { b[second + 1] ^= 1; }),
              HasSubstr(": record 1 at byte 21: bad length CRC"));
  EXPECT_THAT(read_error([](auto& b) { b[second + 12 + 3] ^= 0x40; }),
              HasSubstr(": record 1 at byte 21: bad payload CRC"));
  EXPECT_THAT(read_error([](auto& b) { b[12] ^= 0x40; }), HasSubstr(": record 0 at byte 0: bad payload CRC"));
  EXPECT_THAT(
      read_error([](auto& b) { b.resize(b.size() - 2); }),
      HasSubstr(": record 1 at byte 21: truncated (a payload of 13 bytes and its CRC need 17, 15 left)"));
  EXPECT_THAT(read_error([](auto& b) { b.resize(second + 7); }),
              HasSubstr(": record 1 at byte 21: truncated (7 bytes left of a 12-byte header)"));
}

TEST(TfRecord, UnwritableFileIsNamed) {
  TempDir dir;
  try {
    TfRecordWriter writer(dir / "missing" / "r.tfrecord");
    FAIL() << "no error";
  } catch (const TfRecordError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot write " + (dir / "missing" / "r.tfrecord").string() + ": "));
  }
}

TEST(EventWriter, FileDecodesToTheEventsWritten) {
  TempDir dir;
  std::filesystem::path path;
  const std::vector<uint8_t> png = {0x89, 'P', 'N', 'G'};
  {
    EventWriter writer(dir / "train");
    path = writer.path();
    writer.add_scalar("batch_loss", 7, 0.25);
    writer.add_image("samples", 2, png, 10, 20, 3);
    writer.add_text("command_line", 0, "vkae train");
  }
  EXPECT_THAT(path.filename().string(),
              ::testing::MatchesRegex(R"(events\.out\.tfevents\.[0-9]+\..+\.[0-9]+\.0\.v2)"));
  EventWriter second(dir / "train");  // same second, same process: a new file beside the first
  EXPECT_NE(second.path(), path);
  const std::vector<tfevents::Event> events = testing::read_events(path);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].file_version(), "brain.Event:2");
  EXPECT_GT(events[0].wall_time(), 1.6e9);
  const auto& scalar = events[1].summary().value(0);
  EXPECT_EQ(events[1].step(), 7);
  EXPECT_EQ(scalar.tag(), "batch_loss");
  EXPECT_EQ(scalar.simple_value(), 0.25f);
  const auto& image = events[2].summary().value(0).image();
  EXPECT_EQ(image.height(), 10);
  EXPECT_EQ(image.width(), 20);
  EXPECT_EQ(image.colorspace(), 3);
  EXPECT_EQ(image.encoded_image_string(), std::string("\x89PNG"));
  const auto& text = events[3].summary().value(0);
  EXPECT_EQ(text.metadata().plugin_data().plugin_name(), "text");
  EXPECT_EQ(text.tensor().dtype(), 7);
  ASSERT_EQ(text.tensor().string_val_size(), 1);
  EXPECT_EQ(text.tensor().string_val(0), "vkae train");
}

// What stdio holds reaches the file once 2 s have passed since the last flush, at the next add.
TEST(EventWriter, FlushesAtTheFirstAddAfterTwoSeconds) {
  TempDir dir;
  EventWriter writer(dir.path());
  writer.add_scalar("a", 1, 1.0);
  EXPECT_EQ(read_tfrecords(writer.path()).size(), 1u) << "flushed before 2 s";
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  writer.add_scalar("a", 2, 2.0);
  EXPECT_EQ(read_tfrecords(writer.path()).size(), 3u);
}

TEST(EventWriter, AFolderThatCannotBeMadeIsNamed) {
  TempDir dir;
  write_bytes(dir / "file", {1});
  EXPECT_THROW(
      {
        try {
          EventWriter writer(dir / "file" / "train");
        } catch (const TfRecordError& e) {
          EXPECT_THAT(e.what(), HasSubstr("cannot create " + (dir / "file" / "train").string()));
          throw;
        }
      },
      TfRecordError);
}

}  // namespace
}  // namespace vkae::nn
