// What the run log records of the books and the accounts, checked against the state itself:
// per-step liquidity recomputed order by order from each book's resting orders (a locked
// limit-down queue included), per-stock volumes and holdings by class against the trades and the
// accounts, futures positions against the open interest, NAV per unit against the NAV.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>

#include "small_world.hpp"

using namespace stampede;
using F = FrameArray;

namespace {

constexpr InstrumentId kDumped = 3;   // a microcap of the small world
constexpr Qty kDumpShares = 3'000'000;

// Sells everything it was given at the limit-down price on day 0's fourth step, as a liquidation:
// it sweeps every bid and the rest queues at the limit.
AgentRegistry registry_with_dumper() {
  AgentRegistry r = builtin_agents();
  r.add(AgentKind{"dumper", {}, [](const Scenario&, WorldSetup& setup) {
                    const AgentId id = setup.next_agent_id();
                    const AccountId acc = setup.open_account(id, 0);
                    setup.grant_shares(acc, kDumped, kDumpShares);
                    setup.add_agent(std::make_unique<test::ScriptedAgent>(acc, [](const MarketView& v, OrderSink& out, AccountId a) {
                      if (v.day == 0 && v.step_in_day == 3)
                        out.limit(a, kDumped, Side::Sell, v.quote(kDumped).lower, v.account(a).sellable(kDumped), OrderReason::Liquidation);
                    }));
                  }});
  return r;
}

struct FromOrders {
  Tick bid = 0, ask = 0;
  Qty bid_1pct = 0, ask_1pct = 0, bid_2pct = 0, ask_2pct = 0, limit_down_queue = 0, limit_up_queue = 0;
};

// The figures from the orders themselves, one by one; the reference is the mid (or the last
// price), a price within k% of it when 200 p <= (100 + k)(bid + ask) (asks; bids the mirror).
FromOrders from_orders(const OrderBook& b, Tick last) {
  FromOrders out;
  b.for_each_resting([&](const RestingOrder& o) {
    if (o.side == Side::Buy) out.bid = std::max(out.bid, o.price);
    else out.ask = out.ask == 0 ? o.price : std::min(out.ask, o.price);
    if (o.side == Side::Sell && o.price == b.lower()) out.limit_down_queue += o.qty;
    if (o.side == Side::Buy && o.price == b.upper()) out.limit_up_queue += o.qty;
  });
  const bool two_sided = out.bid > 0 && out.ask > 0;
  const std::int64_t ref = two_sided ? std::int64_t{out.bid} + out.ask : last;
  const std::int64_t scale = two_sided ? 200 : 100;
  b.for_each_resting([&](const RestingOrder& o) {
    const std::int64_t p = o.price;
    for (int k : {1, 2}) {
      Qty& depth = o.side == Side::Buy ? (k == 1 ? out.bid_1pct : out.bid_2pct) : (k == 1 ? out.ask_1pct : out.ask_2pct);
      const bool within = o.side == Side::Buy ? scale * p >= (100 - k) * ref : scale * p <= (100 + k) * ref;
      if (within) depth += o.qty;
    }
  });
  return out;
}

void check_liquidity(const Simulation& sim, const FrameArrays& a, std::size_t i, const OrderBook& b, Tick last,
                     bool stock) {
  const FromOrders want = from_orders(b, last);
  auto i32 = [&](F s, F f) { return a.i32(stock ? s : f)[i]; };
  auto i64 = [&](F s, F f) { return a.i64(stock ? s : f)[i]; };
  auto depth = [&](F s, F f) { return Qty{a.i32(stock ? s : f)[i]}; };
  INFO((stock ? "stock " : "futures slot ") << i << " at step " << sim.step_frame().step);
  CHECK(i32(F::stock_best_bid, F::futures_best_bid) == want.bid);
  CHECK(i32(F::stock_best_ask, F::futures_best_ask) == want.ask);
  CHECK(i32(F::stock_spread, F::futures_spread) == (want.bid > 0 && want.ask > 0 ? want.ask - want.bid : 0));
  CHECK(depth(F::stock_bid_depth_1pct, F::futures_bid_depth_1pct) == want.bid_1pct);
  CHECK(depth(F::stock_ask_depth_1pct, F::futures_ask_depth_1pct) == want.ask_1pct);
  CHECK(depth(F::stock_bid_depth_2pct, F::futures_bid_depth_2pct) == want.bid_2pct);
  CHECK(depth(F::stock_ask_depth_2pct, F::futures_ask_depth_2pct) == want.ask_2pct);
  CHECK(i64(F::stock_limit_down_queue, F::futures_limit_down_queue) == want.limit_down_queue);
  CHECK(i64(F::stock_limit_up_queue, F::futures_limit_up_queue) == want.limit_up_queue);
}

std::size_t class_index(const Simulation& sim, const std::string& name) {
  const auto& c = sim.agent_classes();
  return static_cast<std::size_t>(std::find(c.begin(), c.end(), name) - c.begin());
}

}  // namespace

