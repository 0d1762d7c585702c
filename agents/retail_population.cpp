#include "agents/retail_population.hpp"

#include <algorithm>
#include <bit>
#include <boost/random/discrete_distribution.hpp>
#include <boost/random/geometric_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/core/parallel.hpp"
#include "sim/engine/valuation.hpp"

namespace stampede {

namespace {
double uniform01(Rng& rng) { return boost::random::uniform_01<double>()(rng); }
int uniform_int(Rng& rng, int lo, int hi) { return boost::random::uniform_int_distribution<int>(lo, hi)(rng); }
// Passes over every trader in id order read the accounts in sequence (the hardware fetches
// those), but each trader's positions sit elsewhere in the pool: ask for them a few traders early.
constexpr int kPositionsAhead = 8;
}  // namespace

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

RetailIntent RetailPopulation::intent(const MarketView& v, int t, Rng& rng) const {
  RetailIntent in;
  const Account& acc = v.account(account(t));
  const RetailStyle st = style(t);
  const std::size_t row = static_cast<std::size_t>(t) * static_cast<std::size_t>(k_);
  const std::int32_t* stocks = &slot_stock_[row];
  const Tick* entry = &slot_entry_[row];
  // What each slot may sell today (T+1: today's purchases and open sells excluded), looked up at
  // most once and only when needed: the positions are the cold part of an account.
  std::array<Qty, kMaxSlots> sellable;
  sellable.fill(-1);
  auto sellable_of = [&](int k) {
    Qty& q = sellable[static_cast<std::size_t>(k)];
    if (q < 0) q = stocks[k] >= 0 ? acc.sellable(stocks[k]) : 0;
    return q;
  };
  auto can_sell = [&](int k) { return sellable_of(k) > 0; };

  auto sell_all = [&](int slot, Tick price, bool panic) {
    in.act = true;
    in.side = Side::Sell;
    in.slot = slot;
    in.stock = stocks[slot];
    in.price = price;
    in.qty = sellable_of(slot);
    in.panic = panic;
    return in;
  };

  // 1. Panic: dump the worst fallen holding, at the best bid, or at the limit-down price when
  //    the book is locked there.
  const double ld_share = v.stock_count > 0 ? static_cast<double>(v.locked_limit_down_count) / v.stock_count : 0.0;
  const double p_panic = panic_probability(st, ld_share);
  if (p_panic > 0.0) {
    int worst = -1;
    double worst_loss = 0.0;
    for (int k = 0; k < k_; ++k) {
      if (stocks[k] < 0) continue;
      const InstrumentQuote& q = v.quote(stocks[k]);
      const double since_entry = entry[k] > 0 ? 1.0 - static_cast<double>(q.last) / entry[k] : 0.0;
      const double since_close = q.reference > 0 ? 1.0 - static_cast<double>(q.last) / q.reference : 0.0;
      if (since_entry < p_.panic_loss_threshold && since_close < p_.panic_day_loss_threshold) continue;
      if (!can_sell(k)) continue;
      const double loss = std::max(since_entry, since_close);
      if (worst < 0 || loss > worst_loss) {
        worst = k;
        worst_loss = loss;
      }
    }
    if (worst >= 0 && uniform01(rng) < p_panic) {
      const InstrumentQuote& q = v.quote(stocks[worst]);
      const Tick price = q.locked_limit_down || q.best_bid == kNoPrice ? q.lower : std::max(q.best_bid, q.lower);
      return sell_all(worst, price, true);
    }
  }

  // 2. The trader's own style.
  auto buy = [&](InstrumentId s) {
    int slot = -1;
    for (int k = 0; k < k_ && slot < 0; ++k)
      if (stocks[k] == s) slot = k;
    for (int k = 0; k < k_ && slot < 0; ++k)
      if (stocks[k] < 0) slot = k;
    if (slot < 0) {   // every slot taken: more of a stock already held instead
      slot = uniform_int(rng, 0, k_ - 1);
      s = stocks[slot];
    }
    const InstrumentQuote& q = v.quote(s);
    const Tick price = touch_price(q, Side::Buy, rng);
    if (price <= 0) return in;
    const Qty affordable = acc.available_cash() / price / 100 * 100;
    const Qty qty = std::min(order_lots(rng) * 100, affordable);
    if (qty <= 0) return in;
    in.act = true;
    in.side = Side::Buy;
    in.stock = s;
    in.slot = slot;
    in.price = price;
    in.qty = qty;
    return in;
  };
  auto sell_some = [&](int slot) {
    const InstrumentId s = stocks[slot];
    const Qty all = sellable_of(slot);
    Qty qty = std::min(order_lots(rng) * 100, all);
    if (all - qty < 100) qty = all;   // no odd lot left behind
    in.act = true;
    in.side = Side::Sell;
    in.stock = s;
    in.slot = slot;
    in.price = touch_price(v.quote(s), Side::Sell, rng);
    in.qty = qty;
    return in;
  };
  auto sell_random = [&]() {
    int count = 0;
    for (int k = 0; k < k_; ++k) count += can_sell(k);
    if (count == 0) return in;
    int pick = uniform_int(rng, 0, count - 1);
    for (int k = 0; k < k_; ++k)
      if (can_sell(k) && pick-- == 0) return sell_some(k);
    return in;
  };
  auto random_stock = [&]() { return static_cast<InstrumentId>(picker_.pick(rng, v.stock_count)); };

  switch (st) {
    case RetailStyle::Noise:
    case RetailStyle::Panic:
      return uniform01(rng) < 0.5 ? buy(random_stock()) : sell_random();
    case RetailStyle::Momentum: {
      if (uniform01(rng) < 0.5) {
        // Dump the worst loser over the lookback, if it lost enough.
        int worst = -1;
        double worst_r = -p_.momentum_threshold;
        for (int k = 0; k < k_; ++k) {
          if (!can_sell(k)) continue;
          const double r = lookback_return(v, stocks[k]);
          if (r < worst_r) {
            worst = k;
            worst_r = r;
          }
        }
        return worst >= 0 ? sell_some(worst) : in;
      }
      // Chase the best recent winner among a few stocks that caught the eye.
      InstrumentId best = -1;
      double best_r = p_.momentum_threshold;
      for (int c = 0; c < p_.momentum_candidates; ++c) {
        const InstrumentId s = random_stock();
        const double r = lookback_return(v, s);
        if (r > best_r) {
          best = s;
          best_r = r;
        }
      }
      return best >= 0 ? buy(best) : in;
    }
    case RetailStyle::Attention:
      if (uniform01(rng) < p_.attention_buy_share) {
        if (attention_.empty()) return buy(random_stock());
        return buy(attention_[static_cast<std::size_t>(uniform_int(rng, 0, static_cast<int>(attention_.size()) - 1))]);
      }
      return sell_random();
  }
  return in;
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

void RetailPopulation::act(const MarketView& v, int t, Block& blk, std::uint64_t base, std::uint64_t step_start,
                           OrderSink& sink) {
  const std::size_t row = static_cast<std::size_t>(t) * static_cast<std::size_t>(k_);
  // A trader drawn at random is cold in every array: ask for all its lines at once.
  __builtin_prefetch(&style_[static_cast<std::size_t>(t)]);
  __builtin_prefetch(&slot_stock_[row]);
  __builtin_prefetch(&slot_entry_[row]);
  __builtin_prefetch(&v.account(account(t)));
  std::uint32_t& live = live_[static_cast<std::size_t>(t)];
  bool cancelled = false;
  if (live != 0) {
    const std::uint64_t seq = base + (live >> 4) - 1;
    if (seq >= step_start) return;   // already acted this step
    // The previous order may still rest: cancel it. Its cash or shares come back after this
    // step's matching, so what this decision can use excludes them.
    sink.cancel(account(t), slot_stock_[row + (live & 15u)], make_order_id(sink.agent(), OrderReason::Voluntary, seq));
    live = 0;
    cancelled = true;
  }
  const RetailIntent in = intent(v, t, blk.rng);
  if (!in.act || in.qty <= 0) {
    if (cancelled) blk.next_revisit.push_back(t);   // decide again once the cancel has freed its reservation
    return;
  }
  const std::size_t slot = row + static_cast<std::size_t>(in.slot);
  if (in.side == Side::Buy && slot_stock_[slot] != in.stock) {
    slot_stock_[slot] = in.stock;
    slot_entry_[slot] = in.price;
  }
  const OrderId id = sink.limit(account(t), in.stock, in.side, in.price, in.qty, OrderReason::Voluntary);
  const std::uint64_t offset = (id & ((1ULL << kOrderSequenceBits) - 1)) - base;
  live = static_cast<std::uint32_t>(((offset + 1) << 4) | static_cast<std::uint64_t>(in.slot));
  if (in.panic) {
    ++blk.panic_orders;
    blk.panic_shares += in.qty;
    blk.panic_value += static_cast<Fen>(in.price) * in.qty;
  }
}

void RetailPopulation::decide(const MarketView& view, OrderSink& out) {
  if (view.phase != StepPhase::Continuous || size() == 0) return;
  refresh_attention(view);
  const IntradayStep& st = view.clock->step(view.step_in_day);
  const double rate = p_.orders_per_day * st.length / view.clock->continuous_minutes();
  const int blocks = static_cast<int>(blocks_.size());
  stampede::parallel_for(tbb::blocked_range<int>(0, blocks, 1), [&](const auto& r) {
    for (int b = r.begin(); b < r.end(); ++b) {
      Block& blk = blocks_[static_cast<std::size_t>(b)];
      blk.orders.clear();
      const std::uint64_t base = static_cast<std::uint64_t>(b) << sequence_bits_;
      const std::uint64_t step_start = blk.sequence;
      OrderSink sink(out.agent(), blk.orders, blk.sequence);
      std::swap(blk.revisit, blk.next_revisit);
      blk.next_revisit.clear();
      for (std::int32_t t : blk.revisit) act(view, t, blk, base, step_start, sink);
      const int first = b * kBlockSize;
      const int members = std::min(kBlockSize, size() - first);
      const double mean = rate * members;
      const int active = mean > 0 ? boost::random::poisson_distribution<int>(mean)(blk.rng) : 0;
      for (int k = 0; k < active; ++k) act(view, first + uniform_int(blk.rng, 0, members - 1), blk, base, step_start, sink);
    }
  });
  for (std::size_t b = 0; b < blocks_.size(); ++b) {
    const std::uint64_t used = blocks_[b].sequence - (static_cast<std::uint64_t>(b) << sequence_bits_);
    if (used >= (1ULL << sequence_bits_) - 1)
      throw std::runtime_error("retail population: a block ran out of order ids; use fewer retail orders per day");
    out.extend(blocks_[b].orders);
  }
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
