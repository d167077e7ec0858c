// The option tables behind `vkae`'s argument parsing: an Option per flag (name, value, what is expected, help
// line, setter) and a Spec per command, plus the builders and value parsers the command files share. What
// parses a Spec and renders its help is app/command_entry.hpp's; which commands exist is app/cli.cpp's table.
// So a flag cannot exist without its help.
#pragma once
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/text.hpp"
#include "base/error.hpp"
#include "nn/data/dataset.hpp"

namespace vkae::app::cli {

// One option of one command. `expected` completes "--flag VALUE: expected ..." and the missing-value error.
template <typename State>
struct Option {
  std::string_view name;        // "--epochs"
  std::string_view value_name;  // "N"; empty for a switch
  std::string expected;         // "an integer >= 1"
  std::string help;             // one line for the help text, with the default
  std::function<void(State&, std::string_view flag, std::string_view value)> apply;
};

// `State` is what parsing fills in: its `command` member is the parsed command (TrainCommand, ...), the
// rest (a dataset named twice, positionals seen) only what the checks need.
template <typename State>
struct Spec {
  std::string_view command;
  std::string usage;    // the lines after "usage: "
  std::string summary;  // what the command does
  std::vector<Option<State>> options;
  std::function<void(State&, std::string_view arg)> positional;
  std::string notes;                   // after the option list
  std::function<void(State&)> finish;  // required-argument checks; completes state.command
};

// A command's checkpoint, from --checkpoint F or its only positional argument: a second one is an error.
inline void set_checkpoint_path(std::filesystem::path& slot, std::string_view command, std::string_view v) {
  if (!slot.empty())
    throw InputError("unexpected argument " + str(v) + " for " + str(command) +
                     ": the checkpoint is already " + slot.string());
  slot = std::filesystem::path(v);
}

[[noreturn]] inline void bad_value(std::string_view flag, std::string_view value, std::string_view expected) {
  throw InputError(str(flag) + " " + str(value) + ": expected " + str(expected));
}

template <typename T>
T parse_integer(std::string_view flag, std::string_view value, T min, const std::string& expected) {
  T out{};
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec == std::errc::result_out_of_range)
    bad_value(flag, value, expected + " and <= " + std::to_string(std::numeric_limits<T>::max()));
  if (ec != std::errc() || end != value.data() + value.size() || out < min) bad_value(flag, value, expected);
  return out;
}

inline float parse_float(std::string_view flag, std::string_view value, bool allow_zero,
                         const std::string& expected) {
  float out = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(out) || out < 0 ||
      (!allow_zero && out == 0))
    bad_value(flag, value, expected);
  return out;
}

// A byte count: digits, optionally followed by K, M, G or T (binary: 512M is 512 MiB); at least 1.
inline uint64_t parse_size(std::string_view flag, std::string_view value, const std::string& expected) {
  std::string_view digits = value;
  uint64_t unit = 1;
  if (!value.empty()) {
    const char last = static_cast<char>(std::toupper(static_cast<unsigned char>(value.back())));
    const std::string_view units = "KMGT";
    if (const size_t i = units.find(last); i != std::string_view::npos) {
      unit = uint64_t{1} << (10 * (i + 1));
      digits.remove_suffix(1);
    }
  }
  uint64_t count = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  if (ec != std::errc() || digits.empty() || end != digits.data() + digits.size() || count == 0 ||
      count > std::numeric_limits<uint64_t>::max() / unit)
    bad_value(flag, value, expected);
  return count * unit;
}

// The dataset may be named by a positional, --dataset or --data; naming two different ones is an error.
inline void set_dataset(std::optional<std::string>& slot, std::string_view source, std::string_view value) {
  auto name = nn::dataset_from_alias(value);
  if (!name && nn::is_folder_dataset(value)) name = value;  // a folder of images
  if (!name) bad_value(source, value, nn::dataset_names_text());
  if (slot && *slot != *name)
    throw InputError(str(source) + " " + str(value) + ": the dataset is already " + *slot);
  slot = str(*name);
}

