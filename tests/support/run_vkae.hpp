// Test support for the end-to-end tests: runs the real `vkae` binary (VKAE_BINARY) through the shell with
// stdin from /dev/null, and returns its exit code with stdout and stderr captured apart; plus the check that
// a failure is one clear line. What a command should print is each test's business.
#pragma once
#include <filesystem>
#include <string>

namespace vkae::test {

struct Outcome {
  int code = -1;  // the exit status; 128 + the signal's number when the process was killed
  std::string out, err;
};

// `args` is a shell-quoted string. With `validation`, VKAE_VALIDATION=1 turns the validation layers on, so a
// validation message would land on stderr and a successful run must leave stderr empty.
Outcome run_vkae(const std::string& args, bool validation = false);
// The same with `prefix` before the binary in the shell command ("timeout -s KILL 2 ", "ulimit -f 64; ")
// and `suffix` after its redirections (" & pid=$!; ...; wait $pid": the last command's status is the code).
Outcome run_vkae_after(const std::string& prefix, const std::string& args, const std::string& suffix = "");

// An empty folder of this test process for one run's outputs: <tmp>/vkae-<suite>-<pid>-<name>, removed first.
std::filesystem::path scratch_dir(const std::string& suite, const std::string& name);

// A failed run that did not crash and printed one line on stderr, "vkae: ..." containing `needle`.
void expect_one_line_error(const Outcome& r, const std::string& needle);

}  // namespace vkae::test
