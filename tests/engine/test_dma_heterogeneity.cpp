// Heterogeneous DMA books (agents/dma_account.hpp): each account draws its leverage, its broker
// (whose lines, grace and pace are drawn per broker), a cushion and a signal family. The draws lie
// in their bounds; at spread 0 every account is the section's and extra brokers or families change
// nothing; higher leverage meets the broker's lines first under the same fall; and signal
// families make baskets overlap less across families than within one.
#include <catch2/catch.hpp>

#include <climits>
#include <map>

#include "funds_world.hpp"

using namespace stampede;

namespace {

// Each DMA account with its engine agent id (the id events carry).
std::vector<std::pair<AgentId, const DmaAccount*>> dma_accounts(const Simulation& sim) {
  std::vector<std::pair<AgentId, const DmaAccount*>> out;
  for (std::size_t k = 0; k < sim.agents().size(); ++k)
    if (auto* d = dynamic_cast<const DmaAccount*>(sim.agents()[k].get())) out.emplace_back(static_cast<AgentId>(k), d);
  return out;
}

// Share of the stocks two baskets have in common.
double overlap(const std::vector<InstrumentId>& a, const std::vector<InstrumentId>& b) {
  std::vector<InstrumentId> both;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
  return static_cast<double>(both.size()) / static_cast<double>(std::max(a.size(), b.size()));
}

}  // namespace

TEST_CASE("DMA terms: leverages within their bounds, brokers with their own lines, cushions and families drawn", "[dma]") {
  const AgentRegistry r = builtin_agents();
  Simulation sim(test::small_world(r, {"days=1", "neutral_funds.count=0", "dma.accounts=40", "dma.equity_yuan_median=1e5",
                                       "dma.basket_size=5", "dma.leverage=3", "dma.leverage_spread=1", "dma.brokers=3",
                                       "dma.warning_ratio=0.7", "dma.liquidation_ratio=0.5", "dma.cure_ratio=0.8",
                                       "dma.grace_steps=40", "dma.broker_line_spread=0.3", "dma.broker_grace_spread=0.5",
                                       "dma.broker_pace_spread=0.5", "dma.cushion_spread=0.2", "dma.signal_families=4",
                                       "dma.family_share=0.5"}),
                 r);
  const auto accounts = dma_accounts(sim);
  REQUIRE(accounts.size() == 40);
  double lo = 1e9, hi = -1e9, c_lo = 1e9, c_hi = -1e9;
  std::map<int, DmaParams> broker;
  std::set<int> families;
  for (const auto& [id, d] : accounts) {
    const DmaParams& p = d->params();
    CHECK(p.leverage >= 2.0);
    CHECK(p.leverage <= 4.0);
    lo = std::min(lo, p.leverage);
    hi = std::max(hi, p.leverage);
    // The broker's terms: the same for all its accounts, within 1 +- spread of the section's.
    REQUIRE(p.broker >= 0);
    REQUIRE(p.broker < 3);
    auto [it, first] = broker.emplace(p.broker, p);
    CHECK(p.warning_ratio == it->second.warning_ratio);
    CHECK(p.liquidation_ratio == it->second.liquidation_ratio);
    CHECK(p.grace_steps == it->second.grace_steps);
    CHECK(p.liquidation_pace == it->second.liquidation_pace);
    CHECK(p.liquidation_ratio == Approx(0.5 * p.warning_ratio / 0.7));   // one factor for the three lines
    CHECK(p.cure_ratio == Approx(0.8 * p.warning_ratio / 0.7));
    CHECK(p.warning_ratio >= 0.7 * 0.7);
    CHECK(p.warning_ratio <= 0.7 * 1.3);
    CHECK(p.grace_steps >= 20);
    CHECK(p.grace_steps <= 60);
    // The cushion: within its bounds, never past halfway to the warning line.
    CHECK(p.cushion >= -0.2);
    CHECK(p.cushion <= 0.2);
    CHECK(p.cushion >= 0.5 * (p.warning_ratio - 1.0) - 1e-12);
    CHECK(p.run_leverage() == Approx(p.leverage / (1.0 + p.cushion)));
    c_lo = std::min(c_lo, p.cushion);
    c_hi = std::max(c_hi, p.cushion);
    REQUIRE(p.family >= 0);
    REQUIRE(p.family < 4);
    families.insert(p.family);
  }
  CHECK(hi - lo > 1.0);     // 40 uniform draws over [2, 4] spread
  CHECK(c_hi - c_lo > 0.1);
  CHECK(families.size() >= 3);
  REQUIRE(broker.size() == 3);
  std::set<double> liquidation_lines, paces;
  for (const auto& [b, p] : broker) {
    liquidation_lines.insert(p.liquidation_ratio);
    paces.insert(p.liquidation_pace);
  }
  CHECK(liquidation_lines.size() == 3);   // each broker has its own lines
  CHECK(paces.size() == 3);

  // The book starts at its own run leverage, gross long / equity = leverage / (1 + cushion): never
  // above it, and close to it unless lots (or what the float has left) cut the basket short.
  sim.step();
  int close = 0;
  for (const auto& [id, d] : accounts) {
    INFO("account " << id << " leverage " << d->params().leverage << " cushion " << d->params().cushion);
    const double start = 1.0 / d->margin_ratio(sim.view());
    CHECK(start <= d->params().run_leverage() * 1.01);
    close += start >= d->params().run_leverage() * 0.95;
  }
  CHECK(close >= 36);
}

