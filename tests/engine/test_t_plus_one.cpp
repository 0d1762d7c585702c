// T+1: shares bought today can be sold from the next trading day; no short selling.
#include <catch2/catch.hpp>

#include "small_world.hpp"

using namespace stampede;

namespace {
constexpr InstrumentId kStock = 3;

// Buys 100 shares at the limit-up price (so it certainly fills) at the first continuous step of
// day 0, tries to sell them at the next step, and again on day 1.
struct Log {
  Qty held_when_selling_day0 = -1, sellable_when_selling_day0 = -1;
  Qty sellable_day1 = -1;
};

test::Script buy_then_sell(Log& log) {
  return [&log](const MarketView& v, OrderSink& out, AccountId acc) {
    const InstrumentQuote& q = v.quote(kStock);
    if (v.day == 0 && v.step_in_day == 1) out.limit(acc, kStock, Side::Buy, q.upper, 100);
    if (v.day == 0 && v.step_in_day == 2) {
      log.held_when_selling_day0 = v.account(acc).holding(kStock);
      log.sellable_when_selling_day0 = v.account(acc).sellable(kStock);
      out.limit(acc, kStock, Side::Sell, q.lower, 100);
    }
    if (v.day == 1 && v.step_in_day == 1) {
      log.sellable_day1 = v.account(acc).sellable(kStock);
      out.limit(acc, kStock, Side::Sell, q.lower, 100);
    }
  };
}
}  // namespace

TEST_CASE("shares bought today cannot be sold until the next trading day", "[t+1]") {
  Log log;
  const AgentRegistry r = test::registry_with_script(buy_then_sell(log));
  Simulation sim(test::small_world(r, {"days=2"}), r);
  const AccountId acc = test::scripted(sim).account();
  while (sim.day() == 0) sim.step();

  CHECK(log.held_when_selling_day0 == 100);
  CHECK(log.sellable_when_selling_day0 == 0);
  CHECK(sim.accounts()[acc].holding(kStock) == 100);   // the same-day sell was refused
  CHECK(sim.totals().rejections.at("insufficient_shares") >= 1);

  while (!sim.finished()) sim.step();
  CHECK(log.sellable_day1 == 100);
  CHECK(sim.accounts()[acc].holding(kStock) == 0);     // sold on day 1
}

TEST_CASE("selling shares an account does not hold is refused (no short selling)", "[t+1]") {
  const AgentRegistry r = test::registry_with_script([](const MarketView& v, OrderSink& out, AccountId acc) {
    if (v.day == 0 && v.step_in_day == 1) out.market(acc, kStock, Side::Sell, 100);
  });
  Simulation sim(test::small_world(r, {"days=1"}), r);
  while (!sim.finished()) sim.step();
  CHECK(sim.accounts()[test::scripted(sim).account()].holding(kStock) == 0);
  CHECK(sim.totals().rejections.at("insufficient_shares") >= 1);
}

TEST_CASE("a buy the account cannot pay for is refused before it reaches the book", "[risk]") {
  const AgentRegistry r = test::registry_with_script(
      [](const MarketView& v, OrderSink& out, AccountId acc) {
        if (v.day == 0 && v.step_in_day == 1) out.limit(acc, kStock, Side::Buy, v.quote(kStock).upper, 1000000);
      },
      /*cash_yuan=*/1000.0);
  Simulation sim(test::small_world(r, {"days=1"}), r);
  while (!sim.finished()) sim.step();
  const Account& a = sim.accounts()[test::scripted(sim).account()];
  CHECK(a.holding(kStock) == 0);
  CHECK(a.cash == 1000 * 100);
  CHECK(sim.totals().rejections.at("insufficient_cash") >= 1);
}

TEST_CASE("an order on another agent's account is refused", "[risk]") {
  const AgentRegistry r = test::registry_with_script([](const MarketView& v, OrderSink& out, AccountId) {
    if (v.day == 0 && v.step_in_day == 1) out.market(/*the float*/ 0, kStock, Side::Sell, 100);
  });
  Simulation sim(test::small_world(r, {"days=1"}), r);
  while (!sim.finished()) sim.step();
  CHECK(sim.totals().rejections.at("not_account_owner") == 1);
}

TEST_CASE("an order whose id belongs to another agent is refused, and so is a cancel of another agent's order", "[risk]") {
  const AgentRegistry r = test::registry_with_script([](const MarketView& v, OrderSink& out, AccountId acc) {
    if (v.day != 0 || v.step_in_day != 1) return;
    const OrderId foreign = make_order_id(/*agent*/ 0, OrderReason::Voluntary, 12345);
    out.extend({Order{foreign, acc, kStock, Side::Buy, OrderType::Limit, v.quote(kStock).last, 100}});
    out.cancel(acc, kStock, foreign);
  });
  Simulation sim(test::small_world(r, {"days=1"}), r);
  while (!sim.finished()) sim.step();
  CHECK(sim.totals().rejections.at("bad_order") == 2);
  CHECK(sim.accounts()[test::scripted(sim).account()].holding(kStock) == 0);
}
