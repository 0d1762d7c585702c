// Market-neutral funds: the futures short is rolled from the front to the next contract before
// expiry and pays the calendar spread; redemptions follow a drawdown and are paid after the
// configured lag from cash raised by forced (Redemption) sales; money stays conserved.
#include <catch2/catch.hpp>

#include "funds_world.hpp"

using namespace stampede;

namespace {

std::vector<std::string> one_fund(std::vector<std::string> extra) {
  std::vector<std::string> o{"dma.accounts=0", "neutral_funds.count=1", "neutral_funds.capital_dispersion=0"};
  o.insert(o.end(), extra.begin(), extra.end());
  return o;
}

double class_forced_sales(const Simulation& sim, const std::string& name) {
  const auto& c = sim.agent_classes();
  const auto cls = static_cast<std::size_t>(std::find(c.begin(), c.end(), name) - c.begin());
  double v = 0;
  for (std::size_t seg = 0; seg < 3; ++seg) v += sim.day_frame().flows[cls * 3 + seg].sell_forced;
  return v;
}

}  // namespace

TEST_CASE("a neutral fund rolls its short to the next contract before expiry and pays the spread", "[neutral_fund][futures]") {
  // 2024-01-19 is the front's expiry; the roll window (5 calendar days) opens on Monday 15 Jan.
  const AgentRegistry r = builtin_agents();
  Simulation sim(test::small_world(r, one_fund({"start_date=2024-01-10", "days=6", "neutral_funds.capital_yuan_median=1e7",
                                                "neutral_funds.roll_days_before_expiry=5"})),
                 r);
  const NeutralFund& fund = *test::agents_of<NeutralFund>(sim).at(0);
  const Account& acc = sim.accounts()[fund.account()];

  // Per day: positions at the start, and the futures trades' cash of the last step before the
  // close (the daily settlement then clears it).
  std::array<Qty, 2> start_qty{}, last_qty{};
  std::array<Fen, 2> last_cash{};
  Qty front_bought = 0, next_sold = 0;
  Fen front_paid = 0, next_received = 0;
  std::vector<std::array<Qty, 2>> close_positions;
  std::vector<double> spread_points;   // front - next settlement, per day
  while (!sim.finished()) {
    if (sim.clock().steps_per_day() > 0 && sim.view().step_in_day == 0)
      for (int s = 0; s < 2; ++s) start_qty[s] = acc.futures(s).qty;
    const bool day_end = sim.step();
    if (!day_end) {
      for (int s = 0; s < 2; ++s) {
        last_qty[s] = acc.futures(s).qty;
        last_cash[s] = acc.futures(s).trade_cash;
      }
      continue;
    }
    close_positions.push_back({acc.futures(0).qty, acc.futures(1).qty});
    spread_points.push_back(sim.day_frame().futures_settlement[0] - sim.day_frame().futures_settlement[1]);
    // Inside the window only the roll moves positions: front bought back, next sold.
    if (sim.view().futures[0].days_to_expiry <= 5 + 3) {
      if (last_qty[0] > start_qty[0]) {
        front_bought += last_qty[0] - start_qty[0];
        front_paid -= last_cash[0];
      }
      if (last_qty[1] < start_qty[1]) {
        next_sold += start_qty[1] - last_qty[1];
        next_received += last_cash[1];
      }
    }
    for (int s = 0; s < 2; ++s) last_cash[s] = 0;
  }
  REQUIRE(close_positions.size() == 6);
  // Days 0-2 (10-12 Jan): hedged on the front. Days 3-5 (15-17 Jan): moved to the next contract.
  CHECK(close_positions[2][0] < 0);
  CHECK(close_positions[2][1] == 0);
  CHECK(close_positions[5][0] == 0);
  CHECK(close_positions[5][1] < 0);
  CHECK(std::abs(close_positions[5][1] - close_positions[2][0]) <= 1);
  // It paid the basis: the next contract trades below the front, and the fund bought the front
  // back higher than it sold the next.
  CHECK(spread_points[3] > 0);
  REQUIRE(front_bought > 0);
  REQUIRE(next_sold > 0);
  const double tick_value = static_cast<double>(sim.view().futures[0].tick_value_fen);
  const double front_avg = static_cast<double>(front_paid) / static_cast<double>(front_bought) / tick_value;   // ticks
  const double next_avg = static_cast<double>(next_received) / static_cast<double>(next_sold) / tick_value;
  INFO("front bought " << front_bought << " at " << front_avg << " ticks, next sold " << next_sold << " at " << next_avg);
  CHECK(front_avg > next_avg);
}

