// The market's invariants (Simulation::conservation_problems) over many seeds of the small world,
// at every step, and proof that the check sees a broken state: each kind of damage is injected
// into a live simulation and must be reported.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <string>

#include "small_world.hpp"

namespace stampede {
// Reaches into the simulation's state to break it on purpose (declared a friend of Simulation).
struct SimulationTestAccess {
  static AccountBook& accounts(Simulation& s) { return s.accounts_; }
  static std::vector<std::vector<Trade>>& trades(Simulation& s) { return s.trades_; }
  static std::vector<StockDayStats>& stock_day(Simulation& s) { return s.stock_day_; }
  static std::array<Qty, kFuturesSlots>& open_interest(Simulation& s) { return s.open_interest_; }
};
}  // namespace stampede

using namespace stampede;

namespace {

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
  return std::any_of(problems.begin(), problems.end(), [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

std::string joined(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) out += p + "\n";
  return out;
}

// A smaller small world: fewer stocks and traders, so a hundred seeds run in seconds.
std::vector<std::string> tiny(int seed, const std::string& start) {
  return {"seed=" + std::to_string(seed), "start_date=" + start, "days=2", "stocks.microcaps=16", "stocks.index_constituents=10",
          "stocks.large_caps=2", "indices.microcap_members=10", "noise_traders.count=150", "retail.count=150",
          "neutral_funds.basket_size=6", "dma.basket_size=6"};
}

// A stock position of an account other than the passive float (account 0) and the account itself.
std::pair<AccountId, InstrumentId> some_holding(const AccountBook& accounts) {
  for (AccountId a = 1; a < accounts.size(); ++a)
    for (const StockPosition& p : accounts[a].stocks())
      if (p.qty >= 200 && p.sellable >= 100) return {a, p.stock};
  return {-1, -1};
}

}  // namespace

TEST_CASE("every invariant holds at every step over 200 seeds of the small world", "[invariants]") {
  const AgentRegistry r = builtin_agents();
  const auto t0 = std::chrono::steady_clock::now();
  std::int64_t steps = 0, trades = 0, futures_trades = 0;   // futures: contracts traded
  for (int seed = 1; seed <= 200; ++seed) {
    // Every third seed crosses the January futures expiry (third Friday, 2024-01-19) and the roll.
    const std::string start = seed % 3 == 0 ? "2024-01-18" : "2024-01-08";
    Simulation sim(test::small_world(r, tiny(seed, start)), r);
    sim.set_check_invariants(false);   // checked here, so a failure names the seed
    while (!sim.finished()) {
      sim.step();
      ++steps;
      const auto problems = sim.conservation_problems();
      if (!problems.empty()) FAIL("seed " << seed << ", step " << sim.global_step() - 1 << ":\n" << joined(problems));
      for (std::int64_t v : sim.step_frame().futures_volume) futures_trades += v;
    }
    trades += sim.totals().trades;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  WARN("200 seeds, " << steps << " steps, " << trades << " trades checked in " << secs << " s");
  CHECK(trades > 200 * 500);   // the worlds really traded
  CHECK(futures_trades > 0);
}

TEST_CASE("step() throws InvariantViolation when checking is on and the state is broken", "[invariants]") {
  const AgentRegistry r = builtin_agents();
  Simulation sim(test::small_world(r, tiny(7, "2024-01-08")), r);
  sim.set_check_invariants(true);
  REQUIRE(sim.checks_invariants());
  REQUIRE_NOTHROW(sim.step());
  SimulationTestAccess::accounts(sim)[1].cash += 1;   // one fen out of nowhere
  try {
    sim.step();
    FAIL("no InvariantViolation");
  } catch (const InvariantViolation& e) {
    CHECK(std::string(e.what()).find("total cash") != std::string::npos);
    CHECK(mentions(e.problems, "(by 1)"));
  }
}

TEST_CASE("each kind of broken state is reported", "[invariants]") {
  const AgentRegistry r = builtin_agents();
  auto fresh = [&] {
    auto sim = std::make_unique<Simulation>(test::small_world(r, tiny(11, "2024-01-08")), r);
    sim->set_check_invariants(false);
    for (int i = 0; i < 6; ++i) sim->step();   // some trading, mid-day
    REQUIRE(sim->conservation_problems().empty());
    return sim;
  };

  SECTION("negative shares, with the total kept") {
    auto sim = fresh();
    AccountBook& acc = SimulationTestAccess::accounts(*sim);
    const auto [a, stock] = some_holding(acc);
    REQUIRE(a > 0);
    StockPosition& p = *acc[a].find(stock);
    const Qty moved = p.qty + 100;
    p.qty -= moved;
    p.sellable = 0;
    acc.position(0, stock).qty += moved;   // the float takes them: the stock's total is unchanged
    const auto problems = sim->conservation_problems();
    CHECK(mentions(problems, "negative holding"));
    CHECK_FALSE(mentions(problems, "outstanding"));
  }
  SECTION("sellable above the holding") {
    auto sim = fresh();
    AccountBook& acc = SimulationTestAccess::accounts(*sim);
    const auto [a, stock] = some_holding(acc);
    REQUIRE(a > 0);
    acc[a].find(stock)->sellable = acc[a].find(stock)->qty + 100;
    CHECK(mentions(sim->conservation_problems(), "sellable above holding"));
  }
  SECTION("shares created") {
    auto sim = fresh();
    AccountBook& acc = SimulationTestAccess::accounts(*sim);
    const auto [a, stock] = some_holding(acc);
    acc[a].find(stock)->qty += 100;
    CHECK(mentions(sim->conservation_problems(), "outstanding"));
  }
  SECTION("cash moved outside a trade is fine, cash destroyed is not") {
    auto sim = fresh();
    AccountBook& acc = SimulationTestAccess::accounts(*sim);
    acc[1].cash -= 500;
    acc[2].cash += 500;
    CHECK(sim->conservation_problems().empty());
    acc[2].cash -= 1;
    CHECK(mentions(sim->conservation_problems(), "total cash"));
  }
  SECTION("futures positions that do not net to zero, and open interest off") {
    auto sim = fresh();
    SimulationTestAccess::accounts(*sim).futures(1, 0).qty += 1;
    const auto problems = sim->conservation_problems();
    CHECK(mentions(problems, "futures slot 0: positions sum to 1"));
    SimulationTestAccess::accounts(*sim).futures(1, 0).qty -= 1;
    SimulationTestAccess::open_interest(*sim)[1] += 3;
    CHECK(mentions(sim->conservation_problems(), "futures slot 1: open interest"));
  }
  SECTION("unsettled futures cash that does not net to zero") {
    auto sim = fresh();
    SimulationTestAccess::accounts(*sim).futures(1, 1).trade_cash += 7;
    CHECK(mentions(sim->conservation_problems(), "unsettled trade cash sums to 7"));
  }
  SECTION("a stock trade outside the day's band") {
    auto sim = fresh();
    auto& trades = SimulationTestAccess::trades(*sim);
    const Tick upper = sim->book(3).upper();
    trades[3].push_back(Trade{1, 2, 0, 0, Side::Buy, upper + 1, 100, upper + 1});
    CHECK(mentions(sim->conservation_problems(), "outside the day's band"));
  }
  SECTION("a futures trade outside its band") {
    auto sim = fresh();
    const auto slot = static_cast<std::size_t>(sim->stock_count());
    auto& trades = SimulationTestAccess::trades(*sim);
    trades[slot].push_back(Trade{1, 2, 0, 0, Side::Sell, sim->book(static_cast<InstrumentId>(slot)).lower() - 1, 1, 0});
    CHECK(mentions(sim->conservation_problems(), "futures slot 0: trade of 1"));
  }
  SECTION("a day's low below the band") {
    auto sim = fresh();
    SimulationTestAccess::stock_day(*sim)[5].low = sim->book(5).lower() - 1;
    CHECK(mentions(sim->conservation_problems(), "high/low"));
  }
  SECTION("negative reserved cash") {
    auto sim = fresh();
    SimulationTestAccess::accounts(*sim)[2].reserved_cash = -1;
    CHECK(mentions(sim->conservation_problems(), "negative reserved cash"));
  }
}
