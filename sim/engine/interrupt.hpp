#pragma once
// SIGINT / SIGTERM: the first one asks running simulations to stop cleanly at the end of their
// current step (run_simulation polls the flag); a second one ends the process at once, with the
// signal's default action. The flag is a lock-free atomic, so the handler is async-signal-safe.
#include <atomic>

namespace stampede {

// 0, or the number of the first SIGINT / SIGTERM received once the handlers are installed.
std::atomic<int>& interrupt_signal();
// Installs the handlers (idempotent). Also ignores SIGXFSZ, so writing past the file size
// limit fails with EFBIG (a clear error) instead of killing the process.
void install_interrupt_handlers();
// Exit status for a run stopped by `signal`: 128 + signal (130 for SIGINT, 143 for SIGTERM).
inline int interrupt_exit_code(int signal) { return 128 + signal; }
const char* signal_name(int signal);

}  // namespace stampede
