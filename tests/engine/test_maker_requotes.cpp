// When a market maker moves its quotes (liquidity_providers.requote_threshold_ticks): a quote that
// nothing filled since the maker's last decision stays in the book, with its order id and time
// priority, while its target price stays within the threshold; any fill of the maker sends both
// quotes afresh; with threshold 0 both quotes are cancelled and re-sent every step.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <map>
#include <set>

#include "agents/liquidity_provider.hpp"
#include "small_world.hpp"

using namespace stampede;

namespace {
constexpr InstrumentId kStock = 3;

struct MakerState {
  std::set<OrderId> resting;
  std::map<Side, Tick> price;   // of the resting quote on each side
  Fen cash = 0;
  Qty holding = 0;
};

struct Counts {
  int steps_compared = 0;
  int quotes_kept = 0;        // resting ids a maker still had one step later
  int untouched_steps = 0;    // no fill before or during the step: every quote must survive
  int after_fill_steps = 0;   // a fill in the previous step: no quote may survive
  int moved_quotes = 0;       // unfilled quotes re-sent: the target moved by the threshold or more
};

// Runs two days of a quiet small world (no noise or retail traders; a scripted buyer lifts
// kStock's offers a few times) and checks every maker, step by step.
Counts run_and_check(int threshold) {
  AgentRegistry r = test::registry_with_script([](const MarketView& v, OrderSink& out, AccountId acc) {
    if (v.step_in_day % 5 == 3) out.market(acc, kStock, Side::Buy, 500);
  });
  Simulation sim(test::small_world(r, {"days=2", "noise_traders.count=0", "retail.count=0",
                                       "liquidity_providers.withdraw_loss_fraction=0",
                                       "liquidity_providers.withdraw_flow_threshold=0",
                                       "liquidity_providers.requote_threshold_ticks=" + std::to_string(threshold)}),
                 r);
  std::vector<const LiquidityProvider*> makers;
  for (const auto& a : sim.agents())
    if (auto* lp = dynamic_cast<const LiquidityProvider*>(a.get())) makers.push_back(lp);
  REQUIRE(makers.size() > 50);

  const auto state_of = [&](const LiquidityProvider& lp) {
    MakerState s;
    sim.book(lp.stock()).for_each_resting([&](const RestingOrder& o) {
      if (o.owner == lp.account()) s.resting.insert(o.id), s.price[o.side] = o.price;
    });
    s.cash = sim.accounts()[lp.account()].cash;
    s.holding = sim.accounts()[lp.account()].holding(lp.stock());
    return s;
  };
  Counts c;
  std::map<const LiquidityProvider*, std::vector<MakerState>> history;   // this day's states
  DayIndex day = sim.day();
  while (sim.day() < 2) {
    sim.step();
    if (sim.day() != day) {   // day orders expired: nothing carries over
      history.clear();
      day = sim.day();
      continue;
    }
    for (const LiquidityProvider* lp : makers) {
      std::vector<MakerState>& h = history[lp];
      h.push_back(state_of(*lp));
      if (h.size() < 3) continue;
      const MakerState& before = h[h.size() - 3];   // after step t-1
      const MakerState& seen = h[h.size() - 2];     // after step t: what the decision of t+1 saw
      const MakerState& now = h.back();             // after step t+1
      std::set<OrderId> kept;
      std::ranges::set_intersection(seen.resting, now.resting, std::inserter(kept, kept.end()));
      ++c.steps_compared;
      c.quotes_kept += static_cast<int>(kept.size());
      const bool filled_before = seen.cash != before.cash || seen.holding != before.holding;
      const bool filled_now = now.cash != seen.cash || now.holding != seen.holding;
      if (threshold == 0 || filled_before) {
        INFO("maker account " << lp->account() << " at step " << sim.global_step());
        CHECK(kept.empty());
        c.after_fill_steps += filled_before;
      } else if (threshold >= 1000 && !filled_now) {
        INFO("maker account " << lp->account() << " at step " << sim.global_step());
        CHECK(kept == seen.resting);
        ++c.untouched_steps;
      } else if (!filled_now && kept.size() < seen.resting.size() && now.resting.size() == 2 && seen.resting.size() == 2) {
        // A quote re-sent without a fill: its new price is at least the threshold from the old one.
        for (Side side : {Side::Buy, Side::Sell})
          if (now.price.at(side) != seen.price.at(side)) {
            INFO("maker account " << lp->account() << " at step " << sim.global_step() << ", " << to_string(side));
            CHECK(std::abs(now.price.at(side) - seen.price.at(side)) >= threshold);
            ++c.moved_quotes;
          }
      }
    }
  }
  return c;
}
}  // namespace

TEST_CASE("with requote threshold 0 a market maker cancels and re-sends both quotes every step", "[liquidity]") {
  const Counts c = run_and_check(0);
  CHECK(c.steps_compared > 1000);
  CHECK(c.quotes_kept == 0);
}

TEST_CASE("an unfilled quote stays in the book with its order id, a fill re-sends both quotes", "[liquidity]") {
  const Counts c = run_and_check(1000);   // every target within the threshold: only fills move quotes
  CHECK(c.untouched_steps > 500);
  CHECK(c.after_fill_steps > 0);
  CHECK(c.quotes_kept > 0);
}

TEST_CASE("the default threshold keeps some quotes and moves others", "[liquidity]") {
  const Counts c = run_and_check(2);
  const Counts all = run_and_check(1000);
  CHECK(c.quotes_kept > 0);
  CHECK(c.quotes_kept < all.quotes_kept);
  CHECK(c.moved_quotes > 0);
}
