// Snowball issuers: the pricer against brute-force Monte Carlo; the hedge rises as the index
// falls toward the KI barriers and collapses at knock-in (forced KnockInHedge sells); knock-outs
// close the hedge; roll before expiry; events and conservation in a small world whose index is
// crashed through the barriers by a scripted seller.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>

#include "agents/snowball_issuer.hpp"
#include "small_world.hpp"

using namespace stampede;

TEST_CASE("snowball PDE prices and deltas agree with brute-force Monte Carlo", "[snowball]") {
  const SnowballTerms terms{1.03, 0.80, 0.15, 6};
  const SnowballModel model;   // vol 22%, rate 2%, 21-day months
  const auto surfaces = snowball_surfaces({terms}, model);
  const SnowballSurface& s = *surfaces[0];
  REQUIRE(s.days() == 126);
  // The same terms again: the cached surface, not a new one.
  CHECK(snowball_surfaces({terms}, model)[0].get() == surfaces[0].get());

  struct Point { double x; int closes; bool knocked_in; };
  const Point points[] = {{1.00, 126, false}, {0.90, 80, false}, {0.83, 40, false},
                          {0.79, 30, false},  {0.70, 100, true}, {0.95, 22, true}};
  const double h = 0.02;
  for (const Point& p : points) {
    const SnowballMcResult mc = snowball_monte_carlo(terms, model, p.x, p.closes, p.knocked_in, 60000, 11, h);
    const double v = s.value(p.x, p.closes, p.knocked_in);
    // The MC delta is a central difference over +-h in log x: compare the PDE's own.
    const double fd = (s.value(p.x * std::exp(h), p.closes, p.knocked_in) -
                       s.value(p.x * std::exp(-h), p.closes, p.knocked_in)) / (2 * h);
    INFO("x " << p.x << ", closes " << p.closes << ", knocked in " << p.knocked_in << ": PDE value " << v << " delta "
              << s.delta(p.x, p.closes, p.knocked_in) << " (fd " << fd << "), MC value " << mc.value << " +- "
              << mc.value_se << " delta " << mc.delta << " +- " << mc.delta_se);
    CHECK(std::abs(v - mc.value) <= 4 * mc.value_se + 1e-3);
    CHECK(std::abs(fd - mc.delta) <= 4 * mc.delta_se + 0.02);
    // Where the value is smooth the point delta matches the finite difference.
    if (p.x >= 0.9 || p.knocked_in) CHECK(std::abs(s.delta(p.x, p.closes, p.knocked_in) - fd) < 0.02);
  }
  // Shape: the not-knocked-in delta rises toward the KI barrier; knocking in collapses it.
  CHECK(s.delta(0.85, 60, false) > s.delta(1.0, 60, false));
  CHECK(s.delta(0.81, 60, false) > 1.5);
  CHECK(s.delta(0.79, 60, true) < 1.2);
  CHECK(s.delta(0.79, 60, true) < 0.5 * s.delta(0.81, 60, false));
}

namespace {

// A hand-built market: no stocks, the two futures slots, one issuer account.
struct HandMarket {
  AccountBook accounts;
  std::vector<InstrumentQuote> quotes;
  SessionClock clock{15};
  MarketView view;
  AccountId account;