TEST_CASE("DMA terms: at spread 0 every account is the section's, and extra brokers and families change nothing", "[dma]") {
  const AgentRegistry r = builtin_agents();
  const std::vector<std::string> base{"days=2", "neutral_funds.count=0", "dma.accounts=6", "dma.warning_ratio=0.7"};
  std::vector<std::string> more = base;
  for (const char* kv : {"dma.brokers=4", "dma.signal_families=5", "dma.leverage_spread=0", "dma.broker_line_spread=0",
                         "dma.broker_grace_spread=0", "dma.broker_pace_spread=0", "dma.cushion_spread=0",
                         "dma.family_share=0"})
    more.push_back(kv);
  Simulation a(test::small_world(r, base), r);
  Simulation b(test::small_world(r, more), r);
  const auto da = dma_accounts(a), db = dma_accounts(b);
  REQUIRE(da.size() == 6);
  REQUIRE(db.size() == 6);
  std::set<int> brokers;
  for (std::size_t k = 0; k < da.size(); ++k) {
    for (const DmaAccount* d : {da[k].second, db[k].second}) {
      const DmaParams& p = d->params();
      CHECK(p.leverage == 4.0);
      CHECK(p.run_leverage() == 4.0);
      CHECK(p.cushion == 0.0);
      CHECK(p.warning_ratio == 0.7);
      CHECK(p.liquidation_ratio == 0.4);
      CHECK(p.cure_ratio == 0.8);
      CHECK(p.grace_steps == 60);
      CHECK(p.liquidation_pace == 0.1);
      CHECK(p.liquidation_aggressiveness_ticks == 20);
    }
    brokers.insert(db[k].second->params().broker);
    CHECK(da[k].second->basket().basket() == db[k].second->basket().basket());
    CHECK(da[k].second->loan() == db[k].second->loan());
  }
  CHECK(brokers.size() > 1);   // the accounts did go to different brokers, with identical terms
  // The same run, step for step.
  while (!a.finished()) {
    a.step();
    b.step();
    for (std::size_t k = 0; k < da.size(); ++k) {
      REQUIRE(da[k].second->equity(a.view()) == db[k].second->equity(b.view()));
      REQUIRE(da[k].second->state() == db[k].second->state());
    }
  }
  REQUIRE(b.finished());
}

