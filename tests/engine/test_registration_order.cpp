// An agent's id is its position in the world and its random streams are keyed by its section: the
// order sections populate in is declared (AgentRegistry::populate_first, agents/builtin_agents.cpp),
// not the order they are registered in, and a section added since the first release draws from
// streams keyed by its section name (WorldSetup::stream). So registering sections in another order
// changes nothing, and adding a section changes no other section's ids or draws: every run keeps
// its numbers (the default run's log stays bit-identical).
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "small_world.hpp"

using namespace stampede;

namespace {

// An agent of a section added after the first release: it keeps the first draw of its section's
// stream, so a test sees which stream it was given. It never trades.
class StreamProbe final : public Agent {
 public:
  explicit StreamProbe(std::uint64_t first_draw) : first_draw_(first_draw) {}
  const char* kind() const override { return "stream_probe"; }
  void decide(const MarketView& /*view*/, OrderSink& /*out*/) override {}
  void checkpoint(StateIo& io) override { io(first_draw_); }
  std::uint64_t first_draw() const { return first_draw_; }

 private:
  std::uint64_t first_draw_;
};

AgentKind probe_kind(const std::string& section, int count) {
  return AgentKind{section, {}, [count](const Scenario& /*s*/, WorldSetup& setup) {
                     for (int k = 0; k < count; ++k) {
                       Rng rng = setup.stream("probe", static_cast<std::uint64_t>(k));
                       setup.open_account(setup.next_agent_id(), 0);
                       setup.add_agent(std::make_unique<StreamProbe>(rng()));
                     }
                   }};
}

// Every agent's id and class, in the order of ids.
std::vector<std::pair<AgentId, std::string>> agents_of(const Simulation& sim) {
  std::vector<std::pair<AgentId, std::string>> out;
  for (const auto& a : sim.agents())
    if (dynamic_cast<const StreamProbe*>(a.get()) == nullptr) out.emplace_back(a->id(), a->kind());
  return out;
}

// The first draws of the probes, in the order of ids.
std::vector<std::uint64_t> probe_draws(const Simulation& sim) {
  std::vector<std::uint64_t> out;
  for (const auto& a : sim.agents())
    if (const auto* p = dynamic_cast<const StreamProbe*>(a.get())) out.push_back(p->first_draw());
  return out;
}

// What the built-in agents did in the first day: its closes and the cash and positions of the
// first `accounts` accounts (theirs; a probe's come after them). An agent drawing other numbers
// would trade otherwise. (Checkpoint bytes would not do: structs are copied with their padding.)
std::vector<std::int64_t> first_day(Simulation& sim, std::size_t accounts) {
  while (!sim.step()) {
  }
  std::vector<std::int64_t> out;
  for (double close : sim.day_frame().close) out.push_back(static_cast<std::int64_t>(std::llround(close * 100)));
  for (std::size_t k = 0; k < accounts; ++k) {
    const Account& a = sim.accounts().all()[k];
    out.push_back(a.cash);
    for (const StockPosition& p : a.stocks()) out.insert(out.end(), {p.stock, p.qty, p.sellable});
  }
  return out;
}

std::vector<std::string> population_sections(const AgentRegistry& registry) {
  std::vector<std::string> out;
  for (const AgentKind* k : registry.population_order()) out.push_back(k->section);
  return out;
}

}   // namespace

TEST_CASE("the first release's sections populate first in their pinned order, later ones by section name",
          "[registry]") {
  const std::vector<std::string> pinned{
      "liquidity_providers", "noise_traders",  "snowball",        "retail",          "neutral_funds", "dma",
      "national_team",       "index_enhanced", "value_investors", "margin_investors"};
  CHECK(first_release_sections() == pinned);
  AgentRegistry registry = builtin_agents();
  CHECK(population_sections(registry) == pinned);
  registry.add(probe_kind("zeta", 1));
  registry.add(probe_kind("alpha", 1));
  std::vector<std::string> expected = pinned;
  expected.insert(expected.end(), {"alpha", "zeta"});
  CHECK(population_sections(registry) == expected);
}

TEST_CASE("registering the built-in sections in another order changes no agent's id, class or any step", "[registry]") {
  const AgentRegistry builtin = builtin_agents();
  AgentRegistry reversed;
  for (auto k = builtin.kinds().rbegin(); k != builtin.kinds().rend(); ++k) reversed.add(*k);
  reversed.populate_first(first_release_sections());
  const Scenario s = test::small_world(builtin);
  Simulation a(s, builtin), b(s, reversed);
  CHECK(agents_of(a) == agents_of(b));
  CHECK(a.agent_classes() == b.agent_classes());
  while (a.day() < 1) {
    a.step();
    b.step();
    REQUIRE(a.state_fingerprint() == b.state_fingerprint());
  }
}

TEST_CASE("adding a section changes no built-in agent's id or draws, nor a later section's draws", "[registry]") {
  // "beta" alone, then "alpha" added, which populates before it: the built-in agents are the same
  // and trade the same, and beta's agents draw the same numbers although their ids move.
  AgentRegistry one = builtin_agents();
  one.add(probe_kind("beta", 3));
  AgentRegistry two = builtin_agents();
  two.add(probe_kind("beta", 3));
  two.add(probe_kind("alpha", 2));
  const AgentRegistry none = builtin_agents();
  const Scenario s0 = test::small_world(none), s1 = test::small_world(one), s2 = test::small_world(two);
  Simulation without(s0, none), with_one(s1, one), with_two(s2, two);
  CHECK(agents_of(with_one) == agents_of(without));
  CHECK(agents_of(with_two) == agents_of(without));
  const AgentId first_probe = static_cast<AgentId>(without.agents().size());
  CHECK(with_one.agents().back()->id() == first_probe + 2);   // beta's three
  CHECK(with_two.agents().back()->id() == first_probe + 4);   // alpha's two, then beta's three

  const std::vector<std::uint64_t> beta_alone = probe_draws(with_one), both = probe_draws(with_two);
  REQUIRE(beta_alone.size() == 3);
  REQUIRE(both.size() == 5);
  CHECK(std::vector<std::uint64_t>(both.begin() + 2, both.end()) == beta_alone);
  CHECK(both[0] != both[2]);   // each section's streams are its own

  const std::size_t accounts = without.accounts().all().size();
  const std::vector<std::int64_t> day = first_day(without, accounts);
  CHECK(first_day(with_one, accounts) == day);
  CHECK(first_day(with_two, accounts) == day);
}
