// Ctrl-C, SIGTERM and SIGHUP while a command runs (train, view): the first asks to stop after the current
// steps (training then saves its checkpoint and exits 128 + the signal's number: 130, 143, 129), a second
// quits at once. Owns the process's handlers of the three signals for the guard's lifetime.
#pragma once
#include <csignal>
#include <string>

namespace vkae::app {

// Installs the handlers for its lifetime and restores the previous ones.
class SigintGuard {
 public:
  SigintGuard();
  SigintGuard(const SigintGuard&) = delete;
  SigintGuard& operator=(const SigintGuard&) = delete;
  ~SigintGuard();
  bool stop_requested() const;
  // After a stop request: "Ctrl-C", "SIGTERM" or "SIGHUP", and the exit code it asks for.
  std::string signal_name() const;
  int exit_code() const;

 private:
  static constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
  struct sigaction previous_[3]{};
  bool installed_[3] = {};
};

}  // namespace vkae::app
