// AtomicFile (temp file + fsync + rename) and whole-file reads, on POSIX file descriptors.
// The temporary is created with O_EXCL and mode 0666 so the final file gets the usual umask-derived mode.
#include "nn/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <random>

#include "base/error.hpp"

namespace vkae::nn {

namespace {

std::string os_reason(int error_number) {
  return std::strerror(error_number);
}

std::filesystem::path make_temp_name(const std::filesystem::path& path) {
  static std::atomic<unsigned> counter{0};
  static thread_local std::mt19937 random{std::random_device{}()};
  const std::string name = "." + path.filename().string() + ".tmp-" + std::to_string(getpid()) + "-" +
                           std::to_string(counter++) + "-" + std::to_string(random() % 1000000);
  return path.parent_path() / name;
}

// Flushes the directory entry of a rename. Best effort: some filesystems refuse fsync on directories.
void sync_directory(const std::filesystem::path& dir) noexcept {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path path) : path_(std::move(path)) {
  if (path_.filename().empty()) fail(EISDIR);
  for (int attempt = 0; attempt < 100; ++attempt) {
    temp_path_ = make_temp_name(path_);
    fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ >= 0) return;
    if (errno != EEXIST) break;
  }
  const int error_number = errno;
  temp_path_.clear();
  fail(error_number);
}

AtomicFile::~AtomicFile() {
  if (!committed_) discard();
}

void AtomicFile::discard() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
  temp_path_.clear();
}

void AtomicFile::fail(int error_number) {
  discard();
  throw InputError("cannot write " + path_.string() + ": " + os_reason(error_number));
}

void AtomicFile::write(std::span<const std::byte> bytes) {
  if (fd_ < 0) throw InputError("cannot write " + path_.string() + ": file already committed or failed");
  const std::byte* data = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t written = ::write(fd_, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      fail(errno);
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
}

void AtomicFile::write(std::string_view text) {
  write(std::as_bytes(std::span(text.data(), text.size())));
}

void AtomicFile::commit() {
  if (fd_ < 0) throw InputError("cannot write " + path_.string() + ": file already committed or failed");
  if (::fsync(fd_) != 0) fail(errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail(errno);
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) fail(errno);
  committed_ = true;
  temp_path_.clear();
  sync_directory(path_.parent_path());
}

void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes) {
  AtomicFile file(path);
  file.write(bytes);
  file.commit();
}

void write_file_atomically(const std::filesystem::path& path, std::string_view text) {
  AtomicFile file(path);
  file.write(text);
  file.commit();
}

namespace {

// The file's first `limit` bytes (all of it when shorter).
template <typename Container>
Container read_whole(const std::filesystem::path& path, std::size_t limit) {
  const auto fail = [&](int error_number) -> InputError {
    return InputError("cannot read " + path.string() + ": " + os_reason(error_number));
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw fail(errno);
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    const int error_number = errno;
    ::close(fd);
    throw fail(error_number);
  }
  if (S_ISDIR(info.st_mode)) {
    ::close(fd);
    throw fail(EISDIR);
  }
  Container out;
  // st_size is only a hint (pipes, /proc files report 0); read until EOF.
  // One byte of slack so the EOF read of a regular file does not force a reallocation.
  out.resize(std::min(info.st_size > 0 ? static_cast<std::size_t>(info.st_size) + 1 : 4096, limit));
  std::size_t used = 0;
  for (;;) {
    if (used == limit) break;
    if (used == out.size()) out.resize(std::min(out.size() * 2, limit));
    const ssize_t got = ::read(fd, out.data() + used, out.size() - used);
    if (got < 0) {
      if (errno == EINTR) continue;
      const int error_number = errno;
      ::close(fd);
      throw fail(error_number);
    }
    if (got == 0) break;
    used += static_cast<std::size_t>(got);
  }
  ::close(fd);
  out.resize(used);
  return out;
}

}  // namespace

std::vector<std::byte> read_file(const std::filesystem::path& path) {
  return read_whole<std::vector<std::byte>>(path, SIZE_MAX);
}

std::vector<std::byte> read_file_head(const std::filesystem::path& path, std::size_t max_bytes) {
  return read_whole<std::vector<std::byte>>(path, max_bytes);
}

std::string read_text_file(const std::filesystem::path& path) {
  return read_whole<std::string>(path, SIZE_MAX);
}

}  // namespace vkae::nn
