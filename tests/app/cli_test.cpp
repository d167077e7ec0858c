// The `vkae` command line without a device: parsing of every command and flag (both `--flag value` and
// `--flag=value`), defaults, the exact one-line errors and exit codes, help texts, eval output formats, and
// the pure progress rendering plus the printer's throttling with a fake clock.
#include "app/cli.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "app/json_output.hpp"
#include "app/progress.hpp"
#include "base/error.hpp"
#include "nn/model/spec.hpp"

namespace vkae::app {
namespace {

Command parse(std::initializer_list<std::string_view> args) {
  const std::vector<std::string_view> v(args);
  return parse_command_line(std::span<const std::string_view>(v));
}

template <typename T>
T parse_as(std::initializer_list<std::string_view> args) {
  const Command c = parse(args);
  EXPECT_TRUE(c.holds<T>()) << "wrong command kind";
  return c.holds<T>() ? c.as<T>() : T{};
}

nn::TrainConfig train_config(std::initializer_list<std::string_view> args) {
  return parse_as<TrainCommand>(args).config;
}

void expect_same(const nn::TrainConfig& a, const nn::TrainConfig& b) {
  EXPECT_EQ(a.dataset, b.dataset);
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.epochs, b.epochs);
  EXPECT_EQ(a.batch, b.batch);
  EXPECT_EQ(a.lr, b.lr);
  EXPECT_EQ(a.noise, b.noise);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.steps, b.steps);
  EXPECT_EQ(a.limit, b.limit);
  EXPECT_EQ(a.shuffle, b.shuffle);
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.resume, b.resume);
  EXPECT_EQ(a.device, b.device);
  EXPECT_EQ(a.data_dir, b.data_dir);
  EXPECT_EQ(a.validate, b.validate);
}

TEST(Cli, TrainDefaultsAreTrainConfigDefaults) {
  expect_same(train_config({"train"}), nn::TrainConfig{});
  expect_same(train_config({"--train"}), nn::TrainConfig{});
  expect_same(train_config({"--train", "mnist"}), nn::TrainConfig{});
}

TEST(Cli, TrainEveryFlagBothForms) {
  const std::vector<std::vector<std::string_view>> forms = {
      {"--train",
       "fashion",
       "--model",
       "conv.json",
       "--epochs",
       "3",
       "--batch",
       "64",
       "--lr",
       "0.01",
       "--noise",
       "0.25",
       "--seed",
       "18446744073709551615",
       "--steps",
       "100",
       "--limit",
       "1000",
       "--no-shuffle",
       "--out",
       "runs/x",
       "--resume",
       "runs/x/checkpoint.safetensors",
       "--device",
       "1",
       "--data",
       "/data/idx",
       "--no-val"},
      {"train", "--model=conv.json", "--epochs=3", "--batch=64", "--lr=0.01", "--noise=0.25",
       "--seed=18446744073709551615", "--steps=100", "--limit=1000", "--no-shuffle", "--out=runs/x",
       "--resume=runs/x/checkpoint.safetensors", "--device=1", "--data=/data/idx", "--no-val", "fashion"},
  };
  for (const auto& args : forms) {
    const auto c = parse_command_line(std::span<const std::string_view>(args)).as<TrainCommand>().config;
    EXPECT_EQ(c.dataset, "fashion");
    EXPECT_EQ(c.model, "conv.json");
    EXPECT_EQ(c.epochs, 3u);
    EXPECT_EQ(c.batch, 64u);
    EXPECT_FLOAT_EQ(c.lr, 0.01f);
    EXPECT_FLOAT_EQ(c.noise, 0.25f);
    EXPECT_EQ(c.seed, UINT64_MAX);
    EXPECT_EQ(c.steps, 100u);
    EXPECT_EQ(c.limit, 1000u);
    EXPECT_FALSE(c.shuffle);
    EXPECT_EQ(c.out, "runs/x");
    EXPECT_EQ(c.resume, std::filesystem::path("runs/x/checkpoint.safetensors"));
    EXPECT_EQ(c.device, "1");
    EXPECT_EQ(c.data_dir, std::filesystem::path("/data/idx"));
    EXPECT_FALSE(c.validate);
  }
}

