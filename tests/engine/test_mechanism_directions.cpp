// The direction of each crash mechanism (issue 4, "Tests"): a small world run with a mechanism and
// the same world, same seed, without it, compared on the engine's own measures (step and day
// frames, events, selling flows) with a margin. Every world sets the keys it depends on, so the
// tests do not follow the calibration of scenarios/feb2024.toml.
//   1. DMA accounts deepen the microcap crash (vs the same capital in unlevered neutral funds).
//   2. A knock-in cluster deepens the futures discount (vs the same notes far from their barriers).
//   3. National-team buying lifts the hedged index: tests/engine/test_national_team.cpp ("national-
//      team buying lifts the hedged index, within its pace and budget") checks it with and without
//      the team in a market of makers and noise traders, started at once (trigger 0). Here: in the
//      crash world, fired by the index's own fall, while microcaps keep falling.
//   4. Redemptions add selling after drawdowns (neutral funds, vs redemption_sensitivity = 0).
// Each case runs fixed seeds for which the stress sets the mechanism off (asserted: liquidations,
// knock-ins, interventions, redemption requests); the notes at each case say how often it does over
// other seeds.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "crash_world.hpp"
#include "funds_world.hpp"

using namespace stampede;

namespace {

struct Measures {
  std::vector<double> microcap_close, hedged_close;   // per day
  double microcap_max_drawdown = 0;                   // peak to trough over every step, from the base level
  double deepest_front_basis = 1e300;                 // annualised, front contract, continuous steps
  DayIndex deepest_basis_day = -1;
  std::map<std::string, std::map<std::string, int>> events;   // kind -> reason -> rows
  std::map<std::string, std::int64_t> event_quantity;          // kind -> sum of quantity
  std::map<std::string, DayIndex> first_event_day;             // kind -> day of its first row
  std::map<std::string, double> forced_sold, sold;             // agent class -> yuan over the run (all segments)
  std::map<std::string, std::vector<double>> forced_by_day;    // agent class -> yuan per day
  std::vector<double> issuer_futures_notional;                 // snowball issuers, per day (yuan, signed)

  int rows(const std::string& kind, const std::string& reason = "") const {
    const auto it = events.find(kind);
    if (it == events.end()) return 0;
    int n = 0;
    for (const auto& [r, c] : it->second)
      if (reason.empty() || r == reason) n += c;
    return n;
  }
  std::int64_t quantity(const std::string& kind) const {
    const auto it = event_quantity.find(kind);
    return it == event_quantity.end() ? 0 : it->second;
  }
  DayIndex first_day(const std::string& kind) const {   // -1: no row of that kind
    const auto it = first_event_day.find(kind);
    return it == first_event_day.end() ? -1 : it->second;
  }
  static double at(const std::map<std::string, double>& m, const std::string& k) {
    const auto it = m.find(k);
    return it == m.end() ? 0.0 : it->second;
  }
};

Measures run_world(const AgentRegistry& r, const std::vector<std::string>& overrides) {
  const Scenario scenario = test::small_world(r, overrides);
  Simulation sim(scenario, r);
  Measures m;
  double peak = scenario.get_float("indices.microcap_base");
  const std::vector<std::string>& classes = sim.agent_classes();
  while (!sim.finished()) {
    const int k = static_cast<int>(sim.global_step() % sim.clock().steps_per_day());
    const bool continuous = sim.clock().step(k).phase == StepPhase::Continuous;
    const bool day_end = sim.step();
    const StepFrame& f = sim.step_frame();
    peak = std::max(peak, f.microcap_index);
    m.microcap_max_drawdown = std::max(m.microcap_max_drawdown, 1.0 - f.microcap_index / peak);
    if (continuous && f.futures_basis_annualised[0] < m.deepest_front_basis) {
      m.deepest_front_basis = f.futures_basis_annualised[0];
      m.deepest_basis_day = f.day;
    }
    for (auto& [kind, list] : sim.take_events())
      for (const EventRow& e : list) {
        m.events[kind][e.reason] += 1;
        m.event_quantity[kind] += e.quantity;
        m.first_event_day.emplace(kind, e.day);
      }
    if (!day_end) continue;
    const DayFrame& d = sim.day_frame();
    m.microcap_close.push_back(d.microcap_close);
    m.hedged_close.push_back(d.hedged_close);
    const std::size_t segments = d.flows.size() / classes.size();
    for (std::size_t c = 0; c < classes.size(); ++c) {
      double forced = 0, voluntary = 0;
      for (std::size_t s = 0; s < segments; ++s) {
        forced += d.flows[c * segments + s].sell_forced;
        voluntary += d.flows[c * segments + s].sell_voluntary;
      }
      m.forced_sold[classes[c]] += forced;
      m.sold[classes[c]] += forced + voluntary;
      m.forced_by_day[classes[c]].push_back(forced);
      if (classes[c] == "snowball_issuer")
        m.issuer_futures_notional.push_back(sim.class_metrics(static_cast<int>(c)).futures_notional);
    }
  }
  return m;
}

using test::seed_key;
using test::with;

// The crash world of cases 1 and 3 (crash_world.hpp), without value investors.
const std::vector<std::string> kCrash = with(test::crash_world(), {"value_investors.count=0"});

// The DMA managers' equity (6 x 2e6) moved to the three neutral funds: 2e6 + 4e6 each, unlevered.
const std::vector<std::string> kNoDma{"dma.accounts=0", "neutral_funds.capital_yuan_median=6e6"};

}  // namespace