TEST_CASE("per-step liquidity is each book's resting orders, a locked limit-down queue included", "[record][liquidity]") {
  const AgentRegistry r = registry_with_dumper();
  Simulation sim(test::small_world(r, {"days=2"}), r);
  const int n = sim.stock_count();
  bool saw_locked = false;
  while (!sim.finished()) {
    sim.step();
    const FrameArrays& a = sim.step_frame().arrays;
    REQUIRE(a.i32(F::stock_best_bid).size() == static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) check_liquidity(sim, a, static_cast<std::size_t>(i), sim.book(i), sim.view().quote(i).last, true);
    for (int k = 0; k < kFuturesSlots; ++k)
      check_liquidity(sim, a, static_cast<std::size_t>(k), sim.book(n + k), sim.view().quote(n + k).last, false);
    const auto d = static_cast<std::size_t>(kDumped);
    if (a.i64(F::stock_limit_down_queue)[d] > 0 && a.i32(F::stock_best_bid)[d] == 0) saw_locked = true;
  }
  CHECK(saw_locked);   // the dump left a queue at the limit-down price nobody bid for
}

TEST_CASE("output.liquidity_stocks_per_segment records the first stocks of each segment, or none", "[record][liquidity]") {
  const AgentRegistry r = builtin_agents();
  Simulation sim(test::small_world(r, {"days=1", "output.liquidity_stocks_per_segment=2"}), r);
  const RunHeader h = sim.make_header(test::small_world(r, {"days=1"}), 1);
  std::array<int, 3> per_segment{};
  for (int i = 0; i < sim.stock_count(); ++i)
    if (h.liquidity_recorded[static_cast<std::size_t>(i)]) {
      ++per_segment[static_cast<std::size_t>(sim.universe().segment[static_cast<std::size_t>(i)])];
      CHECK((i == 0 || i == 1 || i == 30 || i == 31 || i == 50 || i == 51));   // 30 microcaps, 20 constituents
    }
  CHECK(per_segment == std::array<int, 3>{2, 2, 2});
  sim.step();
  CHECK(sim.step_frame().arrays.i32(F::stock_best_bid)[30] > 0);
  CHECK(sim.step_frame().arrays.i32(F::stock_best_bid)[2] == -1);   // not recorded: the fill value

  Simulation off(test::small_world(r, {"days=1", "output.liquidity_stocks_per_segment=0"}), r);
  off.step();
  CHECK(off.step_frame().arrays.i32(F::stock_best_bid).empty());
  CHECK(off.step_frame().arrays.i32(F::futures_best_bid).size() == kFuturesSlots);
}

