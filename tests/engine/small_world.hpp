#pragma once
// A small, fast world for engine tests: a few dozen stocks, a few hundred traders, 15-minute
// steps; plus a scripted agent whose orders a test writes by hand.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <tbb/task_arena.h>

#include "agents/builtin_agents.hpp"
#include "sim/core/state_io.hpp"
#include "sim/engine/simulation.hpp"

namespace stampede::test {

inline std::vector<std::string> small_world_overrides() {
  return {"days=3", "session.step_minutes=15", "stocks.microcaps=30", "stocks.index_constituents=20",
          "stocks.large_caps=4", "indices.microcap_members=20", "noise_traders.count=400", "retail.count=400",
          "liquidity_providers.per_future=2", "snowball.notes_per_issuer=50",
          "neutral_funds.count=3", "neutral_funds.capital_yuan_median=2e6", "neutral_funds.basket_size=10",
          "neutral_funds.rebalance_every_steps=4", "dma.accounts=4", "dma.equity_yuan_median=5e5", "dma.basket_size=10",
          "dma.rebalance_every_steps=4",
          "index_enhanced.count=0", "index_enhanced.capital_yuan_median=2e6", "index_enhanced.basket_size=10"};
}

// A test agent: each step it runs `script(view, sink, account)`.
using Script = std::function<void(const MarketView&, OrderSink&, AccountId)>;

class ScriptedAgent final : public Agent {
 public:
  ScriptedAgent(AccountId account, Script script) : account_(account), script_(std::move(script)) {}
  const char* kind() const override { return "scripted"; }
  void decide(const MarketView& view, OrderSink& out) override { script_(view, out, account_); }
  AccountId account() const { return account_; }

 private:
  AccountId account_;
  Script script_;
};

// Built-in agents plus one scripted agent with `cash_yuan` (its account is the last one opened).
inline AgentRegistry registry_with_script(Script script, double cash_yuan = 1e7) {
  AgentRegistry r = builtin_agents();
  r.add(AgentKind{"scripted", {}, [script, cash_yuan](const Scenario&, WorldSetup& setup) {
                    const AgentId id = setup.next_agent_id();
                    const AccountId acc = setup.open_account(id, static_cast<Fen>(cash_yuan * 100));
                    setup.add_agent(std::make_unique<ScriptedAgent>(acc, script));
                  }});
  return r;
}

inline Scenario small_world(const AgentRegistry& registry, std::vector<std::string> extra = {}) {
  std::vector<std::string> o = small_world_overrides();
  o.insert(o.end(), extra.begin(), extra.end());
  return Scenario::parse("", "small world", registry.all_params(), o);
}

// The small world for a registry with only some agent kinds: overrides of sections the registry
// does not have are dropped.
inline Scenario small_world_for(const AgentRegistry& registry, const std::vector<std::string>& extra,
                                const std::string& name = "small world") {
  const std::vector<ParamSpec> specs = registry.all_params();
  std::vector<std::string> o;
  for (const std::string& kv : small_world_overrides()) {
    const std::string key = kv.substr(0, kv.find('='));
    for (const ParamSpec& s : specs)
      if (s.key == key) o.push_back(kv);
  }
  o.insert(o.end(), extra.begin(), extra.end());
  return Scenario::parse("", name, specs, o);
}

// Steps `sim` to the start of `day` as the run driver does: events taken after every step, so a
// checkpoint taken there holds none.
inline void run_to_day(Simulation& sim, DayIndex day) {
  while (sim.day() < day) {
    sim.step();
    sim.take_events();
  }
}

// A fresh simulation of `s` loaded from `original`'s checkpoint (taken at a day boundary), and how
// many of the checkpoint's bytes the load left unread.
struct Resumed {
  std::unique_ptr<Simulation> sim;
  std::size_t unread = 0;
};
inline Resumed resume_from_checkpoint(Simulation& original, const Scenario& s, const AgentRegistry& registry) {
  std::vector<char> bytes;
  StateIo w(bytes);
  original.checkpoint(w);
  Resumed out{std::make_unique<Simulation>(s, registry)};
  StateIo r(bytes.data(), bytes.size());
  out.sim->checkpoint(r);
  out.unread = r.remaining();
  return out;
}

inline const ScriptedAgent& scripted(const Simulation& sim) {
  return dynamic_cast<const ScriptedAgent&>(*sim.agents().back());
}

}  // namespace stampede::test
