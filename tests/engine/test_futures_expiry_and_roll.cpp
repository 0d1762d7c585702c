// Index futures through an expiry: the front contract cash-settles to the index average, the
// next contract becomes the front, a new contract is listed, and money stays conserved.
#include <catch2/catch.hpp>

#include "small_world.hpp"

using namespace stampede;

TEST_CASE("the front contract expires on the third Friday and the next one becomes the front", "[futures]") {
  // 2024-01-19 is the third Friday of January 2024.
  Qty bought = 0;
  const AgentRegistry r = test::registry_with_script([&bought](const MarketView& v, OrderSink& out, AccountId acc) {
    if (v.day == 0 && v.step_in_day == 1) {
      out.limit(acc, v.futures_instrument(0), Side::Buy, v.quote(v.futures_instrument(0)).upper, 2);
      bought = 2;
    }
  }, 5e7);
  Simulation sim(test::small_world(r, {"start_date=2024-01-17", "days=4"}), r);
  const AccountId acc = test::scripted(sim).account();
  const Fen cash_before = sim.accounts()[acc].cash;

  std::vector<std::vector<std::string>> codes;
  std::vector<EventRow> expiries;
  while (!sim.finished()) {
    if (sim.step()) {
      codes.push_back(sim.day_frame().futures_code);
      for (auto& [kind, rows] : sim.take_events())
        if (kind == "futures_expiry") expiries.insert(expiries.end(), rows.begin(), rows.end());
    }
    REQUIRE(sim.conservation_problems().empty());
  }
  REQUIRE(bought == 2);
  CHECK(codes[0] == std::vector<std::string>{"IM2401", "IM2402"});
  CHECK(codes[2] == std::vector<std::string>{"IM2401", "IM2402"});   // settles on the expiry day
  CHECK(codes[3] == std::vector<std::string>{"IM2402", "IM2403"});   // rolled the next day
  REQUIRE(expiries.size() == 1);
  CHECK(expiries[0].reason == "IM2401");
  CHECK(expiries[0].day == 2);
  CHECK(expiries[0].quantity >= 2);   // open interest at expiry includes our two contracts

  const Account& a = sim.accounts()[acc];
  CHECK(a.futures(0).qty == 0);   // the expired long was cash-settled, nothing carried into IM2402
  CHECK(a.futures(1).qty == 0);
  CHECK(a.cash != cash_before);   // variation margin and final settlement moved cash
  CHECK(a.futures_margin() == 0);
}
