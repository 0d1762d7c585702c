// DMA accounts: the broker's margin monitor (warning, then liquidation), forced orders that reach
// the books, wait while a book is locked limit-down and trade once it opens, and a shortfall the
// broker absorbs when equity goes below zero, with money conserved throughout.
#include <catch2/catch.hpp>
#include <tuple>

#include "funds_world.hpp"

using namespace stampede;

namespace {

// One DMA account at 4x on a basket of three small caps, and nothing else of its kind.
std::vector<std::string> one_dma(std::vector<std::string> extra) {
  std::vector<std::string> o{"neutral_funds.count=0", "dma.accounts=1", "dma.basket_size=3",
                             "dma.equity_yuan_median=3e5", "dma.equity_dispersion=0", "dma.leverage=4"};
  o.insert(o.end(), extra.begin(), extra.end());
  return o;
}

int class_index(const Simulation& sim, const std::string& name) {
  const auto& c = sim.agent_classes();
  return static_cast<int>(std::find(c.begin(), c.end(), name) - c.begin());
}

double forced_sales(const Simulation& sim, int cls) {
  double v = 0;
  for (int seg = 0; seg < 3; ++seg) v += sim.day_frame().flows[static_cast<std::size_t>(cls * 3 + seg)].sell_forced;
  return v;
}

const std::set<std::string> kKinds{"margin_calls", "liquidations", "broker_shortfalls"};

}  // namespace

TEST_CASE("a DMA account at 4x hit by a drop gets a margin call, then is liquidated through the books", "[dma]") {
  auto plan = std::make_shared<test::DumpPlan>();
  plan->days = {1, 2};   // the basket falls 10% on day 1 and again on day 2
  const AgentRegistry r = test::registry_with_dumper(plan);
  Simulation sim(test::small_world(r, one_dma({"days=7", "dma.warning_ratio=0.8", "dma.liquidation_ratio=0.5",
                                                "dma.grace_steps=1000"})), r);
  const DmaAccount& dma = *test::agents_of<DmaAccount>(sim).at(0);
  plan->stocks = dma.basket().basket();
  REQUIRE(plan->stocks.size() == 3);
  const int cls = class_index(sim, "dma_account");
  sim.step();
  const double initial_ratio = dma.margin_ratio(sim.view());
  CHECK(initial_ratio == Approx(0.25).epsilon(0.02));

  test::EventLog log;
  Qty held_at_liquidation = -1;
  double forced = 0;
  std::vector<AgentState> states;
  while (!sim.finished()) {
    const bool day_end = sim.step();
    log.take(sim, kKinds);
    if (held_at_liquidation < 0 && dma.state() == AgentState::Liquidating)
      held_at_liquidation = test::held(sim, dma.account(), plan->stocks);
    if (day_end) {
      forced += forced_sales(sim, cls);
      states.push_back(dma.state());
      REQUIRE(sim.conservation_problems().empty());
    }
  }
  const auto warnings = log.of("margin_calls", "warning");
  const auto starts = log.of("liquidations", "start_liquidation_line");
  REQUIRE(warnings.size() == 1);
  REQUIRE(starts.size() == 1);
  CHECK(warnings[0].day == 1);                        // -10% at 4x: equity -40%, ratio 0.6/3.6 < 0.8 * 0.25
  CHECK(warnings[0].price < 0.8 * initial_ratio);
  CHECK(starts[0].day == 2);                          // the second -10% takes it below 0.5 * 0.25
  CHECK(starts[0].step > warnings[0].step);
  CHECK(starts[0].price < 0.5 * initial_ratio);
  CHECK(states[1] == AgentState::MarginCall);
  CHECK(states[2] == AgentState::Liquidating);

  // The broker's orders reached the books and traded: sells tagged Liquidation (forced), the
  // basket sold down, the futures bought back, the loan repaid and the account closed.
  const auto orders = log.of("liquidations", "orders");
  REQUIRE(!orders.empty());
  CHECK(std::all_of(orders.begin(), orders.end(), [](const EventRow& e) { return e.quantity < 0 && e.price > 0; }));
  CHECK(!log.of("liquidations", "futures_order").empty());
  CHECK(held_at_liquidation > 0);
  CHECK(test::held(sim, dma.account(), plan->stocks) < held_at_liquidation);
  CHECK(forced > 0);
  CHECK(dma.state() == AgentState::Liquidated);
  CHECK(log.of("liquidations", "end").size() == 1);
  CHECK(!HedgedBasket::has_stocks(sim.accounts()[dma.account()]));
  CHECK(!HedgedBasket::has_futures(sim.accounts()[dma.account()]));
  CHECK(dma.loan() == 0);
  CHECK(sim.accounts()[dma.broker_account()].cash > 0);   // the loan came back to the broker
}

