// The retail population: budgets and T+1 respected by the traders themselves (the engine's risk
// check refuses nothing of theirs), panic selling that rises with the share of stocks locked
// limit-down, and bit-identical runs at any thread count.
#include <catch2/catch.hpp>
#include <tbb/global_control.h>

#include "agents/retail_population.hpp"
#include "small_world.hpp"

using namespace stampede;

namespace {

const RetailPopulation& population(const Simulation& sim) {
  for (const auto& a : sim.agents())
    if (auto* p = dynamic_cast<const RetailPopulation*>(a.get())) return *p;
  throw std::logic_error("no retail population in this world");
}

std::int64_t retail_rejections(std::map<std::string, std::vector<EventRow>>& events, std::map<std::string, std::int64_t>& by_reason) {
  std::int64_t n = 0;
  for (const EventRow& e : events["order_rejections"])
    if (e.agent_class == "retail_trader") {
      n += e.quantity;
      by_reason[e.reason] += e.quantity;
    }
  return n;
}

}  // namespace

TEST_CASE("retail traders spend only their available cash and sell only sellable shares", "[retail]") {
  const AgentRegistry r = builtin_agents();
  // Busy traders, many of them too poor for most lots, over more than one block.
  Simulation sim(test::small_world(r, {"days=3", "retail.count=2500", "retail.orders_per_day=30",
                                       "retail.cash_yuan_median=3000", "retail.wealth_dispersion=2"}),
                 r);
  const RetailPopulation& pop = population(sim);
  REQUIRE(pop.size() == 2500);
  std::vector<Fen> cash_at_start;
  for (int t = 0; t < pop.size(); ++t) cash_at_start.push_back(sim.accounts()[pop.account(t)].cash);

  std::map<std::string, std::int64_t> by_reason;
  std::int64_t rejected = 0, negative_cash = 0, over_reserved = 0, bad_positions = 0, too_many_stocks = 0;
  while (!sim.finished()) {
    sim.step();
    for (int t = 0; t < pop.size(); ++t) {
      const Account& a = sim.accounts()[pop.account(t)];
      negative_cash += a.cash < 0;
      over_reserved += a.reserved_cash > a.cash;
      too_many_stocks += static_cast<int>(a.stocks().size()) > 6;
      for (const StockPosition& p : a.stocks()) bad_positions += p.qty < 0 || p.sellable < 0 || p.sellable > p.qty;
    }
    auto events = sim.take_events();
    rejected += retail_rejections(events, by_reason);
  }
  CHECK(negative_cash == 0);
  CHECK(over_reserved == 0);
  CHECK(bad_positions == 0);
  CHECK(too_many_stocks == 0);
  INFO("insufficient_cash " << by_reason["insufficient_cash"] << ", insufficient_shares " << by_reason["insufficient_shares"]);
  CHECK(rejected == 0);

  // They did trade: many accounts' cash moved, and the crowd both bought and sold.
  int moved = 0;
  for (int t = 0; t < pop.size(); ++t) moved += sim.accounts()[pop.account(t)].cash != cash_at_start[static_cast<std::size_t>(t)];
  CHECK(moved > pop.size() / 2);
}