TEST(Cli, TrainDatasetFromPositionalDatasetOrData) {
  EXPECT_EQ(train_config({"train", "fashion"}).dataset, "fashion");
  EXPECT_EQ(train_config({"train", "--dataset", "fashion"}).dataset, "fashion");
  EXPECT_EQ(train_config({"train", "--data", "fashion"}).dataset, "fashion");
  EXPECT_FALSE(train_config({"train", "--data", "fashion"}).data_dir.has_value());
  EXPECT_EQ(train_config({"train", "--data", "./mnist"}).data_dir, std::filesystem::path("./mnist"));
  EXPECT_EQ(train_config({"train", "fashion", "--dataset=fashion"}).dataset, "fashion");
  EXPECT_EQ(train_config({"train", "--noise", "0"}).noise, 0.0f);
  EXPECT_EQ(train_config({"train", "--lr", "1e-4"}).lr, 1e-4f);
  EXPECT_EQ(train_config({"train", "--device", "llvmpipe"}).device, "llvmpipe");
  EXPECT_EQ(train_config({"train", "--seed", "0"}).seed, 0u);
}

TEST(Cli, TrainDataBudgetSizes) {
  EXPECT_FALSE(train_config({"train"}).data_budget.has_value());
  EXPECT_EQ(train_config({"train", "--data-budget", "123456"}).data_budget, 123456u);
  EXPECT_EQ(train_config({"train", "--data-budget", "500K"}).data_budget, 500u << 10);
  EXPECT_EQ(train_config({"train", "--data-budget=64M"}).data_budget, 64u << 20);
  EXPECT_EQ(train_config({"train", "--data-budget", "2g"}).data_budget, uint64_t{2} << 30);
  EXPECT_EQ(train_config({"train", "--data-budget", "1T"}).data_budget, uint64_t{1} << 40);
}

TEST(Cli, TrainCropFlag) {
  EXPECT_EQ(train_config({"train"}).images.crop, nn::Crop::Center);
  const nn::TrainConfig c = train_config({"train", "--crop", "random", "--size", "24x32"});
  EXPECT_EQ(c.images.crop, nn::Crop::Random);
  EXPECT_EQ(c.images.height, 24u);
  EXPECT_EQ(c.images.width, 32u);
  EXPECT_EQ(train_config({"train", "--crop=random", "--crop=center"}).images.crop, nn::Crop::Center);
}

TEST(Cli, EvalFlags) {
  const auto e =
      parse_as<EvalCommand>({"eval", "--checkpoint", "c.safetensors", "--dataset", "fashion", "--noise",
                             "0.3", "--seed=7", "--limit", "500", "--json", "--device=0", "--data", "/d"});
  EXPECT_EQ(e.config.checkpoint, "c.safetensors");
  EXPECT_EQ(e.config.dataset, "fashion");
  EXPECT_FLOAT_EQ(e.config.noise, 0.3f);
  EXPECT_EQ(e.config.seed, 7u);
  EXPECT_EQ(e.config.limit, 500u);
  EXPECT_TRUE(e.json);
  EXPECT_EQ(e.config.device, "0");
  EXPECT_EQ(e.config.data_dir, std::filesystem::path("/d"));

  const auto d = parse_as<EvalCommand>({"--eval", "--checkpoint=c.safetensors"});
  const nn::EvalConfig defaults;
  EXPECT_EQ(d.config.dataset, "");  // the checkpoint's own dataset
  EXPECT_EQ(d.config.noise, defaults.noise);
  EXPECT_EQ(d.config.seed, defaults.seed);
  EXPECT_FALSE(d.config.limit.has_value());
  EXPECT_FALSE(d.config.data_dir.has_value());
  EXPECT_FALSE(d.json);

  // --data NAME is the dataset (the issue's spelling); anything else is a folder.
  EXPECT_EQ(parse_as<EvalCommand>({"eval", "--checkpoint", "c", "--data", "mnist"}).config.dataset, "mnist");
  EXPECT_EQ(parse_as<EvalCommand>({"eval", "--checkpoint", "c", "--dataset=fashion"}).config.dataset,
            "fashion");
  EXPECT_EQ(parse_as<EvalCommand>({"eval", "c.safetensors"}).config.checkpoint, "c.safetensors");
}

TEST(Cli, DenoiseDevicesFetch) {
  const auto d =
      parse_as<DenoiseCommand>({"denoise", "--checkpoint", "c", "in.png", "out.png", "--device", "gpu"});
  EXPECT_EQ(d.checkpoint, "c");
  EXPECT_EQ(d.in_png, "in.png");
  EXPECT_EQ(d.out_png, "out.png");
  EXPECT_EQ(d.device, "gpu");
  EXPECT_EQ(parse_as<DenoiseCommand>({"denoise", "in.png", "--checkpoint=c", "--", "--odd.png"}).out_png,
            "--odd.png");
  parse_as<DevicesCommand>({"devices"});
  parse_as<DevicesCommand>({"--devices"});
  EXPECT_EQ(parse_as<FetchCommand>({"fetch"}).dataset, "mnist");
  EXPECT_EQ(parse_as<FetchCommand>({"fetch", "mnist", "--data", "/tmp/m"}).dir,
            std::filesystem::path("/tmp/m"));
  EXPECT_FALSE(parse_as<FetchCommand>({"fetch", "mnist"}).dir.has_value());
}