TEST_CASE("per stock and day, every share bought was sold, holdings by class are the accounts' positions",
          "[record][attribution]") {
  const AgentRegistry r = registry_with_dumper();
  Simulation sim(test::small_world(r, {"days=2"}), r);
  const std::size_t n = static_cast<std::size_t>(sim.stock_count()), classes = sim.agent_classes().size();
  const std::size_t dumper = class_index(sim, "scripted");
  AccountId dumper_account = -1;
  for (const auto& a : sim.agents())
    if (auto* s = dynamic_cast<const test::ScriptedAgent*>(a.get())) dumper_account = s->account();
  const Qty granted = sim.accounts()[dumper_account].holding(kDumped);
  REQUIRE(granted > 0);
  Qty dumper_sold = 0;
  while (!sim.finished()) {
    if (!sim.step()) continue;
    const DayFrame& d = sim.day_frame();
    const FrameArrays& a = d.arrays;
    for (std::size_t s = 0; s < n; ++s) {
      Qty bought = 0, sold = 0, held = a.i64(F::unclassed_holdings)[s];
      for (std::size_t c = 0; c < classes; ++c) {
        bought += a.i64(F::class_bought_voluntary)[c * n + s] + a.i64(F::class_bought_forced)[c * n + s];
        sold += a.i64(F::class_sold_voluntary)[c * n + s] + a.i64(F::class_sold_forced)[c * n + s];
        held += a.i64(F::class_holdings)[c * n + s];
      }
      INFO("day " << d.day << " stock " << s);
      CHECK(bought == sold);
      CHECK(bought == d.volume[s]);
      CHECK(held == sim.universe().shares_outstanding[s]);
    }
    // The dumper's class is its one account: what it holds, and its sales all forced.
    CHECK(a.i64(F::class_holdings)[dumper * n + kDumped] == sim.accounts()[dumper_account].holding(kDumped));
    CHECK(a.i64(F::class_sold_voluntary)[dumper * n + kDumped] == 0);
    dumper_sold += a.i64(F::class_sold_forced)[dumper * n + kDumped];
    // Futures: every contract has two sides, and the longs are the open interest.
    for (int k = 0; k < kFuturesSlots; ++k) {
      Qty longs = 0, shorts = 0;
      for (std::size_t c = 0; c < classes; ++c) {
        longs += a.i64(F::class_futures_long)[c * kFuturesSlots + static_cast<std::size_t>(k)];
        shorts += a.i64(F::class_futures_short)[c * kFuturesSlots + static_cast<std::size_t>(k)];
      }
      CHECK(longs == shorts);
      CHECK(longs == sim.step_frame().futures_open_interest[static_cast<std::size_t>(k)]);   // no expiry in these days
    }
  }
  CHECK(dumper_sold > 0);
  CHECK(dumper_sold == granted - sim.accounts()[dumper_account].holding(kDumped));
}

TEST_CASE("NAV per unit moves with the NAV, redemptions added back", "[record][nav]") {
  const AgentRegistry r = builtin_agents();
  // Neutral funds redeem after losing days deep in a drawdown: no threshold makes them frequent.
  Simulation sim(test::small_world(r, {"days=4", "neutral_funds.redemption_drawdown=0", "neutral_funds.redemption_sensitivity=5"}), r);
  std::vector<std::string> kinds;
  for (const auto& a : sim.agents())
    if (a->reports_daily()) kinds.emplace_back(a->kind());
  std::vector<double> prev_nav(kinds.size()), prev_unit(kinds.size());
  std::map<AgentId, double> requested;   // yuan asked back, per agent, this day
  int redemptions = 0, checked_without_units = 0;
  while (!sim.finished()) {
    const bool closed = sim.step();
    for (auto& [kind, rows] : sim.take_events())
      if (kind == "redemption_requests")
        for (const EventRow& e : rows) requested[e.agent_id] += e.price;
    if (!closed) continue;
    const DayFrame& d = sim.day_frame();
    const std::vector<double>& unit = d.arrays.f64(F::agent_nav_per_unit);
    REQUIRE(unit.size() == d.agents.size());
    std::size_t j = 0;
    for (const auto& a : sim.agents()) {
      if (!a->reports_daily()) continue;
      INFO(kinds[j] << " " << a->id() << " day " << d.day);
      const double nav = d.agents[j].nav;
      CHECK(std::isfinite(unit[j]));
      if (d.day > 0 && prev_nav[j] > 0) {
        // A day's change in NAV per unit is the change in NAV with the redemptions asked that day
        // added back (funds with units); without units, the change in NAV.
        const double asked = requested.count(a->id()) ? requested[a->id()] : 0.0;
        redemptions += asked > 0;
        CHECK(unit[j] / prev_unit[j] == Approx((nav + asked) / prev_nav[j]).epsilon(1e-9));
        checked_without_units += kinds[j] == "dma_account";
      }
      prev_nav[j] = nav;
      prev_unit[j] = unit[j];
      ++j;
    }
    requested.clear();
  }
  CHECK(redemptions > 0);
  CHECK(checked_without_units > 0);
}
