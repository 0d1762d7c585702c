#include "agents/hedged_basket.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <limits>

#include "sim/market/futures.hpp"

namespace stampede {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
Qty round_lot(double shares) { return shares <= 0 ? 0 : static_cast<Qty>(shares / 100.0) * 100; }
double yuan(Tick t) { return static_cast<double>(t) / 100.0; }
}  // namespace

// ---------------------------------------------------------------------------------------------
// HedgedBasket

HedgedBasket::HedgedBasket(const BasketParams& p, std::shared_ptr<const SignalBoard> board, AccountId account,
                           Rng& style_rng, FamilySignal family)
    : p_(p), board_(std::move(board)), account_(account), family_(std::move(family)) {
  boost::random::normal_distribution<double> normal(0.0, 1.0);
  w_size_ = p_.size_weight * std::exp(p_.style_dispersion * normal(style_rng));
  w_reversal_ = p_.reversal_weight * std::exp(p_.style_dispersion * normal(style_rng));
  own_.resize(board_->candidates().size());
  for (float& x : own_) x = static_cast<float>(normal(style_rng));
  // Drawn last, so that the weight given to alpha leaves every other draw of the style as it was.
  w_alpha_ = p_.alpha_weight * std::exp(p_.style_dispersion * normal(style_rng));
}

void HedgedBasket::pick_basket() {
  const auto& cand = board_->candidates();
  const auto& sz = board_->size_z();
  const auto& rv = board_->reversal_z();
  const auto& al = board_->alpha_z();
  // The common signal has unit variance; a market without alphas leaves it size and reversal.
  const double w_alpha = board_->alpha_known() ? w_alpha_ : 0.0;
  const double norm = std::sqrt(w_size_ * w_size_ + w_reversal_ * w_reversal_ + w_alpha * w_alpha);
  const double a = std::sqrt(std::clamp(p_.crowding, 0.0, 1.0));
  const double b = std::sqrt(1.0 - a * a);
  // The crowded part mixes the board's signal with the family's: two accounts of one family still
  // correlate at `crowding`, two of different families only at crowding * (1 - family_share).
  const float* fam = family_ && p_.family_share > 0 ? family_->data() : nullptr;
  const double fa = std::sqrt(std::clamp(p_.family_share, 0.0, 1.0));
  const double fb = std::sqrt(1.0 - fa * fa);
  scratch_.resize(cand.size());
  for (std::size_t c = 0; c < cand.size(); ++c) {
    double common = norm > 0 ? (w_size_ * sz[c] + w_reversal_ * rv[c] + w_alpha * al[c]) / norm : 0.0;
    if (fam != nullptr) common = fb * common + fa * fam[c];   // skipped at 0: the old scores, bit for bit
    // Negated so that the best scores sort first; ties broken by stock id.
    scratch_[c] = {static_cast<float>(-(a * common + b * own_[c])), cand[c]};
  }
  const std::size_t n = std::min(scratch_.size(), static_cast<std::size_t>(std::max(1, p_.basket_size)));
  // The best-scored index members first (their share of the basket), then the best of the rest.
  // Scores tie-break on the stock id, so the set picked never depends on the order of the scratch.
  std::size_t members = 0;
  if (p_.index_share > 0) {
    const auto split = std::partition(scratch_.begin(), scratch_.end(),
                                      [this](const auto& e) { return board_->index_member(e.second); });
    const double share = std::clamp(p_.index_share, 0.0, 1.0);
    const auto wanted = static_cast<std::size_t>(std::lround(share * static_cast<double>(n)));
    members = std::min({wanted, n, static_cast<std::size_t>(split - scratch_.begin())});
    if (members > 0)
      std::nth_element(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(members) - 1, split);
  }
  if (n > members)
    std::nth_element(scratch_.begin() + static_cast<std::ptrdiff_t>(members),
                     scratch_.begin() + static_cast<std::ptrdiff_t>(n) - 1, scratch_.end());
  basket_.clear();
  for (std::size_t k = 0; k < n; ++k) basket_.push_back(scratch_[k].second);
  std::sort(basket_.begin(), basket_.end());
  basket_day_ = board_->day();
}

