#include "agents/retail_population.hpp"

#include <algorithm>
#include <bit>
#include <boost/random/discrete_distribution.hpp>
#include <boost/random/geometric_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/core/parallel.hpp"
#include "sim/engine/valuation.hpp"

namespace stampede {

namespace {
// Passes over every trader in id order read the accounts in sequence (the hardware fetches
// those), but each trader's positions sit elsewhere in the pool: ask for them a few traders early.
constexpr int kPositionsAhead = 8;
}   // namespace

RetailPopulation::RetailPopulation(const RetailParams& p, AccountId first_account, std::vector<std::uint8_t> styles,
                                   std::vector<std::int32_t> slot_stock, std::vector<Tick> slot_entry,
                                   const std::vector<Tick>& first_prices, std::uint64_t seed, AgentId id,
                                   StockPicker picker)
    : p_(p), first_account_(first_account), k_(p.max_stocks), style_(std::move(styles)),
      slot_stock_(std::move(slot_stock)), slot_entry_(std::move(slot_entry)), picker_(std::move(picker)) {
  if (k_ < 1 || k_ > kMaxSlots) throw std::invalid_argument("retail.max_stocks must be "
                                                            "1.." + std::to_string(kMaxSlots));
  if (slot_stock_.size() != style_.size() * static_cast<std::size_t>(k_) || slot_entry_.size() != slot_stock_.size())
    throw std::invalid_argument("retail population: slot arrays do not match the trader count");
  live_.assign(style_.size(), 0);
  const int blocks = (size() + kBlockSize - 1) / kBlockSize;
  // Each block numbers its orders in its own range of the 36-bit sequence, so ids stay unique
  // without coordination; a live order is remembered by its offset in that range.
  const int block_bits = blocks > 1 ? std::bit_width(static_cast<unsigned>(blocks - 1)) : 0;
  sequence_bits_ = std::min(27, kOrderSequenceBits - block_bits);
  blocks_.resize(static_cast<std::size_t>(blocks));
  for (int b = 0; b < blocks; ++b) {
    Block& blk = blocks_[static_cast<std::size_t>(b)];
    blk.rng = make_stream(seed, "retail_block", (static_cast<std::uint64_t>(id) << 32) | static_cast<std::uint64_t>(b));
    blk.sequence = static_cast<std::uint64_t>(b) << sequence_bits_;
    blk.revisit.reserve(64);
    blk.next_revisit.reserve(64);
  }
  const std::size_t n = first_prices.size();
  const int lookback = std::max(1, p_.momentum_lookback_days);
  close_ring_.resize(static_cast<std::size_t>(lookback) * n);
  for (int d = 0; d < lookback; ++d) std::copy(first_prices.begin(), first_prices.end(), close_ring_.begin() + static_cast<std::ptrdiff_t>(d * n));
  volume_ewma_.assign(n, 0.0);
  attention_scratch_.reserve(n);
  attention_.reserve(static_cast<std::size_t>(std::max(0, p_.attention_list_size)));
  census_shares_.assign(n, 0);
}

std::size_t RetailPopulation::state_bytes() const {
  return style_.capacity() * sizeof(std::uint8_t) + live_.capacity() * sizeof(std::uint32_t) +
         slot_stock_.capacity() * sizeof(std::int32_t) + slot_entry_.capacity() * sizeof(Tick);
}

double RetailPopulation::panic_probability(RetailStyle s, double limit_down_share) const {
  const double base = s == RetailStyle::Panic ? p_.panic_base_prob : 0.0;
  const double herd = p_.panic_limit_down_sensitivity * std::clamp(limit_down_share, 0.0, 1.0) *
                      (s == RetailStyle::Panic ? 1.0 : p_.panic_contagion);
  return std::clamp(base + herd, 0.0, 1.0);
}

double RetailPopulation::lookback_return(const MarketView& v, InstrumentId s) const {
  const int lookback = std::max(1, p_.momentum_lookback_days);
  const std::size_t n = volume_ewma_.size();
  const Tick then = close_ring_[static_cast<std::size_t>(v.day % lookback) * n + static_cast<std::size_t>(s)];
  return then > 0 ? static_cast<double>(v.quote(s).last) / then - 1.0 : 0.0;
}

Qty RetailPopulation::order_lots(Rng& rng) const {
  // 1 + geometric: at least one lot, mean order_size_lots.
  return 1 + boost::random::geometric_distribution<Qty, double>(1.0 / std::max(1.0, p_.order_size_lots))(rng);
}

// A limit order near the touch: marketable at the opposite best quote with probability
// marketable_share, else joining (or a few ticks behind) the own side's best quote.
Tick RetailPopulation::touch_price(const InstrumentQuote& q, Side side, Rng& rng) const {
  Tick price;
  if (uniform01(rng) < p_.marketable_share) {
    const Tick opposite = side == Side::Buy ? q.best_ask : q.best_bid;
    price = opposite != kNoPrice ? opposite : q.last;
  } else {
    const Tick own = side == Side::Buy ? q.best_bid : q.best_ask;
    const Tick offset = static_cast<Tick>(
        boost::random::geometric_distribution<int, double>(1.0 / (1.0 + std::max(0.0, p_.limit_offset_ticks)))(rng));
    price = (own != kNoPrice ? own : q.last) + (side == Side::Buy ? -offset : offset);
  }
  return std::clamp(price, q.lower, q.upper);
}

// One active trader's decision (intent()), step by step: the trader's row of the population's
// arrays, its account, and what each slot may sell today. Made on the stack for each decision;
// its steps are members defined here, in the class, so the compiler inlines them into intent()
// (no virtual call, no allocation). A step that decides nothing returns an intent without act.
class RetailPopulation::TraderDecision {
 public:
  TraderDecision(const RetailPopulation& pop, const MarketView& v, int t, Rng& rng)
      : pop_(pop), p_(pop.p_), v_(v), acc_(v.account(pop.account(t))), k_(pop.k_), rng_(rng) {
    const std::size_t row = static_cast<std::size_t>(t) * static_cast<std::size_t>(k_);
    stocks_ = &pop.slot_stock_[row];
    entry_ = &pop.slot_entry_[row];
    sellable_.fill(-1);
  }

