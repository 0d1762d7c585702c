// The intraday timetable: an opening call auction step (9:15), continuous steps over
// 9:30-11:30 and 13:00-14:57, and a closing call auction step (14:57). Continuous steps have the
// scenario's length; the last step of a session is shortened to end at the session's close.
#include <catch2/catch.hpp>

#include "sim/market/session_clock.hpp"

using namespace stampede;

namespace {
constexpr int hm(int h, int m) { return h * 60 + m; }

int total_length(const SessionClock& c) {
  int t = 0;
  for (int k = 0; k < c.steps_per_day(); ++k) t += c.step(k).length;
  return t;
}
}  // namespace

TEST_CASE("one-minute steps: 1 opening + 120 morning + 117 afternoon + 1 closing = 239 steps", "[session]") {
  SessionClock c(1);
  REQUIRE(c.steps_per_day() == 239);
  CHECK(c.continuous_steps() == 237);
  CHECK(c.continuous_minutes() == 237);
  CHECK(total_length(c) == 237);

  CHECK(c.step(0).phase == StepPhase::OpeningAuction);
  CHECK(c.step(0).minute == hm(9, 15));
  CHECK(c.step(0).length == 0);

  CHECK(c.step(1).phase == StepPhase::Continuous);
  CHECK(c.step(1).minute == hm(9, 30));
  CHECK(c.step(1).length == 1);
  CHECK(c.step(120).phase == StepPhase::Continuous);
  CHECK(c.step(120).minute == hm(11, 29));   // last morning step
  CHECK(c.step(121).minute == hm(13, 0));    // first afternoon step: the lunch break is skipped
  CHECK(c.step(237).phase == StepPhase::Continuous);
  CHECK(c.step(237).minute == hm(14, 56));   // last continuous step
  CHECK(c.step(237).length == 1);

  CHECK(c.step(238).phase == StepPhase::ClosingAuction);
  CHECK(c.step(238).minute == hm(14, 57));
  CHECK(c.step(238).length == 0);
}

TEST_CASE("only the first and last steps are auctions, and step minutes increase", "[session]") {
  for (int minutes : {1, 5, 15}) {
    SessionClock c(minutes);
    INFO("step minutes " << minutes);
    for (int k = 1; k + 1 < c.steps_per_day(); ++k) {
      CHECK(c.step(k).phase == StepPhase::Continuous);
      CHECK(c.step(k).minute > c.step(k - 1).minute);
      CHECK(c.step(k).length > 0);
    }
  }
}

TEST_CASE("five-minute steps: 24 morning + 24 afternoon steps, the last afternoon step is 2 minutes", "[session]") {
  // Morning: 120 / 5 = 24 full steps. Afternoon: 117 = 23 * 5 + 2, so 24 steps, the last of 2 minutes.
  SessionClock c(5);
  REQUIRE(c.steps_per_day() == 1 + 24 + 24 + 1);
  CHECK(total_length(c) == 237);
  CHECK(c.step(24).minute == hm(11, 25));
  CHECK(c.step(24).length == 5);
  CHECK(c.step(25).minute == hm(13, 0));
  CHECK(c.step(47).minute == hm(14, 50));
  CHECK(c.step(47).length == 5);
  CHECK(c.step(48).minute == hm(14, 55));
  CHECK(c.step(48).length == 2);
  CHECK(c.step(49).phase == StepPhase::ClosingAuction);
}

TEST_CASE("fifteen-minute steps: 8 morning + 8 afternoon steps, the last afternoon step is 12 minutes", "[session]") {
  // Morning: 120 / 15 = 8. Afternoon: 117 = 7 * 15 + 12, so 8 steps, the last of 12 minutes.
  SessionClock c(15);
  REQUIRE(c.steps_per_day() == 1 + 8 + 8 + 1);
  CHECK(total_length(c) == 237);
  CHECK(c.step(8).minute == hm(11, 15));
  CHECK(c.step(8).length == 15);
  CHECK(c.step(9).minute == hm(13, 0));
  CHECK(c.step(16).minute == hm(14, 45));
  CHECK(c.step(16).length == 12);
  CHECK(c.step(17).phase == StepPhase::ClosingAuction);
  CHECK(c.step(17).minute == hm(14, 57));
}

TEST_CASE("in_last_minutes: the settlement hour with one-minute steps", "[session]") {
  SessionClock c(1);
  // The last 60 continuous minutes start at 13:57 (60 minutes before 14:57): step 121 + 57.
  const int first_in = 121 + 57;
  REQUIRE(c.step(first_in).minute == hm(13, 57));
  CHECK(c.in_last_minutes(first_in, 60));
  CHECK_FALSE(c.in_last_minutes(first_in - 1, 60));
  CHECK(c.in_last_minutes(237, 60));
  CHECK(c.in_last_minutes(238, 60));          // the closing auction belongs to the window
  CHECK_FALSE(c.in_last_minutes(0, 60));      // the opening auction never does
  CHECK_FALSE(c.in_last_minutes(0, 1000));
  int continuous_in = 0;
  for (int k = 1; k < 238; ++k) continuous_in += c.in_last_minutes(k, 60) ? 1 : 0;
  CHECK(continuous_in == 60);
}

TEST_CASE("in_last_minutes: a two-hour window reaches back over lunch into the morning", "[session]") {
  SessionClock c(1);
  // 120 continuous minutes = the 117 afternoon minutes + 11:27-11:30 of the morning.
  CHECK(c.step(118).minute == hm(11, 27));
  CHECK(c.in_last_minutes(118, 120));
  CHECK_FALSE(c.in_last_minutes(117, 120));
  int continuous_in = 0;
  for (int k = 1; k < 238; ++k) continuous_in += c.in_last_minutes(k, 120) ? 1 : 0;
  CHECK(continuous_in == 120);
}

TEST_CASE("in_last_minutes: with five-minute steps the hour starts at the 14:00 step", "[session]") {
  SessionClock c(5);
  // Step 37 starts at 14:00, 57 minutes before the close; step 36 starts at 13:55, 62 before.
  REQUIRE(c.step(37).minute == hm(14, 0));
  CHECK(c.in_last_minutes(37, 60));
  CHECK_FALSE(c.in_last_minutes(36, 60));
  CHECK(c.in_last_minutes(48, 60));
  CHECK(c.in_last_minutes(48, 2));
  CHECK_FALSE(c.in_last_minutes(47, 2));
}