double HedgedBasket::endow(WorldSetup& setup, double long_yuan) {
  pick_basket();
  const Universe& u = setup.universe();
  const double per_stock = basket_.empty() ? 0.0 : long_yuan / static_cast<double>(basket_.size());
  double granted_yuan = 0;
  for (InstrumentId s : basket_) {
    const double price = yuan(u.first_price[static_cast<std::size_t>(s)]);
    const Qty got = setup.grant_shares(account_, s, round_lot(per_stock / price));
    granted_yuan += static_cast<double>(got) * price;
  }
  return granted_yuan;
}

double HedgedBasket::day_start_value(const MarketView& v) const {
  double value = 0;
  for (const StockPosition& p : day_start_)
    value += static_cast<double>(p.qty) * yuan(v.quote(static_cast<InstrumentId>(p.stock)).reference);
  return value;
}

void HedgedBasket::track_excess(const MarketView& v) {
  // The day's start holdings, valued at yesterday's close against the close before it (trades
  // within the day left aside), beside the hedged index over the same closes.
  const double index_close = v.hedged_prev_close;
  if (last_hedged_close_ > 0 && day_start_long_ > 0 && index_close > 0) {
    excess_ *= (day_start_value(v) / day_start_long_) / (index_close / last_hedged_close_);
    excess_peak_ = std::max(excess_peak_, excess_);
  }
  last_hedged_close_ = index_close;
  if (p_.style_cut_drawdown > 0 && !style_cut_ && excess_ < excess_peak_ * (1.0 - p_.style_cut_drawdown)) {
    style_cut_ = true;
    w_size_ *= 1.0 - std::clamp(p_.style_cut_share, 0.0, 1.0);
    basket_day_ = -2;   // re-pick today with the new weights
  }
}

void HedgedBasket::begin_day(const MarketView& v) {
  if (p_.style_cut_drawdown > 0) track_excess(v);
  if (board_->day() != basket_day_) pick_basket();
  const Account& a = v.account(account_);
  day_start_.assign(a.stocks().begin(), a.stocks().end());
  day_start_long_ = day_start_value(v);
  open_.clear();            // day orders expired at the close
  open_futures_.clear();
  pending_send_ = futures_pending_ = false;
  cancelled_at_ = -1;
}

Qty HedgedBasket::day_start_qty(InstrumentId s) const {
  auto it = std::lower_bound(day_start_.begin(), day_start_.end(), s,
                             [](const StockPosition& p, InstrumentId x) { return p.stock < x; });
  return it != day_start_.end() && it->stock == s ? it->qty : Qty{0};
}

double HedgedBasket::committed_sells(const MarketView& v) const {
  // Shares sold today or resting in sell orders = shares held at the start of the day that are no
  // longer sellable (buys never add to today's sellable shares). Positions are never erased
  // during the day, and both lists are sorted by stock.
  const Account& a = v.account(account_);
  double out = 0;
  std::size_t j = 0;
  for (const StockPosition& start : day_start_) {
    while (j < a.stocks().size() && a.stocks()[j].stock < start.stock) ++j;
    const Qty sellable = j < a.stocks().size() && a.stocks()[j].stock == start.stock ? a.stocks()[j].sellable : 0;
    out += static_cast<double>(start.qty - sellable) * yuan(v.quote(start.stock).reference);
  }
  return out;
}

double HedgedBasket::sell_cap_left(const MarketView& v) const {
  const double cap = v.rules.quant_sell_cap_per_day;
  if (cap >= 1.0) return kInf;
  return std::max(0.0, cap * day_start_long_ - committed_sells(v));
}

bool HedgedBasket::round_step(const MarketView& v) const {
  if (v.phase != StepPhase::Continuous) return false;
  const int k = v.step_in_day - 1;   // 0 at the first continuous step
  return k % std::max(1, p_.rebalance_every_steps) == 0;
}

Tick HedgedBasket::sell_price(const InstrumentQuote& q, int ticks) const {
  const Tick ref = q.best_bid != kNoPrice ? q.best_bid : q.last;
  return std::clamp<Tick>(ref - ticks, q.lower, q.upper);
}

Tick HedgedBasket::buy_price(const InstrumentQuote& q, int ticks) const {
  const Tick ref = q.best_ask != kNoPrice ? q.best_ask : q.last;
  return std::clamp<Tick>(ref + ticks, q.lower, q.upper);
}

void HedgedBasket::send(OrderSink& out, InstrumentId i, Side s, Tick price, Qty qty, OrderReason r,
                        std::vector<OpenOrder>& into) {
  const OrderId id = out.limit(account_, i, s, price, qty, r);
  into.push_back(OpenOrder{i, s, price, qty, id, step_});
}