TEST(Cli, HelpAndVersion) {
  const std::string overview = help_text("");
  EXPECT_EQ(parse_as<HelpCommand>({}).text, overview);
  EXPECT_EQ(parse_as<HelpCommand>({"--help"}).text, overview);
  EXPECT_EQ(parse_as<HelpCommand>({"-h"}).text, overview);
  EXPECT_EQ(parse_as<HelpCommand>({"help"}).text, overview);
  EXPECT_EQ(parse_as<HelpCommand>({"help", "train"}).text, help_text("train"));
  EXPECT_EQ(parse_as<HelpCommand>({"help", "--train"}).text, help_text("train"));
  EXPECT_EQ(parse_as<HelpCommand>({"--help", "eval"}).text, help_text("eval"));
  EXPECT_EQ(parse_as<HelpCommand>({"train", "--epochs", "3", "--help"}).text, help_text("train"));
  EXPECT_EQ(parse_as<HelpCommand>({"--train", "-h"}).text, help_text("train"));
  EXPECT_EQ(parse_as<HelpCommand>({"eval", "--help"}).text, help_text("eval"));
  EXPECT_EQ(parse_as<HelpCommand>({"denoise", "--help"}).text, help_text("denoise"));
  EXPECT_EQ(parse_as<HelpCommand>({"devices", "--help"}).text, help_text("devices"));
  EXPECT_EQ(parse_as<HelpCommand>({"fetch", "--help"}).text, help_text("fetch"));
  parse_as<VersionCommand>({"--version"});
  parse_as<VersionCommand>({"-V"});
  EXPECT_EQ(version_text().rfind("vkae 0.", 0), 0u) << version_text();
  for (const char* command : {"train", "eval", "denoise", "devices", "fetch", "help"})
    EXPECT_NE(overview.find(command), std::string::npos) << command;
}

TEST(Cli, HelpListsEveryFlagWithDefault) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> flags = {
      {"train",
       {"--model NAME|FILE.json", "--epochs N", "--batch N", "--lr F", "--noise F", "--seed N", "--steps N",
        "--limit N", "--no-shuffle", "--out DIR", "--resume CKPT", "--device N|NAME", "--data DIR|NAME",
        "--no-val", "--dataset NAME", "--data-budget SIZE", "--help"}},
      {"eval",
       {"--checkpoint FILE", "--dataset NAME", "--data DIR|NAME", "--noise F", "--seed N", "--limit N",
        "--json", "--device N|NAME", "--help"}},
      {"denoise", {"--checkpoint FILE", "--device N|NAME", "in.png out.png", "--help"}},
      {"devices", {"--help"}},
      {"fetch", {"--data DIR", "--help"}},
  };
  for (const auto& [command, names] : flags) {
    // Continuation lines of a wrapped help line joined back, so each option is on one line.
    const std::string text = std::regex_replace(help_text(command), std::regex("\n {6,}"), " ");
    for (const auto& name : names)
      EXPECT_NE(text.find(name), std::string::npos) << command << " help lacks " << name;
    // Every option line says its default (or that it is required / a switch's behaviour).
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("  --", 0) != 0 || line.find("same as") != std::string::npos) continue;
      EXPECT_TRUE(line.find("default") != std::string::npos || line.find("required") != std::string::npos)
          << line;
    }
  }
  const std::string train = help_text("train");
  for (const std::string s :
       {"(default dae)", "(default 20)", "(default 128)", "(default 0.001)", "(default 0.5)", "(default 0)"})
    EXPECT_NE(train.find(s), std::string::npos) << s;
  EXPECT_NE(std::regex_replace(help_text("eval"), std::regex("\n +"), " ")
                .find("mnist and fashion name the dataset"),
            std::string::npos);
  EXPECT_THROW(help_text("trian"), InputError);
}

