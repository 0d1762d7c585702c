// Index-enhanced long-only funds: start invested, redemptions follow a drawdown relative to the
// hedged index, are paid after the lag, and the money leaves the market; conservation holds with
// them and the national team active.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>

#include "agents/index_enhanced_fund.hpp"
#include "agents/liquidity_provider.hpp"
#include "agents/national_team.hpp"
#include "agents/noise_traders.hpp"
#include "small_world.hpp"

using namespace stampede;

namespace {

// Market makers, noise traders, index-enhanced funds and the national team: no other agent pays
// money out of the market, so every yuan that leaves is a redemption paid by these funds.
AgentRegistry fund_registry() {
  AgentRegistry r;
  r.add(liquidity_providers_kind());
  r.add(noise_traders_kind());
  r.add(index_enhanced_kind());
  r.add(national_team_kind());
  r.populate_first(first_release_sections());   // the order they have in full runs
  return r;
}

Scenario fund_world(const AgentRegistry& r, const std::vector<std::string>& extra) {
  return test::small_world_for(r, extra, "index-enhanced world");
}

std::map<AgentId, const IndexEnhancedFund*> funds_of(const Simulation& sim) {
  std::map<AgentId, const IndexEnhancedFund*> out;
  for (const auto& a : sim.agents())
    if (auto* f = dynamic_cast<const IndexEnhancedFund*>(a.get())) out[a->id()] = f;
  return out;
}

// The national team lifts the hedged index while microcaps drift down: microcap-only funds fall
// behind their benchmark.
const std::vector<std::string> kDrawdown{
    "days=6", "index_enhanced.count=3", "index_enhanced.microcap_tilt=1", "index_enhanced.redemption_relative_drawdown=0.01",
    "index_enhanced.redemption_sensitivity=2", "index_enhanced.redemption_lag_days=2",
    "fundamentals.size_drift_annual=-2", "national_team.trigger_drawdown=0", "national_team.stop_recovery=0",
    "national_team.budget_yuan=2e8", "national_team.pace_yuan_per_day=2e7"};

}  // namespace

TEST_CASE("index-enhanced funds start invested, with a cash buffer", "[index_enhanced]") {
  const AgentRegistry r = fund_registry();
  Simulation sim(fund_world(r, {"days=1", "index_enhanced.count=3", "index_enhanced.capital_dispersion=0", "index_enhanced.cash_buffer=0.05"}), r);
  const auto funds = funds_of(sim);
  REQUIRE(funds.size() == 3);
  for (const auto& [id, f] : funds) {
    const Account& a = sim.accounts()[f->account()];
    double long_value = 0;
    for (const StockPosition& p : a.stocks()) long_value += static_cast<double>(p.qty) * sim.universe().first_price[p.stock] / 100.0;
    const double nav = long_value + static_cast<double>(a.cash) / 100.0;
    CHECK(a.cash == 2e6 * 0.05 * 100);
    CHECK(nav == Approx(2e6).epsilon(0.02));   // lots round the endowment down a little
    CHECK(a.stocks().size() >= 5);
  }
}

