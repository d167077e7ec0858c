// End-to-end viewer tests: the real `vkae` binary under Xvfb on the Vulkan device with validation on. The
// screenshot runs check the PNG (size, not blank, the three image panels differ; a VAE's or an anomaly run's
// analysis panels are there and not blank); the no-display runs check
// the one-line error and that training without --viewer never needs a display. A missing xvfb-run fails.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "nn/io/png.hpp"

namespace {

namespace fs = std::filesystem;

#ifndef VKAE_BINARY
#error "VKAE_BINARY must name the vkae binary (tests/CMakeLists.txt)"
#endif

struct CommandRun {
  int rc = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path temp_dir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("vkae-viewer-test-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Runs `command` through the shell with stdout and stderr captured.
CommandRun run(const std::string& command, const fs::path& dir) {
  const fs::path out = dir / "stdout.txt", err = dir / "stderr.txt";
  const int status = std::system((command + " > '" + out.string() + "' 2> '" + err.string() + "'").c_str());
  CommandRun r;
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

std::string xvfb(const std::string& args) {
  return std::string("VKAE_VALIDATION=1 VKAE_VIEWER_GEOMETRY=1 xvfb-run -a -s '-screen 0 1280x800x24' ") +
         VKAE_BINARY + " " + args;
}

bool has_xvfb_run() {
  return std::system("command -v xvfb-run > /dev/null 2>&1") == 0;
}

struct Region {
  long x, y, w, h;
};

// "viewer: panel NAME x y w h" lines, in the order noisy, reconstruction, clean.
std::vector<Region> panels(const std::string& out) {
  std::vector<Region> r;
  const std::regex line(R"(viewer: panel (\w+) (\d+) (\d+) (\d+) (\d+))");
  for (auto it = std::sregex_iterator(out.begin(), out.end(), line); it != std::sregex_iterator(); ++it)
    r.push_back({std::stol((*it)[2]), std::stol((*it)[3]), std::stol((*it)[4]), std::stol((*it)[5])});
  return r;
}

double variance(const vkae::nn::GreyImage& img) {
  double sum = 0, sq = 0;
  for (uint8_t p : img.pixels) {
    sum += p;
    sq += double(p) * p;
  }
  const double n = double(img.pixels.size()), mean = sum / n;
  return sq / n - mean * mean;
}

// Mean |a - b| over two same-sized regions of the screenshot.
double mean_abs_diff(const vkae::nn::GreyImage& img, const Region& a, const Region& b) {
  double sum = 0;
  for (long y = 0; y < a.h; ++y)
    for (long x = 0; x < a.w; ++x)
      sum += std::abs(int(img.pixels[size_t(a.y + y) * img.width + size_t(a.x + x)]) -
                      int(img.pixels[size_t(b.y + y) * img.width + size_t(b.x + x)]));
  return sum / double(a.w * a.h);
}

// "viewer: analysis panel NAME x y w h" lines: name -> region.
std::map<std::string, Region> analysis_panels(const std::string& out) {
  std::map<std::string, Region> r;
  const std::regex line(R"(viewer: analysis panel (\w+) (\d+) (\d+) (\d+) (\d+))");
  for (auto it = std::sregex_iterator(out.begin(), out.end(), line); it != std::sregex_iterator(); ++it)
    r[(*it)[1]] = {std::stol((*it)[2]), std::stol((*it)[3]), std::stol((*it)[4]), std::stol((*it)[5])};
  return r;
}

// Pixels inside `g` (its 2-px border left out: the frame) brighter than the dark window background.
long bright_pixels(const vkae::nn::GreyImage& img, const Region& g) {
  long n = 0;
  for (long y = g.y + 2; y < g.y + g.h - 2; ++y)
    for (long x = g.x + 2; x < g.x + g.w - 2; ++x) n += img.pixels[size_t(y) * img.width + size_t(x)] > 50;
  return n;
}

// The analysis panels `names` are there, inside the window, and not blank.
void check_analysis_panels(const CommandRun& r, const fs::path& png,
                           std::initializer_list<const char*> names) {
  const auto img = vkae::nn::read_png_grey(png);
  const auto regions = analysis_panels(r.out);
  ASSERT_EQ(regions.size(), names.size()) << r.out;
  for (const char* name : names) {
    ASSERT_TRUE(regions.count(name)) << name << " missing:\n" << r.out;
    const Region& g = regions.at(name);
    ASSERT_GT(g.w, 100) << name;
    ASSERT_GT(g.h, 100) << name;
    ASSERT_LE(size_t(g.x + g.w), img.width) << name;
    ASSERT_LE(size_t(g.y + g.h), img.height) << name;
    // Dots, decoded digits, bars: at least a hundred pixels above the background.
    EXPECT_GT(bright_pixels(img, g), 100) << name << " looks blank";
  }
}

// The checks every screenshot run shares. A model that is not denoising shows its input as the "noisy" panel:
// then only the reconstruction must differ from the other two.
void check_screenshot(const CommandRun& r, const fs::path& png, bool denoising = true) {
  ASSERT_EQ(r.rc, 0) << "stdout:\n" << r.out << "\nstderr:\n" << r.err;
  std::istringstream err(r.err);
  for (std::string line; std::getline(err, line);)
    EXPECT_EQ(line.find("validation"), std::string::npos) << "stderr: " << line;
  ASSERT_TRUE(fs::exists(png)) << r.out;
  const auto img = vkae::nn::read_png_grey(png);
  EXPECT_EQ(img.width, 1280u);
  EXPECT_EQ(img.height, 760u);
  EXPECT_GT(variance(img), 100.0) << "the screenshot looks blank";
  const auto regions = panels(r.out);
  ASSERT_EQ(regions.size(), 3u) << r.out;
  for (const auto& g : regions) {
    ASSERT_GT(g.w, 50);
    ASSERT_GT(g.h, 50);
    ASSERT_LE(size_t(g.x + g.w), img.width);
    ASSERT_LE(size_t(g.y + g.h), img.height);
    EXPECT_EQ(g.w, regions[0].w);
    EXPECT_EQ(g.h, regions[0].h);
  }
  // Noisy, reconstruction and clean are three different pictures, not three copies or three blanks.
  EXPECT_GT(mean_abs_diff(img, regions[0], regions[1]), 5.0);
  EXPECT_GT(mean_abs_diff(img, regions[1], regions[2]), 5.0);
  if (denoising) {
    EXPECT_GT(mean_abs_diff(img, regions[0], regions[2]), 5.0);
  }
}

TEST(Viewer, TrainScreenshotUnderXvfb) {
  ASSERT_TRUE(has_xvfb_run()) << "xvfb-run is missing (install xvfb and xauth: scripts/setup.sh)";
  const fs::path dir = temp_dir("train");
  const fs::path png = dir / "out.png";
  const CommandRun r =
      run(xvfb("train mnist --viewer --steps 6 --limit 512 --batch 32 --val-limit 256 --screenshot '" +
               png.string() + "' --frames 30 --out '" + (dir / "run").string() + "'"),
          dir);
  check_screenshot(r, png);
  // The screenshot stops training like closing the window: the checkpoint is written.
  EXPECT_TRUE(fs::exists(dir / "run" / "checkpoint.safetensors"));
  EXPECT_NE(r.out.find("frame time (start to present) median"), std::string::npos) << r.out;
  fs::remove_all(dir);
}

// Two ranks: rank 0 opens the window and rank 1 trains without one; the screenshot's stop reaches rank 1
// (the run ends) and rank 0 alone writes the run folder.
TEST(Viewer, TwoRanksShowTheViewerOnRankZero) {
  ASSERT_TRUE(has_xvfb_run()) << "xvfb-run is missing (install xvfb and xauth: scripts/setup.sh)";
  const fs::path dir = temp_dir("ranks");
  const fs::path png = dir / "out.png";
  const CommandRun r =
      run(std::string("VKAE_VALIDATION=1 VKAE_VIEWER_GEOMETRY=1 LP_NUM_THREADS=1 "
                      "OMPI_MCA_btl_vader_single_copy_mechanism=none xvfb-run -a -s '-screen 0 1280x800x24' "
                      "mpirun --allow-run-as-root --oversubscribe -np 2 ") +
              VKAE_BINARY +
              " train mnist --viewer --steps 40 --limit 512 --batch 32 --val-limit 64 --screenshot '" +
              png.string() + "' --frames 30 --out '" + (dir / "run").string() + "'",
          dir);
  check_screenshot(r, png);
  EXPECT_NE(r.out.find("2 ranks, 16 of each step's 32 images each"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("stopped from the viewer after"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(dir / "run" / "checkpoint.safetensors"));
  fs::remove_all(dir);
}

TEST(Viewer, ViewCheckpointScreenshotUnderXvfb) {
  ASSERT_TRUE(has_xvfb_run()) << "xvfb-run is missing (install xvfb and xauth: scripts/setup.sh)";
  const fs::path dir = temp_dir("view");
  const CommandRun train =
      run(std::string(VKAE_BINARY) + " train mnist --steps 4 --limit 256 --batch 32 --val-limit 64 --out '" +
              (dir / "run").string() + "'",
          dir);
  ASSERT_EQ(train.rc, 0) << train.err;
  const fs::path png = dir / "view.png";
  const CommandRun r = run(xvfb("view --checkpoint '" + (dir / "run" / "checkpoint.safetensors").string() +
                                "' --screenshot '" + png.string() + "' --frames 5"),
                           dir);
  check_screenshot(r, png);
  fs::remove_all(dir);
}

// A VAE: the latent scatter and the manifold, live while training and again in `vkae view`.
TEST(Viewer, VaeRunAndItsCheckpointShowLatentAndManifold) {
  ASSERT_TRUE(has_xvfb_run()) << "xvfb-run is missing (install xvfb and xauth: scripts/setup.sh)";
  const fs::path dir = temp_dir("vae");
  const fs::path png = dir / "train.png";
  const CommandRun r =
      run(xvfb("train mnist --model vae --viewer --steps 16 --limit 1024 --batch 64 --val-limit 256 "
               "--screenshot '" +
               png.string() + "' --frames 30 --out '" + (dir / "run").string() + "'"),
          dir);
  check_screenshot(r, png, /*denoising=*/false);
  check_analysis_panels(r, png, {"latent", "manifold"});
  const fs::path view_png = dir / "view.png";
  const CommandRun v = run(xvfb("view --checkpoint '" + (dir / "run" / "checkpoint.safetensors").string() +
                                "' --screenshot '" + view_png.string() + "' --frames 5"),
                           dir);
  check_screenshot(v, view_png, /*denoising=*/false);
  check_analysis_panels(v, view_png, {"latent", "manifold"});
  fs::remove_all(dir);
}

// A class held out of training: the histogram of reconstruction errors, live and in `vkae view`.
TEST(Viewer, HoldoutRunAndItsCheckpointShowTheErrorHistogram) {
  ASSERT_TRUE(has_xvfb_run()) << "xvfb-run is missing (install xvfb and xauth: scripts/setup.sh)";
  const fs::path dir = temp_dir("holdout");
  const fs::path png = dir / "train.png";
  // The dense model (not denoising) keeps it short: the analysis pass of a convolutional one takes seconds
  // here.
  const CommandRun r =
      run(xvfb("train mnist --model dense --holdout-class 3 --viewer --steps 6 --limit 512 --batch 32 "
               "--val-limit 256 "
               "--screenshot '" +
               png.string() + "' --frames 30 --out '" + (dir / "run").string() + "'"),
          dir);
  check_screenshot(r, png, /*denoising=*/false);
  check_analysis_panels(r, png, {"errors"});
  const fs::path view_png = dir / "view.png";
  const CommandRun v = run(xvfb("view --checkpoint '" + (dir / "run" / "checkpoint.safetensors").string() +
                                "' --screenshot '" + view_png.string() + "' --frames 5"),
                           dir);
  check_screenshot(v, view_png, /*denoising=*/false);
  check_analysis_panels(v, view_png, {"errors"});
  fs::remove_all(dir);
}

TEST(Viewer, NoDisplayIsOneLineErrorNamingViewer) {
  const fs::path dir = temp_dir("nodisplay");
  const CommandRun r =
      run(std::string("env -u DISPLAY -u WAYLAND_DISPLAY ") + VKAE_BINARY +
              " train mnist --viewer --steps 1 --limit 64 --batch 32 --out '" + (dir / "run").string() + "'",
          dir);
  EXPECT_NE(r.rc, 0);
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "expected exactly one line:\n" << r.err;
  EXPECT_NE(r.err.find("--viewer"), std::string::npos) << r.err;
  fs::remove_all(dir);
}

TEST(Viewer, TrainingWithoutViewerNeedsNoDisplay) {
  const fs::path dir = temp_dir("headless");
  const CommandRun r =
      run(std::string("env -u DISPLAY -u WAYLAND_DISPLAY ") + VKAE_BINARY +
              " train mnist --steps 2 --limit 64 --batch 32 --no-val --out '" + (dir / "run").string() + "'",
          dir);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir / "run" / "checkpoint.safetensors"));
  fs::remove_all(dir);
}

}  // namespace
