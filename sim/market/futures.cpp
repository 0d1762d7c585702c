#include "sim/market/futures.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace stampede {
using namespace std::chrono;

FuturesMarket::FuturesMarket(const FuturesSpec& spec, const TradingCalendar& calendar)
    : spec_(spec), calendar_(&calendar) {
  double tv = spec.tick_points * spec.multiplier * 100.0;
  tick_value_fen_ = static_cast<Fen>(std::llround(tv));
  if (std::abs(tv - static_cast<double>(tick_value_fen_)) > 1e-6)
    throw std::invalid_argument("futures tick_points * multiplier must be a whole number of fen");
}

Tick FuturesMarket::to_ticks(double points) const { return static_cast<Tick>(std::llround(points / spec_.tick_points)); }

FuturesContract FuturesMarket::make_contract(year_month ym, Date today, double index_level) const {
  FuturesContract c;
  char code[32];
  std::snprintf(code, sizeof code, "%s%02d%02u", spec_.code_prefix.c_str(), static_cast<int>(ym.year()) % 100,
                static_cast<unsigned>(ym.month()));
  c.code = code;
  c.expiry = calendar_->first_trading_day_on_or_after(third_friday(ym.year(), ym.month()));
  double years = std::max(0, days_between(today, c.expiry)) / 365.0;
  c.prev_settlement = to_ticks(index_level * (1.0 + spec_.listing_basis_annual * years));
  return c;
}

void FuturesMarket::list_initial(Date today, double index_level) {
  year_month ym{today.year(), today.month()};
  if (calendar_->first_trading_day_on_or_after(third_friday(ym.year(), ym.month())) < today) ym += months{1};
  slots_[0] = make_contract(ym, today, index_level);
  slots_[1] = make_contract(ym + months{1}, today, index_level);
}

Tick FuturesMarket::band_lower(int slot) const {
  return static_cast<Tick>(std::ceil(contract(slot).prev_settlement * (1.0 - spec_.limit_pct / 100.0) - 1e-9));
}
Tick FuturesMarket::band_upper(int slot) const {
  return static_cast<Tick>(std::floor(contract(slot).prev_settlement * (1.0 + spec_.limit_pct / 100.0) + 1e-9));
}

// In whole basis points and integers, so the margin is the exact fen amount, rounded up.
Fen FuturesMarket::margin_per_contract(int slot) const {
  const Fen notional = static_cast<Fen>(contract(slot).prev_settlement) * tick_value_fen_;
  const Fen bp = static_cast<Fen>(std::llround(spec_.margin_rate * 10000.0));
  return (notional * bp + 9999) / 10000;
}

std::array<Fen, kFuturesSlots> FuturesMarket::margins_per_contract() const {
  std::array<Fen, kFuturesSlots> m{};
  for (int s = 0; s < kFuturesSlots; ++s) m[static_cast<std::size_t>(s)] = margin_per_contract(s);
  return m;
}

Tick FuturesMarket::price_or_settlement(int slot) const {
  const FuturesContract& c = contract(slot);
  return c.last != kNoPrice ? c.last : c.prev_settlement;
}

void FuturesMarket::start_day() {
  for (FuturesContract& c : slots_) {
    c.last = kNoPrice;
    c.volume = 0;
    c.window_value = 0;
    c.window_qty = 0;
  }
  final_index_sum_ = 0;
  final_index_samples_ = 0;
}

void FuturesMarket::record_trade(int slot, Tick price, Qty qty, bool in_window) {
  FuturesContract& c = contract(slot);
  c.last = price;
  c.volume += qty;
  if (in_window) {
    c.window_value += static_cast<double>(price) * static_cast<double>(qty);
    c.window_qty += qty;
  }
}

void FuturesMarket::record_index(double level, bool in_final_window) {
  if (!in_final_window) return;
  final_index_sum_ += level;
  ++final_index_samples_;
}

std::array<Tick, kFuturesSlots> FuturesMarket::settle_day(double index_close, double index_prev_close) {
  std::array<Tick, kFuturesSlots> out{};
  for (int s = 0; s < kFuturesSlots; ++s) {
    FuturesContract& c = contract(s);
    Tick settle;
    if (c.window_qty > 0)
      settle = static_cast<Tick>(std::llround(c.window_value / static_cast<double>(c.window_qty)));
    else if (c.last != kNoPrice)
      settle = c.last;
    else
      settle = static_cast<Tick>(std::llround(c.prev_settlement * (index_close / index_prev_close)));
    c.prev_settlement = settle;
    out[static_cast<std::size_t>(s)] = settle;
  }
  return out;
}

Tick FuturesMarket::final_settlement() const {
  return to_ticks(final_index_samples_ > 0 ? final_index_sum_ / final_index_samples_ : 0.0);
}

void FuturesMarket::roll(Date today, double index_close) {
  slots_[0] = slots_[1];
  year_month ym{slots_[0].expiry.year(), slots_[0].expiry.month()};
  slots_[1] = make_contract(ym + months{1}, today, index_close);
}

// Only accounts with a futures part can hold positions or trade cash: the others are skipped.
void settle_variation_margin(AccountBook& accounts, int slot, Fen settlement_fen) {
  for (AccountId id : accounts.futures_accounts()) {
    FuturesPosition& f = accounts.futures(id, slot);
    if (f.qty == 0 && f.trade_cash == 0 && f.mark_base == 0) continue;
    const Fen marked = f.qty * settlement_fen;
    accounts[id].cash += f.trade_cash + marked - f.mark_base;
    f.trade_cash = 0;
    f.mark_base = marked;
  }
}

void roll_futures_positions(AccountBook& accounts) {
  for (AccountId id : accounts.futures_accounts()) {
    FuturesAccount& fa = accounts.futures_account(id);
    fa.slots[0] = fa.slots[1];
    fa.slots[1] = FuturesPosition{};
  }
}

void refresh_futures_margin(AccountBook& accounts, const std::array<Fen, kFuturesSlots>& margin_per_contract) {
  for (AccountId id : accounts.futures_accounts())
    accounts.futures_account(id).margin = futures_margin_required(accounts[id], margin_per_contract);
}

}  // namespace stampede