TEST_CASE("the microcap crash is deeper with DMA accounts than with their capital in unlevered neutral funds",
          "[mechanisms][dma]") {
  // Over seeds 1-10 the DMA accounts are liquidated in 9 (not in seed 2), with drawdowns of 0.12-0.22
  // against 0.03-0.13 without them; these three are fixed.
  const AgentRegistry r = builtin_agents();
  for (const int seed : {1, 3, 5}) {
    const std::vector<std::string> world = with(kCrash, {seed_key(seed), "national_team.enabled=false"});
    const Measures dma = run_world(r, world);
    const Measures none = run_world(r, with(world, kNoDma));
    INFO("seed " << seed << ": microcap max drawdown " << dma.microcap_max_drawdown << " with DMA, "
                 << none.microcap_max_drawdown << " without; liquidations started "
                 << dma.rows("liquidations", "start_liquidation_line") << "; DMA forced sales "
                 << Measures::at(dma.forced_sold, "dma_account") << " yuan");
    CHECK(dma.rows("liquidations", "start_liquidation_line") >= 3);
    CHECK(Measures::at(dma.forced_sold, "dma_account") > 1e6);
    CHECK(none.rows("liquidations") == 0);
    CHECK(none.rows("margin_calls") == 0);
    CHECK(dma.microcap_max_drawdown > none.microcap_max_drawdown + 0.05);
    CHECK(dma.microcap_max_drawdown > 1.5 * none.microcap_max_drawdown);
  }
}

namespace {

constexpr double kInitialBasis = -0.06;   // futures.initial_basis_annual of the snowball world

// The world starts with no futures positions, so issuers near their barriers would buy their whole
// hedge in the first steps and lift the futures to a premium (the KI sell-off then only undoes it).
// Notes issued before the run were hedged before it: this seller offers the front contract on day 0
// at the price the index and the initial basis imply, so the issuers buy their hedge without moving
// the futures. It is in the world without the cluster too (same registry); it only sells.
test::Script hedge_seller_of_day0() {
  struct State { OrderId resting = 0; bool has = false; };
  auto st = std::make_shared<State>();
  return [st](const MarketView& v, OrderSink& out, AccountId acc) {
    const InstrumentId front = v.futures_instrument(0);
    if (st->has) out.cancel(acc, front, st->resting);
    st->has = false;
    if (v.day != 0 || v.phase == StepPhase::ClosingAuction) return;
    const Qty left = 1000 + v.account(acc).futures(0).qty;   // it goes short what it sells
    if (left <= 0) return;
    const FuturesQuoteInfo& f = v.futures[0];
    const double points = v.hedged_index * (1.0 + kInitialBasis * f.days_to_expiry / 365.0);
    const InstrumentQuote& q = v.quote(front);
    const Tick price = std::clamp(static_cast<Tick>(std::lround(points / f.tick_points)), q.lower, q.upper);
    st->resting = out.limit(acc, front, Side::Sell, price, left);
    st->has = true;
  };
}

// A falling market (market factor drifting down) with two issuers of 100 notes each (KI barrier 60%
// of the initial level, KO 110-115%: no knock-out in reach), no DMA and no national team.
const std::vector<std::string> kSnowballWorld{
    "days=6", "futures.initial_basis_annual=-0.06", "national_team.enabled=false", "dma.accounts=0",
    "index_enhanced.count=0", "value_investors.count=0", "fundamentals.market_drift_annual=-2", "fundamentals.size_drift_annual=0",
    "snowball.issuers=2", "snowball.notes_per_issuer=100", "snowball.notional_yuan_median=5e5",
    "snowball.notional_dispersion=0.5", "snowball.ki_barrier_min=0.6", "snowball.ki_barrier_max=0.6",
    "snowball.ko_barrier_min=1.1", "snowball.ko_barrier_max=1.15", "snowball.delta_cap=3",
    "snowball.max_order_contracts=100"};

}  // namespace