TEST_CASE("under the same fall, DMA accounts at higher leverage hit their broker's lines first", "[dma]") {
  auto plan = std::make_shared<test::DumpPlan>();
  plan->days = {1, 2};   // every basket falls 10% (locked limit-down) on day 1 and again on day 2
  const AgentRegistry r = test::registry_with_dumper(plan);
  // Identical baskets (crowding 1, no style dispersion) and equities; leverages spread over 2..4.
  Simulation sim(test::small_world(r, {"days=4", "neutral_funds.count=0", "dma.accounts=10", "dma.basket_size=5",
                                       "dma.crowding=1", "dma.style_dispersion=0", "dma.equity_yuan_median=1e5",
                                       "dma.equity_dispersion=0", "dma.leverage=3", "dma.leverage_spread=1",
                                       "dma.warning_ratio=0.8", "dma.liquidation_ratio=0.5", "dma.cure_ratio=0.9",
                                       "dma.grace_steps=1000"}),
                 r);
  const auto accounts = dma_accounts(sim);
  REQUIRE(accounts.size() == 10);
  for (const auto& [id, d] : accounts) {
    CHECK(d->basket().basket() == accounts[0].second->basket().basket());
    for (InstrumentId s : d->basket().basket())
      if (std::find(plan->stocks.begin(), plan->stocks.end(), s) == plan->stocks.end()) plan->stocks.push_back(s);
  }
  test::EventLog log;
  while (!sim.finished()) {
    sim.step();
    log.take(sim, {"margin_calls", "liquidations"});
  }
  std::map<AgentId, StepIndex> warned, liquidated;
  for (const EventRow& e : log.of("margin_calls", "warning")) warned.emplace(e.agent_id, e.step);
  for (const EventRow& e : log.rows)
    if (e.agent_class == "liquidations" && e.reason.rfind("start_", 0) == 0) liquidated.emplace(e.agent_id, e.step);
  const auto first = [](const std::map<AgentId, StepIndex>& m, AgentId id) {
    auto it = m.find(id);
    return it == m.end() ? StepIndex{LLONG_MAX} : it->second;
  };
  // Ordered by leverage, the first warning and the liquidation never come later for the more
  // leveraged account of a pair (ties within 0.2x aside: the baskets round to lots differently).
  for (const auto& [i, di] : accounts)
    for (const auto& [j, dj] : accounts) {
      if (di->params().leverage <= dj->params().leverage + 0.2) continue;
      INFO("leverage " << di->params().leverage << " vs " << dj->params().leverage);
      CHECK(first(warned, i) <= first(warned, j));
      CHECK(first(liquidated, i) <= first(liquidated, j));
    }
  // And it does separate them: the most leveraged account was liquidated, strictly before the
  // least leveraged one got as far (if it ever did), which was warned later or never.
  const auto by_leverage = [](const auto& x, const auto& y) { return x.second->params().leverage < y.second->params().leverage; };
  const auto [low, high] = std::minmax_element(accounts.begin(), accounts.end(), by_leverage);
  INFO("lowest " << low->second->params().leverage << ", highest " << high->second->params().leverage);
  CHECK(high->second->params().leverage - low->second->params().leverage > 1.2);
  REQUIRE(liquidated.count(high->first) == 1);
  CHECK(first(liquidated, high->first) < first(liquidated, low->first));
  CHECK(first(warned, high->first) < first(warned, low->first));
}

