#pragma once
// The intraday timetable: an opening call auction, continuous steps over the morning and
// afternoon sessions, and a closing call auction. Step lengths come from the scenario.
#include <cstdint>
#include <string>
#include <vector>

namespace stampede {

enum class StepPhase : std::uint8_t { OpeningAuction = 0, Continuous = 1, ClosingAuction = 2 };
// The phases' names, by code: the run log's /step_phase flags and the Python agents' view.
inline const std::vector<std::string>& step_phase_names() {
  static const std::vector<std::string> names{"opening_auction", "continuous", "closing_auction"};
  return names;
}

struct IntradayStep {
  StepPhase phase;
  std::int32_t minute;      // minute of day at which the step starts (570 = 9:30)
  std::int32_t length;      // minutes of trading the step stands for (auctions: 0)
};

class SessionClock {
 public:
  explicit SessionClock(int step_minutes);
  int steps_per_day() const { return static_cast<int>(steps_.size()); }
  const IntradayStep& step(int k) const { return steps_[k]; }
  int continuous_steps() const { return steps_per_day() - 2; }
  int continuous_minutes() const { return kContinuousMinutes; }
  // Steps whose start lies in the last `minutes` of continuous trading (for settlement windows).
  bool in_last_minutes(int k, int minutes) const;

  static constexpr int kContinuousMinutes = 120 + 117;  // 9:30-11:30 and 13:00-14:57

 private:
  std::vector<IntradayStep> steps_;
};

}  // namespace stampede