  // 1. Panic: dump the worst fallen holding, at the best bid, or at the limit-down price when the
  //    book is locked there, with the style's probability of panic given the share of stocks
  //    locked limit-down.
  RetailIntent panic_sale(RetailStyle st) {
    const double ld_share = v_.stock_count > 0 ? static_cast<double>(v_.locked_limit_down_count) / v_.stock_count : 0.0;
    const double p_panic = pop_.panic_probability(st, ld_share);
    if (!(p_panic > 0.0)) return {};
    const int worst = worst_fallen_holding();
    if (worst < 0 || uniform01(rng_) >= p_panic) return {};
    const InstrumentQuote& q = v_.quote(stocks_[worst]);
    const Tick price = q.locked_limit_down || q.best_bid == kNoPrice ? q.lower : std::max(q.best_bid, q.lower);
    return sell_all(worst, price, true);
  }

  // 2. The trader's own style.
  // Noise (and panic-prone traders that did not panic): buy a random stock or sell a random holding.
  RetailIntent noise() { return uniform01(rng_) < 0.5 ? buy(random_stock()) : sell_random(); }

  // Momentum: dump the worst loser over the lookback, if it lost enough; or chase the best recent
  // winner among a few stocks that caught the eye, if it rose enough.
  RetailIntent momentum() {
    if (uniform01(rng_) < 0.5) {
      const int worst = worst_lookback_loser();
      return worst >= 0 ? sell_some(worst) : RetailIntent{};
    }
    const InstrumentId best = best_recent_winner();
    return best >= 0 ? buy(best) : RetailIntent{};
  }

  // Attention: mostly buy a stock of today's attention list (a random one when it is empty),
  // else sell a random holding.
  RetailIntent attention() {
    if (uniform01(rng_) >= p_.attention_buy_share) return sell_random();
    const std::vector<InstrumentId>& list = pop_.attention_;
    if (list.empty()) return buy(random_stock());
    return buy(list[static_cast<std::size_t>(uniform_int(rng_, 0, static_cast<int>(list.size()) - 1))]);
  }

