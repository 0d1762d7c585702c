#pragma once
// Marking an account to market from the view: the numbers margin lines, NAVs and leverage are
// computed from. Floating point: these are analytics and decisions, never settlement.
#include <algorithm>
#include <cmath>

#include "sim/engine/agent.hpp"
#include "sim/engine/market_view.hpp"

namespace stampede {

struct AccountValue {
  double cash = 0;              // yuan
  double long_value = 0;        // stocks at their last price (yuan)
  double futures_pnl = 0;       // today's unsettled futures P&L (yuan)
  double futures_notional = 0;  // signed, at the current futures price (yuan)
  double equity() const { return cash + long_value + futures_pnl; }
};

inline AccountValue value_account(const MarketView& v, const Account& a) {
  AccountValue out;
  out.cash = static_cast<double>(a.cash) / 100.0;
  if (v.stock_last != nullptr) {
    // Two positions per division instruction (with the positions in cache, the divider bounds
    // this loop); each lane is the same correctly rounded division, and the quotients are added
    // in position order, so the sum is the one-at-a-time sum (test_account_marking.cpp).
    using Pair = double __attribute__((vector_size(16)));
    const Tick* last = v.stock_last->data();
    const std::span<const StockPosition> held = a.stocks();
    std::size_t k = 0;
    for (; k + 2 <= held.size(); k += 2) {
      const Pair value = Pair{static_cast<double>(held[k].qty) * last[held[k].stock],
                              static_cast<double>(held[k + 1].qty) * last[held[k + 1].stock]} / 100.0;
      out.long_value += value[0];
      out.long_value += value[1];
    }
    if (k < held.size()) out.long_value += static_cast<double>(held[k].qty) * last[held[k].stock] / 100.0;
  } else {
    for (const StockPosition& p : a.stocks()) out.long_value += static_cast<double>(p.qty) * v.quote(p.stock).last / 100.0;
  }
  for (int s = 0; s < kFuturesSlots; ++s) {
    const FuturesPosition& f = a.futures(s);
    if (f.qty == 0 && f.trade_cash == 0 && f.mark_base == 0) continue;
    const double price_fen = static_cast<double>(v.quote(v.futures_instrument(s)).last) *
                             static_cast<double>(v.futures[static_cast<std::size_t>(s)].tick_value_fen);
    const double marked = static_cast<double>(f.qty) * price_fen;
    out.futures_pnl += (static_cast<double>(f.trade_cash) + marked - static_cast<double>(f.mark_base)) / 100.0;
    out.futures_notional += marked / 100.0;
  }
  return out;
}

// A memory hint before value_account: the account's line, then (once it is in) its positions.
inline void prefetch_account(const MarketView& v, AccountId id) {
  const Account& a = v.account(id);
  __builtin_prefetch(&a);
  const auto held = a.stocks();
  for (std::size_t k = 0; k < held.size(); k += 64 / sizeof(StockPosition)) __builtin_prefetch(&held[k]);
}

inline AccountValue value_account(const MarketView& v, AccountId id) { return value_account(v, v.account(id)); }

// What one account adds to its class's totals (Agent::report) and its daily row (Agent::day_row),
// from its marking `v`: one definition of every figure for every class. `equity` is the account's
// equity net of any loan outside it, `nav` what of it is the investors' (equity less what a fund
// owes its redeeming investors, ...); leverage is gross long / equity, as the schema says.
inline void add_account(ClassMetrics& into, const AccountValue& v, double equity, double nav,
                        AgentState state = AgentState::Normal) {
  into.nav += nav;
  into.equity += equity;
  into.gross_long += v.long_value;
  into.futures_notional += v.futures_notional;
  into.cash += v.cash;
  into.accounts += 1;
  into.in_margin_call += state == AgentState::MarginCall;
  into.liquidating += state == AgentState::Liquidating;
}
inline AgentDayRow account_day_row(const AccountValue& v, double equity, double nav, AgentState state) {
  AgentDayRow r;
  r.equity = equity;
  r.nav = nav;
  r.leverage = equity > 0 ? v.long_value / equity : std::nan("");
  r.state = state;
  return r;
}
// An account whose equity is all its investors' (no loan, nothing owed).
inline void add_account(ClassMetrics& into, const AccountValue& v) { add_account(into, v, v.equity(), v.equity()); }

// An account financed by a loan outside it (a DMA account's broker, a retail margin loan): its
// equity is net of `debt` (yuan), and its NAV that equity, never below zero.
inline void add_indebted_account(ClassMetrics& into, const AccountValue& v, double debt, AgentState state) {
  const double eq = v.equity() - debt;
  add_account(into, v, eq, std::max(0.0, eq), state);
}
inline AgentDayRow indebted_day_row(const AccountValue& v, double debt, AgentState state) {
  const double eq = v.equity() - debt;
  return account_day_row(v, eq, std::max(0.0, eq), state);
}

}  // namespace stampede
