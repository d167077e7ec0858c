// The decode cache's key, its file format and the lookup around decode_images.
// A .vkd file: a 64-byte header (magic, version, geometry, the key, the section sizes), the kept indices
// (u32 each), the skipped messages (u32 length + bytes each), the planes, and a trailing XXH64 of the planes
// seeded with the XXH64 of everything before them. Native byte order: the cache belongs to one machine.
#include "nn/data/decode_cache.hpp"

#include <sys/mman.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <vector>

#include "base/error.hpp"
#include "nn/io/atomic_file.hpp"
#include "nn/io/digest.hpp"
#include "nn/io/image.hpp"

namespace vkae::nn {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kMagic[8] = {'v', 'k', 'a', 'e', 'd', 'e', 'c', '\0'};

struct FileHeader {
  char magic[8];
  uint32_t version;
  uint32_t channels, height, width;
  uint64_t key[2];
  uint64_t kept_count, skipped_count, skipped_bytes;
};
static_assert(sizeof(FileHeader) == 64, "the header has no padding");

// Bytes appended in native order: the key material and the cache file's meta section.
class ByteSink {
 public:
  template <typename T>
  void put(const T& value) {
    const auto* p = reinterpret_cast<const std::byte*>(&value);
    bytes_.insert(bytes_.end(), p, p + sizeof(T));
  }
  void put_text(const std::string& text) {
    put(static_cast<uint32_t>(text.size()));
    const auto* p = reinterpret_cast<const std::byte*>(text.data());
    bytes_.insert(bytes_.end(), p, p + text.size());
  }
  const std::vector<std::byte>& bytes() const noexcept { return bytes_; }

 private:
  std::vector<std::byte> bytes_;
};

uint64_t checksum(std::span<const std::byte> meta, std::span<const uint8_t> planes) {
  return xxh64(std::as_bytes(planes), xxh64(meta));
}

// `size` zero bytes that the kernel may back with 2 MiB pages. Reading a 59 MiB tensor into 4 KiB pages takes
// ~15000 page faults, which were most of a cache hit's time on the (virtual) development machine: 0.45 s,
// against 0.03-0.2 s with huge pages. Only a hint: without transparent huge pages nothing changes.
std::vector<uint8_t> huge_page_buffer(size_t size) {
  std::vector<uint8_t> buffer;
  buffer.reserve(size);
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(buffer.data()) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(buffer.data()) + size) & ~(kHuge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  buffer.resize(size);
  return buffer;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void put_file_identity(ByteSink& key, const fs::path& file) {
  key.put_text(file.string());
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) {
    key.put(~uint64_t{0});
    key.put(static_cast<int64_t>(errno));
    return;
  }
  for (const int64_t v : {int64_t{info.st_size}, int64_t{info.st_mtim.tv_sec}, int64_t{info.st_mtim.tv_nsec},
                          int64_t{info.st_ctim.tv_sec}, int64_t{info.st_ctim.tv_nsec}})
    key.put(v);
  key.put(static_cast<uint64_t>(info.st_ino));
}

// The header and meta section of a cache file, checked against what the caller expects.
struct Meta {
  FileHeader header{};
  std::vector<std::byte> bytes;  // the header and the meta section as stored (the checksum's seed input)
};

bool header_fits(const FileHeader& h, const DecodeCacheKey& key, uint64_t file_count, uint64_t file_size) {
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0 || h.version != kDecodeCacheVersion) return false;
  if (h.key[0] != key.digest[0] || h.key[1] != key.digest[1]) return false;
  if ((h.channels != 1 && h.channels != 3) || h.height == 0 || h.width == 0) return false;
  if (uint64_t{h.height} * h.width > kMaxImagePixels) return false;
  if (h.kept_count == 0 || h.kept_count > file_count || h.kept_count + h.skipped_count != file_count)
    return false;
  if (h.skipped_bytes > file_size) return false;
  const uint64_t planes = h.kept_count * h.channels * h.height * h.width;
  return file_size == sizeof(FileHeader) + 4 * h.kept_count + h.skipped_bytes + planes + sizeof(uint64_t);
}