void HedgedBasket::cancel_all(OrderSink& out) {
  for (const OpenOrder& o : open_) out.cancel(account_, o.instrument, o.id);
  for (const OpenOrder& o : open_futures_) out.cancel(account_, o.instrument, o.id);
  open_.clear();
  open_futures_.clear();
}

bool HedgedBasket::set_mode(const MarketView& v, TradeMode m, OrderSink& out) {
  if (m == mode_) return false;
  mode_ = m;
  forced_steps_ = 0;
  pending_send_ = futures_pending_ = false;
  if (!has_open_orders()) return false;
  cancel_all(out);
  cancelled_at_ = v.step;   // nothing new this step: the cancelled orders still hold cash and shares
  return true;
}

void HedgedBasket::rebalance(const MarketView& v, OrderSink& out, const AccountValue& val, double target_long,
                             bool allow_buys) {
  if (v.phase != StepPhase::Continuous || v.step == cancelled_at_) return;
  if (!pending_send_ && !round_step(v)) return;
  step_ = v.step;
  if (!open_.empty()) {
    for (const OpenOrder& o : open_) out.cancel(account_, o.instrument, o.id);
    open_.clear();
    pending_send_ = true;
    return;
  }
  pending_send_ = false;
  const Account& a = v.account(account_);

  // Today's trading so far, exact now that none of our stock orders rest: sold = start - sellable,
  // bought = held - sellable. A stock is traded on one side per day.
  double traded = 0;
  for (const StockPosition& p : a.stocks()) traded += static_cast<double>(p.qty - p.sellable) * yuan(v.last_price(p.stock));
  traded += committed_sells(v);
  const double day_budget = p_.turnover_per_day * std::max(target_long, val.long_value);
  const int k = v.step_in_day - 1;
  const int every = std::max(1, p_.rebalance_every_steps);
  const int rounds_left = std::max(1, (v.clock->continuous_steps() - k + every - 1) / every);
  double budget = std::max(0.0, day_budget - traded) / rounds_left;
  if (budget <= 0) return;

  // Wants: every holding and basket member off its equal-weight target by more than the band.
  wants_.clear();
  const double per_stock = basket_.empty() ? 0.0 : std::max(0.0, target_long) / static_cast<double>(basket_.size());
  std::size_t h = 0, b = 0;
  while (h < a.stocks().size() || b < basket_.size()) {
    InstrumentId s;
    const StockPosition* pos = nullptr;
    bool member = false;
    if (b >= basket_.size() || (h < a.stocks().size() && a.stocks()[h].stock < basket_[b])) {
      pos = &a.stocks()[h++];
      s = pos->stock;
    } else if (h >= a.stocks().size() || basket_[b] < a.stocks()[h].stock) {
      s = basket_[b++];
      member = true;
    } else {
      pos = &a.stocks()[h++];
      s = basket_[b++];
      member = true;
    }
    const InstrumentQuote& q = v.quote(s);
    const double price = yuan(q.last);
    if (price <= 0) continue;
    const Qty held = pos ? pos->qty : 0;
    const double target_qty = member ? per_stock / price : 0.0;
    const double diff = target_qty - static_cast<double>(held);
    if (std::abs(diff) * price <= p_.trade_band * per_stock && !(target_qty == 0 && held > 0)) continue;
    if (diff < 0) {
      if (pos == nullptr || pos->qty > pos->sellable) continue;   // bought today: not sold today
      Qty qty = target_qty == 0 ? pos->sellable : std::min(pos->sellable, round_lot(-diff));
      if (qty <= 0 || q.locked_limit_down) continue;              // voluntary sellers do not join a lock
      wants_.push_back(Want{s, qty, sell_price(q, p_.aggressiveness_ticks), Side::Sell});
    } else if (allow_buys) {
      if (pos != nullptr && pos->sellable < day_start_qty(s)) continue;   // sold today: not bought today
      const Qty qty = round_lot(diff);
      if (qty <= 0 || q.locked_limit_up) continue;
      wants_.push_back(Want{s, qty, buy_price(q, p_.aggressiveness_ticks), Side::Buy});
    }
  }
  // Each side trades its orders_per_round largest deviations. The round's budget: the net change
  // of the long goes to its side, the rest is split equally between sells and buys (swaps); each
  // side's budget is spread over its chosen wants in proportion, within the sell cap and the cash.
  // Buys first, then sells; within a side by value, largest first (ties: by stock, so the order
  // is total and selecting the first few equals sorting all and cutting).
  {
    const auto larger = [](const Want& x, const Want& y) {
      const double vx = static_cast<double>(x.qty) * x.price, vy = static_cast<double>(y.qty) * y.price;
      if (vx != vy) return vx > vy;
      return x.stock < y.stock;
    };
    const auto per_side = static_cast<std::ptrdiff_t>(std::max(1, p_.orders_per_round));
    const auto sells = std::partition(wants_.begin(), wants_.end(), [](const Want& w) { return w.side == Side::Buy; });
    const auto keep_best = [&](auto first, auto last) {
      const auto n = std::min(per_side, last - first);
      std::partial_sort(first, first + n, last, larger);
      return first + n;
    };
    const auto buys_kept = keep_best(wants_.begin(), sells);
    const auto sells_kept = keep_best(sells, wants_.end());
    const auto kept = std::move(sells, sells_kept, buys_kept);
    wants_.erase(kept, wants_.end());
  }
  double want_sell = 0, want_buy = 0;
  for (const Want& w : wants_) (w.side == Side::Sell ? want_sell : want_buy) += static_cast<double>(w.qty) * yuan(w.price);
  // Buys leave the futures what they need: margin for the rest of the hedge (and a roll), and what
  // this step's futures orders reserve (the hedge is sent first).
  const double margin_needed = static_cast<double>(hedge_margin_needed(v, target_long)) / 100.0;
  const double futures_orders = reserved_at_ == v.step ? static_cast<double>(reserved_fen_) / 100.0 : 0.0;
  double cash = static_cast<double>(a.available_cash()) / 100.0 - futures_orders - margin_needed - p_.cash_buffer * target_long;
  const double net = target_long - val.long_value;
  double sell_cap = sell_cap_left(v);
  const double sell_budget = std::min({std::clamp((budget - net) / 2.0, 0.0, budget), want_sell, sell_cap});
  const double buy_budget = std::min({budget - std::clamp((budget - net) / 2.0, 0.0, budget), want_buy, std::max(0.0, cash)});
  const double fs = want_sell > 0 ? sell_budget / want_sell : 0.0;
  const double fb = want_buy > 0 ? buy_budget / want_buy : 0.0;
  for (const Want& w : wants_) {
    const double f = w.side == Side::Sell ? fs : fb;
    if (f <= 0) continue;
    Qty qty = f >= 1.0 ? w.qty : std::min(w.qty, static_cast<Qty>(std::llround(static_cast<double>(w.qty) * f / 100.0)) * 100);
    if (qty <= 0) continue;
    // Buys spend cash at the limit price; sells use up the cap at the previous close.
    const double value = static_cast<double>(qty) * yuan(w.side == Side::Buy ? w.price : v.quote(w.stock).reference);
    double& room = w.side == Side::Buy ? cash : sell_cap;
    if (value > room) continue;
    room -= value;
    send(out, w.stock, w.side, w.price, qty, OrderReason::Rebalance, open_);
  }
}