TEST_CASE("a trader who bought a stock today never sells it today (T+1)", "[retail]") {
  // One trader, one slot holding 1,000 shares bought today: nothing of it is sellable.
  AccountBook book;
  const AccountId acc = book.open(0, 1'000'000'00);
  StockPosition& pos = book.position(acc, 0);
  pos.qty = 1000;
  pos.sellable = 0;
  std::vector<InstrumentQuote> quotes(10);
  for (auto& q : quotes) {
    q.last = q.reference = 1000;
    q.lower = 900;
    q.upper = 1100;
    q.best_bid = 999;
    q.best_ask = 1001;
  }
  quotes[0].last = 800;   // down 20%: a panic candidate, were it sellable
  quotes[0].reference = 880;
  MarketView v;
  v.stock_count = 10;
  v.quotes = &quotes;
  v.accounts = &book;
  v.locked_limit_down_count = 10;   // every stock locked: panic certain if anything is sellable
  RetailParams p;
  p.style_share = {0, 0, 0, 1};
  std::vector<std::int32_t> slot_stock(static_cast<std::size_t>(p.max_stocks), -1);
  std::vector<Tick> slot_entry(slot_stock.size(), 0);
  slot_stock[0] = 0;
  slot_entry[0] = 1000;
  std::vector<Tick> first_prices(10, 1000);
  RetailPopulation pop(p, acc, {static_cast<std::uint8_t>(RetailStyle::Panic)}, slot_stock, slot_entry, first_prices, 1, 0);
  Rng rng = make_stream(7, "test", 0);
  int sells = 0, buys = 0;
  for (int i = 0; i < 2000; ++i) {
    const RetailIntent in = pop.intent(v, 0, rng);
    if (in.act && in.side == Side::Sell) ++sells;
    if (in.act && in.side == Side::Buy) ++buys;
  }
  CHECK(sells == 0);
  CHECK(buys > 0);
}

TEST_CASE("panic selling rises with the share of stocks locked limit-down", "[retail]") {
  AccountBook book;
  std::vector<InstrumentQuote> quotes(20);
  for (auto& q : quotes) {
    q.last = q.reference = 1000;
    q.lower = 900;
    q.upper = 1100;
    q.best_bid = 999;
    q.best_ask = 1001;
  }
  // Stock 0 fell 15% since the traders bought it at 10 yuan (not today: reference = last).
  quotes[0].last = quotes[0].reference = 850;
  quotes[0].lower = 765;
  quotes[0].best_bid = 849;
  quotes[0].best_ask = 851;
  // Stock 1 is up: never a reason to panic.
  quotes[1].last = quotes[1].reference = 1100;

  RetailParams p;   // defaults: base 0.3 for the panic-prone, +2.0 x locked share, x0.5 for the others
  const int traders = 2;   // 0: panic-prone, 1: momentum (not panic-prone)
  std::vector<std::int32_t> slot_stock(static_cast<std::size_t>(traders * p.max_stocks), -1);
  std::vector<Tick> slot_entry(slot_stock.size(), 0);
  const AccountId first = book.open(0, 1'000'000'00);
  book.open(0, 1'000'000'00);
  for (int t = 0; t < traders; ++t) {
    for (InstrumentId s : {0, 1}) {
      StockPosition& pos = book.position(first + t, s);
      pos.qty = pos.sellable = 5000;
      slot_stock[static_cast<std::size_t>(t * p.max_stocks + s)] = s;
      slot_entry[static_cast<std::size_t>(t * p.max_stocks + s)] = 1000;
    }
  }
  RetailPopulation pop(p, first,
                       {static_cast<std::uint8_t>(RetailStyle::Panic), static_cast<std::uint8_t>(RetailStyle::Momentum)},
                       slot_stock, slot_entry, std::vector<Tick>(20, 1000), 1, 0);
  MarketView v;
  v.stock_count = 20;
  v.quotes = &quotes;
  v.accounts = &book;

  auto panic_rate = [&](int trader, int locked) {
    v.locked_limit_down_count = locked;
    Rng rng = make_stream(11, "test", static_cast<std::uint64_t>(locked));
    int panics = 0;
    const int draws = 4000;
    for (int i = 0; i < draws; ++i) {
      const RetailIntent in = pop.intent(v, trader, rng);
      if (in.panic) {
        ++panics;
        // Panic dumps the fallen holding, all of it, at the best bid.
        CHECK(in.side == Side::Sell);
        CHECK(in.stock == 0);
        CHECK(in.qty == 5000);
        CHECK(in.price == 849);
      }
    }
    return static_cast<double>(panics) / draws;
  };
  const double calm = panic_rate(0, 0), some = panic_rate(0, 3), many = panic_rate(0, 6);
  INFO("panic-prone trader: " << calm << " " << some << " " << many);
  CHECK(calm == Approx(0.3).margin(0.03));
  CHECK(some == Approx(0.6).margin(0.03));
  CHECK(many == Approx(0.9).margin(0.03));
  const double other_calm = panic_rate(1, 0), other_many = panic_rate(1, 6);
  INFO("momentum trader: " << other_calm << " " << other_many);
  CHECK(other_calm == 0.0);
  CHECK(other_many == Approx(0.3).margin(0.03));
  CHECK(pop.panic_probability(RetailStyle::Noise, 1.0) == 1.0);

  // A book locked at limit-down: the panic sell joins the queue at the limit-down price.
  quotes[0].locked_limit_down = true;
  quotes[0].last = quotes[0].best_ask = quotes[0].lower;
  quotes[0].best_bid = kNoPrice;
  v.locked_limit_down_count = 10;
  Rng rng = make_stream(3, "test", 0);
  bool seen = false;
  for (int i = 0; i < 50 && !seen; ++i) {
    const RetailIntent in = pop.intent(v, 0, rng);
    if (in.panic) {
      seen = true;
      CHECK(in.price == quotes[0].lower);
    }
  }
  CHECK(seen);

  // Nothing fallen, no panic, however many stocks are locked.
  quotes[0] = quotes[2];
  int panics = 0;
  for (int i = 0; i < 1000; ++i) panics += pop.intent(v, 0, rng).panic;
  CHECK(panics == 0);
}

namespace {
std::uint64_t retail_fingerprint(const Scenario& s, const AgentRegistry& r, int threads) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  auto add = [&h](std::int64_t x) {
    for (int i = 0; i < 8; ++i) h = (h ^ static_cast<std::uint64_t>((x >> (8 * i)) & 0xFF)) * 0x100000001B3ULL;
  };
  tbb::global_control workers(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  tbb::task_arena arena(threads);
  std::int64_t panics = 0;
  arena.execute([&] {
    Simulation sim(s, r);
    while (!sim.finished()) {
      sim.step();
      for (int i = 0; i < sim.stock_count(); ++i) add(sim.view().quote(i).last);
      const ClassMetrics& m = sim.class_metrics(static_cast<int>(
          std::find(sim.agent_classes().begin(), sim.agent_classes().end(), "retail_trader") - sim.agent_classes().begin()));
      add(static_cast<std::int64_t>(m.cash * 100));
    }
    const RetailPopulation& pop = population(sim);
    panics = pop.panic_orders_total();
    for (int t = 0; t < pop.size(); ++t) {
      const Account& a = sim.accounts()[pop.account(t)];
      add(a.cash);
      for (const StockPosition& p : a.stocks()) {
        add(p.stock);
        add(p.qty);
      }
    }
  });
  add(panics);
  return h;
}
}  // namespace

TEST_CASE("the retail population is bit-identical for 1, 2 and 16 threads", "[retail][determinism]") {
  const AgentRegistry r = builtin_agents();
  // Several blocks of traders deciding in parallel, active enough to panic now and then.
  const Scenario s = test::small_world(r, {"days=2", "retail.count=4000", "retail.orders_per_day=10",
                                           "retail.panic_day_loss_threshold=0.01", "noise_traders.count=0"});
  const std::uint64_t one = retail_fingerprint(s, r, 1);
  CHECK(retail_fingerprint(s, r, 2) == one);
  CHECK(retail_fingerprint(s, r, 16) == one);
}

TEST_CASE("the retail class totals are the traders' cash and their shares at the last price", "[retail]") {
  const AgentRegistry r = builtin_agents();
  // A census every step, over several parts of the population counted in parallel.
  Simulation sim(test::small_world(r, {"days=1", "retail.count=3000", "retail.orders_per_day=20",
                                       "retail.report_every_steps=1"}),
                 r);
  const RetailPopulation& pop = population(sim);
  int retail_class = -1;
  for (std::size_t c = 0; c < sim.agent_classes().size(); ++c)
    if (sim.agent_classes()[c] == "retail_trader") retail_class = static_cast<int>(c);
  REQUIRE(retail_class >= 0);
  int steps = 0;
  while (!sim.finished()) {
    sim.step();
    ++steps;
    Fen cash = 0;
    std::vector<Qty> shares(static_cast<std::size_t>(sim.stock_count()), 0);
    for (int t = 0; t < pop.size(); ++t) {
      const Account& a = sim.accounts()[pop.account(t)];
      cash += a.cash;
      for (const StockPosition& p : a.stocks()) shares[static_cast<std::size_t>(p.stock)] += p.qty;
    }
    double gross = 0;
    for (std::size_t i = 0; i < shares.size(); ++i)
      if (shares[i] != 0) gross += static_cast<double>(shares[i]) * sim.view().quote(static_cast<InstrumentId>(i)).last / 100.0;
    const ClassMetrics& m = sim.class_metrics(retail_class);
    REQUIRE(m.accounts == 3000);
    REQUIRE(m.cash == static_cast<double>(cash) / 100.0);
    REQUIRE(m.gross_long == gross);
  }
  CHECK(steps > 10);
}