TEST(Cli, BadInputSaysWhichFlagAndWhatWasExpected) {
  const std::vector<std::pair<std::vector<std::string_view>, std::string>> cases = {
      {{"trian"}, "unknown command trian (did you mean train?)"},
      {{"frobnicate"},
       "unknown command frobnicate: expected train, eval, denoise, generate, encode, anomaly, reduce, "
       "upscale, "
       "devices, fetch, view, bench, summary or help"},
      {{"mnist"}, "unknown command mnist (did you mean vkae train mnist?)"},
      {{"--epochs", "3"}, "unknown command --epochs (options go after the command: vkae train --epochs ...)"},
      {{"train", "--epoch", "3"}, "unknown option --epoch for train (did you mean --epochs?)"},
      {{"train", "--epoch=3"}, "unknown option --epoch for train (did you mean --epochs?)"},
      {{"train", "--frobnicate"}, "unknown option --frobnicate for train (see vkae train --help)"},
      {{"eval", "--checkpoint", "c", "--jsn"}, "unknown option --jsn for eval (did you mean --json?)"},
      {{"train", "--epochs"}, "--epochs: missing value (expected an integer >= 1)"},
      {{"train", "--epochs", "--batch", "3"}, "--epochs: missing value (expected an integer >= 1)"},
      {{"train", "--out"}, "--out: missing value (expected a folder)"},
      {{"train", "--out="}, "--out : expected a folder"},
      {{"train", "--batch", "0"}, "--batch 0: expected an integer >= 1"},
      {{"train", "--batch=-3"}, "--batch -3: expected an integer >= 1"},
      {{"train", "--batch", "12x"}, "--batch 12x: expected an integer >= 1"},
      {{"train", "--batch", "1.5"}, "--batch 1.5: expected an integer >= 1"},
      {{"train", "--epochs", "0"}, "--epochs 0: expected an integer >= 1"},
      {{"train", "--epochs", "99999999999"},
       "--epochs 99999999999: expected an integer >= 1 and <= 4294967295"},
      {{"train", "--steps", "0"}, "--steps 0: expected an integer >= 1"},
      {{"train", "--limit", "0"}, "--limit 0: expected an integer >= 1"},
      {{"train", "--data-budget", "0"}, "--data-budget 0: expected a size like 512M"},
      {{"train", "--data-budget", "M"}, "--data-budget M: expected a size like 512M"},
      {{"train", "--data-budget", "1.5G"}, "--data-budget 1.5G: expected a size like 512M"},
      {{"train", "--data-budget", "12MB"}, "--data-budget 12MB: expected a size like 512M"},
      {{"train", "--data-budget", "-1"}, "--data-budget -1: expected a size like 512M"},
      {{"train", "--data-budget", "99999999999T"}, "--data-budget 99999999999T: expected a size like 512M"},
      {{"train", "--seed", "-1"}, "--seed -1: expected an integer >= 0"},
      {{"train", "--lr", "nan"}, "--lr nan: expected a positive number"},
      {{"train", "--lr", "0"}, "--lr 0: expected a positive number"},
      {{"train", "--lr", "-0.1"}, "--lr -0.1: expected a positive number"},
      {{"train", "--lr", "inf"}, "--lr inf: expected a positive number"},
      {{"train", "--lr", "fast"}, "--lr fast: expected a positive number"},
      {{"train", "--noise", "-1"}, "--noise -1: expected a number >= 0"},
      {{"train", "--noise=nan"}, "--noise nan: expected a number >= 0"},
      {{"train", "--no-shuffle=1"}, "--no-shuffle takes no value (got --no-shuffle=1)"},
      {{"train", "--crop", "edge"}, "--crop edge: expected center or random"},
      {{"train", "--crop"}, "--crop: missing value (expected center or random)"},
      {{"train", "--channels", "2"}, "--channels 2: expected 1 or 3"},
      {{"train", "cifar10"},
       "unknown dataset cifar10 for train: expected mnist, fashion or a folder of images"},
      {{"train", "--dataset", "cifar10"}, "--dataset cifar10: expected mnist, fashion or a folder of images"},
      {{"train", "mnist", "extra"},
       "unexpected argument extra for train: expected one dataset (mnist, fashion or a folder of images)"},
      {{"train", "mnist", "--data", "fashion"}, "--data fashion: the dataset is already mnist"},
      {{"train", "--device="}, "--device : expected a device index or part of its name"},
      {{"eval"}, "eval needs --checkpoint FILE (a checkpoint.safetensors from a run folder)"},
      {{"eval", "--checkpoint", "c", "--dataset", "svhn"},
       "--dataset svhn: expected mnist, fashion or a folder of images"},
      {{"eval", "--checkpoint", "c", "--data-set", "fashion"},
       "unknown option --data-set for eval (did you mean --dataset?)"},
      {{"eval", "--checkpoint", "c", "--limit", "0"}, "--limit 0: expected an integer >= 1"},
      {{"eval", "--checkpoint", "c", "other"},
       "unexpected argument other for eval: the checkpoint is already c"},
      {{"denoise", "in.png", "out.png"},
       "denoise needs --checkpoint FILE (a checkpoint.safetensors from a run folder)"},
      {{"denoise", "--checkpoint", "c", "in.png"},
       "denoise needs an input and an output image: vkae denoise --checkpoint FILE in.png out.png"},
      {{"denoise", "--checkpoint", "c", "a", "b", "c"},
       "unexpected argument c for denoise: expected only in.png out.png"},
      {{"devices", "all"}, "unexpected argument all for devices: it takes no arguments"},
      {{"devices", "--json"}, "unknown option --json for devices (see vkae devices --help)"},
      {{"fetch", "cifar10"}, "fetch cifar10: expected mnist or fashion"},
      {{"help", "trian"}, "unknown command trian (did you mean train?)"},
      {{"--version", "x"}, "unexpected argument x for --version"},
  };
  for (const auto& [args, message] : cases) {
    std::string got = "(no InputError)";
    try {
      parse_command_line(std::span<const std::string_view>(args));
    } catch (const InputError& e) {
      got = e.what();
    }
    std::string joined;
    for (const auto a : args) joined += std::string(a) + " ";
    EXPECT_EQ(got, message) << "vkae " << joined;
    EXPECT_EQ(got.find('\n'), std::string::npos);
  }
}