TEST_CASE("index-enhanced redemptions follow a relative drawdown, are paid after the lag and leave the market",
          "[index_enhanced]") {
  const AgentRegistry r = fund_registry();
  Simulation sim(fund_world(r, kDrawdown), r);
  const auto funds = funds_of(sim);
  REQUIRE(funds.size() == 3);
  const double threshold = 0.01;
  const int lag = 2;

  struct Request { DayIndex day; double amount; double paid = 0; DayIndex first_payment = -1; bool settled = false; };
  std::map<std::pair<AgentId, DayIndex>, Request> requests;
  double paid_total = 0;
  int requests_seen = 0;
  while (!sim.finished()) {
    const Fen outflow_before = sim.external_outflow();
    const bool day_end = sim.step();
    const auto problems = sim.conservation_problems();
    INFO((problems.empty() ? std::string() : problems.front()));
    REQUIRE(problems.empty());
    if (!day_end) {
      CHECK(sim.external_outflow() == outflow_before);   // money leaves only at the close
      continue;
    }
    auto events = sim.take_events();
    const DayIndex day = sim.day_frame().day;
    std::map<AgentId, bool> requested_today;
    for (const EventRow& e : events["redemption_requests"]) {
      REQUIRE(e.agent_class == "index_enhanced");
      CHECK(e.quantity == lag);
      CHECK(e.price > 0);
      requests[{e.agent_id, e.day}] = Request{e.day, e.price};
      requested_today[e.agent_id] = true;
      ++requests_seen;
    }
    // Requests come exactly from the funds whose relative drawdown is past the threshold.
    for (const auto& [id, f] : funds) {
      INFO("fund " << id << " day " << day << " relative drawdown " << f->relative_drawdown());
      CHECK(requested_today[id] == (f->relative_drawdown() > threshold));
    }
    double paid_today = 0;
    for (const EventRow& e : events["redemption_payments"]) {
      REQUIRE(requests.count({e.agent_id, static_cast<DayIndex>(e.quantity)}) == 1);
      Request& q = requests[{e.agent_id, static_cast<DayIndex>(e.quantity)}];
      CHECK(e.day >= q.day + lag);
      if (q.first_payment < 0) q.first_payment = e.day;
      q.paid += e.price;
      q.settled = e.reason == "paid";
      paid_today += e.price;
    }
    paid_total += paid_today;
    CHECK(static_cast<double>(sim.external_outflow() - outflow_before) / 100.0 == Approx(paid_today).margin(0.01));
    // Funds that still owe money are redeeming.
    for (const auto& [id, f] : funds)
      CHECK((f->pending_redemptions_yuan() > 0) == (f->state() == AgentState::Redeeming));
  }
  INFO("requests " << requests_seen << ", paid " << paid_total);
  REQUIRE(requests_seen > 0);
  CHECK(paid_total > 0);
  CHECK(static_cast<double>(sim.external_outflow()) / 100.0 == Approx(paid_total).margin(0.01));
  for (const auto& [key, q] : requests) {
    INFO("request of fund " << key.first << " on day " << q.day << ": " << q.amount << " yuan, paid " << q.paid);
    CHECK(q.paid <= q.amount + 0.01);
    if (q.day + lag < sim.calendar().size()) {
      // Due before the run ended: paid at the due close, in full (the fund sold in time).
      CHECK(q.first_payment == q.day + lag);
      CHECK(q.settled);
      CHECK(q.paid == Approx(q.amount).margin(0.01));
    } else {
      CHECK(q.first_payment == -1);
    }
  }
}

TEST_CASE("index-enhanced investors also redeem on absolute losses, on losing days past the threshold",
          "[index_enhanced]") {
  const AgentRegistry r = fund_registry();
  // The whole small-cap segment drifts down with the benchmark: the relative drawdown stays
  // small (its threshold is out of reach), the NAV itself falls.
  const std::vector<std::string> falling{"days=6",
                                         "index_enhanced.count=3",
                                         "index_enhanced.redemption_relative_drawdown=0.9",
                                         "index_enhanced.redemption_absolute_drawdown=0.005",
                                         "fundamentals.size_drift_annual=-2",
                                         "national_team.enabled=false"};
  for (const double sensitivity : {0.0, 2.0}) {
    std::vector<std::string> o = falling;
    o.push_back("index_enhanced.redemption_absolute_sensitivity=" + std::to_string(sensitivity));
    Simulation sim(fund_world(r, o), r);
    const auto funds = funds_of(sim);
    std::map<AgentId, double> last_drawdown;
    int requests = 0;
    while (!sim.finished()) {
      if (!sim.step()) continue;
      auto events = sim.take_events();
      std::map<AgentId, bool> requested_today;
      for (const EventRow& e : events["redemption_requests"]) {
        CHECK(e.reason == "absolute_drawdown");
        requested_today[e.agent_id] = true;
        ++requests;
      }
      for (const auto& [id, f] : funds) {
        // A request exactly when the drawdown is past the threshold and deepened today (a losing day).
        const double dd = f->absolute_drawdown();
        const bool expected = sensitivity > 0 && dd > 0.005 && dd > last_drawdown[id];
        INFO("sensitivity " << sensitivity << ", fund " << id << ", drawdown " << dd << " after " << last_drawdown[id]);
        CHECK(requested_today[id] == expected);
        last_drawdown[id] = dd;
      }
    }
    INFO("sensitivity " << sensitivity << ": " << requests << " requests");
    CHECK((requests > 0) == (sensitivity > 0));
  }
}