TEST_CASE("liquidation sells wait while the book is locked limit-down and trade after it opens", "[dma]") {
  auto plan = std::make_shared<test::DumpPlan>();
  plan->days = {1};   // locked limit-down all of day 1, free on day 2
  const AgentRegistry r = test::registry_with_dumper(plan);
  Simulation sim(test::small_world(r, one_dma({"days=3", "dma.warning_ratio=0.9", "dma.liquidation_ratio=0.7"})), r);
  const DmaAccount& dma = *test::agents_of<DmaAccount>(sim).at(0);
  plan->stocks = dma.basket().basket();

  test::EventLog log;
  Qty at_start = -1, end_day1 = -1;
  int locked_steps_while_liquidating = 0;
  while (!sim.finished()) {
    const bool day_end = sim.step();
    log.take(sim, kKinds);
    if (dma.state() == AgentState::Liquidating && sim.day() == 1) {
      const Qty now = test::held(sim, dma.account(), plan->stocks);
      if (at_start < 0) at_start = now;
      CHECK(now == at_start);   // nothing sold while the books are locked
      for (InstrumentId s : plan->stocks) locked_steps_while_liquidating += sim.view().quote(s).locked_limit_down;
    }
    if (day_end && sim.day() == 1) end_day1 = test::held(sim, dma.account(), plan->stocks);
  }
  const auto starts = log.of("liquidations", "start_liquidation_line");
  REQUIRE(starts.size() == 1);
  CHECK(starts[0].day == 1);
  CHECK(locked_steps_while_liquidating > 0);
  REQUIRE(at_start > 0);
  CHECK(end_day1 == at_start);
  // The orders were sent on day 1 (and queued behind the lock), sent again on day 2, and traded.
  int sells_day1 = 0, sells_day2 = 0;
  for (const EventRow& e : log.of("liquidations", "orders"))
    if (e.quantity < 0) (e.day == 1 ? sells_day1 : sells_day2) += 1;
  CHECK(sells_day1 > 0);
  CHECK(sells_day2 > 0);
  CHECK(test::held(sim, dma.account(), plan->stocks) < at_start);
}

TEST_CASE("a DMA account wiped out below zero leaves the broker a shortfall, money is conserved",
          "[dma][conservation]") {
  auto plan = std::make_shared<test::DumpPlan>();
  plan->days = {1, 2, 3, 4};   // -34% over four locked days: at 4x the equity goes below zero
  const AgentRegistry r = test::registry_with_dumper(plan);
  Simulation sim(test::small_world(r, one_dma({"days=9", "dma.accounts=2"})), r);
  const auto accounts = test::agents_of<DmaAccount>(sim);
  REQUIRE(accounts.size() == 2);
  // Both accounts' baskets are dumped.
  for (const DmaAccount* d : accounts)
    for (InstrumentId s : d->basket().basket())
      if (std::find(plan->stocks.begin(), plan->stocks.end(), s) == plan->stocks.end()) plan->stocks.push_back(s);
  Fen loans = 0;
  for (const DmaAccount* d : accounts) loans += d->loan();

  test::EventLog log;
  double lowest_equity = 1e300;
  while (!sim.finished()) {
    sim.step();
    log.take(sim, kKinds);
    const auto problems = sim.conservation_problems();
    INFO("step " << sim.global_step() << ": " << (problems.empty() ? "" : problems.front()));
    REQUIRE(problems.empty());
    lowest_equity = std::min(lowest_equity, accounts[0]->equity(sim.view()));
  }
  CHECK(lowest_equity < 0);
  const auto shortfalls = log.of("broker_shortfalls");
  REQUIRE(!shortfalls.empty());
  Fen repaid = 0, shortfall = 0;
  for (const DmaAccount* d : accounts) {
    CHECK(d->state() == AgentState::Liquidated);
    repaid += sim.accounts()[d->broker_account()].cash;
    shortfall += d->shortfall();
    // The day row keeps the loss: equity at minus the shortfall, the manager's NAV at zero.
    const AgentDayRow row = d->day_row(sim.view());
    CHECK(row.nav == 0);
    CHECK(row.equity == Approx(-static_cast<double>(d->shortfall()) / 100.0));
    CHECK(row.state == AgentState::Liquidated);
  }
  // What the broker got back plus what it lost is the loan, up to negative cash it also covers.
  CHECK(repaid + shortfall >= loans);
  double recorded = 0;
  for (const EventRow& e : shortfalls) recorded += e.price;
  CHECK(recorded == Approx(static_cast<double>(shortfall) / 100.0));
}

