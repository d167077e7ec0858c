// The SIGINT handler behind SigintGuard: a lock-free counter and a message written with write(2), the only
// things a signal handler may touch.
#include "app/sigint_guard.hpp"

#include <unistd.h>

#include <atomic>

#include "app/console.hpp"

namespace vkae::app {
namespace {

// Ctrl-C while training. A signal handler can only reach static state, hence this one global.
std::atomic<int> g_interrupts{0};
static_assert(std::atomic<int>::is_always_lock_free, "the SIGINT handler needs a lock-free counter");

extern "C" void on_sigint(int) {
  if (g_interrupts.fetch_add(1) >= 1) _exit(kExitInterrupted);  // the second Ctrl-C: quit now
  static const char kMessage[] =
      "\nvkae: stopping after the current steps and saving; Ctrl-C again quits now\n";
  const ssize_t ignored = write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  (void)ignored;
}

}  // namespace

SigintGuard::SigintGuard() {
  g_interrupts = 0;
  struct sigaction action {};
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  installed_ = sigaction(SIGINT, &action, &previous_) == 0;
  // A shell that started us in the background ignores SIGINT for us; keep it that way.
  if (installed_ && previous_.sa_handler == SIG_IGN) {
    sigaction(SIGINT, &previous_, nullptr);
    installed_ = false;
  }
}

SigintGuard::~SigintGuard() {
  if (installed_) sigaction(SIGINT, &previous_, nullptr);
}

bool SigintGuard::stop_requested() const {
  return g_interrupts.load() > 0;
}

}  // namespace vkae::app