void HedgedBasket::force_sell(const MarketView& v, OrderSink& out, double fraction, double pace, int aggressiveness,
                              OrderReason reason, const EventKindName* log_as) {
  if (v.phase != StepPhase::Continuous || v.step == cancelled_at_) return;
  const Account& a = v.account(account_);
  fraction = std::clamp(fraction, 0.0, 1.0);
  ++forced_steps_;
  step_ = v.step;
  // Offered so far may grow by `pace` of the position per forced step (cumulative, so shares freed
  // by a re-pricing are offered again at once).
  const double offer_share = std::min(1.0, pace * static_cast<double>(forced_steps_));
  double cap = sell_cap_left(v);
  open_next_.clear();
  Qty shares_sent = 0;
  double value_sent = 0;
  std::size_t j = 0;
  for (const StockPosition& p : a.stocks()) {
    // Resting orders on stocks before this one belong to positions gone from the list: forget them.
    while (j < open_.size() && open_[j].instrument < p.stock) ++j;
    std::size_t j_end = j;
    Qty open_qty = 0;
    const InstrumentQuote& q = v.quote(p.stock);
    const Tick price = sell_price(q, aggressiveness);
    for (; j_end < open_.size() && open_[j_end].instrument == p.stock; ++j_end) {
      const OpenOrder& o = open_[j_end];
      // Kept while at the price we want (e.g. queued at limit-down: it keeps its place) or younger
      // than forced_reprice_steps; otherwise re-priced.
      if (o.side == Side::Sell && (o.price == price || v.step - o.sent < p_.forced_reprice_steps)) {
        open_next_.push_back(o);
        open_qty += o.qty;
      } else {
        out.cancel(account_, o.instrument, o.id);   // re-priced: its shares come back next step
      }
    }
    j = j_end;
    if (p.qty <= 0 || p.sellable <= 0) continue;
    // Still resting: at most what was sent, and at most what is held but not sellable.
    open_qty = std::min(open_qty, p.qty - p.sellable);
    const double total = fraction * static_cast<double>(p.qty);
    const double allowed = std::min(total, std::max(offer_share * static_cast<double>(p.qty), 100.0));
    const double more = allowed - static_cast<double>(open_qty);
    Qty qty = more >= static_cast<double>(p.sellable) ? p.sellable : round_lot(more);
    if (allowed >= total && p.sellable - qty < 100 && total >= static_cast<double>(p.qty) - 100) qty = p.sellable;   // no odd lot left
    if (p_.forced_day_share < 1.0) {
      // Today's slice: shares sold or resting since the open count against it.
      const double start = static_cast<double>(day_start_qty(p.stock));
      const double room = p_.forced_day_share * start - (start - static_cast<double>(p.sellable));
      qty = std::min(qty, room >= static_cast<double>(p.sellable) ? p.sellable : round_lot(room));
    }
    const double ref = yuan(q.reference);   // the cap counts shares at the previous close
    if (static_cast<double>(qty) * ref > cap) qty = round_lot(cap / ref);
    if (qty <= 0) continue;
    cap -= static_cast<double>(qty) * ref;
    send(out, p.stock, Side::Sell, price, qty, reason, open_next_);
    shares_sent += qty;
    value_sent += static_cast<double>(qty) * yuan(price);
  }
  open_.swap(open_next_);
  // One row per step for the stock orders (thousands of re-priced orders would swamp the log).
  if (log_as != nullptr && shares_sent > 0) out.event(*log_as, -1, -shares_sent, value_sent, "orders");
}

