#pragma once
// A toy agent, added to a copy of the source tree by tests/recipe/test_new_agent_recipe.py through
// the edits docs/CONTRIBUTING.md lists for a new agent: one parameter (toy_pingers.count), one
// event kind (toy_pings) and one per-day dataset (/agents/classes_daily/accounts). It holds an
// empty account, never trades, and after each close logs a ping carrying a draw of its stream.
#include "sim/core/rng.hpp"
#include "sim/engine/agent.hpp"
#include "sim/engine/agent_registry.hpp"

namespace stampede {

// The agent class (Agent::kind(), the run log's agent_class), declared once.
inline constexpr AgentClassInfo kToyPingerClass{"toy_pinger", "toy pingers",
                                                "a toy agent that logs one ping after each close"};

class ToyPinger final : public Agent {
 public:
  ToyPinger(AccountId account, Rng rng) : account_(account), rng_(rng) {}
  const char* kind() const override { return kToyPingerClass.name; }
  void checkpoint(StateIo& io) override { io(rng_); }
  void decide(const MarketView& /*view*/, OrderSink& /*out*/) override {}
  void end_of_day(const MarketView& view, OrderSink& out) override;
  void report(const MarketView& view, ClassMetrics& into) const override;

 private:
  AccountId account_;
  Rng rng_;
};

// The [toy_pingers] section.
AgentKind toy_pingers_kind();

}   // namespace stampede