// The kept indices and skipped messages from the meta section; false when they do not parse exactly.
bool parse_meta(const Meta& meta, uint64_t file_count, DecodedImages& out) {
  const std::byte* p = meta.bytes.data() + sizeof(FileHeader);
  const std::byte* const end = meta.bytes.data() + meta.bytes.size();
  out.kept.resize(meta.header.kept_count);
  std::memcpy(out.kept.data(), p, out.kept.size() * sizeof(uint32_t));
  p += out.kept.size() * sizeof(uint32_t);
  for (size_t i = 0; i < out.kept.size(); ++i)
    if (out.kept[i] >= file_count || (i > 0 && out.kept[i] <= out.kept[i - 1])) return false;
  for (uint64_t i = 0; i < meta.header.skipped_count; ++i) {
    uint32_t length;
    if (end - p < 4) return false;
    std::memcpy(&length, p, 4);
    p += 4;
    if (static_cast<uint64_t>(end - p) < length) return false;
    out.skipped.emplace_back(reinterpret_cast<const char*>(p), length);
    p += length;
  }
  return p == end;
}

}  // namespace

std::string DecodeCacheKey::hex() const {
  char text[33];
  std::snprintf(text, sizeof text, "%016llx%016llx", static_cast<unsigned long long>(digest[0]),
                static_cast<unsigned long long>(digest[1]));
  return text;
}

DecodeCacheKey decode_cache_key(std::span<const fs::path> files, const DecodeOptions& options) {
  ByteSink key;
  key.put_text("vkae decode cache");
  key.put(kDecodeCacheVersion);
  std::error_code error;
  const bool relative =
      std::any_of(files.begin(), files.end(), [](const fs::path& f) { return f.is_relative(); });
  key.put_text(relative ? fs::current_path(error).string() : "");  // what relative paths are relative to
  key.put(static_cast<uint64_t>(files.size()));
  for (const fs::path& file : files) put_file_identity(key, file);
  for (const uint32_t v : {options.channels.value_or(0), options.height.value_or(0),
                           options.width.value_or(0), uint32_t{options.skip_bad}})
    key.put(v);
  return {{xxh64(key.bytes()), fnv1a64(key.bytes())}};
}

std::optional<fs::path> default_decode_cache_dir() {
  if (const char* off = std::getenv("VKAE_NO_DECODE_CACHE"); off && *off && std::strcmp(off, "0") != 0)
    return std::nullopt;
  try {
    return dataset_cache_dir("decoded");
  } catch (const InputError&) {
    return std::nullopt;  // neither XDG_CACHE_HOME nor HOME: no per-user cache, decode every time
  }
}

std::optional<fs::path> decode_cache_dir(const DataSearch& search) {
  return search.decode_cache ? search.decode_cache : default_decode_cache_dir();
}

fs::path decode_cache_file(const fs::path& dir, const DecodeCacheKey& key) {
  return dir / (key.hex() + ".vkd");
}

std::optional<DecodedImages> read_decode_cache(const fs::path& file, const DecodeCacheKey& key,
                                               uint64_t file_count) {
  std::ifstream in(file, std::ios::binary);
  std::error_code error;
  const uint64_t file_size = fs::file_size(file, error);
  Meta meta;
  if (!in || error || !in.read(reinterpret_cast<char*>(&meta.header), sizeof meta.header))
    return std::nullopt;
  if (!header_fits(meta.header, key, file_count, file_size)) return std::nullopt;
  const FileHeader& h = meta.header;
  meta.bytes.resize(sizeof(FileHeader) + 4 * h.kept_count + h.skipped_bytes);
  std::memcpy(meta.bytes.data(), &h, sizeof h);
  if (!in.read(reinterpret_cast<char*>(meta.bytes.data()) + sizeof h,
               static_cast<std::streamsize>(meta.bytes.size() - sizeof h)))
    return std::nullopt;
  DecodedImages out;
  out.channels = h.channels;
  out.height = h.height;
  out.width = h.width;
  if (!parse_meta(meta, file_count, out)) return std::nullopt;
  out.planes = huge_page_buffer(h.kept_count * out.image_size());
  uint64_t stored = 0;
  if (!in.read(reinterpret_cast<char*>(out.planes.data()), static_cast<std::streamsize>(out.planes.size())) ||
      !in.read(reinterpret_cast<char*>(&stored), sizeof stored))
    return std::nullopt;
  if (stored != checksum(meta.bytes, out.planes)) return std::nullopt;
  return out;
}

