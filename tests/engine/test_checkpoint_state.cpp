// Checkpoints in process (sim/core/state_io.hpp, Simulation::checkpoint): a simulation loaded from
// another's checkpoint at a day boundary continues exactly as the original does; StateIo catches
// member lists that differ between saving and loading. The run log side (a killed `stampede run`,
// then --resume) is tests/cli/test_checkpoint_resume.py.
#include <catch2/catch.hpp>

#include <deque>
#include <map>
#include <optional>
#include <set>

#include "sim/core/state_io.hpp"
#include "small_world.hpp"

using namespace stampede;

namespace {

struct Parts {
  int a = 1;
  std::string name = "x";
  std::vector<double> values{1.5, 2.5};
  std::deque<std::pair<int, std::string>> queue{{1, "one"}};
  std::map<std::string, std::int64_t> counts{{"k", 3}};
  std::set<int> ids{4, 5};
  std::optional<int> maybe = 7;
  std::vector<bool> flags{true, false, true};
  void checkpoint(StateIo& io) { io(a, name, values, queue, counts, ids, maybe, flags); }
};

std::vector<std::uint64_t> fingerprints_until_end(Simulation& sim) {
  std::vector<std::uint64_t> out;
  while (!sim.finished())
    if (sim.step()) out.push_back(sim.state_fingerprint());
  return out;
}

}  // namespace

TEST_CASE("StateIo writes and reads back standard containers and nested types", "[checkpoint]") {
  Parts saved;
  saved.a = 9;
  saved.values.push_back(-0.0);
  saved.queue.emplace_back(2, "two");
  saved.maybe.reset();
  std::vector<char> bytes;
  StateIo w(bytes);
  w(saved);
  Parts loaded;
  loaded.values.clear();
  StateIo r(bytes.data(), bytes.size());
  r(loaded);
  CHECK(r.remaining() == 0);
  CHECK(loaded.a == 9);
  CHECK(loaded.values == saved.values);
  CHECK(loaded.queue == saved.queue);
  CHECK(loaded.counts == saved.counts);
  CHECK(loaded.ids == saved.ids);
  CHECK(!loaded.maybe.has_value());
  CHECK(loaded.flags == saved.flags);
}

TEST_CASE("StateIo names the section whose member list differs between saving and loading", "[checkpoint]") {
  std::vector<char> bytes;
  StateIo w(bytes);
  int x = 1, y = 2;
  w.framed("agent 3 (value_investor)", [&] { w(x, y); });
  StateIo r(bytes.data(), bytes.size());
  CHECK_THROWS_WITH(r.framed("agent 3 (value_investor)", [&] { r(x); }),
                    Catch::Contains("agent 3 (value_investor) read 4 of its 8 checkpoint bytes"));
  StateIo t(bytes.data(), bytes.size());
  CHECK_THROWS_AS(t.tag("book"), CheckpointError);
}

TEST_CASE("a simulation loaded from a checkpoint continues exactly as the original", "[checkpoint]") {
  const AgentRegistry reg = builtin_agents();
  // Margin investors close to their line, so calls and forced sales are part of the state saved.
  const Scenario s =
      test::small_world(reg, {"days=4", "index_enhanced.count=2", "margin_investors.count=50",
                              "margin_investors.start_ratio_min=1.3", "margin_investors.start_ratio_max=1.4"});
  Simulation original(s, reg);
  test::run_to_day(original, 2);
  REQUIRE(original.at_day_boundary());
  auto [loaded, unread] = test::resume_from_checkpoint(original, s, reg);
  Simulation& resumed = *loaded;
  CHECK(unread == 0);
  CHECK(resumed.day() == 2);
  CHECK(resumed.global_step() == original.global_step());
  CHECK(resumed.state_fingerprint() == original.state_fingerprint());
  CHECK(fingerprints_until_end(resumed) == fingerprints_until_end(original));
}

TEST_CASE("a checkpoint does not load into another world", "[checkpoint]") {
  const AgentRegistry reg = builtin_agents();
  Simulation a(test::small_world(reg, {"days=2"}), reg);
  while (a.day() < 1) {
    a.step();
    a.take_events();
  }
  std::vector<char> bytes;
  StateIo w(bytes);
  a.checkpoint(w);
  Simulation b(test::small_world(reg, {"days=2", "noise_traders.count=7"}), reg);
  StateIo r(bytes.data(), bytes.size());
  CHECK_THROWS_AS(b.checkpoint(r), CheckpointError);
}