TEST_CASE("redemptions are requested after a drawdown and paid after the lag from forced sales", "[neutral_fund]") {
  auto plan = std::make_shared<test::DumpPlan>();
  plan->days = {1};   // the fund's basket falls 10% on day 1
  const AgentRegistry r = test::registry_with_dumper(plan);
  // Little spare cash (long 88%), so paying investors needs sales; no risk cuts in the way.
  Simulation sim(test::small_world(r, one_fund({"days=5", "neutral_funds.capital_yuan_median=3e6",
                                                "neutral_funds.basket_size=3", "neutral_funds.long_share=0.88",
                                                "neutral_funds.redemption_lag_days=2",
                                                "neutral_funds.redemption_drawdown=0.03",
                                                "neutral_funds.redemption_sensitivity=2",
                                                "neutral_funds.risk_drawdown_limit=0.9", "neutral_funds.risk_vol_limit=100"})),
                 r);
  const NeutralFund& fund = *test::agents_of<NeutralFund>(sim).at(0);
  plan->stocks = fund.basket().basket();

  test::EventLog log;
  std::vector<double> forced;
  std::vector<AgentState> states;
  while (!sim.finished()) {
    if (sim.step()) {
      log.take(sim, {"redemption_requests", "redemption_payments"});
      forced.push_back(class_forced_sales(sim, "neutral_fund"));
      states.push_back(fund.state());
      REQUIRE(sim.conservation_problems().empty());
    }
  }
  const auto requests = log.of("redemption_requests");
  const auto payments = log.of("redemption_payments");
  REQUIRE(!requests.empty());
  REQUIRE(!payments.empty());
  CHECK(requests[0].day == 1);          // the close of the losing day
  CHECK(requests[0].price > 0);         // yuan requested
  CHECK(payments[0].day == 3);          // paid two trading days later, not before
  CHECK(payments[0].reason == "paid");
  CHECK(requests[0].quantity == 2);     // the lag
  CHECK(payments[0].quantity == 1);     // the day it was asked for
  CHECK(payments[0].price == Approx(requests[0].price).margin(0.01));
  CHECK(states[1] == AgentState::Redeeming);
  CHECK(states[2] == AgentState::Redeeming);
  CHECK(forced[2] + forced[3] > 0);     // the cash was raised by Redemption sales
  CHECK(forced[0] == 0);
  double paid = 0;
  for (const EventRow& e : payments) paid += e.price;
  CHECK(static_cast<double>(sim.external_outflow()) / 100.0 == Approx(paid).margin(0.01));
}

TEST_CASE("skilled funds pick their baskets from the stocks with the highest alphas", "[neutral_fund][alpha]") {
  // Alpha is the only signal (no size, no reversal, no own noise): after the first close every
  // fund's basket is the ten non-large-cap stocks with the highest alphas.
  const AgentRegistry r = builtin_agents();
  Simulation sim(test::small_world(r, {"days=2", "dma.accounts=0", "fundamentals.alpha_dispersion_annual=0.3",
                                       "neutral_funds.alpha_weight=1", "neutral_funds.size_weight=0",
                                       "neutral_funds.reversal_weight=0", "neutral_funds.crowding=1",
                                       "neutral_funds.style_dispersion=0"}),
                 r);
  while (!sim.finished() && sim.view().day < 1) sim.step();
  REQUIRE(sim.view().day == 1);
  sim.step();   // the first decisions of day 1 re-pick the baskets from the day-0 close
  const std::vector<double>& alpha = *sim.view().expected_return_annual;
  double candidates = 0;
  int n = 0;
  for (int i = 0; i < sim.universe().size(); ++i)
    if (sim.universe().segment[static_cast<std::size_t>(i)] != Segment::LargeCap) candidates += alpha[static_cast<std::size_t>(i)], ++n;
  candidates /= n;
  for (const NeutralFund* fund : test::agents_of<NeutralFund>(sim)) {
    const auto& basket = fund->basket().basket();
    REQUIRE(basket.size() == 10);
    double held = 0;
    for (InstrumentId s : basket) held += alpha[static_cast<std::size_t>(s)];
    held /= static_cast<double>(basket.size());
    // Ten best of fifty: their mean alpha is well above the candidates' (about 1.4 sd of 0.3).
    CHECK(held > candidates + 0.25);
  }
}

TEST_CASE("a fund benchmarked to the index it hedges holds its index share of members, the best-scored of them",
          "[neutral_fund][basket]") {
  // Size is the only signal: by score alone the baskets are the ten smallest stocks, all outside
  // the index (its members are larger); with index_share 0.4, four of the ten are members.
  auto members_held = [](const std::string& share) {
    const AgentRegistry r = builtin_agents();
    Simulation sim(test::small_world(r, {"days=1", "dma.accounts=0", "neutral_funds.size_weight=1",
                                         "neutral_funds.reversal_weight=0", "neutral_funds.crowding=1",
                                         "neutral_funds.style_dispersion=0", "neutral_funds.index_share=" + share}),
                   r);
    std::vector<int> members;
    for (const NeutralFund* fund : test::agents_of<NeutralFund>(sim)) {
      const auto& basket = fund->basket().basket();
      REQUIRE(basket.size() == 10);
      int m = 0;
      for (InstrumentId s : basket) m += sim.universe().segment[static_cast<std::size_t>(s)] == Segment::Constituent;
      members.push_back(m);
    }
    return members;
  };
  for (const int m : members_held("0")) CHECK(m <= 1);
  for (const int m : members_held("0.4")) CHECK(m == 4);
}

