#pragma once
// The read-only picture of the market every agent decides from. Built once per step after
// matching; nothing in it changes while agents decide, so they may read it from any thread.
#include <string>
#include <vector>

#include "sim/core/types.hpp"
#include "sim/market/accounts.hpp"
#include "sim/market/session_clock.hpp"
#include "sim/market/universe.hpp"

namespace stampede {

struct InstrumentQuote {
  Tick last = kNoPrice;         // last trade today, else the reference (previous close/settlement)
  Tick reference = kNoPrice;    // previous close (stocks) or previous settlement (futures)
  Tick lower = kNoPrice, upper = kNoPrice;   // today's price band
  Tick best_bid = kNoPrice, best_ask = kNoPrice;
  Qty bid_qty = 0, ask_qty = 0;              // at the best prices
  Qty volume = 0;                            // today so far
  bool locked_limit_down = false, locked_limit_up = false;

  Tick mid_or_last() const {
    if (best_bid != kNoPrice && best_ask != kNoPrice) return (best_bid + best_ask) / 2;
    return last;
  }
};

struct FuturesQuoteInfo {
  std::string code;
  int days_to_expiry = 0;
  double tick_points = 0.2;
  Fen tick_value_fen = 0;
  Fen margin_per_contract = 0;
};

// Regulator rules in force today (scenario section [regulator]), published so that the agents they
// bind (Agent::regulated_as) can plan within them. The engine's risk check enforces the sell cap
// and the DMA ban on each order (Simulation::reserve); the leverage cap is the agents' own to
// keep: it needs a DMA account's equity net of its broker's loan, which only the agent knows.
struct RegulatorRules {
  // Quant funds and DMA accounts may sell at most this fraction of their stock holdings' value
  // per day (1 = no cap): shares sold or offered today out of the holdings at the open, valued at
  // the previous close, against the holdings at the open valued the same way.
  double quant_sell_cap_per_day = 1.0;
  bool dma_new_leverage_banned = false;   // DMA accounts may not buy stocks (no new gross exposure)
  double dma_leverage_cap = 1e9;          // gross long / equity ceiling for DMA accounts
};

struct MarketView {
  // time
  StepIndex step = 0;
  DayIndex day = 0;
  int step_in_day = 0;
  StepPhase phase = StepPhase::Continuous;
  const SessionClock* clock = nullptr;
  int days_total = 0;

  // instruments: stocks are ids [0, stock_count), futures slots follow
  const Universe* universe = nullptr;
  int stock_count = 0;
  const std::vector<InstrumentQuote>* quotes = nullptr;
  // quote(i).last of every stock in one compact array (4 bytes a stock instead of a 56-byte
  // quote): marking a portfolio reads it for every position. Null in hand-built views.
  const std::vector<Tick>* stock_last = nullptr;
  const std::vector<double>* fundamental_yuan = nullptr;   // latent values: seen only by agents modelled as informed
  const std::vector<double>* expected_return_annual = nullptr;   // each stock's alpha: seen only by agents modelled as skilled
  InstrumentId futures_instrument(int slot) const { return stock_count + slot; }
  std::vector<FuturesQuoteInfo> futures;

  // indices (points)
  double hedged_index = 0, hedged_prev_close = 0;
  double microcap_index = 0, microcap_prev_close = 0;
  int locked_limit_down_count = 0, locked_limit_up_count = 0;   // stocks, as of this snapshot
  // Share (by market cap) of the hedged index's members locked limit-down: the part of the index
  // that is stale, quoted at a limit price sellers cannot reach.
  double hedged_locked_down_weight = 0;

  const AccountBook* accounts = nullptr;
  RegulatorRules rules;

  const InstrumentQuote& quote(InstrumentId id) const { return (*quotes)[static_cast<std::size_t>(id)]; }
  // quote(stock).last, from the compact array when there is one.
  Tick last_price(InstrumentId stock) const {
    return stock_last ? (*stock_last)[static_cast<std::size_t>(stock)] : quote(stock).last;
  }
  // In Agent::decide, only the agent's own accounts: others' reservations change meanwhile.
  const Account& account(AccountId id) const { return (*accounts)[id]; }
  bool is_stock(InstrumentId id) const { return id >= 0 && id < stock_count; }
};

}  // namespace stampede