// "a folder or mnist|fashion": what --data accepts.
inline std::string folder_or_dataset() {
  return "a folder or " + nn::dataset_name_list("|", "|");
}

// ---- option builders ----

template <typename S, typename T>
Option<S> integer_option(std::string_view name, T min, std::string help, void (*set)(S&, T)) {
  const std::string expected = "an integer >= " + std::to_string(min);
  return {name, "N", expected, std::move(help), [=](S& s, std::string_view flag, std::string_view v) {
            set(s, parse_integer<T>(flag, v, min, expected));
          }};
}

// Finite floats; >= 0, or > 0 when zero is not allowed.
template <typename S>
Option<S> number_option(std::string_view name, bool allow_zero, std::string help, void (*set)(S&, float)) {
  const std::string expected = allow_zero ? "a number >= 0" : "a positive number";
  return {name, "F", expected, std::move(help), [=](S& s, std::string_view flag, std::string_view v) {
            set(s, parse_float(flag, v, allow_zero, expected));
          }};
}

// A size in bytes, "512M" style (parse_size).
template <typename S>
Option<S> size_option(std::string_view name, std::string help, void (*set)(S&, uint64_t)) {
  const std::string expected = "a size like 512M";
  return {name, "SIZE", expected, std::move(help),
          [=](S& s, std::string_view flag, std::string_view v) { set(s, parse_size(flag, v, expected)); }};
}

// Any non-empty text (a path, a name).
template <typename S>
Option<S> text_option(std::string_view name, std::string_view value_name, std::string expected,
                      std::string help, void (*set)(S&, std::string_view)) {
  return {name, value_name, expected, std::move(help), [=](S& s, std::string_view flag, std::string_view v) {
            if (v.empty()) bad_value(flag, v, expected);
            set(s, v);
          }};
}

template <typename S>
Option<S> switch_option(std::string_view name, std::string help, void (*set)(S&)) {
  return {name, "", "", std::move(help), [=](S& s, std::string_view, std::string_view) { set(s); }};
}

template <typename S>
Option<S> dataset_option(std::string_view name, std::string help) {
  return {name, "NAME", nn::dataset_names_text(), std::move(help),
          [](S& s, std::string_view flag, std::string_view v) { set_dataset(s.dataset, flag, v); }};
}

template <typename S>
Option<S> device_option(void (*set)(S&, std::string_view)) {
  return text_option<S>("--device", "N|NAME", "a device index or part of its name",
                        "device index or name part, see `vkae devices` (default: the best; env VKAE_DEVICE)",
                        set);
}

// "HxW" or "S" (a square) for --size.
inline std::pair<uint32_t, uint32_t> parse_size(std::string_view flag, std::string_view v) {
  const std::string expected = "a size H or HxW, e.g. 32 or 48x64";
  const size_t x = v.find('x');
  const uint32_t h = parse_integer<uint32_t>(flag, v.substr(0, x), 1, expected);
  const uint32_t w =
      x == std::string_view::npos ? h : parse_integer<uint32_t>(flag, v.substr(x + 1), 1, expected);
  if (h > 16384 || w > 16384) bad_value(flag, v, expected + ", at most 16384");
  return {h, w};
}

