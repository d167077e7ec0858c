// Writes the fuzz targets' seed corpora with the project's own encoders, one folder per target under
// argv[1]: IDX (raw and gzip), safetensors, a real checkpoint's metadata, every built-in model's spec and
// tiny PNG/JPEG/BMP images. Nothing downloaded; the same bytes on every run.
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nn/data/idx.hpp"
#include "nn/io/atomic_file.hpp"
#include "nn/io/image.hpp"
#include "nn/io/json.hpp"
#include "nn/io/safetensors.hpp"
#include "nn/model/spec.hpp"
#include "nn/train/checkpoint.hpp"

namespace fs = std::filesystem;
using namespace vkae::nn;

namespace {

void put(const fs::path& path, const std::vector<std::byte>& bytes) {
  write_file_atomically(path, bytes);
}

void put_text(const fs::path& path, const std::string& text) {
  const auto* p = reinterpret_cast<const std::byte*>(text.data());
  put(path, std::vector<std::byte>(p, p + text.size()));
}

std::vector<std::byte> gzip(const std::vector<std::byte>& raw) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);  // 15 + 16: gzip wrapper
  std::vector<std::byte> out(deflateBound(&z, raw.size()) + 32);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(raw.data()));
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

void write_idx(const fs::path& dir) {
  const std::vector<std::vector<uint32_t>> shapes{{4}, {2, 3}, {3, 2, 2}, {1, 2, 2, 2}};
  int i = 0;
  for (const auto& dims : shapes) {
    IdxArray a{dims, {}};
    uint64_t n = 1;
    for (uint32_t d : dims) n *= d;
    for (uint64_t j = 0; j < n; ++j) a.data.push_back(static_cast<uint8_t>(j * 37));
    const std::vector<std::byte> raw = encode_idx(a);
    put(dir / ("raw" + std::to_string(i) + ".idx"), raw);
    put(dir / ("gz" + std::to_string(i) + ".idx.gz"), gzip(raw));
    ++i;
  }
}

std::map<std::string, std::string> checkpoint_metadata() {
  std::map<std::string, std::string> m{
      {"format", kCheckpointFormat},
      {"model", to_json(model_spec_to_json(resolve_model("dense")))},
      {"dataset", "mnist"},
      {"epoch", "2"},
      {"step", "20"},
      {"batch_in_epoch", "0"},
      {"seed", "1"},
      {"batch", "64"},
      {"lr", "0.001"},
      {"noise", "0"},
      {"limit", "0"},
      {"shuffle", "true"},
      {"holdout_class", "-1"},
  };
  m.merge(control_metadata(TrainControl{}, ControlState{}));
  return m;
}

void write_safetensors_seeds(const fs::path& st, const fs::path& ckpt) {
  const std::vector<NamedTensor> tensors{{"encoder.0.weight", {2, 3}, {1, 2, 3, 4, 5, 6}},
                                         {"encoder.0.bias", {2}, {0.5f, -0.5f}},
                                         {"scalar", {}, {7}}};
  put(st / "plain.safetensors", encode_safetensors(tensors, {}));
  put(st / "meta.safetensors", encode_safetensors(tensors, {{"format", "x"}, {"note", "seed"}}));
  put(st / "empty.safetensors", encode_safetensors({}, {}));
  put(ckpt / "mlp.safetensors", encode_safetensors(tensors, checkpoint_metadata()));
  std::map<std::string, std::string> folder = checkpoint_metadata();
  folder["dataset"] = "photos";
  folder["val_split"] = "0.1";
  folder["crop"] = "random";
  folder["skip_bad"] = "true";
  folder["holdout_class"] = "3";
  put(ckpt / "folder.safetensors", encode_safetensors(tensors, folder));
}

void write_images(const fs::path& dir) {
  for (uint32_t c : {1u, 3u}) {
    Image image{5, 4, c, {}};
    for (uint32_t i = 0; i < 5 * 4 * c; ++i) image.pixels.push_back(static_cast<uint8_t>(i * 11));
    for (const char* ext : {".png", ".jpg", ".bmp"})
      write_image(dir / ("c" + std::to_string(c) + ext), image);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_corpus OUT_DIR\n");
    return 2;
  }
  const fs::path out(argv[1]);
  for (const char* d : {"idx", "safetensors", "checkpoint", "spec", "image"}) fs::create_directories(out / d);
  write_idx(out / "idx");
  write_safetensors_seeds(out / "safetensors", out / "checkpoint");
  for (const std::string& name : builtin_model_names())
    put_text(out / "spec" / (name + ".json"), to_json(model_spec_to_json(resolve_model(name))));
  write_images(out / "image");
  std::printf("fuzz corpus written to %s\n", out.string().c_str());
  return 0;
}
