// The application commands through the real `vkae` binary on tiny runs (a few training steps on a subset, so
// the numbers mean little; what is checked is formats, shapes, labels, consistency and error handling):
// encode (.npy + labels, .csv), anomaly (scores, ROC AUC of a held-out class, agreement with eval), reduce
// (PCA next to the model) and upscale (a super-resolution checkpoint on a PNG; other models refused).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nn/data/dataset.hpp"
#include "nn/io/atomic_file.hpp"
#include "nn/io/npy.hpp"
#include "nn/io/png.hpp"
#include "tests/support/run_vkae.hpp"

namespace vkae {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using test::expect_one_line_error;
using test::Outcome;

fs::path scratch(const std::string& name) {
  return test::scratch_dir("apps", name);
}

// Validation layers on: a validation message would land on stderr, so a successful run must leave it empty.
Outcome vkae(const std::string& args) {
  return test::run_vkae(args, /*validation=*/true);
}

// A few steps of `model` on 512 images; returns the checkpoint.
fs::path train(const std::string& name, const std::string& flags) {
  const fs::path dir = scratch(name);
  const Outcome r = vkae("train mnist --limit 512 --batch 64 --epochs 1 --val-limit 128 " + flags +
                         " --out " + dir.string());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr(", noise "))) << "none of these models denoises";
  return dir / "checkpoint.safetensors";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(AnalysisE2E, EncodeWritesNpyWithLabelsAndTheSameCodesAsCsv) {
  const fs::path ckpt = train("dense", "--model dense --steps 8");
  const nn::Dataset test = nn::load_dataset("mnist", nn::Split::Test, {});
  const fs::path dir = scratch("codes");
  fs::create_directories(dir);

  const Outcome npy =
      vkae("encode --checkpoint " + ckpt.string() + " --limit 300 --out " + (dir / "z.npy").string());
  ASSERT_EQ(npy.code, 0) << npy.err;
  EXPECT_EQ(npy.err, "") << "validation messages?";
  EXPECT_THAT(npy.out, HasSubstr("code size 32"));
  const std::string header = nn::read_text_file(dir / "z.npy").substr(0, 128);
  EXPECT_EQ(header.substr(0, 10), std::string("\x93NUMPY\x01\x00v\x00", 10));
  EXPECT_THAT(header, HasSubstr("{'descr': '<f4', 'fortran_order': False, 'shape': (300, 32), }"));
  const nn::NpyArray codes = nn::read_npy(dir / "z.npy");
  ASSERT_EQ(codes.shape, (std::vector<uint64_t>{300, 32}));
  for (const float v : codes.floats) ASSERT_TRUE(std::isfinite(v) && v >= 0) << "relu codes";
  const nn::NpyArray labels = nn::read_npy(dir / "z.labels.npy");
  EXPECT_EQ(labels.descr, "|u1");
  EXPECT_EQ(labels.bytes, std::vector<uint8_t>(test.labels.begin(), test.labels.begin() + 300));

  const Outcome csv = vkae("encode " + ckpt.string() + " --limit 300 --out " + (dir / "z.csv").string());
  ASSERT_EQ(csv.code, 0) << csv.err;
  EXPECT_EQ(csv.err, "") << "validation messages?";
  const std::vector<std::string> rows = lines_of(nn::read_text_file(dir / "z.csv"));
  ASSERT_EQ(rows.size(), 301u);
  EXPECT_EQ(rows[0].substr(0, 15), "label,z0,z1,z2,");
  EXPECT_EQ(rows[0].substr(rows[0].size() - 4), ",z31");
  for (size_t i = 1; i < rows.size(); ++i) {
    std::istringstream row(rows[i]);
    std::string cell;
    std::getline(row, cell, ',');
    ASSERT_EQ(std::stoi(cell), test.labels[i - 1]);
    for (size_t j = 0; j < 32; ++j) {
      ASSERT_TRUE(std::getline(row, cell, ','));
      ASSERT_EQ(std::strtof(cell.c_str(), nullptr), codes.floats[(i - 1) * 32 + j])
          << "row " << i << " z" << j;
    }
  }

  const Outcome train_split =
      vkae("encode " + ckpt.string() + " --split train --limit 10 --out " + (dir / "t.npy").string());
  ASSERT_EQ(train_split.code, 0) << train_split.err;
  EXPECT_EQ(train_split.err, "") << "validation messages?";
  const nn::Dataset training = nn::load_dataset("mnist", nn::Split::Train, {});
  EXPECT_EQ(nn::read_npy(dir / "t.labels.npy").bytes,
            std::vector<uint8_t>(training.labels.begin(), training.labels.begin() + 10));

  expect_one_line_error(vkae("encode " + ckpt.string() + " --out /nonexistent-vkae/z.npy"),
                        "/nonexistent-vkae");
  expect_one_line_error(vkae("encode /nonexistent.safetensors --out " + (dir / "n.npy").string()),
                        "/nonexistent.safetensors");
  EXPECT_FALSE(fs::exists(dir / "n.npy"));
  EXPECT_FALSE(fs::exists(dir / "n.labels.npy"));
}