TEST_CASE("a fund whose basket falls against the index cuts its size tilt and re-picks its basket",
          "[neutral_fund][basket]") {
  // Size and alpha are the signals (equal weights). The first basket, picked before any alpha is
  // known, is the ten smallest stocks; the dumper sells them down to limit-down on the first day
  // while the index's members stay put: an excess loss at the first close. With a style cut at 1%,
  // the manager halves the size weight the next morning, so the basket it picks from then on gives
  // alpha more say than the uncut fund's.
  struct Result {
    bool cut;
    double excess, size_weight;
    std::vector<InstrumentId> basket;
  };
  auto run = [](const std::string& cut_drawdown) {
    auto plan = std::make_shared<test::DumpPlan>();
    plan->days = {0};
    const AgentRegistry r = test::registry_with_dumper(plan);
    Simulation sim(test::small_world(r, {"days=3", "dma.accounts=0", "neutral_funds.count=1",
                                         "fundamentals.alpha_dispersion_annual=0.3", "neutral_funds.alpha_weight=1",
                                         "neutral_funds.size_weight=1", "neutral_funds.reversal_weight=0",
                                         "neutral_funds.crowding=1", "neutral_funds.style_dispersion=0",
                                         "neutral_funds.style_cut_share=0.5",
                                         "neutral_funds.style_cut_drawdown=" + cut_drawdown}),
                   r);
    const NeutralFund* fund = test::agents_of<NeutralFund>(sim).at(0);
    plan->stocks = fund->basket().basket();   // picked at setup, before any alpha is known: by size alone
    while (!sim.finished()) sim.step();
    const HedgedBasket& b = fund->basket();
    return Result{b.style_cut(), b.excess_index(), b.size_weight(), b.basket()};
  };
  const Result without = run("0");
  const Result with = run("0.01");
  // No cut configured: the excess is not tracked and the weight stays.
  CHECK_FALSE(without.cut);
  CHECK(without.size_weight == 1.0);
  // With it: the dumped basket lost against the index, the weight was halved, and the fund holds
  // another basket than the uncut one.
  CHECK(with.excess < 0.99);
  CHECK(with.cut);
  CHECK(with.size_weight == 0.5);
  CHECK(with.basket != without.basket);
}

TEST_CASE("a deep discount on the hedge makes the manager hold a smaller book and a mild one changes nothing",
          "[neutral_fund][basket][futures]") {
  // The futures makers price the contracts at an expected basis; at -50% a year the hedge gives up
  // more than the fund's threshold of 15%, so with a slope of 2 the manager holds half its book
  // (the cut's cap) and sells toward it through the voluntary turnover. At -5% nothing is cut:
  // the run is the one without the rule.
  struct Result {
    double sizing, long_yuan;
  };
  auto run = [](const std::string& basis, const std::string& slope) {
    const AgentRegistry r = builtin_agents();
    Simulation sim(test::small_world(r, one_fund({"days=5", "neutral_funds.capital_yuan_median=2e7",
                                                  "futures.initial_basis_annual=" + basis,
                                                  "liquidity_providers.futures_fair_value_weight=1",
                                                  "neutral_funds.hedge_cost_cut_from=0.15",
                                                  "neutral_funds.hedge_cost_cut_max=0.5",
                                                  "neutral_funds.hedge_cost_cut_slope=" + slope})),
                   r);
    const NeutralFund& fund = *test::agents_of<NeutralFund>(sim).at(0);
    while (!sim.finished()) sim.step();
    return Result{fund.basket().hedge_cost_sizing(), value_account(sim.view(), fund.account()).long_value};
  };
  const Result deep_kept = run("-0.5", "0");
  const Result deep_cut = run("-0.5", "2");
  CHECK(deep_kept.sizing == 1.0);
  CHECK(deep_cut.sizing == Approx(0.5));
  INFO("long book: " << deep_kept.long_yuan << " without the rule, " << deep_cut.long_yuan << " with it");
  CHECK(deep_cut.long_yuan < 0.85 * deep_kept.long_yuan);

  const Result mild_kept = run("-0.05", "0");
  const Result mild_cut = run("-0.05", "2");
  CHECK(mild_cut.sizing == 1.0);
  CHECK(mild_cut.long_yuan == mild_kept.long_yuan);
}