 private:
  // What a slot may sell today (T+1: today's purchases and open sells excluded), looked up at most
  // once and only when needed: the positions are the cold part of an account.
  Qty sellable_of(int k) {
    Qty& q = sellable_[static_cast<std::size_t>(k)];
    if (q < 0) q = stocks_[k] >= 0 ? acc_.sellable(stocks_[k]) : 0;
    return q;
  }
  bool can_sell(int k) { return sellable_of(k) > 0; }
  InstrumentId random_stock() { return static_cast<InstrumentId>(pop_.picker_.pick(rng_, v_.stock_count)); }

  // The sellable holding that fell furthest past a panic threshold, since purchase or since the
  // previous close; -1 when none did.
  int worst_fallen_holding() {
    int worst = -1;
    double worst_loss = 0.0;
    for (int k = 0; k < k_; ++k) {
      if (stocks_[k] < 0) continue;
      const InstrumentQuote& q = v_.quote(stocks_[k]);
      const double since_entry = entry_[k] > 0 ? 1.0 - static_cast<double>(q.last) / entry_[k] : 0.0;
      const double since_close = q.reference > 0 ? 1.0 - static_cast<double>(q.last) / q.reference : 0.0;
      if (since_entry < p_.panic_loss_threshold && since_close < p_.panic_day_loss_threshold) continue;
      if (!can_sell(k)) continue;
      const double loss = std::max(since_entry, since_close);
      if (worst < 0 || loss > worst_loss) {
        worst = k;
        worst_loss = loss;
      }
    }
    return worst;
  }

  // The sellable holding with the worst return over the lookback, below -momentum_threshold; -1
  // when none.
  int worst_lookback_loser() {
    int worst = -1;
    double worst_r = -p_.momentum_threshold;
    for (int k = 0; k < k_; ++k) {
      if (!can_sell(k)) continue;
      const double r = pop_.lookback_return(v_, stocks_[k]);
      if (r < worst_r) {
        worst = k;
        worst_r = r;
      }
    }
    return worst;
  }

  // Of momentum_candidates random stocks, the one with the best return over the lookback, above
  // momentum_threshold; -1 when none.
  InstrumentId best_recent_winner() {
    InstrumentId best = -1;
    double best_r = p_.momentum_threshold;
    for (int c = 0; c < p_.momentum_candidates; ++c) {
      const InstrumentId s = random_stock();
      const double r = pop_.lookback_return(v_, s);
      if (r > best_r) {
        best = s;
        best_r = r;
      }
    }
    return best;
  }

  // Buys lots of a stock near the touch, as many as the order size drawn and the cash allow, into
  // the stock's slot or a free one; with every slot taken, more of a stock already held instead.
  RetailIntent buy(InstrumentId s) {
    int slot = -1;
    for (int k = 0; k < k_ && slot < 0; ++k)
      if (stocks_[k] == s) slot = k;
    for (int k = 0; k < k_ && slot < 0; ++k)
      if (stocks_[k] < 0) slot = k;
    if (slot < 0) {   // every slot taken: more of a stock already held instead
      slot = uniform_int(rng_, 0, k_ - 1);
      s = stocks_[slot];
    }
    const InstrumentQuote& q = v_.quote(s);
    const Tick price = pop_.touch_price(q, Side::Buy, rng_);
    if (price <= 0) return {};
    const Qty affordable = acc_.available_cash() / price / 100 * 100;
    const Qty qty = std::min(pop_.order_lots(rng_) * 100, affordable);
    if (qty <= 0) return {};
    return order(Side::Buy, slot, s, price, qty, false);
  }

  // Sells the order size drawn of a slot near the touch, all of it when less than a lot would be left.
  RetailIntent sell_some(int slot) {
    const InstrumentId s = stocks_[slot];
    const Qty all = sellable_of(slot);
    Qty qty = std::min(pop_.order_lots(rng_) * 100, all);
    if (all - qty < 100) qty = all;   // no odd lot left behind
    return order(Side::Sell, slot, s, pop_.touch_price(v_.quote(s), Side::Sell, rng_), qty, false);
  }

