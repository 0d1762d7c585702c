// Market rules: the regulator's rules ([regulator]) are enforced by the engine's risk check, not
// only published in the view. An agent the rules bind (Agent::regulated_as) that ignores them is
// refused with the rule's own reason, counted and logged like every other refusal; the built-in
// quant funds and DMA accounts, which plan within the rules, are never refused by them.
#include <catch2/catch.hpp>

#include "small_world.hpp"

using namespace stampede;

namespace {
constexpr InstrumentId kStock = 3;
constexpr Qty kHeld = 10'000;   // shares the scripted agent holds from the start

// A scripted agent the regulator's rules bind as `as`.
class RegulatedScript final : public Agent {
 public:
  RegulatedScript(AccountId account, RegulatedAs as, test::Script script)
      : account_(account), as_(as), script_(std::move(script)) {}
  const char* kind() const override { return "scripted"; }
  RegulatedAs regulated_as() const override { return as_; }
  void decide(const MarketView& view, OrderSink& out) override { script_(view, out, account_); }
  AccountId account() const { return account_; }

 private:
  AccountId account_;
  RegulatedAs as_;
  test::Script script_;
};

AgentRegistry registry_with(RegulatedAs as, const test::Script& script) {
  AgentRegistry r = builtin_agents();
  r.add(AgentKind{"scripted", {}, [as, script](const Scenario&, WorldSetup& setup) {
                    const AgentId id = setup.next_agent_id();
                    const AccountId acc = setup.open_account(id, Fen{1'000'000'000});
                    REQUIRE(setup.grant_shares(acc, kStock, kHeld) == kHeld);
                    setup.add_agent(std::make_unique<RegulatedScript>(acc, as, script));
                  }});
  return r;
}

// Runs the small world with the rules in force from day 1 on; returns the scripted agent's
// refusals by reason.
std::map<std::string, std::int64_t> run(const AgentRegistry& r) {
  Simulation sim(test::small_world(r, {"days=2", "regulator.sell_cap_from_day=1",
                                       "regulator.sell_cap_fraction_per_day=0.1", "regulator.dma_ban_from_day=1"}),
                 r);
  std::map<std::string, std::int64_t> scripted_refusals;
  while (!sim.finished()) {
    sim.step();
    const auto events = sim.take_events();
    if (const auto it = events.find("order_rejections"); it != events.end())
      for (const EventRow& e : it->second)
        if (e.agent_class == "scripted") scripted_refusals[e.reason] += e.quantity;
  }
  // Whoever else was refused, it was not by a regulator's rule: the built-in neutral funds and
  // DMA accounts plan within the rules, and the engine's check is no stricter than they are.
  for (const std::string rule : {"regulator_sell_cap", "regulator_dma_ban"}) {
    INFO(rule);
    const auto it = sim.totals().rejections.find(rule);
    const std::int64_t all = it == sim.totals().rejections.end() ? 0 : it->second;
    CHECK(all == (scripted_refusals.count(rule) ? scripted_refusals.at(rule) : 0));
  }
  return scripted_refusals;
}

// What a selling script saw: the shares still sellable at day 1's second continuous step (the
// first step's sale accepted, filled or resting, is no longer sellable).
struct SellLog {
  Qty sellable_at_second_sale = -1;
};

// On day 1's first continuous step, sells `first` shares, then `second` at the next step.
test::Script sell_on_day1(Qty first, Qty second, SellLog& log) {
  return [first, second, &log](const MarketView& v, OrderSink& out, AccountId acc) {
    if (v.day != 1) return;
    const Tick lowest = v.quote(kStock).lower;
    if (v.step_in_day == 1 && first > 0) out.limit(acc, kStock, Side::Sell, lowest, first);
    if (v.step_in_day == 2) {
      log.sellable_at_second_sale = v.account(acc).sellable(kStock);
      if (second > 0) out.limit(acc, kStock, Side::Sell, lowest, second);
    }
  };
}
}   // namespace

TEST_CASE("market rules: a quant fund selling past the sell cap is refused with regulator_sell_cap", "[market_rules]") {
  SellLog log;
  const auto refused = run(registry_with(RegulatedAs::QuantFund, sell_on_day1(kHeld, 0, log)));
  CHECK(refused.at("regulator_sell_cap") == 1);
  CHECK(log.sellable_at_second_sale == kHeld);   // nothing of the refused order reached the book
}

TEST_CASE("market rules: the sell cap lets a quant fund sell its share of the day, and no more", "[market_rules]") {
  // 10% of the opening holdings at the previous close: 1,000 of 10,000 shares. The first 1,000
  // pass; the next lot, at the following step, is refused.
  SellLog log;
  const auto refused = run(registry_with(RegulatedAs::QuantFund, sell_on_day1(kHeld / 10, 100, log)));
  CHECK(log.sellable_at_second_sale == kHeld - kHeld / 10);
  CHECK(refused.at("regulator_sell_cap") == 1);
  CHECK(refused.size() == 1);
}

TEST_CASE("market rules: a DMA account buying under the ban on new leverage is refused with regulator_dma_ban",
          "[market_rules]") {
  const test::Script buy_each_day = [](const MarketView& v, OrderSink& out, AccountId acc) {
    if (v.step_in_day == 1) out.limit(acc, kStock, Side::Buy, v.quote(kStock).upper, 100);
  };
  const auto refused = run(registry_with(RegulatedAs::DmaAccount, buy_each_day));
  CHECK(refused.at("regulator_dma_ban") == 1);   // day 1's buy; day 0's, before the ban, passed
  CHECK(refused.size() == 1);
  // The ban binds DMA accounts only: a quant fund's identical buys pass on both days.
  CHECK(run(registry_with(RegulatedAs::QuantFund, buy_each_day)).empty());
}

TEST_CASE("market rules: an agent no rule binds sells freely under the cap", "[market_rules]") {
  SellLog log;
  CHECK(run(registry_with(RegulatedAs::Unregulated, sell_on_day1(kHeld, 0, log))).empty());
  CHECK(log.sellable_at_second_sale == 0);
}
