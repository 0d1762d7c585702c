// Market makers withdraw under stress: a scripted seller hammers one stock, its makers lose,
// cancel their quotes and quote nothing for the cooldown, then come back; a scripted buyer that
// lifts every offer makes the flow one-sided and the makers step aside too.
#include <catch2/catch.hpp>

#include "agents/liquidity_provider.hpp"
#include "small_world.hpp"

using namespace stampede;

namespace {
constexpr InstrumentId kStock = 3;

// Built-in agents plus a scripted agent holding cash and `shares` of kStock.
AgentRegistry registry_with_holder(test::Script script, Qty shares) {
  AgentRegistry r = builtin_agents();
  r.add(AgentKind{"scripted", {}, [script, shares](const Scenario&, WorldSetup& setup) {
                    const AgentId id = setup.next_agent_id();
                    const AccountId acc = setup.open_account(id, Fen{100'000'000} * 100);
                    setup.grant_shares(acc, kStock, shares);
                    setup.add_agent(std::make_unique<test::ScriptedAgent>(acc, script));
                  }});
  return r;
}

std::vector<const LiquidityProvider*> makers_of(const Simulation& sim, InstrumentId stock) {
  std::vector<const LiquidityProvider*> out;
  for (const auto& a : sim.agents())
    if (auto* lp = dynamic_cast<const LiquidityProvider*>(a.get()); lp != nullptr && lp->stock() == stock) out.push_back(lp);
  return out;
}

int resting_orders_of(const Simulation& sim, AccountId account) {
  int n = 0;
  sim.book(kStock).for_each_resting([&](const RestingOrder& o) { n += o.owner == account; });
  return n;
}

const std::vector<std::string> kQuiet = {"noise_traders.count=0", "retail.count=0"};
}  // namespace

TEST_CASE("a market maker withdraws when its loss passes the threshold and comes back after the cooldown",
          "[liquidity]") {
  // Two continuous steps of selling everything at the limit-down price.
  const AgentRegistry r = registry_with_holder(
      [](const MarketView& v, OrderSink& out, AccountId acc) {
        if (v.day == 0 && (v.step_in_day == 1 || v.step_in_day == 2))
          out.limit(acc, kStock, Side::Sell, v.quote(kStock).lower, 100'000);
      },
      400'000);
  std::vector<std::string> o = kQuiet;
  o.insert(o.end(), {"days=2", "liquidity_providers.withdraw_loss_fraction=0.01",
                     "liquidity_providers.withdraw_flow_threshold=0", "liquidity_providers.withdraw_cooldown_minutes=45"});
  Simulation sim(test::small_world(r, o), r);
  const auto makers = makers_of(sim, kStock);
  REQUIRE(makers.size() == 2);
  const LiquidityProvider& lp = *makers[0];

  std::vector<EventRow> withdrawals;
  int withdrawn_steps = 0, back_step = -1, gone_step = -1;
  while (sim.day() == 0) {
    sim.step();
    auto events = sim.take_events();
    for (EventRow& e : events["liquidity_withdrawals"])
      if (e.instrument == kStock && e.agent_class == "liquidity_provider") withdrawals.push_back(e);
    if (lp.withdrawn()) {
      ++withdrawn_steps;
      if (gone_step < 0) gone_step = static_cast<int>(sim.global_step());
      // Its quotes were cancelled and nothing new was sent.
      CHECK(resting_orders_of(sim, lp.account()) == 0);
      CHECK(sim.accounts()[lp.account()].reserved_cash == 0);
    } else if (gone_step >= 0 && back_step < 0) {
      back_step = static_cast<int>(sim.global_step());
      CHECK(resting_orders_of(sim, lp.account()) > 0);   // quoting again
    }
  }
  REQUIRE(gone_step >= 0);
  CHECK(back_step > gone_step);
  // 45 minutes of cooldown at 15-minute steps: three steps away.
  CHECK(withdrawn_steps == 3);
  REQUIRE(!withdrawals.empty());
  const EventRow& e = withdrawals.front();
  CHECK(e.reason == "loss");
  CHECK(e.quantity == 0);
  // The loss passed 1% of the maker's equity (about 7 million yuan at the start).
  CHECK(e.price > 0.01 * 6.0e6);
  CHECK(lp.withdrawals() >= 1);
  CHECK(makers[1]->withdrawals() >= 1);
  CHECK(sim.conservation_problems().empty());
}

TEST_CASE("one-sided flow makes a market maker withdraw", "[liquidity]") {
  // A buyer lifting every offer, step after step.
  const AgentRegistry r = registry_with_holder(
      [](const MarketView& v, OrderSink& out, AccountId acc) {
        if (v.day == 0 && v.phase == StepPhase::Continuous) out.limit(acc, kStock, Side::Buy, v.quote(kStock).upper, 3000);
      },
      0);
  std::vector<std::string> o = kQuiet;
  o.insert(o.end(), {"days=1", "liquidity_providers.withdraw_loss_fraction=0", "liquidity_providers.withdraw_flow_window_steps=4",
                     "liquidity_providers.withdraw_flow_threshold=2.5"});
  Simulation sim(test::small_world(r, o), r);
  std::vector<EventRow> withdrawals;
  while (!sim.finished()) {
    sim.step();
    auto events = sim.take_events();
    for (EventRow& e : events["liquidity_withdrawals"])
      if (e.instrument == kStock && e.agent_class == "liquidity_provider") withdrawals.push_back(e);
  }
  REQUIRE(!withdrawals.empty());
  CHECK(withdrawals.front().reason == "one_sided_flow");
  CHECK(withdrawals.front().price < -2.5);   // the makers sold: negative net flow, in quote sizes
  for (const auto* lp : makers_of(sim, kStock)) CHECK(lp->withdrawals() >= 1);
}

TEST_CASE("without stress the makers keep quoting", "[liquidity]") {
  const AgentRegistry r = builtin_agents();
  Simulation sim(test::small_world(r, {"days=1"}), r);
  std::size_t withdrawals = 0;
  int quoting_steps = 0, steps = 0;
  const auto makers = makers_of(sim, kStock);
  while (!sim.finished()) {
    sim.step();
    withdrawals += sim.take_events()["liquidity_withdrawals"].size();
    ++steps;
    quoting_steps += !makers[0]->withdrawn();
  }
  CHECK(quoting_steps == steps);
  INFO("withdrawals in a calm small world: " << withdrawals);
  CHECK(withdrawals < 10);
}
