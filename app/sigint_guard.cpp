// The stop-signal handler behind SigintGuard: lock-free counters and a message written with write(2), the
// only things a signal handler may touch.
#include "app/sigint_guard.hpp"

#include <unistd.h>

#include <atomic>

#include "app/console.hpp"

namespace vkae::app {
namespace {

// A signal handler can only reach static state, hence these globals: how many stop signals came, and the
// first one's number.
std::atomic<int> g_interrupts{0};
std::atomic<int> g_first_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs lock-free counters");

extern "C" void on_stop_signal(int signo) {
  int none = 0;
  g_first_signal.compare_exchange_strong(none, signo);
  if (g_interrupts.fetch_add(1) >= 1) _exit(128 + g_first_signal.load());  // the second: quit now
  static const char kInt[] = "\nvkae: stopping after the current steps and saving; Ctrl-C again quits now\n";
  static const char kTerm[] = "\nvkae: SIGTERM: stopping after the current steps and saving\n";
  static const char kHup[] = "\nvkae: SIGHUP: stopping after the current steps and saving\n";
  const char* message = signo == SIGTERM ? kTerm : signo == SIGHUP ? kHup : kInt;
  const size_t size = signo == SIGTERM ? sizeof kTerm : signo == SIGHUP ? sizeof kHup : sizeof kInt;
  const ssize_t ignored = write(STDERR_FILENO, message, size - 1);
  (void)ignored;
}

}  // namespace

SigintGuard::SigintGuard() {
  g_interrupts = 0;
  g_first_signal = 0;
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  for (int i = 0; i < 3; ++i) {
    installed_[i] = sigaction(kSignals[i], &action, &previous_[i]) == 0;
    // A shell that started us in the background ignores SIGINT for us (nohup: SIGHUP); keep it that way.
    if (installed_[i] && previous_[i].sa_handler == SIG_IGN) {
      sigaction(kSignals[i], &previous_[i], nullptr);
      installed_[i] = false;
    }
  }
}

SigintGuard::~SigintGuard() {
  for (int i = 0; i < 3; ++i)
    if (installed_[i]) sigaction(kSignals[i], &previous_[i], nullptr);
}

bool SigintGuard::stop_requested() const {
  return g_interrupts.load() > 0;
}

std::string SigintGuard::signal_name() const {
  const int s = g_first_signal.load();
  return s == SIGTERM ? "SIGTERM" : s == SIGHUP ? "SIGHUP" : "Ctrl-C";
}

int SigintGuard::exit_code() const {
  const int s = g_first_signal.load();
  return s == SIGTERM || s == SIGHUP ? 128 + s : kExitInterrupted;
}

}  // namespace vkae::app
