// Futures makers ration the long book they absorb: hedging it takes the index's stocks sold short,
// which A-share lending limits ration (liquidity_providers.futures_absorb_*). Futures sold into
// the makers beyond the book they carry push the futures to a deeper discount; futures bought
// from them cost no extra premium (anyone can close a premium by buying the stocks); and as the
// makers come to carry the book (a half-life), the discount closes.
#include <catch2/catch.hpp>

#include "small_world.hpp"

using namespace stampede;

namespace {

struct FlowRun {
  std::vector<double> basis_day1;   // front basis (futures - index, points) over day 1's last hour
  double basis_day2 = 0;            // mean front basis over day 2's last hour
  Qty traded = 0;                   // contracts the scripted hedger traded on day 1
};

// A hedger that sells (or buys) `lots` contracts of the front at the best opposite quote at each
// of day 1's first eight continuous steps. It holds no state of its own, so it checkpoints.
class FrontHedger final : public Agent {
 public:
  FrontHedger(AccountId account, Side side) : account_(account), side_(side) {}
  const char* kind() const override { return "front_hedger"; }
  void checkpoint(StateIo& /*io*/) override {}
  void decide(const MarketView& v, OrderSink& out) override {
    if (v.day != 1 || v.phase != StepPhase::Continuous || v.step_in_day > 8) return;
    const InstrumentId inst = v.futures_instrument(0);
    const InstrumentQuote& q = v.quote(inst);
    const Tick price = side_ == Side::Sell ? q.best_bid : q.best_ask;
    if (price != kNoPrice) out.limit(account_, inst, side_, price, 20);
  }
  AccountId account() const { return account_; }

 private:
  AccountId account_;
  Side side_;
};

AgentRegistry registry_with_hedger(Side side) {
  AgentRegistry r = builtin_agents();
  r.add(AgentKind{"front_hedger", {}, [side](const Scenario&, WorldSetup& setup) {
                    const AgentId id = setup.next_agent_id();
                    const AccountId acc = setup.open_account(id, static_cast<Fen>(1e9 * 100));
                    setup.add_agent(std::make_unique<FrontHedger>(acc, side));
                  }});
  return r;
}

// A world where only the makers and the hedger trade futures.
Scenario hedger_world(const AgentRegistry& r, const std::string& skew_pct, const std::string& halflife) {
  return test::small_world(r, {"days=3", "seed=5", "dma.accounts=0", "neutral_funds.count=0", "snowball.issuers=0",
                               "national_team.enabled=false", "liquidity_providers.futures_absorb_skew_pct=" + skew_pct,
                               "liquidity_providers.futures_absorb_capacity_yuan=5e7",
                               "liquidity_providers.futures_absorb_halflife_days=" + halflife});
}

FlowRun run_flow(Side side, const std::string& skew_pct, const std::string& halflife = "0") {
  const AgentRegistry r = registry_with_hedger(side);
  Simulation sim(hedger_world(r, skew_pct, halflife), r);
  const AccountId hedger = dynamic_cast<const FrontHedger&>(*sim.agents().back()).account();
  FlowRun out;
  int day2_steps = 0;
  const int last_hour = sim.clock().steps_per_day() - 1 - 60 / 15;
  while (!sim.finished()) {
    const bool day_end = sim.step();
    const MarketView& v = sim.view();
    if (day_end || v.phase != StepPhase::Continuous || v.step_in_day < last_hour) continue;
    if (v.day == 1) out.basis_day1.push_back(sim.step_frame().futures_basis[0]);
    if (v.day == 2) {
      out.basis_day2 += sim.step_frame().futures_basis[0];
      ++day2_steps;
    }
    if (v.day == 1) out.traded = std::abs(sim.accounts()[hedger].futures(0).qty);
  }
  REQUIRE(day2_steps > 0);
  out.basis_day2 /= day2_steps;
  return out;
}

double mean(const std::vector<double>& xs) {
  REQUIRE(!xs.empty());
  double s = 0;
  for (double x : xs) s += x;
  return s / static_cast<double>(xs.size());
}

}   // namespace

TEST_CASE("futures sold into makers beyond the book they carry deepen the discount", "[mechanisms][futures]") {
  const FlowRun unrationed = run_flow(Side::Sell, "0");
  const FlowRun rationed = run_flow(Side::Sell, "2");
  INFO("sold " << rationed.traded << " contracts; day-1 basis " << mean(rationed.basis_day1) << " points rationed, "
               << mean(unrationed.basis_day1) << " unrationed");
  REQUIRE(rationed.traded >= 80);   // the makers absorbed the sales
  // 2% of an index of about 6000 points per 5e7 yuan per maker: well over a hundred points,
  // far more than the makers' spread.
  CHECK(mean(rationed.basis_day1) < mean(unrationed.basis_day1) - 50.0);
}

TEST_CASE("futures bought from the makers cost no extra premium: a premium is closed by buying the stocks",
          "[mechanisms][futures]") {
  const FlowRun unrationed = run_flow(Side::Buy, "0");
  const FlowRun rationed = run_flow(Side::Buy, "2");
  REQUIRE(rationed.traded >= 40);
  // The makers end short: nothing beyond the carried long book, so their quotes and the whole
  // run are the same step for step.
  CHECK(rationed.basis_day1 == unrationed.basis_day1);
  CHECK(rationed.basis_day2 == unrationed.basis_day2);
}

TEST_CASE("as the makers come to carry an absorbed book, the discount it opened closes", "[mechanisms][futures]") {
  const FlowRun kept = run_flow(Side::Sell, "2", "0");
  const FlowRun carried = run_flow(Side::Sell, "2", "0.5");
  INFO("day-2 basis " << carried.basis_day2 << " points with a half-life of half a day, " << kept.basis_day2
                      << " with none");
  // Day 1 is the same: the carried book moves only between days.
  CHECK(carried.basis_day1 == kept.basis_day1);
  // By day 2 the makers carry three quarters of what they absorbed: most of the discount is gone.
  CHECK(carried.basis_day2 > kept.basis_day2 + 50.0);
}

TEST_CASE("the book the makers carry is part of a checkpoint: a resumed run prices the absorbed book the same",
          "[mechanisms][futures][checkpoint]") {
  const AgentRegistry r = registry_with_hedger(Side::Sell);
  const Scenario s = hedger_world(r, "2", "10");
  Simulation original(s, r);
  test::run_to_day(original, 2);
  REQUIRE(original.at_day_boundary());
  const test::Resumed loaded = test::resume_from_checkpoint(original, s, r);
  Simulation& resumed = *loaded.sim;
  // Day 2's basis, step by step: the makers still mark down most of what they absorbed on day 1.
  auto day2_basis = [](Simulation& sim) {
    std::vector<double> basis;
    while (!sim.finished()) {
      sim.step();
      sim.take_events();
      if (sim.view().phase == StepPhase::Continuous) basis.push_back(sim.step_frame().futures_basis[0]);
    }
    return basis;
  };
  const std::vector<double> from_original = day2_basis(original);
  CHECK(day2_basis(resumed) == from_original);
  REQUIRE(!from_original.empty());
  CHECK(mean(from_original) < -50.0);   // the discount the carried book leaves is there to resume
}
