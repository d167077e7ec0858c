// The non-template parts of the generic parser: help flags, word wrapping and the "did you mean" distance.
#include "app/spec_parser.hpp"

namespace vkae::app {

bool is_help_flag(std::string_view a) {
  return a == "--help" || a == "-h";
}

std::string wrap(std::string_view text, size_t indent, size_t width) {
  std::string out, line;
  while (!text.empty()) {
    const size_t space = std::min(text.find(' '), text.size());
    const std::string_view word = text.substr(0, space);
    text.remove_prefix(std::min(space + 1, text.size()));
    if (!line.empty() && indent + line.size() + 1 + word.size() > width) {
      out += line + "\n" + std::string(indent, ' ');
      line.clear();
    }
    line += (line.empty() ? "" : " ") + str(word);
  }
  return out + line;
}

std::optional<std::string> closest_match(std::string_view word,
                                         std::span<const std::string_view> candidates) {
  auto core = [](std::string_view s) { return s.substr(std::min(s.find_first_not_of('-'), s.size())); };
  const std::string_view w = core(word);
  if (w.empty()) return std::nullopt;
  std::optional<std::string> best;
  size_t best_score = w.size() >= 5 ? 3 : 2;  // accept scores below this
  for (const auto candidate : candidates) {
    const std::string_view c = core(candidate);
    std::vector<size_t> row(c.size() + 1);  // Levenshtein distance, one row at a time
    for (size_t j = 0; j <= c.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= w.size(); ++i) {
      size_t diagonal = row[0];
      row[0] = i;
      for (size_t j = 1; j <= c.size(); ++j) {
        const size_t above = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (w[i - 1] == c[j - 1] ? 0 : 1)});
        diagonal = above;
      }
    }
    size_t score = row[c.size()];
    if (w.size() >= 2 && c.substr(0, w.size()) == w) score = std::min<size_t>(score, 1);  // a prefix
    if (score < best_score) {
      best_score = score;
      best = str(candidate);
    }
  }
  return best;
}

}  // namespace vkae::app
