// Whole-file reads and crash-safe writes: a file is written under a temporary name in the target's directory,
// flushed to disk and renamed over the target, so readers see the old file or the new one, never half of one.
// Does not create missing directories; errors name the path and the OS reason.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vkae::nn {

// A file being written atomically. write() appends; commit() fsyncs and renames over the target. Destroying
// it without commit() (an exception on the way) removes the temporary file and leaves the target untouched.
// Every failure throws InputError "cannot write <path>: <reason>".
class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path path);
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  void write(std::span<const std::byte> bytes);
  void write(std::string_view text);
  void commit();

  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  [[noreturn]] void fail(int error_number);
  void discard() noexcept;

  std::filesystem::path path_;
  std::filesystem::path temp_path_;
  int fd_ = -1;
  bool committed_ = false;
};

void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes);
void write_file_atomically(const std::filesystem::path& path, std::string_view text);

// The whole file. InputError "cannot read <path>: <reason>" if it is missing, a directory or unreadable.
std::vector<std::byte> read_file(const std::filesystem::path& path);
// Its first max_bytes bytes (all of it when shorter): headers of files that may be large. Errors as
// read_file.
std::vector<std::byte> read_file_head(const std::filesystem::path& path, std::size_t max_bytes);
std::string read_text_file(const std::filesystem::path& path);

}  // namespace vkae::nn