TEST(Cli, ClosestMatch) {
  const std::vector<std::string_view> names = {"--epochs", "--batch", "--lr", "--no-shuffle", "--no-val"};
  EXPECT_EQ(closest_match("--epoch", names), "--epochs");
  EXPECT_EQ(closest_match("--bach", names), "--batch");
  EXPECT_EQ(closest_match("--no-shufle", names), "--no-shuffle");
  EXPECT_EQ(closest_match("--ep", names), "--epochs");
  EXPECT_EQ(closest_match("--zzzzzzz", names), std::nullopt);
  EXPECT_EQ(closest_match("--", names), std::nullopt);
}

struct Captured {
  std::ostringstream out, err;
  Console console{out, err, false, 80};
};

int run(Captured& io, std::initializer_list<std::string_view> args) {
  const std::vector<std::string_view> v(args);
  return run_cli(std::span<const std::string_view>(v), io.console);
}

TEST(Cli, RunCliExitCodesAndOneLineErrors) {
  Captured a;
  EXPECT_EQ(run(a, {"train", "--epoch", "3"}), kExitUsage);
  EXPECT_EQ(a.err.str(), "vkae: unknown option --epoch for train (did you mean --epochs?)\n");
  EXPECT_EQ(a.out.str(), "");

  Captured b;
  EXPECT_EQ(run(b, {"--batch", "0"}), kExitUsage);
  Captured c;
  EXPECT_EQ(run(c, {"train", "--batch", "0"}), kExitUsage);
  EXPECT_EQ(c.err.str(), "vkae: --batch 0: expected an integer >= 1\n");

  Captured h;
  EXPECT_EQ(run(h, {"--train", "--help"}), kExitOk);
  EXPECT_EQ(h.out.str(), help_text("train"));
  EXPECT_EQ(h.err.str(), "");

  Captured v;
  EXPECT_EQ(run(v, {"--version"}), kExitOk);
  EXPECT_EQ(v.out.str(), version_text() + "\n");
}

TEST(Cli, OneLine) {
  EXPECT_EQ(one_line("no suitable device:\n  0 llvmpipe\n  1 other\n"),
            "no suitable device: 0 llvmpipe; 1 other");
  EXPECT_EQ(one_line("plain"), "plain");
  EXPECT_EQ(one_line("a\r\nb\n\n"), "a; b");
}

