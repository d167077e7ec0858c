// Tests for folder datasets: the scan (sorted, recursive, hidden files skipped), train/ and val/ against a
// seeded --val-split, class folders as labels, the one-line errors, loading both splits with their
// geometry, fit_to_data for the built-ins, and a short training run on an RGB folder that eval reads back.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "nn/data/dataset.hpp"
#include "nn/data/folder_scan.hpp"
#include "nn/infer/evaluate.hpp"
#include "nn/io/image.hpp"
#include "nn/model/spec.hpp"
#include "nn/train/checkpoint.hpp"
#include "nn/train/trainer.hpp"
#include "tests/nn/io/test_files.hpp"

namespace vkae::nn {
namespace {

using testing::pattern_image;
using testing::put_image;

using ::testing::HasSubstr;
using testing::TempDir;
using testing::write_bytes;

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError";
  return {};
}

TEST(FolderScan, ClassFoldersAreSortedLabelsAndHiddenFilesAreSkipped) {
  TempDir dir;
  put_image(dir / "b/2.png", pattern_image(4, 4, 1, 1));
  put_image(dir / "a/x/1.png", pattern_image(4, 4, 1, 2));
  put_image(dir / "a/0.bmp", pattern_image(4, 4, 1, 3));
  put_image(dir / ".hidden/9.png", pattern_image(4, 4, 1, 4));
  write_bytes(dir / "a/notes.txt", {'h', 'i'});
  const FolderScan scan = scan_image_folder(dir.path(), 0.34, 0);
  EXPECT_EQ(scan.class_names, (std::vector<std::string>{"a", "b"}));
  std::vector<std::filesystem::path> all = scan.train.files;
  all.insert(all.end(), scan.val.files.begin(), scan.val.files.end());
  EXPECT_EQ(all.size(), 3u);
  EXPECT_EQ(scan.val.files.size(), 1u);  // round(0.34 * 3)
  for (size_t i = 0; i < scan.train.files.size(); ++i)
    EXPECT_EQ(scan.class_names[scan.train.labels[i]],
              scan.train.files[i].lexically_relative(dir.path()).begin()->string());
}

TEST(FolderScan, TheSeedChoosesTheHeldOutImagesReproducibly) {
  TempDir dir;
  for (int i = 0; i < 20; ++i)
    put_image(dir / ("img" + std::to_string(100 + i) + ".png"), pattern_image(3, 3, 1, i));
  const FolderScan a = scan_image_folder(dir.path(), 0.25, 7), b = scan_image_folder(dir.path(), 0.25, 7);
  const FolderScan c = scan_image_folder(dir.path(), 0.25, 8);
  EXPECT_TRUE(a.class_names.empty());
  EXPECT_TRUE(a.train.labels.empty());
  EXPECT_EQ(a.val.files.size(), 5u);
  EXPECT_EQ(a.val.files, b.val.files);
  EXPECT_NE(a.val.files, c.val.files);
  EXPECT_TRUE(std::is_sorted(a.train.files.begin(), a.train.files.end()));
}

TEST(FolderScan, TrainAndValFoldersAreTheSplits) {
  TempDir dir;
  put_image(dir / "train/cat/1.png", pattern_image(4, 4, 3, 1));
  put_image(dir / "train/dog/2.png", pattern_image(4, 4, 3, 2));
  put_image(dir / "val/cat/3.png", pattern_image(4, 4, 3, 3));
  put_image(dir / "val/dog/4.png", pattern_image(4, 4, 3, 4));
  const FolderScan scan = scan_image_folder(dir.path(), 0.5, 0);
  EXPECT_EQ(scan.train.files.size(), 2u);
  EXPECT_EQ(scan.val.files.size(), 2u);
  EXPECT_EQ(scan.split_source, "train/ and val/");
  EXPECT_EQ(scan.val.labels, (std::vector<uint8_t>{0, 1}));
}

TEST(FolderScan, BadFoldersAreOneLineEach) {
  TempDir dir;
  std::filesystem::create_directories(dir / "empty");
  EXPECT_THAT(error_of([&] { scan_image_folder(dir / "empty", 0.1, 0); }),
              HasSubstr("empty/: no image files"));
  EXPECT_EQ(error_of([&] { scan_image_folder(dir / "missing", 0.1, 0); }),
            (dir / "missing").string() + "/: no such folder");
  put_image(dir / "split/train/cat/1.png", pattern_image(4, 4, 1, 1));
  put_image(dir / "split/val/dog/2.png", pattern_image(4, 4, 1, 2));
  EXPECT_EQ(error_of([&] { scan_image_folder(dir / "split", 0.1, 0); }),
            (dir / "split").string() + "/: the train and val class folders disagree (train: cat; val: dog)");
  put_image(dir / "two/a.png", pattern_image(4, 4, 1, 1));
  put_image(dir / "two/b.png", pattern_image(4, 4, 1, 2));
  EXPECT_THAT(error_of([&] { scan_image_folder(dir / "two", 0.1, 0); }),
              HasSubstr("--val-split 0.1: holds out 0 of the 2 images"));
}

TEST(FolderDataset, BothSplitsShareTheGeometryAndNameTheBadFile) {
  TempDir dir;
  for (int i = 0; i < 9; ++i)
    put_image(dir / "d" / ("g" + std::to_string(i) + ".png"), pattern_image(10, 6, 1, i));
  put_image(dir / "d/colour.jpg", pattern_image(12, 8, 3, 9));
  DataSearch search;
  search.images.height = 4;
  search.images.width = 4;
  search.images.val_split = 0.2;
  const DatasetSplits s = load_splits((dir / "d").string(), search);
  EXPECT_EQ(s.train.count + s.test.count, 10u);
  EXPECT_EQ(s.test.count, 2u);
  for (const Dataset* d : {&s.train, &s.test}) {
    EXPECT_EQ(d->channels, 3u);  // one colour image makes the dataset RGB
    EXPECT_EQ(d->rows, 4u);
    EXPECT_EQ(d->cols, 4u);
    EXPECT_EQ(d->images.size(), d->count * 48u);
    EXPECT_FALSE(d->labelled());
  }
  search.images.height.reset();
  search.images.width.reset();
  EXPECT_THAT(error_of([&] { load_splits((dir / "d").string(), search); }), HasSubstr("pass --size"));
  write_bytes(dir / "d/g3.png", {0x89, 'P', 'N', 'G', 1, 2, 3});
  search.images.height = search.images.width = 4;
  EXPECT_THAT(error_of([&] { load_splits((dir / "d").string(), search); }), HasSubstr("g3.png"));
  search.images.skip_bad = true;
  std::vector<std::string> notes;
  search.on_note = [&](const std::string& n) { notes.push_back(n); };
  const DatasetSplits kept = load_splits((dir / "d").string(), search);
  EXPECT_EQ(kept.train.count + kept.test.count, 9u);
  EXPECT_THAT(notes.back(), HasSubstr("skipped 1 unreadable image files"));
}

TEST(FitToData, BuiltinsTakeTheDataShapeOrSayWhichSize) {
  const ModelSpec dae = resolve_model("dae");
  EXPECT_EQ(model_spec_to_json(fit_to_data(dae, {1, 28, 28})), model_spec_to_json(dae));
  const ModelSpec rgb = fit_to_data(dae, {3, 32, 48});
  EXPECT_EQ(rgb.input, (Shape3{3, 32, 48}));
  EXPECT_EQ(rgb.output(), (Shape3{3, 32, 48}));
  EXPECT_EQ(error_of([&] {
              fit_to_data(dae, {3, 30, 30});
            }),
            "model dae needs H and W divisible by 4, the data is 3x30x30; pass --size 32x32");
  EXPECT_EQ(fit_to_data(resolve_model("dense"), {3, 8, 8}).output(), (Shape3{3, 8, 8}));
  EXPECT_EQ(fit_to_data(resolve_model("sr"), {3, 16, 16}).input, (Shape3{3, 8, 8}));
  EXPECT_THAT(error_of([&] {
                fit_to_data(resolve_model("conv"), {1, 32, 32});
              }),
              HasSubstr("model conv: its layers cannot give back 1x32x32 images"));
}

TEST(FolderDataset, AnRgbFolderTrainsAndEvalReadsTheSameSplitBack) {
  TempDir dir;
  for (int i = 0; i < 24; ++i)
    put_image(dir / "photos" / (i % 2 ? "odd" : "even") / (std::to_string(i) + ".png"),
              pattern_image(9, 7, 3, i));
  TrainConfig c;
  c.dataset = (dir / "photos").string();
  c.model = "dae";
  c.images.height = c.images.width = 8;
  c.images.val_split = 0.25;
  c.batch = 6;
  c.steps = 4;
  c.noise = 0.1f;
  c.holdout_name = "odd";
  c.out = dir / "run";
  const TrainResult r = train(c, {});
  ASSERT_TRUE(r.final_val_loss);
  const LoadedCheckpoint ckpt = read_checkpoint(dir / "run/checkpoint.safetensors");
  EXPECT_EQ(ckpt.spec.input, (Shape3{3, 8, 8}));
  EXPECT_EQ(ckpt.info.holdout_class, 1u);  // "odd" sorts after "even"
  EvalConfig e;
  e.checkpoint = dir / "run/checkpoint.safetensors";
  e.noise = 0.1f;
  e.seed = 0;
  EXPECT_NEAR(evaluate(e).loss, *r.final_val_loss, 1e-6);
  EXPECT_THAT(error_of([&] {
                TrainConfig bad = c;
                bad.holdout_name = "bird";
                bad.out = dir / "run2";
                train(bad, {});
              }),
              HasSubstr("--holdout-class bird: not a class of"));
}

}  // namespace
}  // namespace vkae::nn

namespace vkae::nn {
namespace {

TEST(FolderDataset, UnlabelledDataIsOneClassForThePassesThatGroupByLabel) {
  Dataset d;
  d.count = 3;
  EXPECT_EQ(as_one_class_if_unlabelled(d).labels, (std::vector<uint8_t>{0, 0, 0}));
  EXPECT_EQ(as_one_class_if_unlabelled(d).class_names, (std::vector<std::string>{"(unlabelled)"}));
  d.labels = {2, 1, 0};
  EXPECT_EQ(as_one_class_if_unlabelled(d).labels, d.labels);
}

}  // namespace
}  // namespace vkae::nn