void write_decode_cache(const fs::path& file, const DecodeCacheKey& key, const DecodedImages& images) {
  std::error_code error;
  fs::create_directories(file.parent_path(), error);
  if (error) throw InputError("cannot create " + file.parent_path().string() + ": " + error.message());
  ByteSink meta;
  FileHeader h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kDecodeCacheVersion;
  h.channels = images.channels;
  h.height = images.height;
  h.width = images.width;
  h.key[0] = key.digest[0];
  h.key[1] = key.digest[1];
  h.kept_count = images.kept.size();
  h.skipped_count = images.skipped.size();
  for (const std::string& s : images.skipped) h.skipped_bytes += sizeof(uint32_t) + s.size();
  meta.put(h);
  for (const uint32_t index : images.kept) meta.put(index);
  for (const std::string& s : images.skipped) meta.put_text(s);
  const uint64_t sum = checksum(meta.bytes(), images.planes);
  AtomicFile out(file);
  out.write(meta.bytes());
  out.write(std::as_bytes(std::span(images.planes)));
  out.write(std::as_bytes(std::span(&sum, 1)));
  out.commit();
}

void prune_decode_cache(const fs::path& dir, const fs::path& keep) {
  struct Entry {
    fs::path path;
    fs::file_time_type used;
    uint64_t bytes;
  };
  std::vector<Entry> entries;
  std::error_code error;
  const auto now = fs::file_time_type::clock::now();
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    const fs::path& path = it->path();
    std::error_code ignored;
    const auto used = fs::last_write_time(path, ignored);
    if (ignored) continue;
    const std::string name = path.filename().string();
    if (name.starts_with(".") && name.find(".vkd.tmp-") != std::string::npos &&
        now - used > std::chrono::hours(1))
      fs::remove(path, ignored);  // a write that died before its rename
    else if (path.extension() == ".vkd" && path != keep)
      entries.push_back({path, used, fs::file_size(path, ignored)});
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.used > b.used; });
  uint64_t total = fs::file_size(keep, error);
  size_t kept = 1;
  for (const Entry& e : entries) {
    if (kept < kDecodeCacheKeepFiles && total + e.bytes <= kDecodeCacheKeepBytes) {
      ++kept;
      total += e.bytes;
      continue;
    }
    std::error_code ignored;
    fs::remove(e.path, ignored);
  }
}

DecodeSource& DecodeSource::operator+=(const DecodeSource& other) noexcept {
  decoded_files += other.decoded_files;
  cached_files += other.cached_files;
  decode_seconds += other.decode_seconds;
  cache_seconds += other.cache_seconds;
  return *this;
}

std::string DecodeSource::note_text() const {
  char text[128];
  if (decoded_files == 0 && cached_files == 0) return "";  // nothing could be read (--skip-bad)
  if (decoded_files == 0)
    std::snprintf(text, sizeof text, ", from the decode cache in %.2f s", cache_seconds);
  else
    std::snprintf(text, sizeof text, ", decoded in %.2f s (%.0f images/s)%s", decode_seconds,
                  decode_seconds > 0 ? static_cast<double>(decoded_files) / decode_seconds : 0.0,
                  cached_files ? ", the rest from the decode cache" : "");
  return text;
}

CachedDecode decode_images_cached(std::span<const fs::path> files, const DecodeOptions& options,
                                  const std::optional<fs::path>& dir,
                                  const std::function<void(const std::string&)>& on_note) {
  CachedDecode result;
  Clock::time_point start = Clock::now();
  std::optional<DecodeCacheKey> key;
  if (dir && !files.empty()) {
    key = decode_cache_key(files, options);
    if (auto hit = read_decode_cache(decode_cache_file(*dir, *key), *key, files.size())) {
      std::error_code ignored;  // the most recently used file is the last to be pruned
      fs::last_write_time(decode_cache_file(*dir, *key), fs::file_time_type::clock::now(), ignored);
      result.images = std::move(*hit);
      result.source.cached_files = files.size();
      result.source.cache_seconds = seconds_since(start);
      return result;
    }
  }
  result.source.cache_seconds = seconds_since(start);
  start = Clock::now();
  result.images = decode_images(files, options);
  result.source.decoded_files = files.size();
  result.source.decode_seconds = seconds_since(start);
  if (!key) return result;
  start = Clock::now();
  try {
    write_decode_cache(decode_cache_file(*dir, *key), *key, result.images);
    prune_decode_cache(*dir, decode_cache_file(*dir, *key));
  } catch (const InputError& e) {
    if (on_note) on_note(std::string("decode cache: ") + e.what() + " (the next run decodes again)");
  }
  result.source.cache_seconds += seconds_since(start);
  return result;
}

}  // namespace vkae::nn