TEST(Cli, EvalOutput) {
  nn::EvalConfig config;
  config.checkpoint = "runs/a/checkpoint.safetensors";
  nn::EvalResult result{0.10234, "BCE", true, 10000, 3.21, 3115.0, "dae", "mnist", "llvmpipe \"x\""};
  EXPECT_EQ(format_eval_text(config, result), "test BCE 0.1023 on 10000 images (noise 0.5, seed 0) in 3.2 s");
  EXPECT_EQ(
      format_eval_json(config, result),
      "{\"bce\":0.10234,\"loss\":0.10234,\"loss_kind\":\"BCE\",\"images\":10000,\"noise\":0.5,\"seed\":0,"
      "\"model\":\"dae\",\"dataset\":\"mnist\","
      "\"device\":\"llvmpipe \\\"x\\\"\",\"checkpoint\":\"runs/a/checkpoint.safetensors\",\"seconds\":3.21,"
      "\"images_per_s\":3115}");
  // A VAE reports its per-image loss under "loss" only, and no noise (it is not a denoising model).
  const nn::EvalResult vae{163.5,     "BCE + KL per image", false, 10000, 3.21, 3115.0, "vae", "mnist",
                           "llvmpipe"};
  EXPECT_EQ(format_eval_text(config, vae),
            "test BCE + KL per image 163.5000 on 10000 images (seed 0) in 3.2 s");
  EXPECT_EQ(format_eval_json(config, vae).find("\"bce\""), std::string::npos);
  EXPECT_NE(format_eval_json(config, vae).find("\"loss\":163.5,\"loss_kind\":\"BCE + KL per image\""),
            std::string::npos);
  EXPECT_EQ(json_quote("a\\b\n\x01"), "\"a\\\\b\\n\\u0001\"");
}

TEST(Cli, TrainStartLineNamesTheNoiseOnlyForADenoisingModel) {
  const nn::TrainConfig dae;
  EXPECT_EQ(format_train_start(dae, true),
            "training dae on mnist: 20 epochs, batch 128, lr 0.001, noise 0.5, seed 0");
  nn::TrainConfig vae =
      train_config({"train", "fashion", "--model", "vae", "--steps", "8", "--limit", "512"});
  EXPECT_EQ(format_train_start(vae, false),
            "training vae on fashion: 8 steps (unless 20 epochs end first), batch 128, lr 0.001, seed 0, "
            "first 512 images");
  nn::TrainConfig holdout = train_config({"train", "--holdout-class", "7", "--epochs", "1"});
  holdout.holdout_class = 7;
  EXPECT_EQ(format_train_start(holdout, true),
            "training dae on mnist: 1 epoch, batch 128, lr 0.001, noise 0.5, seed 0, holding out class 7");
  // A resumed run's line shows the effective settings nn::train passes to on_start (its checkpoint's), and
  // where they came from.
  nn::TrainConfig resumed = train_config({"train", "--resume", "runs/a/checkpoint.safetensors"});
  resumed.batch = 64;
  resumed.limit = 60000;
  EXPECT_EQ(
      format_train_start(resumed, true),
      "training dae on mnist: 20 epochs, batch 64, lr 0.001, noise 0.5, seed 0, first 60000 images; settings "
      "from runs/a/checkpoint.safetensors");
  // The flag comes from the model's spec: only the denoising ones say "noise".
  for (const char* model : {"dae", "dae-transpose"}) EXPECT_TRUE(nn::resolve_model(model).denoising) << model;
  for (const char* model : {"vae", "dense", "sr", "conv"})
    EXPECT_FALSE(nn::resolve_model(model).denoising) << model;
}

// ---- progress ----

nn::TrainProgress example_progress() {
  nn::TrainProgress p;
  p.epoch = 3;
  p.epochs = 20;
  p.step = 2 * 468 + 212;
  p.epoch_step = 212;
  p.epoch_steps = 468;
  p.loss = 0.10321f;
  p.images_per_s = 1830.4;
  p.eta_s = 252;
  return p;
}

TEST(Progress, FormatDuration) {
  EXPECT_EQ(format_duration(0), "0:00");
  EXPECT_EQ(format_duration(7), "0:07");
  EXPECT_EQ(format_duration(59.6), "1:00");
  EXPECT_EQ(format_duration(252), "4:12");
  EXPECT_EQ(format_duration(3599), "59:59");
  EXPECT_EQ(format_duration(3600), "1:00:00");
  EXPECT_EQ(format_duration(3723), "1:02:03");
  EXPECT_EQ(format_duration(100 * 3600 + 5), "100:00:05");
  EXPECT_EQ(format_duration(-1), "?");
  EXPECT_EQ(format_duration(std::nan("")), "?");
  EXPECT_EQ(format_duration(std::numeric_limits<double>::infinity()), "?");
}

TEST(Progress, Rate) {
  EXPECT_EQ(format_rate(1830.4), "1830 img/s");
  EXPECT_EQ(format_rate(7.46), "7.5 img/s");
  EXPECT_EQ(format_rate(std::nan("")), "? img/s");
}