TEST_CASE("index-enhanced funds that keep up with the index see no redemptions", "[index_enhanced]") {
  const AgentRegistry r = fund_registry();
  Simulation sim(fund_world(r, {"days=4", "index_enhanced.count=3", "national_team.enabled=false",
                                "index_enhanced.redemption_relative_drawdown=0.5"}), r);
  while (!sim.finished()) sim.step();
  const auto events = sim.take_events();
  CHECK(events.count("redemption_requests") == 0);
  CHECK(sim.external_outflow() == 0);
  for (const auto& [id, f] : funds_of(sim)) CHECK(f->state() == AgentState::Normal);
}

TEST_CASE("conservation holds at every step with the national team and index-enhanced funds active",
          "[index_enhanced][national_team][conservation]") {
  const AgentRegistry r = builtin_agents();
  std::vector<std::string> o = kDrawdown;
  o.push_back("days=4");
  o.push_back("start_date=2024-01-17");   // crosses a futures expiry too
  Simulation sim(test::small_world(r, o), r);
  double bought = 0, paid = 0;
  while (!sim.finished()) {
    const bool day_end = sim.step();
    const auto problems = sim.conservation_problems();
    INFO("step " << sim.global_step() << ": " << (problems.empty() ? "" : problems.front()));
    REQUIRE(problems.empty());
    if (!day_end) continue;
    auto events = sim.take_events();
    for (const EventRow& e : events["interventions"])
      if (e.reason == "buy") bought += e.price;
    for (const EventRow& e : events["redemption_payments"])
      if (e.agent_class == "index_enhanced") paid += e.price;
  }
  INFO("national team bought " << bought << " yuan, index-enhanced funds paid out " << paid << " yuan");
  CHECK(bought > 0);
  CHECK(paid > 0);
}

TEST_CASE("the regulator's sell cap binds index-enhanced selling, redemption sales included", "[index_enhanced][regulator]") {
  const AgentRegistry r = fund_registry();
  for (const double cap : {0.0, 0.03}) {
    std::vector<std::string> o = kDrawdown;
    o.push_back("regulator.sell_cap_from_day=1");
    o.push_back("regulator.sell_cap_fraction_per_day=" + std::to_string(cap));
    Simulation sim(fund_world(r, o), r);
    const auto& classes = sim.agent_classes();
    const auto c = static_cast<std::size_t>(std::find(classes.begin(), classes.end(), "index_enhanced") - classes.begin());
    REQUIRE(c < classes.size());
    double long_at_close = 0, requested = 0, paid = 0;
    while (!sim.finished()) {
      if (!sim.step()) continue;
      const DayFrame& d = sim.day_frame();
      double sold = 0;
      for (std::size_t seg = 0; seg < 3; ++seg) sold += d.flows[c * 3 + seg].sell_forced + d.flows[c * 3 + seg].sell_voluntary;
      INFO("cap " << cap << ", day " << d.day << ": sold " << sold << " of " << long_at_close);
      if (d.day >= 1) CHECK(sold <= cap * long_at_close * 1.05 + 1.0);   // prices move a little within the day
      long_at_close = sim.class_metrics(static_cast<int>(c)).gross_long;
      auto events = sim.take_events();
      for (const EventRow& e : events["redemption_requests"]) requested += e.price;
      for (const EventRow& e : events["redemption_payments"]) paid += e.price;
    }
    INFO("cap " << cap << ": requested " << requested << ", paid " << paid);
    CHECK(requested > 0);
    CHECK(paid < requested);   // the cap keeps the funds from raising all the cash in time
  }
}