TEST_CASE("a broker liquidates in daily slices: at most forced_day_share of the book a day, the rest carried over",
          "[dma]") {
  // Held by the account at the end of each day, for a given daily slice.
  auto held_by_day = [](const char* day_share) {
    auto plan = std::make_shared<test::DumpPlan>();
    plan->days = {1};   // locked limit-down on day 1: the liquidation starts, its sells queue
    const AgentRegistry r = test::registry_with_dumper(plan);
    Simulation sim(test::small_world(r, one_dma({"days=5", "dma.warning_ratio=0.9", "dma.liquidation_ratio=0.7",
                                                  std::string("dma.forced_day_share=") + day_share})),
                   r);
    const DmaAccount& dma = *test::agents_of<DmaAccount>(sim).at(0);
    plan->stocks = dma.basket().basket();
    std::vector<Qty> held;
    while (!sim.finished())
      if (sim.step()) held.push_back(test::held(sim, dma.account(), plan->stocks));
    REQUIRE(dma.state() != AgentState::Normal);
    return held;
  };
  const std::vector<Qty> sliced = held_by_day("0.3");
  const std::vector<Qty> whole = held_by_day("1");
  REQUIRE(sliced.size() == 5);
  REQUIRE(sliced[1] > 0);
  // Day 2, the books open: a third of the book at most (plus a lot per stock), against all of it.
  CHECK(static_cast<double>(sliced[2]) >= 0.7 * static_cast<double>(sliced[1]) - 300);
  CHECK(whole[2] < sliced[2]);
  // What was not offered carries over: the slices go on the next days.
  CHECK(sliced[3] < sliced[2]);
  CHECK(sliced[4] < sliced[3]);
}

TEST_CASE("a DMA product whose NAV per unit falls below its stop-loss line is wound up the next morning, "
          "whatever the broker's lines say, and without a line it is not",
          "[dma]") {
  // The basket locks limit-down on day 1 (about -10% at 4x: the NAV per unit near 0.6); the
  // broker's lines are far below, so only the product's own line can end it.
  auto run = [](const char* line) {
    auto plan = std::make_shared<test::DumpPlan>();
    plan->days = {1};
    const AgentRegistry r = test::registry_with_dumper(plan);
    Simulation sim(test::small_world(r, one_dma({"days=4", "dma.warning_ratio=0.05", "dma.liquidation_ratio=0.02",
                                                  std::string("dma.stop_loss_nav=") + line})),
                   r);
    const DmaAccount& dma = *test::agents_of<DmaAccount>(sim).at(0);
    plan->stocks = dma.basket().basket();
    test::EventLog log;
    std::vector<double> nav_per_unit;   // at each day's end, against the first morning's equity
    double start_equity = 0;
    while (!sim.finished()) {
      const bool day_end = sim.step();
      log.take(sim, kKinds);
      if (start_equity == 0) start_equity = dma.equity(sim.view());
      if (day_end) nav_per_unit.push_back(dma.equity(sim.view()) / start_equity);
    }
    return std::make_tuple(log.of("liquidations", "start_stop_loss"), nav_per_unit, dma.state());
  };
  const auto [stops, nav, state] = run("0.8");
  REQUIRE(nav.size() == 4);
  REQUIRE(nav[0] > 0.8);   // day 0 ends above the line
  REQUIRE(nav[1] < 0.8);   // the locked day ends below it
  REQUIRE(stops.size() == 1);
  CHECK(stops[0].day == 2);          // checked on the morning's NAV, not intraday
  CHECK(stops[0].price < 0.8);       // the event carries the NAV per unit that broke the line
  CHECK(stops[0].price == Approx(nav[1]).epsilon(0.02));
  CHECK(state != AgentState::Normal);
  const auto [no_stops, no_nav, no_state] = run("0");
  CHECK(no_stops.empty());
  CHECK(no_state == AgentState::Normal);
  CHECK(no_nav[1] == Approx(nav[1]).epsilon(0.01));   // the same fall, carried
}
