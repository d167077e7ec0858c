// Ctrl-C while a command runs (train, view): the first asks to stop after the current steps, the second
// quits at once with exit code 130. Owns the process's SIGINT handler for the guard's lifetime.
#pragma once
#include <csignal>

namespace vkae::app {

// Installs the handler for its lifetime and restores the previous one.
class SigintGuard {
 public:
  SigintGuard();
  SigintGuard(const SigintGuard&) = delete;
  SigintGuard& operator=(const SigintGuard&) = delete;
  ~SigintGuard();
  bool stop_requested() const;

 private:
  struct sigaction previous_ {};
  bool installed_ = false;
};

}  // namespace vkae::app