// How a folder's images become the dataset: --channels, --size, --crop, --val-split, --skip-bad (S has
// command.config.images).
template <typename S>
std::vector<Option<S>> image_options() {
  return {
      {"--channels", "1|3", "1 or 3",
       "a folder's images as grey (1) or RGB (3) (default: 3 when any image has colour)",
       [](S& s, std::string_view flag, std::string_view v) {
         if (v != "1" && v != "3") bad_value(flag, v, "1 or 3");
         s.command.config.images.channels = v == "1" ? 1u : 3u;
       }},
      {"--size", "H[xW]", "a size H or HxW, e.g. 32 or 48x64",
       "resize a folder's images to H x W (area average down, bilinear up), keeping the aspect ratio and "
       "cropping the centre (default: the images' own size, when all agree)",
       [](S& s, std::string_view flag, std::string_view v) {
         const auto [h, w] = parse_size(flag, v);
         s.command.config.images.height = h;
         s.command.config.images.width = w;
       }},
      {"--crop", "center|random", "center or random",
       "with --size: train on the centre (default) or on a random window of each image per epoch, drawn "
       "from --seed (the training images kept a margin larger, validation at the size)",
       [](S& s, std::string_view flag, std::string_view v) {
         if (v != "center" && v != "random") bad_value(flag, v, "center or random");
         s.command.config.images.crop = v == "random" ? nn::Crop::Random : nn::Crop::Center;
       }},
      {"--val-split", "F", "a fraction in (0, 1)",
       "hold out this fraction of a folder's images for validation, chosen by --seed, when it has no "
       "train/ and val/ (default 0.1)",
       [](S& s, std::string_view flag, std::string_view v) {
         const float f = parse_float(flag, v, false, "a fraction in (0, 1)");
         if (!(f < 1)) bad_value(flag, v, "a fraction in (0, 1)");
         s.command.config.images.val_split = f;
       }},
      switch_option<S>("--skip-bad",
                       "skip unreadable image files and count them (default: stop at the first)",
                       [](S& s) { s.command.config.images.skip_bad = true; }),
  };
}

// --data takes a dataset name (mnist, fashion) or, for anything else, the folder holding the IDX files.
template <typename S>
Option<S> data_option() {
  return text_option<S>("--data", "DIR|NAME", folder_or_dataset(),
                        "folder with the IDX files (default: the cache, see `vkae fetch`); the values " +
                            nn::dataset_name_list(", ", " and ") +
                            " name the dataset instead (write ./mnist for a folder called mnist)",
                        [](S& s, std::string_view v) {
                          if (nn::dataset_from_alias(v))
                            set_dataset(s.dataset, "--data", v);
                          else
                            s.command.config.data_dir = std::filesystem::path(v);
                        });
}

// `vkae NAME --checkpoint FILE in.png out.png [--device D]`: one image through a model (denoise, upscale).
// `checkpoint_what` completes "the .safetensors checkpoint..." in the help and "(a checkpoint.safetensors
// ...)" in the missing-checkpoint error.
template <typename S>
Spec<S> png_command_spec(std::string_view name, std::string summary, const std::string& checkpoint_help,
                         const std::string& checkpoint_hint) {
  const std::string n(name);
  Spec<S> spec{name,
               "vkae " + n + " --checkpoint FILE in.png out.png [options]",
               std::move(summary),
               {},
               [n](S& s, std::string_view arg) {
                 if (s.positionals == 2)
                   throw InputError("unexpected argument " + str(arg) + " for " + n +
                                    ": expected only in.png out.png");
                 (s.positionals++ == 0 ? s.command.in_png : s.command.out_png) = std::filesystem::path(arg);
               },
               ""};
  spec.options = {
      text_option<S>("--checkpoint", "FILE", "a checkpoint file", checkpoint_help,
                     [](S& s, std::string_view v) { s.command.checkpoint = std::filesystem::path(v); }),
      device_option<S>([](S& s, std::string_view v) { s.command.device = str(v); }),
      integer_option<S, uint32_t>("--tile", 16,
                                  "run a convolutional model over tiles of at most N x N input pixels, "
                                  "overlapping by its receptive field (default: what the device allows)",
                                  [](S& s, uint32_t v) { s.command.tile = v; }),
  };
  spec.finish = [n, checkpoint_hint](S& s) {
    if (s.command.checkpoint.empty())
      throw InputError(n + " needs --checkpoint FILE (" + checkpoint_hint + ")");
    if (s.positionals < 2)
      throw InputError(n + " needs an input and an output image: vkae " + n +
                       " --checkpoint FILE in.png out.png");
  };
  return spec;
}

}  // namespace vkae::app::cli