  explicit HandMarket(double index) {
    account = accounts.open(0, Fen{2'000'000'000} * 100);
    quotes.resize(kFuturesSlots);
    view.clock = &clock;
    view.stock_count = 0;
    view.quotes = &quotes;
    view.accounts = &accounts;
    view.phase = StepPhase::Continuous;
    view.step_in_day = 5;
    view.futures.resize(kFuturesSlots);
    for (int k = 0; k < kFuturesSlots; ++k) {
      view.futures[static_cast<std::size_t>(k)].tick_points = 0.2;
      view.futures[static_cast<std::size_t>(k)].tick_value_fen = 4000;   // 200 yuan per point
      view.futures[static_cast<std::size_t>(k)].margin_per_contract = 100'000 * 100;
      view.futures[static_cast<std::size_t>(k)].days_to_expiry = 20 + 30 * k;
    }
    set_index(index);
  }
  void set_index(double index) {
    view.hedged_index = index;
    for (InstrumentQuote& q : quotes) {
      q.last = q.reference = static_cast<Tick>(std::lround(index / 0.2));
      q.best_bid = q.last - 1;
      q.best_ask = q.last + 1;
      q.lower = q.last - 5000;
      q.upper = q.last + 5000;
    }
  }
  struct Sent { std::vector<Order> orders; std::vector<AgentEvent> events; };
  Sent decide(Agent& a) {
    Sent s;
    AgentOutbox box;
    OrderSink sink(0, s.orders, sequence, &box);
    a.decide(view, sink);
    s.events = box.events;
    return s;
  }
  Sent close_day(Agent& a) {
    Sent s;
    AgentOutbox box;
    OrderSink sink(0, s.orders, sequence, &box);
    a.end_of_day(view, sink);
    s.events = box.events;
    ++view.day;
    return s;
  }
  std::uint64_t sequence = 0;
};

const Order* first_new(const std::vector<Order>& orders) {
  for (const Order& o : orders)
    if (o.type != OrderType::Cancel) return &o;
  return nullptr;
}

SnowballIssuer make_issuer(AccountId account, int notes, double relative_initial, int closes_left,
                           Qty max_order = 1'000'000) {
  const SnowballTerms terms{1.03, 0.80, 0.15, 6};
  SnowballHedgeParams p;
  p.hedge_every_steps = 1;
  p.max_order_contracts = max_order;
  std::vector<SnowballNote> book;
  for (int i = 0; i < notes; ++i) {
    SnowballNote n;
    n.relative_initial = relative_initial;
    n.initial_level = relative_initial * 6000;   // anchored to the hand-built index at 6000
    n.notional = 1e7;
    n.closes_left = closes_left;
    book.push_back(n);
  }
  return SnowballIssuer(p, account, snowball_surfaces({terms}, SnowballModel{}), {"ko1.03/ki0.80"}, book);
}

}  // namespace

TEST_CASE("an issuer buys futures as the index falls toward the KI barrier and sells a block at knock-in", "[snowball]") {
  HandMarket m(6000);
  // 20 notes of 10 million yuan struck at 6000: KI at 4800, KO at 6180; 60 closes to go (the
  // next KO observation is 18 closes away).
  SnowballIssuer issuer = make_issuer(m.account, 20, 1.0, 60);
  const double at_start = issuer.target_contracts(6000, 200);
  const double nearer = issuer.target_contracts(5200, 200);
  const double at_barrier = issuer.target_contracts(4860, 200);
  INFO("target contracts at 6000: " << at_start << ", 5200: " << nearer << ", 4860: " << at_barrier);
  CHECK(at_start > 0);
  CHECK(nearer > at_start);
  CHECK(at_barrier > nearer);

  // Holding the hedge for 5200, the index falls to 5000: a Hedge buy.
  m.accounts.futures(m.account, 0).qty = std::llround(nearer);
  m.set_index(5000);
  auto sent = m.decide(issuer);
  const Order* o = first_new(sent.orders);
  REQUIRE(o != nullptr);
  CHECK(o->side == Side::Buy);
  CHECK(o->reason() == OrderReason::Hedge);
  CHECK(o->qty == std::llround(issuer.target_contracts(5000, 200)) - std::llround(nearer));
  CHECK(o->instrument == m.view.futures_instrument(0));

  // Hedged at 4860; the index closes at 4700, below every KI barrier.
  m.accounts.futures(m.account, 0).qty = std::llround(at_barrier);
  m.set_index(4700);
  const auto closed = m.close_day(issuer);
  REQUIRE(closed.events.size() == 1);
  CHECK(closed.events[0].kind == "knock_ins");
  CHECK(closed.events[0].quantity == 20);
  CHECK(closed.events[0].price == 4700.0);
  CHECK(closed.events[0].reason == "ko1.03/ki0.80");
  CHECK(issuer.knocked_in_notes() == 20);
  CHECK(issuer.day_row(m.view).state == AgentState::KnockedIn);
  const double after_ki = issuer.target_contracts(4700, 200);
  INFO("target after knock-in at 4700: " << after_ki);
  CHECK(after_ki < 0.5 * at_barrier);

  // Next morning: the hedge is sold down, and the sell is a forced knock-in hedge.
  sent = m.decide(issuer);
  o = first_new(sent.orders);
  REQUIRE(o != nullptr);
  CHECK(o->side == Side::Sell);
  CHECK(o->reason() == OrderReason::KnockInHedge);
  CHECK(o->qty == std::llround(at_barrier) - std::llround(after_ki));
  CHECK(o->price == m.quotes[0].best_bid - 2);
  // Once the hedge is back on target the knock-in episode ends: later sells are ordinary.
  m.accounts.futures(m.account, 0).qty = std::llround(after_ki);
  sent = m.decide(issuer);
  CHECK(first_new(sent.orders) == nullptr);
  m.accounts.futures(m.account, 0).qty = std::llround(after_ki) + 40;
  sent = m.decide(issuer);
  o = first_new(sent.orders);
  REQUIRE(o != nullptr);
  CHECK(o->side == Side::Sell);
  CHECK(o->reason() == OrderReason::Hedge);
}

TEST_CASE("an intraday breach of the KI barrier makes the issuer's sells knock-in hedges", "[snowball]") {
  HandMarket m(6000);
  SnowballIssuer issuer = make_issuer(m.account, 20, 1.0, 60);
  // Over-hedged (held for the barrier at 4860) and the index is already below 4800 intraday.
  m.accounts.futures(m.account, 0).qty = std::llround(issuer.target_contracts(4860, 200));
  m.set_index(4750);
  const Order* o = nullptr;
  const auto sent = m.decide(issuer);
  o = first_new(sent.orders);
  REQUIRE(o != nullptr);
  CHECK(o->side == Side::Sell);
  CHECK(o->reason() == OrderReason::KnockInHedge);
}

TEST_CASE("a knock-out ends the note and its hedge is closed", "[snowball]") {
  HandMarket m(5500);
  // Struck at 6000 (KO at 6180), 23 closes to go: KO is observed at the close that leaves 21.
  SnowballIssuer issuer = make_issuer(m.account, 5, 1.0, 23, /*max_order=*/7);
  const double target = issuer.target_contracts(5500, 200);
  REQUIRE(target > 7);
  m.accounts.futures(m.account, 0).qty = std::llround(target);
  REQUIRE(m.close_day(issuer).events.empty());   // 22 closes left after today's: no observation
  CHECK(issuer.notes().size() == 5);
  m.set_index(6200);
  const auto closed = m.close_day(issuer);       // 21 left after this one: observed, 6200 >= 6180
  REQUIRE(closed.events.size() == 1);
  CHECK(closed.events[0].kind == "knock_outs");
  CHECK(closed.events[0].quantity == 5);
  CHECK(closed.events[0].price == 6200.0);
  CHECK(closed.events[0].reason == "ko1.03/ki0.80");
  CHECK(issuer.notes().empty());
  CHECK(issuer.target_contracts(6200, 200) == 0.0);
  CHECK(issuer.day_row(m.view).state == AgentState::Normal);

  const auto sent = m.decide(issuer);
  const Order* o = first_new(sent.orders);
  REQUIRE(o != nullptr);
  CHECK(o->side == Side::Sell);
  CHECK(o->reason() == OrderReason::Hedge);
  CHECK(o->qty == 7);   // the whole hedge, sliced to max_order_contracts
}

TEST_CASE("the issuer rolls its long hedge to the next contract before expiry", "[snowball]") {
  HandMarket m(6000);
  SnowballIssuer issuer = make_issuer(m.account, 10, 1.0, 60);
  const Qty held = std::llround(issuer.target_contracts(5000, 200));
  m.set_index(5000);
  REQUIRE(held > 10);
  FuturesAccount& acc = m.accounts.futures_account(m.account);
  acc.slots[0].qty = held;
  m.view.futures[0].days_to_expiry = 2;   // inside the roll window
  auto orders_on = [&](const std::vector<Order>& orders, int slot) {
    std::vector<Order> out;
    for (const Order& o : orders)
      if (o.type != OrderType::Cancel && o.instrument == m.view.futures_instrument(slot)) out.push_back(o);
    return out;
  };
  // The front is sold first; the next contract follows the front's fills.
  auto sent = m.decide(issuer);
  auto front = orders_on(sent.orders, 0);
  REQUIRE(front.size() == 1);
  CHECK(front[0].side == Side::Sell);
  CHECK(front[0].qty == held);
  CHECK(front[0].reason() == OrderReason::Roll);
  CHECK(orders_on(sent.orders, 1).empty());

  acc.slots[0].qty = held - 10;   // 10 front contracts sold
  sent = m.decide(issuer);
  front = orders_on(sent.orders, 0);
  auto next = orders_on(sent.orders, 1);
  REQUIRE(front.size() == 1);
  CHECK(front[0].qty == held - 10);
  REQUIRE(next.size() == 1);
  CHECK(next[0].side == Side::Buy);
  CHECK(next[0].qty == 10);
  CHECK(next[0].reason() == OrderReason::Roll);

  acc.slots[0].qty = 0;   // the rest of the front sold, 10 bought in the next
  acc.slots[1].qty = 10;
  sent = m.decide(issuer);
  CHECK(orders_on(sent.orders, 0).empty());
  next = orders_on(sent.orders, 1);
  REQUIRE(next.size() == 1);
  CHECK(next[0].qty == held - 10);
  CHECK(next[0].reason() == OrderReason::Roll);

  acc.slots[1].qty = held;   // rolled: nothing more to do
  sent = m.decide(issuer);
  CHECK(first_new(sent.orders) == nullptr);
}

namespace {

// A seller holding a large block of every hedged-index constituent that dumps it all at the
// lower limit on day 1: the index falls through the issuers' KI barriers.
class Dumper final : public Agent {
 public:
  explicit Dumper(AccountId a) : account_(a) {}
  const char* kind() const override { return "scripted"; }
  void decide(const MarketView& v, OrderSink& out) override {
    if (v.day != 1 || v.phase != StepPhase::Continuous) return;
    for (const StockPosition& p : v.account(account_).stocks())
      if (p.sellable > 0) out.limit(account_, p.stock, Side::Sell, v.quote(p.stock).lower, p.sellable);
  }