TEST(Progress, TerminalBar) {
  EXPECT_EQ(render_progress_bar(example_progress(), 120),
            "epoch 3/20 [============>                 ] 212/468  loss 0.1032  1830 img/s  ETA 4:12");
  auto done = example_progress();
  done.epoch_step = 468;
  EXPECT_EQ(render_progress_bar(done, 120),
            "epoch 3/20 [==============================] 468/468  loss 0.1032  1830 img/s  ETA 4:12");
  auto start = example_progress();
  start.epoch_step = 0;
  EXPECT_EQ(render_progress_bar(start, 120),
            "epoch 3/20 [                              ] 0/468  loss 0.1032  1830 img/s  ETA 4:12");
}

TEST(Progress, TerminalBarNeverWraps) {
  for (int width = 1; width <= 200; ++width) {
    const std::string line = render_progress_bar(example_progress(), width);
    EXPECT_LE(line.size(), static_cast<size_t>(std::max(width - 1, 1))) << width;
    EXPECT_EQ(std::string("epoch 3/20").rfind(line.substr(0, 10), 0), 0u) << width << ": " << line;
  }
  // Narrow: a shorter bar, then none.
  EXPECT_EQ(render_progress_bar(example_progress(), 80),
            "epoch 3/20 [=========>             ] 212/468  loss 0.1032  1830 img/s  ETA 4:12");
  EXPECT_EQ(render_progress_bar(example_progress(), 70),
            "epoch 3/20 [====>        ] 212/468  loss 0.1032  1830 img/s  ETA 4:12");
  EXPECT_EQ(render_progress_bar(example_progress(), 60),
            "epoch 3/20 212/468  loss 0.1032  1830 img/s  ETA 4:12");
  EXPECT_EQ(render_progress_bar(example_progress(), 30), "epoch 3/20 212/468  loss 0.10");
}

TEST(Progress, PlainLineAndEpochSummary) {
  EXPECT_EQ(render_progress_line(example_progress()),
            "epoch 3/20  step 212/468 (45%)  loss 0.1032  1830 img/s  ETA 4:12");
  nn::EpochSummary s{3, 1404, 0.10341, 0.10212, 41.33, 1453.2};
  EXPECT_EQ(render_epoch_summary(s, 20),
            "epoch 3/20: train loss 0.1034, val loss 0.1021, 41.3 s, 1453 img/s");
  s.val_loss.reset();
  EXPECT_EQ(render_epoch_summary(s, 20), "epoch 3/20: train loss 0.1034, 41.3 s, 1453 img/s");
  s.complete = false;
  s.epoch_step = 100;
  s.epoch_steps = 468;
  EXPECT_EQ(render_epoch_summary(s, 20),
            "epoch 3/20 (partial: 100 of 468 steps): train loss 0.1034, 41.3 s, 1453 img/s");
}

TEST(Progress, ValidationShowsInTheBarAndTheLine) {
  nn::TrainProgress p = example_progress();
  p.epoch_step = 468;
  p.validating = 10000;
  EXPECT_EQ(render_progress_bar(p, 100),
            "epoch 3/20 [==============================] 468/468  validating on 10000 images  ETA 4:12");
  EXPECT_EQ(render_progress_line(p), "epoch 3/20  step 468/468 (100%)  validating on 10000 images  ETA 4:12");
}

TEST(Progress, TheClosingCountSaysWhatWasPartial) {
  EXPECT_EQ(render_epochs_done(1, 0, 20), "1 epoch");
  EXPECT_EQ(render_epochs_done(20, 0, 20), "20 epochs");
  EXPECT_EQ(render_epochs_done(1, 10, 20), "1 epoch and 10 of 20 steps of epoch 2");
  EXPECT_EQ(render_epochs_done(0, 4, 8), "4 of 8 steps of epoch 1");
}

struct FakeScreen {
  std::string text;
  double now = 0;
  ProgressPrinter printer(bool terminal) {
    return ProgressPrinter([this](std::string_view s) { text += s; }, terminal, 120, 20,
                           [this] { return now; });
  }
};

