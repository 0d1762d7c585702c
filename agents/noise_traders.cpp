#include "agents/noise_traders.hpp"

#include <algorithm>
#include <boost/random/bernoulli_distribution.hpp>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/geometric_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>

#include "sim/core/parallel.hpp"

namespace stampede {

NoiseTraders::NoiseTraders(const NoiseParams& p, std::vector<AccountId> accounts, StockPicker picker,
                           std::uint64_t seed, AgentId id)
    : p_(p), accounts_(std::move(accounts)), picker_(std::move(picker)) {
  const int blocks = (size() + kBlockSize - 1) / kBlockSize;
  for (int b = 0; b < blocks; ++b) {
    block_rng_.push_back(make_stream(seed, "noise_block", (static_cast<std::uint64_t>(id) << 32) | static_cast<std::uint64_t>(b)));
    // Each block numbers its orders in its own range, so ids stay unique without coordination.
    block_sequence_.push_back(static_cast<std::uint64_t>(b) << 24);
  }
  block_orders_.resize(static_cast<std::size_t>(blocks));
}

void NoiseTraders::decide(const MarketView& view, OrderSink& out) {
  if (view.phase != StepPhase::Continuous) return;
  const IntradayStep& st = view.clock->step(view.step_in_day);
  const double rate = p_.orders_per_day * st.length / view.clock->continuous_minutes();
  const int blocks = static_cast<int>(block_rng_.size());
  stampede::parallel_for(tbb::blocked_range<int>(0, blocks, 1), [&](const auto& r) {
    for (int b = r.begin(); b < r.end(); ++b) {
      auto& orders = block_orders_[static_cast<std::size_t>(b)];
      orders.clear();
      OrderSink sink(out.agent(), orders, block_sequence_[static_cast<std::size_t>(b)]);
      Rng& rng = block_rng_[static_cast<std::size_t>(b)];
      const int first = b * kBlockSize;
      const int members = std::min(kBlockSize, size() - first);
      const int active = boost::random::poisson_distribution<int>(rate * members)(rng);
      boost::random::uniform_int_distribution<int> pick(0, members - 1);
      for (int k = 0; k < active; ++k) decide_one(view, accounts_[static_cast<std::size_t>(first + pick(rng))], rng, sink);
    }
  });
  for (const auto& orders : block_orders_) out.extend(orders);
}

void NoiseTraders::decide_one(const MarketView& view, AccountId account, Rng& rng, OrderSink& out) const {
  const Account& acc = view.account(account);
  boost::random::bernoulli_distribution<double> coin(0.5);
  boost::random::bernoulli_distribution<double> informed(p_.fundamental_tilt);
  boost::random::bernoulli_distribution<double> use_market(p_.market_order_share);

  InstrumentId stock = 0;
  Side side = coin(rng) ? Side::Buy : Side::Sell;
  if (side == Side::Sell) {
    // Pick uniformly among the stocks this trader may sell today, without building a list.
    int sellable_count = 0;
    for (const StockPosition& p : acc.stocks()) sellable_count += p.sellable > 0;
    if (sellable_count == 0) {
      side = Side::Buy;
    } else {
      int k = uniform_int(rng, 0, sellable_count - 1);
      for (const StockPosition& p : acc.stocks())
        if (p.sellable > 0 && k-- == 0) {
          stock = p.stock;
          break;
        }
    }
  }
  if (side == Side::Buy) stock = picker_.pick(rng, view.stock_count);
  const InstrumentQuote& q = view.quote(stock);
  if (informed(rng)) {
    const double value = (*view.fundamental_yuan)[static_cast<std::size_t>(stock)] * 100.0;
    const Side wanted = value > q.last ? Side::Buy : Side::Sell;
    if (wanted != side) return;   // an informed trader passes rather than trade against value
  }

  // 1 + geometric: at least one lot, mean order_size_lots.
  const Qty lots = 1 + boost::random::geometric_distribution<Qty, double>(1.0 / std::max(1.0, p_.order_size_lots))(rng);
  Qty qty = lots * 100;
  const Tick mid = q.mid_or_last();
  Tick price;
  if (use_market(rng)) {
    // Retail "market" orders are limit orders at the opposite best quote: they take what is
    // shown and never sweep a thin book down to its limit price.
    const Tick opposite = side == Side::Buy ? q.best_ask : q.best_bid;
    price = opposite != kNoPrice ? opposite : mid;
  } else {
    // Mostly passive limit orders; an offset below one tick makes a marketable one.
    const double offset =
        boost::random::exponential_distribution<double>(1.0 / std::max(0.01, p_.limit_offset_ticks))(rng) - 1.0;
    price = side == Side::Buy ? static_cast<Tick>(std::floor(mid - offset)) : static_cast<Tick>(std::ceil(mid + offset));
  }
  price = std::clamp(price, q.lower, q.upper);

  if (side == Side::Sell) {
    qty = std::min(qty, acc.sellable(stock));   // odd lots may be sold, never bought
  } else {
    qty = std::min(qty, acc.available_cash() / price / 100 * 100);
  }
  if (qty > 0) out.limit(account, stock, side, price, qty);
}

namespace {

// The [noise_traders] section: the traders' behaviour and how they are endowed.
struct NoiseTradersSection {
  int count = 20000;
  NoiseParams behaviour;
  double cash_yuan = 3.0e5;
  double holdings_yuan = 3.0e5;
  int stocks_held = 5;
};

ParamBinder<NoiseTradersSection> section_binder() {
  using S = NoiseTradersSection;
  ParamBinder<S> b{"noise_traders"};
  b.bind(&S::count, "count", 0, 10000000, "traders", "number of noise traders");
  b.bind(path(&S::behaviour, &NoiseParams::orders_per_day), "orders_per_day", 0, 1000, "1/day",
         "mean (Poisson) orders per trader per day")
      .long_doc("mean (Poisson) order rate of each trader");
  b.bind(path(&S::behaviour, &NoiseParams::market_order_share), "market_order_share", 0, 1, "",
         "share of orders sent marketable, at the opposite best quote")
      .long_doc("share of orders sent marketable: limit orders at the opposite best quote");
  b.bind(path(&S::behaviour, &NoiseParams::limit_offset_ticks), "limit_offset_ticks", 0, 10000, "ticks",
         "mean distance (exponential) of a limit order from the mid");
  b.bind(&S::cash_yuan, "cash_yuan", 0, 1e12, "yuan", "cash per trader at the start");
  b.bind(&S::holdings_yuan, "holdings_yuan", 0, 1e12, "yuan", "value of shares per trader at the start");
  b.bind(&S::stocks_held, "stocks_held", 1, 100, "stocks", "stocks each trader starts with");
  b.bind(path(&S::behaviour, &NoiseParams::order_size_lots), "order_size_lots", 1, 100000, "lots", "mean order size");
  b.bind(path(&S::behaviour, &NoiseParams::fundamental_tilt), "fundamental_tilt", 0, 1, "",
         "probability a trader only trades in the direction of (fundamental - price)")
      .long_doc("probability a trader's side follows the sign of (fundamental - price) rather than a coin flip");
  b.bind(path(&S::behaviour, &NoiseParams::cap_weight_exponent), "cap_weight_exponent", 0, 2, "",
         "buys and start holdings pick a stock with probability proportional to (market cap)^this")
      .long_doc("buys and the holdings a trader starts with pick a stock with probability proportional to (its market "
                "cap at the start)^this: 0 picks uniformly, so every stock gets the same yuan turnover");
  return b;
}

void populate(const NoiseTradersSection& sec, const Scenario&, WorldSetup& setup) {
  const int count = sec.count;
  if (count == 0) return;
  const NoiseParams& p = sec.behaviour;
  const Fen cash = static_cast<Fen>(std::llround(sec.cash_yuan * 100.0));
  const double holdings_yuan = sec.holdings_yuan;
  const int stocks_held = sec.stocks_held;

  const Universe& u = setup.universe();
  const AgentId id = setup.next_agent_id();
  Rng rng = make_stream(setup.seed(), "noise_setup", static_cast<std::uint64_t>(id));
  StockPicker picker(u, p.cap_weight_exponent);
  std::vector<AccountId> accounts;
  accounts.reserve(static_cast<std::size_t>(count));
  for (int t = 0; t < count; ++t) {
    const AccountId acc = setup.open_account(id, cash);
    for (int k = 0; k < stocks_held; ++k) {
      const int stock = picker.pick(rng, u.size());
      setup.grant_shares(acc, stock, static_cast<Qty>(holdings_yuan / stocks_held / (u.first_price[stock] / 100.0)));
    }
    accounts.push_back(acc);
  }
  setup.add_agent(std::make_unique<NoiseTraders>(p, std::move(accounts), std::move(picker), setup.seed(), id));
}

}  // namespace

AgentKind noise_traders_kind() { return bound_agent_kind(section_binder(), populate, {kNoiseTraderClass}); }

}  // namespace stampede
