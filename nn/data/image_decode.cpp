// decode_images: workers (the calling thread among them) pull file indices from an atomic counter and write
// each result into that file's own slot, so the output is the same for any thread count; errors are kept
// per file and the first in file order is the one reported. Indices are handed out in ascending order, so
// after a stop the files processed are a prefix and that first error is the first of all.
#include "nn/data/image_decode.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

#include "base/error.hpp"
#include "nn/io/image.hpp"

namespace vkae::nn {

namespace {

using Clock = std::chrono::steady_clock;

// The caller's progress callback, at most every 100 ms.
class ProgressPacer {
 public:
  ProgressPacer(const std::function<void(uint64_t, uint64_t)>& report, uint64_t total)
      : report_(report), total_(total), last_(Clock::now()) {}
  void tick(uint64_t done) {
    if (!report_ || Clock::now() - last_ < std::chrono::milliseconds(100)) return;
    report_(done, total_);
    last_ = Clock::now();
  }
  void finish(uint64_t done) {
    if (report_) report_(done, total_);
  }

 private:
  const std::function<void(uint64_t, uint64_t)>& report_;
  uint64_t total_;
  Clock::time_point last_;
};

// Runs work(i) for i in [0, count) on `threads` threads, the caller being one and the only one to tick the
// pacer. Once `stop` is set no new index is handed out. An exception other than InputError (which work
// keeps per file) stops the run and is rethrown here after every thread has joined.
void for_each_index(std::size_t count, unsigned threads, std::atomic<bool>& stop,
                    const std::function<void(std::size_t)>& work, ProgressPacer* pacer) {
  std::atomic<std::size_t> next{0}, done{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  const auto run = [&](bool caller) {
    for (;;) {
      if (stop.load()) return;
      const std::size_t i = next.fetch_add(1);
      if (i >= count) return;
      try {
        work(i);
      } catch (...) {
        const std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        stop.store(true);
      }
      const std::size_t finished = done.fetch_add(1) + 1;
      if (caller && pacer) pacer->tick(finished);
    }
  };
  std::vector<std::thread> helpers;
  const unsigned wanted = static_cast<unsigned>(std::min<std::size_t>(threads, count));
  try {
    for (unsigned t = 1; t < wanted; ++t) helpers.emplace_back(run, false);
  } catch (...) {
    stop.store(true);  // could not start a thread: let the started ones end, then report it
    for (auto& helper : helpers) helper.join();
    throw;
  }
  run(true);
  for (auto& helper : helpers) helper.join();
  if (failure) std::rethrow_exception(failure);
  if (pacer) pacer->finish(done.load());
}

unsigned thread_count(unsigned requested) {
  if (requested > 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

// The deepest folder holding every file, for messages about the set: "my_photos/".
std::filesystem::path common_folder(std::span<const std::filesystem::path> files) {
  std::filesystem::path common = files.front().parent_path();
  for (const auto& file : files) {
    const std::filesystem::path parent = file.parent_path();
    std::filesystem::path shared;
    for (auto a = common.begin(), b = parent.begin(); a != common.end() && b != parent.end() && *a == *b;
         ++a, ++b)
      shared /= *a;
    common = shared;
  }
  return common;
}

std::string folder_text(const std::filesystem::path& folder) {
  std::string text = folder.empty() ? "." : folder.string();
  if (text.back() != '/') text += '/';
  return text;
}

std::string size_text(const Image& info) {
  return std::to_string(info.width) + "x" + std::to_string(info.height);
}

InputError nothing_readable(std::span<const std::filesystem::path> files, const std::string& first) {
  return InputError(folder_text(common_folder(files)) + ": none of the " + std::to_string(files.size()) +
                    " images could be read (the first: " + first + ")");
}

// The per-file state of both passes; a non-empty error marks the file bad.
struct FileSlots {
  std::vector<Image> infos;
  std::vector<std::string> errors;
};

struct Target {
  uint32_t channels = 0, height = 0, width = 0;
  bool resize = false;  // cover-and-centre-crop to width x height (a size was given)
};

// The first error in file order (after a run stopped early, the files processed are a prefix).
const std::string* first_error(const FileSlots& slots) {
  for (const auto& error : slots.errors)
    if (!error.empty()) return &error;
  return nullptr;
}

void read_infos(std::span<const std::filesystem::path> files, const DecodeOptions& options, unsigned threads,
                FileSlots& slots) {
  std::atomic<bool> stop{false};
  for_each_index(
      files.size(), threads, stop,
      [&](std::size_t i) {
        try {
          slots.infos[i] = read_image_info(files[i]);
        } catch (const InputError& e) {
          slots.errors[i] = e.what();
          if (!options.skip_bad) stop.store(true);
        }
      },
      nullptr);
  if (!options.skip_bad)
    if (const std::string* error = first_error(slots)) throw InputError(*error);
}

Target choose_target(std::span<const std::filesystem::path> files, const DecodeOptions& options,
                     const FileSlots& slots) {
  Target target;
  std::optional<std::size_t> first;
  bool colour = false;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!slots.errors[i].empty()) continue;
    colour = colour || slots.infos[i].channels == 3;
    if (!first) first = i;
  }
  if (!first) throw nothing_readable(files, *first_error(slots));
  target.channels = options.channels.value_or(colour ? 3 : 1);
  if (options.height || options.width) {
    target.height = options.height.value_or(*options.width);
    target.width = options.width.value_or(*options.height);
    target.resize = true;
    return target;
  }
  const Image& reference = slots.infos[*first];
  for (std::size_t i = *first + 1; i < files.size(); ++i) {
    const Image& info = slots.infos[i];
    if (!slots.errors[i].empty() || (info.width == reference.width && info.height == reference.height))
      continue;
    const std::filesystem::path folder = common_folder(files);
    throw InputError(folder_text(folder) + ": images differ in size (" +
                     files[*first].lexically_relative(folder).string() + " is " + size_text(reference) +
                     ", " + files[i].lexically_relative(folder).string() + " is " + size_text(info) +
                     "); pass --size H[xW]");
  }
  target.height = reference.height;
  target.width = reference.width;
  return target;
}

// One file into its slot of `planes`.
void decode_one(const std::filesystem::path& file, const Target& target, std::span<uint8_t> slot) {
  Image image = convert_channels(read_image(file), target.channels);
  if (target.resize) image = cover_and_center_crop(image, target.width, target.height);
  if (image.width != target.width || image.height != target.height) {
    throw InputError(file.string() + ": now " + size_text(image) + ", not the " +
                     std::to_string(target.width) + "x" + std::to_string(target.height) +
                     " its header said (changed while reading?)");
  }
  const std::vector<uint8_t> planes = to_planar(image);
  std::memcpy(slot.data(), planes.data(), slot.size());
}

void check_options(const DecodeOptions& options) {
  if (options.channels && *options.channels != 1 && *options.channels != 3)
    throw InputError("decode: " + std::to_string(*options.channels) + " channels, expected 1 or 3");
  if ((options.height && *options.height == 0) || (options.width && *options.width == 0))
    throw InputError("decode: the target size must be non-zero");
}

}  // namespace

DecodedImages decode_images(std::span<const std::filesystem::path> files, const DecodeOptions& options) {
  check_options(options);
  if (files.empty()) throw InputError("decode: no image files");
  const unsigned threads = thread_count(options.threads);
  FileSlots slots{std::vector<Image>(files.size()), std::vector<std::string>(files.size())};
  read_infos(files, options, threads, slots);
  const Target target = choose_target(files, options, slots);

  DecodedImages out;
  out.channels = target.channels;
  out.height = target.height;
  out.width = target.width;
  const std::size_t size = out.image_size();
  out.planes.resize(files.size() * size);
  std::atomic<bool> stop{false};
  ProgressPacer pacer(options.progress, files.size());
  for_each_index(
      files.size(), threads, stop,
      [&](std::size_t i) {
        if (!slots.errors[i].empty()) return;  // skipped in the header pass
        try {
          decode_one(files[i], target, std::span(out.planes).subspan(i * size, size));
        } catch (const InputError& e) {
          slots.errors[i] = e.what();
          if (!options.skip_bad) stop.store(true);
        }
      },
      &pacer);
  if (!options.skip_bad)
    if (const std::string* error = first_error(slots)) throw InputError(*error);

  // Compact the kept images to the front, in file order.
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!slots.errors[i].empty()) {
      out.skipped.push_back(std::move(slots.errors[i]));
      continue;
    }
    const std::size_t to = out.kept.size() * size;
    if (to != i * size) std::memmove(&out.planes[to], &out.planes[i * size], size);
    out.kept.push_back(static_cast<uint32_t>(i));
  }
  if (out.kept.empty()) throw nothing_readable(files, out.skipped.front());
  out.planes.resize(out.kept.size() * size);
  return out;
}

}  // namespace vkae::nn