TEST_CASE("a knock-in cluster deepens the futures discount in a falling market", "[mechanisms][snowball]") {
  // Over seeds 1-8 the index falls through the cluster early enough for the margin in 4 (1, 2, 3, 7);
  // in the others the notes knock in on day 3 or later (or hardly at all) and the discounts differ
  // by less (-0.13 to -0.14 against -0.11 to -0.14).
  const AgentRegistry r = test::registry_with_script(hedge_seller_of_day0(), 1e9);
  for (const int seed : {1, 2, 3}) {
    const std::vector<std::string> world = with(kSnowballWorld, {seed_key(seed)});
    // The same notes (same draws), their KI barriers 3% under today's index, or 40% under it.
    const Measures cluster = run_world(r, with(world, {"snowball.ki_distance_mean=0.97", "snowball.ki_distance_spread=0.005"}));
    const Measures far = run_world(r, with(world, {"snowball.ki_distance_mean=0.6", "snowball.ki_distance_spread=0.005"}));
    const double hedge_peak =
        *std::max_element(cluster.issuer_futures_notional.begin(), cluster.issuer_futures_notional.end());
    INFO("seed " << seed << ": deepest annualised basis " << cluster.deepest_front_basis << " (day "
                 << cluster.deepest_basis_day << ") with the cluster, " << far.deepest_front_basis
                 << " without; notes knocked in " << cluster.quantity("knock_ins") << " from day "
                 << cluster.first_day("knock_ins") << "; issuers' long futures " << hedge_peak / 1e6
                 << " -> " << cluster.issuer_futures_notional.back() / 1e6 << " million yuan");
    REQUIRE(cluster.rows("knock_ins") > 0);
    CHECK(cluster.quantity("knock_ins") >= 100);   // at least half the notes
    CHECK(far.rows("knock_ins") == 0);
    // The knock-ins made the issuers sell most of their hedge, and the discount was deepest after.
    CHECK(cluster.issuer_futures_notional.back() < 0.5 * hedge_peak);
    CHECK(cluster.deepest_basis_day >= cluster.first_day("knock_ins"));
    CHECK(cluster.deepest_front_basis < far.deepest_front_basis - 0.04);
  }
}