double HedgedBasket::exact_hedge(const MarketView& v, int slot, double long_yuan, double ratio) {
  const Tick last = v.quote(v.futures_instrument(slot)).last;
  const double contract_yuan =
      static_cast<double>(last) * static_cast<double>(v.futures[static_cast<std::size_t>(slot)].tick_value_fen) / 100.0;
  if (contract_yuan <= 0 || long_yuan <= 0) return 0.0;
  return ratio * long_yuan / contract_yuan;
}

Qty HedgedBasket::hedge_contracts(const MarketView& v, int slot, double long_yuan, double ratio) {
  return static_cast<Qty>(std::llround(exact_hedge(v, slot, long_yuan, ratio)));
}

void HedgedBasket::note_close(const MarketView& v) {
  if (p_.hedge_cost_cut_slope <= 0 || v.futures.empty() || v.hedged_index <= 0) return;
  // The closing basis of the contract the book is hedged with, as the run log reports it: the
  // day's last trade (else the settlement before it) against the index's close. A settlement (an
  // average over the last hour) against the close would mix two times, which a few days from
  // expiry the annualisation turns into tens of points.
  const int slot = hedge_slot(v);
  const FuturesQuoteInfo& contract = v.futures[static_cast<std::size_t>(slot)];
  const Tick last = v.quote(v.futures_instrument(slot)).last;
  if (last == kNoPrice) return;
  hedge_discount_annual_ =
      -annualised_basis(static_cast<double>(last) * contract.tick_points, v.hedged_index, contract.days_to_expiry);
}

double HedgedBasket::hedge_cost_sizing() const {
  if (p_.hedge_cost_cut_slope <= 0) return 1.0;
  const double cut = p_.hedge_cost_cut_slope * (hedge_discount_annual_ - p_.hedge_cost_cut_from);
  return 1.0 - std::clamp(cut, 0.0, p_.hedge_cost_cut_max);
}

int HedgedBasket::hedge_slot(const MarketView& v) const {
  return v.futures[0].days_to_expiry <= p_.roll_days_before_expiry ? 1 : 0;
}