TEST(Progress, TerminalRedrawsInPlaceAtMostTenTimesASecond) {
  FakeScreen screen;
  auto printer = screen.printer(true);
  auto p = example_progress();
  for (int i = 0; i < 100; ++i) {  // 100 reports over one second
    screen.now = i * 0.01;
    p.epoch_step = 100 + static_cast<uint64_t>(i);
    printer.progress(p);
  }
  const auto draws = std::count(screen.text.begin(), screen.text.end(), '\r');
  EXPECT_GE(draws, 9);
  EXPECT_LE(draws, 11);
  EXPECT_EQ(screen.text.find('\n'), std::string::npos);
  // The epoch's last step is drawn even inside the interval; the summary then replaces the bar.
  p.epoch_step = 468;
  printer.progress(p);
  EXPECT_NE(screen.text.rfind("468/468"), std::string::npos);
  printer.epoch({3, 1404, 0.1034, 0.1021, 41.3, 1453});
  const std::string tail = screen.text.substr(screen.text.rfind("468/468"));
  EXPECT_NE(tail.find("\repoch 3/20: train loss 0.1034, val loss 0.1021, 41.3 s, 1453 img/s\n"),
            std::string::npos);
}

TEST(Progress, NotesGetTheirOwnLine) {
  FakeScreen screen;
  auto printer = screen.printer(true);
  printer.progress(example_progress());
  printer.note("running on llvmpipe (CPU)");
  const size_t note = screen.text.find("running on llvmpipe (CPU)\n");
  ASSERT_NE(note, std::string::npos);
  EXPECT_EQ(screen.text[note - 1], '\r');  // the bar was wiped first
  screen.now = 0.01;                       // inside the interval, but the bar comes back under the note
  printer.progress(example_progress());
  EXPECT_NE(screen.text.find("212/468", note), std::string::npos);
  printer.finish();
  EXPECT_EQ(screen.text.back(), '\r');
}

TEST(Progress, PlainLinesAreThrottled) {
  FakeScreen screen;
  auto printer = screen.printer(false);
  for (int i = 0; i <= 120; ++i) {  // 12 seconds of reports, ten a second
    screen.now = i * 0.1;
    printer.progress(example_progress());
  }
  EXPECT_EQ(std::count(screen.text.begin(), screen.text.end(), '\n'), 3);  // at 0, 5 and 10 s
  EXPECT_EQ(screen.text.find('\r'), std::string::npos);
  printer.epoch({3, 1404, 0.1034, std::nullopt, 41.3, 1453});
  EXPECT_NE(screen.text.find("epoch 3/20: train loss 0.1034, 41.3 s, 1453 img/s\n"), std::string::npos);
  printer.note("note");
  EXPECT_EQ(screen.text.substr(screen.text.size() - 5), "note\n");
}

// ---- the command table ----

// A command is one row of the table: its help, its `--help`, its overview line and its place in the
// "unknown command" list all come from that row.
TEST(CliTable, EveryEntryHasItsHelpOverviewLineAndName) {
  const std::string overview = help_text("");
  std::string listed;
  for (const CommandEntry& entry : command_table()) {
    SCOPED_TRACE(entry.name);
    EXPECT_EQ(help_text(entry.name), entry.help());
    EXPECT_EQ(parse({entry.name, "--help"}).as<HelpCommand>().text, entry.help());
    // A usage too long for its column ends its own line.
    EXPECT_TRUE(overview.find("\n  " + entry.overview_usage + "  ") != std::string::npos ||
                overview.find("\n  " + entry.overview_usage + "\n") != std::string::npos);
    EXPECT_NE(overview.find(entry.overview_line + "\n"), std::string::npos);
    listed += (listed.empty() ? "" : ", ") + entry.name;
  }
  EXPECT_EQ(listed,
            "train, eval, denoise, generate, encode, anomaly, reduce, upscale, devices, fetch, view, bench, "
            "summary, help");
}

// --no-tensorboard, and the command line recorded for TensorBoard's text: quoted for a POSIX shell.
TEST(Cli, TrainRecordsItsCommandLineAndCanSkipTensorboard) {
  EXPECT_TRUE(train_config({"train"}).tensorboard);
  EXPECT_FALSE(train_config({"train", "--no-tensorboard"}).tensorboard);
  EXPECT_EQ(train_config({"train", "fashion", "--epochs=3"}).command_line, "vkae train fashion --epochs=3");
  EXPECT_EQ(train_config({"--train", "--out", "my run"}).command_line, "vkae train --out 'my run'");
  const std::vector<std::string_view> words = {"vkae", "it's", "", "a/b_c-1.5", "$HOME", "x*"};
  EXPECT_EQ(shell_command_line(words), R"(vkae 'it'\''s' '' a/b_c-1.5 '$HOME' 'x*')");
}

}  // namespace
}  // namespace vkae::app