TEST_CASE("national-team buying set off by the crash lifts the hedged index while microcaps keep falling",
          "[mechanisms][national_team]") {
  // The team sits last in the registry: turning it off changes no other agent's draws. It starts
  // once the hedged index is 2% under its peak. Over seeds 1-8 the team lifts the final close by
  // 5-15% in all; microcaps fall 5% or more after its start in 6 (it starts on day 3 or 4 in the
  // others); two are run.
  const AgentRegistry r = builtin_agents();
  for (const int seed : {1, 4}) {
    const std::vector<std::string> world =
        with(kCrash, {seed_key(seed), "national_team.trigger_drawdown=0.02", "national_team.stop_recovery=0.5",
                      "national_team.budget_yuan=1e8", "national_team.pace_yuan_per_day=3e7", "national_team.from_day=0"});
    const Measures team = run_world(r, with(world, {"national_team.enabled=true"}));
    const Measures none = run_world(r, with(world, {"national_team.enabled=false"}));
    REQUIRE(team.rows("interventions", "start") == 1);
    const auto start = static_cast<std::size_t>(team.first_day("interventions"));
    INFO("seed " << seed << ": hedged close " << team.hedged_close.back() << " with the team, "
                 << none.hedged_close.back() << " without; team started on day " << start
                 << "; microcap close that day " << team.microcap_close[start] << ", at the end "
                 << team.microcap_close.back());
    CHECK(none.rows("interventions") == 0);
    CHECK(team.hedged_close.back() > 1.03 * none.hedged_close.back());
    // The divergence of the stampede: the hedged index is held up, microcaps go on falling.
    CHECK(team.microcap_close.back() < 0.95 * team.microcap_close[start]);
  }
}

namespace {

// Four unlevered neutral funds, crowded, long 90% of NAV, in a small-cap slide (size factor
// drifting down, market flat): their hedged books lose on the long leg. Redemptions: a losing day
// deeper than 0.5% under the peak brings requests of 10x the excess (up to 25% of NAV), paid the
// next close. Risk cuts are off, so every forced sale is a Redemption sale.
const std::vector<std::string> kRedemptionWorld{
    "days=6", "national_team.enabled=false", "dma.accounts=0", "snowball.issuers=0", "index_enhanced.count=0", "value_investors.count=0",
    "fundamentals.size_drift_annual=-2", "fundamentals.market_drift_annual=0",
    "neutral_funds.crowding=1", "neutral_funds.count=4", "neutral_funds.capital_yuan_median=5e6",
    "neutral_funds.capital_dispersion=0", "neutral_funds.long_share=0.9", "neutral_funds.redemption_drawdown=0.005",
    "neutral_funds.redemption_max_share=0.25", "neutral_funds.redemption_lag_days=1",
    "neutral_funds.risk_drawdown_limit=0.9", "neutral_funds.risk_vol_limit=100"};

}  // namespace

TEST_CASE("redemptions add forced selling after drawdowns", "[mechanisms][neutral_fund]") {
  // Over seeds 1-8 all pass but seed 6 (redemptions mostly paid from cash: 0.45 million forced);
  // three are run.
  const AgentRegistry r = builtin_agents();
  for (const int seed : {1, 2, 3}) {
    const std::vector<std::string> world = with(kRedemptionWorld, {seed_key(seed)});
    const Measures redeem = run_world(r, with(world, {"neutral_funds.redemption_sensitivity=10"}));
    const Measures none = run_world(r, with(world, {"neutral_funds.redemption_sensitivity=0"}));
    const double forced = Measures::at(redeem.forced_sold, "neutral_fund");
    INFO("seed " << seed << ": neutral funds sold " << Measures::at(redeem.sold, "neutral_fund") << " yuan ("
                 << forced << " forced) with redemptions, " << Measures::at(none.sold, "neutral_fund") << " ("
                 << Measures::at(none.forced_sold, "neutral_fund") << " forced) without; requests "
                 << redeem.rows("redemption_requests") << ", payments " << redeem.rows("redemption_payments"));
    REQUIRE(redeem.rows("redemption_requests") > 0);
    CHECK(redeem.rows("redemption_payments") > 0);
    CHECK(none.rows("redemption_requests") == 0);
    CHECK(none.rows("redemption_payments") == 0);
    CHECK(Measures::at(none.forced_sold, "neutral_fund") == 0.0);
    CHECK(forced > 0.05 * 4 * 5e6);   // more than 5% of the funds' capital sold for redemptions
    CHECK(Measures::at(redeem.sold, "neutral_fund") > 2.0 * Measures::at(none.sold, "neutral_fund"));
    // After the drawdown: no forced sale before the day after the first request.
    const std::vector<double>& by_day = redeem.forced_by_day.at("neutral_fund");
    const auto first_request = static_cast<std::size_t>(redeem.first_day("redemption_requests"));
    for (std::size_t d = 0; d <= first_request && d < by_day.size(); ++d) CHECK(by_day[d] == 0.0);
  }
}