Fen HedgedBasket::hedge_margin_needed(const MarketView& v, double long_yuan) const {
  // Opening the rest of the short on the hedge slot, closing whatever sits on the other slot (a
  // roll: closing orders reserve margin too), and one contract of slack for re-hedging.
  const int slot = hedge_slot(v);
  const Qty want = hedge_contracts(v, slot, long_yuan, p_.hedge_ratio);
  const Account& a = v.account(account_);
  const Fen m_slot = v.futures[static_cast<std::size_t>(slot)].margin_per_contract;
  const Fen m_other = v.futures[static_cast<std::size_t>(1 - slot)].margin_per_contract;
  const Qty on_slot = std::abs(a.futures(slot).qty);
  const Qty on_other = std::abs(a.futures(1 - slot).qty);
  return std::max<Qty>(0, want - on_slot) * m_slot + on_other * m_other + m_slot;
}

void HedgedBasket::hedge(const MarketView& v, OrderSink& out, const AccountValue& val, bool flatten, OrderReason forced,
                         double pace, int aggressiveness, const EventKindName* log_as) {
  if (v.phase != StepPhase::Continuous || v.step == cancelled_at_) return;
  const bool every_step = mode_ == TradeMode::Forced;
  if (!every_step && !futures_pending_ && !round_step(v)) return;
  if (!open_futures_.empty()) {
    for (const OpenOrder& o : open_futures_) out.cancel(account_, o.instrument, o.id);
    open_futures_.clear();
    futures_pending_ = true;
    return;
  }
  futures_pending_ = false;
  const Account& a = v.account(account_);
  const int slot = hedge_slot(v);
  const double exact = flatten ? 0.0 : exact_hedge(v, slot, val.long_value, p_.hedge_ratio);
  const Qty want = static_cast<Qty>(std::llround(exact));
  Fen free = a.available_cash();
  for (int s = 0; s < kFuturesSlots; ++s) {
    const Qty held = a.futures(s).qty;
    const Qty target = s == slot ? -want : 0;
    Qty delta = target - held;
    if (delta == 0) continue;
    // The hedge leg is re-sized only when it is off the exact (unrounded) hedge by more than half a
    // contract plus the tolerance; the leg being rolled out is closed completely.
    if (s == slot && !flatten && std::abs(exact + static_cast<double>(held)) <= 0.5 + p_.hedge_tolerance * exact) continue;
    if (pace < 1.0) {
      const Qty step_max = std::max<Qty>(1, static_cast<Qty>(std::ceil(pace * static_cast<double>(std::abs(held)))));
      if (std::abs(delta) > step_max && std::abs(held) > 0 && std::abs(target) < std::abs(held))
        delta = delta > 0 ? step_max : -step_max;
    }
    const FuturesQuoteInfo& info = v.futures[static_cast<std::size_t>(s)];
    const Fen margin = std::max<Fen>(1, info.margin_per_contract);
    Qty qty = std::min<Qty>(std::abs(delta), std::max<Fen>(0, free) / margin);
    if (qty <= 0) continue;
    free -= qty * margin;
    const Side side = delta > 0 ? Side::Buy : Side::Sell;
    const InstrumentId inst = v.futures_instrument(s);
    const InstrumentQuote& q = v.quote(inst);
    const Tick price = side == Side::Buy ? buy_price(q, aggressiveness) : sell_price(q, aggressiveness);
    // Roll legs while the front still holds a short; cutting the short because the long is being
    // cut (or liquidated) is part of the forced sale.
    OrderReason reason = slot == 1 && a.futures(0).qty != 0 ? OrderReason::Roll : OrderReason::Hedge;
    if (forced != OrderReason::Hedge && side == Side::Buy) reason = forced;
    const double points = static_cast<double>(price) * info.tick_points;
    const OrderId id = out.limit(account_, inst, side, price, qty, reason);
    if (reserved_at_ != v.step) reserved_fen_ = 0;
    reserved_at_ = v.step;
    reserved_fen_ += qty * margin;
    open_futures_.push_back(OpenOrder{inst, side, price, qty, id, v.step});
    if (log_as != nullptr) out.event(*log_as, inst, side == Side::Sell ? -qty : qty, points, "futures_order");
  }
}

bool HedgedBasket::has_futures(const Account& a) {
  for (int s = 0; s < kFuturesSlots; ++s)
    if (a.futures(s).qty != 0) return true;
  return false;
}

bool HedgedBasket::has_stocks(const Account& a) {
  for (const StockPosition& p : a.stocks())
    if (p.qty > 0) return true;
  return false;
}

}  // namespace stampede
