#pragma once
// Index futures on the hedged index, CFFEX style: monthly contracts expiring on the third Friday,
// a front and a next contract listed at any time, +-limit band around the previous settlement,
// daily settlement from the last hour's VWAP, final cash settlement to the index average.
// Contracts are addressed by slot (0 front, 1 next); when the front expires the next becomes the
// front and a new next is listed.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/core/types.hpp"
#include "sim/market/accounts.hpp"
#include "sim/market/calendar.hpp"

namespace stampede {

class StateIo;

struct FuturesSpec {
  int multiplier = 200;                 // yuan per index point
  double tick_points = 0.2;
  double limit_pct = 10.0;
  double margin_rate = 0.12;
  double listing_basis_annual = -0.06;  // basis at which newly listed contracts are first priced
  int settlement_window_minutes = 60;
  int final_settlement_window_minutes = 120;
  std::string code_prefix = "IM";
};

struct FuturesContract {
  std::string code;          // e.g. IM2402
  Date expiry;               // last trading day
  Tick prev_settlement = 0;  // ticks of tick_points
  // intraday accumulators, reset every day
  Tick last = kNoPrice;
  Qty volume = 0;
  double window_value = 0;   // sum price*qty of trades in the settlement window
  Qty window_qty = 0;
  Qty open_interest = 0;
};

class FuturesMarket {
 public:
  FuturesMarket(const FuturesSpec& spec, const TradingCalendar& calendar);
  const FuturesSpec& spec() const { return spec_; }
  Fen tick_value_fen() const { return tick_value_fen_; }
  double to_points(Tick t) const { return t * spec_.tick_points; }
  Tick to_ticks(double points) const;

  void list_initial(Date today, double index_level);
  const FuturesContract& contract(int slot) const { return slots_[static_cast<std::size_t>(slot)]; }
  FuturesContract& contract(int slot) { return slots_[static_cast<std::size_t>(slot)]; }
  int days_to_expiry(int slot, Date today) const { return days_between(today, contract(slot).expiry); }
  bool front_expires(Date today) const { return contract(0).expiry == today; }

  Tick band_lower(int slot) const;
  Tick band_upper(int slot) const;
  Fen margin_per_contract(int slot) const;
  std::array<Fen, kFuturesSlots> margins_per_contract() const;
  Tick price_or_settlement(int slot) const;   // last trade today, else previous settlement

  void start_day();
  void record_trade(int slot, Tick price, Qty qty, bool in_settlement_window);
  void record_index(double level, bool in_final_window);

  // After the close: today's settlement price per slot (VWAP of the window, else the last trade,
  // else the previous settlement moved with the index). Returns the prices and makes them the
  // new previous settlements.
  std::array<Tick, kFuturesSlots> settle_day(double index_close, double index_prev_close);
  // Final settlement price of an expiring front: the average index over the final window.
  Tick final_settlement() const;
  // The next contract becomes the front; a new next contract is listed off the index close.
  void roll(Date today, double index_close);
  void checkpoint(StateIo& io);   // the contracts and the final settlement's samples (sim/core/state_io.hpp)

 private:
  FuturesContract make_contract(std::chrono::year_month ym, Date today, double index_level) const;
  FuturesSpec spec_;
  const TradingCalendar* calendar_;
  Fen tick_value_fen_;
  std::array<FuturesContract, kFuturesSlots> slots_{};
  double final_index_sum_ = 0;
  int final_index_samples_ = 0;
};

// Daily mark to market: every account receives or pays trade_cash + qty*settlement - mark_base.
// The sum over accounts is zero because positions and trade cash net out.
void settle_variation_margin(AccountBook& accounts, int slot, Fen settlement_fen);
// After an expiry the front slot is empty: next-contract positions move to the front slot.
void roll_futures_positions(AccountBook& accounts);
void refresh_futures_margin(AccountBook& accounts, const std::array<Fen, kFuturesSlots>& margin_per_contract);

// The basis of a contract as a yearly rate: (futures - index) / index per calendar day to expiry,
// times 365 (a contract expiring today counts one day). The run log's /market/futures/
// basis_annualised and the hedged funds' view of their hedge's cost (agents/hedged_basket.cpp).
inline double annualised_basis(double futures_points, double index_points, int days_to_expiry) {
  return (futures_points - index_points) / index_points * 365.0 / (days_to_expiry < 1 ? 1 : days_to_expiry);
}

// The main contract of a day: the futures slot with the most open interest at the day's last step,
// the first (the front) on ties or when none has any. The engine records it (/market/futures/
// main_slot) and the ensemble summary reads logs with it; it is the rule of
// tools/calibration/series.py (main_contract_slots), which tools/calibration_check.py judges the
// basis targets with; tests/sweep/test_ensemble.py checks that the two give the same basis.
inline std::size_t main_contract_slot(const std::int64_t* open_interest, std::size_t slots) {
  std::size_t best = 0;
  for (std::size_t k = 1; k < slots; ++k)
    if (open_interest[k] > open_interest[best]) best = k;
  return best;
}

}  // namespace stampede