  // Sells some of a holding picked at random among the sellable ones.
  RetailIntent sell_random() {
    int count = 0;
    for (int k = 0; k < k_; ++k) count += can_sell(k);
    if (count == 0) return {};
    int pick = uniform_int(rng_, 0, count - 1);
    for (int k = 0; k < k_; ++k)
      if (can_sell(k) && pick-- == 0) return sell_some(k);
    return {};
  }

  RetailIntent sell_all(int slot, Tick price, bool panic) {
    return order(Side::Sell, slot, stocks_[slot], price, sellable_of(slot), panic);
  }

  static RetailIntent order(Side side, int slot, InstrumentId stock, Tick price, Qty qty, bool panic) {
    RetailIntent in;
    in.act = true;
    in.side = side;
    in.stock = stock;
    in.price = price;
    in.qty = qty;
    in.slot = slot;
    in.panic = panic;
    return in;
  }

  const RetailPopulation& pop_;
  const RetailParams& p_;
  const MarketView& v_;
  const Account& acc_;
  const int k_;   // slots per trader
  Rng& rng_;
  const std::int32_t* stocks_;   // the trader's slots: stock (-1 = free) and purchase price
  const Tick* entry_;
  std::array<Qty, kMaxSlots> sellable_;   // per slot, -1 until looked up
};

RetailIntent RetailPopulation::intent(const MarketView& v, int t, Rng& rng) const {
  const RetailStyle st = style(t);
  TraderDecision trader(*this, v, t, rng);
  if (RetailIntent panic = trader.panic_sale(st); panic.act) return panic;
  switch (st) {
    case RetailStyle::Noise:
    case RetailStyle::Panic: return trader.noise();
    case RetailStyle::Momentum: return trader.momentum();
    case RetailStyle::Attention: return trader.attention();
  }
  return {};
}

// The attention list: stocks with the biggest moves today (as a share of their price limit)
// and the heaviest volume relative to their usual daily volume. One pass over the stocks per
// step for the whole population.
void RetailPopulation::refresh_attention(const MarketView& v) {
  attention_.clear();
  if (p_.attention_list_size <= 0) return;
  const int n = v.stock_count;
  double rv_sum = 0;
  for (int i = 0; i < n; ++i) {
    const double e = volume_ewma_[static_cast<std::size_t>(i)];
    rv_sum += e > 0 ? static_cast<double>(v.quote(i).volume) / e : 0.0;
  }
  const double rv_mean = n > 0 ? rv_sum / n : 0.0;
  attention_scratch_.clear();
  for (int i = 0; i < n; ++i) {
    const InstrumentQuote& q = v.quote(i);
    const double limit = v.universe != nullptr ? v.universe->limit_pct[static_cast<std::size_t>(i)] / 100.0 : 0.1;
    const double move = q.reference > 0 ? std::abs(static_cast<double>(q.last) / q.reference - 1.0) / limit : 0.0;
    const double e = volume_ewma_[static_cast<std::size_t>(i)];
    const double rv = e > 0 && rv_mean > 0 ? static_cast<double>(q.volume) / e / rv_mean : 0.0;
    const double score = move + p_.attention_volume_weight * rv;
    if (score > 0) attention_scratch_.emplace_back(-score, i);   // ascending: best first, ties by id
  }
  const std::size_t m = std::min(attention_scratch_.size(), static_cast<std::size_t>(p_.attention_list_size));
  std::partial_sort(attention_scratch_.begin(), attention_scratch_.begin() + static_cast<std::ptrdiff_t>(m),
                    attention_scratch_.end());
  for (std::size_t j = 0; j < m; ++j) attention_.push_back(attention_scratch_[j].second);
}

void RetailPopulation::end_of_day(const MarketView& view, OrderSink& out) {
  const std::size_t n = volume_ewma_.size();
  // Today's closes into the momentum ring; the usual volume for attention.
  const int lookback = std::max(1, p_.momentum_lookback_days);
  Tick* ring = &close_ring_[static_cast<std::size_t>(view.day % lookback) * n];
  const double alpha = 1.0 / std::max(1.0, p_.attention_volume_days);
  for (std::size_t i = 0; i < n; ++i) {
    const InstrumentQuote& q = view.quote(static_cast<InstrumentId>(i));
    ring[i] = q.last;
    const double vol = static_cast<double>(q.volume);
    volume_ewma_[i] = volume_ewma_[i] > 0 ? (1.0 - alpha) * volume_ewma_[i] + alpha * vol : vol;
  }
  // Orders have expired: slots whose stock is no longer held are free again.
  stampede::parallel_for(tbb::blocked_range<int>(0, size(), 4096), [&](const auto& r) {
    for (int t = r.begin(); t < r.end(); ++t) {
      if (t + kPositionsAhead < r.end()) prefetch_account(view, account(t + kPositionsAhead));
      live_[static_cast<std::size_t>(t)] = 0;
      const Account& acc = view.account(account(t));
      const std::size_t row = static_cast<std::size_t>(t) * static_cast<std::size_t>(k_);
      for (int k = 0; k < k_; ++k) {
        std::int32_t& s = slot_stock_[row + static_cast<std::size_t>(k)];
        if (s >= 0 && acc.holding(s) == 0) s = -1;
      }
    }
  });
  std::int64_t orders = 0, shares = 0;
  Fen value = 0;
  for (Block& blk : blocks_) {
    blk.revisit.clear();
    blk.next_revisit.clear();
    orders += blk.panic_orders;
    shares += blk.panic_shares;
    value += blk.panic_value;
    blk.panic_orders = blk.panic_shares = 0;
    blk.panic_value = 0;
  }
  panic_orders_total_ += orders;
  if (orders > 0)
    out.event(event_kind::retail_panic_sells, -1, shares, static_cast<double>(value) / 100.0,
              std::to_string(orders) + " orders");
}

// Cash and shares of 100k traders are counted every report_every_steps steps (and at each new
// day); in between the counted shares are marked at the current prices. The count runs over fixed
// parts of the population in parallel: integer sums, so the totals do not depend on who adds what.
void RetailPopulation::census(const MarketView& view) const {
  const std::size_t stocks = census_shares_.size();
  const int parts = kCensusParts;
  census_part_shares_.resize(static_cast<std::size_t>(parts) * stocks);
  census_part_cash_.resize(static_cast<std::size_t>(parts));
  stampede::parallel_for(tbb::blocked_range<int>(0, parts, 1), [&](const auto& r) {
    for (int b = r.begin(); b < r.end(); ++b) {
      Qty* shares = &census_part_shares_[static_cast<std::size_t>(b) * stocks];
      std::fill(shares, shares + stocks, 0);
      Fen cash = 0;
      const int last = size() * (b + 1) / parts;
      for (int t = size() * b / parts; t < last; ++t) {
        if (t + kPositionsAhead < last) prefetch_account(view, account(t + kPositionsAhead));
        const Account& acc = view.account(account(t));
        cash += acc.cash;
        for (const StockPosition& p : acc.stocks()) shares[static_cast<std::size_t>(p.stock)] += p.qty;
      }
      census_part_cash_[static_cast<std::size_t>(b)] = cash;
    }
  });
  std::fill(census_shares_.begin(), census_shares_.end(), 0);
  Fen cash = 0;
  for (int b = 0; b < parts; ++b) {
    cash += census_part_cash_[static_cast<std::size_t>(b)];
    const Qty* shares = &census_part_shares_[static_cast<std::size_t>(b) * stocks];
    for (std::size_t i = 0; i < stocks; ++i) census_shares_[i] += shares[i];
  }
  census_cash_ = cash;
  census_step_ = view.step;
  census_day_ = view.day;
}

void RetailPopulation::report(const MarketView& view, ClassMetrics& into) const {
  if (size() == 0) return;
  if (census_step_ < 0 || view.day != census_day_ || view.step - census_step_ >= std::max(1, p_.report_every_steps))
    census(view);
  double gross = 0;
  for (std::size_t i = 0; i < census_shares_.size(); ++i)
    if (census_shares_[i] != 0)
      gross += static_cast<double>(census_shares_[i]) * view.quote(static_cast<InstrumentId>(i)).last / 100.0;
  const double cash = static_cast<double>(census_cash_) / 100.0;
  into.cash += cash;
  into.gross_long += gross;
  into.equity += cash + gross;
  into.nav += cash + gross;
  into.accounts += size();
}

namespace {

void populate(const RetailSection& sec, const Scenario&, WorldSetup& setup) {
  const int count = sec.count;
  if (count == 0) return;
  const RetailParams& p = sec.trader;
  const int stocks_held = sec.stocks_held;
  if (stocks_held > p.max_stocks)
    throw std::invalid_argument("retail.stocks_held (" + std::to_string(stocks_held) + ") exceeds retail.max_stocks (" +
                                std::to_string(p.max_stocks) + ")");
  const double cash_median = sec.cash_yuan_median;
  const double holdings_median = sec.holdings_yuan_median;
  const double dispersion = sec.wealth_dispersion;

  const Universe& u = setup.universe();
  const AgentId id = setup.next_agent_id();
  Rng rng = make_stream(setup.seed(), "retail_setup", static_cast<std::uint64_t>(id));
  double share_sum = 0;
  for (double w : p.style_share) share_sum += w;
  std::vector<double> weights(p.style_share.begin(), p.style_share.end());
  if (share_sum <= 0) weights = {1.0, 0.0, 0.0, 0.0};
  boost::random::discrete_distribution<int, double> pick_style(weights.begin(), weights.end());
  boost::random::normal_distribution<double> normal(0.0, 1.0);
  const int n = u.size();
  const int held = std::min(stocks_held, n);
  StockPicker picker(u, p.cap_weight_exponent);

  std::vector<std::uint8_t> styles(static_cast<std::size_t>(count));
  std::vector<std::int32_t> slot_stock(static_cast<std::size_t>(count) * static_cast<std::size_t>(p.max_stocks), -1);
  std::vector<Tick> slot_entry(slot_stock.size(), 0);
  AccountId first = kNoAccount;
  for (int t = 0; t < count; ++t) {
    styles[static_cast<std::size_t>(t)] = static_cast<std::uint8_t>(pick_style(rng));
    const double wealth = std::exp(dispersion * normal(rng));   // lognormal, median 1
    const AccountId acc = setup.open_account(id, static_cast<Fen>(std::llround(cash_median * wealth * 100.0)));
    if (t == 0) first = acc;
    if (acc != first + t) throw std::logic_error("retail population: accounts are not consecutive");
    const std::size_t row = static_cast<std::size_t>(t) * static_cast<std::size_t>(p.max_stocks);
    for (int k = 0; k < held; ++k) {
      InstrumentId stock;
      bool fresh;
      do {   // distinct stocks
        stock = picker.pick(rng, n);
        fresh = true;
        for (int j = 0; j < k; ++j) fresh = fresh && slot_stock[row + static_cast<std::size_t>(j)] != stock;
      } while (!fresh);
      slot_stock[row + static_cast<std::size_t>(k)] = stock;
      const double price_yuan = u.first_price[static_cast<std::size_t>(stock)] / 100.0;
      if (setup.grant_shares(acc, stock, static_cast<Qty>(holdings_median * wealth / held / price_yuan)) > 0)
        slot_entry[row + static_cast<std::size_t>(k)] = u.first_price[static_cast<std::size_t>(stock)];
    }
    // Slots whose grant came to less than a lot stay free.
    for (int k = 0; k < held; ++k)
      if (slot_entry[row + static_cast<std::size_t>(k)] == 0) slot_stock[row + static_cast<std::size_t>(k)] = -1;
  }
  setup.add_agent(std::make_unique<RetailPopulation>(p, first, std::move(styles), std::move(slot_stock),
                                                     std::move(slot_entry), u.first_price, setup.seed(), id,
                                                     std::move(picker)));
}

}  // namespace

AgentKind retail_population_kind() { return bound_agent_kind(retail_section_binder(), populate, {kRetailTraderClass}); }

}  // namespace stampede
