#include "sim/market/session_clock.hpp"

#include <algorithm>

namespace stampede {

namespace {
void add_session(std::vector<IntradayStep>& steps, int start, int end, int step_minutes) {
  for (int m = start; m < end; m += step_minutes)
    steps.push_back({StepPhase::Continuous, m, std::min(step_minutes, end - m)});
}
}  // namespace

SessionClock::SessionClock(int step_minutes) {
  steps_.push_back({StepPhase::OpeningAuction, 9 * 60 + 15, 0});
  add_session(steps_, 9 * 60 + 30, 11 * 60 + 30, step_minutes);
  add_session(steps_, 13 * 60, 14 * 60 + 57, step_minutes);
  steps_.push_back({StepPhase::ClosingAuction, 14 * 60 + 57, 0});
}

bool SessionClock::in_last_minutes(int k, int minutes) const {
  const IntradayStep& s = steps_[k];
  if (s.phase != StepPhase::Continuous) return s.phase == StepPhase::ClosingAuction;
  // minutes of continuous trading remaining after this step starts
  int remaining = 0;
  for (int j = k; j < steps_per_day(); ++j) remaining += steps_[j].length;
  return remaining <= minutes;
}

}  // namespace stampede
