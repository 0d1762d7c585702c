#pragma once
// A small world for the neutral-fund and DMA tests: the built-in agents plus a "dumper" that owns
// a block of every stock and, on chosen days, offers the stocks it is told to at the limit-down
// price from the first continuous step (so their books lock limit-down for the day).
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "agents/dma_account.hpp"
#include "agents/neutral_fund.hpp"
#include "small_world.hpp"

namespace stampede::test {

struct DumpPlan {
  std::vector<InstrumentId> stocks;   // filled by the test once the world exists
  std::set<DayIndex> days;
};

class Dumper final : public Agent {
 public:
  Dumper(AccountId account, std::shared_ptr<DumpPlan> plan) : account_(account), plan_(std::move(plan)) {}
  const char* kind() const override { return "dumper"; }
  void decide(const MarketView& v, OrderSink& out) override {
    if (v.phase != StepPhase::Continuous || v.step_in_day != 1 || plan_->days.count(v.day) == 0) return;
    for (InstrumentId s : plan_->stocks) {
      const Qty qty = v.account(account_).sellable(s);
      if (qty > 0) out.limit(account_, s, Side::Sell, v.quote(s).lower, qty);
    }
  }
  AccountId account() const { return account_; }

 private:
  AccountId account_;
  std::shared_ptr<DumpPlan> plan_;
};

// Built-in agents plus the dumper, granted `share` of every stock's float (after the others).
inline AgentRegistry registry_with_dumper(std::shared_ptr<DumpPlan> plan, double share = 0.05) {
  AgentRegistry r = builtin_agents();
  r.add(AgentKind{"dumper", {}, [plan, share](const Scenario&, WorldSetup& setup) {
                    const AgentId id = setup.next_agent_id();
                    const AccountId acc = setup.open_account(id, 0);
                    const Universe& u = setup.universe();
                    for (int i = 0; i < u.size(); ++i)
                      setup.grant_shares(acc, i, static_cast<Qty>(share * static_cast<double>(u.shares_outstanding[i])));
                    setup.add_agent(std::make_unique<Dumper>(acc, plan));
                  }});
  return r;
}

template <class T>
std::vector<const T*> agents_of(const Simulation& sim) {
  std::vector<const T*> out;
  for (const auto& a : sim.agents())
    if (auto* p = dynamic_cast<const T*>(a.get())) out.push_back(p);
  return out;
}

// Shares of `stocks` the account holds.
inline Qty held(const Simulation& sim, AccountId acc, const std::vector<InstrumentId>& stocks) {
  Qty q = 0;
  for (InstrumentId s : stocks) q += sim.accounts()[acc].holding(s);
  return q;
}

// Value of the account's stocks at the view's last prices (yuan).
inline double long_value(const Simulation& sim, AccountId acc) {
  double v = 0;
  for (const StockPosition& p : sim.accounts()[acc].stocks())
    v += static_cast<double>(p.qty) * sim.view().quote(p.stock).last / 100.0;
  return v;
}

// Collects events of the given kinds as the run goes.
struct EventLog {
  std::vector<EventRow> rows;
  void take(Simulation& sim, const std::set<std::string>& kinds) {
    for (auto& [kind, list] : sim.take_events())
      if (kinds.count(kind))
        for (EventRow& e : list) {
          e.agent_class = kind;   // keep the kind with the row
          rows.push_back(std::move(e));
        }
  }
  std::vector<EventRow> of(const std::string& kind, const std::string& reason = "") const {
    std::vector<EventRow> out;
    for (const EventRow& e : rows)
      if (e.agent_class == kind && (reason.empty() || e.reason == reason)) out.push_back(e);
    return out;
  }
};

}  // namespace stampede::test