TEST(AnalysisE2E, EncodeAVaeGivesItsMeanDeterministically) {
  const fs::path ckpt = train("vae", "--model vae --steps 2");
  const fs::path a = scratch("a.npy"), b = scratch("b.npy");
  for (const fs::path& out : {a, b}) {
    const Outcome r = vkae("encode " + ckpt.string() + " --limit 130 --out " + out.string());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.err, "") << "validation messages?";
  }
  const nn::NpyArray x = nn::read_npy(a), y = nn::read_npy(b);
  EXPECT_EQ(x.shape, (std::vector<uint64_t>{130, 2}));
  EXPECT_EQ(x.floats, y.floats) << "mu, not a sample";
}

TEST(AnalysisE2E, AnomalyScoresEveryImageAndRanksTheHeldOutClass) {
  const fs::path ckpt = train("holdout", "--model dense --steps 8 --holdout-class 7");
  const nn::Dataset test = nn::load_dataset("mnist", nn::Split::Test, {});
  const uint32_t sevens = uint32_t(std::count(test.labels.begin(), test.labels.begin() + 512, 7));
  const fs::path scores = scratch("scores.csv");

  const Outcome j =
      vkae("anomaly --checkpoint " + ckpt.string() + " --limit 512 --json --out " + scores.string());
  ASSERT_EQ(j.code, 0) << j.err;
  EXPECT_EQ(j.err, "") << "validation messages?";
  const nlohmann::json r = nlohmann::json::parse(j.out);
  EXPECT_EQ(r.at("holdout_class").get<int64_t>(), 7);
  EXPECT_EQ(r.at("trained_without").get<int64_t>(), 7);
  EXPECT_EQ(r.at("images").get<int64_t>(), 512);
  EXPECT_EQ(r.at("positives").get<int64_t>(), sevens);
  EXPECT_EQ(r.at("metric").get<std::string>(), "BCE per pixel");
  const double auc = r.at("roc_auc").get<double>();
  EXPECT_GE(auc, 0.0);
  EXPECT_LE(auc, 1.0);
  EXPECT_EQ(r.at("classes").size(), 10u);

  const std::vector<std::string> rows = lines_of(nn::read_text_file(scores));
  ASSERT_EQ(rows.size(), 513u);
  EXPECT_EQ(rows[0], "index,label,error");
  double sum = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    std::istringstream row(rows[i]);
    std::string index, label, error;
    std::getline(row, index, ',');
    std::getline(row, label, ',');
    std::getline(row, error, ',');
    ASSERT_EQ(std::stoul(index), i - 1);
    ASSERT_EQ(std::stoi(label), test.labels[i - 1]);
    const double e = std::stod(error);
    ASSERT_TRUE(e > 0 && e < 2) << rows[i];
    sum += e;
  }
  EXPECT_NEAR(sum / 512, r.at("mean").get<double>(), 1e-6);
  // The same loss as eval's on the same images (a plain autoencoder: clean input, mean BCE per pixel).
  const Outcome eval = vkae("eval --checkpoint " + ckpt.string() + " --limit 512 --json");
  ASSERT_EQ(eval.code, 0) << eval.err;
  EXPECT_EQ(eval.err, "") << "validation messages?";
  EXPECT_NEAR(nlohmann::json::parse(eval.out).at("bce").get<double>(), sum / 512, 1e-5);

  const fs::path npy = scratch("s.npy"), npy_labels = scratch("s.labels.npy");
  const Outcome text =
      vkae("anomaly " + ckpt.string() + " --limit 512 --holdout-class 3 --out " + npy.string());
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_EQ(text.err, "") << "validation messages?";
  EXPECT_THAT(text.out, HasSubstr("ROC AUC"));
  EXPECT_THAT(text.out, HasSubstr("for finding class 3"));
  EXPECT_THAT(text.out, HasSubstr("class 7 was left out of training"));
  EXPECT_THAT(text.out, HasSubstr("<- held out"));
  EXPECT_EQ(nn::read_npy(npy).shape, (std::vector<uint64_t>{512}));
  EXPECT_EQ(nn::read_npy(npy_labels).bytes.size(), 512u);

  expect_one_line_error(
      vkae("anomaly " + ckpt.string() + " --limit 64 --holdout-class seven"),
      "--holdout-class seven: not a class of mnist (classes: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9)");
  expect_one_line_error(vkae("anomaly " + ckpt.string() + " --out /nonexistent-vkae/s.csv"),
                        "/nonexistent-vkae");
}

