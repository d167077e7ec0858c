// Parsing of the application commands (encode, anomaly, reduce, upscale) without a device: defaults, every
// flag, the exact one-line errors, and help texts that list each flag with its default.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "app/cli.hpp"
#include "base/error.hpp"

namespace vkae::app {
namespace {

template <typename T>
T parse_as(std::initializer_list<std::string_view> args) {
  const std::vector<std::string_view> v(args);
  const Command c = parse_command_line(std::span<const std::string_view>(v));
  EXPECT_TRUE(c.holds<T>()) << "wrong command kind";
  return c.holds<T>() ? c.as<T>() : T{};
}

TEST(CliAnalysis, EncodeDefaultsAndFlags) {
  const EncodeCommand d =
      parse_as<EncodeCommand>({"encode", "--checkpoint", "c.safetensors", "--out", "z.npy"});
  EXPECT_EQ(d.config.checkpoint, "c.safetensors");
  EXPECT_EQ(d.out, "z.npy");
  EXPECT_EQ(d.config.split, nn::Split::Test);
  EXPECT_FALSE(d.config.limit);
  EXPECT_EQ(d.config.dataset, "");
  const EncodeCommand c = parse_as<EncodeCommand>({"encode", "c", "--out=z.csv", "--split", "train",
                                                   "--limit", "64", "--data", "fashion", "--device", "1"});
  EXPECT_EQ(c.config.checkpoint, "c");
  EXPECT_EQ(c.out, "z.csv");
  EXPECT_EQ(c.config.split, nn::Split::Train);
  EXPECT_EQ(c.config.limit, 64u);
  EXPECT_EQ(c.config.dataset, "fashion");
  EXPECT_EQ(c.config.device, "1");
  EXPECT_EQ(parse_as<EncodeCommand>({"encode", "c", "--out", "z.npy", "--data", "/d"}).config.data_dir, "/d");
}

TEST(CliAnalysis, AnomalyReduceUpscaleFlags) {
  const AnomalyCommand a = parse_as<AnomalyCommand>({"anomaly", "--checkpoint", "c"});
  EXPECT_FALSE(a.holdout_name);
  EXPECT_FALSE(a.out);
  EXPECT_FALSE(a.json);
  const AnomalyCommand b = parse_as<AnomalyCommand>({"anomaly", "c", "--holdout-class", "7", "--out", "s.csv",
                                                     "--json", "--limit", "100", "--split", "test"});
  EXPECT_EQ(b.holdout_name, "7");
  EXPECT_EQ(b.out, "s.csv");
  EXPECT_TRUE(b.json);
  EXPECT_EQ(b.config.limit, 100u);
  EXPECT_EQ(parse_as<AnomalyCommand>({"anomaly", "c", "--holdout-class=cat"}).holdout_name, "cat");

  const ReduceCommand r = parse_as<ReduceCommand>({"reduce", "c"});
  EXPECT_FALSE(r.components);
  EXPECT_FALSE(r.fit_limit);
  const ReduceCommand s = parse_as<ReduceCommand>(
      {"reduce", "--checkpoint=c", "--components", "8", "--fit-limit", "1000", "--json"});
  EXPECT_EQ(s.components, 8u);
  EXPECT_EQ(s.fit_limit, 1000u);
  EXPECT_TRUE(s.json);

  const UpscaleCommand u = parse_as<UpscaleCommand>({"upscale", "--checkpoint", "sr", "in.png", "out.png"});
  EXPECT_EQ(u.checkpoint, "sr");
  EXPECT_EQ(u.in_png, "in.png");
  EXPECT_EQ(u.out_png, "out.png");
  EXPECT_EQ(parse_as<UpscaleCommand>({"--upscale", "a.png", "--checkpoint=sr", "--", "--b.png"}).out_png,
            "--b.png");
}

TEST(CliAnalysis, BadInputSaysWhichFlagAndWhatWasExpected) {
  const std::vector<std::pair<std::vector<std::string_view>, std::string>> cases = {
      {{"encode", "--out", "z.npy"},
       "encode needs --checkpoint FILE (a checkpoint.safetensors from a run folder)"},
      {{"encode", "c"}, "encode needs --out FILE.npy or --out FILE.csv"},
      {{"encode", "c", "--out", "z.txt"}, "--out z.txt: expected a path ending in .npy or .csv"},
      {{"encode", "c", "--out", "z.npy", "--split", "val"}, "--split val: expected test or train"},
      {{"encode", "c", "--out", "z.npy", "--limit", "0"}, "--limit 0: expected an integer >= 1"},
      {{"encode", "c", "d"}, "unexpected argument d for encode: the checkpoint is already c"},
      {{"encode", "c", "--checkpoint", "d"}, "unexpected argument d for encode: the checkpoint is already c"},
      {{"encode", "c", "--ouy", "z.npy"}, "unknown option --ouy for encode (did you mean --out?)"},
      {{"encode", "c", "--out"}, "--out: missing value (expected a .npy or .csv path)"},
      {{"encode", "c", "--dataset", "svhn"}, "--dataset svhn: expected mnist, fashion or a folder of images"},
      {{"anomaly"}, "anomaly needs --checkpoint FILE (a checkpoint.safetensors from a run folder)"},
      {{"anomaly", "c", "--holdout-class"}, "--holdout-class: missing value (expected a class name)"},
      {{"anomaly", "c", "--out", "s.json"}, "--out s.json: expected a path ending in .csv or .npy"},
      {{"anomaly", "c", "--json=1"}, "--json takes no value (got --json=1)"},
      {{"anomaly", "c", "--holdout", "3"},
       "unknown option --holdout for anomaly (did you mean --holdout-class?)"},
      {{"reduce"}, "reduce needs --checkpoint FILE (a checkpoint.safetensors from a run folder)"},
      {{"reduce", "c", "--components", "0"}, "--components 0: expected an integer >= 1"},
      {{"reduce", "c", "--fit-limit", "1"}, "--fit-limit 1: expected an integer >= 2"},
      {{"reduce", "c", "--component", "3"},
       "unknown option --component for reduce (did you mean --components?)"},
      {{"upscale", "a.png", "b.png"},
       "upscale needs --checkpoint FILE (a checkpoint.safetensors of a --model sr run)"},
      {{"upscale", "--checkpoint", "c", "a.png"},
       "upscale needs an input and an output image: vkae upscale --checkpoint FILE in.png out.png"},
      {{"upscale", "--checkpoint", "c", "a", "b", "c"},
       "unexpected argument c for upscale: expected only in.png out.png"},
      {{"upscal"}, "unknown command upscal (did you mean upscale?)"},
      {{"encod"}, "unknown command encod (did you mean encode?)"},
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

TEST(CliAnalysis, HelpListsEveryFlagWithDefault) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> flags = {
      {"encode",
       {"--checkpoint FILE", "--out FILE", "--split test|train", "--limit N", "--dataset NAME",
        "--data DIR|NAME", "--device N|NAME", "FILE.labels.npy", "label,z0,z1"}},
      {"anomaly",
       {"--checkpoint FILE", "--holdout-class NAME", "--split test|train", "--limit N", "--out FILE",
        "--json", "--device N|NAME", "ROC AUC"}},
      {"reduce", {"--checkpoint FILE", "--components K", "--limit N", "--fit-limit N", "--json", "PCA"}},
      {"upscale", {"--checkpoint FILE", "--device N|NAME", "in.png out.png"}},
  };
  for (const auto& [command, names] : flags) {
    const std::string text = std::regex_replace(help_text(command), std::regex("\n {6,}"), " ");
    EXPECT_EQ(parse_as<HelpCommand>({command, "--help"}).text, help_text(command));
    for (const auto& name : names)
      EXPECT_NE(text.find(name), std::string::npos) << command << " help lacks " << name;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("  --", 0) != 0) continue;
      EXPECT_TRUE(line.find("default") != std::string::npos || line.find("required") != std::string::npos ||
                  line.find("also write") != std::string::npos)
          << line;
    }
    EXPECT_NE(help_text("").find(command), std::string::npos) << "the overview lists " << command;
  }
}

}  // namespace
}  // namespace vkae::app