 private:
  AccountId account_;
};

AgentRegistry registry_with_dumper() {
  AgentRegistry r = builtin_agents();
  r.add(AgentKind{"scripted", {}, [](const Scenario&, WorldSetup& setup) {
                    const AgentId id = setup.next_agent_id();
                    const AccountId acc = setup.open_account(id, 0);
                    const Universe& u = setup.universe();
                    for (int i = 0; i < u.size(); ++i)
                      if (u.segment[static_cast<std::size_t>(i)] == Segment::Constituent)
                        setup.grant_shares(acc, i, u.shares_outstanding[static_cast<std::size_t>(i)] / 5);
                    setup.add_agent(std::make_unique<Dumper>(acc));
                  }});
  return r;
}

}  // namespace

TEST_CASE("a crash through the barriers knocks notes in and the issuers sell futures, money is conserved",
          "[snowball]") {
  const AgentRegistry r = registry_with_dumper();
  // Barriers 1.5-2.5% under today's index (KI at 0.78 of the initial level), one issuer.
  Simulation sim(test::small_world(r, {"days=3", "snowball.issuers=1", "snowball.notes_per_issuer=40",
                                       "snowball.ki_distance_mean=0.98", "snowball.ki_distance_spread=0.003", "snowball.notional_yuan_median=2e6",
                                       "snowball.ki_barrier_min=0.78", "snowball.ki_barrier_max=0.78",
                                       "snowball.ko_barrier_min=1.0", "snowball.ko_barrier_max=1.0"}),
                 r);
  const SnowballIssuer* issuer = nullptr;
  for (const auto& a : sim.agents())
    if (auto* p = dynamic_cast<const SnowballIssuer*>(a.get())) issuer = p;
  REQUIRE(issuer != nullptr);
  REQUIRE(issuer->notes().size() == 40);
  CHECK(issuer->knocked_in_notes() == 0);

  std::vector<EventRow> knock_ins;
  std::vector<double> close, position;
  while (!sim.finished()) {
    const bool day_end = sim.step();
    REQUIRE(sim.conservation_problems().empty());
    if (!day_end) continue;
    close.push_back(sim.day_frame().hedged_close);
    const Account& a = sim.accounts()[issuer->account()];
    position.push_back(static_cast<double>(a.futures(0).qty + a.futures(1).qty));
    for (auto& [kind, rows] : sim.take_events())
      if (kind == "knock_ins") knock_ins.insert(knock_ins.end(), rows.begin(), rows.end());
  }
  INFO("index closes " << close[0] << " " << close[1] << " " << close[2] << "; issuer futures " << position[0] << " "
                       << position[1] << " " << position[2]);
  CHECK(close[1] < 0.96 * close[0]);   // the dump crashed the index
  REQUIRE(!knock_ins.empty());
  Qty knocked = 0;
  for (const EventRow& e : knock_ins) {
    CHECK(e.agent_class == "snowball_issuer");
    CHECK(e.reason == "ko1.00/ki0.78");
    CHECK(e.price == close[static_cast<std::size_t>(e.day)]);
    knocked += e.quantity;
  }
  CHECK(knocked == issuer->knocked_in_notes());
  CHECK(knocked >= 30);
  CHECK(knock_ins.front().day == 1);
  CHECK(position[0] > 0);                  // hedged long
  // A 10% fall toward the barriers would raise the hedge; crossing them cuts it.
  CHECK(position[1] < 0.8 * position[0]);
  CHECK(position[2] < 0.8 * position[0]);
}