TEST_CASE("DMA baskets overlap less across signal families than within one", "[dma]") {
  const AgentRegistry r = builtin_agents();
  const auto world = [&](const char* share) {
    return test::small_world(r, {"days=1", "neutral_funds.count=0", "dma.accounts=16", "dma.basket_size=10",
                                 "dma.crowding=0.8", "dma.signal_families=2", std::string("dma.family_share=") + share});
  };
  Simulation families(world("0.9"), r);
  Simulation one(world("0"), r);
  double within = 0, across = 0, all_one = 0;
  int n_within = 0, n_across = 0, n_one = 0;
  const auto fa = dma_accounts(families), oa = dma_accounts(one);
  REQUIRE(fa.size() == 16);
  for (std::size_t i = 0; i < fa.size(); ++i)
    for (std::size_t j = i + 1; j < fa.size(); ++j) {
      const double o = overlap(fa[i].second->basket().basket(), fa[j].second->basket().basket());
      if (fa[i].second->params().family == fa[j].second->params().family) {
        within += o;
        ++n_within;
      } else {
        across += o;
        ++n_across;
      }
      all_one += overlap(oa[i].second->basket().basket(), oa[j].second->basket().basket());
      ++n_one;
    }
  REQUIRE(n_within > 0);
  REQUIRE(n_across > 0);
  within /= n_within;
  across /= n_across;
  all_one /= n_one;
  INFO("overlap within a family " << within << ", across families " << across << ", one common signal " << all_one);
  CHECK(within > across + 0.15);
  CHECK(all_one > across + 0.15);   // without families every pair crowds like a family
}

TEST_CASE("the manager's sizing band: back up to run leverage below it, cut to its top above it, hold inside", "[dma]") {
  DmaParams p;
  p.leverage = 3.0;
  p.cushion = 0.0;
  p.leverage_band = 0.5;   // the book is left alone between 3x and 4.5x the morning's equity
  CHECK(p.sizing_target(200.0, 100.0) == 300.0);   // 2x: bought back up to 3x
  CHECK(p.sizing_target(400.0, 100.0) == 400.0);   // 4x: carried as it is
  CHECK(p.sizing_target(500.0, 100.0) == 450.0);   // 5x: cut to the top of the band
  CHECK(p.sizing_target(500.0, -10.0) == 0.0);     // no equity left: nothing to run
  p.leverage_band = 0.0;                           // no band: always re-sized to run leverage
  CHECK(p.sizing_target(400.0, 100.0) == 300.0);
  CHECK(p.sizing_target(200.0, 100.0) == 300.0);
}

TEST_CASE("a DMA manager with a sizing band sells less of a loss than one who re-sizes every morning", "[dma]") {
  // Both books (3x) lose the same on day 1, their basket dumped to limit-down, far from any line;
  // the prices then drift back. Returns the basket's shares at the first close and at the end.
  const auto shares_held = [](const char* band) {
    auto plan = std::make_shared<test::DumpPlan>();
    plan->days = {1};
    const AgentRegistry r = test::registry_with_dumper(plan);
    Simulation sim(test::small_world(r, {"days=4", "neutral_funds.count=0", "dma.accounts=1", "dma.basket_size=3",
                                         "dma.equity_yuan_median=3e5", "dma.equity_dispersion=0", "dma.leverage=3",
                                         "dma.warning_ratio=0.1", "dma.liquidation_ratio=0.05", band}),
                   r);
    const DmaAccount& dma = *test::agents_of<DmaAccount>(sim).at(0);
    plan->stocks = dma.basket().basket();
    Qty before = -1;   // at the first close, before the dump
    while (!sim.finished())
      if (sim.step() && before < 0) before = test::held(sim, dma.account(), plan->stocks);
    CHECK(dma.state() == AgentState::Normal);
    return std::pair{before, test::held(sim, dma.account(), plan->stocks)};
  };
  const auto [before_cut, after_cut] = shares_held("dma.leverage_band=0");
  const auto [before_band, after_band] = shares_held("dma.leverage_band=0.5");
  INFO("no band: " << before_cut << " -> " << after_cut << "; band 0.5: " << before_band << " -> " << after_band);
  REQUIRE(before_cut == before_band);   // the same book until the loss
  CHECK(after_cut < before_cut);        // re-sized to 3x the smaller equity: shares sold at the bottom
  CHECK(after_band > after_cut);        // inside the band the loss is carried: fewer sold (only rotation)
}
