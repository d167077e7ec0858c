// TFRecord files, the framing of TensorBoard's event files: each record is its length (uint64 LE), the
// masked CRC-32C of those 8 bytes, the payload and the masked CRC-32C of the payload. A writer appending
// records to one file and a reader checking both CRCs of every record. What the payloads mean is not this
// file's business (nn/io/event_writer.hpp writes Event protos into them).
#pragma once
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace vkae::nn {

// A record file that cannot be written or read back: one line naming the file (and, reading, the record's
// index and what was wrong).
class TfRecordError : public Error {
 public:
  using Error::Error;
};

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), continuing from `crc` (0 for a fresh one).
uint32_t crc32c(std::span<const uint8_t> data, uint32_t crc = 0) noexcept;
uint32_t crc32c(std::string_view data, uint32_t crc = 0) noexcept;
// TFRecord's masking: a CRC stored next to data that itself holds CRCs must not look like one of them.
constexpr uint32_t masked_crc(uint32_t crc) noexcept {
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

// One record as it lies in the file: header, payload, footer.
std::string frame_record(std::string_view payload);

// Appends records to `path` (created if missing, never truncated). Nothing is buffered past what stdio
// holds until flush(). TfRecordError "cannot write <path>: <reason>".
class TfRecordWriter {
 public:
  explicit TfRecordWriter(std::filesystem::path path);
  void write(std::string_view payload);
  void flush();
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  struct Close {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
  };
  [[noreturn]] void fail(int error_number) const;

  std::filesystem::path path_;
  std::unique_ptr<std::FILE, Close> file_;
};

// Every record's payload, both CRCs checked. TfRecordError "<path>: record <i>: <what>" where what is
// "bad length CRC", "bad payload CRC" or "truncated (...)"; "cannot read <path>: <reason>".
std::vector<std::string> read_tfrecords(const std::filesystem::path& path);

}  // namespace vkae::nn