TEST(AnalysisE2E, ReduceComparesTheModelWithPcaAtItsCodeSize) {
  const fs::path ckpt = train("reduce", "--model dense --steps 8");
  const Outcome j = vkae("reduce --checkpoint " + ckpt.string() + " --limit 256 --fit-limit 2000 --json");
  ASSERT_EQ(j.code, 0) << j.err;
  EXPECT_EQ(j.err, "") << "validation messages?";
  const nlohmann::json r = nlohmann::json::parse(j.out);
  EXPECT_EQ(r.at("components").get<int64_t>(), 32);
  EXPECT_EQ(r.at("latent").get<int64_t>(), 32);
  EXPECT_EQ(r.at("fit_images").get<int64_t>(), 2000);
  EXPECT_EQ(r.at("images").get<int64_t>(), 256);
  for (const char* key : {"model_mse", "model_bce", "pca_mse", "pca_bce", "explained_variance"}) {
    const double v = r.at(key).get<double>();
    EXPECT_TRUE(v > 0 && v < 1) << key << " " << v;
  }
  EXPECT_LT(r.at("pca_mse").get<double>(), r.at("pca_bce").get<double>());
  double previous = 1;
  bool saw_k = false;
  for (const nlohmann::json& point : r.at("pca_mse_by_components")) {
    const double mse = point.at("mse").get<double>();
    EXPECT_LT(mse, previous) << "more components, smaller error: K = "
                             << point.at("components").get<int64_t>();
    previous = mse;
    if (point.at("components").get<int64_t>() == 32) {
      saw_k = true;
      EXPECT_NEAR(mse, r.at("pca_mse").get<double>(), 1e-9);
    }
  }
  EXPECT_TRUE(saw_k);

  const Outcome text = vkae("reduce " + ckpt.string() + " --components 4 --limit 128 --fit-limit 500");
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_EQ(text.err, "") << "validation messages?";
  EXPECT_THAT(text.out, HasSubstr("PCA fitted on 500 mnist training images"));
  EXPECT_THAT(text.out, HasSubstr("PCA, K=4"));
  EXPECT_THAT(text.out, HasSubstr("autoencoder"));
  expect_one_line_error(vkae("reduce " + ckpt.string() + " --components 785 --fit-limit 100"),
                        "--components 785: expected 1 to 784");
}

TEST(AnalysisE2E, UpscaleASuperResolutionCheckpointAndRefuseOthers) {
  const fs::path sr = train("sr", "--model sr --steps 2");
  const fs::path in = scratch("digit.png"), out = scratch("big.png");
  std::vector<uint8_t> pixels(56 * 40, 255);  // a dark bar on white, another size than the model's
  for (int y = 10; y < 46; ++y)
    for (int x = 18; x < 22; ++x) pixels[y * 40 + x] = 0;
  nn::write_png(in, 40, 56, 1, pixels);
  const Outcome r = vkae("upscale --checkpoint " + sr.string() + " " + in.string() + " " + out.string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "") << "validation messages?";
  EXPECT_THAT(r.out, HasSubstr("the whole 40x56 grey image in one pass, written at 80x112"));
  const nn::GreyImage result = nn::read_png_grey(out);  // twice the image, whatever its size
  EXPECT_EQ(result.width, 80u);
  EXPECT_EQ(result.height, 112u);

  expect_one_line_error(
      vkae("reduce " + sr.string() + " --fit-limit 100"),
      "the model's code has 6272 numbers, more than the 784 pixels of an image; pass --components K");

  const fs::path dense = train("not-sr", "--model dense --steps 1");
  const fs::path never = scratch("never.png");
  expect_one_line_error(
      vkae("upscale --checkpoint " + dense.string() + " " + in.string() + " " + never.string()),
      "checkpoint " + dense.string() + ": model dense is not a super-resolution model");
  const fs::path text = scratch("notes.png");
  std::ofstream(text) << "hello";
  expect_one_line_error(
      vkae("upscale --checkpoint " + sr.string() + " " + text.string() + " " + never.string()),
      "unknown image type");
  EXPECT_FALSE(fs::exists(never));
  // A dense model takes one size: denoise resizes to it and says so.
  const Outcome resized =
      vkae("denoise --checkpoint " + dense.string() + " " + in.string() + " " + out.string());
  ASSERT_EQ(resized.code, 0) << resized.err;
  EXPECT_THAT(resized.out,
              HasSubstr("(not convolutional throughout): 40x56 resized to 28x28, written at 28x28"));
  EXPECT_EQ(nn::read_png_grey(out).width, 28u);
}

}  // namespace
}  // namespace vkae
